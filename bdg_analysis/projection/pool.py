"""Errors pooled over the other series of one indicator: what a short provincial series borrows.

A province has eight or ten points; the other provinces' series of the same indicator have been
through the same surveys and the same shocks. :func:`pooled_backtest_errors` backtests every one of
them (cut at each observed year, each later value projected) and keeps the raw ingredients of
every error, by series: which series, how many points at the origin, the horizon, the change that
followed and the slopes at the origin. From them :class:`PooledErrors` derives, for any series,
the damping φ and the error distribution near its length and horizon. Because the errors are kept
by series, the assessed series and demonstration series are left out cheaply
(:meth:`PooledErrors.for_series`): a pool never judges a series by its own errors, and real
figures are never calibrated on made-up ones.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bdg_analysis.projection import transforms
from bdg_analysis.projection.calibration import (
    PRIOR_ESS,
    ErrorDistribution,
    default_calibration,
    growth,
    horizon_weights,
    learn_gamma,
    learn_phi,
    mase,
    pair_distribution,
    size_weights,
)
from bdg_analysis.projection.inputs import clean_series, prepare_rows, wide
from bdg_analysis.projection.members import FINAL, MEMBERS, Member, prefix_stats

__all__ = ["PooledErrors", "backtest_pairs", "pooled_backtest_errors"]

POOLED_SCALE_FRACTION = 0.2
"""With pooled errors, a series' yearly movement is taken as at least this share of the pool's
median (a series that happened not to move is not given a zero-width interval)."""

PAIR_KEYS = ("sid", "nk", "h", "dz", "mu", "b", "mu_r", "lin", "s")


def backtest_pairs(Z: np.ndarray, t: np.ndarray, code: np.ndarray) -> tuple[dict, np.ndarray]:
    """Every (origin, later observation) pair of every row of ``Z`` (transformed, yearly grid).

    Returns the pairs (``sid`` row, ``nk`` points at the origin, ``h`` years, ``dz`` change
    after the origin, the origin's slopes ``mu``, ``b``, ``mu_r``, ``lin`` = least-squares line
    minus last value at the origin, ``s`` yearly movement floored by scale) and each row's final
    yearly movement (NaN with fewer than two points).
    """
    N, T = Z.shape
    P = prefix_stats(Z, t)
    M = P["M"]
    floor = transforms.scale_floor(np.repeat(code[:, None], T, 1), P["absz"])
    s = np.maximum(np.nan_to_num(P["s"], nan=0.0), floor)
    ok_origin = M & (P["n"] >= 2)
    later = np.triu(np.ones((T, T), bool), 1)
    sel = ok_origin[:, :, None] & later[None, :, :] & M[:, None, :]
    i, k, j = np.nonzero(sel)
    pairs = {
        "sid": i,
        "nk": P["n"][i, k].astype(int),
        "h": t[j] - t[k],
        "dz": Z[i, j] - Z[i, k],
        "mu": P["mu"][i, k],
        "b": np.where(np.isfinite(P["b"][i, k]), P["b"][i, k], P["mu"][i, k]),
        "mu_r": P["mu_r"][i, k],
        "lin": P["a_l"][i, k] - P["zl"][i, k],
        "s": s[i, k],
    }
    n = P["n"][:, -1]
    final_scale = np.where(n >= 2, s[:, -1], np.nan)
    return pairs, final_scale


def _take(pairs: dict, keep: np.ndarray) -> dict:
    return {k: v[keep] for k, v in pairs.items()}


@dataclass(frozen=True, eq=False)
class PooledErrors:
    """Backtest pairs of many series of one indicator, kept by series.

    ``labels`` name the series (provinces), ``demo`` says which hold demonstration values,
    ``excluded`` which were left out (the assessed series) and ``demo_excluded`` whether
    demonstration series were. Use :meth:`for_series` before projecting a series of the pool.
    """

    labels: tuple[str, ...]
    demo: tuple[bool, ...]
    pairs: dict
    final_scale: np.ndarray
    lower: float | None
    upper: float | None
    transform: str = "auto"
    excluded: tuple[str, ...] = ()
    demo_excluded: bool = False
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    source = "pooled"

    # ------------------------------------------------------------------ what is in the pool
    @property
    def n_series(self) -> int:
        """Series that give at least one error (two points or more)."""
        return int(np.isfinite(self.final_scale).sum())

    @property
    def n_pairs(self) -> int:
        return int(self.pairs["h"].size)

    @property
    def n_demo(self) -> int:
        return int(sum(d for d, s in zip(self.demo, self.final_scale, strict=True) if s == s))

    @property
    def scale_median(self) -> float:
        s = self.final_scale[np.isfinite(self.final_scale)]
        return float(np.median(s)) if s.size else math.nan

    @property
    def transform_kind(self) -> str:
        """The transform mode the pool was built with (``auto`` or a forced kind)."""
        return self.transform

    def describe(self, lang: str = "en") -> str:
        """The pool in words for a report, e.g. "31 series of the same indicator (the assessed
        series and demonstration values excluded)"."""
        from bdg_analysis.words import word

        text = word("projection.pool_series", lang, n=self.n_series)
        notes = []
        if self.excluded:
            notes.append(word("projection.pool_without_self", lang))
        if self.demo_excluded:
            notes.append(word("projection.pool_without_demo", lang))
        elif self.n_demo:
            notes.append(word("projection.pool_with_demo", lang, n=self.n_demo))
        if notes:
            text += " (" + word("projection.and", lang).join(notes) + ")"
        return text

    # ------------------------------------------------------------------ leaving series out
    # ------------------------------------------------------------------ kept on disk
    def to_json(self) -> dict:
        """The pool as JSON values (arrays as lists; NaN kept), for the analysis cache, which
        holds no pickle."""
        return {
            "labels": list(self.labels),
            "demo": [bool(d) for d in self.demo],
            "pairs": {k: np.asarray(v).tolist() for k, v in self.pairs.items()},
            "final_scale": np.asarray(self.final_scale, float).tolist(),
            "lower": self.lower,
            "upper": self.upper,
            "transform": self.transform,
            "excluded": list(self.excluded),
            "demo_excluded": bool(self.demo_excluded),
        }

    @classmethod
    def from_json(cls, value: dict) -> PooledErrors:
        """A pool from :meth:`to_json`'s values; ValueError/KeyError/TypeError when they are
        not one."""
        pairs = {
            k: np.asarray(value["pairs"][k], int if k in ("sid", "nk") else float)
            for k in PAIR_KEYS
        }
        sizes = {v.shape for v in pairs.values()}
        if len(sizes) != 1 or len(next(iter(sizes))) != 1:
            raise ValueError("pool pairs of different lengths")
        labels = tuple(str(x) for x in value["labels"])
        final = np.asarray(value["final_scale"], float)
        if len(value["demo"]) != len(labels) or final.shape != (len(labels),):
            raise ValueError("pool series of different lengths")
        return cls(
            labels=labels,
            demo=tuple(bool(x) for x in value["demo"]),
            pairs=pairs,
            final_scale=final,
            lower=value["lower"],
            upper=value["upper"],
            transform=str(value["transform"]),
            excluded=tuple(str(x) for x in value["excluded"]),
            demo_excluded=bool(value["demo_excluded"]),
        )

    def without(self, *labels: str) -> PooledErrors:
        """The pool without the series named ``labels`` (unknown names are ignored)."""
        drop = {str(x) for x in labels}
        key = ("without", frozenset(drop))
        if key in self._memo:
            return self._memo[key]
        gone = np.array([lab in drop for lab in self.labels], bool)
        found = tuple(lab for lab in self.labels if lab in drop)
        result = self._subset(~gone, excluded=self.excluded + found)
        self._memo[key] = result
        return result

    def excluding_demo(self) -> PooledErrors:
        """The pool without the series that hold demonstration values."""
        key = ("no_demo",)
        if key not in self._memo:
            self._memo[key] = self._subset(~np.array(self.demo, bool), demo_excluded=True)
        return self._memo[key]

    def for_series(self, label: str | None, *, demo: bool = False) -> PooledErrors:
        """The pool to project the series ``label`` with: without that series, and without
        demonstration series unless the series itself holds demonstration values."""
        pool = self if label is None else self.without(label)
        return pool if demo else pool.excluding_demo()

    def _subset(self, keep_series: np.ndarray, **changes) -> PooledErrors:
        keep_pairs = keep_series[self.pairs["sid"]] if self.n_pairs else np.zeros(0, bool)
        fs = np.where(keep_series, self.final_scale, np.nan)
        args = {
            "labels": self.labels,
            "demo": self.demo,
            "pairs": _take(self.pairs, keep_pairs),
            "final_scale": fs,
            "lower": self.lower,
            "upper": self.upper,
            "transform": self.transform,
            "excluded": self.excluded,
            "demo_excluded": self.demo_excluded,
        }
        args.update(changes)
        return PooledErrors(**args)

    # ------------------------------------------------------------------ what the pool says
    def phi(self, n: int, member: Member | None = None) -> float:
        """The damping φ the pool's backtest chooses for a series of ``n`` points."""
        member = member or MEMBERS[FINAL]
        key = ("phi", member.id, int(n))
        if key not in self._memo:
            phi, _ = learn_phi(self.pairs, n, member) if self.n_pairs else (math.nan, {})
            if not math.isfinite(phi):
                phi = default_calibration().phi(n)
            self._memo[key] = phi
        return self._memo[key]

    def phi_scores(self, n: int, member: Member | None = None) -> dict:
        """The pool's mean absolute scaled error of every damping φ near ``n`` points."""
        member = member or MEMBERS[FINAL]
        key = ("phi_scores", member.id, int(n))
        if key not in self._memo:
            self._memo[key] = learn_phi(self.pairs, n, member)[1] if self.n_pairs else {}
        return self._memo[key]

    @property
    def reach(self) -> float:
        """The longest horizon (years) of the pool's backtest pairs: beyond it the errors'
        growth is extrapolated (:func:`~bdg_analysis.projection.calibration.growth`)."""
        return float(self.pairs["h"].max()) if self.n_pairs else math.inf

    def gamma(self, n: int, member: Member | None = None) -> float:
        """How the pool's errors grow with the horizon, ``(h + H0)^γ``, near ``n`` points."""
        member = member or MEMBERS[FINAL]
        if member.gap_free_points:
            member = MEMBERS[FINAL]
        key = ("gamma", member.id, int(n))
        if key not in self._memo:
            phi = self.phi(n, member) if member.damped else math.nan
            self._memo[key] = (
                learn_gamma(self.pairs, n, member, phi)
                if self.n_pairs
                else default_calibration().gamma(n)
            )
        return self._memo[key]

    def scores(self, n: int) -> dict[str, float]:
        """Pooled mean absolute scaled error of every member (each with its own φ) near ``n``
        points: what the pool's backtest says of each method."""
        key = ("scores", int(n))
        if key not in self._memo:
            out = {}
            for m in MEMBERS.values():
                if m.gap_free_points or not self.n_pairs:
                    continue
                phi = self.phi(n, m) if m.damped else math.nan
                out[m.id] = mase(self.pairs, n, m, phi)
            self._memo[key] = out
        return self._memo[key]

    def distribution(self, n: int, horizon: float, member: Member | None = None):
        """The error distribution for a series of ``n`` points at ``horizon`` years, blended
        with the default when the pool's pairs near there are few."""
        member = member or MEMBERS[FINAL]
        if member.gap_free_points:  # ETS errors are not pooled: use the final method's
            member = MEMBERS[FINAL]
        key = ("dist", member.id, int(n), float(horizon))
        if key in self._memo:
            return self._memo[key]
        phi = self.phi(n, member) if member.damped else math.nan
        gamma = self.gamma(n, member)
        dist = (
            pair_distribution(self.pairs, n, horizon, member, phi, gamma) if self.n_pairs else None
        )
        default = default_calibration()
        # the default's errors in this pool's units: both are scaled by (h + H0)^γ
        prior = default.distribution(n, horizon).scaled(
            float(growth(horizon, default.gamma(n)) / growth(horizon, gamma, self.reach))
        )
        if dist is None:
            dist = prior
        else:
            ess = self._series_ess(n, horizon)
            wgt = ess / (ess + PRIOR_ESS)
            dist = ErrorDistribution(*_mix(dist, prior, wgt), n_pairs=dist.n_pairs, ess=dist.ess)
        self._memo[key] = dist
        return dist

    def _series_ess(self, n: int, horizon: float) -> float:
        """Effective number of *series* behind the distribution near ``n`` points and
        ``horizon``: the pairs of one series share its errors, so they count as one."""
        w = size_weights(self.pairs, n) * horizon_weights(self.pairs["h"], horizon)
        per = np.bincount(self.pairs["sid"], weights=w)
        tot = float(per.sum())
        return tot * tot / float((per * per).sum()) if tot > 0 else 0.0

    def n_errors(self, method: str | None = None) -> int:
        """Backtest pairs in the pool (the same for every method)."""
        return self.n_pairs


