"""Values in a gap of a series: a straight line between the neighbours on the series' scale, with
the error distribution of a projection over the distance to the nearer neighbour."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from bdg_analysis.projection import transforms
from bdg_analysis.projection.calibration import default_calibration, growth
from bdg_analysis.projection.inputs import prepare_rows
from bdg_analysis.projection.members import FINAL, MEMBERS, row_stats
from bdg_analysis.projection.pool import POOLED_SCALE_FRACTION, PooledErrors


def interpolate_rows(
    Y: np.ndarray, years: np.ndarray, to_year: int, lower, upper, level, pooled, kind
) -> dict:
    """Rows whose ``to_year`` falls in a gap: a straight line between the neighbours on the
    row's scale, with the error distribution of a projection over the distance to the nearer
    neighbour. Returns per-row value, low, high, center_z, sigma_z, delta, spread, dist."""
    R = prepare_rows(Y, years, lower, upper, kind)
    code, delta = R["code"], R["delta"]
    Z = transforms.forward_rows(code, Y, lower, upper, delta)
    t = years.astype(float)
    S = row_stats(R["Z"], t)
    s = np.maximum(np.nan_to_num(S["s"], nan=0.0), transforms.scale_floor(code, S["absz"]))
    M = np.isfinite(Z)
    T = len(years)
    prev = np.max(np.where(M & (years[None, :] < to_year), np.arange(T), -1), 1)
    nxt = np.min(np.where(M & (years[None, :] > to_year), np.arange(T), T), 1)
    ar = np.arange(len(Y))
    w = (to_year - years[prev]) / (years[nxt] - years[prev])
    c = Z[ar, prev] * (1 - w) + Z[ar, nxt] * w
    hmin = np.minimum(to_year - years[prev], years[nxt] - to_year)
    per_row = pooled is not None and not isinstance(pooled, PooledErrors)
    calibs = [(pooled[i] if per_row else pooled) or default_calibration() for i in range(len(Y))]
    medians = np.array([getattr(c, "scale_median", math.nan) for c in calibs])
    s = np.where(np.isfinite(medians), np.maximum(s, POOLED_SCALE_FRACTION * medians), s)
    n = M.sum(1)
    ql, qh = np.empty(len(Y)), np.empty(len(Y))
    dists = []
    for i, calib in enumerate(calibs):
        d = calib.distribution(int(n[i]), float(hmin[i]), MEMBERS[FINAL])
        d = d.mixture(d.flipped(), 0.5)  # a gap has no direction: symmetric
        dists.append(d)
        ql[i], qh[i] = d.quantile([(1 - level) / 2, (1 + level) / 2])
    gamma = np.array([c.gamma(int(v), MEMBERS[FINAL]) for c, v in zip(calibs, n, strict=True)])
    reach = np.array([getattr(c, "reach", np.inf) for c in calibs])
    spread = s * growth(hmin, gamma, reach)
    back = lambda z: transforms.inverse_rows(code, z, lower, upper, delta)  # noqa: E731
    zq = float(stats.norm.ppf(0.5 + level / 2))
    return {
        "value": back(c),
        "low": back(c + spread * ql),
        "high": back(c + spread * qh),
        "center_z": c,
        "sigma_z": spread * (qh - ql) / (2 * zq),
        "delta": delta,
        "spread": spread,
        "dist": dists,
        "code": code,
        "hmin": hmin,
        "y0": years[prev],
        "y1": years[nxt],
    }
