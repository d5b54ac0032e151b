"""Tests for bdg_analysis.scorecard: one province's standing on every target, read from the
dataset's Context (series on current boundaries, trace columns) with pooled errors added."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bdg_analysis import dataset, plans, progress, scorecard
from bdg_analysis.targets import Target

HEADER = "province,indicator,year,value,sex,source,note,status\n"


def _ninh_binh(tmp_path: Path) -> pd.DataFrame:
    """Ninh Bình's three former parts 2015-2024, Nam Định alone in 2011 and 2014, and a few
    unchanged provinces so that pooled errors have series to learn from."""
    lines = [
        "Nam Định,M4.CT1,2011,120,,office,,official",
        "Nam Định,M4.CT1,2014,117,,office,,official",
    ]
    for year in range(2015, 2025):
        step = (year - 2015) * 0.2
        for part, level in (("Hà Nam", 111.0), ("Nam Định", 116.0), ("Ninh Bình", 115.0)):
            lines.append(f"{part},M4.CT1,{year},{level + step:.1f},,demo,,demo")
        for place, level in (("Lạng Sơn", 112.0), ("Cao Bằng", 110.0), ("Hà Nội", 114.0)):
            note = "gộp từ tỉnh cũ: a note that happens to say so" if year == 2020 else ""
            lines.append(f"{place},M4.CT1,{year},{level - step - 0.01:.2f},,demo,{note},demo")
    path = tmp_path / "nb.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return dataset.load(path)


def test_the_scorecard_context_is_the_datasets_with_pooled_errors_kept(tmp_path):
    obs = _ninh_binh(tmp_path)
    ctx = scorecard.Context(obs, cache_dir=tmp_path)
    assert isinstance(ctx, dataset.Context)
    pooled = ctx.pooled("M4.CT1", 2024)
    assert pooled is not None and pooled.n_series >= 3
    assert len(list(tmp_path.glob(f"pooled-{ctx.data_digest}-M4.CT1-2024.json"))) == 1
    again = scorecard.Context(obs, cache_dir=tmp_path).pooled("M4.CT1", 2024)
    assert again.scale_median == pooled.scale_median
    assert ctx.pooled("M5.CT1", 2024) is None  # yes/no indicators are not projected


def test_a_merged_provinces_view_leaves_out_years_with_only_some_parts(tmp_path):
    ctx = scorecard.Context(_ninh_binh(tmp_path))
    plan = plans.load_plan("Ninh Bình")
    view = scorecard.indicator_view(ctx, "Ninh Bình", plan, "M4.CT1", 2024)
    assert view.series.index.tolist() == list(range(2015, 2025))
    assert view.incomplete_years == [2011, 2014]
    assert view.trend["first_year"] == 2015  # the trend does not start at Nam Định alone
    assert view.aggregated and view.rows["aggregated"].all()
    assert view.decimals is None  # nothing recorded directly: only put-together means
    assert view.rank[1] == 4  # Ninh Bình ranked among the four places with a 2024 value


def test_aggregated_comes_from_the_columns_not_from_the_note(tmp_path):
    ctx = scorecard.Context(_ninh_binh(tmp_path))
    plan = plans.load_plan("Lạng Sơn")
    view = scorecard.indicator_view(ctx, "Lạng Sơn", plan, "M4.CT1", 2024)
    noted = view.rows[view.rows["year"] == 2020].iloc[0]
    assert "gộp từ tỉnh cũ" in noted["note"] and not noted["aggregated"]
    assert not view.aggregated and view.incomplete_years == []
    assert view.decimals == 2  # recorded values count for the precision shown


def _assessment(status: str, target_year: int, report_year: int) -> progress.Assessment:
    return progress.Assessment(
        target=Target("M4.CT1", target_year, "le", 109),
        status=progress.Status(status),
        probability=None,
        projection=None,
        latest_value=110.0,
        latest_year=2024,
        reason_code="test",
        reason="",
        report_year=report_year,
    )


@pytest.mark.parametrize(
    ("status", "target_year", "shown"),
    [
        ("on_track", 2030, "on_track"),
        # the year has come but is not observed: a forecast, never "not achieved" by default
        ("on_track", 2025, "on_track"),
        ("not_achieved", 2025, "not_achieved"),
        ("achieved", 2025, "achieved"),
        ("insufficient_data", 2025, "insufficient_data"),
    ],
)
def test_display_status_is_the_assessments_own_status(status, target_year, shown):
    assert scorecard.display_status(_assessment(status, target_year, 2025)) == shown
    assert scorecard.display_status(None) == "no_target"


def test_only_the_scorecard_warms_up_run_all_kernels():
    from bdg_analysis.dataset import context

    # batch calls every loaded module's bdg_warm_up: one hook, or the data are loaded twice
    assert callable(scorecard.bdg_warm_up)
    assert not hasattr(context, "bdg_warm_up") and not hasattr(dataset, "bdg_warm_up")


def _context(tmp_path: Path, rows: list[tuple[str, int, float]]) -> scorecard.Context:
    lines = [f"{place},M2.CT1,{year},{value},,test,,official" for place, year, value in rows]
    path = tmp_path / "ranks.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return scorecard.Context(dataset.load(path))


def test_ranks_are_on_one_common_year_ties_share_a_rank_and_coverage_is_shown(tmp_path):
    from bdg_analysis import geo, report

    names = [p.name for p in geo.current_provinces()][:20]
    values = [80, 70, 70, 60] + [30.0 + i for i in range(15)]
    rows = [(name, 2025, v) for name, v in zip(names, values, strict=False)]
    rows += [(names[19], 2019, 99.0)]  # a province whose latest figure is from 2019
    ctx = _context(tmp_path, rows)
    plan = plans.load_plan("Toàn quốc")

    def view(i):
        return scorecard.indicator_view(ctx, names[i], plan, "M2.CT1", 2025)

    assert [view(i).rank for i in range(4)] == [(1, 19), (2, 19), (2, 19), (4, 19)]  # 1, 2, 2, 4
    late = view(19)
    assert late.rank == (None, 19) and late.rank_year == 2025 and late.rank_total == 34
    assert "19/34 tỉnh có số liệu năm 2025" in report._rank_cell(late, "vi", "một nửa")
    assert "không có số liệu năm 2025" in report._rank_cell(late, "vi", "một nửa")
    # 2019 is never compared with 2025: the 2019 figure of 99 ranks nobody


def test_the_rank_year_falls_back_to_the_year_most_provinces_have_and_needs_coverage(tmp_path):
    from bdg_analysis import geo

    names = [p.name for p in geo.current_provinces()]
    # figures on today's boundaries (from 2025): 20 provinces in 2025, 5 in 2026
    rows = [(name, 2025, 40.0 + i) for i, name in enumerate(names[:20])]
    rows += [(name, 2026, 50.0 + i) for i, name in enumerate(names[:5])]
    ctx = _context(tmp_path, rows)
    assert scorecard.rank_year(ctx, "M2.CT1", 2026) == (2025, 20)
    plan = plans.load_plan("Toàn quốc")
    view = scorecard.indicator_view(ctx, names[19], plan, "M2.CT1", 2026)
    assert view.rank == (1, 20) and view.rank_year == 2025
    few = _context(tmp_path, [(name, 2025, 40.0 + i) for i, name in enumerate(names[:10])])
    sparse = scorecard.indicator_view(few, names[9], plan, "M2.CT1", 2025)
    assert sparse.rank == (None, 10)  # 10 of 34: below half, no rank


def test_demonstration_flags_are_part_of_the_pools_key(tmp_path):
    """Pools leave demonstration series out for real ones, so relabelling demonstration values
    official must give new pools (and new cached statuses), the values being the same."""
    obs = dataset.load(Path(__file__).parent / "fixtures" / "report_small.csv")
    assert (obs["status"] == "demo").any()
    ctx = scorecard.Context(obs, cache_dir=tmp_path)
    relabelled = scorecard.Context(obs.assign(status="official"), cache_dir=tmp_path)
    assert relabelled.data_digest != ctx.data_digest
    same_values = scorecard.Context(obs.assign(note="checked"), cache_dir=tmp_path)
    assert same_values.data_digest == ctx.data_digest
