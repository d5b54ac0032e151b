"""A projection's answer: value, interval, method, reason, and chances from one distribution."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bdg_analysis.projection.breaks import Break
from bdg_analysis.projection.calibration import ErrorDistribution
from bdg_analysis.projection.members import METHOD_NAMES
from bdg_analysis.projection.transforms import Transform

__all__ = ["Projection", "band"]


def _num(v: float) -> str:
    if not math.isfinite(v):
        return "nan"
    if abs(v) >= 10:
        return f"{v:,.1f}"
    if abs(v) >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


@dataclass(frozen=True)
class Projection:
    """A projection to ``to_year`` with its interval, method and the reason for both.

    ``value``, ``low`` and ``high`` are NaN when there is no projection (``method == "none"``).
    On the transformed scale the projected value is ``center_z + spread × E`` where ``E``
    follows ``distribution`` (signed scaled out-of-sample errors): the interval is read from
    its quantiles and every probability from its distribution function, so they agree.
    ``sigma_z`` is the standard deviation of a normal with the same interval (for display).
    ``reason_code`` is one of ``no_data``, ``one_point``, ``two_points``, ``short_series``,
    ``projected``, ``observed``, ``interpolated``, ``method_unavailable`` (and ``before_data``
    in ``project_many``); ``calibration`` says what the interval rests on (``pooled``,
    ``default``; ``data`` for an observed year, ``interpolation`` for a gap, ``none``).
    ``phi`` is the yearly damping of the trend, ``pool`` the pool in words, ``level_shift``
    the level shift the projection handled (None without one).
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
    spread: float = math.nan
    distribution: ErrorDistribution | None = field(default=None, repr=False, compare=False)
    phi: float = math.nan
    pool: str = ""
    level_shift: Break | None = None

    def __repr__(self) -> str:
        name = METHOD_NAMES.get(self.method, self.method)
        if self.method == "none":
            why = self.reason_code.replace("_", " ")
            return f"Projection({self.to_year}: no projection, {why})"
        if self.method == "observed":
            return f"Projection({self.to_year}: {_num(self.value)} observed)"
        if math.isfinite(self.phi):
            name += f" φ={self.phi:.2f}"
        extra = f", level shift {self.level_shift.year}" if self.level_shift is not None else ""
        pts = f"{self.n_points} point{'s' if self.n_points != 1 else ''}"
        return (
            f"Projection({self.to_year}: {_num(self.value)} [{_num(self.low)}–{_num(self.high)}] "
            f"{self.level:.0%}, {name}, {pts}{extra})"
        )

    __str__ = __repr__

    @property
    def available(self) -> bool:
        """True when there is a value (a projection, an observation or an interpolation)."""
        return self.method != "none" and math.isfinite(self.value)

    def _z(self, x: float) -> float:
        return float(self.transform.forward(np.array([x]))[0])

    def _below(self, x: float) -> float:
        """P(projected value on the transformed scale <= f(x)), for x inside the bounds."""
        zx = self._z(x)
        if math.isnan(zx):
            return 0.0
        if self.distribution is None or not self.spread > 0:
            return 1.0 if self.center_z <= zx else 0.0
        return float(self.distribution.cdf((zx - self.center_z) / self.spread))

    def probability_at_most(self, x: float) -> float:
        """P(value in ``to_year`` <= x) under the calibrated distribution."""
        if not self.available:
            return math.nan
        t = self.transform
        if t.lower is not None and x < t.lower:
            return 0.0
        if t.upper is not None and x >= t.upper:
            return 1.0
        return self._below(x)

    def probability_at_least(self, x: float) -> float:
        """P(value in ``to_year`` >= x); mass beyond a bound sits on the bound."""
        if not self.available:
            return math.nan
        t = self.transform
        if t.upper is not None and x > t.upper:
            return 0.0
        if t.lower is not None and x <= t.lower:
            return 1.0
        if self.distribution is None or not self.spread > 0:
            return 1.0 if self.center_z >= self._z(x) else 0.0
        return 1.0 - self._below(x)

    def probability_between(self, a: float, b: float) -> float:
        """P(a <= value in ``to_year`` <= b)."""
        if not self.available:
            return math.nan
        return max(0.0, self.probability_at_most(b) - (1.0 - self.probability_at_least(a)))

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
        if self.distribution is None or not self.spread > 0:
            return self.value
        z = self.center_z + self.spread * float(self.distribution.quantile(q))
        return float(self.transform.inverse(np.array([z]))[0])


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
