"""bdg_analysis.projection members: the numpy fits against statsmodels and plain loops."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bdg_analysis import projection as pj
from bdg_analysis.projection import ets, reference
from bdg_analysis.projection.members import MEMBERS, damped_sum


def random_series(rng, n, start=2010, gaps=0, drift=0.05):
    z = np.cumsum(rng.normal(drift, 0.15, n)) - 0.4
    years = np.arange(start, start + n)
    if gaps:
        keep = np.sort(rng.choice(np.arange(1, n - 1), n - 2 - gaps, replace=False))
        keep = np.r_[0, keep, n - 1]
        z, years = z[keep], years[keep]
    return pd.Series(100 / (1 + np.exp(-z)), index=years)


@pytest.mark.parametrize("method", ["naive", "drift", "linear", "damped"])
def test_numpy_members_equal_statsmodels(method):
    """The engine computes every member in numpy; statsmodels (OLS, WLS on increments,
    ETSModel) gives the same point projections and textbook intervals."""
    rng = np.random.default_rng(7)
    series = [
        random_series(rng, n, gaps=g)
        for n, g in [(12, 0), (10, 0), (14, 0), (6, 0), (9, 2), (5, 1), (3, 0)]
    ]
    if method == "damped":
        series = series[:3]
    checked = 0
    for s in series:
        p = pj.project(s, 2030, lower=0, upper=100, methods=(method,))
        if p.level_shift is not None:
            continue
        center, half = reference.fit(method, s, [2030], p.transform, level=0.8)
        assert p.center_z == pytest.approx(center[0], abs=1e-9)
        z_low = float(p.transform.forward(np.array([p.textbook_low]))[0])
        if np.isfinite(half[0]):
            assert p.center_z - z_low == pytest.approx(half[0], abs=1e-7)
        checked += 1
    assert checked >= 3


def _other_series() -> dict[str, pd.Series]:
    rng = np.random.default_rng(3)
    years = np.arange(2010, 2022)
    return {f"s{i}": pd.Series(20 + np.cumsum(rng.normal(1, 0.5, 12)), years) for i in range(6)}


def test_the_final_method_is_the_mean_of_three_damped_slopes():
    """With a pool (whose backtest judged the raw slopes when it chose φ) the final method is
    the mean of the three damped members."""
    s = pd.Series([10.0, 12.0, 13.0, 15.5, 16.0, 18.0], index=[2012, 2014, 2015, 2018, 2019, 2021])
    pool = pj.pooled_backtest_errors(_other_series(), transform="identity")
    p = pj.project(s, 2026, transform="identity", pooled_errors=pool)
    t, y = s.index.to_numpy(float), s.to_numpy()
    drift = (y[-1] - y[0]) / (t[-1] - t[0])
    ols = np.polyfit(t, y, 1)[0]
    recent = (y[-1] - y[-3]) / (t[-1] - t[-3])
    phi = p.phi
    expected = y[-1] + (drift + ols + recent) / 3 * sum(phi**j for j in range(1, 6))
    assert p.value == pytest.approx(expected, abs=1e-9)


def _shrunk_recent_by_hand(s: pd.Series) -> float:
    """The recent slope shrunk by its noise, in plain Python (notes §2.2)."""
    t, y = s.index.to_numpy(float), s.to_numpy()
    drift = (y[-1] - y[0]) / (t[-1] - t[0])
    ols = np.polyfit(t, y, 1)[0]
    recent = (y[-1] - y[-3]) / (t[-1] - t[-3])
    dt = np.diff(t)
    g = np.diff(y) / dt  # the slope of each interval
    bends = [(g[i] - g[i - 1]) ** 2 / (1 / dt[i] + 1 / dt[i - 1]) for i in range(1, len(g))]
    var = sum(bends) / len(bends)  # a random walk's yearly variance, from the bends
    v = var * (1 / (t[-1] - t[-3]) - 1 / (t[-1] - t[0]))
    other = (drift + ols) / 2
    d = recent - other
    return other + max(0.0, 1 - v / d**2) * d


def test_without_a_pool_the_recent_slope_is_shrunk_by_its_noise():
    """No pool has judged the slopes: the recent slope keeps only the part of its departure
    from the other two that exceeds what a random walk with the series' increments gives."""
    s = pd.Series([10.0, 12.0, 13.0, 15.5, 16.0, 18.0], index=[2012, 2014, 2015, 2018, 2019, 2021])
    p = pj.project(s, 2026, transform="identity")
    t, y = s.index.to_numpy(float), s.to_numpy()
    drift = (y[-1] - y[0]) / (t[-1] - t[0])
    ols = np.polyfit(t, y, 1)[0]
    recent = _shrunk_recent_by_hand(s)
    raw = (y[-1] - y[-3]) / (t[-1] - t[-3])
    assert abs(recent - (drift + ols) / 2) < abs(raw - (drift + ols) / 2)  # it was shrunk
    expected = y[-1] + (drift + ols + recent) / 3 * sum(p.phi**j for j in range(1, 6))
    assert p.value == pytest.approx(expected, abs=1e-9)


