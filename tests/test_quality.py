"""Data-quality checks: coverage, flagged values, outliers with their rule, conflicts."""

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bdg_analysis import quality
from bdg_analysis.errors import BdgInputError, Problem

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "fixtures" / "explore_small.csv"
CONFLICT = ROOT / "tests" / "fixtures" / "explore_conflict.csv"


@pytest.fixture(scope="module")
def audit() -> quality.Audit:
    return quality.read([SMALL, CONFLICT])


@pytest.fixture(scope="module")
def obs() -> pd.DataFrame:
    return quality.read(SMALL).observations


# ------------------------------------------------------------------ robust z


def test_robust_z_scales_by_the_median_absolute_deviation():
    z = quality.robust_z([1.0, 1.2, 0.9, 1.1, 1.0, 6.0])
    # median 1.05, MAD 0.1: the last change is 0.6745 * 4.95 / 0.1 = 33.4 deviations out
    assert z[-1] == pytest.approx(0.6745 * 4.95 / 0.1)
    assert np.all(np.abs(z[:-1]) < 3.5)


def test_robust_z_falls_back_to_the_mean_deviation_and_ignores_float_noise():
    # more than half the changes equal the median: MAD = 0, MeanAD = 0.5 / 5 = 0.1
    z = quality.robust_z([0.2, 0.2, 0.2, 0.2, 0.7])
    assert z[-1] == pytest.approx(0.5 / (1.253314 * 0.1))
    # 1.93 - 1.96 is not exactly -0.03: the noise must not become a huge z
    values = np.array([1.98, 1.96, 1.93, 1.91, 1.89, 1.87])
    assert np.nanmax(np.abs(quality.robust_z(np.diff(values)))) < 10
    assert np.isnan(quality.robust_z([0.5, 0.5, 0.5])).all()
    assert np.isnan(quality.robust_z([1.0])).all()
    assert np.isnan(quality.robust_z([1.0, np.nan, 3.0])[1])


def test_robust_z_floor_keeps_one_rounding_step_ordinary():
    changes = [0.5, 0.5, 0.5, 0.5, 0.5, 0.6, 0.8]  # MAD 0: MeanAD 0.4 / 7
    assert quality.robust_z(changes)[-1] > 3.5
    assert quality.robust_z(changes, floor=0.1)[-1] < 3.5


def test_a_series_that_changes_direction_is_not_flagged_all_along():
    # the national M4.CT3 series of the embedded data: a drop in 2014, rising to 2019, falling
    years = np.array(
        [2010, 2013, 2014, 2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025]
    )
    values = np.array(
        [38.0, 36.0, 30.1, 34.0, 34.2, 34.5, 34.8, 35.0, 34.2, 33.5, 32.7, 32.0, 31.2, 30.5]
    )
    changes = np.diff(values) / np.diff(years)
    med, mad, sigma = quality.robust_scale(changes, floor=0.1)
    assert med == pytest.approx(-0.7) and mad == pytest.approx(0.1)
    # the MAD alone (two tight clusters) would put every rising year 6-7 deviations out
    assert abs(0.6745 * (0.3 - med) / mad) > 3.5
    q1, q3 = np.percentile(changes, [25, 75])
    assert sigma == pytest.approx((q3 - q1) / 1.349)  # the IQR sets σ instead
    z = quality.robust_z(changes, floor=0.1)
    assert np.all(np.abs(z[3:7]) < 3.5)  # 2016-2019: ordinary
    assert abs(z[1]) > 3.5  # 2014: out of line


def test_z_is_shown_with_the_decimals_that_put_it_above_the_threshold():
    assert quality.z_decimals(35.07, 3.5) == 1
    assert quality.z_decimals(3.52, 3.5) == 2
    assert quality.z_decimals(-3.5004, 3.5) == 4


def test_precision_is_the_step_figures_are_rounded_to():
    assert quality.precision([112.3, 111.4, np.nan]) == pytest.approx(0.1)
    assert quality.precision([46.0, 52.0]) == 1.0
    assert quality.precision([1.94, 1.8]) == pytest.approx(0.01)
    assert quality.precision([112.060323536889]) == 0.0


