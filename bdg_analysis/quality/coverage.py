"""What the data hold: coverage by year and province, missing cells, values by data status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bdg_analysis import catalogue, geo, words
from bdg_analysis.errors import BdgInputError
from bdg_analysis.words import word


@dataclass(frozen=True)
class _Places:
    former_code: dict[str, str]  # former name -> former code
    single_part: dict[str, str]  # current code -> former code of an unchanged province
    successor: dict[str, str]  # former code -> current code
    label: dict[tuple[str, str], str]  # (era, code) -> name shown


def _places(lang: str = "vi") -> _Places:
    former = geo.former_provinces()
    current = geo.current_provinces()
    return _Places(
        former_code={p.name: p.code for p in former},
        single_part={p.code: geo.former_parts(p)[0].code for p in current if not geo.is_merged(p)},
        successor={p.code: p.successor_code for p in former},
        label={
            **{
                ("former", p.code): (
                    word("explore.former_place", lang, name=p.name) if p.changed else p.name
                )
                for p in former
            },
            **{("current", p.code): p.name for p in current},
        },
    )


def _cells(obs: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Every (indicator, year, place) a complete dataset would hold, with what is there.

    Places are those of the year's map: the 63 former provinces up to 2024, the 34 current
    ones from 2025; the national row is left out. Years run over each indicator's own span
    (first to last year any province has a value).
    """
    places = _places(lang)
    rows = obs[
        (obs["province_code"] != geo.NATIONAL_CODE) & obs["indicator"].isin(catalogue.ids())
    ].copy()
    old = rows["year"] < geo.MERGER_YEAR
    former = rows["former"].fillna("").astype(str)
    code = np.where(
        old,
        [
            places.former_code.get(f) if f else places.single_part.get(c)
            for f, c in zip(former, rows["province_code"].astype(str), strict=True)
        ],
        np.where(former == "", rows["province_code"].astype(str), None),
    )
    rows["era"] = np.where(old, "former", "current")
    rows["place_code"] = code
    rows = rows[rows["place_code"].notna()]
    seen = (
        rows.assign(has_value=rows["value"].notna(), has_row=True)
        .groupby(["indicator", "year", "era", "place_code"], as_index=False)
        .agg(has_value=("has_value", "any"), has_row=("has_row", "any"))
    )
    expected = []
    former_codes = [p.code for p in geo.former_provinces()]
    current_codes = [p.code for p in geo.current_provinces()]
    with_value = seen[seen["has_value"]]
    for ind in catalogue.ids():
        years = with_value.loc[with_value["indicator"] == ind, "year"]
        if years.empty:
            continue
        for year in range(int(years.min()), int(years.max()) + 1):
            era = "former" if year < geo.MERGER_YEAR else "current"
            for c in former_codes if era == "former" else current_codes:
                expected.append((ind, year, era, c))
    cells = pd.DataFrame(expected, columns=["indicator", "year", "era", "place_code"])
    cells = cells.merge(seen, how="left", on=["indicator", "year", "era", "place_code"])
    cells["has_value"] = cells["has_value"].fillna(False).astype(bool)
    cells["has_row"] = cells["has_row"].fillna(False).astype(bool)
    cells["current_code"] = [
        places.successor[c] if e == "former" else c
        for e, c in zip(cells["era"], cells["place_code"], strict=True)
    ]
    cells["place"] = [
        places.label[(e, c)] for e, c in zip(cells["era"], cells["place_code"], strict=True)
    ]
    cells["province"] = [places.label[("current", c)] for c in cells["current_code"]]
    return cells


def coverage_matrix(obs: pd.DataFrame, by: str = "year", lang: str = "vi") -> pd.DataFrame:
    """Coverage of every indicator: by year (share of provinces) or by province (share of years).

    Parameters
    ----------
    obs
        Checked observations (``read(...).observations`` or ``bdg.load()``).
    by
        ``"year"``: indicators down, years across, the share of the year's provinces (63 former
        up to 2024, 34 from 2025) with a value. ``"province"``: the 34 current provinces down,
        indicators across, the share of (former province, year) cells with a value over the
        indicator's years, so a merged province missing one former part shows it.
    lang
        Language of the caption (``attrs["caption"]``).

    Returns
    -------
    DataFrame
        Shares 0-1 (``attrs``: ``percent``, ``heat``, ``caption``); empty cells mean the
        indicator has no values at all.

    Examples
    --------
    >>> quality.coverage_matrix(bdg.load(), by="province")
    """
    lang = words.check_lang(lang, where="lang")
    if by not in ("year", "province"):
        raise BdgInputError(words.problem("<argument>", None, "by", "quality.bad_by", value=by))
    cells = _cells(obs)
    ids = catalogue.ids()
    if by == "year":
        share = cells.groupby(["indicator", "year"])["has_value"].mean().unstack("year")
        share = share.reindex([i for i in ids if i in share.index])
        share.index.name = "indicator"
        share.columns = [int(c) for c in share.columns]
    else:
        share = cells.groupby(["province", "indicator"])["has_value"].mean().unstack("indicator")
        order = [p.name for p in geo.current_provinces()]
        share = share.reindex(order)
        share = share[[i for i in ids if i in share.columns]]
        share.index.name = "province"
    share.columns.name = None
    share = share.astype("float64")
    share.attrs = {
        "percent": True,
        "heat": True,
        "caption": word(f"quality.coverage_{by}", lang),
    }
    return share


def gaps(obs: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Every expected cell without a value: an empty cell in a file, or no row at all.

    Columns ``indicator``, ``year``, ``province`` (current), ``place`` (the province of that
    year's map, e.g. 'Hà Giang (cũ)'), ``reason``. Expected cells as in
    :func:`coverage_matrix`.
    """
    lang = words.check_lang(lang, where="lang")
    cells = _cells(obs, lang)
    missing = cells[~cells["has_value"]].copy()
    missing["reason"] = np.where(
        missing["has_row"], word("quality.empty_cell", lang), word("quality.no_row", lang)
    )
    return (
        missing[["indicator", "year", "province", "place", "reason"]]
        .sort_values(["indicator", "year", "province", "place"])
        .reset_index(drop=True)
    )


def status_counts(obs: pd.DataFrame) -> pd.DataFrame:
    """Values of each indicator by data status (official, provisional, estimate, demo)."""
    rows = obs[obs["value"].notna()]
    status = rows["status"].fillna("").astype(str).replace("", "unspecified")
    counts = pd.crosstab(rows["indicator"], status)
    columns = [
        c
        for c in ("official", "provisional", "estimate", "demo", "unspecified")
        if c in counts.columns
    ]
    counts = counts.reindex(columns=columns, fill_value=0)
    counts = counts.reindex([i for i in catalogue.ids() if i in counts.index])
    counts["total"] = counts.sum(axis=1)
    counts.index.name = "indicator"
    counts.columns.name = None
    return counts.astype("int64")


def flagged(
    obs: pd.DataFrame, statuses: Sequence[str] = ("provisional", "estimate")
) -> pd.DataFrame:
    """The rows whose status is one of ``statuses`` (e.g. every provisional figure)."""
    columns = [
        "province",
        "former",
        "indicator",
        "year",
        "value",
        "status",
        "source",
        "note",
        "source_file",
        "source_row",
    ]
    rows = obs[obs["status"].isin(list(statuses))]
    return (
        rows[columns]
        .sort_values(["indicator", "province", "former", "year"])
        .reset_index(drop=True)
    )