def test_a_noisy_recent_swing_is_dropped_and_a_clear_bend_kept():
    """A flat, noisy series whose last two years jump: the jump is within its noise, so the
    projection follows the whole-period slopes; a steady series that bends sharply keeps most
    of its recent slope."""
    years = np.arange(2010, 2021)
    noisy = pd.Series([110, 112, 109, 111, 113, 110, 112, 109, 111, 112.5, 113.5], years)
    p = pj.project(noisy, 2025, transform="identity")
    forced = pj.project(noisy, 2025, transform="identity", methods=("damped_drift",))
    linear = pj.project(noisy, 2025, transform="identity", methods=("damped_linear",))
    assert p.value == pytest.approx((forced.value + linear.value) / 2, abs=1e-9)
    bend = pd.Series(np.r_[np.full(8, 50.0) + np.arange(8) * 0.1, 51.7, 54.7, 57.7], years)
    q = pj.project(bend, 2025, transform="identity")
    raw = np.mean(
        [
            pj.project(bend, 2025, transform="identity", methods=(m,)).value
            for m in ("damped_drift", "damped_linear", "damped_recent")
        ]
    )
    no_recent = np.mean(
        [
            pj.project(bend, 2025, transform="identity", methods=(m,)).value
            for m in ("damped_drift", "damped_linear")
        ]
    )
    assert q.value > no_recent + 0.8 * (raw - no_recent)


def test_damped_sum_counts_calendar_years():
    assert damped_sum(0.9, 3) == pytest.approx(0.9 + 0.81 + 0.729)
    assert damped_sum(1.0, 7) == 7 and damped_sum(0.0, 7) == 0
    assert set(MEMBERS) >= {"naive", "drift", "linear", "damped_drift", "damped_trend", "damped"}


def test_damped_recursion_equals_statsmodels_ets():
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    rng = np.random.default_rng(8)
    z = np.cumsum(rng.normal(0.1, 0.2, 12))
    D = ets._damped_prefix(z[None, :])
    params = [D[k][0, -1] for k in ("alpha", "beta", "phi", "l0", "b0")]
    res = ETSModel(
        pd.Series(z), error="add", trend="add", damped_trend=True, initialization_method="estimated"
    ).smooth(params)
    assert res.sse == pytest.approx(D["sse"][0, -1], rel=1e-9)
    phi = params[2]
    ours = D["l"][0, -1] + sum(phi**j for j in range(1, 9)) * D["b"][0, -1]
    assert res.forecast(8).iloc[-1] == pytest.approx(ours, abs=1e-9)


