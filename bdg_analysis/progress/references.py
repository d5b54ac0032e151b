"""Two published progress methods, computed beside the project's own status for comparison.

- the UN ESCAP Current Status and Anticipated Progress indices
  (:func:`escap_anticipated_progress`), and
- the Eurostat SDG monitoring method, ratio of actual to required growth
  (:func:`eurostat_status`; the Open SDG / Statistics Canada variant as an option).

Formulas, thresholds and sources are in ``docs/methods/projection-and-status.md`` (3.2, 3.3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bdg_analysis.projection.inputs import clean_series  # the one check of a series by year

# --------------------------------------------------------------------------------------------
# Reference 1: UN ESCAP Current Status and Anticipated Progress
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EscapResult:
    """UN ESCAP Current Status (CS) and Anticipated Progress (AP) of one series, 0-10 scale.

    ``category`` is the ESCAP dashboard word: ``maintain`` (AP > 9, "will meet target"),
    ``accelerate`` (0 < AP <= 9), ``reverse`` (AP <= 0) or ``insufficient_data``.
    """

    base_year: int | None
    base_value: float
    base_estimated: bool
    current_year: int | None
    current_value: float
    current_estimated: bool
    target_year: int
    target_value: float
    direction: str
    growth: float
    projected: float
    current_status: float
    anticipated_progress: float
    cs_label: str
    ap_label: str
    category: str
    scale: float | None


def _escap_index(value: float, base: float, target: float, direction: str) -> float:
    """ESCAP's index: 10 when the target is reached, else D * (I - I0) / |TV - I0|, D = +/-10."""
    if direction == "lower" and value <= target:
        return 10.0
    if direction == "higher" and value >= target:
        return 10.0
    if target == base:
        return math.nan
    d = -10.0 if direction == "lower" else 10.0
    return d * (value - base) / abs(target - base)


