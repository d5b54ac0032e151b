"""The scale a series is projected on, chosen by the bound it moves towards, and back.

A trend is extended on a scale where a straight line is sensible and no bound can be crossed. A
series with one bound that it approaches (a rate falling towards 0) is projected on
``log(y - L)``: each year removes a share of what is left, so it slows and never passes the
bound (``-log(U - y)`` for an upper bound). A series moving *away* from its only bound (a rate
that rises) is projected on its own scale: a logarithm there would compound the growth, 20 years
out far beyond a straight line (issue 12). Shares have both bounds and always approach one of
them: they are projected on the logit scale, which slows near either bound (on the benchmark the
logit covered and ranked outcomes better than the log of the distance to the approached bound,
with the same accuracy). Every value, bound and probability is mapped back and clipped to the
bounds. ``transform="logit"``, ``"log"``, ``"neglog"`` and ``"identity"`` force a scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["KINDS", "Transform", "make_transform"]

KINDS = ("identity", "log", "neglog", "logit")
"""Codes 0-3 of the vectorised path, in this order."""

MARGIN = 0.005
"""Shares are mapped with a margin of 0.5 % of the range beyond the bound, so 0 % and 100 %
have finite images (a province at 100 % has a projection, and a target of 100 % a chance)."""

SCALE_FLOOR = {"logit": 0.01, "log": 0.002, "neglog": 0.002, "identity": 1e-3}
"""Smallest yearly movement assumed (transformed units; identity: relative to the level)."""

IDENTITY_ABS_FLOOR = 0.05
"""Absolute floor of the yearly movement on the identity scale (used for counts): without it a
flat run of zeros (0, 0, 0, 1) scales errors by ~0 and the interval explodes."""


@dataclass(frozen=True)
class Transform:
    """The scale a series is projected on, and back: ``z = f(y)``, increasing in ``y``.

    ``kind`` is ``log`` (``log(y - lower + delta)``), ``neglog`` (``-log(upper - y + delta)``),
    ``logit`` (both bounds, with a margin of 0.5 % of the range) or ``identity``; results are
    clipped to the bounds. ``delta`` keeps the logarithm finite on the bound: the share margin
    when both bounds are given, else half the smallest positive distance when a value sits on
    the bound.
    """

    kind: str
    lower: float | None = None
    upper: float | None = None
    delta: float = 0.0

    def forward(self, y):
        return forward(self.kind, np.asarray(y, dtype=float), self.lower, self.upper, self.delta)

    def inverse(self, z):
        return inverse(self.kind, np.asarray(z, dtype=float), self.lower, self.upper, self.delta)


def forward(kind: str, y: np.ndarray, lower, upper, delta) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "logit":
            m = MARGIN * (upper - lower)
            p = (y - lower + m) / (upper - lower + 2 * m)
            return np.log(p) - np.log1p(-p)
        if kind == "log":
            return np.log(y - lower + delta)
        if kind == "neglog":
            return -np.log(upper - y + delta)
    return y.astype(float, copy=True)


def inverse(kind: str, z: np.ndarray, lower, upper, delta) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        if kind == "logit":
            m = MARGIN * (upper - lower)
            y = lower - m + (upper - lower + 2 * m) / (1.0 + np.exp(-z))
        elif kind == "log":
            y = lower - delta + np.exp(z)
        elif kind == "neglog":
            y = upper + delta - np.exp(-z)
        else:
            y = z.astype(float, copy=True)
    if lower is not None:
        y = np.maximum(y, lower)
    if upper is not None:
        y = np.minimum(y, upper)
    return y


def _lone_bound_delta(distances: np.ndarray) -> np.ndarray:
    """Per row: 0 when every value is off the bound, else half the smallest positive distance
    (1 when every value sits on it)."""
    d = np.where(np.isfinite(distances), distances, np.inf)
    on = np.min(d, axis=-1) <= 0
    pos = np.min(np.where(d > 0, d, np.inf), axis=-1)
    return np.where(on, np.where(np.isfinite(pos), 0.5 * pos, 1.0), 0.0)


def choose_rows(
    Y: np.ndarray, slope: np.ndarray, lower, upper, mode: str = "auto"
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the kind code (index into :data:`KINDS`) and ``delta``.

    ``slope`` is the direction the projection will take (on the original scale): ``auto``
    uses the logit for shares (two bounds), the logarithm of the distance to a lone bound the
    series approaches, and the original scale when it moves away from its only bound.
    """
    N = Y.shape[0]
    if mode not in ("auto", *KINDS):
        raise ValueError(f"transform {mode!r} is not one of auto, {', '.join(KINDS)}")
    both = lower is not None and upper is not None
    if mode == "auto" and both:
        code = np.full(N, 3)
    elif mode == "auto":
        code = np.zeros(N, int)
        if lower is not None:
            code = np.where(slope < 0, 1, code)
        if upper is not None:
            code = np.where(slope > 0, 2, code)
    else:
        code = np.full(N, KINDS.index(mode))
        if mode == "logit" and not (both and upper > lower):
            raise ValueError("the logit transform needs lower < upper")
        if mode == "neglog" and upper is None:
            raise ValueError("the neglog transform needs an upper bound")
    delta = np.zeros(N)
    if both:
        delta = np.where((code == 1) | (code == 2), MARGIN * (upper - lower), 0.0)
    else:
        if (code == 1).any():
            lo = 0.0 if lower is None else lower
            delta = np.where(code == 1, _lone_bound_delta(Y - lo), delta)
        if (code == 2).any():
            delta = np.where(code == 2, _lone_bound_delta(upper - Y), delta)
    return code, delta


