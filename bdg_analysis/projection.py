"""Project a yearly series to a target year with an honest interval; the method chosen by backtest.

The question a report answers is "will we make it by 2030?", usually from eight to fifteen yearly
values, sometimes two, often with gaps. This module answers it in four steps, each stated in the
result so a reader can check it:

1. **Scale.** Values are moved to a scale on which straight lines are sensible and bounds cannot
   be crossed: ``logit`` for shares between two bounds (0-100 %), ``log`` for positive rates and
   ratios, identity otherwise. Every projection and interval is mapped back, so none leaves the
   bounds.
2. **Methods.** Four simple methods that are hard to beat on short yearly series (Hyndman and
   Athanasopoulos, *Forecasting: principles and practice*, 3rd ed., sections 5.2, 7.7, 8.2 and
   13.7; Gardner and McKenzie 2011 on the damped trend): ``naive`` (last value), ``drift``
   (random walk with drift), ``linear`` (ordinary least squares trend) and ``damped``
   (exponential smoothing with a damped additive trend, ETS(A,Ad,N)).
3. **Choice.** A rolling-origin backtest on the series' own history: the series is cut at each of
   its latest origins, every method projects the values after the cut, and the method with the
   smallest mean absolute scaled error wins (pooled errors of the same indicator in other
   provinces act as a prior when given). Short series fall back on a stated default.
4. **Interval.** Textbook intervals assume the model is right and are far too narrow eight years
   ahead. The interval here is calibrated on out-of-sample errors: the backtest errors of the
   chosen method, scaled by the series' typical yearly movement and by the horizon, blended with
   errors pooled across provinces (or, failing that, a default calibrated on real World
   Development Indicators series and widened for short series). ``benchmarks/bench_projection.py``
   shows the 80 % intervals cover about 80 % of held-back values.

Two paths compute the same numbers: :func:`project` (one series; final fits by statsmodels, the
reference implementation) and :func:`project_many` (many series at once; all fits vectorised in
numpy, checked against statsmodels to 1e-9 in the tests and the benchmark).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from bdg_analysis import warmup
from bdg_analysis.errors import BdgInputError, Problem

__all__ = [
    "METHODS",
    "band",
    "PooledErrors",
    "Projection",
    "Transform",
    "make_transform",
    "pooled_backtest_errors",
    "project",
    "project_many",
    "project_path",
]

# --------------------------------------------------------------------------------------------
# Settings. Each is a judgement stated in docs/methods/projection-and-status.md.
# --------------------------------------------------------------------------------------------

METHODS: tuple[str, ...] = ("naive", "drift", "linear", "damped")
"""Candidate methods, simplest first (ties go to the simpler method)."""

METHOD_NAMES = {
    "naive": "no change from the last value",
    "drift": "random walk with drift",
    "linear": "linear trend (least squares)",
    "damped": "damped-trend exponential smoothing",
    "none": "no projection",
    "observed": "observed value",
    "interpolated": "interpolation between observed years",
}

MIN_FIT_POINTS = {"naive": 2, "drift": 2, "linear": 3, "damped": 8}
"""Points a method needs to be fitted (naive needs two so the yearly movement is known)."""

DAMPED_MIN_POINTS = 10
"""Damped trend is a candidate only with this many consecutive years (8 to fit, 2 origins)."""

SELECTION_ORIGINS = 3
"""The method is chosen on the latest three backtest origins: recent behaviour predicts best."""

SELECTION_PRIOR_WEIGHT = 3.0
"""Weight (in backtest pairs) of the pooled mean error when choosing the method."""

H0 = 0.5
"""Interval half-width grows as (h + H0) years of typical movement (fitted on WDI errors)."""

CALIBRATION_PRIOR_WEIGHT = 10.0
"""Weight (in backtest pairs) of the pooled or default calibration against the series' own."""

CALIBRATED_MIN_PAIRS = 10
"""Own out-of-sample errors needed to call an interval calibrated without pooled errors."""

SHORT_SERIES = 4
"""Series with this many points or fewer are short: the interval is widened unless pooled."""

SHORT_WIDEN = 1.5
"""Widening of the default calibration for short series without pooled errors."""

POOLED_SCALE_FRACTION = 0.2
"""With pooled errors, a series' yearly movement is taken as at least this share of the median."""

DEFAULT_K = {"naive": 1.20, "drift": 1.10, "linear": 1.16, "damped": 0.94}
"""Default 80 % calibration: quantile of |error| / (scale * (h + H0)) by method.

Derived by ``benchmarks/bench_projection.py --derive-defaults`` from backtests on World
Development Indicators series cut at origins 1999-2005 (ten-year histories), i.e. on years
that the accuracy benchmark (origins 2008-2014) does not score.
"""

DEFAULT_LEVEL = 0.8

_LOGIT_MARGIN = 0.005
"""Shares are mapped with a margin of 0.5 % of the range beyond each bound, so 0 % and 100 %
have finite logits; results are clipped back to the bounds."""

_SCALE_FLOOR = {"logit": 0.01, "log": 0.002, "neglog": 0.002, "identity": 1e-3}
"""Smallest yearly movement assumed (transformed units; identity: relative to the level)."""

_DAMPED_ALPHAS = (1e-4, 0.03, 0.1, 0.2, 0.35, 0.5, 0.7, 0.85, 0.9999)
_DAMPED_BETA_STARS = (1e-4, 0.05, 0.15, 0.35, 0.6, 0.9999)
_DAMPED_PHIS = (0.8, 0.83, 0.86, 0.89, 0.92, 0.95, 0.98)
"""Grid for (alpha, beta/alpha, phi) inside statsmodels' ETSModel default bounds."""


# --------------------------------------------------------------------------------------------
# Transforms
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transform:
    """The scale a series is projected on, and back.

    ``kind`` is ``logit`` (both bounds), ``log`` (lower bound only), ``neglog`` (upper bound
    only) or ``identity``. ``delta`` shifts the logarithm when a value sits on the bound.
    """

    kind: str
    lower: float | None = None
    upper: float | None = None
    delta: float = 0.0

    def forward(self, y):
        return _forward(self.kind, np.asarray(y, dtype=float), self.lower, self.upper, self.delta)

    def inverse(self, z):
        return _inverse(self.kind, np.asarray(z, dtype=float), self.lower, self.upper, self.delta)


def _logit_margin(lower: float, upper: float) -> float:
    return _LOGIT_MARGIN * (upper - lower)


def _forward(kind, y, lower, upper, delta):
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "logit":
            m = _logit_margin(lower, upper)
            p = (y - lower + m) / (upper - lower + 2 * m)
            return np.log(p) - np.log1p(-p)
        if kind == "log":
            return np.log(y - lower + delta)
        if kind == "neglog":
            return np.log(upper - y + delta)
    return y.astype(float, copy=True)


def _inverse(kind, z, lower, upper, delta):
    with np.errstate(over="ignore", invalid="ignore"):
        if kind == "logit":
            m = _logit_margin(lower, upper)
            y = lower - m + (upper - lower + 2 * m) / (1.0 + np.exp(-z))
            return np.clip(y, lower, upper)
        if kind == "log":
            return np.maximum(lower - delta + np.exp(z), lower)
        if kind == "neglog":
            return np.minimum(upper + delta - np.exp(z), upper)
    y = z.astype(float, copy=True)
    if lower is not None:
        y = np.maximum(y, lower)
    if upper is not None:
        y = np.minimum(y, upper)
    return y


def _log_delta(distances: np.ndarray) -> float:
    """Shift for a logarithm when some values sit on the bound: half the smallest positive gap."""
    d = distances[np.isfinite(distances)]
    if d.size == 0 or np.all(d > 0):
        return 0.0
    pos = d[d > 0]
    return float(0.5 * pos.min()) if pos.size else 1.0