# ------------------------------------------------------------------ outliers


def test_a_spike_is_flagged_once_at_its_peak_with_the_rule(obs):
    found = quality.outliers(obs)
    cao = found[(found["province"] == "Cao Bằng") & (found["indicator"] == "M2.CT1")]
    assert cao["year"].tolist() == [2022]  # 2023, the way back, is not flagged again
    row = cao.iloc[0]
    assert row["pattern"] == "đỉnh đột biến" and row["previous_value"] == 16.9
    assert row["change_per_year"] == pytest.approx(10.6)
    assert row["median_change"] == pytest.approx(0.6)
    assert row["z"] == pytest.approx(0.6745 * 10.0 / 0.1)
    assert row["rule"] == ("thay đổi +10,6/năm so với trung vị +0,6 của chuỗi: |z| = 67,5 > 3,5")
    assert row["source"] == "tests/fixtures/explore_small.csv:38"
    assert "MAD" in found.attrs["rule"] and "3,5" in found.attrs["rule"]
    assert found.attrs["caption"] == found.attrs["rule"]
    assert found["z"].abs().tolist() == sorted(found["z"].abs(), reverse=True)


def test_outlier_parameters_and_boundaries(obs):
    assert quality.outliers(obs, threshold=100).empty
    assert quality.outliers(obs, min_changes=8).empty  # no series has 8 changes
    current = quality.outliers(obs)
    merger = current[current["province"] == "Tuyên Quang"]
    assert merger["across_merger"].all() and (merger["year"] == 2025).all()
    assert merger["source"].str.contains("explore_small.csv").all()
    recorded = quality.outliers(obs, boundaries="recorded", lang="en")
    assert "Tuyên Quang" not in set(recorded["province"])  # former series end in 2024
    assert "as recorded" in recorded.attrs["rule"] and recorded.attrs["boundaries"] == "recorded"
    assert set(recorded["pattern"]) <= {"spike", "jump"}
    with pytest.raises(BdgInputError, match="boundaries"):
        quality.outliers(obs, boundaries="old")


# ------------------------------------------------------------------ coverage


def test_coverage_by_year_counts_the_provinces_of_that_years_map(obs):
    by_year = quality.coverage_matrix(obs)
    assert list(by_year.columns) == list(range(2018, 2026))
    # 2020: Lạng Sơn, Hà Giang, Tuyên Quang of the 63 (Cao Bằng's cell is empty)
    assert by_year.loc["M4.CT1", 2020] == pytest.approx(3 / 63)
    assert by_year.loc["M4.CT1", 2025] == pytest.approx(3 / 34)
    assert by_year.attrs["percent"] and by_year.attrs["heat"]


def test_coverage_by_province_counts_each_former_part(obs):
    by_province = quality.coverage_matrix(obs, by="province", lang="en")
    assert len(by_province) == 34
    assert by_province.loc["Tuyên Quang", "M4.CT1"] == 1.0  # both parts 2018-24, and 2025
    assert by_province.loc["Cao Bằng", "M4.CT1"] == pytest.approx(7 / 8)
    assert by_province.loc["Hà Nội", "M4.CT1"] == 0.0
    assert "each former province" in by_province.attrs["caption"]
    with pytest.raises(BdgInputError, match="by"):
        quality.coverage_matrix(obs, by="district")


def test_gaps_say_whether_a_cell_is_empty_or_has_no_row(obs):
    gaps = quality.gaps(obs)
    cao = gaps[(gaps["province"] == "Cao Bằng") & (gaps["indicator"] == "M4.CT1")]
    assert cao[["year", "reason"]].values.tolist() == [[2020, "ô trống"]]
    bac_ninh = gaps[
        (gaps["province"] == "Bắc Ninh") & (gaps["year"] == 2020) & (gaps["indicator"] == "M4.CT1")
    ]
    assert sorted(bac_ninh["place"]) == ["Bắc Giang (cũ)", "Bắc Ninh (cũ)"]
    assert set(bac_ninh["reason"]) == {"không có dòng"}
    english = quality.gaps(obs, lang="en")
    assert "Bắc Giang (former)" in set(english["place"]) and "no row" in set(english["reason"])


