"""Series in, checked and ready: values by year, bounds, a wide matrix, level shifts, the scale.

Every path (one series, many series, a pool) prepares its rows here in the same way: years must
be whole and distinct, values inside the indicator's bounds (else a ``BdgInputError`` naming the
year); the latest level shift is handled (:mod:`.breaks`); each row gets the scale of the bound it
approaches (:mod:`.transforms`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from bdg_analysis import words
from bdg_analysis.errors import BdgInputError
from bdg_analysis.projection import breaks, transforms
from bdg_analysis.projection.members import MEMBERS, row_stats, slope_of


def clean_series(series: pd.Series, lower=None, upper=None, name: str = "series") -> pd.Series:
    """Drop missing values, check years and bounds; BdgInputError naming the year otherwise."""
    if not isinstance(series, pd.Series):
        try:
            series = pd.Series(series)
        except Exception:  # noqa: BLE001 - anything that is not series-like
            raise BdgInputError(
                words.problem(name, None, "series", "projection.not_a_series")
            ) from None
    s = pd.to_numeric(series, errors="coerce").astype("float64")
    bad_values = series[s.isna() & series.notna()]
    if len(bad_values):
        year = bad_values.index[0]
        raise BdgInputError(
            words.problem(
                name, None, f"year {year}", "projection.not_a_number", value=bad_values.iloc[0]
            )
        )
    s = s[np.isfinite(s.to_numpy())] if len(s) else s
    try:
        years = np.asarray([int(y) for y in s.index])
        if any(float(y) != float(int(y)) for y in s.index):
            raise ValueError
    except (TypeError, ValueError):
        raise BdgInputError(words.problem(name, None, "index", "projection.not_years")) from None
    s = pd.Series(s.to_numpy(), index=years, dtype="float64")
    if s.index.has_duplicates:
        dup = s.index[s.index.duplicated()][0]
        raise BdgInputError(words.problem(name, None, f"year {dup}", "projection.year_twice"))
    s = s.sort_index()
    for year, value in s.items():
        if lower is not None and value < lower:
            raise BdgInputError(
                words.problem(
                    name,
                    None,
                    f"year {year}",
                    "projection.below_lower",
                    value=f"{value:g}",
                    bound=f"{lower:g}",
                )
            )
        if upper is not None and value > upper:
            raise BdgInputError(
                words.problem(
                    name,
                    None,
                    f"year {year}",
                    "projection.above_upper",
                    value=f"{value:g}",
                    bound=f"{upper:g}",
                )
            )
    return s


def check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level}")


def check_methods(methods: Sequence[str] | None) -> None:
    if methods is None:
        return
    if isinstance(methods, str) or not methods or any(m not in MEMBERS for m in methods):
        raise ValueError(f"methods must be a non-empty list drawn from {', '.join(MEMBERS)}")


def wide(data, years=None) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """(values N x T, years T, row labels) from a wide frame, a 2-D array or a list of series."""
    if isinstance(data, pd.DataFrame):
        try:
            yrs = np.asarray([int(c) for c in data.columns])
        except (TypeError, ValueError):
            raise BdgInputError(
                words.problem("series", None, "columns", "projection.columns_not_years")
            ) from None
        order = np.argsort(yrs)
        vals = data.to_numpy(dtype=float)[:, order]
        yrs = yrs[order]
        labels = data.index
    elif isinstance(data, np.ndarray) or (years is not None):
        vals = np.asarray(data, dtype=float)
        if years is None:
            raise ValueError("years are needed with an array of values")
        yrs = np.asarray(years, dtype=int)
        labels = pd.RangeIndex(vals.shape[0])
    else:
        frame = pd.DataFrame(
            {i: clean_series(s, None, None, f"series {i}") for i, s in enumerate(data)}
        ).T
        return wide(frame)
    if vals.ndim != 2 or vals.shape[1] != len(yrs):
        raise ValueError("values must be a 2-D array with one column per year")
    if len(yrs) and np.any(np.diff(yrs) <= 0):
        raise BdgInputError(
            words.problem("series", None, "columns", "projection.years_not_distinct")
        )
    if len(yrs):
        grid = np.arange(yrs[0], yrs[-1] + 1)
        if len(grid) != len(yrs):
            full = np.full((vals.shape[0], len(grid)), np.nan)
            full[:, yrs - grid[0]] = vals
            vals, yrs = full, grid
    vals = np.where(np.isfinite(vals), vals, np.nan)
    return vals, yrs, labels


def check_bounds_rows(Y: np.ndarray, years: np.ndarray, labels, lower, upper) -> None:
    for bound, bad in (
        (lower, Y < lower if lower is not None else None),
        (upper, Y > upper if upper is not None else None),
    ):
        if bad is not None and np.any(bad):
            r, c = np.argwhere(bad)[0]
            key = "projection.below_lower" if bound == lower else "projection.above_upper"
            raise BdgInputError(
                words.problem(
                    f"series {labels[r]}",
                    None,
                    f"year {years[c]}",
                    key,
                    value=f"{Y[r, c]:g}",
                    bound=f"{bound:g}",
                )
            )


def prepare_rows(Y: np.ndarray, years: np.ndarray, lower, upper, transform: str = "auto") -> dict:
    """Breaks handled, scale chosen and applied, for every row of ``Y`` (N x T, yearly grid).

    Returns ``Y`` (after the level-shift handling, clipped to the bounds), ``B`` (the
    :func:`breaks.detect_rows` result), ``code`` and ``delta`` (per-row transform), ``Z``.
    """
    B = breaks.detect_rows(Y, years)
    Yb = B["Y"]
    if lower is not None or upper is not None:
        Yb = np.clip(Yb, lower, upper)
    t = years.astype(float)
    slope = np.nan_to_num(slope_of("trend", row_stats(Yb, t))) if transform == "auto" else None
    if slope is None:
        slope = np.zeros(Y.shape[0])
    code, delta = transforms.choose_rows(Yb, slope, lower, upper, transform)
    Z = transforms.forward_rows(code, Yb, lower, upper, delta)
    return {"Y": Yb, "B": B, "code": code, "delta": delta, "Z": Z}