def make_transform(
    values, lower: float | None = None, upper: float | None = None, kind: str = "auto"
) -> Transform:
    """The transform for a series with these bounds (``kind="auto"`` picks from the bounds)."""
    y = np.asarray(values, dtype=float)
    if kind == "auto":
        if lower is not None and upper is not None:
            kind = "logit"
        elif lower is not None:
            kind = "log"
        elif upper is not None:
            kind = "neglog"
        else:
            kind = "identity"
    if kind not in ("logit", "log", "neglog", "identity"):
        raise ValueError(f"transform {kind!r} is not one of auto, logit, log, neglog, identity")
    if kind == "logit":
        if lower is None or upper is None or not upper > lower:
            raise ValueError("the logit transform needs lower < upper")
        return Transform("logit", float(lower), float(upper))
    if kind == "log":
        lo = 0.0 if lower is None else float(lower)
        return Transform("log", lo, None if upper is None else float(upper), _log_delta(y - lo))
    if kind == "neglog":
        if upper is None:
            raise ValueError("the neglog transform needs an upper bound")
        up = float(upper)
        return Transform("neglog", None if lower is None else float(lower), up, _log_delta(up - y))
    return Transform(
        "identity", None if lower is None else float(lower), None if upper is None else float(upper)
    )


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    """A projection to ``to_year`` with its interval, method and the reason for both.

    ``value``, ``low`` and ``high`` are NaN when there is no projection (``method == "none"``).
    ``center_z`` and ``sigma_z`` describe the projected value on the transformed scale as a
    normal distribution consistent with the calibrated interval; the probability helpers use it.
    ``reason_code`` is one of ``no_data``, ``one_point``, ``two_points``, ``short_series``,
    ``backtest``, ``observed``, ``interpolated``, ``method_unavailable`` (and ``before_data`` in
    :func:`project_many`); ``calibration`` says what the interval rests on (``own+pooled``,
    ``pooled``, ``own+default``, ``default``, ``default_widened``; ``data`` for an observed
    year, ``interpolation`` for a gap, ``none`` without a projection).
    """

    value: float
    low: float
    high: float
    level: float
    method: str
    reason: str
    reason_code: str
    n_points: int
    last_year: int | None
    to_year: int
    calibrated: bool
    calibration: str = "default"
    transform: Transform = field(default_factory=lambda: Transform("identity"))
    center_z: float = math.nan
    sigma_z: float = math.nan
    horizon: int = 0
    scale: float = math.nan
    k: float = math.nan
    scores: dict = field(default_factory=dict)
    candidates: tuple[str, ...] = ()
    n_errors: int = 0
    textbook_low: float = math.nan
    textbook_high: float = math.nan

    @property
    def available(self) -> bool:
        """True when there is a value (a projection, an observation or an interpolation)."""
        return self.method != "none" and math.isfinite(self.value)

    def _cdf(self, x: float) -> float:
        """P(projected value <= x)."""
        if not self.available:
            return math.nan
        t = self.transform
        if t.lower is not None and x < t.lower:
            return 0.0
        if t.upper is not None and x >= t.upper:
            return 1.0
        zx = float(t.forward(np.array([x]))[0])
        if math.isnan(zx):
            return 0.0
        if not self.sigma_z > 0:
            return 1.0 if self.center_z <= zx else 0.0
        return float(stats.norm.cdf((zx - self.center_z) / self.sigma_z))

    def probability_at_least(self, x: float) -> float:
        """P(value in ``to_year`` >= x) under the calibrated distribution."""
        if not self.available:
            return math.nan
        t = self.transform
        if t.upper is not None and x > t.upper:
            return 0.0
        if t.lower is not None and x <= t.lower:
            return 1.0
        if t.upper is not None and x == t.upper:
            # the clipped distribution puts the mass beyond the bound on the bound itself
            zx = float(t.forward(np.array([x]))[0])
            if not self.sigma_z > 0:
                return 1.0 if self.center_z >= zx else 0.0
            return float(stats.norm.sf((zx - self.center_z) / self.sigma_z))
        return 1.0 - self._cdf_strict(x)

    def _cdf_strict(self, x: float) -> float:
        t = self.transform
        zx = float(t.forward(np.array([x]))[0])
        if not self.sigma_z > 0:
            return 1.0 if self.center_z < zx else 0.0
        return float(stats.norm.cdf((zx - self.center_z) / self.sigma_z))

    def probability_at_most(self, x: float) -> float:
        """P(value in ``to_year`` <= x)."""
        return self._cdf(x)

    def probability_between(self, a: float, b: float) -> float:
        """P(a <= value in ``to_year`` <= b)."""
        if not self.available:
            return math.nan
        return max(0.0, self._cdf(b) - (1.0 - self.probability_at_least(a)))

    def probability(self, op: str, value: float, value_high: float | None = None) -> float:
        """P(the target ``op value`` is met in ``to_year``); ``gt``/``lt`` equal ``ge``/``le``."""
        if op in ("ge", "gt"):
            return self.probability_at_least(value)
        if op in ("le", "lt"):
            return self.probability_at_most(value)
        if op == "between":
            if value_high is None:
                raise ValueError("'between' needs value_high")
            return self.probability_between(value, value_high)
        raise ValueError(f"unknown operator {op!r}")

    def quantile(self, q: float) -> float:
        """The q-quantile of the projected value (on the original scale)."""
        if not self.available:
            return math.nan
        z = self.center_z + (self.sigma_z if self.sigma_z > 0 else 0.0) * stats.norm.ppf(q)
        return float(self.transform.inverse(np.array([z]))[0])


@dataclass(frozen=True, eq=False)
class PooledErrors:
    """Out-of-sample errors of every method pooled over series of one indicator.

    ``ratios[m]`` holds |error| / (scale * (h + H0)) for every backtest pair of method ``m``;
    ``selection[m]`` the mean absolute scaled error on the latest origins (the choice prior);
    ``scale_median`` the median yearly movement on the transformed scale.
    """

    ratios: dict
    selection: dict
    scale_median: float
    n_series: int
    transform_kind: str
    lower: float | None
    upper: float | None

    def k(self, method: str, level: float) -> float | None:
        """The pooled calibration factor of ``method`` at ``level`` (None when too few errors)."""
        r = self.ratios.get(method)
        if r is None or len(r) < 20:
            return None
        return float(np.quantile(r, level))

    def n_errors(self, method: str) -> int:
        r = self.ratios.get(method)
        return 0 if r is None else int(len(r))


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------


def _clean_series(series: pd.Series, lower, upper, name: str = "series") -> pd.Series:
    """Drop missing values, check years and bounds; BdgInputError naming the year otherwise."""
    if not isinstance(series, pd.Series):
        try:
            series = pd.Series(series)
        except Exception:  # noqa: BLE001 - anything that is not series-like
            raise BdgInputError(
                Problem(name, None, "series", "expected a pandas Series of values indexed by year")
            ) from None
    s = pd.to_numeric(series, errors="coerce").astype("float64")
    bad_values = series[s.isna() & series.notna()]
    if len(bad_values):
        year = bad_values.index[0]
        raise BdgInputError(
            Problem(name, None, f"year {year}", f"value {bad_values.iloc[0]!r} is not a number")
        )
    s = s[np.isfinite(s.to_numpy())] if len(s) else s
    try:
        years = np.asarray([int(y) for y in s.index])
        if any(float(y) != float(int(y)) for y in s.index):
            raise ValueError
    except (TypeError, ValueError):
        raise BdgInputError(
            Problem(name, None, "index", "the index must hold whole years (e.g. 2019, 2020)")
        ) from None
    s = pd.Series(s.to_numpy(), index=years, dtype="float64")
    if s.index.has_duplicates:
        dup = s.index[s.index.duplicated()][0]
        raise BdgInputError(Problem(name, None, f"year {dup}", "year appears more than once"))
    s = s.sort_index()
    for year, value in s.items():
        if lower is not None and value < lower:
            raise BdgInputError(
                Problem(
                    name,
                    None,
                    f"year {year}",
                    f"value {value:g} is below the lower bound {lower:g}",
                )
            )
        if upper is not None and value > upper:
            raise BdgInputError(
                Problem(
                    name,
                    None,
                    f"year {year}",
                    f"value {value:g} is above the upper bound {upper:g}",
                )
            )
    return s


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level}")


def _check_methods(methods: Sequence[str] | None) -> None:
    if methods is None:
        return
    if isinstance(methods, str) or not methods or any(m not in METHODS for m in methods):
        raise ValueError(f"methods must be a non-empty list drawn from {', '.join(METHODS)}")


# --------------------------------------------------------------------------------------------
# Vectorised fits (numpy). Every quantity here is checked against statsmodels in the tests.
# --------------------------------------------------------------------------------------------


