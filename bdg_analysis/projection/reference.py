"""statsmodels fits of the simple members, the reference the numpy members are checked against.

Used by the tests and the benchmark, never by a report: the engine computes every member in numpy
(many series at once), and these fits say it computes the textbook estimators (OLS for the linear
trend, weighted least squares on the increments for the drift, ETSModel for damped smoothing).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from bdg_analysis.projection.transforms import Transform

__all__ = ["fit"]


def fit(
    method: str,
    series: pd.Series,
    targets: Sequence[int],
    transform: Transform,
    level: float = 0.8,
    damped_params: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(point projections, textbook half-widths) on the transformed scale from statsmodels."""
    import statsmodels.api as sm
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    t = series.index.to_numpy().astype(float)
    z = transform.forward(series.to_numpy())
    targets = np.asarray(targets, dtype=float)
    alpha = 1 - level
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "linear":
            res = sm.OLS(z, sm.add_constant(t)).fit()
            frame = res.get_prediction(sm.add_constant(targets, has_constant="add")).summary_frame(
                alpha=alpha
            )
            mean = frame["mean"].to_numpy()
            return mean, frame["obs_ci_upper"].to_numpy() - mean
        h = targets - t[-1]
        if method == "drift":
            d, dt = np.diff(z), np.diff(t)
            res = sm.WLS(d, dt, weights=1.0 / dt).fit()
            mean = z[-1] + float(res.params[0]) * h
            if len(d) < 2:
                return mean, np.full(len(h), np.nan)
            var = res.scale * h + h * h * float(res.bse[0]) ** 2
            return mean, stats.t.ppf(1 - alpha / 2, res.df_resid) * np.sqrt(var)
        if method == "naive":
            d, dt = np.diff(z), np.diff(t)
            s2 = float(np.mean(d * d / dt))
            return np.full(len(h), z[-1]), stats.t.ppf(1 - alpha / 2, len(d)) * np.sqrt(s2 * h)
        if method == "damped":
            y = pd.Series(z, index=pd.RangeIndex(len(z)))
            model = ETSModel(
                y, error="add", trend="add", damped_trend=True, initialization_method="estimated"
            )
            if damped_params is None:
                from bdg_analysis.projection.ets import _damped_prefix

                D = _damped_prefix(z[None, :])
                damped_params = np.array(
                    [D[k][0, -1] for k in ("alpha", "beta", "phi", "l0", "b0")]
                )
            res = model.smooth(damped_params)
            hi = h.astype(int)
            frame = res.get_prediction(start=len(z), end=len(z) + int(hi.max()) - 1).summary_frame(
                alpha=alpha
            )
            mean = frame["mean"].to_numpy()[hi - 1]
            return mean, frame["pi_upper"].to_numpy()[hi - 1] - mean
    raise ValueError(f"no statsmodels reference for {method!r}")
