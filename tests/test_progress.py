"""Tests for bdg_analysis.progress: reference methods (golden values) and probabilistic status."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bdg_analysis import progress as pg
from bdg_analysis import projection as pj
from bdg_analysis.progress import Status, references
from bdg_analysis.targets import Target

FIXTURE = Path(__file__).parent / "fixtures" / "proj_observations.csv"


def S(values, years):
    return pd.Series([float(v) for v in values], index=list(years))


# ---------------------------------------------------------------- ESCAP (anchors.md 1.1)


def test_escap_worked_example():
    r = pg.escap_anticipated_progress(
        S([20, 24], [2015, 2022]), 35, target_year=2030, base_year=2015, scale=100
    )
    assert r.growth == pytest.approx(0.033374, abs=5e-7)
    assert r.projected == pytest.approx(29.2000, abs=5e-5)
    assert r.current_status == pytest.approx(2.6667, abs=5e-5)
    assert r.anticipated_progress == pytest.approx(6.1333, abs=5e-5)
    assert r.ap_label == "Need to accelerate" and r.cs_label == "Slow progress"
    assert r.category == "accelerate"


def test_escap_rules_for_one_point_estimated_base_and_regression():
    met = pg.escap_anticipated_progress(S([40], [2022]), 35, scale=100)
    assert met.ap_label == "Will meet target" and met.anticipated_progress == 10
    unmet = pg.escap_anticipated_progress(S([30], [2022]), 35, scale=100)
    assert unmet.ap_label == "Insufficient data" and math.isnan(unmet.current_status)
    # no 2015 value: estimated back from the last observation with the same growth
    est = pg.escap_anticipated_progress(S([22, 24], [2018, 2020]), 35, scale=100)
    assert est.base_estimated and est.base_value < 22
    worse = pg.escap_anticipated_progress(S([30, 27], [2015, 2020]), 50, scale=100)
    assert worse.cs_label == "Regression" and worse.category == "reverse"
    lower = pg.escap_anticipated_progress(S([112, 111.5], [2015, 2022]), 109, direction="lower")
    assert 0 < lower.current_status < 9 and lower.ap_label == "Need to accelerate"


# ---------------------------------------------------------------- Eurostat / Open SDG (1.7)


def test_eurostat_example_a_increase_desirable():
    r = pg.eurostat_status(S([20, 24], [2015, 2022]), 35)
    assert r.cagr_actual == pytest.approx(0.026388, abs=5e-7)
    assert r.cagr_required == pytest.approx(0.038012, abs=5e-7)
    assert r.ratio == pytest.approx(0.694197, abs=5e-7)
    assert r.expected_value == pytest.approx(29.5600, abs=5e-5)
    assert r.share_of_gap == pytest.approx(0.637332, abs=5e-7)
    assert r.category == "moderate_progress"
    assert r.score == pytest.approx(0.6729, abs=5e-5)


def test_eurostat_example_b_decrease_desirable():
    r = pg.eurostat_status(S([112, 111.5], [2015, 2022]), 109, direction="lower")
    assert r.cagr_actual == pytest.approx(-0.000639, abs=5e-7)
    assert r.cagr_required == pytest.approx(-0.001808, abs=5e-7)
    assert r.ratio == pytest.approx(0.353334, abs=5e-7)
    assert r.expected_value == pytest.approx(110.9313, abs=5e-5)
    assert r.share_of_gap == pytest.approx(0.356232, abs=5e-7)
    assert r.category == "insufficient_progress"
    assert (
        pg.eurostat_status(
            S([112, 111.5], [2015, 2022]), 109, direction="lower", variant="opensdg"
        ).category
        == "limited_progress"
    )


def test_example_c_no_target_natural_limit():
    s = S([60, 66], [2015, 2021])
    osdg = pg.eurostat_status(s, variant="opensdg", limit=100)
    assert osdg.cagr_actual == pytest.approx(0.016012, abs=5e-7)
    assert osdg.category == "substantial_progress"  # above 1.5% x C = 0.013447
    assert references._opensdg_coefficient(60, 100) == pytest.approx(0.896488, abs=5e-7)
    assert pg.eurostat_status(s).category == "significant_progress"  # Eurostat: > 1 %/yr


def test_eurostat_example_d_regression():
    r = pg.eurostat_status(S([30, 27], [2015, 2020]), 50)
    assert r.cagr_actual == pytest.approx(-0.020852, abs=5e-7)
    assert r.cagr_required == pytest.approx(0.034642, abs=5e-7)
    assert r.ratio == pytest.approx(-0.601926, abs=5e-7)
    assert r.expected_value == pytest.approx(21.8700, abs=5e-5)
    assert r.share_of_gap == pytest.approx(-0.406500, abs=5e-7)
    assert r.category == "movement_away" and r.score == -5.0


def test_example_e_open_sdg_fixture_no_target_decrease():
    r = pg.eurostat_status(S([100, 120], [2020, 2021]), variant="opensdg", direction="lower")
    assert r.cagr_actual == pytest.approx(0.20)
    assert r.progress == pytest.approx(-0.20)
    assert r.category == "deterioration" and r.score == -5.0


def test_example_f_interim_2025_target():
    r = pg.eurostat_status(S([20, 22], [2020, 2023]), 25, target_year=2025, base_year=2020)
    assert r.cagr_actual == pytest.approx(0.032280, abs=5e-7)
    assert r.cagr_required == pytest.approx(0.045640, abs=5e-7)
    assert r.ratio == pytest.approx(0.707284, abs=5e-7)
    assert r.expected_value == pytest.approx(23.4432, abs=5e-5)
    assert r.share_of_gap == pytest.approx(0.688650, abs=5e-7)


def test_eurostat_target_achieved_overrides_trend_and_base_year_falls_forward():
    r = pg.eurostat_status(S([40, 38], [2015, 2022]), 35)
    assert r.category == "target_achieved" and r.achieved
    r = pg.eurostat_status(S([10, 12, 14], [2012, 2017, 2022]), 20)
    assert r.base_year == 2017  # next available year after the 2015 base
    one = pg.eurostat_status(S([10], [2022]), 20)
    assert one.category == "insufficient_data"


# ---------------------------------------------------------------- probabilistic status


def test_status_values_are_the_contract_strings():
    assert [s.value for s in Status] == [
        "achieved",
        "not_achieved",
        "on_track",
        "at_risk",
        "off_track",
        "moving_away",
        "insufficient_data",
    ]
    assert Status.ON_TRACK == "on_track"
    assert pg.status_from_probability(0.9) is Status.ON_TRACK
    assert pg.status_from_probability(0.5) is Status.AT_RISK
    assert pg.status_from_probability(0.2) is Status.OFF_TRACK


def test_series_that_crosses_its_target_is_on_track():
    # the trend is damped (issue 12), so the 2030 projection is about 62, not 66: a target of
    # 60 is at risk, one of 55 on track
    t = Target("M1.CT1", 2030, "ge", 55)
    s = S([30, 33, 35, 38, 41, 43, 46, 48, 51], range(2016, 2025))
    a = pg.assess(t, s, report_year=2025, lower=0, upper=100)
    assert a.status is Status.ON_TRACK and a.reason_code == "likely"
    assert a.probability >= pg.THRESHOLDS.on_track
    assert a.projection.value > 55 and a.latest_value == 51 and a.latest_year == 2024
    assert a.method == "probabilistic"
    assert a.escap.category in ("maintain", "accelerate") and a.eurostat is not None
    assert a.eurostat.base_year == pg.BASE_YEAR


def test_series_that_moves_away_is_moving_away():
    t = Target("M1.CT1", 2030, "ge", 60)
    s = S([50, 49, 47.5, 46, 44, 43, 41, 40], range(2017, 2025))
    a = pg.assess(t, s, report_year=2025, lower=0, upper=100)
    assert a.status is Status.MOVING_AWAY and a.reason_code == "moving_away"
    assert a.p_moving_away >= pg.THRESHOLDS.moving_away
    assert a.probability < 0.05
    assert a.eurostat.category == "movement_away" and a.escap.category == "reverse"


def test_share_that_would_project_above_100_against_a_100_target():
    t = Target("M3.CT3", 2030, "ge", 100)
    s = S([70, 80, 88, 93, 96, 98], range(2019, 2025))
    a = pg.assess(t, s, report_year=2025, lower=0, upper=100)
    assert a.projection.high <= 100 and a.projection.value <= 100
    assert 0.0 < a.probability < 1.0
    assert a.status in (Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK)


def test_two_point_series_is_judged_with_a_wide_interval():
    t = Target("M1.CT1", 2030, "ge", 60)
    a = pg.assess(t, S([40, 44], [2023, 2024]), report_year=2025, lower=0, upper=100)
    assert a.projection.reason_code == "two_points" and not a.projection.calibrated
    # the slope between two points, damped (issue 12: on WDI series this beats carrying the
    # last value forward): about 60 in 2030, with an interval wide enough to say little
    assert a.projection.high - a.projection.low > 40
    assert pg.THRESHOLDS.off_track < a.probability < pg.THRESHOLDS.on_track
    assert a.status is Status.AT_RISK


def test_series_with_gaps():
    t = Target("M2.CT2", 2030, "lt", 25)
    s = S([45, 41, 36, 33, 29], [2012, 2015, 2018, 2021, 2024])
    a = pg.assess(t, s, report_year=2025, lower=0, upper=100, direction="lower")
    assert a.projection.horizon == 6
    assert a.projection.value < 29
    assert a.status in (Status.ON_TRACK, Status.AT_RISK)


def test_two_sided_band_target():
    band = Target("X", 2030, "between", 45, 55, two_sided=True)
    inside = pg.assess(
        band,
        S([49, 50, 50.5, 50, 49.5, 50], range(2019, 2025)),
        report_year=2025,
        lower=0,
        upper=100,
    )
    assert inside.status is Status.ACHIEVED and inside.reason_code == "met_likely"
    assert inside.probability >= pg.THRESHOLDS.achieved
    below = pg.assess(
        band, S([38, 39, 40, 41, 42, 43], range(2019, 2025)), report_year=2025, lower=0, upper=100
    )
    p = below.projection
    expected = p.probability_at_most(55) - p.probability_at_most(45)
    assert below.probability == pytest.approx(expected, abs=1e-9)
    assert 45 < p.value < 55 and below.status in (Status.ON_TRACK, Status.AT_RISK)
    # references use the nearer bound of the band
    assert below.eurostat.target_value == 45
    # rising fast enough to overshoot the band by 2030: not on track
    overshoot = pg.assess(
        band, S([30, 33, 36, 39, 42, 44], range(2019, 2025)), report_year=2025, lower=0, upper=100
    )
    assert overshoot.projection.value > 55 and overshoot.status is Status.OFF_TRACK
    above = pg.assess(
        band, S([70, 68, 66, 64, 62, 60], range(2019, 2025)), report_year=2025, lower=0, upper=100
    )
    assert above.eurostat.target_value == 55 and above.eurostat.direction == "lower"


def test_a_band_on_a_directional_indicator_reads_as_its_bound():
    band = Target("M6.CT1", 2030, "between", 40, 60)
    # higher is better: 75 is beyond the band on the good side, not a miss
    a = pg.assess(
        band, S([70, 72, 74, 75], range(2022, 2026)), report_year=2025, lower=0, upper=100
    )
    assert a.judged == Target("M6.CT1", 2030, "ge", 40) and a.status is Status.ACHIEVED
    passed = pg.assess(
        Target("M6.CT1", 2025, "between", 40, 60),
        S([70, 75], [2024, 2025]),
        report_year=2025,
        lower=0,
        upper=100,
    )
    assert passed.status is Status.ACHIEVED and passed.reason_code == "observed"
    # lower is better: the band reads as its upper bound
    low = pg.assess(
        Target("M2.CT2", 2025, "between", 20, 30),
        S([12, 10], [2024, 2025]),
        report_year=2025,
        lower=0,
        upper=100,
        direction="lower",
    )
    assert low.judged.op == "le" and low.judged.value == 30 and low.status is Status.ACHIEVED


def test_past_target_with_data_is_judged_on_the_data_not_the_projection():
    t = Target("M1.CT1", 2025, "ge", 60)
    # rising fast, but the 2025 value itself misses the target
    s = S([40, 45, 50, 55, 59.5, 70], range(2021, 2027))
    a = pg.assess(t, s, report_year=2026, lower=0, upper=100)
    assert a.status is Status.NOT_ACHIEVED and a.reason_code == "observed" and a.observed
    assert a.probability is None and a.projection is None and a.observed_value == 59.5
    ok = pg.assess(t, S([55, 58, 61], [2023, 2024, 2025]), report_year=2026, lower=0, upper=100)
    assert ok.status is Status.ACHIEVED and ok.reason_code == "observed"


def test_past_target_without_that_year_gets_a_forecast_status_never_achieved():
    t = Target("M1.CT1", 2025, "ge", 60)
    gap = pg.assess(t, S([50, 55, 70], [2023, 2024, 2026]), report_year=2026, lower=0, upper=100)
    assert gap.projection.method == "interpolated" and "not_observed" in gap.flags
    assert gap.status not in (Status.ACHIEVED, Status.NOT_ACHIEVED)
    before = pg.assess(t, S([50, 53, 56], [2022, 2023, 2024]), report_year=2026, lower=0, upper=100)
    assert before.projection.to_year == 2025 and "not_observed" in before.flags
    assert before.status in (Status.OFF_TRACK, Status.AT_RISK, Status.MOVING_AWAY)


def test_data_after_the_report_year_is_ignored():
    t = Target("M1.CT1", 2030, "ge", 60)
    s = S([40, 42, 44, 46, 80], [2020, 2021, 2022, 2023, 2026])
    a = pg.assess(t, s, report_year=2024, lower=0, upper=100)
    assert a.latest_year == 2023 and a.n_points == 4


def test_lower_is_better_target_sex_ratio_at_birth():
    t = Target("M4.CT1", 2030, "le", 109)
    falling = S([114.0, 113.2, 112.5, 111.6, 111.0, 110.2, 109.6], range(2018, 2025))
    a = pg.assess(t, falling, report_year=2025, lower=0, direction="lower")
    assert a.status is Status.ON_TRACK
    rising = S([110.0, 110.6, 111.1, 111.8, 112.3, 113.0], range(2019, 2025))
    b = pg.assess(t, rising, report_year=2025, lower=0, direction="lower")
    assert b.status is Status.MOVING_AWAY


def test_met_now_but_falling_back_is_not_achieved_and_its_chance_agrees():
    t = Target("M1.CT1", 2030, "ge", 60)
    s = S([75, 72, 70, 67, 65, 62], range(2019, 2025))
    a = pg.assess(t, s, report_year=2025, lower=0, upper=100)
    assert a.status is Status.MOVING_AWAY and a.reason_code == "moving_away"
    assert a.probability < pg.THRESHOLDS.achieved
    assert a.eurostat.category == "target_achieved"  # the official rule ignores the trend
    steady = pg.assess(
        t, S([66, 65, 66, 65, 66, 65], range(2019, 2025)), report_year=2025, lower=0, upper=100
    )
    assert steady.status is Status.ACHIEVED and steady.probability >= pg.THRESHOLDS.achieved


def test_insufficient_data_cases_and_binary_indicators():
    t = Target("M1.CT1", 2030, "ge", 60)
    none = pg.assess(t, pd.Series([], dtype=float), report_year=2025, lower=0, upper=100)
    assert none.status is Status.INSUFFICIENT_DATA and none.reason_code == "no_data"
    one = pg.assess(t, S([40], [2024]), report_year=2025, lower=0, upper=100)
    assert one.status is Status.INSUFFICIENT_DATA and one.reason_code == "one_point"
    one_met = pg.assess(t, S([65], [2024]), report_year=2025, lower=0, upper=100)
    assert one_met.status is Status.INSUFFICIENT_DATA  # no chance without a projection
    late = pg.assess(
        Target("M1.CT1", 2025, "ge", 60),
        S([50, 55], [2026, 2027]),
        report_year=2027,
        lower=0,
        upper=100,
    )
    assert late.status is Status.INSUFFICIENT_DATA
    binary = Target("M5.CT1", 2030, "ge", 1)
    b0 = pg.assess(
        binary, S([0, 0], [2023, 2024]), report_year=2025, lower=0, upper=1, kind="binary"
    )
    assert b0.status is Status.AT_RISK and b0.projection is None
    b1 = pg.assess(
        binary, S([0, 1], [2023, 2024]), report_year=2025, lower=0, upper=1, kind="binary"
    )
    assert b1.status is Status.ON_TRACK and b1.reason_code == "binary_met"
    b3 = pg.assess(
        binary,
        S([0, 1, 1, 1], range(2021, 2025)),
        report_year=2025,
        lower=0,
        upper=1,
        kind="binary",
    )
    assert b3.status is Status.ACHIEVED and b3.reason_code == "bound_run"


def test_projection_passed_in_is_used_and_checked():
    t = Target("M1.CT1", 2030, "ge", 60)
    s = S([30, 33, 35, 38, 41, 43, 46, 48, 51], range(2016, 2025))
    proj = pj.project(s, 2030, lower=0, upper=100)
    a = pg.assess(t, s, report_year=2025, lower=0, upper=100, projection=proj)
    assert a.projection is proj
    with pytest.raises(ValueError, match="2025"):
        pg.assess(
            t,
            s,
            report_year=2025,
            lower=0,
            upper=100,
            projection=pj.project(s, 2025, lower=0, upper=100),
        )


def test_assess_targets_for_a_province_from_the_tidy_frame():
    frame = pd.read_csv(
        FIXTURE, dtype={"province_code": str}, keep_default_na=False, na_values={"value": [""]}
    )
    targets = [
        Target("M1.CT1", 2025, "ge", 60),
        Target("M1.CT1", 2030, "ge", 75),
        Target("M4.CT1", 2030, "le", 109),
    ]
    out = pg.assess_targets(targets, frame, "Lai Châu", report_year=2025)
    assert [a.target for a in out] == targets
    assert all(isinstance(a.status, Status) for a in out)
    assert out[0].n_points == 5  # Lai Châu misses 2020 and 2022
    # the province borrows the other provinces' errors for its projection
    assert out[1].projection.calibration in ("own+pooled", "pooled")
    falling = pg.assess_targets(targets[1:2], frame, "Điện Biên", report_year=2025)[0]
    assert falling.status is Status.MOVING_AWAY
    assert np.isfinite(falling.probability) and falling.probability < 0.01
    # a province's own indicator, not in the catalogue: assessed without bounds
    own = pg.assess_targets(
        [Target("M1.CT2", 2030, "ge", 40)],
        frame.assign(indicator=frame["indicator"].replace("M1.CT1", "M1.CT2")),
        "Hà Nội",
        report_year=2025,
    )[0]
    assert own.projection.transform.kind == "identity" and own.status is Status.ACHIEVED
    # a 2025 target in the 2026 report, no 2025 value yet: projected to 2025
    past = pg.assess_targets(targets[:1], frame, "Hà Nội", report_year=2026)[0]
    assert "not_observed" in past.flags and past.projection.to_year == 2025
    assert past.status is not Status.ACHIEVED


def _merged_frame(tmp_path):
    """Ninh Bình's three former parts 2015-2024 under their own names, the merged province from
    2025, and Nam Định alone in 2011 and 2014 (a year of only some parts)."""
    lines = [
        "Nam Định,M4.CT1,2011,120,,office,,official",
        "Nam Định,M4.CT1,2014,117,,office,,official",
    ]
    for year in range(2015, 2025):
        for part, level in (("Hà Nam", 111.0), ("Nam Định", 116.0), ("Ninh Bình", 115.0)):
            lines.append(f"{part},M4.CT1,{year},{level - (year - 2015) * 0.3:.1f},,demo,,demo")
    lines.append("Ninh Bình,M4.CT1,2025,110.9,,demo,,demo")
    path = tmp_path / "merged.csv"
    path.write_text(
        "province,indicator,year,value,sex,source,note,status\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    return path


def test_assess_targets_puts_a_merged_provinces_former_parts_together(tmp_path):
    from bdg_analysis import dataset

    path = _merged_frame(tmp_path)
    target = Target("M4.CT1", 2030, "le", 109)
    checked = dataset.load(path)
    out = pg.assess_targets([target], checked, "Ninh Bình", report_year=2025, pool=False)[0]
    # before: only the 2025 row was Ninh Bình's, so "insufficient data"
    assert out.status is not Status.INSUFFICIENT_DATA
    assert out.n_points == 11  # 2015-2025; Nam Định alone in 2011 and 2014 left out
    assert out.latest_year == 2025 and out.latest_value == pytest.approx(110.9)
    # the same from the raw rows (former names in ``province``), from a Context, and by any
    # name of the province
    raw = pd.read_csv(path, keep_default_na=False, na_values={"value": [""]})
    ctx = dataset.Context(checked)
    for frame, name in ((raw, "Ninh Bình"), (ctx, "ninh binh"), (checked, "Tỉnh Ninh Bình")):
        again = pg.assess_targets([target], frame, name, report_year=2025, pool=False)[0]
        assert (again.status, again.n_points) == (out.status, out.n_points)
        assert again.probability == pytest.approx(out.probability)


def test_the_judged_target_band_bound_tolerance_and_whole_counts():
    share = Target("M3.CT3", 2030, "ge", 100)
    assert pg.judged_target(share, "higher", 0, 100) == (Target("M3.CT3", 2030, "ge", 99.5), True)
    zero = Target("X", 2030, "le", 0)
    assert pg.judged_target(zero, "lower", 0, 100)[0].value == 0.5
    assert pg.judged_target(Target("X", 2030, "ge", 99), "higher", 0, 100) == (
        Target("X", 2030, "ge", 99),
        False,
    )
    count = Target("M4.CT4", 2030, "ge", 1)
    assert pg.judged_target(count, "higher", 0, None, "count")[0].value == 0.5
    assert pg.judged_target(Target("X", 2030, "lt", 3), "lower", 0, None, "count")[0] == Target(
        "X", 2030, "le", 2.5
    )
    band = Target("M6.CT1", 2030, "between", 40, 60)
    assert pg.judged_target(band, "higher", 0, 100)[0] == Target("M6.CT1", 2030, "ge", 40)
    both = Target("M6.CT1", 2030, "between", 40, 60, two_sided=True)
    assert pg.judged_target(both, "higher", 0, 100)[0] is both


def test_bad_series_name_the_year():
    from bdg_analysis.errors import BdgInputError

    with pytest.raises(BdgInputError, match="year 2024.*above the upper bound 100"):
        pg.assess(
            Target("M1.CT1", 2030, "ge", 60),
            S([50, 101], [2023, 2024]),
            report_year=2025,
            lower=0,
            upper=100,
        )
    with pytest.raises(BdgInputError, match="year 2023.*not a number"):
        pg.clean_series(pd.Series(["x"], index=[2023]))
