"""Level shifts: the outlier rule of quality, found in projections and handled."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bdg_analysis import projection as pj
from bdg_analysis import quality
from bdg_analysis.projection import breaks


def test_quality_and_projection_share_one_rule():
    assert quality.robust_z is breaks.robust_z and quality.robust_scale is breaks.robust_scale
    assert quality.Z_THRESHOLD == breaks.Z_THRESHOLD == 3.5 and quality.MIN_CHANGES == 5


def test_the_row_version_equals_the_rule_on_random_changes():
    rng = np.random.default_rng(0)
    for _ in range(500):
        n = int(rng.integers(2, 15))
        x = np.round(rng.normal(0, 1, n) * rng.choice([1, 0.1, 10]), int(rng.integers(0, 3)))
        if rng.random() < 0.3:
            x[int(rng.integers(0, n))] = np.nan
        if rng.random() < 0.2:
            x[:] = np.round(x[0])
        floor = float(rng.choice([0.0, 0.1]))
        expected = breaks.robust_z(x, floor)
        got = breaks.robust_z_rows(x[None, :], floor)[0]
        assert np.allclose(expected, got, equal_nan=True)
    values = np.array([[112.3, 111.4, np.nan], [46.0, 52.0, np.nan]])
    assert breaks.precision_rows(values).tolist() == pytest.approx([0.1, 1.0])


def base_series():
    years = np.arange(2010, 2025)
    noise = [0.3, -0.2, 0.1, -0.3, 0.2, 0.0, -0.1, 0.3, -0.2, 0.1, 0.2, -0.3, 0.1, 0.0, -0.1]
    return pd.Series(np.round(40 + 0.8 * (years - 2010) + np.array(noise), 1), index=years)


def test_a_level_shift_is_modelled_from_the_segment_after_it():
    """Issue 12: a +7 point step in one year (a new survey method) switched the method and
    tripled the interval; now the projection uses the points after the step and says so."""
    base = base_series()
    broken = base + np.where(base.index >= 2018, 7.0, 0.0)
    p0 = pj.project(base, 2030, lower=0, upper=100)
    p = pj.project(broken, 2030, lower=0, upper=100)
    assert p0.level_shift is None
    assert p.level_shift is not None and p.level_shift.year == 2018
    assert p.level_shift.action == "segment" and p.level_shift.n_after == 7
    assert "level shift between 2017 and 2018" in p.reason and "7 points from 2018" in p.reason
    assert "level shift 2018" in repr(p)
    assert p.high - p.low < 1.5 * (p0.high - p0.low)  # not tripled
    assert p.value == pytest.approx(p0.value + 7, abs=2.0)


def test_a_late_shift_moves_the_earlier_values():
    base = base_series()
    broken = base + np.where(base.index >= 2022, 7.0, 0.0)
    p = pj.project(broken, 2030, lower=0, upper=100)
    p0 = pj.project(base, 2030, lower=0, upper=100)
    assert p.level_shift.action == "shifted" and p.level_shift.year == 2022
    changes = broken.diff().dropna()
    usual = changes.drop(2022).median()
    assert p.level_shift.shift == pytest.approx(changes[2022] - usual, abs=1e-9)
    assert "values before 2022 are moved" in p.reason
    assert p.high - p.low < 1.5 * (p0.high - p0.low)


def test_a_spike_out_and_back_is_not_a_shift():
    base = base_series()
    spiked = base.copy()
    spiked.loc[2018] += 7.0
    p = pj.project(spiked, 2030, lower=0, upper=100)
    assert p.level_shift is None


def test_short_series_are_not_judged():
    s = pd.Series([40.0, 41.0, 42.0, 49.0, 50.0], index=range(2020, 2025))  # 4 changes
    assert pj.project(s, 2030, lower=0, upper=100).level_shift is None
