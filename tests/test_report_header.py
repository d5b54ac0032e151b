"""The report's header in a leader's words: the plan named as its document names itself, the
date in the page's language, no file, checksum or version (those are in the technical details)."""

from pathlib import Path

import pytest

from bdg_analysis import report

FIXTURE = Path(__file__).parent / "fixtures" / "report_small.csv"


@pytest.fixture(scope="module")
def reports():
    made = {
        ("Lạng Sơn", lang): report.prepare(
            "Lạng Sơn", data=str(FIXTURE), lang=lang, run_date="2026-11-30"
        )
        for lang in ("vi", "en")
    }
    # Quảng Ninh's plan has a number and a date (the embedded data has the province)
    made["Quảng Ninh", "vi"] = report.prepare("Quảng Ninh", lang="vi", run_date="2026-11-30")
    return made


def test_the_plan_is_named_as_its_document_names_itself(reports):
    vi = report.header_html(reports["Lạng Sơn", "vi"])
    assert "Kế hoạch của UBND tỉnh Lạng Sơn (bản chưa ghi số, tháng 4/2026)" in vi
    assert "(không ghi số)" not in vi
    en = report.header_html(reports["Lạng Sơn", "en"])
    assert "Lạng Sơn Provincial People" in en and "April 2026" in en
    qn = report.header_html(reports["Quảng Ninh", "vi"])
    assert "Kế hoạch số 82/KH-UBND ngày 08/04/2021 của UBND tỉnh Quảng Ninh" in qn


def test_the_header_holds_no_file_checksum_or_version_and_dates_as_the_reader_writes(reports):
    for (_, lang), rep in reports.items():
        header = report.header_html(rep)
        for technical in (".csv", "sha256", "bdg-analysis", "2026-11-30", "notebook", "Sổ tính"):
            assert technical not in header, technical
        assert ("30/11/2026" if lang == "vi" else "30 November 2026") in header


def test_demonstration_values_put_the_warning_at_the_head_of_every_printed_page(reports):
    header = report.header_html(reports["Lạng Sơn", "vi"])
    assert 'class="demo-banner"' in header
    assert '@page { @top-center { content: "DỮ LIỆU MINH HỌA' in header
