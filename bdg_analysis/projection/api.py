"""One series to one or several years: :func:`project`, :func:`project_path`, and the reason.

Both run the vectorised engine on a single row, so a report and a 100,000-series batch give the
same numbers. A year that is observed returns the observation; a year inside a gap is
interpolated between its neighbours, with the uncertainty of a projection over the distance to
the nearer one; a year before the first observation is an input error.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from bdg_analysis import words
from bdg_analysis.errors import BdgInputError
from bdg_analysis.projection.breaks import break_of_row
from bdg_analysis.projection.engine import DEFAULT_LEVEL, SHORT_SERIES, _check_pool, run
from bdg_analysis.projection.inputs import check_level, check_methods, clean_series
from bdg_analysis.projection.interpolation import interpolate_rows
from bdg_analysis.projection.members import FINAL, MEMBERS, METHOD_NAMES
from bdg_analysis.projection.pool import PooledErrors
from bdg_analysis.projection.result import Projection
from bdg_analysis.projection.transforms import Transform, make_transform, row_transform

__all__ = ["project", "project_path"]


def _title(method: str) -> str:
    name = METHOD_NAMES.get(method, method)
    return name[0].upper() + name[1:]


def _interval_sentence(level: float, dist, pooled: PooledErrors | None, n: int, h: int) -> str:
    pct = f"{level:.0%}"
    where = f"near {n} points and {h} year{'s' if h != 1 else ''} ahead"
    if pooled is not None:
        return (
            f"The {pct} interval and every chance are read from about {dist.ess:.0f} "
            f"out-of-sample errors of {pooled.describe('en')}, {where}."
        )
    note = " and are only indicative" if n <= SHORT_SERIES else ""
    return (
        f"The {pct} interval and every chance come from the default error distribution "
        f"(World Development Indicators series), {where}{note}."
    )


def _reason(method: str, n: int, phi: float, pooled: PooledErrors | None, brk) -> tuple[str, str]:
    """(reason_code, the sentence about the method) for a forward projection."""
    source = (
        f"chosen by the backtest of {pooled.describe('en')}"
        if pooled is not None
        else f"the default for {n} points, from World Development Indicators series"
    )
    if method == FINAL:
        judged = pooled is not None and pooled.n_pairs > 0
        recent = "recent" if judged else "recent (shrunk by its own noise)"
        what = (
            f"the mean of the whole-period, least-squares and {recent} slopes, damped by "
            f"φ = {phi:.2f} a year ({source})"
        )
        if phi <= 0:
            what += ": every slope damped to flat, the last value is carried forward"
    elif MEMBERS[method].damped and math.isfinite(phi):
        what = f"{METHOD_NAMES[method]}, φ = {phi:.2f} a year ({source}; method forced)"
    else:
        what = f"{METHOD_NAMES[method]} (method forced)"
    if n == 2:
        return "two_points", f"Only two points: {what}."
    shift = f" {brk.sentence()}" if brk is not None else ""
    if n <= SHORT_SERIES:
        return (
            "short_series",
            f"Only {n} points, a trend this short is hard to tell from noise: {what}.{shift}",
        )
    return "projected", f"{_title(method)}: {what}.{shift}"


def _none(to_year, n, last_year, level, code, reason, transform) -> Projection:
    return Projection(
        value=math.nan,
        low=math.nan,
        high=math.nan,
        level=level,
        method="none",
        reason=reason,
        reason_code=code,
        n_points=n,
        last_year=last_year,
        to_year=int(to_year),
        calibrated=False,
        calibration="none",
        transform=transform,
    )


def _grid(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    grid = np.arange(int(s.index[0]), int(s.index[-1]) + 1)
    Y = np.full((1, len(grid)), np.nan)
    Y[0, s.index.to_numpy().astype(int) - grid[0]] = s.to_numpy()
    return Y, grid


def project_path(
    series: pd.Series,
    years: Iterable[int],
    *,
    lower: float | None = None,
    upper: float | None = None,
    level: float = DEFAULT_LEVEL,
    pooled_errors: PooledErrors | None = None,
    transform: str = "auto",
    methods: Sequence[str] | None = None,
) -> list[Projection]:
    """Projections to several years with one method, damping and calibration.

    The years must lie after the last observation; a chart draws them as a band.
    """
    check_level(level)
    check_methods(methods)
    s = clean_series(series, lower, upper)
    _check_pool(pooled_errors, lower, upper, transform)
    years = np.asarray(sorted(int(y) for y in years))
    n = len(s)
    tr0 = make_transform(s.to_numpy(), lower, upper, transform, s.index.to_numpy())
    if n == 0:
        return [_none(y, 0, None, level, "no_data", "No data: no projection.", tr0) for y in years]
    last_year = int(s.index[-1])
    if n == 1:
        why = "One point only: a trend cannot be estimated, so there is no projection."
        return [_none(y, 1, last_year, level, "one_point", why, tr0) for y in years]
    if years.size and years[0] <= last_year:
        raise ValueError("project_path needs years after the last observation")
    Y, grid = _grid(s)
    E = run(
        Y, grid, years.astype(float), lower=lower, upper=upper, level=level,
        pooled=pooled_errors, transform=transform, methods=methods, keep_distributions=True,
    )  # fmt: skip
    tr = row_transform(E["code"][0], E["delta"][0], lower, upper)
    brk = break_of_row(E["B"], 0, grid)
    n_used = int(E["n"][0])
    if not E["ok"][0]:
        why = (
            f"None of the methods {', '.join(methods or (FINAL,))} can be fitted to {n} points"
            f"{'' if bool(E['S']['gap_free'][0]) else ' with gaps'}."
        )
        return [_none(y, n, last_year, level, "method_unavailable", why, tr) for y in years]
    method = str(E["method"][0])
    phi = float(E["phi"][0])
    code, what = _reason(method, n_used, phi, pooled_errors, brk)
    scores = pooled_errors.scores(n_used) if pooled_errors is not None else {}
    calibrated = pooled_errors is not None or n_used > SHORT_SERIES
    out = []
    for j, y in enumerate(years):
        dist = E["dists"][0, j]
        h = int(E["h"][0, j])
        out.append(
            Projection(
                value=float(E["value"][0, j]),
                low=float(E["low"][0, j]),
                high=float(E["high"][0, j]),
                level=level,
                method=method,
                reason=f"{what} {_interval_sentence(level, dist, pooled_errors, n_used, h)}",
                reason_code=code,
                n_points=n,
                last_year=last_year,
                to_year=int(y),
                calibrated=calibrated,
                calibration=str(E["calibration"][0]),
                transform=tr,
                center_z=float(E["center"][0, j]),
                sigma_z=float(E["sigma"][0, j]),
                horizon=h,
                scale=float(E["scale"][0]),
                k=float(E["k"][0, j]),
                scores=scores,
                candidates=tuple(methods or (FINAL,)),
                n_errors=int(dist.n_pairs),
                textbook_low=float(E["textbook_low"][0, j]),
                textbook_high=float(E["textbook_high"][0, j]),
                spread=float(E["spread"][0, j]),
                distribution=dist,
                phi=phi,
                pool=pooled_errors.describe("en") if pooled_errors is not None else "",
                level_shift=brk,
            )
        )
    return out


def project(
    series: pd.Series,
    to_year: int,
    *,
    lower: float | None = None,
    upper: float | None = None,
    level: float = DEFAULT_LEVEL,
    pooled_errors: PooledErrors | None = None,
    transform: str = "auto",
    methods: Sequence[str] | None = None,
) -> Projection:
    """Project ``series`` (floats indexed by year; gaps allowed) to ``to_year``.

    ``lower``/``upper`` are the indicator's natural bounds (0 and 100 for shares): nothing
    leaves them, and a series approaching one is projected on the logarithm of its distance to
    it. ``level`` is the interval's coverage. ``pooled_errors`` (from
    :func:`pooled_backtest_errors` over the provinces' series of the same indicator, passed as
    ``pool.for_series(province, demo=...)``) sets the damping and the error distribution; without
    it the defaults from World Development Indicators series are used. If ``to_year`` is an
    observed year the observation is returned; if it falls in a gap, the neighbours are
    interpolated. Raises BdgInputError for duplicate years, values outside the bounds, or a
    ``to_year`` before the first observation. ``methods`` forces a method (one of ``METHODS``;
    several: their mean); ``transform`` forces a scale (``identity``, ``log``, ``neglog``,
    ``logit``).

    Examples
    --------
    >>> project(pd.Series([104.2, 106.0, 107.5, 108.1], index=[2009, 2014, 2019, 2024]),
    ...         2030, lower=0)
    Projection(2030: 109.1 [107.1–111.2] 80%, damped trend φ=0.90, 4 points)
    """
    check_level(level)
    check_methods(methods)
    s = clean_series(series, lower, upper)
    _check_pool(pooled_errors, lower, upper, transform)
    to_year = int(to_year)
    n = len(s)
    tr = make_transform(s.to_numpy(), lower, upper, transform, s.index.to_numpy())
    if n == 0:
        return _none(to_year, 0, None, level, "no_data", "No data: no projection.", tr)
    last_year = int(s.index[-1])
    if to_year < int(s.index[0]):
        raise BdgInputError(
            words.problem(
                "series",
                None,
                "to_year",
                "projection.before_first",
                year=to_year,
                first=int(s.index[0]),
            )
        )
    if to_year in s.index:
        v = float(s.loc[to_year])
        return Projection(
            value=v,
            low=v,
            high=v,
            level=level,
            method="observed",
            reason=f"{to_year} is observed: the value is the data, not a projection.",
            reason_code="observed",
            n_points=n,
            last_year=last_year,
            to_year=to_year,
            calibrated=False,
            calibration="data",
            transform=tr,
            center_z=float(tr.forward(np.array([v]))[0]),
            sigma_z=0.0,
            spread=0.0,
            horizon=0,
        )
    if to_year < last_year:
        return _interpolate(s, to_year, lower, upper, level, pooled_errors, transform)
    if n == 1:
        why = "One point only: a trend cannot be estimated, so there is no projection."
        return _none(to_year, 1, last_year, level, "one_point", why, tr)
    return project_path(
        s,
        [to_year],
        lower=lower,
        upper=upper,
        level=level,
        pooled_errors=pooled_errors,
        transform=transform,
        methods=methods,
    )[0]


def _interpolate(s, to_year, lower, upper, level, pooled, kind) -> Projection:
    Y, grid = _grid(s)
    ip = interpolate_rows(Y, grid, to_year, lower, upper, level, pooled, kind)
    hmin, y0, y1 = int(ip["hmin"][0]), int(ip["y0"][0]), int(ip["y1"][0])
    tr: Transform = row_transform(ip["code"][0], ip["delta"][0], lower, upper)
    return Projection(
        value=float(ip["value"][0]),
        low=float(ip["low"][0]),
        high=float(ip["high"][0]),
        level=level,
        method="interpolated",
        reason=(
            f"{to_year} is not observed but lies between {y0} and {y1}: the value is "
            "interpolated, with the uncertainty of a projection over "
            f"{hmin} year{'s' if hmin > 1 else ''}."
        ),
        reason_code="interpolated",
        n_points=len(s),
        last_year=int(s.index[-1]),
        to_year=to_year,
        calibrated=pooled is not None,
        calibration="interpolation",
        transform=tr,
        center_z=float(ip["center_z"][0]),
        sigma_z=float(ip["sigma_z"][0]),
        horizon=hmin,
        spread=float(ip["spread"][0]),
        distribution=ip["dist"][0],
        pool=pooled.describe("en") if pooled is not None else "",
    )
