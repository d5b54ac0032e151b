"""What the notebook API reads: observations read once per file version, places and series rows.

Shared by the data, chart and status functions of :mod:`bdg_analysis.explore`, so each asks
for "the rows of this series" in one way, as the reports read them.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import pandas as pd

from bdg_analysis import cache, dataset, geo, quality, scorecard, validate, words
from bdg_analysis import catalogue as _catalogue
from bdg_analysis.errors import BdgInputError
from bdg_analysis.words import word

Data = str | Path | Sequence[str | Path] | pd.DataFrame | None
"""What ``data=`` accepts: a file, several files, an observations frame, or None (embedded)."""


def check_lang(lang: object) -> str:
    """The one language check of the notebook API (``words.check_lang``, naming ``lang``)."""
    return words.check_lang(lang, where="lang")


# ---------------------------------------------------------------------------------------------
# Observations: read once per file version, shared by every call


def _signature(path: Path) -> tuple[str, int | None, int | None]:
    try:
        stat = path.stat()
    except OSError:
        return str(path), None, None
    return str(path.resolve()), stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=8)
def _context_for(key: tuple) -> scorecard.Context:
    files = [Path(k[0]) for k in key]
    return scorecard.Context(dataset.load(files), cache_dir=cache.default_dir())


_FRAME_CONTEXTS: dict[int, tuple[weakref.ref, scorecard.Context]] = {}


def context(data: Data) -> scorecard.Context:
    """The observations of ``data`` on both boundaries, cached until a file changes (a frame:
    while it lives, so calls on the same frame put former provinces together once)."""
    if isinstance(data, pd.DataFrame):
        held = _FRAME_CONTEXTS.get(id(data))
        if held is not None and held[0]() is data:
            return held[1]
        ctx = scorecard.Context(_observations_from_frame(data), cache_dir=cache.default_dir())
        for key in [k for k, (ref, _) in _FRAME_CONTEXTS.items() if ref() is None]:
            del _FRAME_CONTEXTS[key]
        _FRAME_CONTEXTS[id(data)] = (weakref.ref(data), ctx)
        return ctx
    return _context_for(tuple(_signature(p) for p in quality.data_files(data)))


def _observations_from_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """An in-memory frame as checked observations: taken as is when already checked, else
    validated like a file (BdgInputError naming the row and column of every problem)."""
    checked_columns = {"province", "province_code", "former", "indicator", "year", "value"}
    if checked_columns <= set(frame.columns):
        out = frame.copy()
        for column in validate.OBSERVATION_COLUMNS:
            if column not in out.columns:
                out[column] = "" if column not in ("source_row",) else range(2, len(out) + 2)
        return out[list(validate.OBSERVATION_COLUMNS)].reset_index(drop=True)
    raw = frame.reset_index(drop=True).astype(object)
    raw = raw.where(raw.notna(), "").astype(str)
    raw["source_file"] = "<DataFrame>"
    raw["source_row"] = range(2, len(raw) + 2)
    checked = validate.check(raw)
    if checked.problems:
        raise BdgInputError(checked.problems)
    return checked.observations


# ---------------------------------------------------------------------------------------------
# Places


def _refused(column: str, key: str, **fields: object) -> BdgInputError:
    return BdgInputError(words.problem("<argument>", None, column, key, **fields))


def current_place(province: str, *, allow_former: bool = False) -> geo.Province:
    """The current province (or the nation) a name denotes; a former-only name is refused
    unless ``allow_former`` (then its successor is meant)."""
    res = geo.resolve(province)
    if res.former is not None and not allow_former:
        current = res.province.name
        raise _refused("province", "explore.former_only", name=province, current=current)
    return res.province


def merged_place(province: str) -> geo.Province:
    """The current province a name denotes, former names allowed; the nation is refused."""
    place = current_place(province, allow_former=True)
    if place.is_national:
        raise _refused("province", "explore.whole_country", name=province)
    return place


def part_label(part: geo.Province, lang: str) -> str:
    """A former province's name marked as such ('Hà Giang (cũ)', 'Hà Giang (former)')."""
    if part.era == "former" and part.changed:
        return word("explore.former_place", lang, name=part.name)
    return part.name


