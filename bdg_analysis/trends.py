"""Describe a series and place a province: latest value, changes, growth, rank, gap to national."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from bdg_analysis import words
from bdg_analysis.dataset import series_rows
from bdg_analysis.errors import BdgInputError

NATIONAL = "Toàn quốc"
"""The province value of the national row in the tidy observations frame."""

NATIONAL_CODE = "00"


def _nfc(text) -> str:
    return unicodedata.normalize("NFC", str(text)).strip()


def _clean(series: pd.Series) -> pd.Series:
    """Values by whole year, missing dropped, sorted; BdgInputError on duplicate or odd years."""
    if not isinstance(series, pd.Series):
        raise BdgInputError(words.problem("series", None, None, "trends.not_a_series"))
    s = pd.to_numeric(series, errors="coerce").astype("float64")
    s = s[np.isfinite(s.to_numpy())]
    try:
        years = [int(y) for y in s.index]
    except (TypeError, ValueError):
        raise BdgInputError(words.problem("series", None, "index", "trends.not_years")) from None
    s = pd.Series(s.to_numpy(), index=years, dtype="float64")
    if s.index.has_duplicates:
        dup = s.index[s.index.duplicated()][0]
        raise BdgInputError(words.problem("series", None, f"year {dup}", "trends.year_twice"))
    return s.sort_index()


def cagr(v0: float, v1: float, years: float) -> float:
    """Compound annual growth rate (v1/v0)^(1/years) - 1; NaN when undefined.

    Undefined when ``years`` is not positive or the values are not both positive (a growth
    rate through zero or across signs means nothing).
    """
    if not (years > 0) or not (v0 > 0) or not (v1 > 0):
        return math.nan
    return (v1 / v0) ** (1.0 / years) - 1.0


def summary(series: pd.Series, *, base_year: int | None = None) -> dict:
    """Latest value and year, changes over 1 and 5 years, growth rate and trend slope.

    ``change_1y`` is the change from the year before the latest (NaN if that year is missing).
    ``change_5y`` is the change from five years before; when that year is missing the nearest
    observed year four or six years before is used and named in ``change_5y_from``.
    ``cagr`` runs from ``base_year`` (or the first observation at or after it; default: the
    first observation) to the latest. ``slope`` is the least-squares change per year over all
    points, which one noisy year moves less than the end-point growth rate.
    """
    s = _clean(series)
    out = {
        "n_points": len(s),
        "first_year": None,
        "first_value": math.nan,
        "latest_year": None,
        "latest_value": math.nan,
        "change_1y": math.nan,
        "change_5y": math.nan,
        "change_5y_from": None,
        "cagr": math.nan,
        "cagr_from": None,
        "slope": math.nan,
    }
    if s.empty:
        return out
    ly, lv = int(s.index[-1]), float(s.iloc[-1])
    out.update(
        first_year=int(s.index[0]), first_value=float(s.iloc[0]), latest_year=ly, latest_value=lv
    )
    if ly - 1 in s.index:
        out["change_1y"] = lv - float(s.loc[ly - 1])
    for back in (5, 4, 6):
        if ly - back in s.index:
            out["change_5y"] = lv - float(s.loc[ly - back])
            out["change_5y_from"] = ly - back
            break
    base = s[s.index >= base_year] if base_year is not None else s
    if len(base) >= 2:
        by = int(base.index[0])
        out["cagr"] = cagr(float(base.iloc[0]), lv, ly - by)
        out["cagr_from"] = by
    if len(s) >= 2:
        t = s.index.to_numpy(dtype=float)
        out["slope"] = float(np.polyfit(t - t.mean(), s.to_numpy(), 1)[0])
    return out


def _year_rows(frame: pd.DataFrame, indicator: str, year: int, sex: str | None) -> pd.DataFrame:
    """Current-boundary rows of one indicator and year, one sex, with a value: ``sex`` when
    given, else each series' total in complete years (:func:`bdg_analysis.dataset.series_rows`:
    a merged province's year with only some former provinces is not ranked)."""
    missing = {"province", "indicator", "year", "value"} - set(frame.columns)
    if missing:
        raise BdgInputError(
            words.problem("observations", None, ", ".join(sorted(missing)), "trends.no_column")
        )
    rows = frame[frame["indicator"] == indicator]
    if "former" in rows.columns:
        rows = rows[rows["former"].fillna("").astype(str) == ""]
    if sex is None:
        rows = series_rows(rows)  # each series' total, complete years (whole series first)
    elif "sex" in rows.columns:
        rows = rows[rows["sex"].fillna("").astype(str).str.strip().str.lower() == sex.lower()]
    rows = rows[rows["year"].astype(int) == int(year)]
    rows = rows[pd.to_numeric(rows["value"], errors="coerce").notna()]
    rows = rows.assign(
        _name=rows["province"].map(_nfc),
        value=pd.to_numeric(rows["value"], errors="coerce").astype(float),
    )
    return rows