# ------------------------------------------------------------------ statuses


def test_status_counts_and_flagged_rows(obs):
    counts = quality.status_counts(obs)
    assert counts.loc["M4.CT1", "demo"] == 7  # Cao Bằng's empty 2020 cell is not a value
    assert counts.loc["M2.CT1", "provisional"] == 1
    assert (counts["total"] == counts.drop(columns="total").sum(axis=1)).all()
    flagged = quality.flagged(obs)
    assert set(flagged["status"]) == {"provisional", "estimate"}
    est = flagged[flagged["status"] == "estimate"].iloc[0]
    assert (est["province"], est["year"], est["source_row"]) == ("Tuyên Quang", 2025, 64)
    assert len(quality.flagged(obs, ["demo"])) == 8


# ------------------------------------------------------------------ reading, conflicts


def test_relative_paths_are_found_in_the_project_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert quality.data_files("tests/fixtures/explore_small.csv") == [SMALL]
    assert quality.data_files(["missing.csv"]) == [Path("missing.csv")]  # reported, not hidden
    assert quality.data_files(None)[0].name == "observations.csv"
    (tmp_path / "tests").mkdir()  # a file in the working folder wins
    assert quality.data_files("tests")[0] == Path("tests")


def test_read_keeps_going_past_problems():
    audit = quality.read([SMALL, ROOT / "no-such-file.csv"])
    assert len(audit.observations) == 78
    assert [p.message for p in audit.problems] == ["file not found"]


def test_conflicts_across_files_name_both_values_and_rows(audit):
    found = quality.conflicts(audit)
    assert found["kind"].tolist() == ["xung đột", "xung đột"]
    ls = found[found["province"] == "Lạng Sơn"].iloc[0]
    assert (ls["indicator"], ls["year"], ls["value_a"], ls["value_b"]) == (
        "M4.CT1",
        2023,
        116.1,
        119.0,
    )
    assert ls["where_a"] == "tests/fixtures/explore_small.csv:23"
    assert ls["where_b"] == "tests/fixtures/explore_conflict.csv:2"
    hg = found[found["place"] == "Hà Giang"].iloc[0]
    assert hg["province"] == "Tuyên Quang" and hg["status_b"] == "provisional"
    both = quality.conflicts(audit, include_repeats=True, lang="en")
    assert sorted(both["kind"]) == ["conflict", "conflict", "repeat"]


def test_summary_and_problem_table(audit, tmp_path):
    summary = quality.summary(audit)["count"]
    assert summary["Tệp số liệu"] == 2 and summary["Dòng đã đọc"] == 81
    assert summary["Xung đột (cùng ô, khác giá trị)"] == 2
    assert summary["Trùng lặp (cùng giá trị)"] == 1
    assert summary["Ô trống (thiếu)"] == 1
    assert quality.problems_table(audit).empty  # duplicates are left to conflicts()
    assert len(quality.problems_table(audit, include_duplicates=True)) == 3
    bad = tmp_path / "bad.csv"
    bad.write_text("province,indicator,year,value\nLạng Sơn,M4.CT1,2024,abc\n", encoding="utf-8")
    table = quality.problems_table(quality.read(bad))
    assert table["row"].tolist() == [2] and table["column"].tolist() == ["value"]
    assert "not a number" in table["message"].iloc[0]


def test_checks_run_on_the_embedded_data():
    audit = quality.read()
    assert not audit.problems and quality.conflicts(audit).empty
    found = quality.outliers(audit.observations)
    assert len(found) and not found["z"].isna().any()
    assert (found["z"].abs() > quality.Z_THRESHOLD).all()
    assert not math.isinf(found["z"].abs().max())
    # the national M4.CT3 series rises 2015-19 then falls: only its 2014 drop is out of line
    nat = found[(found["province"] == "Toàn quốc") & (found["indicator"] == "M4.CT3")]
    assert nat["year"].tolist() == [2014]
    # the 2022 break of the national wage-employment series shows in many provinces at once
    wage = found[(found["indicator"] == "M2.CT1") & (found["year"] == 2022)]
    assert len(wage) >= 10 and (wage["shared"] == len(wage) - 1).all()
    for row in found.itertuples():  # the rule's |z| is never shown equal to the threshold
        shown = row.rule.split("|z| = ")[1].split(" >")[0]
        assert float(shown.replace(",", ".")) > quality.Z_THRESHOLD
    caption = quality.summary(audit).attrs["caption"]
    assert caption.startswith("DỮ LIỆU MINH HỌA: 13.129 trong 13.162 giá trị")


