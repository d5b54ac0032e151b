"""The report's data notes in plain words for a leader: methods named in words with counts,
sources in the report's language, which agency's return on what date, which file each value
came from, the demonstration share and merged provinces' incomplete years (issues 13, 14)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from bdg_analysis import projection, report, report_notes, text, words
from bdg_analysis.io import form_sources
from bdg_analysis.sources import source_line, translate_source

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = "province,indicator,year,value,sex,source,note,status\n"


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def small_vi():
    return report.prepare(
        "Lạng Sơn", data=str(FIXTURES / "report_small.csv"), lang="vi", run_date="2026-06-01"
    )


# ---------------------------------------------------------------- methods in words


def test_every_method_the_projection_declares_has_words_in_both_languages():
    declared = set(projection.METHOD_NAMES) | set(getattr(projection, "METHODS", ()))
    assert declared, "the projection package declares its methods"
    for method in declared:
        assert words.has_word(f"report_notes.method_{method}"), method
        for lang in words.LANGS:
            shown = text.method_words(method, lang)
            assert shown and shown != method and "_" not in shown


def test_methods_are_named_in_plain_words_with_counts(small_vi):
    notes = report_notes.data_notes_html(small_vi)
    item = re.search(r"<li>Phương pháp: (.*?)</li>", notes).group(1)
    counts = item.split("Số chỉ tiêu theo cách dự báo: ")[1]
    named = dict(part.rsplit(": ", 1) for part in counts.split(", "))
    expected: dict[str, int] = {}
    for view in small_vi.views:
        if view.path:
            name = text.method_words(view.path[0].method, "vi")
            expected[name] = expected.get(name, 0) + 1
    assert {k: int(v) for k, v in named.items()} == expected
    for code in ("damped", "drift", "linear", "naive", "(damped"):
        assert code not in item
    # the method in a leader's words: a damped trend learned from the other provinces' series
    assert "chậm dần mỗi năm" in report_notes.method_note("vi")
    assert "không dùng chuỗi của chính tỉnh" in report_notes.method_note("vi")
    assert "damped each year" in report_notes.method_note("en")


def test_an_unknown_method_falls_back_to_the_projections_own_words(monkeypatch):
    monkeypatch.setitem(projection.METHOD_NAMES, "theta_new", "theta method (new member)")
    assert text.method_words("theta_new", "vi") == "theta method (new member)"
    assert text.method_words("never_declared", "en") == "never declared"


# ---------------------------------------------------------------- sources in the report's language


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "Tổng cục Thống kê, Niên giám thống kê 2023, Biểu 18",
            "en",
            "General Statistics Office, Statistical Yearbook 2023, Table 18",
        ),
        (
            "General Statistics Office, Statistical Yearbook 2023, Table 18",
            "vi",
            "Tổng cục Thống kê, Niên giám thống kê 2023, Biểu 18",
        ),
        (
            "GSO (Tổng cục Thống kê), PX-Web E02.08 'Sex ratio by residence', updated 2025-07-23",
            "vi",
            "Tổng cục Thống kê, PX-Web E02.08 'Sex ratio by residence', cập nhật 2025-07-23",
        ),
        (
            "GSO, 2019 Population and Housing Census, quoted by Kiến Thức",
            "vi",
            "Tổng cục Thống kê, 2019 Tổng điều tra dân số và nhà ở, dẫn theo Kiến Thức",
        ),
        ("Báo Nam Định, 28/03/2017", "en", "Báo Nam Định, 28/03/2017"),  # kept as written
        ("Test source <b>A</b>", "vi", "Test source <b>A</b>"),
        ("", "en", ""),
    ],
)
def test_source_lines_in_the_reports_language(text, lang, expected):
    assert translate_source(text, lang) == expected


def test_titles_in_quotes_and_common_words_the_other_way_are_kept():
    # a title as published is not translated, even when it holds a word of the table
    assert translate_source("GSO, 'Table of GSO figures'", "vi") == (
        "Tổng cục Thống kê, 'Table of GSO figures'"
    )
    # "qua" is a common Vietnamese word: it is never read as "via"
    assert translate_source("Báo cáo qua các năm", "en") == "Báo cáo qua các năm"
    assert translate_source("a timetable of tables", "vi") == "a timetable of tables"


def test_a_form_source_names_agency_form_and_date_in_each_language():
    text = form_sources.source_text(
        "Sở Y tế", "BDG-20-2026-so-y-te-20261210", dt.date(2026, 12, 8), "Báo cáo thống kê y tế"
    )
    assert source_line(text, "vi") == (
        "Sở Y tế, biểu BDG-20-2026-so-y-te-20261210, nhận ngày 08/12/2026: Báo cáo thống kê y tế"
    )
    assert source_line(text, "en") == (
        "Department of Health, form BDG-20-2026-so-y-te-20261210, received 8 December 2026: "
        "Báo cáo thống kê y tế"
    )
    assert source_line(float("nan"), "en") == ""


def test_the_sources_table_of_an_english_report_is_in_english():
    rep = report.prepare("Lạng Sơn", lang="en", run_date="2026-11-30")
    table = report_notes.data_notes_html(rep).split('<table class="sources">')[1]
    assert "GSO (General Statistics Office)" in table
    assert "Demonstration data (demo)" in table
    assert "Tổng cục Thống kê)" not in table  # no Vietnamese publisher left in the English page
    vi = report_notes.data_notes_html(report.prepare("Lạng Sơn", lang="vi", run_date="2026-11-30"))
    assert "Tổng cục Thống kê, PX-Web E02.08" in vi and "updated" not in vi


# ---------------------------------------------------------------- files, returns, demo share


def test_values_by_file_and_the_demo_share(small_vi):
    notes = report_notes.data_notes_html(small_vi)
    used = small_vi.used_rows
    assert f"tests/fixtures/report_small.csv: {len(used)} giá trị" in notes
    demo = int((used["status"] == "demo").sum())
    share = words.fmt_percent(demo / len(used), "vi")
    assert f"{demo} trên {len(used)} giá trị trong báo cáo ({share}) là số liệu minh họa" in notes
    assert "/work/" not in notes and "/tmp/" not in notes
    assert "xếp chồng" not in notes  # one file: nothing laid over anything


def test_returns_say_which_agency_on_what_date_in_both_languages(tmp_path):
    source = form_sources.source_text(
        "Sở Y tế", "BDG-20-2026-so-y-te-20261210", dt.date(2026, 12, 8)
    )
    own = _write(
        tmp_path / "tra-ve.csv",
        [
            f'Lạng Sơn,M4.CT1,2026,109.2,,"{source}",,official',
            f'Lạng Sơn,M4.CT1,2025,109.9,,"{source}",,official',
            f'Lạng Sơn,M4.CT3,2026,,,"{source}",chưa điều tra năm 2026,official',
        ],
    )
    rep = report.prepare(
        "Lạng Sơn",
        year=2026,
        data=[str(FIXTURES / "report_small.csv"), str(own)],
        lang="vi",
        run_date="2026-12-15",
    )
    notes = report_notes.data_notes_html(rep)
    assert (
        "Sở Y tế, gửi ngày 08/12/2026 (biểu BDG-20-2026-so-y-te-20261210): 2 giá trị "
        "(M4.CT1, M4.CT3; năm 2025-2026); 1 dòng không có số liệu, có ghi lý do"
    ) in notes
    assert "tra-ve.csv: 2 giá trị" in notes
    assert "Các tệp được xếp chồng theo thứ tự tests/fixtures/report_small.csv → " in notes
    rep.lang = "en"
    english = report_notes.data_notes_html(rep)
    assert "Department of Health, returned on 8 December 2026 (form BDG-20-2026-so-y-te" in english
    assert "1 row(s) without a figure, the reason given" in english


def test_a_report_without_returns_says_so(small_vi):
    notes = report_notes.data_notes_html(small_vi)
    assert "Chưa có số liệu nào của tỉnh lấy từ biểu thu thập" in notes


# ---------------------------------------------------------------- merged provinces


def test_a_merged_provinces_incomplete_years_are_named_with_the_missing_parts(tmp_path):
    lines = [
        "Nam Định,M4.CT1,2011,120,,office,,official",
        "Nam Định,M4.CT1,2014,117,,office,,official",
    ]
    for year in range(2015, 2025):
        for part, level in (("Hà Nam", 111.0), ("Nam Định", 116.0), ("Ninh Bình", 115.0)):
            lines.append(f"{part},M4.CT1,{year},{level + (year - 2015) * 0.1:.1f},,demo,,demo")
    lines.append("Ninh Bình,M4.CT1,2025,114.0,,demo,,demo")
    rep = report.prepare("Ninh Bình", data=str(_write(tmp_path / "nb.csv", lines)), lang="vi")
    notes = report_notes.data_notes_html(rep)
    assert "Năm chỉ có số liệu của một phần các tỉnh cũ" in notes
    assert "M4.CT1: 2011, 2014 (thiếu số liệu của Hà Nam, Ninh Bình)" in notes
    rep.lang = "en"
    english = report_notes.data_notes_html(rep)
    assert "M4.CT1: 2011, 2014 (no figure for Hà Nam, Ninh Bình)" in english


def test_no_incomplete_line_when_every_year_is_whole(small_vi):
    assert "một phần các tỉnh cũ" not in report_notes.data_notes_html(small_vi)
    empty = SimpleNamespace(lang="vi", views=[], province=None, context=None, year=2025)
    assert report_notes._incomplete_text(empty) == ""
