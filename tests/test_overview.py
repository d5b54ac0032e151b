"""The national overview: statuses of every province on one page, ranks, national series."""

from pathlib import Path

import pandas as pd
import pytest

from bdg_analysis import catalogue, overview, plans, text
from bdg_analysis.scorecard import TargetStatus

FIXTURE = Path(__file__).parent / "fixtures" / "report_small.csv"


@pytest.fixture(scope="module")
def ov():
    return overview.prepare(
        data=str(FIXTURE), lang="vi", run_date="2026-06-01", provinces=["Lạng Sơn", "Cao Bằng"]
    )


def test_status_frame_has_a_row_per_province_and_a_column_per_indicator(ov):
    frame = overview.status_frame(ov)
    assert list(frame.index) == ["Lạng Sơn", "Cao Bằng"]
    assert list(frame.columns) == catalogue.ids()
    assert frame.loc["Cao Bằng", "M6.CT1"] == "insufficient_data"


def test_the_grid_shows_the_statuses_of_the_one_status_function(ov):
    from bdg_analysis import scorecard

    frame = overview.status_frame(ov)
    for name in frame.index:
        heads = scorecard.headline_statuses(
            scorecard.target_statuses(ov.context, name, ov.year, plan=plans.load_plan(name))
        )
        assert {i: s.status for i, s in heads.items()} == {i: frame.loc[name, i] for i in heads}


def test_every_province_is_ranked_on_the_national_targets_and_own_plans_are_named(ov):
    national = plans.load_plan("Toàn quốc")
    for statuses in ov.on_national.values():
        assert len(statuses) == len(national.targets)
    assert "Lạng Sơn" in ov.differ  # its own plan sets other 2030 targets
    assert "Kế hoạch riêng của Lạng Sơn" in overview.ranking_html(ov)


def _entry(indicator: str, status: str) -> TargetStatus:
    return TargetStatus(
        indicator, 2030, "ge", 50.0, None, status, None, None, None, None, None, None, None
    )


def _toy(on_national: dict[str, list[str]]) -> overview.NationalOverview:
    return overview.NationalOverview(
        year=2025,
        lang="vi",
        context=None,  # type: ignore[arg-type]
        provinces={},
        national=[],
        run_date="2026-06-01",
        on_national={
            name: [_entry(f"M1.CT{i}", s) for i, s in enumerate(found)]
            for name, found in on_national.items()
        },
    )


def test_ranking_rule_coverage_first_and_exact_ties_share_a_rank():
    missing = "insufficient_data"
    toy = _toy(
        {
            "A": ["achieved", missing, missing, missing],  # 1 of 4 assessed, 100 % of those met
            "B": ["achieved", "off_track", "off_track", missing],  # 3 of 4 assessed
            "C": ["on_track", "off_track", "off_track", missing],  # the same standing as B
            "D": ["achieved", "on_track", "at_risk", "off_track"],
            "E": ["at_risk", "off_track", "moving_away", missing],
        }
    )
    rank = overview.ranking(toy)
    assert list(rank.index) == ["D", "B", "C", "E", "A"]
    assert rank["rank"].tolist()[:4] == [1, 2, 2, 4]  # 1, 2, 2, 4
    assert pd.isna(rank.loc["A", "rank"])  # 1 of 4 assessed: never above 3 of 4
    assert rank.loc["B", "assessed"] == 3 and rank.loc["B", "total"] == 4
    html = overview.ranking_html(toy)
    assert '<td class="num">không xếp hạng</td><td>A</td><td class="num">1/4</td>' in html
    assert '<td class="num">2</td><td>B</td><td class="num">3/4</td>' in html
    assert "ít nhất 2/3 số mục tiêu được đánh giá" in html


def test_pages_show_words_and_symbols_not_colour_alone(ov):
    grid = overview.grid_html(ov)
    assert 'alt="Lạng Sơn: M1.CT1' in grid
    assert "Chậm tiến độ" in grid or "Đúng tiến độ" in grid or "Không đạt" in grid
    assert "mục tiêu gần nhất sau năm 2025" in grid
    national = overview.national_html(ov)
    assert "Tỷ số giới tính khi sinh" in national


def test_meta_counts_the_nations_own_targets(ov):
    counts = overview.meta(ov)["status_counts"]
    assert sum(counts.values()) == sum(len(v.targets) for v in ov.national)
    assert set(counts) <= set(text.STATUS_ORDER)
