"""Where a province stands on every target: series, projection, status, rank (for reports).

:func:`target_statuses` is the one list of statuses that ``bdg status``, the report's status
table, its annex and counts, the national overview and the notebook API all read.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from bdg_analysis import (
    cache,
    catalogue,
    dataset,
    geo,
    paths,
    plans,
    progress,
    trends,
    warmup,
    words,
)
from bdg_analysis import projection as pj
from bdg_analysis.targets import Target

FLAGGED_STATUSES = ("demo", "provisional", "estimate")

RANK_MIN_SHARE = 0.5
"""A rank among provinces is given only when at least this share of the current provinces have
a value in the year ranked (the report year, or else the year most provinces have)."""


@dataclass
class IndicatorView:
    """One indicator of one province at the report year, with every number a report shows."""

    indicator: object  # catalogue.Indicator, or a plan's local indicator
    rows: pd.DataFrame  # the data rows behind ``series`` (file and row of each value)
    series: pd.Series  # values by year, up to the report year, on current boundaries
    national: pd.Series
    targets: list[Target]
    assessments: list[progress.Assessment]
    path: list[pj.Projection] = field(default_factory=list)  # yearly, for the chart's band
    trend: dict = field(default_factory=dict)
    rank: tuple[int | None, int] = (None, 0)  # (rank or None, provinces with a value)
    rank_year: int | None = None  # the one year every province is ranked on
    rank_total: int = 0  # provinces that could have had a value (the current provinces)
    aggregated: bool = False  # history put together from former provinces
    # years left out of ``series``: put together from only some former provinces (their rows
    # are in ``Context.incomplete``, ``parts_missing`` naming the parts without a value)
    incomplete_years: list[int] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.indicator.id

    @cached_property
    def decimals(self) -> int | None:
        """The precision the values are recorded at in their files (0-2 decimals), so every
        number of this indicator is shown alike; values put together from former provinces
        (weighted means) do not count. None when nothing was recorded directly."""
        if self.rows.empty:
            return None
        recorded = self.rows[~self.rows["aggregated"]] if "aggregated" in self.rows else self.rows
        return dataset.recorded_decimals(recorded["value"].tolist())

    @property
    def latest_row(self) -> pd.Series | None:
        return None if self.rows.empty else self.rows.iloc[-1]

    @property
    def headline(self) -> progress.Assessment | None:
        """The assessment a summary shows: the next target still ahead, else the last one."""
        if not self.assessments:
            return None
        report_year = self.assessments[0].report_year or 0
        ahead = [a for a in self.assessments if a.target.year > report_year]
        return ahead[0] if ahead else self.assessments[-1]

    def assessment_for(self, year: int) -> progress.Assessment | None:
        return next((a for a in self.assessments if a.target.year == year), None)


def display_status(assessment: progress.Assessment | None) -> str:
    """The status key a report shows for one assessment (``no_target`` without one): the
    assessment's own status, which already says ``not_achieved`` only of an observed year."""
    if assessment is None:
        return "no_target"
    return str(assessment.status)


class Context(dataset.Context):
    """The dataset's :class:`~bdg_analysis.dataset.Context` with pooled backtest errors.

    The observations on current boundaries (``current``, ``rows``, ``series``, ``year_rows``,
    the digests) are the dataset's; the pooled errors are analysis (projection), which the
    dataset floor may not import, so they are added here.
    """

    def pooled(self, indicator_id: str, up_to: int) -> pj.PooledErrors | None:
        """Backtest errors of every province's series of one indicator (national row left out),
        kept in the cache directory between runs."""
        return self.memo(
            "pooled",
            (indicator_id, up_to),
            lambda: _pooled(self, indicator_id, up_to),
            encode=_pooled_to_json,
            decode=_pooled_from_json,
        )


def _pooled_to_json(pooled: pj.PooledErrors | None) -> dict | None:
    return None if pooled is None else pooled.to_json()


def _pooled_from_json(value: dict | None) -> pj.PooledErrors | None:
    return pj.PooledErrors.from_json(value) if isinstance(value, dict) else None


