"""bdg_analysis.projection, one series: the contract, bounds, gaps, probabilities, the repr."""

from __future__ import annotations

import math
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from bdg_analysis import projection as pj
from bdg_analysis.errors import BdgInputError


def logit_share(y, lower=0.0, upper=100.0):
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


# ---------------------------------------------------------------- the contract


def test_the_design_contract_is_importable_from_the_package():
    import bdg_analysis

    result = bdg_analysis.project(
        pd.Series([10.0, 11.0, 12.5, 13.0], index=[2019, 2020, 2022, 2023]), 2030
    )
    assert {"value", "low", "high", "method"} <= set(vars(result))
    assert result.low <= result.value <= result.high
    assert result.method == pj.FINAL and result.to_year == 2030 and result.level == 0.8


def test_a_projection_prints_as_one_readable_line():
    s = pd.Series([104.2, 106.0, 107.5, 108.1, 108.9], index=[2004, 2009, 2014, 2019, 2024])
    p = pj.project(s, 2030, lower=0)
    text = repr(p)
    assert "\n" not in text and text == str(p)
    assert text.startswith("Projection(2030: ")
    assert f"{p.value:.1f} [{p.low:.1f}–{p.high:.1f}] 80%" in text
    assert f"damped trend φ={p.phi:.2f}, 5 points)" in text
    none = pj.project(pd.Series([40.0], index=[2023]), 2030)
    assert repr(none) == "Projection(2030: no projection, one point)"
    assert repr(pj.project(s, 2014, lower=0)) == "Projection(2014: 107.5 observed)"


def test_two_point_series_is_projected_with_an_indicative_interval():
    s = pd.Series([40.0, 44.0], index=[2022, 2023])
    p = pj.project(s, 2030, lower=0, upper=100)
    assert p.method == pj.FINAL and p.reason_code == "two_points"
    assert p.calibration == "default" and not p.calibrated
    assert "two points" in p.reason and "indicative" in p.reason
    # the slope between the two points, damped: between the last value and the straight line
    assert 44.0 < p.value < 44.0 + 4.0 * 7
    assert p.low < 44.0 < p.high and p.high - p.low > 10
    assert p.horizon == 7 and p.n_points == 2 and p.last_year == 2023


def test_one_point_and_no_data_give_no_projection():
    one = pj.project(pd.Series([40.0], index=[2023]), 2030, lower=0, upper=100)
    assert one.method == "none" and one.reason_code == "one_point"
    assert math.isnan(one.value) and math.isnan(one.low) and not one.available
    assert math.isnan(one.probability_at_least(10))
    empty = pj.project(pd.Series([], dtype=float), 2030)
    assert empty.reason_code == "no_data"


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


# ---------------------------------------------------------------- bounds and scales


def test_share_that_would_pass_100_stays_inside_the_bounds():
    s = pd.Series([70.0, 80.0, 88.0, 93.0, 96.0, 98.0], index=range(2019, 2025))
    raw = pj.project(s, 2030, transform="identity", methods=("linear",))
    assert raw.value > 100  # a straight line on the raw scale leaves the bounds
    p = pj.project(s, 2030, lower=0, upper=100)
    assert p.transform.kind == "logit"  # a share: slows near either bound
    assert 0 <= p.low <= p.value <= p.high <= 100
    assert p.value > 98.0
    assert 0.0 <= p.probability_at_least(100.0) < 1.0
    assert p.probability_at_least(100.5) == 0.0  # beyond the bound: impossible
    assert p.probability_at_least(90.0) > 2 / 3  # on track for a target of 90
    lin = pj.project(s, 2030, lower=0, upper=100, methods=("linear",))
    assert lin.high <= 100 and lin.textbook_high <= 100


def test_the_scale_follows_the_bound_the_series_approaches():
    falling_rate = pd.Series([120.0, 95.0, 80.0, 66.0, 55.0, 46.0], index=range(2019, 2025))
    p = pj.project(falling_rate, 2030, lower=0)
    assert p.transform.kind == "log" and 0 < p.low <= p.value <= p.high
    rising_rate = pd.Series([46.0, 55.0, 66.0, 80.0, 95.0, 120.0], index=range(2019, 2025))
    assert pj.project(rising_rate, 2030, lower=0).transform.kind == "identity"
    falling_share = pd.Series([45.0, 41.0, 36.0, 33.0, 29.0], index=range(2020, 2025))
    assert pj.project(falling_share, 2030, lower=0, upper=100).transform.kind == "logit"
    rising_ratio = pd.Series([60.0, 70.0, 80.0, 85.0], index=range(2021, 2025))
    assert pj.project(rising_ratio, 2030, upper=100).transform.kind == "neglog"
    with_zero = pj.project(pd.Series([3.0, 2.0, 0.0, 1.0], index=range(2021, 2025)), 2030, lower=0)
    assert with_zero.transform.kind == "log" and with_zero.transform.delta == pytest.approx(0.5)
    assert with_zero.low >= 0
    forced = pj.project(falling_share, 2030, lower=0, upper=100, transform="log")
    assert forced.transform.kind == "log"


def test_a_5_yearly_rate_moving_away_from_its_bound_does_not_compound():
    """Issue 12: a bounded-below series observed every 5 years, projected 20 years ahead, ran
    on a log scale and compounded. It now runs on its own scale, damped."""
    s = pd.Series([10.0, 15.0, 22.5, 33.75, 50.6], index=range(2004, 2025, 5))
    p = pj.project(s, 2044, lower=0.0)
    assert p.transform.kind == "identity" and p.horizon == 20
    straight = 50.6 + (50.6 - 10.0) / 20 * 20  # drift, first to last, a straight line
    compounding = 50.6 * (50.6 / 10.0) ** (20 / 20)  # the same drift on a log scale
    assert 50.6 < p.value < straight < compounding
    assert p.high < compounding
    logged = pj.project(s, 2044, lower=0.0, transform="log", methods=("drift",))
    assert logged.value == pytest.approx(compounding, rel=1e-9)  # what it used to do