def damped_prefix_one_grid_point_at_a_time(Z: np.ndarray, min_points: int = 8) -> dict:
    """The grid search written plainly, one (alpha, beta, phi) after another: the oracle
    for the vectorised ``ets._damped_prefix``."""
    N, T = Z.shape
    M = ~np.isnan(Z)
    Z0 = np.where(M, Z, 0.0)
    best = {
        "sse": np.full((N, T), np.inf),
        "l": np.full((N, T), np.nan),
        "b": np.full((N, T), np.nan),
        "alpha": np.full((N, T), np.nan),
        "beta": np.full((N, T), np.nan),
        "phi": np.full((N, T), np.nan),
        "l0": np.full((N, T), np.nan),
        "b0": np.full((N, T), np.nan),
    }
    for a, b, phi in ets._damped_grid():
        F = np.array([[1 - a, phi * (1 - a)], [-b, phi * (1 - b)]])
        c = np.empty((T, 2))
        G = np.empty((T, 2, 2))
        Fp = np.eye(2)
        for s in range(T):
            c[s] = np.array([1.0, phi]) @ Fp
            Fp = F @ Fp
            G[s] = Fp
        lvl = np.zeros(N)
        trd = np.zeros(N)
        ey = np.empty((N, T))
        Ly = np.empty((N, T))
        By = np.empty((N, T))
        for s in range(T):
            yhat = lvl + phi * trd
            e = Z0[:, s] - yhat
            ey[:, s] = e
            lvl = yhat + a * e
            trd = phi * trd + b * e
            Ly[:, s] = lvl
            By[:, s] = trd
        ey = np.where(M, ey, 0.0)
        Scc = np.cumsum(c[:, :, None] * c[:, None, :], 0)
        Sc0 = np.cumsum(ey * c[None, :, 0], 1)
        Sc1 = np.cumsum(ey * c[None, :, 1], 1)
        See = np.cumsum(ey * ey, 1)
        A11, A12, A22 = Scc[:, 0, 0], Scc[:, 0, 1], Scc[:, 1, 1]
        with np.errstate(all="ignore"):
            det = A11 * A22 - A12 * A12
            x0 = (A22 * Sc0 - A12 * Sc1) / det
            x1 = (A11 * Sc1 - A12 * Sc0) / det
        sse = See - (x0 * Sc0 + x1 * Sc1)
        sse[:, : min_points - 1] = np.inf
        sse = np.where(M & np.isfinite(sse), sse, np.inf)
        lend = Ly + G[None, :, 0, 0] * x0 + G[None, :, 0, 1] * x1
        bend = By + G[None, :, 1, 0] * x0 + G[None, :, 1, 1] * x1
        with np.errstate(invalid="ignore"):
            better = sse < best["sse"] - 1e-12 * np.abs(sse)
        best["sse"] = np.where(better, sse, best["sse"])
        for key, val in (
            ("l", lend),
            ("b", bend),
            ("alpha", a),
            ("beta", b),
            ("phi", phi),
            ("l0", x0),
            ("b0", x1),
        ):
            best[key] = np.where(better, val, best[key])
    return best


def test_vectorised_damped_grid_equals_the_plain_loop():
    rng = np.random.default_rng(21)
    for _ in range(25):
        n_rows, n_years = int(rng.integers(1, 30)), int(rng.integers(8, 18))
        Z = np.cumsum(rng.normal(0.4, 1.0, (n_rows, n_years)), 1) + 40
        for i in range(n_rows):  # left-aligned rows of different lengths
            Z[i, int(rng.integers(8, n_years + 1)) :] = np.nan
        plain = damped_prefix_one_grid_point_at_a_time(Z)
        fast = ets._damped_prefix(Z)
        for key, expected in plain.items():
            assert np.array_equal(np.isnan(expected), np.isnan(fast[key])), key
            if key in ("alpha", "beta", "phi"):  # the same grid point is chosen
                assert np.array_equal(expected, fast[key], equal_nan=True), key
            else:
                ok = np.isfinite(expected)
                assert np.allclose(fast[key][ok], expected[ok], rtol=1e-8, atol=1e-9), key


def test_damped_grid_in_row_chunks_equals_all_rows_at_once(monkeypatch):
    rng = np.random.default_rng(22)
    Z = np.cumsum(rng.normal(0.4, 1.0, (7, 10)), 1)
    whole = ets._damped_prefix(Z)
    monkeypatch.setattr(ets, "_DAMPED_CHUNK", 1)  # one row per chunk
    chunked = ets._damped_prefix(Z)
    for key in whole:
        assert np.array_equal(whole[key], chunked[key], equal_nan=True), key