def _pooled(ctx: Context, indicator_id: str, up_to: int) -> pj.PooledErrors | None:
    """Every province's series of one indicator (three points or more; the national row left
    out), each labelled with its province and whether it holds demonstration values, so a
    projection can leave out its own series and, when it is real, the demonstration ones."""
    ind = catalogue.get(indicator_id)
    series, demo = {}, set()
    for place in geo.current_provinces():
        rows = ctx.rows(place.name, indicator_id, up_to)
        if len(rows) >= 3:
            series[place.name] = ctx.series(place.name, indicator_id, up_to)
            if (rows["status"] == "demo").any():
                demo.add(place.name)
    if ind.kind in ("binary",) or not series:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pj.pooled_backtest_errors(
            series,
            ind.lower,
            ind.upper,
            transform="identity" if ind.kind == "count" else "auto",
            demo=demo,
        )


def _indicator(plan: plans.Plan, indicator_id: str):
    return (
        plan.indicator(indicator_id) if hasattr(plan, "indicator") else catalogue.get(indicator_id)
    )


def indicator_view(
    ctx: Context, province: str, plan: plans.Plan, indicator_id: str, report_year: int
) -> IndicatorView:
    """Series, targets, assessments, projection band, trend and rank of one indicator."""
    ind = _indicator(plan, indicator_id)
    known = catalogue.is_known(indicator_id)
    rows = ctx.rows(province, indicator_id, report_year) if known else pd.DataFrame()
    series = ctx.series(province, indicator_id, report_year) if known else pd.Series(dtype=float)
    national = (
        ctx.series(geo.NATIONAL_NAME, indicator_id, report_year)
        if known
        else pd.Series(dtype=float)
    )
    targets = sorted(plan.targets_for(indicator_id), key=lambda t: t.year)
    pool = ctx.pooled(indicator_id, report_year) if known and len(series) else None
    own_demo = bool(len(rows)) and bool((rows["status"] == "demo").any())
    # never the series itself, and no demonstration series when this one is real
    pooled = pool.for_series(province, demo=own_demo) if pool is not None else None
    transform = "identity" if ind.kind == "count" else "auto"
    assessments = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # one method choice and calibration per series: the chart's band and every future
        # target's probability come from the same projection path
        path: list[pj.Projection] = []
        horizon = max([t.year for t in targets] + [report_year])
        if len(series) >= 2 and ind.kind != "binary" and horizon > int(series.index[-1]):
            years = range(int(series.index[-1]) + 1, horizon + 1)
            path = pj.project_path(
                series,
                years,
                lower=ind.lower,
                upper=ind.upper,
                pooled_errors=pooled,
                transform=transform,
            )
        by_year = {p.to_year: p for p in path}
        last = int(series.index[-1]) if len(series) else None
        for target in targets:
            ahead = last is not None and target.year > last  # the path starts after the latest
            assessments.append(
                progress.assess(
                    target,
                    series,
                    report_year=report_year,
                    lower=ind.lower,
                    upper=ind.upper,
                    direction=ind.direction,
                    pooled_errors=pooled,
                    kind=ind.kind,
                    transform=transform,
                    projection=by_year.get(target.year) if ahead else None,
                )
            )
    view = IndicatorView(
        indicator=ind,
        rows=rows,
        series=series,
        national=national,
        targets=targets,
        assessments=assessments,
        path=path,
        trend=trends.summary(series),
        aggregated=bool(len(rows) and rows["aggregated"].any()),
        incomplete_years=(
            ctx.incomplete(province, indicator_id, report_year)["year"].astype(int).tolist()
            if known
            else []
        ),
    )
    if known and ind.kind not in ("count", "binary"):  # a sum or a yes/no is not ranked
        view.rank_year, n = rank_year(ctx, indicator_id, report_year)
        view.rank_total = len(geo.current_provinces())
        view.rank = (None, n)
        if view.rank_year is not None and n >= RANK_MIN_SHARE * view.rank_total:
            rows = ctx.year_rows(indicator_id, view.rank_year)
            if (rows["province"] == province).any():
                view.rank = trends.rank(rows, indicator_id, view.rank_year, province, ind.direction)
    return view