def _prefix_stats(Z: np.ndarray, t: np.ndarray) -> dict:
    """Naive, drift and linear fits on every prefix of every row, at once.

    Column k of each output describes the fit on the observations in columns 0..k of that row.
    """
    N, T = Z.shape
    M = ~np.isnan(Z)
    W = M.astype(float)
    Z0 = np.where(M, Z, 0.0)
    tmean = float(t.mean())
    tc = t - tmean
    n = np.cumsum(W, 1)
    St = np.cumsum(W * tc, 1)
    Sz = np.cumsum(Z0, 1)
    Stt = np.cumsum(W * tc * tc, 1)
    Stz = np.cumsum(W * tc * Z0, 1)
    Szz = np.cumsum(Z0 * Z0, 1)
    cols = np.arange(T)
    idx = np.where(M, cols, -1)
    last = np.maximum.accumulate(idx, 1)
    prev = np.concatenate([np.full((N, 1), -1), last[:, :-1]], 1)
    inc = M & (prev >= 0)
    prev0 = np.maximum(prev, 0)
    dz = np.where(inc, Z0 - np.take_along_axis(Z0, prev0, 1), 0.0)
    dt = np.where(inc, t[None, :] - t[prev0], 1.0)
    with np.errstate(all="ignore"):
        zbar = Sz / n
        tbar = St / n
        Sxx = Stt - n * tbar**2
        Sxy = Stz - n * tbar * zbar
        slope = Sxy / Sxx
        icpt = zbar - slope * tbar
        syy = Szz - n * zbar**2
        ssr = np.maximum(syy - slope * Sxy, 0.0)
        m = np.cumsum(inc, 1).astype(float)
        Sd = np.cumsum(dz, 1)
        Sdt = np.cumsum(np.where(inc, dt, 0.0), 1)
        Sd2 = np.cumsum(np.where(inc, dz * dz / dt, 0.0), 1)
        Sabs = np.cumsum(np.where(inc, np.abs(dz) / dt, 0.0), 1)
        mu = Sd / Sdt
        s2_drift = np.maximum(Sd2 - 2 * mu * Sd + mu * mu * Sdt, 0.0) / (m - 1)
        s2_naive = Sd2 / m
        scale = Sabs / m
        absz = np.cumsum(np.where(M, np.abs(Z0), 0.0), 1) / n
    last0 = np.maximum(last, 0)
    zl = np.take_along_axis(Z0, last0, 1)
    tl = t[last0]
    return {
        "n": n,
        "slope": slope,
        "icpt": icpt,
        "tbar": tbar,
        "Sxx": Sxx,
        "ssr": ssr,
        "zl": zl,
        "tl": tl,
        "mu": mu,
        "m": m,
        "Sdt": Sdt,
        "s2_drift": s2_drift,
        "s2_naive": s2_naive,
        "scale": scale,
        "absz": absz,
        "tmean": tmean,
        "M": M,
        "last": last,
    }


def _damped_grid() -> list[tuple[float, float, float]]:
    return [
        (a, a * bs, p) for a in _DAMPED_ALPHAS for bs in _DAMPED_BETA_STARS for p in _DAMPED_PHIS
    ]


_DAMPED_CHUNK = 400_000
"""Grid points x rows x years handled at once by _damped_prefix (about 3 MB per array)."""


