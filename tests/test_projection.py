"""Tests for bdg_analysis.projection: methods, choice, calibrated intervals, bounds, gaps."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bdg_analysis import projection as pj
from bdg_analysis.errors import BdgInputError


def logit_share(y, lower=0.0, upper=100.0):
    """The documented share transform, written out independently of the module."""
    m = 0.005 * (upper - lower)
    p = (np.asarray(y, float) - lower + m) / (upper - lower + 2 * m)
    return np.log(p / (1 - p))


def inv_share(z, lower=0.0, upper=100.0):
    m = 0.005 * (upper - lower)
    return np.clip(lower - m + (upper - lower + 2 * m) / (1 + np.exp(-np.asarray(z))), lower, upper)


def random_series(rng, n, start=2010, gaps=0, drift=0.05):
    z = np.cumsum(rng.normal(drift, 0.15, n)) - 0.4
    years = np.arange(start, start + n)
    if gaps:
        keep = np.sort(rng.choice(np.arange(1, n - 1), n - 2 - gaps, replace=False))
        keep = np.r_[0, keep, n - 1]
        z, years = z[keep], years[keep]
    return pd.Series(100 / (1 + np.exp(-z)), index=years)


# ---------------------------------------------------------------- worked examples


def test_two_point_series_carries_the_last_value_with_a_widened_interval():
    s = pd.Series([40.0, 44.0], index=[2022, 2023])
    p = pj.project(s, 2030, lower=0, upper=100)
    assert p.method == "naive" and p.reason_code == "two_points"
    assert p.calibration == "default_widened" and not p.calibrated
    assert "two points" in p.reason and "indicative" in p.reason
    z = logit_share([40.0, 44.0])
    half = pj.DEFAULT_K["naive"] * pj.SHORT_WIDEN * (7 + pj.H0) * abs(z[1] - z[0])
    assert p.value == pytest.approx(44.0, abs=1e-12)
    assert p.low == pytest.approx(inv_share(z[1] - half), abs=1e-9)
    assert p.high == pytest.approx(inv_share(z[1] + half), abs=1e-9)
    assert p.horizon == 7 and p.n_points == 2 and p.last_year == 2023


def test_one_point_and_no_data_give_no_projection():
    one = pj.project(pd.Series([40.0], index=[2023]), 2030, lower=0, upper=100)
    assert one.method == "none" and one.reason_code == "one_point"
    assert math.isnan(one.value) and math.isnan(one.low) and not one.available
    assert math.isnan(one.probability_at_least(10))
    empty = pj.project(pd.Series([], dtype=float), 2030)
    assert empty.reason_code == "no_data"


def test_share_that_would_pass_100_stays_inside_the_bounds():
    s = pd.Series([70.0, 80.0, 88.0, 93.0, 96.0, 98.0], index=range(2019, 2025))
    raw = pj.project(s, 2030, transform="identity", methods=("linear",))
    assert raw.value > 100  # a straight line on the raw scale leaves the bounds
    p = pj.project(s, 2030, lower=0, upper=100)
    assert p.transform.kind == "logit"
    assert 0 <= p.low <= p.value <= p.high <= 100
    assert p.value > 98.0
    assert 0.0 <= p.probability_at_least(100.0) < 1.0
    assert p.probability_at_least(100.5) == 0.0  # beyond the bound: impossible
    assert p.probability_at_most(0.0) < 1e-6
    lin = pj.project(s, 2030, lower=0, upper=100, methods=("linear",))
    assert lin.high <= 100 and lin.textbook_high <= 100


def test_series_with_gaps_counts_calendar_years():
    # an exact straight line on the logit scale, observed every other year
    years = np.array([2010, 2012, 2014, 2016, 2018, 2020])
    z = -1.0 + 0.1 * (years - 2010)
    s = pd.Series(inv_share(z), index=years)
    p = pj.project(s, 2030, lower=0, upper=100)
    assert "damped" not in p.candidates and "missing" in p.reason
    assert p.method in ("drift", "linear")
    assert p.value == pytest.approx(float(inv_share(-1.0 + 0.1 * 20)), abs=1e-9)
    assert p.horizon == 10


def test_year_inside_a_gap_is_interpolated_and_an_observed_year_is_returned():
    s = pd.Series([30.0, 34.0, 40.0, 42.0], index=[2019, 2020, 2024, 2025])
    mid = pj.project(s, 2022, lower=0, upper=100)
    assert mid.method == "interpolated" and mid.reason_code == "interpolated"
    zl, zr = logit_share([34.0, 40.0])
    assert mid.value == pytest.approx(float(inv_share((zl + zr) / 2)), abs=1e-9)
    assert mid.low < mid.value < mid.high
    obs = pj.project(s, 2024, lower=0, upper=100)
    assert obs.method == "observed" and obs.value == obs.low == obs.high == 40.0
    assert obs.probability_at_least(40.0) == 1.0 and obs.probability_at_least(40.1) == 0.0
    with pytest.raises(BdgInputError, match="before the first observation"):
        pj.project(s, 2015, lower=0, upper=100)


def test_an_exact_trend_is_followed_not_flattened():
    years = np.arange(2011, 2025)
    z = -2.0 + 0.08 * (years - 2011)
    s = pd.Series(inv_share(z), index=years)
    p = pj.project(s, 2030, lower=0, upper=100)
    assert p.method != "naive" and p.reason_code == "backtest"
    assert p.value == pytest.approx(float(inv_share(-2.0 + 0.08 * 19)), abs=1e-6)
    assert set(p.scores) == {"naive", "drift", "linear", "damped"}


def test_a_flat_series_with_noise_is_not_given_a_trend():
    s = pd.Series([50.0, 51.0, 50.0, 51.0, 50.0, 51.0, 50.0, 51.0], index=range(2017, 2025))
    p = pj.project(s, 2030, lower=0, upper=100)
    assert abs(p.value - 50.5) < 1.0


# ---------------------------------------------------------------- intervals and probabilities


def test_probability_is_consistent_with_the_interval():
    rng = np.random.default_rng(4)
    s = random_series(rng, 12)
    p = pj.project(s, 2030, lower=0, upper=100)
    assert p.probability_at_least(p.low) == pytest.approx(0.9, abs=1e-9)
    assert p.probability_at_most(p.high) == pytest.approx(0.9, abs=1e-9)
    assert p.probability_between(p.low, p.high) == pytest.approx(0.8, abs=1e-9)
    assert p.probability("ge", p.value) == pytest.approx(0.5, abs=1e-9)
    assert p.quantile(0.9) == pytest.approx(p.high, abs=1e-9)
    assert p.sigma_z == pytest.approx(
        (p.center_z - float(logit_share(p.low))) / stats.norm.ppf(0.9), rel=1e-9
    )


def test_interval_grows_with_horizon_and_level():
    rng = np.random.default_rng(5)
    s = random_series(rng, 10)
    path = pj.project_path(s, [2021, 2025, 2030], lower=0, upper=100)
    widths = [p.high - p.low for p in path]
    assert widths[0] < widths[1] < widths[2]
    assert len({p.method for p in path}) == 1
    frame = pj.band(path)
    assert list(frame.columns) == ["year", "value", "low", "high"]
    assert frame["year"].tolist() == [2021, 2025, 2030]
    p95 = pj.project(s, 2030, lower=0, upper=100, level=0.95)
    assert p95.high - p95.low > widths[2]
    assert "95% interval" in p95.reason


def test_calibrated_interval_is_wider_than_the_textbook_one_at_long_horizons():
    years = np.arange(2011, 2023)
    rng = np.random.default_rng(11)
    z = -1.5 + 0.05 * (years - 2011) + rng.normal(0, 0.03, len(years))
    p = pj.project(
        pd.Series(inv_share(z), index=years), 2030, lower=0, upper=100, methods=("linear",)
    )
    assert p.calibrated and p.calibration == "own+default"
    assert (p.high - p.low) > (p.textbook_high - p.textbook_low)


def test_pooled_errors_calibrate_short_series():
    rng = np.random.default_rng(6)
    others = [random_series(rng, 8, start=2016) for _ in range(30)]
    pooled = pj.pooled_backtest_errors(others, 0, 100)
    assert pooled.n_series == 30 and pooled.n_errors("drift") > 100
    assert set(pooled.selection) == set(pj.METHODS)
    short = pd.Series([40.0, 44.0, 45.0], index=[2021, 2022, 2023])
    alone = pj.project(short, 2030, lower=0, upper=100)
    with_pool = pj.project(short, 2030, lower=0, upper=100, pooled_errors=pooled)
    assert alone.calibration == "default_widened" and not alone.calibrated
    assert with_pool.calibration in ("own+pooled", "pooled") and with_pool.calibrated
    assert "pooled from 30 series" in with_pool.reason
    with pytest.raises(ValueError, match="other bounds"):
        pj.project(short, 2030, lower=0, upper=1000, pooled_errors=pooled)


# ---------------------------------------------------------------- statsmodels agreement


@pytest.mark.parametrize("method", ["naive", "drift", "linear", "damped"])
def test_vectorised_fits_equal_statsmodels(method):
    """project() fits with statsmodels (OLS, WLS, ETSModel); project_many() in numpy."""
    rng = np.random.default_rng(7)
    series = [
        random_series(rng, n, gaps=g)
        for n, g in [(12, 0), (10, 0), (14, 0), (6, 0), (9, 2), (5, 1), (3, 0)]
    ]
    if method == "damped":
        series = series[:3]
    wide = pd.DataFrame({i: s for i, s in enumerate(series)}).T
    many = pj.project_many(wide, 2030, lower=0, upper=100, methods=(method,))
    for i, s in enumerate(series):
        one = pj.project(s, 2030, lower=0, upper=100, methods=(method,))
        row = many.iloc[i]
        assert one.method == row["method"] == method
        assert one.center_z == pytest.approx(row["center_z"], abs=1e-9)
        assert one.sigma_z == pytest.approx(row["sigma_z"], abs=1e-9)
        for a, b in (
            (one.low, row["low"]),
            (one.high, row["high"]),
            (one.textbook_low, row["textbook_low"]),
            (one.textbook_high, row["textbook_high"]),
        ):
            if math.isnan(a):
                assert math.isnan(b)
            else:
                assert a == pytest.approx(b, abs=1e-9)


def test_damped_recursion_equals_statsmodels_ets():
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    rng = np.random.default_rng(8)
    z = np.cumsum(rng.normal(0.1, 0.2, 12))
    D = pj._damped_prefix(z[None, :])
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
    for the vectorised ``pj._damped_prefix``."""
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
    for a, b, phi in pj._damped_grid():
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
        fast = pj._damped_prefix(Z)
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
    whole = pj._damped_prefix(Z)
    monkeypatch.setattr(pj, "_DAMPED_CHUNK", 1)  # one row per chunk
    chunked = pj._damped_prefix(Z)
    for key in whole:
        assert np.array_equal(whole[key], chunked[key], equal_nan=True), key