# ------------------------------------------------------------------ duplicates by their code


def _coded(audit: quality.Audit) -> quality.Audit:
    """The audit as it reads once validate gives duplicates their code: the message no longer
    matters (here replaced by one no pattern could read)."""
    problems = [
        Problem(p.file, p.row, p.column, "repeated row", code="duplicate")
        if quality.is_duplicate(p)
        else p
        for p in audit.problems
    ]
    return dataclasses.replace(audit, problems=problems)


def test_duplicates_with_a_code_need_no_message(audit):
    coded = _coded(audit)
    assert [p.code for p in coded.problems].count("duplicate") == 3
    for repeats in (False, True):
        by_text = quality.conflicts(audit, include_repeats=repeats, lang="en")
        by_code = quality.conflicts(coded, include_repeats=repeats, lang="en")
        pd.testing.assert_frame_equal(by_code, by_text)
    assert quality.problems_table(coded).empty
    assert len(quality.problems_table(coded, include_duplicates=True)) == 3
    assert quality.summary(coded)["count"].equals(quality.summary(audit)["count"])


def test_a_coded_duplicate_pairs_with_the_first_row_not_refused(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text(
        "province,indicator,year,value,status\n"
        "Lạng Sơn,M4.CT1,2023,116.1,oops\n"  # refused (status): not in the pair
        "Lang Son,M4.CT1,2023,117.0,official\n"  # the first of the pair, spelt otherwise
        "Lạng Sơn,M4.CT1,2023,119.0,provisional\n"
        "Lạng Sơn,M4.CT1,2024,115.0,official\n",
        encoding="utf-8",
    )
    audit = quality.read(data)
    expected = quality.conflicts(audit)
    assert expected["where_a"].str.endswith(":3").all() and len(expected) == 1
    pd.testing.assert_frame_equal(quality.conflicts(_coded(audit)), expected)
    row = expected.iloc[0]
    assert (row["value_a"], row["value_b"], row["place"]) == (117.0, 119.0, "Lang Son")


def test_a_problem_code_is_keyword_only_and_not_printed():
    problem = Problem("a.csv", 3, "value", "duplicate of ...", code="duplicate")
    assert str(problem) == "a.csv:3: value: duplicate of ..." and problem.code == "duplicate"
    assert Problem("a.csv", 3, None, "x").code is None
    with pytest.raises(TypeError):
        Problem("a.csv", 3, None, "x", "duplicate")  # a fifth positional is not the code
    assert not quality.is_duplicate(Problem("a.csv", 3, None, "duplicate of b.csv:2 (x, y, 1)"))
    assert not quality.is_duplicate(Problem("a", 1, None, "duplicate of b:2 ...", code="other"))


# ------------------------------------------------------------------ words and languages


def test_the_rule_and_the_demo_note_in_each_language():
    vi, en = quality.outlier_rule(lang="vi"), quality.outlier_rule(3.25, 6, "recorded", "en")
    assert "MAD / 0,6745" in vi and "IQR / 1,349" in vi and "1,2533 ×" in vi and "3,5" in vi
    assert "MAD / 0.6745" in en and "|z| > 3.25" in en and "at least 6 changes" in en
    assert "as recorded" in en and "{" not in vi + en
    assert quality.demo_note(["demo", "official", ""], "en").startswith(
        "DEMONSTRATION DATA: 1 of 2 values"
    )
    assert quality.demo_note(["official"], "vi") == ""
    for call in (
        lambda: quality.outlier_rule(lang="fr"),
        lambda: quality.demo_note(["demo"], "fr"),
        lambda: quality.gaps(quality.read(SMALL).observations, "fr"),
    ):
        with pytest.raises(BdgInputError, match="lang"):
            call()
