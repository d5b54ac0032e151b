"""Exponential smoothing with a damped trend, ETS(A,Ad,N), fitted to many gap-free series at once.

Kept as a member for comparison (``methods=("damped",)``): it needs regular spacing, so only
series of ten or more consecutive years have it. For fixed (alpha, beta, phi) the one-step errors
are linear in the initial level and trend, which are solved exactly; (alpha, beta, phi) are
searched on a grid inside statsmodels' ETSModel bounds, so this is the same least-squares
estimator as ``ETSModel.fit``, found globally (checked against statsmodels in the tests).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["MIN_POINTS", "ets_final"]

MIN_POINTS = 8
"""Points needed to fit the damped trend."""

GAP_FREE_POINTS = 10
"""Consecutive years a series needs to have this member."""

_DAMPED_ALPHAS = (1e-4, 0.03, 0.1, 0.2, 0.35, 0.5, 0.7, 0.85, 0.9999)
_DAMPED_BETA_STARS = (1e-4, 0.05, 0.15, 0.35, 0.6, 0.9999)
_DAMPED_PHIS = (0.8, 0.83, 0.86, 0.89, 0.92, 0.95, 0.98)
"""Grid for (alpha, beta/alpha, phi) inside statsmodels' ETSModel default bounds."""


def _damped_grid() -> list[tuple[float, float, float]]:
    return [
        (a, a * bs, p) for a in _DAMPED_ALPHAS for bs in _DAMPED_BETA_STARS for p in _DAMPED_PHIS
    ]


_DAMPED_CHUNK = 400_000
"""Grid points x rows x years handled at once by _damped_prefix (about 3 MB per array)."""


def _damped_prefix(Z: np.ndarray, min_points: int = MIN_POINTS) -> dict:
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


def ets_final(Z: np.ndarray, S: dict, targets: np.ndarray, level: float) -> dict:
    """Final ETS(A,Ad,N) fits of the rows that can have one (gap-free, ten years or more).

    Returns ``rows`` (their indices), ``center`` and ``text_half`` (rows x targets) and
    ``params`` (alpha, beta, phi, l0, b0 of each, for statsmodels' ``smooth``).
    """
    N, T = Z.shape
    n, first = S["n"], S["first_col"]
    rows = np.flatnonzero(S["gap_free"] & (n >= GAP_FREE_POINTS))
    out = {"rows": rows, "center": np.zeros((0, len(targets))), "text_half": None, "params": None}
    if rows.size == 0:
        return out
    cols = np.arange(T)
    shift = cols[None, :] + first[rows, None]
    Za = np.where(shift < T, Z[rows[:, None], np.minimum(shift, T - 1)], np.nan)
    D = _damped_prefix(Za[:, : int(n[rows].max())])
    rr = np.arange(rows.size)
    ka = n[rows] - 1
    lk, bk, pk = D["l"][rr, ka], D["b"][rr, ka], D["phi"][rr, ka]
    tl = S["tl"][rows]
    h = np.asarray(targets, dtype=float)[None, :] - tl[:, None]
    center = lk[:, None] + _damped_sum(pk[:, None], h) * bk[:, None]
    mse = D["sse"][rr, ka] / (ka + 1)
    var = _damped_textbook_var(
        D["alpha"][rr, ka][:, None], D["beta"][rr, ka][:, None], pk[:, None], mse[:, None], h
    )
    with np.errstate(all="ignore"):
        half = stats.norm.ppf(0.5 + level / 2) * np.sqrt(var)
    params = np.stack([D[key][rr, ka] for key in ("alpha", "beta", "phi", "l0", "b0")], 1)
    return {"rows": rows, "center": center, "text_half": half, "params": params}