# ---------------------------------------------------------------------------------------------
# Series rows, as the reports read them


def series_rows(
    ctx: scorecard.Context, place: str, indicator_id: str, up_to: int | None = None
) -> pd.DataFrame:
    """The rows of one series on current boundaries: its total rows, complete years only
    (:meth:`bdg_analysis.dataset.Context.rows`), by year."""
    return ctx.rows(place, indicator_id, up_to).sort_values("year")


def to_series(rows: pd.DataFrame, name: str) -> pd.Series:
    """The values of series rows indexed by year (the years that have a row)."""
    return pd.Series(
        rows["value"].to_numpy(dtype="float64"),
        index=pd.Index(rows["year"].to_numpy(dtype=int), name="year"),
        name=name,
    )


def indicator_rows(
    ctx: scorecard.Context, ind: _catalogue.Indicator, year: int | None
) -> tuple[pd.DataFrame, int]:
    """Current-boundary rows of one indicator up to ``year`` (default: latest provincial year)."""
    cur = ctx.current
    rows = dataset.series_rows(cur[cur["indicator"] == ind.id])
    provincial = rows[rows["province_code"] != geo.NATIONAL_CODE]
    last = (
        int(provincial["year"].max())
        if len(provincial)
        else (int(rows["year"].max()) if len(rows) else None)
    )
    if year is None:
        if last is None:
            raise BdgInputError(
                words.problem("<data>", None, "indicator", "explore.no_values_of", id=ind.id)
            )
        year = last
    return rows[rows["year"] <= int(year)], int(year)


def parts_rows(
    ctx: scorecard.Context, place: geo.Province, indicator_id: str
) -> dict[geo.Province, pd.DataFrame]:
    """The recorded rows of each former part of a current province (years before 2025, total
    rows of each series, by year)."""
    obs = ctx.observations
    rows = obs[
        (obs["indicator"] == indicator_id)
        & (obs["province"] == place.name)
        & (obs["year"] < geo.MERGER_YEAR)
        & obs["value"].notna()
    ]
    rows = dataset.series_rows(rows)
    out: dict[geo.Province, pd.DataFrame] = {}
    for part in geo.former_parts(place):
        mine = rows[rows["former"] == part.name] if part.changed else rows[rows["former"] == ""]
        out[part] = mine.sort_values("year")
    return out


def parts_series(
    ctx: scorecard.Context, place: geo.Province, indicator_id: str, lang: str = "vi"
) -> dict[str, pd.Series]:
    """The recorded series of each former part, by its label ('Hà Giang (cũ)')."""
    return {
        part_label(part, lang): to_series(rows, part_label(part, lang))
        for part, rows in parts_rows(ctx, place, indicator_id).items()
    }


def recorded_rows(ctx: scorecard.Context, province: str, indicator_id: str) -> pd.DataFrame:
    """The recorded rows with a value of one indicator in a current province (its former
    provinces' own rows included): what a chart of the parts shows."""
    obs = ctx.observations
    return obs[
        (obs["province"] == province) & (obs["indicator"] == indicator_id) & obs["value"].notna()
    ]


def flagged_years(rows: pd.DataFrame) -> list[int]:
    """Years whose value is demonstration, provisional or estimated (drawn hollow)."""
    return [int(y) for y in rows.loc[rows["status"].isin(scorecard.FLAGGED_STATUSES), "year"]]


# ---------------------------------------------------------------------------------------------
# Saying so when demonstration values are shown


def with_demo_note(caption: str, statuses, lang: str) -> str:
    """The caption led by a demonstration-data warning when any of ``statuses`` is demo."""
    note = quality.demo_note(statuses, lang)
    return f"{note} {caption}" if note else caption


def with_demo_tag(title: str, statuses, lang: str) -> str:
    """A chart title with a second line saying it shows demonstration values, if it does."""
    if quality.demo_note(statuses, lang):
        return f"{title}\n{word('explore.demo_tag', lang)}"
    return title