def escap_anticipated_progress(
    series: pd.Series,
    target_value: float,
    *,
    target_year: int = 2030,
    base_year: int = 2015,
    current_year: int | None = None,
    direction: str = "higher",
    scale: float | None = None,
) -> EscapResult:
    """UN ESCAP Current Status and Anticipated Progress indices (reference method).

    Method (ESCAP, *Asia and the Pacific SDG Progress Report*, technical notes on measuring
    progress; Bidarbakht Nia 2017, ESCAP working papers WP/04 and WP/05), as implemented in
    the UNICEF MENARO port (github.com/spalmas/SDG-MENARO, 03_progress_assessment):

    - growth: the mean over consecutive observations of the yearly change of logit(value/scale)
      (``scale`` = 100 for percentages; without a scale the logarithm, the limit for unbounded
      indicators, i.e. geometric growth); the value in any year is projected from the last
      observation with that growth and transformed back;
    - base value (``base_year``) and current value (``current_year``, default the latest year)
      are observed or, if missing, estimated with the same projection;
    - CS = D * (I_current - I_base) / |TV - I_base| and AP = the same with the value projected
      to ``target_year``, with D = +10 when increase is desirable and -10 when decrease is,
      and 10 whenever the value reaches the target;
    - labels: CS > 9 "On-track", CS <= 0 "Regression", else "Slow progress"; AP > 9 "Will meet
      target", AP <= 0 "No progress expected", else "Need to accelerate"; one observation gives
      10 / "Will meet target" if it meets the target, else "Insufficient data".

    Worked example (anchors): 20.0 (2015) -> 24.0 (2022), TV 35 in 2030, scale 100: growth
    0.033374/yr, projected 29.2000, CS 2.6667, AP 6.1333, "Need to accelerate".
    """
    if direction not in ("higher", "lower"):
        raise ValueError("direction must be 'higher' or 'lower'")
    s = clean_series(series)
    nan = math.nan
    if s.empty:
        return EscapResult(
            None,
            nan,
            False,
            None,
            nan,
            False,
            target_year,
            float(target_value),
            direction,
            nan,
            nan,
            nan,
            nan,
            "No data",
            "No data",
            "insufficient_data",
            scale,
        )
    years = s.index.to_numpy()
    vals = s.to_numpy()
    if len(s) == 1:
        v = float(vals[0])
        reached = v >= target_value if direction == "higher" else v <= target_value
        idx = 10.0 if reached else nan
        return EscapResult(
            None,
            nan,
            False,
            int(years[0]),
            v,
            False,
            target_year,
            float(target_value),
            direction,
            nan,
            nan,
            idx,
            idx,
            "On-track" if reached else "Insufficient data",
            "Will meet target" if reached else "Insufficient data",
            "maintain" if reached else "insufficient_data",
            scale,
        )

    def fwd(v):
        with np.errstate(divide="ignore", invalid="ignore"):
            if scale is not None:
                p = np.asarray(v, dtype=float) / scale
                return np.log(p / (1 - p))
            return np.log(np.asarray(v, dtype=float))

    def inv(z):
        if scale is not None:
            return scale / (1 + np.exp(-z))
        return np.exp(z)

    f = fwd(vals)
    with np.errstate(invalid="ignore"):
        growth = float(np.mean(np.diff(f) / np.diff(years)))

    def predict(year: int) -> float:
        if not math.isfinite(growth) or not math.isfinite(f[-1]):
            return float(vals[-1])  # as the port: constant or boundary values keep the last value
        return float(inv(f[-1] + growth * (year - years[-1])))

    def value_at(year: int) -> tuple[float, bool]:
        if year in s.index:
            return float(s.loc[year]), False
        return predict(year), True

    cy = int(years[-1]) if current_year is None else int(current_year)
    base_value, base_est = value_at(base_year)
    current_value, cur_est = value_at(cy)
    projected = predict(target_year)
    cs = _escap_index(current_value, base_value, target_value, direction)
    ap = _escap_index(projected, base_value, target_value, direction)

    def label(x: float, top: str, mid: str, low: str) -> str:
        if math.isnan(x):
            return "Insufficient data"
        return top if x > 9 else (low if x <= 0 else mid)

    ap_label = label(ap, "Will meet target", "Need to accelerate", "No progress expected")
    category = {
        "Will meet target": "maintain",
        "Need to accelerate": "accelerate",
        "No progress expected": "reverse",
    }.get(ap_label, "insufficient_data")
    return EscapResult(
        int(base_year),
        base_value,
        base_est,
        cy,
        current_value,
        cur_est,
        int(target_year),
        float(target_value),
        direction,
        growth,
        projected,
        cs,
        ap,
        label(cs, "On-track", "Slow progress", "Regression"),
        ap_label,
        category,
        scale,
    )


# --------------------------------------------------------------------------------------------
# Reference 2: Eurostat SDG monitoring (and the Open SDG / Statistics Canada variant)
# --------------------------------------------------------------------------------------------

EUROSTAT_TARGET_CUTS = (0.95, 0.60, 0.0)
"""Ratio of actual to required growth: significant / moderate / insufficient / movement away."""

EUROSTAT_NO_TARGET_CUTS = (0.01, 0.0, -0.01)
"""Growth per year in the desired direction without a numeric target."""

OPENSDG_NO_TARGET_CUTS = (0.015, 0.005, 0.0)
"""Open SDG growth cut points without a target, scaled by the natural-limit coefficient."""

_EUROSTAT_LABELS = {
    "target_achieved": "Target achieved",
    "significant_progress": "Significant progress towards the target",
    "moderate_progress": "Moderate progress towards the target",
    "insufficient_progress": "Insufficient progress towards the target",
    "movement_away": "Movement away from the target",
    "significant_movement_away": "Significant movement away from the objective",
    "moderate_movement_away": "Moderate movement away from the objective",
    "substantial_progress": "Substantial progress / on track",
    "limited_progress": "Limited progress",
    "deterioration": "Deterioration",
    "insufficient_data": "Insufficient data",
}


