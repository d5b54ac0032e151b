"""How far projections miss: empirical distributions of signed scaled out-of-sample errors.

A backtest cuts a series at an origin, projects the later values and records each error on the
transformed scale, signed, divided by the series' yearly movement at the origin ``s`` and by the
horizon ``h + H0`` (errors of trend methods grow about in proportion to the horizon). Where such
errors come from (the other provinces' series of the same indicator, or World Development
Indicators series for the default) their weighted empirical distribution, near the assessed
series' number of points and horizon, *is* the predictive distribution: the interval is read from
its quantiles and the chance a target is met from its distribution function, so the two always
agree (Williams and Goodman 1971; Lee and Scholtes 2014, "Empirical prediction intervals
revisited"). The same backtest pairs choose the damping φ of the final method.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bdg_analysis.projection.members import FINAL, MEMBERS, Member, damped_sum

__all__ = [
    "DEFAULTS_FILE",
    "H0",
    "PHIS",
    "DefaultCalibration",
    "ErrorDistribution",
    "default_calibration",
]

H0 = 0.5
"""Errors are scaled by ``(h + H0)^γ`` years of typical movement."""

GAMMA_RANGE = (0.5, 1.5)
"""The growth of errors with the horizon, ``(h + H0)^γ``, is estimated within these limits
(0.5: a random walk's square root; 1: a wrong slope; above 1: trends that bend away)."""

PHIS = (0.0, 0.3, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.88, 0.9, 0.92, 0.94, 0.96, 0.98, 1.0)
"""Damping factors a backtest chooses from (0: no change; 1: the slope undamped)."""

N_HALF = 1.0
"""Backtest pairs count half as much per point their origin differs from the series' count."""

N_CAP = 4
"""From this many points on, the count is taken as equal: a series of 4 or more points borrows from
every origin of 4 or more alike, so a long series can use the long horizons that only shorter
origins reach (in the benchmark, a cap of 6 covered 0.74 instead of 0.76 of yearly values)."""

H_BAND = 0.35
"""Width, on the log(h + H0) scale, of the horizon weighting of backtest pairs."""

PRIOR_ESS = 20.0
"""Effective number of series the default distribution counts for when blended with a pool (a
pool counts its series, not its pairs: the pairs of one series share its errors)."""

MAX_KNOTS = 401
"""An empirical distribution is kept as at most this many quantiles."""

DEFAULTS_FILE = Path(__file__).resolve().parents[1] / "resources" / "projection_defaults.csv"
"""Default φ and error quantiles by number of points and horizon, written by
``benchmarks/bench_projection.py --derive-defaults`` from World Development Indicators series
cut at origins up to 2000 (years the benchmark does not score)."""


@dataclass(frozen=True, eq=False)
class ErrorDistribution:
    """A continuous distribution given by knots ``x`` and its distribution function ``p`` there
    (piecewise linear between them; 0 and 1 at the ends), with the pairs it rests on."""

    x: np.ndarray
    p: np.ndarray
    n_pairs: int = 0
    ess: float = 0.0

    @classmethod
    def from_sample(cls, e, w=None) -> ErrorDistribution | None:
        """The weighted empirical distribution of ``e``: each value's mass spread half below
        and half above it, the ends extended by one gap (None for an empty sample)."""
        e = np.asarray(e, dtype=float)
        w = np.ones_like(e) if w is None else np.asarray(w, dtype=float)
        ok = np.isfinite(e) & (w > 0)
        e, w = e[ok], w[ok]
        if e.size == 0:
            return None
        ess = float(w.sum() ** 2 / (w * w).sum())
        order = np.argsort(e, kind="stable")
        e, w = e[order], w[order]
        x, inv = np.unique(e, return_inverse=True)
        wx = np.bincount(inv, weights=w)
        cw = np.cumsum(wx)
        W = cw[-1]
        p = (cw - wx / 2) / W
        if x.size == 1:
            span = max(abs(x[0]) * 0.1, 1e-6)
            x = np.array([x[0] - span, x[0], x[0] + span])
            p = np.array([0.0, 0.5, 1.0])
        else:
            x = np.r_[x[0] - (x[1] - x[0]), x, x[-1] + (x[-1] - x[-2])]
            p = np.r_[0.0, p, 1.0]
        dist = cls(x, p, int(e.size), ess)
        if x.size > MAX_KNOTS:
            grid = np.r_[0.0, np.linspace(0.0025, 0.9975, MAX_KNOTS - 2), 1.0]
            dist = cls(dist.quantile(grid), grid, int(e.size), ess)
        return dist

    def flipped(self) -> ErrorDistribution:
        """The distribution of minus the error (for a series trending down)."""
        f = self.__dict__.get("_flipped")
        if f is None:
            f = ErrorDistribution(-self.x[::-1], 1.0 - self.p[::-1], self.n_pairs, self.ess)
            object.__setattr__(self, "_flipped", f)
        return f

    def scaled(self, factor: float) -> ErrorDistribution:
        """The distribution of the error times ``factor`` (> 0)."""
        return ErrorDistribution(self.x * factor, self.p, self.n_pairs, self.ess)

    def quantile(self, q):
        """The q-quantile(s)."""
        return np.interp(q, self.p, self.x)

    def cdf(self, v):
        """P(error <= v)."""
        return np.interp(v, self.x, self.p, left=0.0, right=1.0)

    def mixture(self, other: ErrorDistribution, weight: float) -> ErrorDistribution:
        """``weight`` of this distribution and ``1 - weight`` of ``other``."""
        x = np.union1d(self.x, other.x)
        p = weight * self.cdf(x) + (1 - weight) * other.cdf(x)
        return ErrorDistribution(x, p, self.n_pairs + other.n_pairs, self.ess + other.ess)

    def normal_sigma(self, level: float = 0.8) -> float:
        """The standard deviation of the normal with the same central ``level`` interval."""
        from scipy import stats

        zq = float(stats.norm.ppf(0.5 + level / 2))
        return float(self.quantile(0.5 + level / 2) - self.quantile(0.5 - level / 2)) / (2 * zq)


# --------------------------------------------------------------------------------------------
# Backtest pairs: the numbers every error is computed from
# --------------------------------------------------------------------------------------------


def pair_errors(pairs: dict, member: Member, phi: float) -> np.ndarray:
    """Signed errors (transformed scale, unscaled) of ``member`` on backtest ``pairs``."""
    from bdg_analysis.projection.members import slope_of

    slope = slope_of(member.slope, pairs)
    anchor = pairs["lin"] if member.anchor == "line" else 0.0
    H = damped_sum(phi, pairs["h"]) if member.damped else pairs["h"]
    return pairs["dz"] - (anchor + slope * H)


def size_weights(pairs: dict, n: int) -> np.ndarray:
    """Weights of pairs by the number of points at their origin, near ``n`` (both counted up
    to :data:`N_CAP` and to the largest origin in the pairs), times any base weight ``w``."""
    nk = pairs["nk"]
    if nk.size == 0:
        return np.zeros(0)
    cap = min(N_CAP, int(nk.max()))
    w = 0.5 ** (np.abs(np.minimum(nk, cap) - min(int(n), cap)) / N_HALF)
    return w * pairs["w"] if "w" in pairs else w


def horizon_weights(h: np.ndarray, horizon: float) -> np.ndarray:
    """Weights of pairs by horizon, near ``horizon`` (capped at the longest horizon)."""
    if h.size == 0:
        return np.zeros(0)
    h_eff = min(float(horizon), float(h.max()))
    return np.exp(-np.abs(np.log((h + H0) / (h_eff + H0))) / H_BAND)


def learn_phi(pairs: dict, n: int, member: Member) -> tuple[float, dict]:
    """The damping with the smallest weighted mean absolute scaled error on ``pairs`` near
    ``n`` points (ties to the stronger damping), and the score of every φ tried."""
    w = size_weights(pairs, n)
    if not member.damped or w.sum() <= 0:
        return math.nan, {}
    scores = {}
    for phi in PHIS:
        err = np.abs(pair_errors(pairs, member, phi)) / pairs["s"]
        scores[phi] = float(np.sum(w * err) / np.sum(w))
    best = min(PHIS, key=lambda f: (scores[f], f))
    return best, scores


def mase(pairs: dict, n: int, member: Member, phi: float) -> float:
    """Weighted mean absolute scaled error of ``member`` on ``pairs`` near ``n`` points."""
    w = size_weights(pairs, n)
    if w.sum() <= 0:
        return math.nan
    err = np.abs(pair_errors(pairs, member, phi)) / pairs["s"]
    return float(np.sum(w * err) / np.sum(w))


def learn_gamma(pairs: dict, n: int, member: Member, phi: float) -> float:
    """How errors grow with the horizon: the slope of log(median |error| / s) on log(h + H0)
    over the pairs near ``n`` points (one median per whole year of horizon, weighted by the
    pairs' weight), within :data:`GAMMA_RANGE`; 1 with fewer than three horizons."""
    if pairs["h"].size == 0:
        return 1.0
    w = size_weights(pairs, n)
    a = np.abs(pair_errors(pairs, member, phi)) / pairs["s"]
    hr = np.round(pairs["h"]).astype(int)
    xs, ys, ws = [], [], []
    for hv in np.unique(hr):
        sel = (hr == hv) & (w > 0)
        if sel.sum() < 5:
            continue
        order = np.argsort(a[sel])
        cw = np.cumsum(w[sel][order])
        med = a[sel][order][np.searchsorted(cw, cw[-1] / 2)]
        if med > 0:
            xs.append(math.log(hv + H0))
            ys.append(math.log(med))
            ws.append(cw[-1])
    if len(xs) < 3:
        return 1.0
    x, y, wt = np.array(xs), np.array(ys), np.array(ws)
    xm, ym = np.average(x, weights=wt), np.average(y, weights=wt)
    den = np.sum(wt * (x - xm) ** 2)
    g = float(np.sum(wt * (x - xm) * (y - ym)) / den) if den > 0 else 1.0
    return float(np.clip(g, *GAMMA_RANGE))


EXTRAPOLATED_GAMMA_MAX = 1.0
"""Beyond the longest horizon a pool has seen, errors are taken to grow at most in proportion to
the horizon (a wrong slope): a faster growth measured over the pool's shorter horizons is not
extrapolated."""


def growth(h, gamma, reach=math.inf):
    """How many years of typical movement an error at horizon ``h`` spans: ``(h + H0)^γ`` up to
    ``reach`` (the longest horizon the errors were measured at), beyond it continued with the
    exponent ``min(γ, 1)``.

    Why: on ten-year yearly histories the pools' errors grow as ``h^1.1-1.4`` over horizons 1-9
    (slopes that bend away), but over the 5-35 year horizons of five-yearly histories as
    ``h^0.75-1``; carried on to 20 years, ``γ = 1.4`` put 86 % of outcomes inside the 80 %
    interval. Within ``reach`` the measured growth is used as it is.
    """
    h = np.asarray(h, dtype=float)
    gamma = np.asarray(gamma, dtype=float)
    reach = np.asarray(reach, dtype=float)
    inside = (h + H0) ** gamma
    with np.errstate(all="ignore"):
        r = np.minimum(reach, np.maximum(h, 0.0))
        beyond = (r + H0) ** gamma * ((h + H0) / (r + H0)) ** np.minimum(
            gamma, EXTRAPOLATED_GAMMA_MAX
        )
    return np.where(h > reach, beyond, inside)


def pair_distribution(
    pairs: dict, n: int, horizon: float, member: Member, phi: float, gamma: float = 1.0
) -> ErrorDistribution | None:
    """The distribution of ``member``'s signed scaled errors near ``n`` points and
    ``horizon`` years."""
    if pairs["h"].size == 0:
        return None
    e = pair_errors(pairs, member, phi) / (pairs["s"] * growth(pairs["h"], gamma))
    w = size_weights(pairs, n) * horizon_weights(pairs["h"], horizon)
    return ErrorDistribution.from_sample(e, w)


# --------------------------------------------------------------------------------------------
# The default: no pool of the same indicator
# --------------------------------------------------------------------------------------------

N_REPS = (2, 3, 4, 5, 6, 7, 8, 10, 12, 15)
"""Numbers of points the default table is given for (a series takes the largest <= its own)."""

H_REPS = (1, 2, 3, 4, 5, 7, 10, 15, 20, 30)
"""Horizons the default table is given for (a projection takes the nearest in log(h + H0))."""

P_GRID = (
    0.0,
    0.005,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.15,
    0.2,
    0.25,
    1 / 3,
    0.4,
    0.5,
    0.6,
    2 / 3,
    0.75,
    0.8,
    0.85,
    0.9,
    0.925,
    0.95,
    0.975,
    0.99,
    0.995,
    1.0,
)
"""Probabilities at which the default table keeps the error quantiles."""


class DefaultCalibration:
    """φ and error distributions by number of points and horizon, from the defaults table."""

    source = "default"

    def __init__(self, table: dict, gammas: dict, n_pairs: int):
        self.table = table
        self.gammas = gammas
        self.n_pairs = n_pairs
        self._dist: dict = {}

    @staticmethod
    def _keys(n: int, horizon: float) -> tuple[int, int]:
        nk = max([r for r in N_REPS if r <= max(int(n), N_REPS[0])])
        hk = min(H_REPS, key=lambda r: abs(math.log((r + H0) / (max(horizon, 0.0) + H0))))
        return nk, hk

    def phi(self, n: int, member: Member | None = None) -> float:
        return self.table[self._keys(n, 1)][0]

    def gamma(self, n: int, member: Member | None = None) -> float:
        return self.gammas[self._keys(n, 1)]

    def distribution(
        self, n: int, horizon: float, member: Member | None = None
    ) -> ErrorDistribution:
        key = self._keys(n, horizon)
        if key not in self._dist:
            q = self.table[key][1]
            self._dist[key] = ErrorDistribution(np.asarray(q), np.asarray(P_GRID), self.n_pairs)
        return self._dist[key]


@functools.cache
def default_calibration() -> DefaultCalibration:
    """The defaults table (``resources/projection_defaults.csv``), read once."""
    import csv

    rows: dict[tuple[int, int], dict] = {}
    n_pairs = 0
    with DEFAULTS_FILE.open(encoding="utf-8") as f:
        for rec in csv.DictReader(line for line in f if not line.startswith("#")):
            key = (int(rec["n"]), int(rec["h"]))
            d = rows.setdefault(key, {"phi": float(rec["phi"]), "g": float(rec["gamma"]), "q": {}})
            d["q"][float(rec["p"])] = float(rec["q"])
            n_pairs = max(n_pairs, int(rec["pairs"]))
    table, gammas = {}, {}
    for key, d in rows.items():
        table[key] = (d["phi"], np.array([d["q"][p] for p in sorted(d["q"])]))
        gammas[key] = d["g"]
    missing = {(n, h) for n in N_REPS for h in H_REPS} - set(table)
    if missing:
        raise ValueError(f"{DEFAULTS_FILE.name}: no row for (n, h) {sorted(missing)[0]}")
    return DefaultCalibration(table, gammas, n_pairs)


def default_table(pairs: dict) -> list[dict]:
    """Rows of the defaults table from the backtest pairs of many series (for the file)."""
    member = MEMBERS[FINAL]
    rows = []
    for n in N_REPS:
        phi, _ = learn_phi(pairs, n, member)
        gamma = learn_gamma(pairs, n, member, phi)
        for h in H_REPS:
            dist = pair_distribution(pairs, n, h, member, phi, gamma)
            # other indicators' biases do not carry over: the default is symmetric
            dist = dist.mixture(dist.flipped(), 0.5)
            for p, q in zip(P_GRID, dist.quantile(np.asarray(P_GRID)), strict=True):
                rows.append(
                    {
                        "n": n,
                        "h": h,
                        "phi": phi,
                        "gamma": round(gamma, 4),
                        "p": round(p, 6),
                        "q": float(q),
                        "pairs": 0,
                    }
                )
    for r in rows:
        r["pairs"] = int(pairs["h"].size)
    return rows