def test_a_count_that_sat_at_zero_keeps_a_finite_interval():
    counts = pd.Series([0, 0, 0, 1, 1, 1.0], index=range(2020, 2026))
    p = pj.project(counts, 2030, lower=0, transform="identity")
    assert p.low >= 0
    assert p.high < 20


# ---------------------------------------------------------------- gaps, observed years


def test_series_with_gaps_counts_calendar_years_and_damps_per_year():
    years = np.array([2010, 2012, 2014, 2016, 2018, 2020])
    s = pd.Series(2.0 * (years - 2010) + 20.0, index=years)  # exact line, every other year
    p = pj.project(s, 2030, transform="identity", methods=("damped_drift",))
    phi = p.phi
    assert 0 < phi < 1 and p.horizon == 10
    # slope 2 a year, damped once per calendar year (not once per observation)
    expected = 40.0 + 2.0 * sum(phi**j for j in range(1, 11))
    assert p.value == pytest.approx(expected, abs=1e-9)


def test_year_inside_a_gap_is_interpolated_and_an_observed_year_is_returned():
    s = pd.Series([30.0, 34.0, 40.0, 42.0], index=[2019, 2020, 2024, 2025])
    mid = pj.project(s, 2022, lower=0, upper=100)
    assert mid.method == "interpolated" and mid.reason_code == "interpolated"
    assert 34.0 < mid.value < 40.0
    assert mid.low < mid.value < mid.high
    obs = pj.project(s, 2024, lower=0, upper=100)
    assert obs.method == "observed" and obs.value == obs.low == obs.high == 40.0
    assert obs.probability_at_least(40.0) == 1.0 and obs.probability_at_least(40.1) == 0.0
    with pytest.raises(BdgInputError, match="before the first observation"):
        pj.project(s, 2015, lower=0, upper=100)


# ---------------------------------------------------------------- probabilities


def test_interval_and_probabilities_come_from_one_distribution():
    rng = np.random.default_rng(4)
    s = random_series(rng, 12)
    p = pj.project(s, 2030, lower=0, upper=100)
    assert p.probability_at_least(p.low) == pytest.approx(0.9, abs=1e-9)
    assert p.probability_at_most(p.high) == pytest.approx(0.9, abs=1e-9)
    assert p.probability_between(p.low, p.high) == pytest.approx(0.8, abs=1e-9)
    # the middle of the distribution too (issue 12: the normal through the 80% quantile put
    # too little mass there): the thirds are where the distribution says they are
    for q in (1 / 3, 0.5, 2 / 3):
        assert p.probability_at_most(p.quantile(q)) == pytest.approx(q, abs=1e-9)
    assert p.quantile(0.9) == pytest.approx(p.high, abs=1e-9)
    assert p.probability("ge", p.quantile(0.5)) == pytest.approx(0.5, abs=1e-9)
    assert p.distribution is not None and p.spread > 0


def test_interval_grows_with_horizon_and_level():
    rng = np.random.default_rng(5)
    s = random_series(rng, 10)
    path = pj.project_path(s, [2021, 2025, 2030], lower=0, upper=100)
    widths = [p.high - p.low for p in path]
    assert widths[0] < widths[1] < widths[2]
    assert len({p.method for p in path}) == 1 and len({p.phi for p in path}) == 1
    frame = pj.band(path)
    assert list(frame.columns) == ["year", "value", "low", "high"]
    assert frame["year"].tolist() == [2021, 2025, 2030]
    p95 = pj.project(s, 2030, lower=0, upper=100, level=0.95)
    assert p95.high - p95.low > widths[2]
    assert "95% interval" in p95.reason


def test_statsmodels_warnings_do_not_leak():
    rng = np.random.default_rng(10)
    s = random_series(rng, 13)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = pj.project(s, 2030, lower=0, upper=100, methods=("damped",))
        pj.project(s, 2030, lower=0, upper=100)
    assert p.method == "damped"


def test_a_projection_pickles_with_its_distribution():
    p = pj.project(random_series(np.random.default_rng(3), 9), 2030, lower=0, upper=100)
    q = pickle.loads(pickle.dumps(p))
    assert q.probability_at_least(50) == p.probability_at_least(50)
    assert repr(q) == repr(p)


# ---------------------------------------------------------------- one path for one or many


def test_project_many_matches_project_on_every_kind_of_row():
    rng = np.random.default_rng(9)
    series = [
        random_series(rng, n, gaps=g)
        for n, g in [(12, 0), (11, 0), (8, 0), (7, 2), (4, 0), (3, 0), (2, 0)]
    ]
    series.append(pd.Series([30.0, 34.0, 40.0], index=[2019, 2020, 2024]))  # gap at 2022
    series.append(pd.Series([41.0], index=[2022]))  # observed in the target year
    shift = pd.Series([50, 51, 52, 53, 54, 55, 62, 63, 64, 65, 66.0], index=range(2014, 2025))
    series.append(shift)
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
    many = pj.project_many(wide, 2030, lower=0, upper=100)
    assert many.iloc[-1]["break_year"] == 2020 and many.iloc[0]["break_year"] == -1
    two = pj.project_many(wide, 2030, lower=0, upper=100, jobs=2, chunk=3)
    pd.testing.assert_frame_equal(two, many)
