"""The vectorised path: project every row of a matrix (one series per row) in one numpy pass.

Both :func:`~bdg_analysis.projection.project` (one row) and :func:`project_many` (100,000 rows)
run :func:`run`, so the two always give the same numbers. Per row: level shift handled, scale
chosen, slopes and yearly movement measured; per row and target year: the members' point
projection, the damping φ and the error distribution for the row's number of points and horizon
(from the pool or the default), the interval and any probability read from that distribution.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from bdg_analysis.projection import transforms
from bdg_analysis.projection.calibration import default_calibration, growth
from bdg_analysis.projection.ets import ets_final
from bdg_analysis.projection.inputs import (
    check_bounds_rows,
    check_level,
    check_methods,
    prepare_rows,
    wide,
)
from bdg_analysis.projection.members import (
    FINAL,
    MEMBERS,
    center,
    row_stats,
    shrunk_recent,
    textbook_half,
)
from bdg_analysis.projection.pool import POOLED_SCALE_FRACTION, PooledErrors

__all__ = ["project_many", "run"]

DEFAULT_LEVEL = 0.8
SHORT_SERIES = 4
"""Series with this many points or fewer are short (stated in the reason)."""


def _members(methods: Sequence[str] | None):
    return [MEMBERS[m] for m in (methods or (FINAL,))]


def _calibrations(pooled, N: int) -> tuple[list, np.ndarray]:
    """(the distinct calibrations, index of each row's): a pool for all rows, one per row, or
    the default."""
    if pooled is None:
        return [default_calibration()], np.zeros(N, int)
    if isinstance(pooled, PooledErrors):
        return [pooled], np.zeros(N, int)
    pools = list(pooled)
    if len(pools) != N:
        raise ValueError("pooled_errors: one pool per row, or one for all")
    distinct, index = [], {}
    which = np.empty(N, int)
    for i, p in enumerate(pools):
        p = default_calibration() if p is None else p
        if id(p) not in index:
            index[id(p)] = len(distinct)
            distinct.append(p)
        which[i] = index[id(p)]
    return distinct, which


def _per_row(what: str, calibs, which, n: np.ndarray, member) -> np.ndarray:
    """``phi`` or ``gamma`` of each row's calibration at its number of points."""
    out = np.full(n.shape, np.nan)
    if what == "phi" and (not member.damped or member.gap_free_points):
        return out
    keys = np.stack([which, n], 1)
    for w, v in np.unique(keys[n >= 2], axis=0):
        out[(which == w) & (n == v)] = getattr(calibs[w], what)(int(v), member)
    return out


def _judged_slopes(S: dict, calibs, which: np.ndarray) -> dict:
    """The statistics the final method uses: a row without a pool's backtest (the defaults, or
    a pool without pairs) has its recent slope shrunk by its own noise
    (:func:`~.members.shrunk_recent`); with one, the pool's backtest judged the raw slopes when
    it chose φ, so they stay."""
    judged = [c.source == "pooled" and c.n_pairs > 0 for c in calibs]
    default = ~np.array(judged, dtype=bool)[which]
    if not default.any():
        return S
    return dict(S, mu_r=np.where(default, shrunk_recent(S), S["mu_r"]))


def run(
    Y: np.ndarray,
    years: np.ndarray,
    targets: Sequence[float],
    *,
    lower=None,
    upper=None,
    level: float = DEFAULT_LEVEL,
    pooled=None,
    transform: str = "auto",
    methods: Sequence[str] | None = None,
    probs: Sequence[float] = (),
    thresholds: np.ndarray | None = None,
    keep_distributions: bool = False,
) -> dict:
    """Project every row of ``Y`` (N x T on the consecutive ``years``) to ``targets`` (years
    after every row's last observation). Rows with fewer than two points get NaN. ``pooled``
    is a :class:`PooledErrors` for every row, one per row (e.g. each without its own series),
    or None (the defaults).

    Returns arrays: ``center``, ``value``, ``low``, ``high`` (N x Y), ``q`` (N x Y x len(probs),
    quantiles on the original scale), ``p_le`` (P(value <= thresholds[i]), N x Y, when
    ``thresholds`` is given), ``textbook_low/high``; per row ``n``, ``phi``, ``scale``,
    ``code``/``delta`` (transform), ``method`` (``none`` where it cannot be fitted), break
    info ``B``; with ``keep_distributions`` the distribution of each (row, target).
    """
    check_level(level)
    t = years.astype(float)
    targets = np.asarray(targets, dtype=float)
    N, Yn = Y.shape[0], targets.size
    R = prepare_rows(Y, years, lower, upper, transform)
    S = row_stats(R["Z"], t)
    n = S["n"]
    code, delta = R["code"], R["delta"]
    s = np.maximum(np.nan_to_num(S["s"], nan=0.0), transforms.scale_floor(code, S["absz"]))
    calibs, which = _calibrations(pooled, N)
    medians = np.array([getattr(c, "scale_median", math.nan) for c in calibs])[which]
    s = np.where(np.isfinite(medians), np.maximum(s, POOLED_SCALE_FRACTION * medians), s)
    h = targets[None, :] - S["tl"][:, None]
    members = _members(methods)
    ok = n >= max(m.min_points for m in members)
    centers = []
    phi_final = np.full(N, np.nan)
    text_half = np.full((N, Yn), np.nan)
    for m in members:
        if m.gap_free_points:
            E = ets_final(R["Z"], S, targets, level)
            c = np.full((N, Yn), np.nan)
            c[E["rows"]] = E["center"]
            has = np.zeros(N, bool)
            has[E["rows"]] = True
            ok &= has
            if len(members) == 1 and E["rows"].size:
                text_half[E["rows"]] = E["text_half"]
            centers.append(c)
            continue
        phi = _per_row("phi", calibs, which, n, m)
        if m.damped:
            phi_final = phi
        Sm = _judged_slopes(S, calibs, which) if m.slope == "trend" else S
        centers.append(center(m, Sm, h, np.nan_to_num(phi)))
        if len(members) == 1:
            text_half = textbook_half(m, S, h, targets, level)
    ok &= n >= 2
    cz = np.mean(centers, axis=0) if len(centers) > 1 else centers[0]
    cz = np.where(ok[:, None], cz, np.nan)
    # the error distribution of each (row, target): by number of points and horizon
    dist_member = members[0] if len(members) == 1 else MEMBERS[FINAL]
    gamma = _per_row("gamma", calibs, which, n, dist_member)
    reach = np.array([getattr(c, "reach", math.inf) for c in calibs])[which]
    spread = s[:, None] * growth(h, np.nan_to_num(gamma, nan=1.0)[:, None], reach[:, None])
    ps = np.r_[(1 - level) / 2, (1 + level) / 2, np.asarray(probs, dtype=float)]
    Q = np.full((N, Yn, ps.size), np.nan)
    p_le = np.full((N, Yn), np.nan) if thresholds is not None else None
    dists = np.empty((N, Yn), dtype=object) if keep_distributions else None
    rows = np.flatnonzero(ok)
    if rows.size:
        ww = np.repeat(which[rows], Yn)
        nn = np.repeat(n[rows], Yn)
        hh = h[rows].ravel()
        keys, inv = np.unique(np.stack([ww, nn, hh], 1), axis=0, return_inverse=True)
        inv = inv.ravel()
        flat_q = np.empty((rows.size * Yn, ps.size))
        flat_p = np.full(rows.size * Yn, np.nan)
        flat_d = np.empty(rows.size * Yn, dtype=object)
        zthr = None
        if thresholds is not None:
            thr = np.broadcast_to(np.asarray(thresholds, dtype=float)[rows, None], (rows.size, Yn))
            zthr = transforms.forward_rows(code[rows], thr, lower, upper, delta[rows]).ravel()
            zc = cz[rows].ravel()
            sp = spread[rows].ravel()
        for u, (wv, nv, hv) in enumerate(keys):
            dist = calibs[int(wv)].distribution(int(nv), float(hv), dist_member)
            sel = inv == u
            flat_q[sel] = dist.quantile(ps)[None, :]
            flat_d[sel] = dist
            if zthr is not None:
                with np.errstate(all="ignore"):
                    flat_p[sel] = dist.cdf((zthr[sel] - zc[sel]) / sp[sel])
        Q[rows] = flat_q.reshape(rows.size, Yn, ps.size)
        if p_le is not None:
            p_le[rows] = flat_p.reshape(rows.size, Yn)
        if dists is not None:
            dists[rows] = flat_d.reshape(rows.size, Yn)

    def back(z):
        return transforms.inverse_rows(code, z, lower, upper, delta)

    zq = cz[:, :, None] + spread[:, :, None] * Q
    qv = back(zq.reshape(N, -1)).reshape(N, Yn, ps.size)
    if p_le is not None and thresholds is not None:
        thr = np.asarray(thresholds, dtype=float)[:, None]
        if lower is not None:
            p_le = np.where(thr < lower, 0.0, p_le)
        if upper is not None:
            p_le = np.where(thr >= upper, 1.0, p_le)
    names = np.array([members[0].id if len(members) == 1 else "combination", "none"], object)
    return {
        "center": cz,
        "value": back(cz),
        "low": qv[:, :, 0],
        "high": qv[:, :, 1],
        "q": qv[:, :, 2:],
        "p_le": p_le,
        "textbook_low": back(cz - text_half),
        "textbook_high": back(cz + text_half),
        "spread": spread,
        "sigma": spread * (Q[:, :, 1] - Q[:, :, 0]) / (2 * _zq(level)),
        "k": Q[:, :, 1],
        "n": n,
        "phi": phi_final,
        "gamma": gamma,
        "scale": s,
        "h": h,
        "code": code,
        "delta": delta,
        "method": names[np.where(ok, 0, 1)],
        "ok": ok,
        "B": R["B"],
        "S": S,
        "dists": dists,
        "calibration": np.array([c.source for c in calibs], dtype=object)[which],
    }


def _zq(level: float) -> float:
    from scipy import stats

    return float(stats.norm.ppf(0.5 + level / 2))


# --------------------------------------------------------------------------------------------
# Many series at once
# --------------------------------------------------------------------------------------------


def _reason_codes(n: np.ndarray, ok: np.ndarray) -> np.ndarray:
    return np.where(
        ~ok,
        "method_unavailable",
        np.where(n == 2, "two_points", np.where(n <= SHORT_SERIES, "short_series", "projected")),
    ).astype(object)


def _rows_of(pooled, rows: np.ndarray):
    """The pool of the given rows: the same one, or the rows' own from a list."""
    if pooled is None or isinstance(pooled, PooledErrors):
        return pooled
    return [pooled[i] for i in rows]


def _many_chunk(args) -> pd.DataFrame:
    Y, years, to_year, lower, upper, level, pooled, kind, labels, methods = args
    N, T = Y.shape
    M = np.isfinite(Y)
    n = M.sum(1)
    last_col = np.where(n > 0, T - 1 - np.argmax(M[:, ::-1], 1), 0)
    last_year = years[last_col]
    cols = {
        key: np.full(N, np.nan)
        for key in ("value", "low", "high", "center_z", "sigma_z", "textbook_low", "textbook_high")
    }
    cols["phi"] = np.full(N, np.nan)
    cols["delta"] = np.zeros(N)
    cols["break_year"] = np.full(N, -1)
    method = np.full(N, "none", dtype=object)
    code = np.where(n == 0, "no_data", "one_point").astype(object)
    calib = np.full(N, "none", dtype=object)
    in_data = (n > 0) & (to_year <= last_year)
    fwd = (n >= 2) & ~in_data
    if fwd.any():
        rows = np.flatnonzero(fwd)
        E = run(
            Y[rows], years, [float(to_year)], lower=lower, upper=upper, level=level,
            pooled=_rows_of(pooled, rows), transform=kind, methods=methods,
        )  # fmt: skip
        for key, src in (
            ("value", "value"),
            ("low", "low"),
            ("high", "high"),
            ("center_z", "center"),
            ("sigma_z", "sigma"),
            ("textbook_low", "textbook_low"),
            ("textbook_high", "textbook_high"),
        ):
            cols[key][rows] = E[src][:, 0]
        cols["phi"][rows] = E["phi"]
        cols["delta"][rows] = E["delta"]
        bc = E["B"]["col"]
        cols["break_year"][rows] = np.where(bc >= 0, years[np.maximum(bc, 0)], -1)
        method[rows] = E["method"]
        code[rows] = _reason_codes(E["n"], E["ok"])
        calib[rows] = np.where(E["ok"], E["calibration"], "none")
    if in_data.any():
        rows = np.flatnonzero(in_data)
        col = to_year - years[0]
        if 0 <= col < T:
            obs = rows[M[rows, col]]
            cols["value"][obs] = cols["low"][obs] = cols["high"][obs] = Y[obs, col]
            cols["sigma_z"][obs] = 0.0
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
            from bdg_analysis.projection.interpolation import interpolate_rows

            ip = interpolate_rows(
                Y[gap], years, to_year, lower, upper, level, _rows_of(pooled, gap), kind
            )
            for key in ("value", "low", "high", "center_z", "sigma_z", "delta"):
                cols[key][gap] = ip[key]
            method[gap] = "interpolated"
            code[gap] = "interpolated"
            calib[gap] = "interpolation"
    return pd.DataFrame(
        {
            "value": cols["value"],
            "low": cols["low"],
            "high": cols["high"],
            "method": method,
            "reason_code": code,
            "calibration": calib,
            "n_points": n,
            "last_year": np.where(n > 0, last_year, -1),
            "phi": cols["phi"],
            "break_year": cols["break_year"],
            "center_z": cols["center_z"],
            "sigma_z": cols["sigma_z"],
            "delta": cols["delta"],
            "textbook_low": cols["textbook_low"],
            "textbook_high": cols["textbook_high"],
        },
        index=labels,
    )


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
    chunk: int = 5000,
    jobs: int = 1,
) -> pd.DataFrame:
    """Project many series of one indicator to ``to_year`` in one vectorised pass.

    ``data`` is a wide frame (one row per series, one column per year, NaN = missing), a 2-D
    array with ``years``, or a list of Series. Gives the same numbers as :func:`project` row by
    row. Returns a frame with value, low, high, method, reason_code, calibration, n_points,
    last_year, phi, break_year (-1 for none), center_z, sigma_z, delta (log shift),
    textbook_low/high. ``pooled_errors`` is one pool for every row or a list with one per row,
    e.g. ``[pool.for_series(label) for label in frame.index]`` (each without its own series).
    ``jobs`` > 1 spreads chunks of ``chunk`` rows over processes.
    """
    check_level(level)
    check_methods(methods)
    Y, yrs, labels = wide(data, years)
    check_bounds_rows(Y, yrs, labels, lower, upper)
    per_row = pooled_errors is not None and not isinstance(pooled_errors, PooledErrors)
    if per_row:
        pooled_errors = list(pooled_errors)
        if len(pooled_errors) != len(Y):
            raise ValueError("pooled_errors: one pool for every row, or a list with one per row")
        for p in pooled_errors:
            _check_pool(p, lower, upper, transform)
    else:
        _check_pool(pooled_errors, lower, upper, transform)
    obs = np.isfinite(Y)
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
                [pooled_errors[j] for j in idx] if per_row else pooled_errors,
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


def _check_pool(pooled: PooledErrors | None, lower, upper, transform: str) -> None:
    if pooled is None:
        return
    lo = None if lower is None else float(lower)
    up = None if upper is None else float(upper)
    if (pooled.lower, pooled.upper) != (lo, up) or pooled.transform != transform:
        raise ValueError(
            "pooled_errors were computed with other bounds or another transform "
            f"({pooled.transform}, {pooled.lower}, {pooled.upper})"
        )
