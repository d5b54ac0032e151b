"""The registry of projection methods (members) and the statistics they are computed from.

Every member is "the last value plus a slope times a horizon": ``naive`` adds nothing, ``drift``
the whole-period slope (first to last observation), ``linear`` the least-squares line, and the
damped members a slope whose yearly step shrinks by a factor φ every calendar year, so a gap of
three years damps three times (Gardner and McKenzie 1985; Hyndman and Athanasopoulos, *Forecasting:
principles and practice*, 3rd ed., 8.2). The final method, ``damped_trend``, is the mean of the
three damped members (whole-period, least-squares and recent slopes): a combination, as the M4
competition's lesson suggests (Makridakis et al. 2020). Without a pool, the recent slope is first
shrunk by its own noise (:func:`shrunk_recent`). ``damped`` is exponential smoothing with a
damped trend, ETS(A,Ad,N), kept for comparison on gap-free series (module :mod:`.ets`). All
members are computed for many series at once (rows of a matrix, NaN = missing year).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FINAL", "MEMBERS", "METHOD_NAMES", "METHODS", "Member"]


@dataclass(frozen=True)
class Member:
    """One method: ``center = anchor + slope × H(h)``; ``H(h)`` is ``h`` or, when damped,
    ``φ + φ² + … + φ^h``. ``slope`` names the slope (``none``, ``drift``, ``ols``, ``recent``,
    ``trend`` = mean of the three); ``anchor`` is the last value or the fitted line (``line``)."""

    id: str
    title: str
    slope: str
    anchor: str = "last"
    damped: bool = False
    min_points: int = 2
    gap_free_points: int = 0  # > 0: needs that many consecutive years (ETS)


MEMBERS: dict[str, Member] = {
    m.id: m
    for m in (
        Member("naive", "no change from the last value", "none"),
        Member("drift", "random walk with drift", "drift"),
        Member("linear", "linear trend (least squares)", "ols", anchor="line", min_points=3),
        Member("damped_drift", "damped drift", "drift", damped=True),
        Member("damped_linear", "damped least-squares trend", "ols", damped=True),
        Member("damped_recent", "damped recent trend", "recent", damped=True),
        Member("damped_trend", "damped trend", "trend", damped=True),
        Member(
            "damped",
            "damped-trend exponential smoothing",
            "ets",
            damped=True,
            min_points=8,
            gap_free_points=10,
        ),
    )
}
"""Every method by id; ``project(..., methods=(id,))`` forces one."""

FINAL = "damped_trend"
"""The method used unless another is forced: the mean of the three damped slopes (without a pool,
the recent one shrunk by its noise, :func:`shrunk_recent`)."""

METHODS: tuple[str, ...] = tuple(MEMBERS)

METHOD_NAMES = {m.id: m.title for m in MEMBERS.values()} | {
    "none": "no projection",
    "observed": "observed value",
    "interpolated": "interpolation between observed years",
}


def damped_sum(phi, h):
    """φ + φ² + … + φ^h (h calendar years; h for φ = 1, 0 for φ = 0)."""
    phi = np.asarray(phi, dtype=float)
    h = np.asarray(h, dtype=float)
    p = np.clip(phi, 1e-12, 1 - 1e-12)
    with np.errstate(all="ignore"):
        s = p * (1 - p**h) / (1 - p)
    return np.where(phi >= 1, h, np.where(phi <= 0, 0.0, s))


# --------------------------------------------------------------------------------------------
# Statistics of whole rows (the final fits) and of every prefix of a row (the backtest)
# --------------------------------------------------------------------------------------------


def _previous_observed(M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(last observed column <= k, last observed column < k) for every column k; -1 if none."""
    N, T = M.shape
    idx = np.where(M, np.arange(T), -1)
    last = np.maximum.accumulate(idx, 1)
    prev = np.concatenate([np.full((N, 1), -1), last[:, :-1]], 1)
    return last, prev