def _is_national(rows: pd.DataFrame) -> pd.Series:
    nat = rows["_name"] == _nfc(NATIONAL)
    if "province_code" in rows.columns:
        nat |= rows["province_code"].astype(str).str.strip() == NATIONAL_CODE
    return nat


def _known_province(frame: pd.DataFrame, province: str) -> str:
    name = _nfc(province)
    names = set(frame["province"].map(_nfc))
    if name not in names:
        import difflib

        close = difflib.get_close_matches(name, sorted(names), n=3, cutoff=0.5)
        raise words.unknown_name("kind_province", province, close)
    return name


def _direction(indicator: str, direction: str | None) -> str | None:
    if direction is not None:
        if direction not in ("higher", "lower"):
            raise ValueError(f"direction must be 'higher' or 'lower', got {direction!r}")
        return direction
    from bdg_analysis import catalogue

    return catalogue.get(indicator).direction if catalogue.is_known(indicator) else None


def rank(
    frame: pd.DataFrame,
    indicator: str,
    year: int,
    province: str,
    direction: str | None = None,
    *,
    sex: str | None = None,
) -> tuple[int | None, int]:
    """Rank of ``province`` among the provinces with a value that year, 1 = best.

    ``direction`` ``"higher"`` ranks the largest value first, ``"lower"`` the smallest (default:
    the catalogue's direction). Ties share the better rank (1, 2, 2, 4). The national row is
    left out. Returns ``(None, n)`` when the province has no value that year.
    """
    name = _known_province(frame, province)
    direction = _direction(indicator, direction) or "higher"
    rows = _year_rows(frame, indicator, year, sex)
    rows = rows[~_is_national(rows)]
    if rows["_name"].duplicated().any():
        dup = rows.loc[rows["_name"].duplicated(), "_name"].iloc[0]
        raise BdgInputError(
            words.problem("observations", None, f"{indicator} {year}", "trends.several", place=dup)
        )
    n = len(rows)
    mine = rows[rows["_name"] == name]
    if mine.empty:
        return None, n
    v = float(mine["value"].iloc[0])
    others = rows["value"].to_numpy()
    better = np.sum(others > v) if direction == "higher" else np.sum(others < v)
    return int(better) + 1, n


@dataclass(frozen=True)
class Gap:
    """A province's value against the national one for the same indicator and year."""

    province_value: float
    national_value: float
    gap: float
    relative_gap: float
    better: bool | None

    def as_dict(self) -> dict:
        return asdict(self)


def gap_to_national(
    frame: pd.DataFrame,
    indicator: str,
    year: int,
    province: str,
    direction: str | None = None,
    *,
    sex: str | None = None,
) -> Gap:
    """Province minus national value (and relative to national) for one indicator and year.

    ``better`` says whether the province is on the good side given ``direction`` (default:
    the catalogue's); None when equal or the direction is unknown. Values are NaN when either
    row is missing.
    """
    name = _known_province(frame, province)
    direction = _direction(indicator, direction)
    rows = _year_rows(frame, indicator, year, sex)
    nat = rows[_is_national(rows)]
    mine = rows[(rows["_name"] == name) & ~_is_national(rows)]
    pv = float(mine["value"].iloc[0]) if len(mine) else math.nan
    nv = float(nat["value"].iloc[0]) if len(nat) else math.nan
    gap = pv - nv
    rel = gap / nv if nv not in (0.0,) and math.isfinite(nv) else math.nan
    better = None
    if direction is not None and math.isfinite(gap) and gap != 0:
        better = bool(gap > 0) if direction == "higher" else bool(gap < 0)
    return Gap(province_value=pv, national_value=nv, gap=gap, relative_gap=rel, better=better)
