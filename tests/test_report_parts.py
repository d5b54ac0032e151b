"""The report's pieces (status table, sentences, sections) from a small dataset, no kernel."""

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from bdg_analysis import annex, report, report_notes, scorecard, text

FIXTURE = Path(__file__).parent / "fixtures" / "report_small.csv"


@pytest.fixture(scope="module")
def vi():
    return report.prepare("Lạng Sơn", data=str(FIXTURE), lang="vi", run_date="2026-06-01")


@pytest.fixture(scope="module")
def en():
    return report.prepare("Lang Son", data=str(FIXTURE), lang="en", run_date="2026-06-01")


def _view(rep, indicator):
    return next(v for v in rep.views if v.id == indicator)


def test_report_year_defaults_to_the_latest_year_with_data(vi):
    assert vi.year == 2025


def test_statuses_follow_the_data(vi):
    records = {r["id"]: r for r in report.status_records(vi)}
    # wage employment rose 3 points a year to 57: the 2030 target (Lạng Sơn: above 60) is likely
    assert records["M2.CT1"]["status"] in ("on_track", "achieved")
    # women in agriculture rose from 40 to 53.5: away from "below 25"
    assert records["M2.CT2"]["status"] in ("moving_away", "off_track")
    assert records["M2.CT2"]["data_status"] == "demo"
    # no data at all for most indicators
    assert records["M6.CT1"]["status"] == "insufficient_data"
    # the 2025 value of Lạng Sơn is line 65 of the fixture (header + 9 years x 7 rows + 1)
    assert records["M4.CT1"]["source"].endswith("report_small.csv:65")
    assert 0 <= records["M4.CT1"]["probability"] <= 1


def test_a_past_target_missed_reads_not_achieved(vi):
    srb = _view(vi, "M4.CT1")
    a2025 = srb.assessment_for(2025)
    assert a2025 is not None and srb.series[2025] == pytest.approx(108.8)
    # 108.8 meets "≤ 111": achieved on the data of 2025, not on a projection
    assert scorecard.display_status(a2025) == "achieved"


def test_risk_sentences_name_the_worst_targets_first(vi):
    risks = report.risk_sentences(vi)
    assert 1 <= len(risks) <= 5
    assert risks[0].startswith("Lao động nữ trong nông nghiệp")
    # a target still ahead with a projection gives its chance; any other its latest value
    for sentence in risks:
        view = next(v for v in vi.views if sentence.startswith(report._name(v, "vi", short=True)))
        ahead = view.headline.target.year > vi.year and view.headline.projection is not None
        assert ("khả năng đạt mục tiêu" in sentence) == ahead, sentence
        assert ("giá trị mới nhất" in sentence) == (not ahead), sentence


def test_indicator_sentences_in_vietnamese_and_english(vi, en):
    vi_text = " ".join(report.indicator_sentences(vi, _view(vi, "M4.CT1")))
    assert "Tỷ số giới tính khi sinh năm 2025 là 108,8 bé trai/100 bé gái." in vi_text
    # the series is recorded with one decimal, so a whole change still shows it: 4,0 not 4
    assert "So với năm 2020, giảm 4,0 bé trai/100 bé gái, theo hướng tích cực." in vi_text
    assert "năm 2030 dự kiến 105,0 (khoảng" in vi_text
    en_text = " ".join(report.indicator_sentences(en, _view(en, "M4.CT1")))
    assert "Sex ratio at birth was 108.8 boys per 100 girls in 2025." in en_text
    assert "down 4.0 boys per 100 girls since 2020" in en_text


def test_sections_escape_text_from_data(vi):
    notes = report_notes.data_notes_html(vi)
    assert "Test source &lt;b&gt;A&lt;/b&gt;" in notes
    assert "<b>A</b>" not in notes


def test_comparison_and_accountability(vi):
    comparison = report.comparison_html(vi)
    # two provinces of 34 have 2025 figures: below the coverage for a rank, and it says so
    assert "2/34 tỉnh có số liệu năm 2025" in comparison
    assert "không xếp hạng: dưới một nửa số tỉnh có số liệu" in comparison
    accountability = report.accountability_html(vi)
    assert "Sở Y tế" in accountability