def rank_year(ctx: dataset.Context, indicator_id: str, report_year: int) -> tuple[int | None, int]:
    """The one year provinces are ranked on, and how many provinces have a value in it.

    The report year when at least :data:`RANK_MIN_SHARE` of the current provinces have a value
    then; otherwise the year up to the report year that most provinces have (the later of
    equals), so a rank never compares one province's 2019 value with another's 2025 value.
    """
    memo = ctx.__dict__.setdefault("_rank_years", {})
    key = (indicator_id, int(report_year))
    if key not in memo:
        cur = ctx.current
        years = cur.loc[(cur["indicator"] == indicator_id) & (cur["year"] <= report_year), "year"]
        counts = {}
        for year in sorted({int(y) for y in years}):
            rows = ctx.year_rows(indicator_id, year)
            places = rows.loc[rows["province"] != geo.NATIONAL_NAME, "province"]
            counts[year] = int(places.nunique())
        total = len(geo.current_provinces())
        if not counts:
            memo[key] = (None, 0)
        elif counts.get(report_year, 0) >= RANK_MIN_SHARE * total:
            memo[key] = (int(report_year), counts[report_year])
        else:
            best = max(counts, key=lambda y: (counts[y], y))
            memo[key] = (best, counts[best])
    return memo[key]


def province_scorecard(
    ctx: Context, province: str, plan: plans.Plan, report_year: int
) -> list[IndicatorView]:
    """Every indicator of the plan (catalogue order, then the plan's own) for one province."""
    ids = plan.indicator_ids() if hasattr(plan, "indicator_ids") else catalogue.ids()
    return [indicator_view(ctx, province, plan, i, report_year) for i in ids]


def cached_scorecard(
    ctx: Context, province: str, plan: plans.Plan, report_year: int
) -> list[IndicatorView]:
    """:func:`province_scorecard`, its statuses kept on disk for the national overview.

    The views themselves (series, projections, rows) are not kept: a report needs all of them
    once, and nothing that could run code is stored. What the overview needs from each
    province, the list of :func:`target_statuses`, is written as JSON in ``ctx.cache_dir``, so
    in ``bdg run-all`` the overview (run last) reads the provinces' results instead of
    assessing them again. ``plan`` must be the province's (``plans.load_plan(province)``).
    """
    views = province_scorecard(ctx, province, plan, report_year)
    target_statuses(ctx, province, report_year, plan=plan, views=views)
    return views


STATUS_KEYS = (
    "id",
    "target_year",
    "op",
    "target",
    "target_high",
    "status",
    "p_met",
    "latest_value",
    "latest_year",
    "projection",
    "low",
    "high",
    "method",
)
"""The keys of one status in ``bdg status --format json`` (DESIGN.md contract), in order."""


@dataclass(frozen=True)
class TargetStatus:
    """One target of one plan, for one place, at the report year: what every page shows.

    The first thirteen fields are the JSON contract (:data:`STATUS_KEYS`, :meth:`as_dict`):
    the target as the plan writes it, ``status`` (a :class:`bdg_analysis.progress.Status`
    value), ``p_met`` the chance the target is met in its year (None when the status rests on
    an observed value, a run at the bound or insufficient data), the latest value and year, the
    projection to the target year with its 80% range and ``method`` (``observed`` when the
    target year's value is seen; the projection's method, e.g. ``naive``, ``linear``,
    ``interpolated``; None without either). The rest say why: ``rule`` (the row of the table
    of cases that decided), ``flags`` (``not_observed``, ``short_capped``), the judged target
    (band read by direction, tolerance at a bound), ``p_worse`` (P of a worse value than now),
    the number of values and the first year, and ``reason`` (English).
    """

    id: str
    target_year: int
    op: str
    target: float
    target_high: float | None
    status: str
    p_met: float | None
    latest_value: float | None
    latest_year: int | None
    projection: float | None
    low: float | None
    high: float | None
    method: str | None
    rule: str = ""
    flags: tuple[str, ...] = ()
    two_sided: bool = False
    judged_op: str = ""
    judged_value: float | None = None
    judged_high: float | None = None
    p_worse: float | None = None
    n_points: int = 0
    first_year: int | None = None
    report_year: int | None = None
    observed_value: float | None = None
    reason: str = ""

    def as_dict(self) -> dict:
        """The contract's thirteen keys, in order (JSON and CSV of ``bdg status``)."""
        return {key: getattr(self, key) for key in STATUS_KEYS}

    def to_json(self) -> dict:
        out = asdict(self)
        out["flags"] = list(self.flags)
        return out

    @classmethod
    def from_json(cls, value: dict) -> TargetStatus:
        return cls(**{**value, "flags": tuple(value.get("flags") or ())})

    @property
    def target_key(self) -> tuple:
        """The target as written (indicator, year, operator, values, two-sided)."""
        return (self.id, self.target_year, self.op, self.target, self.target_high, self.two_sided)