def test_project_many_matches_project_on_chosen_methods_and_special_rows():
    rng = np.random.default_rng(9)
    series = [
        random_series(rng, n, gaps=g)
        for n, g in [(12, 0), (11, 0), (8, 0), (7, 2), (4, 0), (3, 0), (2, 0)]
    ]
    series.append(pd.Series([30.0, 34.0, 40.0], index=[2019, 2020, 2024]))  # gap at 2022
    series.append(pd.Series([41.0], index=[2022]))  # observed in the target year
    wide = pd.DataFrame({i: s for i, s in enumerate(series)}).T
    for year in (2030, 2022):
        many = pj.project_many(wide, year, lower=0, upper=100)
        for i, s in enumerate(series):
            try:
                one = pj.project(s, year, lower=0, upper=100)
            except BdgInputError:
                assert many.iloc[i]["method"] == "none"
                continue
            row = many.iloc[i]
            assert one.method == row["method"], (i, year)
            if one.available:
                assert one.value == pytest.approx(row["value"], abs=1e-9)
                assert one.low == pytest.approx(row["low"], abs=1e-9)
                assert one.high == pytest.approx(row["high"], abs=1e-9)


def test_statsmodels_warnings_do_not_leak():
    rng = np.random.default_rng(10)
    s = random_series(rng, 13)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = pj.project(s, 2030, lower=0, upper=100, methods=("damped",))
        pj.project(s, 2030, lower=0, upper=100)
    assert p.method == "damped"