@dataclass(frozen=True)
class EurostatResult:
    """Eurostat-style assessment of one series: growth rates, their ratio and the category.

    ``ratio`` is the actual over the required growth (with a target) or None; ``progress`` the
    value compared with the cut points (the ratio, or the growth in the desired direction);
    ``expected_value`` the latest value grown at the actual rate to the target year and
    ``share_of_gap`` the share of the base-to-target distance that value covers (the UNSD 2023
    measure); ``score`` the Open SDG score in [-5, 5].
    """

    variant: str
    base_year: int | None
    base_value: float
    current_year: int | None
    current_value: float
    target_year: int
    target_value: float | None
    direction: str
    cagr_actual: float
    cagr_required: float | None
    ratio: float | None
    progress: float
    expected_value: float
    share_of_gap: float | None
    category: str
    label: str
    score: float | None
    achieved: bool
    note: str = ""


def _cagr(v1: float, v0: float, t1: float, t0: float) -> float:
    return (v1 / v0) ** (1.0 / (t1 - t0)) - 1.0


def _opensdg_coefficient(base: float, limit: float | None) -> float:
    """Open SDG natural-limit coefficient C (a = 4.44): thresholds shrink near the limit."""
    if limit is None:
        return 1.0
    b, lim = abs(base), abs(limit)
    if b >= 2 * lim:
        return 1.0
    if b <= lim:
        return 1.0 - (b / lim) ** 4.44
    return 1.0 - ((2 * lim - b) / lim) ** 4.44


def _opensdg_score(progress: float, with_target: bool, coeff: float, cuts) -> float:
    """The Open SDG series score in [-5, 5] (sdg-build ProgressMeasure.get_score)."""
    high, med, low = cuts
    if with_target:
        if progress >= 0.6:
            return min(7.1429 * progress - 4.2857, 5.0)
        return max(4.1667 * progress - 2.5, -5.0)
    if progress < low:
        return max(125 * progress - 2.5, -5.0)
    if coeff == 0:
        return 5.0
    if progress >= high:
        return min(500 * progress / coeff - 5, 5.0)
    if progress >= med:
        return 250 * progress / coeff - 1.25
    return 500 * progress / coeff - 2.5