def test_merged_province_history_comes_from_its_former_parts():
    rep = report.prepare("Thái Nguyên", data=str(FIXTURE), lang="vi", run_date="2026-06-01")
    srb = _view(rep, "M4.CT1")
    assert srb.aggregated
    assert set(srb.series.index) == set(range(2016, 2026))
    header = report.header_html(rep)
    assert "Bắc Kạn" in header


def test_annex_frame_and_meta_are_plain_values(vi):
    meta = report.meta(vi)
    assert meta["year"] == 2025 and meta["demo_rows"] > 0
    targets = sum(len(v.targets) for v in vi.views)
    assert len(meta["annex"]["rows"]) == targets  # one row per target and year
    assert sum(meta["status_counts"].values()) == targets
    frame = report.annex_frame(vi)
    assert list(frame.columns) == list(annex.COLUMNS)  # handed over by key, never by header


def test_the_real_annex_has_a_header_a_definition_and_a_format_for_every_column(vi):
    """The report's own table through the annex (not a hand-made one): every column is known,
    methods are words, the chance is the page's text beside the exact probability."""
    from bdg_analysis.words import has_word

    meta = report.meta(vi)
    keys = meta["annex"]["columns"]
    assert all(has_word(f"annex.head_{k}") and has_word(f"annex.def_{k}") for k in keys)
    book = annex.report_workbook(meta, title="T", lang="vi")
    ws = book.worksheets[0]
    head = next(r for r in range(1, 6) if ws.cell(row=r, column=1).value == "Mã")
    col = {k: i + 1 for i, k in enumerate(keys)}
    rows = range(head + 1, ws.max_row + 1)
    methods = {ws.cell(row=r, column=col["method"]).value for r in rows}
    assert methods and not any("_" in str(m or "") for m in methods)  # no "damped_trend"
    for r in rows:
        p = ws.cell(row=r, column=col["p_met"])
        shown = ws.cell(row=r, column=col["probability"]).value
        if p.value is None:
            assert not shown
            continue
        assert p.number_format == "0.0%" and 0 <= p.value <= 1
        assert shown == text.fmt_chance(p.value, "vi")
        value = ws.cell(row=r, column=col["latest"])
        assert value.value is None or value.number_format in ("0", "0.0", "0.00")


def test_deadlines_come_from_the_plan_or_default_to_june_and_december(vi):
    # Lạng Sơn's plan says "hằng năm" (yearly), no day and month: the usual 10 June / 10 December
    assert report.deadline_text(vi) == "10/6 và 10/12 hằng năm"
    own = SimpleNamespace(lang="en", plan=SimpleNamespace(deadlines=[{"due": "07-15"}]))
    assert report.deadline_text(own) == "15 July each year"


def test_pooled_errors_are_cached_between_runs(tmp_path):
    from bdg_analysis import dataset

    first = scorecard.Context(dataset.load(FIXTURE), cache_dir=tmp_path)
    pooled = first.pooled("M4.CT1", 2025)
    files = list(tmp_path.glob("pooled-*-M4.CT1-2025.json"))
    assert len(files) == 1
    second = scorecard.Context(dataset.load(FIXTURE), cache_dir=tmp_path)
    again = second.pooled("M4.CT1", 2025)
    assert again is not pooled  # read back from the file
    assert again.scale_median == pooled.scale_median and again.n_series == pooled.n_series
    assert again.labels == pooled.labels and again.demo == pooled.demo
    assert all(
        np.array_equal(again.pairs[k], pooled.pairs[k], equal_nan=True) for k in pooled.pairs
    )
    other = scorecard.Context(
        dataset.load(FIXTURE).assign(value=lambda f: f["value"] + 1), cache_dir=tmp_path
    )
    assert other.data_digest != first.data_digest  # other data never reads this cache


def _sections(rep) -> str:
    return "".join(
        [
            report.summary_html(rep),
            *(report.goal_section_html(rep, g) for g in range(1, 7)),
            report.comparison_html(rep),
            report_notes.data_notes_html(rep),
        ]
    )