def prefix_stats(Z: np.ndarray, t: np.ndarray) -> dict:
    """Slopes, anchors and yearly movement on every prefix of every row, at once.

    Column k of each output describes the observations in columns 0..k of that row: ``n``
    points, last value ``zl`` at year ``tl``, whole-period slope ``mu``, least-squares slope
    ``b`` and fitted value at ``tl`` (``a_l``), recent slope ``mu_r`` (over the last two
    intervals, ``span_r`` years; the whole span ``span``), the noise of the intervals' slopes
    ``s2_bend`` (:func:`shrunk_recent`), mean absolute yearly movement ``s`` and mean absolute
    level ``absz``.
    """
    N, T = Z.shape
    M = np.isfinite(Z)
    W = M.astype(float)
    Z0 = np.where(M, Z, 0.0)
    tmean = float(t.mean()) if T else 0.0
    tc = t - tmean
    n = np.cumsum(W, 1)
    St = np.cumsum(W * tc, 1)
    Sz = np.cumsum(Z0, 1)
    Stt = np.cumsum(W * tc * tc, 1)
    Stz = np.cumsum(W * tc * Z0, 1)
    Szz = np.cumsum(Z0 * Z0, 1)
    last, prev = _previous_observed(M)
    inc = M & (prev >= 0)
    prev0 = np.maximum(prev, 0)
    dz = np.where(inc, Z0 - np.take_along_axis(Z0, prev0, 1), 0.0)
    dt = np.where(inc, t[None, :] - t[prev0], 1.0)
    last0 = np.maximum(last, 0)
    zl = np.take_along_axis(Z0, last0, 1)
    tl = t[last0]
    first = np.argmax(M, 1)
    z_first = Z0[np.arange(N), first][:, None]
    t_first = t[first][:, None]
    l2 = np.take_along_axis(prev, last0, 1)  # observation before the last
    l3 = np.take_along_axis(prev, np.maximum(l2, 0), 1)
    l3 = np.where(l2 >= 0, l3, -1)
    with np.errstate(all="ignore"):
        zbar = Sz / n
        tbar = St / n
        Sxx = Stt - n * tbar**2
        Sxy = Stz - n * tbar * zbar
        b = Sxy / Sxx
        icpt = zbar - b * tbar
        syy = Szz - n * zbar**2
        ssr = np.maximum(syy - b * Sxy, 0.0)
        mu = (zl - z_first) / (tl - t_first)
        m = np.cumsum(inc, 1).astype(float)
        Sd = np.cumsum(dz, 1)
        Sdt = np.cumsum(np.where(inc, dt, 0.0), 1)
        Sd2 = np.cumsum(np.where(inc, dz * dz / dt, 0.0), 1)
        s = np.cumsum(np.where(inc, np.abs(dz) / dt, 0.0), 1) / m
        mu_w = Sd / Sdt
        s2_drift = np.maximum(Sd2 - 2 * mu_w * Sd + mu_w * mu_w * Sdt, 0.0) / (m - 1)
        s2_naive = Sd2 / m
        absz = np.cumsum(np.where(M, np.abs(Z0), 0.0), 1) / n
        z3 = np.take_along_axis(Z0, np.maximum(l3, 0), 1)
        mu_r = np.where(l3 >= 0, (zl - z3) / (tl - t[np.maximum(l3, 0)]), mu)
        span_r = np.where(l3 >= 0, tl - t[np.maximum(l3, 0)], tl - t_first)
        g = np.where(inc, dz / dt, 0.0)  # slope of each interval, at its end column
        g_prev = np.take_along_axis(g, prev0, 1)
        dt_prev = np.take_along_axis(dt, prev0, 1)
        inc2 = inc & np.take_along_axis(inc, prev0, 1)
        bend = np.where(inc2, (g - g_prev) ** 2 / (1 / dt + 1 / dt_prev), 0.0)
        s2_bend = np.cumsum(bend, 1) / np.cumsum(inc2, 1)
    b = np.where(n == 2, mu, b)  # the line through two points, without rounding noise
    a_l = np.where(n == 2, zl, icpt + b * (tl - tmean))
    return {
        "n": n,
        "zl": zl,
        "tl": tl,
        "mu": mu,
        "b": b,
        "a_l": a_l,
        "mu_r": mu_r,
        "span_r": span_r,
        "span": tl - t_first,
        "s": s,
        "absz": absz,
        "last": last,
        "M": M,
        "tmean": tmean,
        "icpt": icpt,
        "tbar": tbar,
        "Sxx": Sxx,
        "ssr": ssr,
        "m": m,
        "Sdt": Sdt,
        "s2_drift": s2_drift,
        "s2_naive": s2_naive,
        "s2_bend": s2_bend,
    }


