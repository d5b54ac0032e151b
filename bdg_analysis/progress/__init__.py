"""Status of each target at the report year (achieved, on track, ... ) and the reason for it.

The project's own status is probabilistic: the projection to the target year (see
:mod:`bdg_analysis.projection`) comes with a distribution calibrated on out-of-sample errors,
and the status follows from the probability that the target will be met in its year. Two
published methods are computed alongside as references (:mod:`.references`: UN ESCAP
:func:`escap_anticipated_progress`, Eurostat :func:`eurostat_status`), so a reader can compare.
:func:`assess` follows the table of cases in ``docs/methods/projection-and-status.md`` 3.1.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

import pandas as pd

from bdg_analysis import dataset, words
from bdg_analysis import projection as pj
from bdg_analysis.errors import BdgInputError
from bdg_analysis.progress.references import (
    EscapResult,
    EurostatResult,
    clean_series,
    escap_anticipated_progress,
    eurostat_status,
)
from bdg_analysis.targets import Target

__all__ = [
    "Assessment",
    "BASE_YEAR",
    "EscapResult",
    "EurostatResult",
    "STATUS_ORDER",
    "Status",
    "THRESHOLDS",
    "Thresholds",
    "assess",
    "clean_series",
    "judged_target",
    "assess_targets",
    "escap_anticipated_progress",
    "eurostat_status",
    "status_from_probability",
]


class Status(StrEnum):
    """The plain status of a target. Values are the stable ids reports and JSON use.

    ``achieved`` and ``not_achieved`` are said only of a value observed in the target's own year
    (and ``achieved`` of a future target on the evidence standard of :data:`THRESHOLDS`); every
    other status is a forecast with its chance. The rules are the table of cases in
    ``docs/methods/projection-and-status.md`` section 3.1.
    """

    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    MOVING_AWAY = "moving_away"
    INSUFFICIENT_DATA = "insufficient_data"


STATUS_ORDER = (
    Status.ACHIEVED,
    Status.ON_TRACK,
    Status.AT_RISK,
    Status.OFF_TRACK,
    Status.MOVING_AWAY,
    Status.NOT_ACHIEVED,
    Status.INSUFFICIENT_DATA,
)
"""From best to worst (insufficient data last), for sorting and colour scales."""


@dataclass(frozen=True)
class Thresholds:
    """Probability cut points of the probabilistic status, in one place.

    ``on_track``: P(target met in its year) at or above 2/3, "likely" on the IPCC calibrated
    likelihood scale (Mastrandrea et al. 2010). ``off_track``: at or below 1/3, "unlikely".
    Between them the target is at risk ("about as likely as not"). ``moving_away``: it is at
    least 2/3 likely that the value in the target year will be worse than the latest value.
    ``achieved``: the one evidence standard for a future target already met now: "achieved"
    only when it is at least this likely to be met still in its year (else the forecast
    status its chance gives).
    """

    on_track: float = 2 / 3
    off_track: float = 1 / 3
    moving_away: float = 2 / 3
    achieved: float = 2 / 3


THRESHOLDS = Thresholds()

STALE_YEARS = 5
"""A latest value more than this many years before the report year gives no status but
"insufficient data" (unless the target's own year was observed)."""

BOUND_RUN = 3
"""Consecutive years at the bound (100 %, 0, a yes/no at 1) that make a future target at that
bound "achieved" without a projection."""

BOUND_TOLERANCE = 0.005
"""A target at a bound of a bounded indicator is met within this share of the indicator's range:
99.5 % meets "100 %", 0.5 % meets "0 %" (figures of 100 % are rounded, and a projection at the
bound would give a meaningless 50 % chance of reaching the bound exactly)."""

COUNT_TOLERANCE = 0.5
"""Counts are whole numbers: "at least 1 facility" is met by any value that rounds to 1 or more."""

SHORT_SERIES = 4
"""Series of 2-4 values: never a better chance for having moved away from the target."""

BASE_YEAR = 2020
"""Baseline of the National Strategy on Gender Equality 2021-2030 (Resolution 28/NQ-CP), used
as the base year of the reference methods in :func:`assess`. The reference functions keep their
published default, 2015 (the SDG baseline)."""


def status_from_probability(p: float, thresholds: Thresholds = THRESHOLDS) -> Status:
    """on_track, at_risk or off_track from P(target met)."""
    if p >= thresholds.on_track:
        return Status.ON_TRACK
    if p <= thresholds.off_track:
        return Status.OFF_TRACK
    return Status.AT_RISK


# --------------------------------------------------------------------------------------------
# The project's probabilistic status: the table of cases (docs section 3.1), first row that
# matches decides
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """The status of one target at the report year, with the numbers behind it.

    ``target`` is the plan's target as written; ``judged`` the one it is judged against (a band
    read by the indicator's direction, :meth:`Target.effective`; a target at a bound moved by
    its tolerance). ``probability`` is P(target met in its year) from the projection, None when
    the status does not rest on a projection (an observed target year, a run at the bound,
    insufficient data). ``p_moving_away`` is P(the value in the target year is worse than the
    latest value). ``reason_code`` is the id of the row of the table of cases that decided
    (the report translates it); ``reason`` the English sentence; ``observed`` says the target
    year's own value was seen; ``flags`` add ``not_observed`` (the target year has come but its
    value is not in the data) and ``short_capped`` (a short series that moved away from the
    target, its chance capped, :data:`SHORT_SERIES`).
    """

    target: Target
    status: Status
    probability: float | None
    projection: pj.Projection | None
    latest_value: float
    latest_year: int | None
    reason_code: str
    reason: str
    method: str = "probabilistic"
    escap: EscapResult | None = None
    eurostat: EurostatResult | None = None
    report_year: int | None = None
    n_points: int = 0
    p_moving_away: float | None = None
    judged: Target | None = None
    observed: bool = False
    flags: tuple[str, ...] = ()
    first_year: int | None = None
    observed_value: float | None = None


def _fmt(v: float) -> str:
    if v is None or not math.isfinite(v):
        return "n/a"
    if abs(v) >= 100:
        return f"{v:,.1f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def _target_text(t: Target) -> str:
    words = {"ge": "at least", "gt": "above", "le": "at most", "lt": "below"}
    if t.op == "between":
        return f"between {_fmt(t.value)} and {_fmt(t.value_high)}"
    return f"{words[t.op]} {_fmt(t.value)}"


def _reference_target(target: Target, latest: float) -> tuple[float, str]:
    """(target value, direction) for the reference methods; a band uses its nearer bound."""
    if target.op in ("ge", "gt"):
        return target.value, "higher"
    if target.op in ("le", "lt"):
        return target.value, "lower"
    if latest > target.value_high:  # type: ignore[operator]
        return float(target.value_high), "lower"  # type: ignore[arg-type]
    return target.value, "higher"


def _references(
    target: Target, s: pd.Series, lower, upper, base_year: int
) -> tuple[EscapResult | None, EurostatResult | None]:
    if s.empty:
        return None, None
    tv, direction = _reference_target(target, float(s.iloc[-1]))
    scale = upper if (lower == 0 and upper is not None) else None
    try:
        escap = escap_anticipated_progress(
            s, tv, target_year=target.year, base_year=base_year, direction=direction, scale=scale
        )
    except (ValueError, ZeroDivisionError, OverflowError):
        escap = None
    try:
        euro = eurostat_status(
            s, tv, target_year=target.year, base_year=base_year, direction=direction
        )
    except (ValueError, ZeroDivisionError, OverflowError):
        euro = None
    return escap, euro


def judged_target(
    target: Target,
    direction: str | None,
    lower: float | None = None,
    upper: float | None = None,
    kind: str | None = None,
) -> tuple[Target, bool]:
    """The target a value is judged against, and whether it sits at a bound.

    A band on an indicator with a direction reads as its lower (or upper) bound unless the plan
    marks it ``two_sided`` (:meth:`Target.effective`). A target at a bound of a bounded
    indicator (``>= 100`` on a share, ``<= 0``, ``>= 1`` on a yes/no) is met within
    :data:`BOUND_TOLERANCE` of the range; a count target within :data:`COUNT_TOLERANCE` (whole
    numbers). Returns ``(judged, at_bound)``.
    """
    eff = target.effective(direction)
    if kind == "count":
        c = COUNT_TOLERANCE
        if eff.op == "between":
            return replace(eff, value=eff.value - c, value_high=eff.value_high + c), False
        shifted = {"ge": ("ge", -c), "gt": ("ge", c), "le": ("le", c), "lt": ("le", -c)}
        op, d = shifted[eff.op]
        return replace(eff, op=op, value=eff.value + d), False
    if lower is None or upper is None or eff.op == "between":
        return eff, False
    tol = BOUND_TOLERANCE * (upper - lower)
    if eff.op == "ge" and eff.value >= upper - tol:
        return replace(eff, value=upper - tol), True
    if eff.op == "le" and eff.value <= lower + tol:
        return replace(eff, value=lower + tol), True
    return eff, False


def _worse(proj: pj.Projection, judged: Target, latest: float) -> float:
    """P(value in the target year worse than ``latest``, i.e. further from the target); 0 for a
    latest value inside a two-sided band (no way to be 'further' from it)."""
    if judged.op in ("ge", "gt"):
        return float(proj.probability_at_most(latest))
    if judged.op in ("le", "lt"):
        return float(proj.probability_at_least(latest))
    if latest < judged.value:
        return float(proj.probability_at_most(latest))
    if latest > judged.value_high:  # type: ignore[operator]
        return float(proj.probability_at_least(latest))
    return 0.0


def _moved_away(s: pd.Series, judged: Target) -> bool:
    """The latest value is worse than the first one (further from the target)."""
    first, last = float(s.iloc[0]), float(s.iloc[-1])
    if judged.is_met(last):
        return False
    if judged.op in ("ge", "gt") or (judged.op == "between" and last < judged.value):
        return last < first
    return last > first


def _run_at_bound(s: pd.Series, judged: Target) -> bool:
    """The latest :data:`BOUND_RUN` values are in consecutive years and all meet ``judged``."""
    tail = s.iloc[-BOUND_RUN:]
    years = tail.index.to_numpy()
    return (
        len(tail) == BOUND_RUN
        and int(years[-1] - years[0]) == BOUND_RUN - 1
        and all(judged.is_met(float(v)) for v in tail)
    )


def assess(
    target: Target,
    series: pd.Series,
    *,
    report_year: int,
    lower: float | None = None,
    upper: float | None = None,
    direction: str = "higher",
    projection: pj.Projection | None = None,
    pooled_errors: pj.PooledErrors | None = None,
    kind: str | None = None,
    base_year: int = BASE_YEAR,
    transform: str = "auto",
    thresholds: Thresholds = THRESHOLDS,
) -> Assessment:
    """The status of ``target`` at ``report_year`` from ``series`` (values by year).

    Only data up to ``report_year`` are used, and the first row of the table of cases
    (``docs/methods/projection-and-status.md`` section 3.1; ``reason_code`` is its ``rule``)
    that matches decides:

    1. no data: insufficient data;
    2. the target year has come and its value is observed: achieved or not achieved;
    3. the latest value is more than :data:`STALE_YEARS` years old: insufficient data;
    4. the target year is before the first value: insufficient data;
    5-8. yes/no indicators (``kind="binary"``, no projection): a passed year not observed is
       insufficient data (a later 1 does not meet the deadline); a future target held at 1 for
       :data:`BOUND_RUN` years is achieved; else on track (1 now) or at risk (0 now);
    9. a future target at a bound, the last :data:`BOUND_RUN` years at the bound: achieved;
    10. a single value: insufficient data; 11. no projection: insufficient data;
    12. a future target met now and still met in its year with P >= 2/3: achieved;
    13. P(worse than now in the target year) >= 2/3: moving away;
    14-16. P >= 2/3 on track, P <= 1/3 off track, else at risk.

    The target is judged as :func:`judged_target` reads it (band by the indicator's
    ``direction`` unless two-sided, tolerance at a bound). A short series (2-4 values) that
    moved away from the target gets no better chance than if its latest value had held.
    ``projection`` may be passed when already computed (its ``to_year`` must be the target
    year). ESCAP and Eurostat references are computed from ``base_year``.
    """
    if direction not in ("higher", "lower"):
        raise ValueError("direction must be 'higher' or 'lower'")
    if projection is not None and projection.to_year != target.year:
        raise ValueError(
            f"the projection is to {projection.to_year}, the target is for {target.year}"
        )
    s = clean_series(series, lower, upper, f"{target.indicator}")
    s = s[s.index <= report_year]
    n = len(s)
    latest_value = float(s.iloc[-1]) if n else math.nan
    latest_year = int(s.index[-1]) if n else None
    year = target.year
    judged, at_bound = judged_target(target, direction, lower, upper, kind)
    ref_s = s[s.index <= year] if year <= report_year else s
    escap, euro = _references(judged, ref_s, lower, upper, base_year)
    tt = _target_text(target)
    if judged != target:
        tt += f", judged as {_target_text(judged)}"
    unobserved = n > 0 and year <= report_year and year not in s.index
    flags = ("not_observed",) if unobserved else ()
    seen = f"no value for {year} yet (latest {latest_year})" if unobserved else ""

    def result(status, code, reason, prob=None, proj=None, p_away=None, more=()) -> Assessment:
        return Assessment(
            target=target,
            status=status,
            probability=prob,
            projection=proj,
            latest_value=latest_value,
            latest_year=latest_year,
            reason_code=code,
            reason=reason,
            escap=escap,
            eurostat=euro,
            report_year=report_year,
            n_points=n,
            p_moving_away=p_away,
            judged=judged,
            observed=code == "observed",
            flags=flags + tuple(more),
            first_year=int(s.index[0]) if n else None,
            observed_value=float(s.loc[year]) if code == "observed" else None,
        )

    insufficient = Status.INSUFFICIENT_DATA
    if n == 0:  # 1
        return result(insufficient, "no_data", f"No data up to {report_year} ({tt}, {year}).")
    if year <= report_year and year in s.index:  # 2
        v = float(s.loc[year])
        met = judged.is_met(v)
        return result(
            Status.ACHIEVED if met else Status.NOT_ACHIEVED,
            "observed",
            f"The {year} value {v:g} {'meets' if met else 'does not meet'} the target ({tt}).",
        )
    if report_year - latest_year > STALE_YEARS:  # 3
        return result(
            insufficient,
            "stale",
            f"The latest value is from {latest_year}, more than {STALE_YEARS} years before "
            f"{report_year}: too old to judge the {year} target ({tt}).",
        )
    if year < int(s.index[0]):  # 4
        return result(
            insufficient,
            "before_data",
            f"No value for {year} or before: the {year} target ({tt}) cannot be judged.",
        )
    if kind == "binary":  # 5-8
        if year < report_year:
            return result(
                insufficient,
                "binary_unobserved",
                f"A yes/no target is judged on its own year: {seen}; a later value does not "
                f"meet a passed deadline ({tt}).",
            )
        if year > report_year and _run_at_bound(s, judged):
            return result(
                Status.ACHIEVED,
                "bound_run",
                f"Met for the last {BOUND_RUN} years ({latest_year - BOUND_RUN + 1}-"
                f"{latest_year}): the {year} target ({tt}) is counted as achieved.",
            )
        if judged.is_met(latest_value):
            return result(
                Status.ON_TRACK,
                "binary_met",
                f"Met in {latest_year}, not yet for {BOUND_RUN} years in a row ({tt}, {year}).",
            )
        return result(
            Status.AT_RISK,
            "binary_not_met",
            f"Not met in {latest_year}; a yes/no indicator has no trend to project ({tt}, {year}).",
        )
    if at_bound and year > report_year and _run_at_bound(s, judged):  # 9
        return result(
            Status.ACHIEVED,
            "bound_run",
            f"At the bound for the last {BOUND_RUN} years ({latest_year - BOUND_RUN + 1}-"
            f"{latest_year}): the {year} target ({tt}) is counted as achieved.",
        )
    if n == 1:  # 10
        return result(
            insufficient,
            "one_point",
            f"Only one value ({latest_value:g}, {latest_year}): no trend to project to {year}.",
        )

    def project(values: pd.Series) -> pj.Projection:
        return pj.project(
            values,
            year,
            lower=lower,
            upper=upper,
            pooled_errors=pooled_errors,
            transform=transform,
        )

    proj = projection if projection is not None else project(s)
    if not proj.available:  # 11
        return result(
            insufficient, "no_projection", f"No projection to {year}: {proj.reason}", None, proj
        )
    p = float(proj.probability(judged.op, judged.value, judged.value_high))
    more: tuple[str, ...] = ()
    if n <= SHORT_SERIES and _moved_away(s, judged):
        held = project(pd.Series(latest_value, index=s.index))
        p_held = float(held.probability(judged.op, judged.value, judged.value_high))
        if p_held < p:
            p, more = p_held, ("short_capped",)
    p_away = _worse(proj, judged, latest_value) if year > latest_year else None
    where = (
        f"{seen}; {'interpolated' if proj.method == 'interpolated' else 'projected'} {year}"
        if unobserved
        else f"projected {year}"
    )
    head = (
        f"{where}: {_fmt(proj.value)} ({proj.level:.0%} range {_fmt(proj.low)}-"
        f"{_fmt(proj.high)}, {proj.method}); chance of meeting the target ({tt}) {p:.1%}"
    )
    head = head[0].upper() + head[1:]
    if more:
        head += f" (a {n}-value series that moved away: no better than its latest value held)"
    if year > report_year and judged.is_met(latest_value) and p >= thresholds.achieved:  # 12
        return result(
            Status.ACHIEVED,
            "met_likely",
            f"Met in {latest_year} ({latest_value:g}). {head}.",
            p,
            proj,
            p_away,
            more,
        )
    if p_away is not None and p_away >= thresholds.moving_away:  # 13
        return result(
            Status.MOVING_AWAY,
            "moving_away",
            f"{head}. {p_away:.0%} likely to be worse in {year} than {latest_value:g} "
            f"({latest_year}).",
            p,
            proj,
            p_away,
            more,
        )
    status = status_from_probability(p, thresholds)  # 14-16
    code = {Status.ON_TRACK: "likely", Status.AT_RISK: "uncertain", Status.OFF_TRACK: "unlikely"}[
        status
    ]
    return result(status, code, f"{head}.", p, proj, p_away, more)


def _nfc(text) -> str:
    return unicodedata.normalize("NFC", str(text)).strip()


def _series_from_frame(frame: pd.DataFrame, province: str, indicator: str) -> pd.Series:
    """One place's recorded values by year (total rows, :func:`bdg_analysis.dataset.total_sex`),
    for indicators the catalogue does not know (not put together from former provinces)."""
    rows = frame[
        (frame["indicator"] == indicator) & (frame["province"].map(_nfc) == _nfc(province))
    ]
    if "former" in rows.columns:
        rows = rows[rows["former"].fillna("").astype(str) == ""]
    rows = dataset.total_sex(rows)
    rows = rows[pd.to_numeric(rows["value"], errors="coerce").notna()]
    if rows["year"].duplicated().any():
        y = rows.loc[rows["year"].duplicated(), "year"].iloc[0]
        where = rows.loc[rows["year"] == y]
        src = where["source_file"].iloc[0] if "source_file" in where else "observations"
        row = int(where["source_row"].iloc[0]) if "source_row" in where else None
        raise BdgInputError(
            words.problem(
                str(src), row, f"{indicator} {y}", "progress.two_values", place=province, year=y
            )
        )
    return pd.Series(
        pd.to_numeric(rows["value"]).astype(float).to_numpy(),
        index=rows["year"].astype(int).to_numpy(),
    )


def _holds_demo(rows: pd.DataFrame) -> bool:
    return bool(len(rows)) and "status" in rows and bool((rows["status"] == "demo").any())


def assess_targets(
    targets: Iterable[Target],
    observations: pd.DataFrame | dataset.Context,
    province: str,
    *,
    report_year: int,
    pool: bool = True,
    base_year: int = BASE_YEAR,
) -> list[Assessment]:
    """Assess every target of a plan for one province, on today's (34-province) boundaries.

    ``observations``: tidy observations (:func:`bdg_analysis.dataset.load`, or any frame with
    ``province``, ``indicator``, ``year``, ``value``) or a :class:`bdg_analysis.dataset.Context`,
    whose series are used: a merged province's years before 2025 put together from its former
    provinces, years with only some of them left out. ``province``: any spelling. Bounds,
    direction and kind come from the catalogue; a province's own indicator is read as recorded
    and projected without bounds, its direction from the target's operator. With ``pool`` the
    projection borrows the backtest errors of the other provinces' series (national excluded;
    five series of two points or more), which matters for short series.
    """
    from bdg_analysis import catalogue, geo

    ctx = (
        observations if isinstance(observations, dataset.Context) else dataset.Context(observations)
    )
    place = geo.resolve(province).province.name
    out = []
    pooled_cache: dict[str, pj.PooledErrors | None] = {}
    for target in targets:
        known = catalogue.is_known(target.indicator)
        if known:
            ind = catalogue.get(target.indicator)
            lower, upper, direction, kind = ind.lower, ind.upper, ind.direction, ind.kind
            series = ctx.series(place, target.indicator)
        else:
            lower = upper = kind = None
            direction = "lower" if target.op in ("le", "lt") else "higher"
            series = _series_from_frame(ctx.observations, place, target.indicator)
        transform = "identity" if kind == "count" else "auto"
        if pool and target.indicator not in pooled_cache:
            labelled, demo = {}, set()
            for other in geo.current_provinces():
                if known:
                    one = ctx.series(other.name, target.indicator, report_year)
                    if _holds_demo(ctx.rows(other.name, target.indicator, report_year)):
                        demo.add(other.name)
                else:
                    try:
                        one = _series_from_frame(ctx.observations, other.name, target.indicator)
                    except BdgInputError:
                        continue
                    one = one[one.index <= report_year]
                if len(one) >= 2:
                    labelled[other.name] = one
            pooled_cache[target.indicator] = (
                pj.pooled_backtest_errors(labelled, lower, upper, transform=transform, demo=demo)
                if len(labelled) >= 5
                else None
            )
        pooled = pooled_cache.get(target.indicator) if pool else None
        if pooled is not None:  # never the series itself; no demonstration series for a real one
            own_demo = known and _holds_demo(ctx.rows(place, target.indicator, report_year))
            pooled = pooled.for_series(place, demo=own_demo)
        out.append(
            assess(
                target,
                series,
                report_year=report_year,
                lower=lower,
                upper=upper,
                direction=direction,
                pooled_errors=pooled,
                kind=kind,
                base_year=base_year,
                transform=transform,
            )
        )
    return out
