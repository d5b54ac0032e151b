"""Values out of line with their own series' history: robust z-scores of the yearly change."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from bdg_analysis import dataset, geo, words
from bdg_analysis.dataset import boundaries as trace_rows
from bdg_analysis.errors import BdgInputError, Problem
from bdg_analysis.tables import z_decimals
from bdg_analysis.text import fmt_value
from bdg_analysis.words import word

__all__ = [
    "BOUNDARIES",
    "MIN_CHANGES",
    "Z_THRESHOLD",
    "outlier_rule",
    "outliers",
    "precision",
    "robust_scale",
    "robust_z",
    "z_decimals",
]

#: The two ways of cutting series: on today's 34 provinces, or as the files record them.
BOUNDARIES = ("current", "recorded")
#: Flag a year-on-year change whose robust z-score exceeds this (Iglewicz and Hoaglin, 1993).
Z_THRESHOLD = 3.5
#: A series needs at least this many year-on-year changes before its own history is a yardstick.
MIN_CHANGES = 5
#: 0.6745 is the 75th percentile of the standard normal: MAD / 0.6745 estimates the std. dev.
_MAD_FACTOR = 0.6745
#: When MAD is 0, the mean absolute deviation times 1.2533 (sqrt(pi/2)) estimates it instead.
_MEANAD_FACTOR = 1.253314
#: 1.349 is the interquartile range of the standard normal: IQR / 1.349 estimates the std. dev.
_IQR_FACTOR = 1.349


# ---------------------------------------------------------------------------------------------
# Outliers against a series' own history


def robust_scale(
    values: Sequence[float] | np.ndarray, floor: float = 0.0
) -> tuple[float, float, float]:
    """The median, MAD and robust standard deviation σ that :func:`robust_z` judges by.

    σ is the larger of MAD / 0.6745 and IQR / 1.349: both estimate the standard deviation of
    normal changes, but the IQR stays wide when a series changes direction (rising, then
    falling), where the MAD of two tight clusters would flag every ordinary year. When the MAD
    is 0, σ is at least 1.2533 × the mean absolute deviation. NaN where undefined (fewer than
    two finite values, or every value equal). ``floor`` is the smallest MAD taken.
    """
    x = np.asarray(values, dtype="float64")
    x = x[np.isfinite(x)]
    if x.size < 2:
        return math.nan, math.nan, math.nan
    med = float(np.median(x))
    dev = np.abs(x - med)
    # changes of rounded figures differ by float noise (0.03 - 0.02 != 0.01): below this, 0
    noise = 1e-9 * max(1.0, float(np.max(np.abs(x))))
    dev = np.where(dev < noise, 0.0, dev)
    mad = max(float(np.median(dev)), floor)
    q1, q3 = np.percentile(x, [25, 75])
    iqr = float(q3 - q1) if q3 - q1 > noise else 0.0
    sigma = max(mad / _MAD_FACTOR, iqr / _IQR_FACTOR)
    if mad <= noise:  # more than half the changes equal the median
        sigma = max(sigma, _MEANAD_FACTOR * float(dev.mean()))
    if sigma <= noise:
        return med, mad, math.nan
    return med, mad, sigma


def robust_z(changes: Sequence[float] | np.ndarray, floor: float = 0.0) -> np.ndarray:
    """Robust z-scores, (x - median) / σ with σ from :func:`robust_scale`, so one wild value
    cannot hide itself by inflating the yardstick; NaN where undefined.

    Differences below float noise (1e-9 of the largest value) count as 0. ``floor`` is the
    smallest MAD taken (e.g. the precision figures are published at), so a very smooth series
    does not flag a change of one rounding step.

    Examples
    --------
    >>> quality.robust_z([1, 1.2, 0.9, 1.1, 6.0])   # the last change stands out
    """
    x = np.asarray(changes, dtype="float64")
    out = np.full(x.shape, np.nan)
    med, _, sigma = robust_scale(x, floor)
    finite = np.isfinite(x)
    if not np.isfinite(sigma):
        return out
    values = x[finite]
    dev = np.abs(values - med)
    noise = 1e-9 * max(1.0, float(np.max(np.abs(values))))
    dev = np.where(dev < noise, 0.0, dev)
    out[finite] = np.sign(values - med) * dev / sigma
    return out


def precision(values: Sequence[float] | np.ndarray) -> float:
    """The step figures are published at: 0.1 for 112.3, 111.4; 1 for 46, 52; 0 when the values
    carry more than six decimals (computed figures, e.g. put together from former provinces)."""
    x = np.asarray(values, dtype="float64")
    x = x[np.isfinite(x)]
    if not x.size:
        return 0.0
    for decimals in range(7):
        scaled = x * 10.0**decimals
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return 10.0**-decimals
    return 0.0


def outlier_rule(
    threshold: float = Z_THRESHOLD,
    min_changes: int = MIN_CHANGES,
    boundaries: str = "current",
    lang: str = "vi",
) -> str:
    """The outlier rule in words, as shown above the outlier table."""
    lang = words.check_lang(lang, where="lang")
    if boundaries not in BOUNDARIES:
        raise BdgInputError(
            Problem(
                "<argument>",
                None,
                "boundaries",
                f"{boundaries!r}: expected 'current' or 'recorded'",
            )
        )
    return word(
        "quality.rule",
        lang,
        boundaries=word(f"quality.boundaries_{boundaries}", lang),
        threshold=words.fmt_number(threshold, lang),
        min_changes=words.fmt_number(min_changes, lang, 0),
        mad_factor=words.fmt_number(_MAD_FACTOR, lang, 4),
        iqr_factor=words.fmt_number(_IQR_FACTOR, lang, 3),
        meanad_factor=words.fmt_number(_MEANAD_FACTOR, lang, 4),
        step=words.fmt_number(0.1, lang, 1),
    )


def _series_frame(obs: pd.DataFrame, boundaries: str) -> pd.DataFrame:
    """The series to judge: one per place, indicator and sex, with values only."""
    if boundaries == "current":
        frame = dataset.Context(obs).current.copy()
        frame["former"] = ""
    else:
        frame = obs[obs["value"].notna()].copy()
    frame["former"] = frame["former"].fillna("").astype(str)
    frame["sex"] = frame["sex"].fillna("").astype(str)
    return frame


def outliers(
    obs: pd.DataFrame,
    *,
    threshold: float = Z_THRESHOLD,
    min_changes: int = MIN_CHANGES,
    boundaries: str = "current",
    lang: str = "vi",
) -> pd.DataFrame:
    """Values out of line with their own series' history, each with the rule that flagged it.

    A value is flagged when the change per year that led to it lies more than ``threshold``
    robust z-scores from the series' median change (the scale is the series' own robust
    standard deviation: see :func:`outlier_rule`). A spike (out and back) is flagged once, at
    its peak. Use it to ask whether a provisional figure is out of line.

    Parameters
    ----------
    obs
        Checked observations (``read(...).observations`` or ``bdg.load()``).
    threshold
        |z| above which a change is flagged (default 3.5, Iglewicz and Hoaglin).
    min_changes
        Series with fewer year-on-year changes are not judged (default 5).
    boundaries
        ``"current"`` (default): series on today's boundaries, as reports use them.
        ``"recorded"``: each former province's own series up to 2024 (a spike in one former
        province can hide in a merged series).
    lang
        Language of the ``rule`` column and ``attrs["caption"]``.

    Returns
    -------
    DataFrame
        ``province``, ``former``, ``indicator``, ``year``, ``value``, ``status``,
        ``previous_year``, ``previous_value``, ``change_per_year``, ``median_change``,
        ``sigma`` (the series' robust standard deviation), ``z``, ``pattern`` (spike or jump),
        ``shared`` (other series of the indicator flagged the same year, same direction),
        ``across_merger`` (the change runs from 2024 to 2025 in a merged province), ``rule``,
        ``source``; largest |z| first. ``attrs["rule"]`` states the rule.

    Examples
    --------
    >>> out = quality.outliers(bdg.load(), threshold=3.5)
    >>> out[out["status"] == "provisional"]
    """
    rule = outlier_rule(threshold, min_changes, boundaries, lang)  # checks lang and boundaries
    frame = _series_frame(obs, boundaries)
    keys = ["province", "former", "indicator", "sex"]
    frame = frame.sort_values([*keys, "year"]).reset_index(drop=True)
    g = frame.groupby(keys, sort=False)
    frame["previous_year"] = g["year"].shift(1)
    frame["previous_value"] = g["value"].shift(1)
    frame["change_per_year"] = (frame["value"] - frame["previous_value"]) / (
        frame["year"] - frame["previous_year"]
    )
    n = len(frame)
    z_all, med_all, sigma_all = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    count_all = np.zeros(n, dtype="int64")
    changes_all = frame["change_per_year"].to_numpy(dtype="float64")
    values_all = frame["value"].to_numpy(dtype="float64")
    for idx in g.indices.values():
        changes = changes_all[idx]
        floor = precision(values_all[idx])
        z_all[idx] = robust_z(changes, floor=floor)
        med_all[idx], _, sigma_all[idx] = robust_scale(changes, floor)
        count_all[idx] = int(np.isfinite(changes).sum())
    frame["z"], frame["median_change"], frame["sigma"] = z_all, med_all, sigma_all
    frame["n_changes"] = count_all
    hit = (frame["n_changes"] >= min_changes) & (frame["z"].abs() > threshold)
    # a spike out and back flags two changes of opposite sign: keep the first (the peak year)
    same_series = (frame[keys].shift(1) == frame[keys]).all(axis=1)
    returning = (
        hit
        & hit.shift(1, fill_value=False)
        & same_series
        & (np.sign(frame["z"]) != np.sign(frame["z"].shift(1)))
    )
    spike = hit & returning.shift(-1, fill_value=False)
    keep = hit & ~returning
    out = frame[keep].copy()
    out["pattern"] = np.where(spike[keep], word("quality.spike", lang), word("quality.jump", lang))
    merged = {p.name for p in geo.current_provinces() if geo.is_merged(p)}
    out["across_merger"] = (
        (out["previous_year"] < geo.MERGER_YEAR)
        & (out["year"] >= geo.MERGER_YEAR)
        & out["province"].isin(merged)
        & (out["former"] == "")
    )
    out["previous_year"] = out["previous_year"].astype("Int64")
    # the same indicator, year and direction flagged in other series: a shared change?
    direction = np.sign(out["z"])
    out["shared"] = (
        out.groupby([out["indicator"], out["year"], direction])["z"]
        .transform("size")
        .astype("int64")
        - 1
    )
    out["rule"] = [
        _rule_text(c, m, z, threshold, lang)
        for c, m, z in zip(out["change_per_year"], out["median_change"], out["z"], strict=True)
    ]
    out["source"] = [_trace(r) for r in out.to_dict("records")]
    columns = [
        "province",
        "former",
        "indicator",
        "year",
        "value",
        "status",
        "previous_year",
        "previous_value",
        "change_per_year",
        "median_change",
        "sigma",
        "z",
        "pattern",
        "shared",
        "across_merger",
        "rule",
        "source",
    ]
    out = out.assign(_abs=out["z"].abs()).sort_values(
        ["_abs", "indicator", "province"], ascending=[False, True, True]
    )
    result = out[columns].reset_index(drop=True)
    result.attrs = {
        "rule": rule,
        "caption": rule,
        "boundaries": boundaries,
        "threshold": threshold,
        "min_changes": min_changes,
    }
    return result


def _signed(value: float, lang: str) -> str:
    shown = fmt_value(value, lang)
    return f"+{shown}" if value > 0 else shown


def _rule_text(change: float, median: float, z: float, threshold: float, lang: str) -> str:
    """The numbers that flagged one value, as the ``rule`` column shows them."""
    decimals = z_decimals(z, threshold)
    return word(
        "quality.rule_line",
        lang,
        change=_signed(change, lang),
        median=_signed(median, lang),
        z=words.fmt_number(abs(z), lang, decimals=decimals) if np.isfinite(z) else "∞",
        threshold=words.fmt_number(threshold, lang),
    )


def _trace(record: dict) -> str:
    """file:row of a value, or the source rows a put-together value was made from."""
    return trace_rows.sources(record)