def row_stats(Z: np.ndarray, t: np.ndarray) -> dict:
    """:func:`prefix_stats` at each row's last column (the statistics of the whole row)."""
    P = prefix_stats(Z, t)
    N, T = Z.shape
    ar = np.arange(N)
    out = {k: v[ar, T - 1] for k, v in P.items() if isinstance(v, np.ndarray) and v.ndim == 2}
    out["n"] = out["n"].astype(int)
    M = P["M"]
    out["first_col"] = np.argmax(M, 1)
    out["last_col"] = np.where(out["n"] > 0, P["last"][:, -1], 0)
    out["gap_free"] = (out["last_col"] - out["first_col"] + 1) == out["n"]
    out["tmean"] = P["tmean"]
    return out


def trend_slope(Y: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The final method's slope of every row: mean of whole-period, least-squares and recent."""
    S = row_stats(Y, t)
    return slope_of("trend", S)


def slope_of(kind: str, S: dict) -> np.ndarray:
    """A member's slope from :func:`row_stats` or :func:`prefix_stats` output."""
    if kind == "none":
        return np.zeros_like(S["mu"])
    if kind == "drift":
        return S["mu"]
    if kind == "ols":
        return np.where(np.isfinite(S["b"]), S["b"], S["mu"])
    if kind == "recent":
        return S["mu_r"]
    if kind == "trend":
        return (S["mu"] + slope_of("ols", S) + S["mu_r"]) / 3.0
    raise ValueError(kind)


def shrunk_recent(S: dict) -> np.ndarray:
    """The recent slope shrunk towards the mean of the other two by its own noise.

    On a random walk with the series' yearly increments (variance ``σ²`` a year), the recent
    slope over the last ``D_r`` years departs from the whole-period slope over ``D`` years with
    variance ``v = σ² (1/D_r - 1/D)``. ``σ²`` is measured from the changes between consecutive
    intervals' slopes (``s2_bend``: ``(g_i - g_{i-1})² / (1/Δt_i + 1/Δt_{i-1})``), which a smooth
    bend hardly moves and year-to-year noise does. With ``d`` the recent slope's departure from
    the mean ``L`` of the whole-period and least-squares slopes, the slope kept is
    ``L + max(0, 1 - v/d²) d`` (positive-part James-Stein): a departure no larger than noise is
    dropped, a large one kept nearly whole. Used where no pool's backtest has judged the slopes
    (notes §2.2)."""
    other = (S["mu"] + slope_of("ols", S)) / 2.0
    d = S["mu_r"] - other
    with np.errstate(all="ignore"):
        v = S["s2_bend"] * (1.0 / S["span_r"] - 1.0 / S["span"])
        keep = np.clip(1.0 - v / (d * d), 0.0, 1.0)
    keep = np.where(np.isfinite(keep) & (v > 0), keep, 1.0)
    return other + keep * d


def center(member: Member, S: dict, h: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Point projections (transformed scale) of every row at horizons ``h`` (N x Y)."""
    anchor = S["a_l"] if member.anchor == "line" else S["zl"]
    slope = slope_of(member.slope, S)
    H = damped_sum(phi[:, None], h) if member.damped else h
    return anchor[:, None] + slope[:, None] * H


def textbook_half(member: Member, S: dict, h: np.ndarray, targets, level: float) -> np.ndarray:
    """Model-based half-widths (assuming the model is right), for comparison only; NaN for the
    damped members, whose only interval is the calibrated one."""
    from scipy import stats

    q = 0.5 + level / 2
    with np.errstate(all="ignore"):
        if member.id == "naive":
            tq = stats.t.ppf(q, np.maximum(S["m"], 1))[:, None]
            return tq * np.sqrt(S["s2_naive"][:, None] * h)
        if member.id == "drift":
            tq = stats.t.ppf(q, np.maximum(S["m"] - 1, 1))[:, None]
            return tq * np.sqrt(S["s2_drift"][:, None] * (h + h * h / S["Sdt"][:, None]))
        if member.id == "linear":
            nn = S["n"][:, None].astype(float)
            s2 = S["ssr"][:, None] / (nn - 2)
            tt = np.asarray(targets, dtype=float)[None, :] - S["tmean"]
            tq = stats.t.ppf(q, np.maximum(nn - 2, 1))
            Sxx = S["Sxx"][:, None]
            return tq * np.sqrt(s2 * (1 + 1 / nn + (tt - S["tbar"][:, None]) ** 2 / Sxx))
    return np.full(h.shape, np.nan)
