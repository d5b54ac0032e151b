"""The Excel annex: numbers stay numbers with a display format, text never turns into a formula,
sheets and headers in the report's language, a sheet of definitions and sources."""

import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from bdg_analysis import annex, runner
from bdg_analysis.annex import write_status_annex
from bdg_analysis.text import status_word


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    table = pd.DataFrame(
        {
            "Chỉ tiêu": ['=HYPERLINK("http://x")', "+1+2", "-3", "@SUM(A1)", "Tỷ số giới tính"],
            "Giá trị": [1.5, 2.0, float("nan"), 4, 112.3],
        }
    )
    path = write_status_annex(
        table, tmp_path / "annex.xlsx", title="Lạng Sơn 2025", notes=["=cmd|' /C calc'!A0"]
    )
    ws = load_workbook(path).active
    assert ws["A1"].value == "Lạng Sơn 2025"
    note = ws["A2"]  # a warning goes under the title, where a reader looks first
    assert note.value.startswith("=cmd") and note.data_type == "s"
    assert ws["A3"].value == "Chỉ tiêu" and ws.freeze_panes == "A4"
    texts = [ws.cell(row=r, column=1) for r in range(4, 9)]
    assert [c.value for c in texts] == table["Chỉ tiêu"].tolist()
    assert all(c.data_type == "s" for c in texts)
    assert ws.cell(row=4, column=2).value == 1.5 and ws.cell(row=4, column=2).data_type == "n"
    assert ws.cell(row=6, column=2).value is None  # missing stays empty, never 0


def test_no_formula_survives_a_round_trip_through_the_file(tmp_path):
    table = pd.DataFrame({"a": ["=1+1"], "b": ["@x"]})
    path = write_status_annex(table, tmp_path / "a.xlsx")
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml


# ------------------------------------------------------------------ the report's annex

COLUMN_KEYS = annex.COLUMNS


def _meta(lang: str) -> dict:
    achieved, off = status_word("achieved", lang), status_word("off_track", lang)
    none = status_word("insufficient_data", lang)
    rows = [
        ["M1.CT1", "Cơ quan có lãnh đạo chủ chốt là nữ", "%", 2030, "≥ 75", 75.23, 2025,
         "minh họa", 52.10654183807699, 41.2, 89.61, "xu hướng chậm dần", "51%",
         0.5053117396134141, achieved, "", "Sở Nội vụ", "data/observations.csv:12"],
        ["M3.CT1", "Giờ việc nhà", "lần", 2030, "≤ 1,4", 1.94, 2025, "", 1.861, 1.58, 2.19,
         "xu hướng chậm dần", "1%", 0.01, off, "", "Sở Y tế",
         "data/observations.csv:40; data/extra.csv:3"],
        ["M4.CT4", "=Cơ sở y tế", "cơ sở", 2030, "≥ 1", 1.0, 2025, "", None, None, None, "",
         "", None, none, "", "@Sở Y tế", ""],
    ]  # fmt: skip
    return {
        "year": 2025,
        "province": "Lạng Sơn",
        "demo_rows": 2,
        "annex": {"columns": list(COLUMN_KEYS), "rows": rows},
    }


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_report_annex_speaks_the_report_language_and_formats_its_numbers(tmp_path, lang):
    page = tmp_path / f"lang-son-2025-{lang}.html"
    _, path = runner.write_report(
        page, "<p/>", _meta(lang), title="T", lang=lang, run_date="2026-11-30"
    )
    book = load_workbook(path)
    status_sheet = {"vi": "Tình trạng chỉ tiêu", "en": "Target status"}[lang]
    definitions_sheet = {"vi": "Định nghĩa và nguồn", "en": "Definitions and sources"}[lang]
    assert book.sheetnames == [status_sheet, definitions_sheet]
    ws = book[status_sheet]
    shown = annex.headers(COLUMN_KEYS, lang)
    head = next(r for r in range(1, 6) if ws.cell(row=r, column=1).value == shown[0])
    assert ws.freeze_panes == f"A{head + 1}"  # the header row stays in view
    headers = [ws.cell(row=head, column=c).value for c in range(1, len(COLUMN_KEYS) + 1)]
    assert headers == shown and not set(COLUMN_KEYS) & set(headers)  # words, never keys
    assert "Status" not in ws.title and "(status)" not in " ".join(headers)
    cells = {k: ws.cell(row=head + 1, column=i + 1) for i, k in enumerate(COLUMN_KEYS)}
    assert cells["latest"].value == 75.23 and cells["latest"].number_format == "0.0"
    assert cells["projection"].number_format == "0.0" and cells["low"].number_format == "0.0"
    assert cells["p_met"].value == pytest.approx(0.5053117396134141)
    assert cells["p_met"].number_format == "0.0%"
    assert cells["probability"].value == "51%"  # the page's text, beside the exact number
    assert cells["latest_year"].number_format == "0"
    ratio = ws.cell(row=head + 2, column=COLUMN_KEYS.index("latest") + 1)
    assert ratio.number_format == "0.00"  # below 10: two decimals, as the report shows it
    count = ws.cell(row=head + 3, column=COLUMN_KEYS.index("latest") + 1)
    assert count.number_format == "0"
    text = ws.cell(row=head + 3, column=COLUMN_KEYS.index("indicator") + 1)
    assert text.value == "=Cơ sở y tế" and text.data_type == "s"
    widths = [ws.column_dimensions[chr(65 + i)].width for i in range(len(COLUMN_KEYS))]
    assert all(8 <= w <= 60 for w in widths)
    assert widths[COLUMN_KEYS.index("indicator")] > widths[COLUMN_KEYS.index("latest_year")]
    demo = "MINH HỌA" if lang == "vi" else "DEMONSTRATION"
    assert demo in str(ws.cell(row=2, column=1).value)


