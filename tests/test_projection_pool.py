"""Projection pools: errors kept by series, the assessed series and demo series left out."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from bdg_analysis import projection as pj


def share(z):
    """The inverse of the engine's logit (margin 0.5 of 100)."""
    return -0.5 + 101 / (1 + np.exp(-np.asarray(z)))


def trending(rng, n=8, start=2016, slope=0.08, noise=0.05):
    z = -1.0 + slope * np.arange(n) + rng.normal(0, noise, n)
    return pd.Series(share(z), index=range(start, start + n))


def walk(rng, n=8, start=2016):
    z = np.cumsum(rng.normal(0, 0.15, n)) - 0.5
    return pd.Series(100 / (1 + np.exp(-z)), index=range(start, start + n))


@pytest.fixture
def provinces():
    rng = np.random.default_rng(6)
    series = {f"P{i:02d}": trending(rng) for i in range(30)}
    demo = {f"P{i:02d}" for i in range(25, 30)}
    return series, demo


def test_the_pool_keeps_errors_by_series_and_leaves_the_assessed_one_out(provinces):
    series, demo = provinces
    pool = pj.pooled_backtest_errors(series, 0, 100, demo=demo)
    assert pool.n_series == 30 and pool.n_demo == 5
    per_series = np.bincount(pool.pairs["sid"], minlength=30)
    assert pool.labels[0] == "P00" and per_series.max() == 21  # 8 points: 6+5+...+1 pairs
    own = pool.for_series("P03")
    assert own.n_pairs == pool.n_pairs - per_series[3] - per_series[25:].sum()
    assert own.n_series == 24 and own.excluded == ("P03",) and own.demo_excluded
    sid_p03 = pool.labels.index("P03")
    assert sid_p03 not in set(own.pairs["sid"].tolist())
    assert not any(pool.demo[i] for i in set(own.pairs["sid"].tolist()))
    # a demonstration series is judged with the demonstration series, but never with itself
    demo_own = pool.for_series("P27", demo=True)
    assert demo_own.n_series == 29 and not demo_own.demo_excluded
    assert pool.labels.index("P27") not in set(demo_own.pairs["sid"].tolist())
    assert pool.without("P03") is pool.without("P03")  # cheap: computed once
    assert pool.without("nowhere").n_series == 30


def test_the_pool_is_described_for_reports(provinces):
    series, demo = provinces
    pool = pj.pooled_backtest_errors(series, 0, 100, demo=demo)
    described = pool.describe("en")
    assert described == "30 series of the same indicator (5 of them with demonstration values)"
    text = pool.for_series("P03").describe("en")
    assert text == (
        "24 series of the same indicator (the assessed series excluded and demonstration "
        "values excluded)"
    )
    assert pool.for_series("P03").describe("vi").startswith("24 chuỗi số liệu cùng chỉ tiêu")


def test_a_projection_says_which_pool_it_used(provinces):
    series, demo = provinces
    pool = pj.pooled_backtest_errors(series, 0, 100, demo=demo)
    short = pd.Series([40.0, 44.0, 45.0], index=[2021, 2022, 2023])
    alone = pj.project(short, 2030, lower=0, upper=100)
    with_pool = pj.project(short, 2030, lower=0, upper=100, pooled_errors=pool.for_series("X"))
    assert alone.calibration == "default" and not alone.calibrated
    assert with_pool.calibration == "pooled" and with_pool.calibrated
    assert with_pool.pool == "25 series of the same indicator (demonstration values excluded)"
    assert with_pool.pool in with_pool.reason
    assert set(with_pool.scores) >= {"naive", "drift", "damped_trend"}
    with pytest.raises(ValueError, match="other bounds"):
        pj.project(short, 2030, lower=0, upper=1000, pooled_errors=pool)


def test_the_pool_learns_how_much_to_damp():
    rng = np.random.default_rng(7)
    lines = pj.pooled_backtest_errors([trending(rng, 12, noise=0.0) for _ in range(20)], 0, 100)
    walks = pj.pooled_backtest_errors([walk(rng, 12) for _ in range(20)], 0, 100)
    assert lines.phi(10) == 1.0  # exact trends: undamped
    assert walks.phi(10) <= 0.5  # random walks: damped towards flat
    s = trending(rng, 10, noise=0.0)
    p = pj.project(s, 2030, lower=0, upper=100, pooled_errors=lines)
    z_last = np.log(s.iloc[-1] + 0.5) - np.log(100.5 - s.iloc[-1])  # logit, 0.5 margin
    assert p.center_z == pytest.approx(z_last + 0.08 * (2030 - s.index[-1]), abs=1e-6)


