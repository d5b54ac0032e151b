"""Tests for bdg_analysis.trends: summaries, ranks and gaps to the national value."""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from bdg_analysis import trends
from bdg_analysis.errors import BdgInputError, UnknownNameError

FIXTURE = Path(__file__).parent / "fixtures" / "proj_observations.csv"


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return pd.read_csv(
        FIXTURE, dtype={"province_code": str}, keep_default_na=False, na_values={"value": [""]}
    )


def test_summary_latest_changes_and_growth():
    s = pd.Series([40.0, 42.0, 45.0, 44.0, 47.0, 50.0], index=range(2019, 2025))
    out = trends.summary(s)
    assert out["latest_year"] == 2024 and out["latest_value"] == 50.0
    assert out["change_1y"] == pytest.approx(3.0)
    # 2019 is five years before 2024
    assert out["change_5y"] == pytest.approx(10.0) and out["change_5y_from"] == 2019
    assert out["cagr"] == pytest.approx((50 / 40) ** (1 / 5) - 1)
    assert out["cagr_from"] == 2019
    assert out["slope"] == pytest.approx(32 / 17.5, rel=1e-12)  # least squares over all points
    assert out["n_points"] == 6


def test_summary_with_gaps_names_the_years_used():
    s = pd.Series([10.0, 13.0, 15.0], index=[2018, 2020, 2024])
    out = trends.summary(s, base_year=2019)
    assert math.isnan(out["change_1y"])  # 2023 missing
    assert out["change_5y"] == pytest.approx(2.0) and out["change_5y_from"] == 2020  # 4 years
    assert out["cagr_from"] == 2020
    assert out["cagr"] == pytest.approx((15 / 13) ** 0.25 - 1)


def test_summary_of_empty_and_single_series():
    assert trends.summary(pd.Series([], dtype=float))["latest_year"] is None
    one = trends.summary(pd.Series([5.0], index=[2022]))
    assert one["latest_value"] == 5.0 and math.isnan(one["cagr"]) and math.isnan(one["slope"])


def test_cagr_is_undefined_through_zero():
    assert math.isnan(trends.cagr(0.0, 5.0, 3))
    assert math.isnan(trends.cagr(5.0, 6.0, 0))
    assert trends.cagr(20.0, 24.0, 7) == pytest.approx(0.026388, abs=1e-6)


def test_summary_rejects_duplicate_years():
    with pytest.raises(BdgInputError, match="2020"):
        trends.summary(pd.Series([1.0, 2.0], index=[2020, 2020]))


def test_rank_higher_is_better_ignores_national_and_other_sexes(frame):
    assert trends.rank(frame, "M1.CT1", 2024, "Hà Nội", "higher") == (1, 9)
    assert trends.rank(frame, "M1.CT1", 2024, "Lào Cai", "higher") == (3, 9)
    # the female-only 99.0 row for Sơn La is not its total value
    assert trends.rank(frame, "M1.CT1", 2024, "Sơn La", "higher") == (6, 9)
    assert trends.rank(frame, "M1.CT1", 2024, "Điện Biên", "lower") == (1, 9)


def test_rank_reads_each_series_total_by_the_datasets_rule():
    """The total of a series recorded by sex is its total row; a series with one sex only is
    that sex (the rule of :func:`bdg_analysis.dataset.total_sex`, shared with the Context)."""
    f = pd.DataFrame(
        {
            "province": ["A", "A", "A", "B", "C"],
            "indicator": "X",
            "year": 2024,
            "value": [90.0, 10.0, 50.0, 60.0, 40.0],
            "sex": ["female", "male", "total", "female", ""],
        }
    )
    assert trends.rank(f, "X", 2024, "A", "higher") == (2, 3)  # 50 between 60 and 40
    assert trends.rank(f, "X", 2024, "B", "higher") == (1, 3)  # a women-only series counts
    assert trends.rank(f, "X", 2024, "A", "higher", sex="female") == (1, 2)
    assert trends.gap_to_national(f, "X", 2024, "A", "higher").province_value == 50.0
    # a merged province's year put together from only some former provinces is not ranked
    partial = f.assign(complete=[True, True, True, True, False])
    assert trends.rank(partial, "X", 2024, "C", "higher") == (None, 2)


def test_rank_uses_catalogue_direction_and_handles_missing_years(frame):
    # M4.CT1 (sex ratio at birth): lower is better in the catalogue
    r_default = trends.rank(frame, "M4.CT1", 2024, "Hà Nội")
    r_lower = trends.rank(frame, "M4.CT1", 2024, "Hà Nội", "lower")
    assert r_default == r_lower
    assert trends.rank(frame, "M1.CT1", 2022, "Lai Châu") == (None, 8)  # a gap year


def test_rank_ties_share_the_better_rank():
    f = pd.DataFrame(
        {
            "province": ["A", "B", "C", "D"],
            "indicator": "X",
            "year": 2024,
            "value": [5.0, 7.0, 7.0, 1.0],
        }
    )
    assert trends.rank(f, "X", 2024, "B", "higher") == (1, 4)
    assert trends.rank(f, "X", 2024, "C", "higher") == (1, 4)
    assert trends.rank(f, "X", 2024, "A", "higher") == (3, 4)


def test_rank_matches_decomposed_vietnamese_names(frame):
    decomposed = unicodedata.normalize("NFD", "Thái Nguyên")
    assert decomposed != "Thái Nguyên"
    assert trends.rank(frame, "M1.CT1", 2024, decomposed, "higher") == (2, 9)


def test_unknown_province_suggests_names(frame):
    with pytest.raises(UnknownNameError) as err:
        trends.rank(frame, "M1.CT1", 2024, "Thai Nguyen", "higher")
    assert "Thái Nguyên" in err.value.suggestions


def test_gap_to_national(frame):
    g = trends.gap_to_national(frame, "M1.CT1", 2024, "Hà Nội")
    assert g.province_value == 59.3 and g.national_value == 43.8
    assert g.gap == pytest.approx(15.5)
    assert g.relative_gap == pytest.approx(15.5 / 43.8)
    assert g.better is True
    srb = trends.gap_to_national(frame, "M4.CT1", 2024, "Hà Nội")
    assert srb.better is (srb.gap < 0)  # lower is better for the sex ratio at birth
    missing = trends.gap_to_national(frame, "M1.CT1", 2022, "Lai Châu")
    assert math.isnan(missing.gap) and missing.better is None