def test_the_definitions_sheet_explains_columns_statuses_indicators_and_sources(tmp_path):
    page = tmp_path / "lang-son-2025-vi.html"
    _, path = runner.write_report(page, "<p/>", _meta("vi"), title="T", lang="vi", run_date=None)
    ws = load_workbook(path)["Định nghĩa và nguồn"]
    text = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    joined = "\n".join(text)
    assert "Khả năng đạt" in joined and "Xác suất" in joined  # a column and its meaning
    assert status_word("off_track", "vi") in text and "1/3" in joined
    assert "Báo cáo hành chính của Sở Nội vụ" in joined  # M1.CT1's data source, in Vietnamese
    assert "Kế hoạch của UBND tỉnh Lạng Sơn" in joined  # the plan as its document names itself
    assert "28/NQ-CP" in joined
    assert "data/observations.csv" in text and "data/extra.csv" in text
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet2.xml").decode()
    assert "<f>" not in xml


def test_the_report_annex_is_byte_identical_on_rerun(tmp_path):
    made = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        page = tmp_path / name / "lang-son-2025-vi.html"
        runner.write_report(page, "<p/>", _meta("vi"), title="T", lang="vi", run_date="2026-11-30")
        made.append(page.with_suffix(".xlsx").read_bytes())
    assert made[0] == made[1]


def test_unknown_columns_pass_through_unformatted():
    book = annex.report_workbook(
        {"annex": {"columns": ["x", "y"], "rows": [["=a", 1.23456]]}}, title="", lang="en"
    )
    ws = book.worksheets[0]
    assert ws.title == "Target status"
    assert ws["A2"].value == "=a" and ws["A2"].data_type == "s"
    assert ws["B2"].value == 1.23456 and ws["B2"].number_format == "General"


def test_a_wrapped_long_name_gets_a_row_tall_enough_to_read():
    long_name = (
        "Tỷ lệ cơ quan quản lý nhà nước, chính quyền địa phương các cấp có lãnh đạo chủ chốt là nữ"
    )
    meta = _meta("vi")
    meta["annex"]["rows"][0][1] = long_name
    ws = annex.report_workbook(meta, title="T", lang="vi").worksheets[0]
    head = next(r for r in range(1, 6) if ws.cell(row=r, column=1).value == "Mã")
    assert ws.cell(row=head + 1, column=2).alignment.wrap_text
    assert ws.row_dimensions[head + 1].height >= 2 * annex.LINE_HEIGHT
    assert ws.row_dimensions[head].height >= annex.LINE_HEIGHT  # headers wrap too