def forward_rows(code, Y, lower, upper, delta) -> np.ndarray:
    """Every row of ``Y`` on its own scale (``code`` and ``delta`` per row)."""
    Z = np.array(Y, dtype=float, copy=True)
    lo = 0.0 if lower is None else lower
    for k, kind in enumerate(KINDS[1:], start=1):
        rows = code == k
        if rows.any():
            Z[rows] = forward(kind, Y[rows], lo, upper, delta[rows, None])
    return Z


def inverse_rows(code, Z, lower, upper, delta) -> np.ndarray:
    """Back from each row's scale, clipped to the bounds (``Z`` is N x anything)."""
    Y = np.empty_like(Z, dtype=float)
    lo = 0.0 if lower is None else lower
    shape = (-1,) + (1,) * (Z.ndim - 1)
    for k, kind in enumerate(KINDS):
        rows = code == k
        if rows.any():
            d = delta[rows].reshape(shape)
            y = inverse(kind, Z[rows], lo if kind in ("log", "logit") else lower, upper, d)
            if lower is not None:
                y = np.maximum(y, lower)
            Y[rows] = y
    return Y


def scale_floor(code: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Smallest yearly movement per row (``level`` = mean absolute value, identity scale)."""
    floors = np.array([SCALE_FLOOR[k] for k in KINDS])[code]
    return np.where(code == 0, floors * np.abs(level) + IDENTITY_ABS_FLOOR, floors)


def make_transform(
    values, lower: float | None = None, upper: float | None = None, kind: str = "auto", years=None
) -> Transform:
    """The transform for a series with these bounds.

    ``kind="auto"`` follows the bound the series approaches (its trend: the mean of the
    whole-period, least-squares and recent slopes); ``values`` are in year order, ``years``
    (default consecutive) their years.
    """
    from bdg_analysis.projection.members import trend_slope

    y = np.asarray(values, dtype=float)[None, :]
    t = np.arange(y.shape[1], dtype=float) if years is None else np.asarray(years, dtype=float)
    slope = trend_slope(y, t) if kind == "auto" and y.shape[1] >= 2 else np.zeros(1)
    code, delta = choose_rows(y, np.nan_to_num(slope), lower, upper, kind)
    name = KINDS[int(code[0])]
    lo = None if lower is None else float(lower)
    up = None if upper is None else float(upper)
    if name == "log" and lo is None:
        lo = 0.0
    return Transform(name, lo, up, float(delta[0]))


def row_transform(code: int, delta: float, lower, upper) -> Transform:
    """The :class:`Transform` of one row of the vectorised path."""
    name = KINDS[int(code)]
    lo = None if lower is None else float(lower)
    up = None if upper is None else float(upper)
    if name == "log" and lo is None:
        lo = 0.0
    return Transform(name, lo, up, float(delta))
