"""The run-all index: a legend for every status, the demonstration-data banner, and dates in the
page's language (the run date it was given, or the time with its zone)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bdg_analysis import index_page
from bdg_analysis.text import STATUS_ORDER, STATUS_SYMBOLS, status_word

ROWS = [
    {
        "name": "Lạng Sơn",
        "status": "ok",
        "file": "lang-son-2025-vi.html",
        "report_year": 2025,
        "built": "2026-11-30",
        "seconds": 5.2,
        "reason": "",
        "counts": {"achieved": 3, "off_track": 2},
        "demo_rows": 1234,
    },
    {
        "name": "Cao Bằng",
        "status": "failed",
        "file": "cao-bang-2025-vi.html",
        "report_year": 2025,
        "built": "2026-11-29",
        "seconds": 1.0,
        "reason": "a <b>cell</b> failed",
        "counts": {},
        "demo_rows": 0,
    },
    {
        "name": "Hà Nội",
        "status": "kept",
        "file": None,
        "report_year": None,
        "built": "",
        "seconds": None,
        "reason": "",
        "counts": {},
        "demo_rows": 99,
    },
]
STARTED = dt.datetime(2026, 11, 30, 19, 23, 5, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def index(lang: str = "vi", run_date: str | None = None, rows=ROWS) -> str:
    return index_page.index_html(
        rows,
        lang=lang,
        started=STARTED,
        run_date=run_date,
        seconds=42.4,
        jobs=2,
        data_record={"name": "data/observations.csv", "sha256": "ab" * 32},
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_legend_gives_every_status_its_symbol_and_its_word(lang):
    legend = re.search(r'<div class="legend">.*?</div>', index(lang), re.S).group(0)
    for status in STATUS_ORDER:
        item = f">{STATUS_SYMBOLS[status]}</span> {status_word(status, lang)}</li>"
        assert item in legend, status
    assert legend.count("<li>") == len(STATUS_ORDER)


def test_the_demonstration_banner_counts_the_reports_and_values_shown():
    page = index("vi")
    banner = re.search(r'<div class="demo-banner" role="note">(.*?)</div>', page).group(1)
    # Hà Nội has no page listed: only the two listed reports count
    assert "DỮ LIỆU MINH HỌA:" in banner and "1/2 báo cáo" in banner and "1.234 giá trị" in banner
    english = index("en")
    assert "1 of 2 reports" in english and "(1,234 values)" in english


def test_no_banner_without_demonstration_values():
    clean = [dict(r, demo_rows=0) for r in ROWS]
    assert 'class="demo-banner"' not in index("vi", rows=clean)


def test_the_run_date_given_is_shown_in_the_page_language():
    assert "Ngày lập: 30/11/2026 ·" in index("vi", run_date="2026-11-30")
    assert "Run date: 30 November 2026 ·" in index("en", run_date="2026-11-30")
    assert "19:23" not in index("vi", run_date="2026-11-30")  # the clock is not the run date


def test_without_a_run_date_the_time_and_its_zone_are_shown():
    page = index("vi")
    assert "Lần chạy: 30/11/2026 19:23 (UTC+07:00)" in page
    assert "2026-11-30T" not in page
    assert "<td>29/11/2026</td>" in page  # each report's date, the same way


def test_data_text_is_escaped_and_the_failed_row_keeps_its_previous_report():
    page = index("vi")
    row = re.search(r'<tr class="status-failed">.*?</tr>', page).group(0)
    assert "a &lt;b&gt;cell&lt;/b&gt; failed" in row and "giữ báo cáo trước" in row
    assert "<b>cell" not in page


def test_every_status_has_its_own_symbol():
    """A symbol stands for one status only: the index and the overview print symbols alone."""
    shown = [STATUS_SYMBOLS[s] for s in STATUS_ORDER]
    assert len(set(shown)) == len(shown)


@pytest.mark.parametrize(("lang", "seconds"), [("vi", ">5,2</td>"), ("en", ">5.2</td>")])
def test_seconds_are_written_in_the_page_language(lang, seconds):
    assert seconds in index(lang)