def _number(x) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


def status_of(assessment: progress.Assessment) -> TargetStatus:
    """One assessment as a :class:`TargetStatus` (plain numbers, no objects)."""
    a, t = assessment, assessment.target
    judged = a.judged or t
    proj = a.projection
    if a.observed:
        method = "observed"
    elif proj is not None and proj.available and a.probability is not None:
        method = proj.method
    else:
        method = None
    shown = method not in (None, "observed")
    return TargetStatus(
        id=t.indicator,
        target_year=int(t.year),
        op=t.op,
        target=float(t.value),
        target_high=_number(t.value_high),
        status=str(a.status),
        p_met=_number(a.probability),
        latest_value=_number(a.latest_value),
        latest_year=a.latest_year,
        projection=_number(proj.value) if shown else None,
        low=_number(proj.low) if shown else None,
        high=_number(proj.high) if shown else None,
        method=method,
        rule=a.reason_code,
        flags=tuple(a.flags),
        two_sided=bool(t.two_sided),
        judged_op=judged.op,
        judged_value=float(judged.value),
        judged_high=_number(judged.value_high),
        p_worse=_number(a.p_moving_away),
        n_points=int(a.n_points),
        first_year=a.first_year,
        report_year=a.report_year,
        observed_value=_number(a.observed_value) if a.observed_value is not None else None,
        reason=a.reason,
    )


def _plan_key(plan: plans.Plan) -> str:
    """What a plan's statuses depend on: its name, every target (operator, values, band) and
    the indicators it tracks (a plan's own indicator brings its direction, bounds and kind)."""
    targets = sorted(
        (t.indicator, t.year, t.op, t.value, t.value_high, t.two_sided) for t in plan.targets
    )
    ids = plan.indicator_ids() if hasattr(plan, "indicator_ids") else catalogue.ids()
    indicators = [
        (
            i,
            *(
                getattr(_indicator(plan, i), a, None)
                for a in ("direction", "lower", "upper", "kind")
            ),
        )
        for i in ids
    ]
    record = json.dumps([plan.jurisdiction, targets, indicators], ensure_ascii=False, default=str)
    return hashlib.sha256(record.encode("utf-8")).hexdigest()[:16]


def target_statuses(
    ctx: Context,
    province: str,
    report_year: int | None = None,
    *,
    plan: plans.Plan | None = None,
    views: list[IndicatorView] | None = None,
) -> list[TargetStatus]:
    """Every target of a place's plan at the report year: one status per target and year.

    The one function behind ``bdg status``, the report's status table, annex and counts, the
    national overview's grid and ranking, and the notebook's ``status``: they cannot disagree.

    Parameters
    ----------
    ctx
        The observations (:func:`load_context`).
    province
        A current province's name as the register writes it (``geo.resolve(...).province.name``),
        or ``Toàn quốc``.
    report_year
        Default: the latest year with data for the place (:class:`BdgInputError` when it has
        none).
    plan
        Default: the place's plan (``plans.load_plan(province)``); the overview passes the
        national plan to rank provinces on the same targets.
    views
        The place's scorecard when already computed (a report has it); else it is read from
        the cache or computed.

    Returns
    -------
    list of TargetStatus
        In the plan's indicator order, then by target year; kept as JSON in ``ctx.cache_dir``.
    """
    if report_year is None:
        own = ctx.current[ctx.current["province"] == province]
        if own.empty:
            from bdg_analysis.errors import BdgInputError

            raise BdgInputError(
                words.problem("<data>", None, "province", "report.no_rows", place=province)
            )
        report_year = int(own["year"].max())
    plan = plan if plan is not None else plans.load_plan(province)
    key = (hashlib.sha256(f"{province}|{_plan_key(plan)}".encode()).hexdigest()[:16], report_year)

    def compute() -> list[TargetStatus]:
        cards = views if views is not None else province_scorecard(ctx, province, plan, report_year)
        return [status_of(a) for view in cards for a in view.assessments]

    return ctx.memo(
        "statuses",
        key,
        compute,
        encode=lambda found: [s.to_json() for s in found],
        decode=lambda value: [TargetStatus.from_json(v) for v in value],
    )


