"""The Excel annex keeps numbers as numbers and never turns text into formulas."""

import pandas as pd
from openpyxl import load_workbook

from bdg_analysis.annex import write_status_annex


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
    texts = [ws.cell(row=r, column=1) for r in range(4, 9)]
    assert [c.value for c in texts] == table["Chỉ tiêu"].tolist()
    assert all(c.data_type == "s" for c in texts)
    assert ws.cell(row=4, column=2).value == 1.5 and ws.cell(row=4, column=2).data_type == "n"
    assert ws.cell(row=6, column=2).value is None  # missing stays empty, never 0
    note = ws.cell(row=10, column=1)
    assert note.value.startswith("=cmd") and note.data_type == "s"
    assert ws["A1"].value == "Lạng Sơn 2025"


def test_no_formula_survives_a_round_trip_through_the_file(tmp_path):
    table = pd.DataFrame({"a": ["=1+1"], "b": ["@x"]})
    path = write_status_annex(table, tmp_path / "a.xlsx")
    import zipfile

    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