def _mix(a: ErrorDistribution, b: ErrorDistribution, wa: float):
    m = a.mixture(b, wa)
    return m.x, m.p


def _labels_and_series(series, labels, demo):
    if isinstance(series, Mapping):
        items = list(series.items())
        labels = [str(k) for k, _ in items]
        series = [v for _, v in items]
    else:
        series = list(series)
        if labels is None:
            names = [s.name if isinstance(s, pd.Series) else None for s in series]
            distinct = None not in names and len(set(map(str, names))) == len(names)
            labels = [str(n) for n in names] if distinct else [str(i) for i in range(len(series))]
        labels = [str(x) for x in labels]
    if len(labels) != len(series):
        raise ValueError("labels must name every series")
    if len(set(labels)) != len(labels):
        raise ValueError("labels must be distinct")
    if demo is None:
        flags = [False] * len(series)
    elif isinstance(demo, Mapping):
        flags = [bool(demo.get(lab, False)) for lab in labels]
    elif isinstance(demo, (set, frozenset)):
        flags = [lab in {str(d) for d in demo} for lab in labels]
    else:
        flags = [bool(d) for d in demo]
        if len(flags) != len(series):
            raise ValueError("demo must flag every series")
    return series, labels, flags


def pooled_backtest_errors(
    series_list: Iterable[pd.Series] | Mapping[str, pd.Series],
    lower: float | None = None,
    upper: float | None = None,
    *,
    transform: str = "auto",
    labels: Iterable[str] | None = None,
    demo=None,
) -> PooledErrors:
    """Backtest errors of many series of one indicator, kept by series.

    ``series_list`` is a mapping ``{label: series}`` (e.g. province name to values by year) or
    a list of series (labelled by ``labels``, else by the Series' names when they are distinct,
    else by position).
    ``demo`` flags the series that hold demonstration values: a set of labels, a mapping
    label -> bool or one bool per series. Only history is used: nothing after each series'
    last observation. Give the result's :meth:`PooledErrors.for_series` to :func:`project`.

    Examples
    --------
    >>> pool = pooled_backtest_errors({"Lai Châu": s1, "Điện Biên": s2, ...}, 0, 100,
    ...                               demo={"Điện Biên"})
    >>> project(s1, 2030, lower=0, upper=100, pooled_errors=pool.for_series("Lai Châu"))
    """
    series, labs, flags = _labels_and_series(series_list, labels, demo)
    lo = None if lower is None else float(lower)
    up = None if upper is None else float(upper)
    frames = {}
    for i, s in enumerate(series):
        c = clean_series(s, lower, upper, f"series {labs[i]}")
        if len(c):
            frames[i] = c
    empty_pairs = {k: np.zeros(0, int if k in ("sid", "nk") else float) for k in PAIR_KEYS}
    final_scale = np.full(len(series), np.nan)
    if not frames:
        return PooledErrors(tuple(labs), tuple(flags), empty_pairs, final_scale, lo, up, transform)
    if transform not in ("auto", *transforms.KINDS):
        raise ValueError(f"transform {transform!r} is not one of auto, logit, log, identity")
    frame = pd.DataFrame({i: frames[i] for i in frames}).T
    Y, yrs, idx = wide(frame)
    R = prepare_rows(Y, yrs, lower, upper, transform)
    pairs, fs = backtest_pairs(R["Z"], yrs.astype(float), R["code"])
    finite = fs[np.isfinite(fs)]
    if finite.size:
        pairs["s"] = np.maximum(pairs["s"], POOLED_SCALE_FRACTION * float(np.median(finite)))
    rows = np.asarray(idx, dtype=int)
    pairs["sid"] = rows[pairs["sid"]]
    final_scale[rows] = fs
    return PooledErrors(tuple(labs), tuple(flags), pairs, final_scale, lo, up, transform)