def headline_statuses(statuses: list[TargetStatus]) -> dict[str, TargetStatus]:
    """Each indicator's headline status: the next target after the report year, else its last
    (the one a one-line summary, the overview grid and a goal's badge show)."""
    out: dict[str, TargetStatus] = {}
    for s in statuses:
        current = out.get(s.id)
        ahead = (s.report_year or 0) < s.target_year
        if current is None:
            out[s.id] = s
            continue
        current_ahead = (current.report_year or 0) < current.target_year
        if (ahead and (not current_ahead or s.target_year < current.target_year)) or (
            not ahead and not current_ahead and s.target_year > current.target_year
        ):
            out[s.id] = s
    return out


def status_counts(views: list[IndicatorView]) -> dict[str, int]:
    """How many targets (every target and year of the plan) are in each status, as
    :func:`target_statuses` gives them (the report's chips, the index counts)."""
    counts: dict[str, int] = {}
    for entry in (status_of(a) for view in views for a in view.assessments):
        counts[entry.status] = counts.get(entry.status, 0) + 1
    return counts


def probability(assessment: progress.Assessment | None) -> float:
    if assessment is None or assessment.probability is None:
        return math.nan
    return float(assessment.probability)


_WARM: dict[tuple, Context] = {}
"""Contexts prepared by :func:`bdg_warm_up`, keyed by the data files and their sizes and times."""


def _data_key(data: str | Path | list[str] | None) -> tuple | None:
    """The files behind ``data`` with size and modification time (None if one is missing)."""
    files = (
        [paths.default_data_file()]
        if data is None
        else ([data] if isinstance(data, (str, Path)) else list(data))
    )
    key = []
    for file in files:
        try:
            path = Path(file).resolve()
            stat = path.stat()
        except OSError:
            return None
        key.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(key)


def load_context(data: str | list[str] | None) -> Context:
    """Observations of ``data`` (default: the embedded dataset) with the pooled-error cache.

    Several files are laid over each other in order, the later winning
    (:func:`bdg_analysis.dataset.load_inputs`; :func:`bdg_analysis.dataset.layer_files` puts
    the embedded dataset underneath). In a run-all worker the context was built once by
    :func:`bdg_warm_up` before the kernels were forked; it is reused only while the files are
    unchanged.
    """
    warm = _WARM.get(_data_key(data)) if _WARM else None
    if warm is not None:
        return warm
    return Context(dataset.load_inputs(data), cache_dir=cache.default_dir())


@warmup.register
def bdg_warm_up(parameters: dict) -> None:
    """Build once, before ``bdg run-all`` forks its kernels, what every report of the run shares.

    Loading and checking the data, putting former provinces together and the pooled backtest
    errors are the same for every province; forked kernels inherit them instead of redoing
    them (about 2-5 s per report). The values are exactly those the kernel would compute.
    """
    data = dataset.layer_files(parameters.get("data"), embedded=bool(parameters.get("embedded")))
    key = _data_key(data)
    if key is None:
        return  # a missing file: the report itself says so
    ctx = Context(dataset.load_inputs(data), cache_dir=cache.default_dir()).prepare()
    current = ctx.current
    if parameters.get("year") is not None:
        years = {int(parameters["year"])}
    else:  # each province's latest year (what report.prepare uses by default)
        years = set(current.groupby("province")["year"].max().astype(int).tolist())
    for year in sorted(years):
        for indicator_id in catalogue.ids():
            ctx.pooled(indicator_id, year)
            rank_year(ctx, indicator_id, year)  # the year every province is ranked on
    _WARM[key] = ctx
