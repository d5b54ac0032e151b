"""Calibration: empirical error distributions, the defaults table, φ and γ from backtests."""

from __future__ import annotations

import numpy as np
import pytest

from bdg_analysis.projection import calibration as cal
from bdg_analysis.projection.members import MEMBERS


def test_an_empirical_distribution_inverts_exactly():
    rng = np.random.default_rng(1)
    d = cal.ErrorDistribution.from_sample(rng.standard_t(3, 500))
    qs = np.array([0.01, 0.1, 1 / 3, 0.5, 2 / 3, 0.9, 0.99])
    assert d.cdf(d.quantile(qs)) == pytest.approx(qs, abs=1e-12)
    assert d.cdf(-1e9) == 0.0 and d.cdf(1e9) == 1.0
    f = d.flipped()
    assert f.quantile(0.9) == pytest.approx(-d.quantile(0.1))
    m = d.mixture(f, 0.5)
    assert m.quantile(0.5) == pytest.approx(0.0, abs=1e-9)
    assert d.scaled(2.0).quantile(0.9) == pytest.approx(2 * d.quantile(0.9))
    big = cal.ErrorDistribution.from_sample(rng.normal(size=5000))
    assert big.x.size <= cal.MAX_KNOTS and big.n_pairs == 5000
    assert big.quantile(0.9) == pytest.approx(1.2816, abs=0.08)
    weighted = cal.ErrorDistribution.from_sample([0.0, 10.0], [3.0, 1.0])
    assert weighted.cdf(0.0) == pytest.approx(0.375) and weighted.ess == pytest.approx(1.6)
    assert cal.ErrorDistribution.from_sample([]) is None


def test_the_defaults_table_covers_every_length_and_horizon():
    d = cal.default_calibration()
    for n in (2, 3, 4, 9, 40):
        assert 0.5 < d.phi(n) <= 1.0 and cal.GAMMA_RANGE[0] <= d.gamma(n) <= cal.GAMMA_RANGE[1]
        widths = [
            d.distribution(n, h).quantile(0.9) - d.distribution(n, h).quantile(0.1)
            for h in (1, 5, 20)
        ]
        assert all(w > 0 for w in widths)
    # the default is symmetric: another indicator's bias says nothing about this one
    dist = d.distribution(8, 5)
    assert dist.quantile(0.5) == pytest.approx(0.0, abs=1e-6)
    assert dist.quantile(0.9) == pytest.approx(-dist.quantile(0.1), abs=1e-6)
    # short series miss by more
    assert d.distribution(2, 5).quantile(0.9) > d.distribution(8, 5).quantile(0.9)


def pairs_of(dz, mu, h, s=1.0, nk=6):
    n = len(dz)
    return {
        "sid": np.zeros(n, int),
        "nk": np.full(n, nk),
        "h": np.asarray(h, float),
        "dz": np.asarray(dz, float),
        "mu": np.asarray(mu, float),
        "b": np.asarray(mu, float),
        "mu_r": np.asarray(mu, float),
        "lin": np.zeros(n),
        "s": np.full(n, s),
    }


def test_phi_and_gamma_come_from_the_backtest():
    h = np.tile(np.arange(1, 9), 400)
    trend = pairs_of(0.5 * h, np.full(h.size, 0.5), h)  # slopes that went on
    phi, scores = cal.learn_phi(trend, 6, MEMBERS["damped_trend"])
    assert phi == 1.0 and scores[1.0] == pytest.approx(0.0)
    flat = pairs_of(np.zeros(h.size), np.full(h.size, 0.5), h)  # slopes that stopped
    assert cal.learn_phi(flat, 6, MEMBERS["damped_trend"])[0] == 0.0
    rng = np.random.default_rng(2)
    noise = rng.normal(size=h.size)
    linear_growth = pairs_of((h + cal.H0) * noise, np.zeros(h.size), h)
    naive = MEMBERS["naive"]
    assert cal.learn_gamma(linear_growth, 6, naive, np.nan) == pytest.approx(1.0, abs=0.15)
    root_growth = pairs_of(np.sqrt(h + cal.H0) * noise, np.zeros(h.size), h)
    assert cal.learn_gamma(root_growth, 6, naive, np.nan) == pytest.approx(0.5, abs=0.15)


def test_error_growth_is_not_extrapolated_faster_than_the_horizon():
    """Beyond the longest horizon a pool has seen, errors grow at most as h (issue 12: a γ of
    1.4 measured over 1-9 years, carried to 20, made 80 % intervals cover 86 %)."""
    g = 1.4
    inside = cal.growth(np.array([1.0, 5.0, 9.0]), g, 9.0)
    assert inside == pytest.approx((np.array([1.0, 5.0, 9.0]) + cal.H0) ** g)
    far = float(cal.growth(20.0, g, 9.0))
    assert far == pytest.approx((9 + cal.H0) ** g * (20 + cal.H0) / (9 + cal.H0))
    assert far < float(cal.growth(20.0, g))  # without a reach: the old, faster growth
    # a growth slower than the horizon's is continued as measured; no reach = no change
    assert float(cal.growth(20.0, 0.8, 9.0)) == pytest.approx((20 + cal.H0) ** 0.8)
    assert float(cal.growth(20.0, g, np.inf)) == pytest.approx((20 + cal.H0) ** g)