# ---------------------------------------------------------------- inputs


def test_bad_inputs_name_the_year():
    with pytest.raises(BdgInputError, match="2021"):
        pj.project(pd.Series([1.0, 2.0], index=[2021, 2021]), 2030)
    with pytest.raises(BdgInputError, match="year 2022.*above the upper bound"):
        pj.project(pd.Series([90.0, 101.0], index=[2021, 2022]), 2030, lower=0, upper=100)
    with pytest.raises(BdgInputError, match="whole years"):
        pj.project(pd.Series([1.0, 2.0], index=["a", "b"]), 2030)
    with pytest.raises(ValueError):
        pj.project(pd.Series([1.0, 2.0], index=[2020, 2021]), 2030, level=1.5)
    with pytest.raises(ValueError):
        pj.project(pd.Series([1.0, 2.0], index=[2020, 2021]), 2030, methods=("theta",))


def test_rates_use_a_log_scale_and_stay_positive():
    s = pd.Series([120.0, 95.0, 80.0, 66.0, 55.0, 46.0], index=range(2019, 2025))
    p = pj.project(s, 2030, lower=0)
    assert p.transform.kind == "log"
    assert 0 < p.low <= p.value <= p.high
    with_zero = pj.project(pd.Series([3.0, 1.0, 0.0, 2.0], index=range(2021, 2025)), 2030, lower=0)
    assert with_zero.transform.delta == pytest.approx(0.5)
    assert with_zero.low >= 0


def test_a_count_that_sat_at_zero_keeps_a_finite_interval():
    # a province with no facility for three years, then one: errors scaled by a flat run of
    # zeros must not blow the interval up to billions (seen in the Quảng Ninh report)
    counts = pd.Series([0, 0, 0, 1, 1, 1.0], index=range(2020, 2026))
    p = pj.project(counts, 2030, lower=0, transform="identity")
    assert p.low >= 0
    assert p.high < 20


def test_the_design_contract_is_importable_from_the_package():
    import bdg_analysis

    result = bdg_analysis.project(
        pd.Series([10.0, 11.0, 12.5, 13.0], index=[2019, 2020, 2022, 2023]), 2030
    )
    assert {"value", "low", "high", "method"} <= set(vars(result))
    assert result.low <= result.value <= result.high
