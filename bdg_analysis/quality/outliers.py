"""Values out of line with their own series' history: robust z-scores of the yearly change."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bdg_analysis import dataset, geo, words
from bdg_analysis.dataset import boundaries as trace_rows
from bdg_analysis.errors import BdgInputError

# the outlier rule lives with the projection, which uses it for level shifts (issue 12)
from bdg_analysis.projection.breaks import (  # the factors are shown in the rule's words
    _IQR_FACTOR,
    _MAD_FACTOR,
    _MEANAD_FACTOR,
    MIN_CHANGES,
    Z_THRESHOLD,
    precision,
    robust_scale,
    robust_z,
)
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
            words.problem(
                "<argument>", None, "boundaries", "quality.bad_boundaries", value=boundaries
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