def _damped_prefix(Z: np.ndarray, min_points: int = MIN_FIT_POINTS["damped"]) -> dict:
    """ETS(A,Ad,N) least-squares fits on every prefix of left-aligned, gap-free rows.

    For fixed (alpha, beta, phi) the one-step errors are linear in the initial level and trend,
    so those two are solved exactly; (alpha, beta, phi) are searched on a grid within the
    bounds statsmodels' ETSModel uses. The additive-error likelihood is maximised where the
    sum of squared errors is smallest, so this is the same estimator, found globally.
    Returns, for every prefix length (column n-1), the end level, trend, parameters and SSE.
    All grid points are computed together (numpy over grid x rows); rows go in chunks.
    """
    N, T = Z.shape
    step = max(1, _DAMPED_CHUNK // max(len(_damped_grid()) * max(T, 1), 1))
    if N > step:
        parts = [_damped_prefix(Z[i : i + step], min_points) for i in range(0, N, step)]
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    grid = np.array(_damped_grid())  # (K, 3): alpha, beta, phi
    a, b, phi = grid[:, 0], grid[:, 1], grid[:, 2]
    K = len(grid)
    M = ~np.isnan(Z)
    Z0 = np.where(M, Z, 0.0)
    # state-space matrices: F maps (level, trend) one year on; c[s] and G[s] carry the
    # initial state into the one-step forecast at year s and into the end state
    F = np.empty((K, 2, 2))
    F[:, 0, 0], F[:, 0, 1], F[:, 1, 0], F[:, 1, 1] = 1 - a, phi * (1 - a), -b, phi * (1 - b)
    c = np.empty((K, T, 2))
    Gm = np.empty((K, T, 2, 2))
    Fp = np.broadcast_to(np.eye(2), (K, 2, 2)).copy()
    for s in range(T):
        c[:, s, 0] = Fp[:, 0, 0] + phi * Fp[:, 1, 0]
        c[:, s, 1] = Fp[:, 0, 1] + phi * Fp[:, 1, 1]
        Fp = F @ Fp
        Gm[:, s] = Fp
    lvl = np.zeros((K, N))
    trd = np.zeros((K, N))
    ey = np.empty((K, N, T))
    Ly = np.empty((K, N, T))
    By = np.empty((K, N, T))
    A, B, P = a[:, None], b[:, None], phi[:, None]
    for s in range(T):
        yhat = lvl + P * trd
        e = Z0[None, :, s] - yhat
        ey[:, :, s] = e
        lvl = yhat + A * e
        trd = P * trd + B * e
        Ly[:, :, s] = lvl
        By[:, :, s] = trd
    ey = np.where(M[None], ey, 0.0)
    Scc = np.cumsum(c[:, :, :, None] * c[:, :, None, :], 1)  # (K, T, 2, 2)
    Sc0 = np.cumsum(ey * c[:, None, :, 0], 2)
    Sc1 = np.cumsum(ey * c[:, None, :, 1], 2)
    See = np.cumsum(ey * ey, 2)
    A11, A12, A22 = (Scc[:, None, :, 0, 0], Scc[:, None, :, 0, 1], Scc[:, None, :, 1, 1])
    with np.errstate(all="ignore"):
        det = A11 * A22 - A12 * A12
        x0 = (A22 * Sc0 - A12 * Sc1) / det
        x1 = (A11 * Sc1 - A12 * Sc0) / det
        sse = See - (x0 * Sc0 + x1 * Sc1)
    sse[:, :, : min_points - 1] = np.inf
    sse = np.where(M[None] & np.isfinite(sse), sse, np.inf)
    lend = Ly + Gm[:, None, :, 0, 0] * x0 + Gm[:, None, :, 0, 1] * x1
    bend = By + Gm[:, None, :, 1, 0] * x0 + Gm[:, None, :, 1, 1] * x1
    # the first grid point (in grid order) that is best by more than a rounding margin
    best_sse = np.full((N, T), np.inf)
    pick = np.zeros((N, T), dtype=int)
    with np.errstate(invalid="ignore"):
        for k in range(K):
            better = sse[k] < best_sse - 1e-12 * np.abs(sse[k])
            best_sse = np.where(better, sse[k], best_sse)
            pick = np.where(better, k, pick)
    found = np.isfinite(best_sse)
    rows, cols = np.indices((N, T))

    def take(values: np.ndarray) -> np.ndarray:
        return np.where(found, values[pick, rows, cols], np.nan)

    def param(values: np.ndarray) -> np.ndarray:
        return np.where(found, values[pick], np.nan)

    return {
        "sse": best_sse,
        "l": take(lend),
        "b": take(bend),
        "alpha": param(a),
        "beta": param(b),
        "phi": param(phi),
        "l0": take(x0),
        "b0": take(x1),
    }


def _damped_sum(phi: np.ndarray, h: np.ndarray) -> np.ndarray:
    """phi + phi^2 + ... + phi^h."""
    with np.errstate(all="ignore"):
        return np.where(np.abs(1 - phi) > 1e-12, phi * (1 - phi**h) / (1 - phi), h)


def _damped_textbook_var(alpha, beta, phi, mse, h) -> np.ndarray:
    """statsmodels' ETS(A,Ad,N) forecast variance: mse * (1 + sum_{j<h} c_j^2)."""
    h = np.asarray(h, dtype=float)
    out = np.ones(np.broadcast(alpha, h).shape)
    hmax = int(np.nanmax(h)) if np.size(h) else 0
    for j in range(1, max(hmax, 1)):
        cj = alpha + beta * phi * (1 - phi**j) / (1 - phi)
        out = out + np.where(j < h, cj * cj, 0.0)
    return mse * out


# --------------------------------------------------------------------------------------------
# The engine: backtest, choice, calibration, final projection (vectorised over rows)
# --------------------------------------------------------------------------------------------


_IDENTITY_ABS_FLOOR = 0.05
"""Absolute floor of the yearly movement on the identity scale (used for counts): without it a
flat run of zeros (0, 0, 0, 1) scales errors by ~0 and the interval explodes."""


def _scale_floor(kind: str, absz: np.ndarray) -> np.ndarray:
    if kind == "identity":
        return _SCALE_FLOOR["identity"] * np.abs(absz) + _IDENTITY_ABS_FLOOR
    return np.full(np.shape(absz), _SCALE_FLOOR[kind])


def _backtest(Z: np.ndarray, t: np.ndarray, kind: str) -> dict:
    """Rolling-origin backtest of every method on every row of Z (N x T, NaN = missing).

    From every observed origin k (a prefix of the row), each method projects every later
    observed column j. ``u[m][i, k, j]`` is the absolute error on the transformed scale divided
    by the row's yearly movement at the origin; ``origin_ok[m][i, k]`` says the method could be
    fitted there. Horizons are calendar years, so gaps are handled.
    """
    N, T = Z.shape
    P = _prefix_stats(Z, t)
    M = P["M"]
    n = P["n"][:, -1].astype(int)
    cols = np.arange(T)
    last_col = np.where(n > 0, P["last"][:, -1], 0)
    first_col = np.argmax(M, 1)
    gap_free = (last_col - first_col + 1) == n
    scale = np.maximum(P["scale"], _scale_floor(kind, P["absz"]))
    damped_rows = np.flatnonzero(gap_free & (n >= DAMPED_MIN_POINTS))
    D = None
    if damped_rows.size:
        shift = cols[None, :] + first_col[damped_rows, None]
        Za = np.where(shift < T, Z[damped_rows[:, None], np.minimum(shift, T - 1)], np.nan)
        D = _damped_prefix(Za[:, : int(n[damped_rows].max())])
    H = t[None, None, :] - t[None, :, None]
    later = (cols[None, :] > cols[:, None])[None, :, :] & M[:, None, :]
    is_damped_row = np.zeros(N, bool)
    is_damped_row[damped_rows] = True
    origin_ok, u = {}, {}
    for m in METHODS:
        ok = M & (P["n"] >= MIN_FIT_POINTS[m]) & (P["n"] <= n[:, None] - 1)
        if m == "damped":
            ok &= is_damped_row[:, None]
        origin_ok[m] = ok
        if m == "naive":
            F = np.broadcast_to(P["zl"][:, :, None], (N, T, T))
        elif m == "drift":
            F = P["zl"][:, :, None] + P["mu"][:, :, None] * H
        elif m == "linear":
            F = P["icpt"][:, :, None] + P["slope"][:, :, None] * (t[None, None, :] - P["tmean"])
        else:
            F = np.full((N, T, T), np.nan)
            if D is not None:
                kk = np.clip(cols[None, :] - first_col[damped_rows, None], 0, D["l"].shape[1] - 1)
                lk = np.take_along_axis(D["l"], kk, 1)
                bk = np.take_along_axis(D["b"], kk, 1)
                pk = np.take_along_axis(D["phi"], kk, 1)
                hh = np.maximum(H[0][None, :, :], 0)
                F[damped_rows] = lk[:, :, None] + _damped_sum(pk[:, :, None], hh) * bk[:, :, None]
        with np.errstate(all="ignore"):
            err = np.abs(Z[:, None, :] - F) / scale[:, :, None]
        u[m] = np.where(ok[:, :, None] & later, err, np.nan)
    return {
        "P": P,
        "n": n,
        "last_col": last_col,
        "first_col": first_col,
        "gap_free": gap_free,
        "scale": scale,
        "damped_rows": damped_rows,
        "D": D,
        "H": H,
        "u": u,
        "origin_ok": origin_ok,
        "is_damped_row": is_damped_row,
    }


def _own_scores(B: dict, allowed: Sequence[str] | None = None) -> dict:
    """Each row's backtest score of each candidate: mean absolute scaled error on the pairs
    from the latest SELECTION_ORIGINS origins at which every candidate could be fitted."""
    n, origin_ok, u = B["n"], B["origin_ok"], B["u"]
    N, T = origin_ok["naive"].shape
    final_ok = {m: n >= MIN_FIT_POINTS[m] for m in METHODS}
    final_ok["damped"] = B["is_damped_row"].copy()
    if allowed is not None:
        for m in METHODS:
            if m not in allowed:
                final_ok[m] = np.zeros(N, bool)
    cand = {m: final_ok[m] & origin_ok[m].any(1) for m in METHODS}
    any_cand = np.zeros(N, bool)
    common = np.ones((N, T), bool)
    for m in METHODS:
        common &= np.where(cand[m][:, None], origin_ok[m], True)
        any_cand |= cand[m]
    common &= any_cand[:, None]
    from_end = np.cumsum(common[:, ::-1], 1)[:, ::-1]
    latest = common & (from_end <= SELECTION_ORIGINS)
    cnt = np.zeros((N, len(METHODS)))
    tot = np.zeros((N, len(METHODS)))
    for i, m in enumerate(METHODS):
        um = np.where(latest[:, :, None] & cand[m][:, None, None], u[m], np.nan)
        cnt[:, i] = np.sum(~np.isnan(um), (1, 2))
        tot[:, i] = np.nansum(um, (1, 2))
    with np.errstate(all="ignore"):
        own = np.where(cnt > 0, tot / cnt, np.nan)
    return {
        "final_ok": final_ok,
        "cand": cand,
        "any_cand": any_cand,
        "cnt": cnt,
        "tot": tot,
        "own": own,
        "n_origins": latest.sum(1),
    }


def _engine(
    Z: np.ndarray,
    t: np.ndarray,
    target_years: np.ndarray,
    kind: str,
    level: float,
    pooled: PooledErrors | None,
    allowed: Sequence[str] | None = None,
) -> dict:
    """Select, calibrate and project every row of Z (N x T, NaN = missing) to target_years.

    Target years must lie after each row's last observation; ``allowed`` restricts the
    candidate methods (``chosen`` is -1 where none of them can be fitted).
    Returns arrays (N,) or (N, Y).
    """
    N, T = Z.shape
    Y = len(target_years)
    B = _backtest(Z, t, kind)
    P, n, u, H = B["P"], B["n"], B["u"], B["H"]
    last_col, first_col, scale = B["last_col"], B["first_col"], B["scale"]
    damped_rows, D = B["damped_rows"], B["D"]

    # --- candidates and the choice
    S = _own_scores(B, allowed)
    final_ok, cand, any_cand = S["final_ok"], S["cand"], S["any_cand"]
    n_origins_used = S["n_origins"]
    scores = np.full((N, len(METHODS)), np.nan)
    for i, m in enumerate(METHODS):
        cnt, tot = S["cnt"][:, i], S["tot"][:, i]
        prior = None if pooled is None else pooled.selection.get(m)
        with np.errstate(all="ignore"):
            if prior is not None and np.isfinite(prior):
                sc = (tot + SELECTION_PRIOR_WEIGHT * prior) / (cnt + SELECTION_PRIOR_WEIGHT)
                avail = final_ok[m] & (cand[m] | ~any_cand)
            else:
                sc = np.where(cnt > 0, tot / cnt, np.nan)
                avail = cand[m]
        scores[:, i] = np.where(avail, sc, np.nan)
    npairs = S["cnt"][:, 0]
    has_score = np.isfinite(scores).any(1)
    fallback = np.full(N, -1)
    for i in reversed(range(len(METHODS))):  # the simplest method that can be fitted
        fallback = np.where(final_ok[METHODS[i]], i, fallback)
    chosen = np.where(
        has_score, np.argmin(np.where(np.isfinite(scores), scores, np.inf), 1), fallback
    )
    chosen = np.where(n >= 2, chosen, -1)

    # --- calibration of the chosen method
    zq = float(stats.norm.ppf(0.5 + level / 2))
    level_factor = zq / float(stats.norm.ppf(0.9))
    k = np.full(N, np.nan)
    n_err = np.zeros(N, int)
    calib = np.full(N, "", dtype=object)
    for i, m in enumerate(METHODS):
        rows = np.flatnonzero(chosen == i)
        if rows.size == 0:
            continue
        r = u[m][rows] / (H + H0)
        r = r.reshape(rows.size, -1)
        cnt = np.sum(~np.isnan(r), 1)
        r_sorted = np.sort(np.where(np.isnan(r), np.inf, r), 1)
        pos = np.clip((cnt - 1) * level, 0, None)
        lo_i = np.floor(pos).astype(int)
        hi_i = np.minimum(lo_i + 1, np.maximum(cnt - 1, 0))
        frac = pos - lo_i
        ar = np.arange(rows.size)
        with np.errstate(all="ignore"):
            k_own = r_sorted[ar, lo_i] * (1 - frac) + r_sorted[ar, hi_i] * frac
        k_own = np.where(cnt > 0, k_own, 0.0)
        k_pool = None if pooled is None else pooled.k(m, level)
        short = n[rows] <= SHORT_SERIES
        if k_pool is not None:
            k0 = np.full(rows.size, k_pool)
            code = np.where(cnt > 0, "own+pooled", "pooled")
        else:
            k0 = DEFAULT_K[m] * level_factor * np.where(short, SHORT_WIDEN, 1.0)
            code = np.where(short, "default_widened", np.where(cnt > 0, "own+default", "default"))
        k[rows] = (cnt * k_own + CALIBRATION_PRIOR_WEIGHT * k0) / (cnt + CALIBRATION_PRIOR_WEIGHT)
        n_err[rows] = cnt
        calib[rows] = code

    # --- final fits from each row's last observation
    kl = last_col
    ar = np.arange(N)
    tl = t[kl]
    h = target_years[None, :] - tl[:, None]  # (N, Y)
    s_final = scale[ar, kl]
    if pooled is not None and np.isfinite(pooled.scale_median):
        s_final = np.maximum(s_final, POOLED_SCALE_FRACTION * pooled.scale_median)
    tq_level = 0.5 + level / 2
    final = {}
    zl = P["zl"][ar, kl][:, None]
    with np.errstate(all="ignore"):
        # naive: random walk, variance s2 * h (t quantile with m df)
        m_inc = P["m"][ar, kl]
        s2n = P["s2_naive"][ar, kl]
        tqn = stats.t.ppf(tq_level, np.maximum(m_inc, 1))
        final["naive"] = (np.broadcast_to(zl, (N, Y)), tqn[:, None] * np.sqrt(s2n[:, None] * h))
        # drift: WLS on increments, variance s2 * (h + h^2 / sum(dt)), t with m-1 df
        mu = P["mu"][ar, kl][:, None]
        s2d = P["s2_drift"][ar, kl][:, None]
        Sdt = P["Sdt"][ar, kl][:, None]
        tqd = stats.t.ppf(tq_level, np.maximum(m_inc - 1, 1))[:, None]
        final["drift"] = (zl + mu * h, tqd * np.sqrt(s2d * (h + h * h / Sdt)))
        # linear: OLS prediction interval, t with n-2 df
        b1 = P["slope"][ar, kl][:, None]
        b0 = P["icpt"][ar, kl][:, None]
        tt = target_years[None, :] - P["tmean"]
        nn = P["n"][ar, kl][:, None]
        s2l = P["ssr"][ar, kl][:, None] / (nn - 2)
        tbar = P["tbar"][ar, kl][:, None]
        Sxx = P["Sxx"][ar, kl][:, None]
        tql = stats.t.ppf(tq_level, np.maximum(nn - 2, 1))
        final["linear"] = (b0 + b1 * tt, tql * np.sqrt(s2l * (1 + 1 / nn + (tt - tbar) ** 2 / Sxx)))
        dz = np.full((N, Y), np.nan)
        dh = np.full((N, Y), np.nan)
        if D is not None:
            ka = (kl - first_col)[damped_rows]
            rr = np.arange(damped_rows.size)
            lk, bk, pk = D["l"][rr, ka], D["b"][rr, ka], D["phi"][rr, ka]
            hd = h[damped_rows]
            dz[damped_rows] = lk[:, None] + _damped_sum(pk[:, None], hd) * bk[:, None]
            mse = D["sse"][rr, ka] / (ka + 1)
            var = _damped_textbook_var(
                D["alpha"][rr, ka][:, None],
                D["beta"][rr, ka][:, None],
                pk[:, None],
                mse[:, None],
                hd,
            )
            dh[damped_rows] = stats.norm.ppf(tq_level) * np.sqrt(var)
        final["damped"] = (dz, dh)
    center = np.full((N, Y), np.nan)
    text_half = np.full((N, Y), np.nan)
    for i, m in enumerate(METHODS):
        rows = chosen == i
        center[rows] = final[m][0][rows]
        text_half[rows] = final[m][1][rows]
    half = k[:, None] * (h + H0) * s_final[:, None]
    damped_params = None
    if D is not None:
        rr = np.arange(damped_rows.size)
        ka = (kl - first_col)[damped_rows]
        damped_params = {
            "rows": damped_rows,
            "params": np.stack([D[key][rr, ka] for key in ("alpha", "beta", "phi", "l0", "b0")], 1),
        }
    return {
        "n": n,
        "last_col": last_col,
        "h": h,
        "chosen": chosen,
        "scores": scores,
        "k": k,
        "n_err": n_err,
        "calibration": calib,
        "scale": s_final,
        "center": center,
        "half": half,
        "text_half": text_half,
        "zq": zq,
        "candidates": cand,
        "gap_free": B["gap_free"],
        "n_origins": n_origins_used,
        "final": final,
        "damped_params": damped_params,
        "first_col": first_col,
        "npairs": npairs,
    }


# --------------------------------------------------------------------------------------------
# Reasons
# --------------------------------------------------------------------------------------------


def _interval_sentence(
    level: float, calibration: str, n_err: int, pooled: PooledErrors | None, method: str
) -> str:
    pct = f"{level:.0%}"
    pooled_n = 0 if pooled is None else pooled.n_errors(method)
    if calibration == "own+pooled":
        return (
            f"The {pct} interval is calibrated on {n_err} out-of-sample errors of this series "
            f"and {pooled_n} pooled from {pooled.n_series} series of the same indicator."
        )
    if calibration == "pooled":
        return (
            f"The {pct} interval is calibrated on {pooled_n} out-of-sample errors pooled from "
            f"{pooled.n_series} series of the same indicator."
        )
    if calibration == "own+default":
        return (
            f"The {pct} interval is calibrated on {n_err} out-of-sample errors of this series, "
            "blended with the default calibration."
        )
    if calibration == "default_widened":
        return (
            f"The {pct} interval uses the default calibration widened by "
            f"{SHORT_WIDEN - 1:.0%} and is only indicative."
        )
    return f"The {pct} interval uses the default calibration."


def _reason(
    method: str,
    n: int,
    scores: dict,
    n_origins: int,
    gap_free: bool,
    calibration: str,
    n_err: int,
    level: float,
    pooled: PooledErrors | None,
    candidates: Sequence[str],
) -> tuple[str, str]:
    """(reason_code, English sentence) for a projection."""
    interval = _interval_sentence(level, calibration, n_err, pooled, method)
    if n == 2:
        if method == "naive" and "naive" not in scores:
            what = (
                "the change between them cannot be told from noise, so the last value is "
                "carried forward (on real series this beats extending the line)"
            )
        elif method == "naive":
            what = "the last value is carried forward (pooled errors favour it)"
        else:
            what = "the straight line through them is extended (pooled errors favour it)"
        return "two_points", f"Only two points: {what}. {interval}"
    if n <= SHORT_SERIES:
        detail = ", ".join(f"{m} {v:.2f}" for m, v in scores.items() if m != method)
        vs = f" (vs {detail})" if detail else ""
        sc = scores.get(method)
        chosen = f" with mean scaled error {sc:.2f}{vs}" if sc is not None else ""
        return (
            "short_series",
            f"Only {n} points: {METHOD_NAMES[method]} chosen{chosen}; a trend this short "
            f"is hard to tell from noise. {interval}",
        )
    others = ", ".join(f"{m} {v:.2f}" for m, v in scores.items() if m != method)
    if pooled is not None:
        others += "; scores shrunk towards the pooled errors of the same indicator"
    gap_note = "" if gap_free else " Years are missing, so damped smoothing was not considered."
    if gap_free and n < DAMPED_MIN_POINTS:
        gap_note = f" Damped smoothing needs {DAMPED_MIN_POINTS} years and was not considered."
    return (
        "backtest",
        f"{METHODS_TITLE[method]} chosen by a rolling-origin backtest: mean absolute scaled "
        f"error {scores.get(method, math.nan):.2f} over the latest {n_origins} origins"
        f"{' (vs ' + others + ')' if others else ''}.{gap_note} {interval}",
    )


METHODS_TITLE = {m: METHOD_NAMES[m][0].upper() + METHOD_NAMES[m][1:] for m in METHOD_NAMES}


# --------------------------------------------------------------------------------------------
# statsmodels reference fits (single series)
# --------------------------------------------------------------------------------------------


@warmup.register
def bdg_warm_up(parameters: dict) -> None:
    """Import statsmodels once before ``bdg run-all`` forks its kernels (about 0.7 s each)."""
    import statsmodels.api  # noqa: F401
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # noqa: F401


def _sm_final(
    method: str,
    t: np.ndarray,
    z: np.ndarray,
    targets: np.ndarray,
    level: float,
    damped_params: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Point forecasts and textbook half-widths from statsmodels for one series."""
    import statsmodels.api as sm
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    alpha = 1 - level
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "linear":
            res = sm.OLS(z, sm.add_constant(t.astype(float))).fit()
            frame = res.get_prediction(
                sm.add_constant(targets.astype(float), has_constant="add")
            ).summary_frame(alpha=alpha)
            mean = frame["mean"].to_numpy()
            return mean, frame["obs_ci_upper"].to_numpy() - mean
        if method == "drift":
            d = np.diff(z)
            dt = np.diff(t).astype(float)
            res = sm.WLS(d, dt, weights=1.0 / dt).fit()
            mu = float(res.params[0])
            h = (targets - t[-1]).astype(float)
            mean = z[-1] + mu * h
            if len(d) < 2:
                return mean, np.full(len(h), np.nan)
            var = res.scale * h + h * h * float(res.bse[0]) ** 2
            return mean, stats.t.ppf(1 - alpha / 2, res.df_resid) * np.sqrt(var)
        if method == "naive":
            d = np.diff(z)
            dt = np.diff(t).astype(float)
            h = (targets - t[-1]).astype(float)
            s2 = float(np.mean(d * d / dt))
            return (np.full(len(h), z[-1]), stats.t.ppf(1 - alpha / 2, len(d)) * np.sqrt(s2 * h))
        if method == "damped":
            y = pd.Series(z, index=pd.RangeIndex(len(z)))
            model = ETSModel(
                y, error="add", trend="add", damped_trend=True, initialization_method="estimated"
            )
            res = model.smooth(damped_params)
            h = (targets - t[-1]).astype(int)
            frame = res.get_prediction(start=len(z), end=len(z) + int(h.max()) - 1).summary_frame(
                alpha=alpha
            )
            mean = frame["mean"].to_numpy()[h - 1]
            return mean, frame["pi_upper"].to_numpy()[h - 1] - mean
    raise ValueError(method)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def _none(
    to_year: int,
    n: int,
    last_year: int | None,
    level: float,
    code: str,
    reason: str,
    transform: Transform,
) -> Projection:
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


def _check_pooled(pooled: PooledErrors | None, transform: Transform) -> None:
    if pooled is None:
        return
    if pooled.transform_kind != transform.kind or (pooled.lower, pooled.upper) != (
        transform.lower,
        transform.upper,
    ):
        raise ValueError(
            "pooled_errors were computed with other bounds or another transform "
            f"({pooled.transform_kind}, {pooled.lower}, {pooled.upper})"
        )


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
    """Projections to several years with one method choice and one calibration.

    The years must lie after the last observation; a chart draws them as a band.
    """
    _check_level(level)
    _check_methods(methods)
    s = _clean_series(series, lower, upper)
    tr = make_transform(s.to_numpy(), lower, upper, transform)
    _check_pooled(pooled_errors, tr)
    years = np.asarray(sorted(int(y) for y in years))
    n = len(s)
    last_year = int(s.index[-1]) if n else None
    if n == 0:
        return [_none(y, 0, None, level, "no_data", "No data: no projection.", tr) for y in years]
    if n == 1:
        return [
            _none(
                y,
                1,
                last_year,
                level,
                "one_point",
                "One point only: a trend cannot be estimated, so there is no projection.",
                tr,
            )
            for y in years
        ]
    if years.size and years[0] <= last_year:
        raise ValueError("project_path needs years after the last observation")
    t = s.index.to_numpy().astype(float)
    grid = np.arange(s.index[0], s.index[-1] + 1)
    z = tr.forward(s.to_numpy())
    Z = np.full((1, len(grid)), np.nan)
    Z[0, (s.index.to_numpy() - grid[0])] = z
    E = _engine(Z, grid.astype(float), years.astype(float), tr.kind, level, pooled_errors, methods)
    ci = int(E["chosen"][0])
    if ci < 0:
        return [
            _none(
                y,
                n,
                last_year,
                level,
                "method_unavailable",
                f"None of the methods {', '.join(methods or METHODS)} can be fitted to "
                f"{n} points{'' if bool(E['gap_free'][0]) else ' with gaps'}.",
                tr,
            )
            for y in years
        ]
    method = METHODS[ci]
    dparams = None
    if method == "damped":
        dparams = E["damped_params"]["params"][0]
    center, text_half = _sm_final(method, t, z, years, level, dparams)
    half = E["half"][0]
    sigma = half / E["zq"]
    scores = {
        m: float(E["scores"][0, i]) for i, m in enumerate(METHODS) if np.isfinite(E["scores"][0, i])
    }
    cands = tuple(m for m in METHODS if E["candidates"][m][0])
    calibration = str(E["calibration"][0])
    n_err = int(E["n_err"][0])
    code, reason = _reason(
        method,
        n,
        scores,
        int(E["n_origins"][0]),
        bool(E["gap_free"][0]),
        calibration,
        n_err,
        level,
        pooled_errors,
        cands,
    )
    calibrated = pooled_errors is not None or n_err >= CALIBRATED_MIN_PAIRS
    out = []
    for j, y in enumerate(years):
        c = float(center[j])
        out.append(
            Projection(
                value=float(tr.inverse(np.array([c]))[0]),
                low=float(tr.inverse(np.array([c - half[j]]))[0]),
                high=float(tr.inverse(np.array([c + half[j]]))[0]),
                level=level,
                method=method,
                reason=reason,
                reason_code=code,
                n_points=n,
                last_year=last_year,
                to_year=int(y),
                calibrated=calibrated,
                calibration=calibration,
                transform=tr,
                center_z=c,
                sigma_z=float(sigma[j]),
                horizon=int(y - last_year),
                scale=float(E["scale"][0]),
                k=float(E["k"][0]),
                scores=scores,
                candidates=cands,
                n_errors=n_err,
                textbook_low=float(tr.inverse(np.array([c - text_half[j]]))[0]),
                textbook_high=float(tr.inverse(np.array([c + text_half[j]]))[0]),
            )
        )
    return out


def band(projections: Sequence[Projection]) -> pd.DataFrame:
    """A chart band (columns year, value, low, high) from projections such as project_path's."""
    return pd.DataFrame(
        {
            "year": [p.to_year for p in projections],
            "value": [p.value for p in projections],
            "low": [p.low for p in projections],
            "high": [p.high for p in projections],
        }
    )


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

    ``lower``/``upper`` are the indicator's natural bounds (0 and 100 for shares): the series is
    projected on a logit (both bounds) or log (lower bound) scale so nothing leaves them.
    ``level`` is the interval's coverage. ``pooled_errors`` (from :func:`pooled_backtest_errors`
    over the other provinces' series of the same indicator) sharpens the choice and calibration
    for short series. If ``to_year`` is an observed year the observation is returned; if it falls
    in a gap, the neighbours are interpolated. Raises BdgInputError for duplicate years, values
    outside the bounds, or a ``to_year`` before the first observation. ``methods`` restricts the
    candidates (e.g. ``("linear",)`` forces a linear trend); ``transform`` overrides the scale
    (``identity``, ``log``, ``logit``).
    """
    _check_level(level)
    _check_methods(methods)
    s = _clean_series(series, lower, upper)
    tr = make_transform(s.to_numpy(), lower, upper, transform)
    _check_pooled(pooled_errors, tr)
    to_year = int(to_year)
    n = len(s)
    if n == 0:
        return _none(to_year, 0, None, level, "no_data", "No data: no projection.", tr)
    last_year = int(s.index[-1])
    if to_year < int(s.index[0]):
        raise BdgInputError(
            Problem(
                "series",
                None,
                "to_year",
                f"{to_year} is before the first observation "
                f"({int(s.index[0])}); expected a later year",
            )
        )
    if to_year in s.index:
        v = float(s.loc[to_year])
        zc = float(tr.forward(np.array([v]))[0])
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
            center_z=zc,
            sigma_z=0.0,
            horizon=0,
        )
    if to_year < last_year:
        return _interpolate(s, to_year, tr, level, pooled_errors)
    if n == 1:
        return _none(
            to_year,
            1,
            last_year,
            level,
            "one_point",
            "One point only: a trend cannot be estimated, so there is no projection.",
            tr,
        )
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


def _interpolate(
    s: pd.Series, to_year: int, tr: Transform, level: float, pooled: PooledErrors | None
) -> Projection:
    """A year inside a gap: straight line between the neighbours on the transformed scale.

    The uncertainty is that of a drift projection over the distance to the nearer neighbour.
    """
    years = s.index.to_numpy()
    z = tr.forward(s.to_numpy())
    j = int(np.searchsorted(years, to_year))
    y0, y1 = years[j - 1], years[j]
    w = (to_year - y0) / (y1 - y0)
    c = float(z[j - 1] * (1 - w) + z[j] * w)
    hmin = int(min(to_year - y0, y1 - to_year))
    grid = np.arange(years[0], years[-1] + 1)
    Z = np.full((1, len(grid)), np.nan)
    Z[0, years - grid[0]] = z
    E = _engine(Z, grid.astype(float), np.array([float(years[-1] + 1)]), tr.kind, level, pooled)
    drift_k = _calibrate_single(E, "drift", level, pooled, len(s))
    half = drift_k * (hmin + H0) * float(E["scale"][0])
    return Projection(
        value=float(tr.inverse(np.array([c]))[0]),
        low=float(tr.inverse(np.array([c - half]))[0]),
        high=float(tr.inverse(np.array([c + half]))[0]),
        level=level,
        method="interpolated",
        reason=(
            f"{to_year} is not observed but lies between {y0} and {y1}: the value is "
            "interpolated, with the uncertainty of a drift projection over "
            f"{hmin} year{'s' if hmin > 1 else ''}."
        ),
        reason_code="interpolated",
        n_points=len(s),
        last_year=int(years[-1]),
        to_year=to_year,
        calibrated=pooled is not None,
        calibration="interpolation",
        transform=tr,
        center_z=c,
        sigma_z=half / E["zq"],
        horizon=hmin,
        scale=float(E["scale"][0]),
        k=drift_k,
    )


def _calibrate_single(
    E: dict, method: str, level: float, pooled: PooledErrors | None, n: int
) -> float:
    """Calibration factor for a given method on a one-row engine result (interpolation)."""
    if int(E["chosen"][0]) == METHODS.index(method):
        return float(E["k"][0])
    k_pool = None if pooled is None else pooled.k(method, level)
    if k_pool is not None:
        return k_pool
    factor = float(stats.norm.ppf(0.5 + level / 2) / stats.norm.ppf(0.9))
    return DEFAULT_K[method] * factor * (SHORT_WIDEN if n <= SHORT_SERIES else 1.0)


# --------------------------------------------------------------------------------------------
# Many series at once
# --------------------------------------------------------------------------------------------


def _wide(data, years=None) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """(values N x T, years T, row labels) from a wide frame, a 2-D array or a list of series."""
    if isinstance(data, pd.DataFrame):
        try:
            yrs = np.asarray([int(c) for c in data.columns])
        except (TypeError, ValueError):
            raise BdgInputError(
                Problem("series", None, "columns", "the columns must be whole years")
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
            {i: _clean_series(s, None, None, f"series {i}") for i, s in enumerate(data)}
        ).T
        return _wide(frame)
    if vals.ndim != 2 or vals.shape[1] != len(yrs):
        raise ValueError("values must be a 2-D array with one column per year")
    if len(yrs) and np.any(np.diff(yrs) <= 0):
        raise BdgInputError(Problem("series", None, "columns", "years must be distinct"))
    if len(yrs):
        grid = np.arange(yrs[0], yrs[-1] + 1)
        if len(grid) != len(yrs):
            full = np.full((vals.shape[0], len(grid)), np.nan)
            full[:, yrs - grid[0]] = vals
            vals, yrs = full, grid
    vals = np.where(np.isfinite(vals), vals, np.nan)
    return vals, yrs, labels


def _batch_transform(Y: np.ndarray, lower, upper, kind: str) -> tuple[str, np.ndarray, np.ndarray]:
    """Transform every row; returns (kind, Z, per-row delta)."""
    tr = make_transform(np.array([]), lower, upper, kind)
    delta = np.zeros(Y.shape[0])
    if tr.kind in ("log", "neglog"):
        dist = (Y - tr.lower) if tr.kind == "log" else (tr.upper - Y)
        on_bound = np.nanmin(np.where(np.isnan(dist), np.inf, dist), 1) <= 0
        pos = np.where(dist > 0, dist, np.inf)
        minpos = np.min(pos, 1)
        delta = np.where(on_bound, np.where(np.isfinite(minpos), 0.5 * minpos, 1.0), 0.0)
    Z = _forward(tr.kind, Y, tr.lower, tr.upper, delta[:, None])
    return tr.kind, Z, delta


def _check_bounds_batch(Y: np.ndarray, years: np.ndarray, labels, lower, upper) -> None:
    for bound, bad in (
        (lower, Y < lower if lower is not None else None),
        (upper, Y > upper if upper is not None else None),
    ):
        if bad is not None and np.any(bad):
            r, c = np.argwhere(bad)[0]
            side = "below the lower" if bound == lower else "above the upper"
            raise BdgInputError(
                Problem(
                    f"series {labels[r]}",
                    None,
                    f"year {years[c]}",
                    f"value {Y[r, c]:g} is {side} bound {bound:g}",
                )
            )


def _many_chunk(args) -> pd.DataFrame:
    Y, years, to_year, lower, upper, level, pooled, kind, labels, allowed = args
    kind, Z, delta = _batch_transform(Y, lower, upper, kind)
    N, T = Y.shape
    M = ~np.isnan(Z)
    n = M.sum(1)
    last_col = np.where(n > 0, T - 1 - np.argmax(M[:, ::-1], 1), 0)
    last_year = years[last_col]
    value = np.full(N, np.nan)
    low = np.full(N, np.nan)
    high = np.full(N, np.nan)
    center = np.full(N, np.nan)
    sigma = np.full(N, np.nan)
    tlow = np.full(N, np.nan)
    thigh = np.full(N, np.nan)
    method = np.full(N, "none", dtype=object)
    code = np.where(n == 0, "no_data", "one_point").astype(object)
    calib = np.full(N, "none", dtype=object)
    in_data = (n > 0) & (to_year <= last_year)
    fwd = (n >= 2) & ~in_data
    tf = float(to_year)
    inv = lambda z, rows: _inverse(kind, z, lower, upper, delta[rows])  # noqa: E731
    if fwd.any():
        rows = np.flatnonzero(fwd)
        E = _engine(Z[rows], years.astype(float), np.array([tf]), kind, level, pooled, allowed)
        c = E["center"][:, 0]
        hw = E["half"][:, 0]
        th = E["text_half"][:, 0]
        center[rows], sigma[rows] = c, hw / E["zq"]
        value[rows], low[rows], high[rows] = inv(c, rows), inv(c - hw, rows), inv(c + hw, rows)
        tlow[rows], thigh[rows] = inv(c - th, rows), inv(c + th, rows)
        names = np.array(METHODS + ("none",), dtype=object)
        method[rows] = names[E["chosen"]]
        nn = E["n"]
        code[rows] = np.where(
            E["chosen"] < 0,
            "method_unavailable",
            np.where(
                nn == 2, "two_points", np.where(nn <= SHORT_SERIES, "short_series", "backtest")
            ),
        )
        calib[rows] = E["calibration"]
    if in_data.any():
        rows = np.flatnonzero(in_data)
        col = to_year - years[0]
        if 0 <= col < T:
            obs = rows[M[rows, col]]
            value[obs] = low[obs] = high[obs] = Y[obs, col]
            center[obs] = Z[obs, col]
            sigma[obs] = 0.0
            method[obs] = "observed"
            code[obs] = "observed"
            calib[obs] = "data"
            gap = rows[~M[rows, col]]
        else:
            gap = rows
        first_col = np.argmax(M, 1)
        if gap.size:
            before = gap[years[first_col[gap]] > to_year]
            code[before] = "before_data"
            gap = gap[years[first_col[gap]] < to_year]
        if gap.size:
            Zg = Z[gap]
            prev = np.max(np.where(M[gap] & (years[None, :] < to_year), np.arange(T), -1), 1)
            nxt = np.min(np.where(M[gap] & (years[None, :] > to_year), np.arange(T), T), 1)
            ar = np.arange(gap.size)
            w = (to_year - years[prev]) / (years[nxt] - years[prev])
            c = Zg[ar, prev] * (1 - w) + Zg[ar, nxt] * w
            hmin = np.minimum(to_year - years[prev], years[nxt] - to_year)
            E = _engine(
                Zg, years.astype(float), np.array([float(years[-1] + 1)]), kind, level, pooled
            )
            kd = np.array(
                [
                    _calibrate_single(
                        {"chosen": E["chosen"][i : i + 1], "k": E["k"][i : i + 1]},
                        "drift",
                        level,
                        pooled,
                        int(E["n"][i]),
                    )
                    for i in range(gap.size)
                ]
            )
            hw = kd * (hmin + H0) * E["scale"]
            center[gap], sigma[gap] = c, hw / E["zq"]
            value[gap], low[gap], high[gap] = inv(c, gap), inv(c - hw, gap), inv(c + hw, gap)
            method[gap] = "interpolated"
            code[gap] = "interpolated"
            calib[gap] = "interpolation"
    return pd.DataFrame(
        {
            "value": value,
            "low": low,
            "high": high,
            "method": method,
            "reason_code": code,
            "calibration": calib,
            "n_points": n,
            "last_year": np.where(n > 0, last_year, -1),
            "center_z": center,
            "sigma_z": sigma,
            "delta": delta,
            "textbook_low": tlow,
            "textbook_high": thigh,
        },
        index=labels,
    )


def _many_years(
    Y: np.ndarray,
    years: np.ndarray,
    target_years: Sequence[int],
    *,
    lower=None,
    upper=None,
    level: float = DEFAULT_LEVEL,
    pooled: PooledErrors | None = None,
    transform: str = "auto",
    methods: Sequence[str] | None = None,
) -> dict:
    """Projections of every row with two or more points to several years after all the data.

    For benchmarks: arrays (N, Y) of value, low, high, textbook_low, textbook_high and the
    method of each row ("none" for rows that cannot be projected).
    """
    kind, Z, delta = _batch_transform(Y, lower, upper, transform)
    N = Y.shape[0]
    Yn = len(target_years)
    out = {
        key: np.full((N, Yn), np.nan)
        for key in ("value", "low", "high", "textbook_low", "textbook_high", "center_z", "sigma_z")
    }
    out["method"] = np.full(N, "none", dtype=object)
    rows = np.flatnonzero((~np.isnan(Z)).sum(1) >= 2)
    if rows.size == 0:
        return out
    E = _engine(
        Z[rows],
        years.astype(float),
        np.asarray(target_years, dtype=float),
        kind,
        level,
        pooled,
        methods,
    )
    d = delta[rows][:, None]
    inv = lambda z: _inverse(kind, z, lower, upper, d)  # noqa: E731
    c, hw, th = E["center"], E["half"], E["text_half"]
    out["value"][rows], out["low"][rows], out["high"][rows] = inv(c), inv(c - hw), inv(c + hw)
    out["textbook_low"][rows], out["textbook_high"][rows] = inv(c - th), inv(c + th)
    out["center_z"][rows], out["sigma_z"][rows] = c, hw / E["zq"]
    out["method"][rows] = np.array(METHODS + ("none",), dtype=object)[E["chosen"]]
    return out


def project_many(
    data,
    to_year: int,
    *,
    years=None,
    lower: float | None = None,
    upper: float | None = None,
    level: float = DEFAULT_LEVEL,
    pooled_errors: PooledErrors | None = None,
    transform: str = "auto",
    methods: Sequence[str] | None = None,
    chunk: int = 2000,
    jobs: int = 1,
) -> pd.DataFrame:
    """Project many series of one indicator to ``to_year`` in one vectorised pass.

    ``data`` is a wide frame (one row per series, one column per year, NaN = missing), a 2-D
    array with ``years``, or a list of Series. Gives the same method, value and interval as
    :func:`project` row by row. Returns a frame with value, low, high, method, reason_code,
    calibration, n_points, last_year, center_z, sigma_z, delta (log shift), textbook_low/high.
    ``jobs`` > 1 spreads chunks of ``chunk`` rows over processes.
    """
    _check_level(level)
    _check_methods(methods)
    Y, yrs, labels = _wide(data, years)
    _check_bounds_batch(Y, yrs, labels, lower, upper)
    if pooled_errors is not None:
        kind0 = make_transform(np.array([]), lower, upper, transform).kind
        if pooled_errors.transform_kind != kind0:
            raise ValueError("pooled_errors were computed with another transform")
    # rows observed over the same years go together, each chunk cut to the years it spans:
    # the backtest arrays grow with the square of the number of years
    obs = ~np.isnan(Y)
    has = obs.any(1)
    first = np.where(has, np.argmax(obs, 1), 0)
    last = np.where(has, Y.shape[1] - 1 - np.argmax(obs[:, ::-1], 1), 0)
    order = np.lexsort((last, first))
    pieces = []
    for i in range(0, len(order), chunk):
        idx = order[i : i + chunk]
        c0, c1 = int(first[idx].min()), int(last[idx].max())
        pieces.append(
            (
                Y[idx, c0 : c1 + 1],
                yrs[c0 : c1 + 1],
                int(to_year),
                lower,
                upper,
                level,
                pooled_errors,
                transform,
                pd.Index(idx),
                methods,
            )
        )
    if jobs > 1 and len(pieces) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            frames = list(pool.map(_many_chunk, pieces))
    else:
        frames = [_many_chunk(p) for p in pieces]
    if not frames:
        return pd.DataFrame(columns=["value", "low", "high", "method"])
    out = pd.concat(frames).sort_index()
    out.index = labels
    return out


def pooled_backtest_errors(
    series_list: Iterable[pd.Series],
    lower: float | None = None,
    upper: float | None = None,
    *,
    transform: str = "auto",
) -> PooledErrors:
    """Backtest errors of every method pooled over many series of one indicator.

    Pass the provinces' series of one indicator; give the result to :func:`project` as
    ``pooled_errors`` so short series borrow the others' experience of how far projections
    miss. Only history is used: nothing after each series' last observation.
    """
    frames = {}
    for i, s in enumerate(series_list):
        c = _clean_series(s, lower, upper, f"series {i}")
        if len(c):
            frames[i] = c
    if not frames:
        kind = make_transform(np.array([]), lower, upper, transform).kind
        return PooledErrors(
            {},
            {},
            math.nan,
            0,
            kind,
            None if lower is None else float(lower),
            None if upper is None else float(upper),
        )
    wide = pd.DataFrame(frames).T
    Y, yrs, _ = _wide(wide)
    kind, Z, _delta = _batch_transform(Y, lower, upper, transform)
    tr = make_transform(np.array([]), lower, upper, transform)
    N, T = Z.shape
    B = _backtest(Z, yrs.astype(float), kind)
    ratios, selection = {}, {}
    S = _own_scores(B)
    own = S["own"]
    naive_all = own[:, 0][np.isfinite(own[:, 0])]
    for i, m in enumerate(METHODS):
        r = (B["u"][m] / (B["H"] + H0)).ravel()
        ratios[m] = r[np.isfinite(r)]
        # the mean error of m relative to naive on the series where both were scored, times
        # naive's mean over all series: methods scored on fewer (longer) series stay comparable
        both = np.isfinite(own[:, i]) & np.isfinite(own[:, 0])
        if not both.any() or naive_all.size == 0:
            selection[m] = math.nan
            continue
        base = own[both, 0].mean()
        rel = own[both, i].mean() / base if base > 0 else 1.0
        selection[m] = float(rel * naive_all.mean())
    usable = B["n"] >= 2
    final_scale = B["scale"][np.arange(N), B["last_col"]][usable]
    return PooledErrors(
        ratios=ratios,
        selection=selection,
        scale_median=float(np.median(final_scale)) if final_scale.size else math.nan,
        n_series=int(usable.sum()),
        transform_kind=kind,
        lower=tr.lower,
        upper=tr.upper,
    )
