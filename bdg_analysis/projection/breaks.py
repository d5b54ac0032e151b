"""Level shifts in a series: the robust z rule of year-on-year changes, and what a projection does.

A new survey method or a change of definition moves a series by several years' worth of change in
one step. Fitting a trend across that step reads the jump as a slope and the slope's scatter as
noise, so the projection runs off and its interval triples. The rule that finds the step is the
one :func:`bdg_analysis.quality.outliers` shows in notebooks (it imports it from here): a change
per year whose robust z-score, against the series' own median change, exceeds 3.5 (Iglewicz and
Hoaglin 1993), judged only when the series has at least five changes. A flagged change followed at
once by a flagged change of the other sign is a spike (out and back), not a shift, and is left
alone, and so is a jump that does not last (fewer than two points from it on, or a median of those
points less than half the jump away from where the earlier level was heading). For the latest
lasting shift, the projection models the segment after it when that segment has
:data:`SEGMENT_MIN_POINTS` points; otherwise the values before it are moved by the excess of the
jump over the series' median change, so the trend is read across the step at the new level.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "MIN_CHANGES",
    "SEGMENT_MIN_POINTS",
    "Z_THRESHOLD",
    "Break",
    "detect_rows",
    "precision",
    "precision_rows",
    "robust_scale",
    "robust_z",
    "robust_z_rows",
]

#: Flag a year-on-year change whose robust z-score exceeds this (Iglewicz and Hoaglin, 1993).
Z_THRESHOLD = 3.5
#: A series needs at least this many year-on-year changes before its own history is a yardstick.
MIN_CHANGES = 5
#: Points after a level shift needed to project from that segment alone.
SEGMENT_MIN_POINTS = 5
#: 0.6745 is the 75th percentile of the standard normal: MAD / 0.6745 estimates the std. dev.
_MAD_FACTOR = 0.6745
#: When MAD is 0, the mean absolute deviation times 1.2533 (sqrt(pi/2)) estimates it instead.
_MEANAD_FACTOR = 1.253314
#: 1.349 is the interquartile range of the standard normal: IQR / 1.349 estimates the std. dev.
_IQR_FACTOR = 1.349


def robust_scale(
    values: Sequence[float] | np.ndarray, floor: float = 0.0
) -> tuple[float, float, float]:
    """The median, MAD and robust standard deviation σ that :func:`robust_z` judges by.

    σ is the larger of MAD / 0.6745 and IQR / 1.349: both estimate the standard deviation of
    normal changes, but the IQR stays wide when a series changes direction (rising, then
    falling), where the MAD of two tight clusters would flag every ordinary year. When the MAD
    is 0, σ is at least 1.2533 × the mean absolute deviation. NaN where undefined (fewer than
    two finite values, or every value equal). ``floor`` is the smallest MAD taken.
    """
    x = np.asarray(values, dtype="float64")
    x = x[np.isfinite(x)]
    if x.size < 2:
        return math.nan, math.nan, math.nan
    med = float(np.median(x))
    dev = np.abs(x - med)
    # changes of rounded figures differ by float noise (0.03 - 0.02 != 0.01): below this, 0
    noise = 1e-9 * max(1.0, float(np.max(np.abs(x))))
    dev = np.where(dev < noise, 0.0, dev)
    mad = max(float(np.median(dev)), floor)
    q1, q3 = np.percentile(x, [25, 75])
    iqr = float(q3 - q1) if q3 - q1 > noise else 0.0
    sigma = max(mad / _MAD_FACTOR, iqr / _IQR_FACTOR)
    if mad <= noise:  # more than half the changes equal the median
        sigma = max(sigma, _MEANAD_FACTOR * float(dev.mean()))
    if sigma <= noise:
        return med, mad, math.nan
    return med, mad, sigma


def robust_z(changes: Sequence[float] | np.ndarray, floor: float = 0.0) -> np.ndarray:
    """Robust z-scores, (x - median) / σ with σ from :func:`robust_scale`, so one wild value
    cannot hide itself by inflating the yardstick; NaN where undefined.

    Differences below float noise (1e-9 of the largest value) count as 0. ``floor`` is the
    smallest MAD taken (e.g. the precision figures are published at), so a very smooth series
    does not flag a change of one rounding step.

    Examples
    --------
    >>> quality.robust_z([1, 1.2, 0.9, 1.1, 6.0])   # the last change stands out
    """
    x = np.asarray(changes, dtype="float64")
    out = np.full(x.shape, np.nan)
    med, _, sigma = robust_scale(x, floor)
    finite = np.isfinite(x)
    if not np.isfinite(sigma):
        return out
    values = x[finite]
    dev = np.abs(values - med)
    noise = 1e-9 * max(1.0, float(np.max(np.abs(values))))
    dev = np.where(dev < noise, 0.0, dev)
    out[finite] = np.sign(values - med) * dev / sigma
    return out


def precision(values: Sequence[float] | np.ndarray) -> float:
    """The step figures are published at: 0.1 for 112.3, 111.4; 1 for 46, 52; 0 when the values
    carry more than six decimals (computed figures, e.g. put together from former provinces)."""
    x = np.asarray(values, dtype="float64")
    x = x[np.isfinite(x)]
    if not x.size:
        return 0.0
    for decimals in range(7):
        scaled = x * 10.0**decimals
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return 10.0**-decimals
    return 0.0


# --------------------------------------------------------------------------------------------
# The same rules on every row of a matrix at once (many series)
# --------------------------------------------------------------------------------------------


def precision_rows(Y: np.ndarray) -> np.ndarray:
    """:func:`precision` of every row of ``Y`` (NaN = missing)."""
    out = np.zeros(Y.shape[0])
    done = np.zeros(Y.shape[0], bool)
    ok = np.isfinite(Y)
    for decimals in range(7):
        scaled = np.where(ok, Y, 0.0) * 10.0**decimals
        exact = np.all(np.abs(scaled - np.round(scaled)) < 1e-6, axis=1) & ~done
        out[exact] = 10.0**-decimals
        done |= exact
    return out


def _row_percentiles(X: np.ndarray, qs) -> list[np.ndarray]:
    """Percentiles (numpy's linear rule) of every row of ``X``, NaN ignored: by sorting once,
    far faster than ``np.nanpercentile`` on many short rows."""
    S = np.sort(X, axis=1)  # NaN last
    c = np.isfinite(X).sum(1)
    ar = np.arange(X.shape[0])
    out = []
    for q in qs:
        pos = np.maximum(c - 1, 0) * q
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, np.maximum(c - 1, 0))
        frac = pos - lo
        v = S[ar, lo] * (1 - frac) + S[ar, hi] * frac
        out.append(np.where(c > 0, np.where(frac > 0, v, S[ar, lo]), np.nan))
    return out


def robust_z_rows(C: np.ndarray, floor: np.ndarray | float = 0.0) -> np.ndarray:
    """:func:`robust_z` of every row of ``C`` (NaN = no change), with a per-row ``floor``."""
    N = C.shape[0]
    out = np.full(C.shape, np.nan)
    fin = np.isfinite(C)
    cnt = fin.sum(1)
    rows = cnt >= 2
    if not rows.any():
        return out
    X = np.where(fin, C, np.nan)[rows]
    F = fin[rows]
    floor = np.broadcast_to(np.asarray(floor, dtype=float), (N,))[rows]
    with np.errstate(all="ignore"):
        (med,) = _row_percentiles(X, [0.5])
        noise = 1e-9 * np.maximum(1.0, np.nanmax(np.abs(X), 1))
        dev = np.abs(X - med[:, None])
        dev = np.where(dev < noise[:, None], 0.0, dev)
        (mad,) = _row_percentiles(dev, [0.5])
        mad = np.maximum(mad, floor)
        q1, q3 = _row_percentiles(X, [0.25, 0.75])
        iqr = np.where(q3 - q1 > noise, q3 - q1, 0.0)
        sigma = np.maximum(mad / _MAD_FACTOR, iqr / _IQR_FACTOR)
        meanad = np.nanmean(dev, 1)
        sigma = np.where(mad <= noise, np.maximum(sigma, _MEANAD_FACTOR * meanad), sigma)
        sigma = np.where(sigma <= noise, np.nan, sigma)
        z = np.sign(X - med[:, None]) * dev / sigma[:, None]
    out[rows] = np.where(F, z, np.nan)
    return out


@dataclass(frozen=True)
class Break:
    """The latest level shift of a series: the year it lands in, its size and what was done.

    ``action`` is ``segment`` (the projection uses the points from ``year`` on) or ``shifted``
    (the values before ``year`` were moved by ``shift``); ``z`` is the change's robust z-score.
    """

    year: int
    previous_year: int
    change: float
    z: float
    action: str
    shift: float = 0.0
    n_after: int = 0

    def sentence(self) -> str:
        """The reason's sentence about the break."""
        what = (
            f"the projection uses the {self.n_after} points from {self.year} on"
            if self.action == "segment"
            else f"values before {self.year} are moved by {self.shift:+.3g} so the trend is "
            "read across the step at the new level"
        )
        return (
            f"A level shift between {self.previous_year} and {self.year} "
            f"({self.change:+.3g} a year, robust z {self.z:.1f} > {Z_THRESHOLD:g}, the rule "
            f"of the outlier table): {what}."
        )


def detect_rows(Y: np.ndarray, years: np.ndarray) -> dict:
    """Find the latest level shift of every row of ``Y`` (N x T on consecutive ``years``) and
    return the rows to project: ``Y`` with the segment before a shift blanked (``segment``) or
    moved (``shifted``), plus per-row ``col`` (column of the shift, -1 for none), ``prev_col``,
    ``z``, ``change`` (per year), ``shift`` and ``segment`` (bool).
    """
    N, T = Y.shape
    obs = np.isfinite(Y)
    cols = np.arange(T)
    idx = np.where(obs, cols, -1)
    last = np.maximum.accumulate(idx, 1)
    prev = np.concatenate([np.full((N, 1), -1), last[:, :-1]], 1)
    has_prev = obs & (prev >= 0)
    prev0 = np.maximum(prev, 0)
    rows_ar = np.arange(N)[:, None]
    with np.errstate(all="ignore"):
        C = np.where(has_prev, (Y - Y[rows_ar, prev0]) / (years[None, :] - years[prev0]), np.nan)
    n_changes = has_prev.sum(1)
    out = {
        "Y": Y,
        "col": np.full(N, -1),
        "prev_col": np.full(N, -1),
        "z": np.full(N, np.nan),
        "change": np.full(N, np.nan),
        "shift": np.zeros(N),
        "segment": np.zeros(N, bool),
    }
    cand = n_changes >= MIN_CHANGES
    if not cand.any():
        return out
    Z = np.full((N, T), np.nan)
    Z[cand] = robust_z_rows(C[cand], precision_rows(Y[cand]))
    hit = np.abs(Z) > Z_THRESHOLD
    # the next observed change of each change: a flagged pair of opposite signs is a spike
    nxt_z = np.full((N, T), np.nan)
    for i in np.flatnonzero(hit.any(1)):
        cz = np.flatnonzero(np.isfinite(Z[i]))
        nxt_z[i, cz[:-1]] = Z[i, cz[1:]]
    spike_start = hit & (np.abs(nxt_z) > Z_THRESHOLD) & (np.sign(nxt_z) != np.sign(Z))
    # the return leg of a spike is the change after a spike start
    ret = np.zeros((N, T), bool)
    for i, j in zip(*np.nonzero(spike_start), strict=True):
        cz = np.flatnonzero(np.isfinite(Z[i]))
        k = cz[np.searchsorted(cz, j) + 1]
        ret[i, k] = True
    shift_hit = hit & ~spike_start & ~ret
    any_hit = shift_hit.any(1)
    if not any_hit.any():
        return out
    col = np.where(any_hit, T - 1 - np.argmax(shift_hit[:, ::-1], 1), -1)
    r = np.flatnonzero(any_hit)
    c = col[r]
    pc = prev[r, c]
    after = obs[r] & (cols[None, :] >= c[:, None])
    n_after = after.sum(1)
    (med,) = _row_percentiles(np.where(np.isfinite(C[r]) & ~shift_hit[r], C[r], np.nan), [0.5])
    med = np.nan_to_num(med)
    dt = years[c] - years[pc]
    jump = Y[r, c] - Y[r, pc]
    excess = jump - med * dt
    # a shift must last: the points from it on stay, in the median, at least half the excess
    # away from where the earlier level would have gone (one point cannot tell a shift from an
    # outlier; a jump that falls back is noise)
    expected = Y[r, pc][:, None] + med[:, None] * (years[None, :] - years[pc][:, None])
    away = np.where(after, (Y[r] - expected) * np.sign(excess)[:, None], np.nan)
    (held,) = _row_percentiles(away, [0.5])
    lasting = (n_after >= 2) & (held >= 0.5 * np.abs(excess))
    if not lasting.any():
        return out
    r, c, pc, n_after, med, excess = (
        r[lasting],
        c[lasting],
        pc[lasting],
        n_after[lasting],
        med[lasting],
        excess[lasting],
    )
    Yn = Y.copy()
    seg = n_after >= SEGMENT_MIN_POINTS
    before = cols[None, :] < c[:, None]
    Yr = Yn[r]
    Yr = np.where(before & seg[:, None], np.nan, Yr)
    Yr = np.where(before & ~seg[:, None], Yr + excess[:, None], Yr)
    Yn[r] = Yr
    out.update(Y=Yn)
    out["col"][r] = c
    out["prev_col"][r] = pc
    out["z"][r] = Z[r, c]
    out["change"][r] = C[r, c]
    out["shift"][r] = np.where(seg, 0.0, excess)
    out["segment"][r] = seg
    return out


def break_of_row(info: dict, i: int, years: np.ndarray) -> Break | None:
    """The :class:`Break` of row ``i`` of a :func:`detect_rows` result (None without one)."""
    c = int(info["col"][i])
    if c < 0:
        return None
    seg = bool(info["segment"][i])
    Y = info["Y"][i]
    return Break(
        year=int(years[c]),
        previous_year=int(years[int(info["prev_col"][i])]),
        change=float(info["change"][i]),
        z=float(info["z"][i]),
        action="segment" if seg else "shifted",
        shift=float(info["shift"][i]),
        n_after=int(np.isfinite(Y[c:]).sum()),
    )
