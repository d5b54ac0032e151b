"""Which rows make a series: each series' total when recorded by sex, complete years only."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: The ``sex`` values that mean "both sexes" (empty: not broken down by sex).
TOTAL_SEXES = ("", "total")
#: A series is one place's values of one indicator.
SERIES_KEYS = ("province", "indicator")


def total_sex(rows: pd.DataFrame, by: Sequence[str] = SERIES_KEYS) -> pd.DataFrame:
    """The rows that make each series' total: the one rule, used by every reader of series.

    Within each series (rows sharing ``by``, default: one province's values of one indicator),
    when more than one sex is recorded only the rows for both sexes (``sex`` empty or
    ``total``) count; when only one sex is recorded its rows are the series (an indicator
    about women only, say). Spelling of ``sex`` is forgiven (case, spaces).

    The rule used to be written in three places (ranks, ``assess_targets``, the notebook API)
    and was missing from the series reports used; with it here, a file that brings female,
    male and total rows cannot put three values of one year into a trend.

    Parameters
    ----------
    rows
        Observations; without a ``sex`` column they are returned as they are.
    by
        Columns that identify a series; those missing from ``rows`` are ignored (no column:
        ``rows`` is one series).

    Returns
    -------
    DataFrame
        A subset of ``rows``, in their order.
    """
    if "sex" not in rows.columns or rows.empty:
        return rows
    sexes = rows["sex"].fillna("").astype(str).str.strip().str.lower()
    keys = [c for c in by if c in rows.columns]
    if keys:
        count = sexes.groupby([rows[c] for c in keys], sort=False, dropna=False).transform(
            "nunique"
        )
        several = count.to_numpy() > 1
    else:
        several = np.full(len(rows), sexes.nunique() > 1)
    keep = ~several | sexes.isin(TOTAL_SEXES).to_numpy()
    return rows if bool(keep.all()) else rows[keep]


def series_rows(rows: pd.DataFrame, by: Sequence[str] = SERIES_KEYS) -> pd.DataFrame:
    """The rows a series may use (trends, ranks, projections): each series' total rows
    (:func:`total_sex`) in complete years only. A row put together from only some former
    provinces (``complete`` False, see :mod:`bdg_analysis.dataset.boundaries`) stands for part
    of the province and is left out; rows without the column are all complete."""
    rows = total_sex(rows, by)
    if "complete" not in rows.columns:
        return rows
    complete = rows["complete"].fillna(True).astype(bool)
    return rows if bool(complete.all()) else rows[complete.to_numpy()]