def test_a_report_keeps_its_statuses_as_json_and_no_pickle(tmp_path, monkeypatch):
    monkeypatch.setenv("BDG_CACHE_DIR", str(tmp_path))
    fresh = report.prepare("Lạng Sơn", data=str(FIXTURE), lang="vi", run_date="2026-06-01")
    assert len(list(tmp_path.glob("statuses-*.json"))) == 1
    assert not list(tmp_path.glob("*.pkl"))
    again = report.prepare("Lạng Sơn", data=str(FIXTURE), lang="vi", run_date="2026-06-01")
    assert _sections(again) == _sections(fresh)
    # the overview reads the statuses back from the file, without assessing the province again
    from bdg_analysis import dataset

    def no_analysis(*args, **kwargs):
        raise AssertionError("assessed again")

    ctx = scorecard.Context(dataset.load(FIXTURE), cache_dir=tmp_path)
    monkeypatch.setattr(scorecard, "province_scorecard", no_analysis)
    read = scorecard.target_statuses(ctx, "Lạng Sơn", 2025)
    assert read == report._statuses(fresh)


def test_the_statuses_cache_key_follows_data_plans_province_and_year(tmp_path):
    import dataclasses

    from bdg_analysis import dataset, plans
    from bdg_analysis.targets import Target

    ctx = scorecard.Context(dataset.load(FIXTURE), cache_dir=tmp_path)
    plan = plans.load_plan("Lạng Sơn")
    scorecard.target_statuses(ctx, "Lạng Sơn", 2025, plan=plan)
    scorecard.target_statuses(ctx, "Lạng Sơn", 2024, plan=plan)  # another year
    scorecard.target_statuses(ctx, "Cao Bằng", 2025)  # another province
    other = scorecard.Context(
        dataset.load(FIXTURE).assign(value=lambda f: f["value"] * 1.01), cache_dir=tmp_path
    )
    scorecard.target_statuses(other, "Lạng Sơn", 2025, plan=plan)  # other data
    first = plan.targets[0]
    edited = dataclasses.replace(
        plan,
        targets=[Target(first.indicator, first.year, first.op, first.value + 1)] + plan.targets[1:],
    )
    scorecard.target_statuses(ctx, "Lạng Sơn", 2025, plan=edited)  # a target edited
    assert len(list(tmp_path.glob("statuses-*.json"))) == 5
    scorecard.target_statuses(ctx, "Lạng Sơn", 2025, plan=plan)  # nothing new: read back
    assert len(list(tmp_path.glob("statuses-*.json"))) == 5


def test_a_warmed_up_context_is_reused_only_while_the_data_file_is_unchanged(tmp_path, monkeypatch):
    import os
    import shutil

    data = tmp_path / "data.csv"
    shutil.copy(FIXTURE, data)
    monkeypatch.setattr(scorecard, "_WARM", {})
    scorecard.bdg_warm_up({"data": str(data), "year": None, "lang": "vi"})
    warm = scorecard.load_context(str(data))
    assert scorecard.load_context(str(data)) is warm
    assert "current" in warm.__dict__ and warm.__dict__.get("_pooled")  # computed up front
    assert scorecard.load_context(str(FIXTURE)) is not warm  # other data
    stat = data.stat()
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # file replaced
    assert scorecard.load_context(str(data)) is not warm


def test_the_status_table_states_the_cut_offs_under_it(vi, en):
    summary = report.summary_html(vi)
    assert "từ 2/3 (67%) trở lên" in summary and "từ 1/3 (33%) trở xuống" in summary
    assert "66,6% ghi là 66%" in summary
    english = report.summary_html(en)
    assert "On track from 2/3 (67%), off track at 1/3 (33%) or below" in english


def test_old_cache_entries_are_pruned(tmp_path):
    import os
    import time

    from bdg_analysis import cache

    old, new = tmp_path / "pooled-old.json", tmp_path / "statuses-new.json"
    other = tmp_path / "notes.txt"
    for path in (old, new, other):
        path.write_bytes(b"x")
    days_ago = time.time() - 61 * 86400
    os.utime(old, (days_ago, days_ago))
    os.utime(other, (days_ago, days_ago))
    assert cache.prune(tmp_path, older_than_days=60) == 1
    assert not old.exists() and new.exists() and other.exists()  # only results are removed
