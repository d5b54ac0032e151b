"""The national overview: statuses of every province on one page, ranks, national series."""

from pathlib import Path

import pytest

from bdg_analysis import catalogue, overview, text

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


def test_ranking_puts_the_province_with_more_targets_on_track_first(ov):
    rank = overview.ranking(ov)
    assert list(rank["rank"]) == [1, 2]
    assert rank.iloc[0]["share"] >= rank.iloc[1]["share"]


def test_pages_show_words_and_symbols_not_colour_alone(ov):
    grid = overview.grid_html(ov)
    assert 'alt="Lạng Sơn: M1.CT1' in grid
    assert "Chậm tiến độ" in grid or "Đúng tiến độ" in grid
    ranking = overview.ranking_html(ov)
    assert '<td class="num">1</td><td>' in ranking
    national = overview.national_html(ov)
    assert "Tỷ số giới tính khi sinh" in national


def test_meta_counts_the_nations_own_targets(ov):
    counts = overview.meta(ov)["status_counts"]
    assert sum(counts.values()) == len(ov.national)
    assert set(counts) <= set(text.STATUS_ORDER)