def eurostat_status(
    series: pd.Series,
    target_value: float | None = None,
    *,
    target_year: int = 2030,
    base_year: int = 2015,
    direction: str = "higher",
    variant: str = "eurostat",
    limit: float | None = None,
) -> EurostatResult:
    """Eurostat SDG monitoring assessment (reference method).

    With a quantified target (Eurostat, *Sustainable development in the European Union -
    Monitoring report*, methodological annex; same cut points in Open SDG / Statistics Canada,
    open-sdg/sdg-build ``sdg/ProgressMeasure.py``):

    - CAGR_actual = (x_t / x_b)^(1 / (t - b)) - 1 from the base year b to the latest year t;
    - CAGR_required = (TV / x_b)^(1 / (T - b)) - 1 to reach the target TV in its year T;
    - ratio R = sign * d * CAGR_actual / |CAGR_required| (d = +1 if increase is desirable,
      -1 if decrease is; sign = -1 for a negative base), i.e. actual over required growth;
    - R >= 95 % significant progress, 60-95 % moderate, 0-60 % insufficient, < 0 movement away
      (Open SDG: substantial / moderate / limited progress, deterioration); a latest value that
      meets the target is "target achieved" whatever the trend.

    Without a target, the growth in the desired direction g = sign * d * CAGR_actual: Eurostat
    g >= 1 % significant progress, 0-1 % moderate, -1-0 % moderate movement away, < -1 %
    significant movement away; Open SDG 1.5 % and 0.5 % (times the natural-limit coefficient
    C = 1 - (x_b / L)^4.44 when ``limit`` L is given) and 0.

    Data rules: at least two years; the base year is the first observation at or after
    ``base_year`` (or the last before it if that leaves one point); a zero base or target is
    replaced by 0.001 (Open SDG); values of both signs cannot be assessed.
    """
    if direction not in ("higher", "lower"):
        raise ValueError("direction must be 'higher' or 'lower'")
    if variant not in ("eurostat", "opensdg"):
        raise ValueError("variant must be 'eurostat' or 'opensdg'")
    s = clean_series(series)
    nan = math.nan
    d = 1.0 if direction == "higher" else -1.0

    def empty(note: str, base=None, current=None) -> EurostatResult:
        by, bv = (None, nan) if base is None else base
        cy, cv = (None, nan) if current is None else current
        achieved = (
            target_value is not None
            and math.isfinite(cv)
            and (cv >= target_value if d > 0 else cv <= target_value)
        )
        cat = "target_achieved" if achieved else "insufficient_data"
        return EurostatResult(
            variant,
            by,
            bv,
            cy,
            cv,
            target_year,
            target_value,
            direction,
            nan,
            None,
            None,
            nan,
            nan,
            None,
            cat,
            _EUROSTAT_LABELS[cat],
            5.0 if achieved else None,
            achieved,
            note,
        )

    if s.empty:
        return empty("no data")
    cy, cv = int(s.index[-1]), float(s.iloc[-1])
    after = s[s.index >= base_year]
    if len(after) >= 2:
        by, bv = int(after.index[0]), float(after.iloc[0])
    elif len(s) >= 2:  # the nearest year before that still leaves two points
        before = s[s.index < cy]
        by, bv = int(before.index[-1]), float(before.iloc[-1])
    else:
        return empty("one observation only", current=(cy, cv))
    note = ""
    if bv == 0:
        bv, note = 0.001, "base value 0 replaced by 0.001"
    if (bv > 0) != (cv > 0) or cv == 0:
        return empty("base and latest values must have the same sign", (by, bv), (cy, cv))
    sign = -1.0 if bv < 0 else 1.0
    cagr_a = _cagr(cv, bv, cy, by)
    expected = cv * (1 + cagr_a) ** (target_year - cy)
    if target_value is not None:
        tv = 0.001 if target_value == 0 else float(target_value)
        achieved = cv >= target_value if d > 0 else cv <= target_value
        cagr_r = _cagr(tv, bv, target_year, by) if target_year > by else nan
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = (
                float(sign * d * cagr_a / abs(cagr_r))
                if cagr_r != 0
                else (math.copysign(math.inf, sign * d * cagr_a) if cagr_a != 0 else 0.0)
            )
        gap = (expected - bv) / (tv - bv) if tv != bv else nan
        high, med, low = EUROSTAT_TARGET_CUTS
        if achieved:
            cat = "target_achieved"
        elif ratio >= high:
            cat = "significant_progress" if variant == "eurostat" else "substantial_progress"
        elif ratio >= med:
            cat = "moderate_progress"
        elif ratio >= low:
            cat = "insufficient_progress" if variant == "eurostat" else "limited_progress"
        else:
            cat = "movement_away" if variant == "eurostat" else "deterioration"
        score = 5.0 if achieved else _opensdg_score(ratio, True, 1.0, EUROSTAT_TARGET_CUTS)
        return EurostatResult(
            variant,
            by,
            bv,
            cy,
            cv,
            target_year,
            float(target_value),
            direction,
            cagr_a,
            cagr_r,
            ratio,
            ratio,
            expected,
            gap,
            cat,
            _EUROSTAT_LABELS[cat],
            score,
            achieved,
            note,
        )
    progress = sign * d * cagr_a
    if variant == "eurostat":
        high, med, low = EUROSTAT_NO_TARGET_CUTS
        coeff = 1.0
        cat = (
            "significant_progress"
            if progress >= high
            else "moderate_progress"
            if progress >= med
            else "moderate_movement_away"
            if progress >= low
            else "significant_movement_away"
        )
        cuts = OPENSDG_NO_TARGET_CUTS
    else:
        coeff = _opensdg_coefficient(bv, limit)
        cuts = tuple(c * coeff for c in OPENSDG_NO_TARGET_CUTS)
        high, med, low = cuts
        if coeff == 0 and progress >= 0:
            cat = "substantial_progress"
        else:
            cat = (
                "substantial_progress"
                if progress >= high
                else "moderate_progress"
                if progress >= med
                else "limited_progress"
                if progress >= low
                else "deterioration"
            )
    score = _opensdg_score(progress, False, coeff, cuts)
    return EurostatResult(
        variant,
        by,
        bv,
        cy,
        cv,
        target_year,
        None,
        direction,
        cagr_a,
        None,
        None,
        progress,
        expected,
        None,
        cat,
        _EUROSTAT_LABELS[cat],
        score,
        False,
        note,
    )