def test_pool_pickles_and_keeps_working(provinces):
    series, demo = provinces
    pool = pj.pooled_backtest_errors(series, 0, 100, demo=demo)
    back = pickle.loads(pickle.dumps(pool.for_series("P01")))
    assert back.n_series == 24 and back.phi(8) == pool.for_series("P01").phi(8)


def test_many_series_each_without_its_own_series(provinces):
    series, demo = provinces
    pool = pj.pooled_backtest_errors(series, 0, 100, demo=demo)
    wide = pd.DataFrame(series).T
    pools = [pool.for_series(label) for label in wide.index]
    from bdg_analysis.projection.engine import run

    E = run(wide.to_numpy(), wide.columns.to_numpy(), [2030], lower=0, upper=100, pooled=pools)
    for i in (0, 7, 28):
        label = wide.index[i]
        one = pj.project(series[label], 2030, lower=0, upper=100, pooled_errors=pools[i])
        assert one.value == pytest.approx(E["value"][i, 0], abs=1e-9)
        assert one.high == pytest.approx(E["high"][i, 0], abs=1e-9)


def test_pool_inputs_are_checked():
    s = pd.Series([1.0, 2.0, 3.0], index=[2020, 2021, 2022])
    with pytest.raises(ValueError, match="distinct"):
        pj.pooled_backtest_errors([s, s], labels=["a", "a"])
    with pytest.raises(ValueError, match="flag every series"):
        pj.pooled_backtest_errors([s, s], demo=[True])
    empty = pj.pooled_backtest_errors([], 0, 100)
    assert empty.n_series == 0 and empty.n_pairs == 0


def test_project_many_takes_one_pool_per_row(provinces):
    series, demo = provinces
    pool = pj.pooled_backtest_errors(series, 0, 100, demo=demo)
    wide = pd.DataFrame(series).T
    wide.loc["P04", 2019] = np.nan  # a gap to interpolate
    pools = [pool.for_series(label, demo=label in demo) for label in wide.index]
    for year in (2030, 2019):
        many = pj.project_many(wide, year, lower=0, upper=100, pooled_errors=pools, chunk=7)
        for i in (0, 4, 26):
            s = wide.iloc[i].dropna()
            one = pj.project(s, year, lower=0, upper=100, pooled_errors=pools[i])
            assert one.value == pytest.approx(many.iloc[i]["value"], abs=1e-9)
            assert one.low == pytest.approx(many.iloc[i]["low"], abs=1e-9)
    with pytest.raises(ValueError, match="one per row"):
        pj.project_many(wide, 2030, lower=0, upper=100, pooled_errors=pools[:3])


def test_a_list_of_series_named_alike_is_labelled_by_position():
    rng = np.random.default_rng(8)
    same_name = [trending(rng).rename("M1.CT1") for _ in range(4)]
    pool = pj.pooled_backtest_errors(same_name, 0, 100)
    assert pool.labels == ("0", "1", "2", "3")
    named = [trending(rng).rename(f"P{i}") for i in range(3)]
    assert pj.pooled_backtest_errors(named, 0, 100).labels == ("P0", "P1", "P2")


def test_long_horizons_beyond_the_pool_grow_at_most_linearly():
    """A pool of eight-year series has seen horizons up to 6 years; 20 years ahead the interval
    widens no faster than the horizon from there, whatever γ the pool measured."""
    rng = np.random.default_rng(11)
    series = {f"P{i:02d}": walk(rng) for i in range(30)}
    pool = pj.pooled_backtest_errors(series, 0, 100)
    assert pool.reach == 6.0  # an origin needs two points
    s = series["P00"]
    own = pool.for_series("P00")
    g = own.gamma(8)
    p6 = pj.project(s, 2023 + 6, lower=0, upper=100, pooled_errors=own)
    p20 = pj.project(s, 2023 + 20, lower=0, upper=100, pooled_errors=own)
    assert p20.spread / p6.spread == pytest.approx(((20 + 0.5) / (6 + 0.5)) ** min(g, 1.0))


def test_a_pool_counts_each_series_once_against_the_default():
    """Pairs of one series share its errors: three long series do not outweigh the default as
    a hundred pairs would, while thirty series do."""
    rng = np.random.default_rng(4)
    few = pj.pooled_backtest_errors(
        {f"P{i}": trending(rng, n=20, start=2000) for i in range(3)}, 0, 100
    )
    many = pj.pooled_backtest_errors(
        {f"P{i:02d}": trending(rng, n=20, start=2000) for i in range(30)}, 0, 100
    )
    assert few.n_pairs > 300
    assert few._series_ess(10, 5) == pytest.approx(3.0, rel=0.1)
    assert 25 <= many._series_ess(10, 5) <= 30
    # the blend weight of the default: 20 / (ESS + 20)
    assert 20 / (few._series_ess(10, 5) + 20) > 0.8 > 0.5 > 20 / (many._series_ess(10, 5) + 20)
