"""Where a province stands on every target: series, projection, status, rank (for reports)."""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from dataclasses import dataclass, field
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
    text,
    trends,
    warmup,
)
from bdg_analysis import projection as pj
from bdg_analysis.targets import Target

FLAGGED_STATUSES = ("demo", "provisional", "estimate")


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
    rank: tuple[int | None, int] = (None, 0)
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
        return text.recorded_decimals(recorded["value"].tolist())

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
    """The status word key for a report: a past target missed reads 'not achieved'."""
    if assessment is None:
        return "no_target"
    status = str(assessment.status)
    past = assessment.report_year is not None and assessment.target.year <= assessment.report_year
    if past and status not in ("achieved", "insufficient_data"):
        return "not_achieved"
    return status


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
        for target in targets:
            ahead = target.year > report_year
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
    if known and len(series):
        year = int(series.index[-1])
        view.rank = trends.rank(
            ctx.year_rows(indicator_id, year), indicator_id, year, province, ind.direction
        )
    return view


def province_scorecard(
    ctx: Context, province: str, plan: plans.Plan, report_year: int
) -> list[IndicatorView]:
    """Every indicator of the plan (catalogue order, then the plan's own) for one province."""
    ids = plan.indicator_ids() if hasattr(plan, "indicator_ids") else catalogue.ids()
    return [indicator_view(ctx, province, plan, i, report_year) for i in ids]


def cached_scorecard(
    ctx: Context, province: str, plan: plans.Plan, report_year: int
) -> list[IndicatorView]:
    """:func:`province_scorecard`, kept on disk so the same analysis is done once.

    The province report, its other language and the national overview all need the same
    scorecard; in ``bdg run-all`` the overview runs last and reads the provinces' results.
    The key holds every column of the data, the code, the plans in the params folder (``plan`` must
    come from there, as ``plans.load_plan(name)`` gives it), the province and the year.
    """
    if ctx.cache_dir is None:
        return province_scorecard(ctx, province, plan, report_year)
    key = hashlib.sha256(
        json.dumps(
            [ctx.rows_digest, cache.params_digest(), plan.jurisdiction, province, int(report_year)],
            ensure_ascii=False,
        ).encode("utf-8")
    ).hexdigest()[:24]
    path = ctx.cache_dir / f"scorecard-{key}.pkl"
    views = cache.read(path)
    if not isinstance(views, list):
        views = province_scorecard(ctx, province, plan, report_year)
        cache.write(path, views)
    return views


def status_counts(views: list[IndicatorView]) -> dict[str, int]:
    """How many indicators are in each headline status."""
    counts: dict[str, int] = {}
    for view in views:
        key = display_status(view.headline)
        counts[key] = counts.get(key, 0) + 1
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
    _WARM[key] = ctx
