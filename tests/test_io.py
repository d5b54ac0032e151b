"""Readers: yearbook tables either way round, Excel forms, ';' and decimal commas, encodings.

Each fixture is read to the exact rows expected, and what the reader inferred is reported.
"""

from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from bdg_analysis import importer, io
from bdg_analysis.errors import BdgInputError
from bdg_analysis.io import text_files as tf
from bdg_analysis.io import yearbook as yb

FIXTURES = Path(__file__).parent / "fixtures"
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters precomposed, tones combining."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out += base.encode("cp1258") + "".join(c for c in parts if c in TONES).encode("cp1258")
    return bytes(out)


def rows(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    return [tuple(r) for r in frame[list(columns)].itertuples(index=False)]


# ---------------------------------------------------------------- the two real yearbook tables


def test_nam_dinh_sample_every_figure_read_with_its_series():
    table = io.read(FIXTURES / "io_yearbook_nam_dinh_2023_t14.txt")
    cells = table.cells
    assert len(cells) == 20  # 4 rows of figures x 2019-2023
    assert set(cells["year"]) == {2019, 2020, 2021, 2022, 2023}
    assert (cells["status"] == "official").all()
    first = cells[cells["line"] == 10]
    assert first["value"].tolist() == ["96.1", "96.1", "96.0", "96.05", "96.07"]
    # the Vietnamese heading line above joins its English row into one bilingual series name
    assert first["label"].iloc[0] == (
        "Tỷ số giới tính của dân số (Số nam/100 nữ) - "
        "Sex ratio of population (Males per 100 females)"
    )
    assert cells.loc[cells["line"] == 11, "kind"].unique().tolist() == ["residence"]
    assert cells.loc[cells["line"] == 14, "value"].tolist() == [
        "2.74",
        "2.70",
        "2.75",
        "2.75",
        "2.56",
    ]
    assert table.inferred["layout"].startswith("yearbook table, years across the top")
    assert table.inferred["decimal mark"].startswith("','")
    assert table.inferred["province"].startswith("Nam Định (from the line")
    # neither series is a catalogue indicator: nothing is imported, and both reasons are given
    assert table.frame.empty
    found = {(p.row, p.column): p.message for p in table.problems}
    assert "names no catalogue indicator" in found[(6, "indicator")]
    assert "the table holds 2 series" in found[(10, "indicator")]


def test_vinh_phuc_sample_years_down_the_side_with_a_preliminary_year():
    # M4.CT1 only stands in to exercise the layout: the table is the population sex ratio
    table = io.read(FIXTURES / "io_yearbook_vinh_phuc_2018_t18.txt", indicator="M4.CT1")
    assert table.problems == []
    assert rows(table.frame, "province", "year", "value", "sex", "status") == [
        ("Vĩnh Phúc", "2010", "97.58", "total", "official"),
        ("Vĩnh Phúc", "2015", "96.76", "total", "official"),
        ("Vĩnh Phúc", "2016", "96.76", "total", "official"),
        ("Vĩnh Phúc", "2017", "97.82", "total", "official"),
        ("Vĩnh Phúc", "2018", "98.10", "total", "provisional"),
    ]
    assert table.frame["source_row"].tolist() == [11, 12, 13, 14, 15]
    apart = table.apart
    assert sorted(set(apart["label"])) == ["Nông thôn - Rural", "Thành thị - Urban"]
    assert apart.loc[
        (apart["year"] == 2016) & (apart["label"] == "Nông thôn - Rural"), "value"
    ].tolist() == ["100.09"]
    assert table.inferred["years"] == "2010-2018 (2018 provisional)"
    assert table.inferred["layout"].startswith("yearbook table, years down the side")
    assert "Niên giám thống kê tỉnh Vĩnh Phúc 2018" in table.inferred["source"]


# ---------------------------------------------------------------- wide tables by province


WIDE_ROWS = [
    ("Toàn quốc", "2021", "112.0", "official"),
    ("Toàn quốc", "2022", "111.6", "official"),
    ("Toàn quốc", "2023", "112.0", "official"),
    ("Toàn quốc", "2024", "111.4", "provisional"),
    ("Hà Nội", "2021", "113.1", "official"),
    ("Hà Nội", "2022", "112.8", "official"),
    ("Hà Nội", "2023", "112.9", "official"),
    ("Hà Nội", "2024", "112.6", "provisional"),
    ("Hà Giang", "2021", "109.8", "official"),
    ("Hà Giang", "2022", "..", "official"),
    ("Hà Giang", "2023", "110.6", "official"),
    ("Hà Giang", "2024", "110.2", "provisional"),
    ("Cao Bằng", "2021", "110.3", "official"),
    ("Cao Bằng", "2022", "111.0", "official"),
    ("Cao Bằng", "2023", "-", "official"),
    ("Cao Bằng", "2024", "112.2", "provisional"),
    ("Bắc Kạn", "2021", "108.0", "official"),
    ("Bắc Kạn", "2022", "109.5", "official"),
    ("Bắc Kạn", "2023", "110.1", "official"),
    ("Bắc Kạn", "2024", "109.9", "provisional"),
    ("Thái Nguyên", "2021", "114.5", "official"),
    ("Thái Nguyên", "2022", "113.8", "official"),
    ("Thái Nguyên", "2023", "114.2", "official"),
    ("Thái Nguyên", "2024", "113.6", "provisional"),
    ("Lạng Sơn", "2021", "115.2", "official"),
    ("Lạng Sơn", "2022", "114.8", "official"),
    ("Lạng Sơn", "2023", "113.9", "official"),
    ("Lạng Sơn", "2024", "113.5", "provisional"),
]


def test_aligned_yearbook_table_by_province_to_tidy_rows():
    table = io.read(FIXTURES / "io_yearbook_srb_wide.txt")
    assert table.problems == []
    assert rows(table.frame, "province", "year", "value", "status") == WIDE_ROWS
    assert set(table.frame["indicator"]) == {"M4.CT1"}  # from the title, and said so
    assert table.inferred["indicator"] == (
        "M4.CT1 (from the title 'Tỷ số giới tính khi sinh phân theo địa phương')"
    )
    # the two region rows are recognised and kept apart, not taken for provinces
    assert sorted(set(table.apart["kind"])) == ["region"]
    assert len(table.apart) == 8
    # footnote marks stripped from the label and the figure, and recorded with their text
    frame = table.frame
    notes = dict(
        zip(zip(frame["province"], frame["year"], strict=True), frame["note"], strict=True)
    )
    assert notes[("Bắc Kạn", "2021")].startswith("(*) Số liệu năm 2022 điều chỉnh")
    assert notes[("Thái Nguyên", "2024")].startswith("(1) Ước tính")
    assert notes[("Thái Nguyên", "2023")] == ""
    assert table.frame.loc[table.frame["year"] == "2024", "source_cell"].unique().tolist() == [
        "Sơ bộ - Prel. 2024"
    ]
    for key in (
        "encoding",
        "delimiter",
        "layout",
        "decimal mark",
        "years",
        "footnotes",
        "missing",
        "kept apart",
        "source",
    ):
        assert key in table.inferred


def test_wide_rows_validate_with_former_provinces_placed_and_markers_kept():
    loaded = importer.check_paths([FIXTURES / "io_yearbook_srb_wide.txt"])
    assert loaded.problems == []
    obs = loaded.checked.observations.set_index(["former", "province", "year"])
    assert obs.loc[("Bắc Kạn", "Thái Nguyên", 2023), "value"] == pytest.approx(110.1)
    assert obs.loc[("Hà Giang", "Tuyên Quang", 2022), "missing_marker"] == ".."
    assert math.isnan(obs.loc[("Hà Giang", "Tuyên Quang", 2022), "value"])  # never 0
    assert obs.loc[("", "Cao Bằng", 2023), "missing_marker"] == "-"  # territory unchanged
    national = loaded.checked.observations
    national = national[national["province_code"] == "00"]
    assert national["year"].tolist() == [2021, 2022, 2023, 2024]


def test_pxweb_csv_with_english_labels_and_quirks():
    table = io.read(FIXTURES / "io_pxweb_srb.csv")
    assert table.problems == []
    assert table.inferred["delimiter"] == "','"
    assert table.inferred["decimal mark"].startswith("'.'")
    assert table.inferred["indicator"].startswith("M4.CT1 (from the title 'Sex ratio at birth")
    assert rows(table.frame, "province", "year", "value", "status")[:3] == [
        ("Toàn quốc", "2022", "111.6", "official"),
        ("Toàn quốc", "2023", "112.0", "official"),
        ("Toàn quốc", "2024", "111.4", "provisional"),
    ]
    thai = table.frame[table.frame["province"].str.startswith("Thai")]
    assert thai["value"].tolist() == ["113.8", "114.2", ".."]
    assert table.apart["label"].unique().tolist() == ["Red River Delta"]
    obs = importer.check_paths([FIXTURES / "io_pxweb_srb.csv"]).checked.observations
    assert set(obs["former"]) == {"", "Thái Nguyên"}  # 'Thai  Nguyen' 2022: the former unit
    assert set(obs["province"]) == {"Toàn quốc", "Hà Nội", "Thái Nguyên", "Quảng Ninh"}


def test_windows_1258_semicolon_yearbook_is_decoded_and_reported():
    expected = (
        "\r\n".join(
            [
                "Tỷ số giới tính khi sinh phân theo địa phương;;;",
                "Tỉnh, thành phố;2022;2023;Sơ bộ 2024",
                "Cả nước;111,6;112,0;111,4",
                "Lạng Sơn;114,8;113,9;113,5",
                "Cao Bằng;111,0;;112,2",
                "Bắc Ninh;118,2;117,5;116,9",
            ]
        )
        + "\r\n"
    )
    path = FIXTURES / "io_yearbook_cp1258.csv"
    assert path.read_bytes() == to_cp1258(expected)  # how the fixture was made
    table = io.read(path)
    assert table.inferred["encoding"].startswith("Windows-1258 (the file is not UTF-8)")
    assert table.inferred["delimiter"] == "';'"
    assert table.inferred["decimal mark"].startswith("','")
    assert set(table.frame["province"]) == {"Toàn quốc", "Lạng Sơn", "Cao Bằng", "Bắc Ninh"}
    assert all(unicodedata.is_normalized("NFC", p) for p in table.frame["province"])
    cao_bang = table.frame[table.frame["province"] == "Cao Bằng"]
    assert cao_bang["value"].tolist() == ["111.0", "", "112.2"]  # an empty cell is missing


# ---------------------------------------------------------------- tidy files as Excel saves them


def test_semicolon_bom_nfd_tidy_file_is_read_and_every_guess_reported():
    path = FIXTURES / "io_tidy_semicolon_bom.csv"
    assert unicodedata.normalize("NFD", "Lạng Sơn").encode() in path.read_bytes()
    table = io.read(path)
    described = table.describe()
    for expected in (
        "UTF-8 with BOM",
        "NFD",
        "delimiter: ';'",
        "decimal mark: ','",
        "'Tỉnh' as province",
        "columns ignored: 'STT'",
    ):
        assert expected in described
    assert not table.canonical
    assert table.frame["value"].tolist() == ["41.5", "42.3", "..", "2"]
    loaded = importer.check_paths([path])
    assert loaded.problems == []
    obs = loaded.checked.observations
    assert obs["province"].tolist() == ["Lạng Sơn", "Lạng Sơn", "Cao Bằng", "Thái Nguyên"]
    assert obs["former"].tolist() == ["", "", "", "Bắc Kạn"]
    assert obs["missing_marker"].tolist() == ["", "", "..", ""]


def test_windows_1258_tidy_file():
    table = io.read(FIXTURES / "io_tidy_cp1258.csv")
    assert "Windows-1258" in table.inferred["encoding"]
    assert "'Lạng'" in table.inferred["encoding"]  # a word as read, for the user to check
    assert table.frame["province"].tolist() == ["Lạng Sơn", "Thái Nguyên", "Đắk Lắk"]
    assert table.frame["value"].tolist() == ["113.9", "113.6", "108.2"]
    assert table.frame["note"].tolist() == ["", "ước tính", ""]


def test_reports_read_every_file_as_validate_does():
    # issue 13: one reader for reports and `bdg validate`, so they never disagree on a file
    for name in ("io_tidy_cp1258.csv", "io_tidy_semicolon_bom.csv", "io_form.xlsx"):
        table = io.read(FIXTURES / name)
        assert not table.canonical  # `bdg validate` says so, and how it read the file
        frame = io.read_table(FIXTURES / name)
        pd.testing.assert_frame_equal(frame, table.frame)
    assert io.read(FIXTURES / "tidy_good.csv").canonical
    with pytest.raises(BdgInputError, match=r"io_form_bad.xlsx:4: cell C4: formula"):
        io.read_table(FIXTURES / "io_form_bad.xlsx")  # the reader's problems, as validate's


# ---------------------------------------------------------------- Excel


def test_excel_form_wide_sheet_tidy_sheet_and_instructions():
    table = io.read(FIXTURES / "io_form.xlsx")
    assert table.problems == []
    wide = table.frame[table.frame["source_file"].str.endswith("[M4.CT1]")]
    assert rows(wide, "province", "year", "value", "source_cell")[:8] == [
        ("Toàn quốc", "2021", "112", "C5"),
        ("Toàn quốc", "2022", "111.6", "D5"),
        ("Toàn quốc", "2023", "112", "E5"),
        ("Toàn quốc", "2024", "111.4", "F5"),
        ("Lạng Sơn", "2021", "115.2", "C6"),
        ("Lạng Sơn", "2022", "114.8", "D6"),
        ("Lạng Sơn", "2023", "113.9", "E6"),
        ("Lạng Sơn", "2024", "..", "F6"),
    ]
    assert wide.loc[wide["source_cell"] == "E7", "value"].tolist() == [""]  # empty cell
    assert wide["source_row"].unique().tolist() == [5, 6, 7, 8]  # spreadsheet rows
    tidy = table.frame[table.frame["source_file"].str.endswith("[Lao động]")]
    assert tidy["value"].tolist() == ["41.5", "42.3", "39.8"]  # cells formatted as %
    assert tidy["source_row"].tolist() == [4, 5, 6]
    described = table.describe()
    assert "sheet 'M4.CT1': layout: yearbook table" in described
    assert "indicator: M4.CT1 (from sheet name 'M4.CT1')" in described
    assert "3 cell(s) formatted as %" in described
    assert "sheet 'Hướng dẫn': skipped: no table in it" in described
    assert importer.check_paths([FIXTURES / "io_form.xlsx"]).problems == []


def test_a_sheet_that_is_not_there_names_the_sheets_that_are():
    with pytest.raises(BdgInputError) as err:
        io.read(FIXTURES / "io_form.xlsx", sheet="Nope")
    assert str(err.value) == (
        "tests/fixtures/io_form.xlsx: sheet: sheet 'Nope' not found; the "
        "workbook has 'M4.CT1', 'Lao động', 'Hướng dẫn'"
    )


# ---------------------------------------------------------------- the pieces


@pytest.mark.parametrize(
    ("cell", "mark", "expected"),
    [
        ("96,1", ",", "96.1"),
        ("1.234,5", ",", "1234.5"),
        ("1.234", ",", "1234"),
        ("-3,2", ",", "-3.2"),
        ("96.1", ",", None),
        ("96.1", ".", "96.1"),
        ("1,234.5", ".", "1234.5"),
        ("12,5", ".", None),
        ("abc", ",", None),
    ],
)
def test_vietnamese_and_english_number_formats(cell, mark, expected):
    assert tf.number_text(cell, mark) == expected


def test_the_decimal_mark_is_decided_by_the_figures_or_said_to_be_assumed():
    assert tf.infer_decimal(["96,1", "2", ".."], default=".").mark == ","
    mixed = tf.infer_decimal(["96,1", "97,2", "12.5"], default=",")
    assert (mixed.mark, mixed.against) == (",", ["12.5"])
    assumed = tf.infer_decimal(["1.234"], default=",")
    assert "assumed" in assumed.describe()


@pytest.mark.parametrize(
    ("text", "year", "status", "mark"),
    [
        ("2023", 2023, "official", ""),
        ("Sơ bộ - Prel. 2018", 2018, "provisional", ""),
        ("Prel. 2024", 2024, "provisional", ""),
        ("Sơ bộ 2024", 2024, "provisional", ""),
        ("Ước tính 2025", 2025, "estimate", ""),
        ("2024 (*)", 2024, "official", "(*)"),
        ("Năm 2019", 2019, "official", ""),
    ],
)
def test_year_labels(text, year, status, mark):
    label = tf.year_label(text)
    assert (label.year, label.status, label.mark) == (year, status, mark)


@pytest.mark.parametrize("text", ["2O23", "20x2", "2019-2020", "1850"])
def test_a_mistyped_year_is_recognised_as_one(text):
    assert tf.year_label(text) is None
    assert tf.looks_like_year(text)


def test_footnote_marks_are_stripped_and_returned():
    assert tf.strip_footnote("Hà Nội (*)") == ("Hà Nội", "(*)")
    assert tf.strip_footnote("96,1*") == ("96,1", "*")
    assert tf.strip_footnote("Lạng Sơn¹") == ("Lạng Sơn", "¹")
    assert tf.strip_footnote("Tổng tỷ suất sinh (Số con/phụ nữ)")[1] == ""


@pytest.mark.parametrize(
    ("label", "kind", "name"),
    [
        ("CẢ NƯỚC - WHOLE COUNTRY", "national", "Toàn quốc"),
        (" WHOLE COUNTRY", "national", "Toàn quốc"),
        ("Đồng bằng sông Hồng - Red River Delta", "region", "Đồng bằng sông Hồng"),
        ("Bà Rịa - Vũng Tàu", "place", "Bà Rịa - Vũng Tàu"),
        ("Lạng Sơn - Lang Son", "place", "Lạng Sơn"),
        ("Hà Nam", "place", "Hà Nam"),
        ("Nam - Male", "sex", "male"),
        ("Nữ - Female", "sex", "female"),
        ("Tổng số - Total", "sex", "total"),
        ("Thành thị - Urban", "residence", "Thành thị - Urban"),
        ("Chia ra - Of which", "group", "Chia ra - Of which"),
        ("14", "other", "14"),
    ],
)
def test_row_and_column_labels_are_recognised(label, kind, name):
    found = yb.classify(label)
    assert (found.kind, found.name) == (kind, name)


def test_unknown_type_and_text_file_with_a_sheet(tmp_path):
    old = tmp_path / "form.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(BdgInputError, match=r"unknown file type '.xls'.*save it from Excel"):
        io.read(old)
    with pytest.raises(BdgInputError, match=r"sheet: --sheet 'A' applies to Excel workbooks"):
        io.read(FIXTURES / "tidy_good.csv", sheet="A")


def test_excel_unicode_text_tab_separated_with_an_estimated_year(tmp_path):
    # Excel's 'Unicode Text' (.txt): UTF-16 with BOM, tab-separated
    text = (
        "Tỷ số giới tính khi sinh phân theo địa phương\n"
        "Tỉnh\t2023\tƯớc tính 2025\n"
        "Lạng Sơn\t113,9\t113,0\n"
        "Cao Bằng\t..\t111,5\n"
    )
    path = tmp_path / "unicode.txt"
    path.write_bytes(text.encode("utf-16"))
    table = io.read(path)
    assert table.inferred["encoding"] == "UTF-16 (with BOM)"
    assert table.inferred["delimiter"] == "tab"
    assert table.inferred["years"] == "2023-2025 (2025 estimate)"
    assert rows(table.frame, "province", "year", "value", "status") == [
        ("Lạng Sơn", "2023", "113.9", "official"),
        ("Lạng Sơn", "2025", "113.0", "estimate"),
        ("Cao Bằng", "2023", "..", "official"),
        ("Cao Bằng", "2025", "111.5", "estimate"),
    ]


# ---------------------------------------------------------------- issue 13: forms as they come


def test_a_departments_own_workbook_is_read_as_it_comes():
    table = io.read(FIXTURES / "io_department.xlsx")
    assert table.problems == []
    assert rows(table.frame, "province", "indicator", "year", "value", "source_row") == [
        ("Lạng Sơn", "M2.CT1", "2023", "41.5", 9),  # '41,5%' typed as text
        ("Lạng Sơn", "M2.CT1", "2024", "42.3", 10),  # '42,3 %'
        ("Lạng Sơn", "M4.CT1", "2024", "113.5", 11),
        ("Lạng Sơn", "M4.CT4", "2024", "3", 12),
        ("Lạng Sơn", "M4.CT2", "2024", "..", 13),
    ]
    assert "unit" not in table.frame.columns  # checked, then left out of the tidy rows
    inferred = table.inferred
    assert inferred["layout"] == "tidy table (header on row 7)"
    assert inferred["column numbers"] == "row 8 skipped"
    assert "'Đơn vị tính' as unit" in inferred["columns"]  # typed on two lines in its cell
    assert "'Tên chỉ tiêu' (indicator names (the id column is read))" in inferred["columns ignored"]
    assert inferred["percent text"].startswith("2 value(s) typed with '%' (e.g. '41,5%')")
    assert inferred["after the table"] == (
        "3 row(s) from row 15 ignored (signature block at row 15: not data)"
    )
    assert [str(w) for w in table.warnings] == [
        "tests/fixtures/io_department.xlsx:12: unit: 'người' differs from the catalogue's unit "
        "of M4.CT4 ('cơ sở'); check that the figures are in cơ sở"
    ]
    assert importer.check_paths([FIXTURES / "io_department.xlsx"]).ok


def _department_with_mistakes(path):
    """The department's workbook with one of each mistake, to be reported all at once."""
    import openpyxl

    wb = openpyxl.load_workbook(FIXTURES / "io_department.xlsx")
    ws = wb.active
    ws["I7"] = "Giá trị"  # a second value column
    ws["I9"] = 40
    ws["J9"] = "x"  # data under a column without a name
    ws["K7"] = "Người nhập"  # a column outside the schema
    ws["G11"] = "113,5%"  # a percentage for a ratio
    ws["C12"] = "M4.CT9"  # an unknown indicator
    ws.append([None, "Lạng Sơn", "M2.CT1", None, "%", 2022, 40.1])  # a figure below the end
    wb.save(path)


def test_every_problem_of_a_workbook_at_once_with_the_real_header_row(tmp_path):
    path = tmp_path / "so-y-te.xlsx"
    _department_with_mistakes(path)
    loaded = importer.check_paths([path])
    found = [(p.row, p.column, p.message) for p in loaded.problems]
    assert (
        7,
        None,
        "column G ('Giá trị') and column I ('Giá trị') both name the 'value' column; keep one "
        "(the file cannot say which of the two is meant)",
    ) in found
    assert (
        7,
        "column J",
        "the column between 'Giá trị' and 'Người nhập' holds data but has no name; name it or "
        "delete it",
    ) in found
    assert any(r == 7 and m.startswith("unexpected column(s): Người nhập") for r, _c, m in found)
    assert (
        11,
        "value",
        "'113,5%' is a percentage but M4.CT1 is measured in bé trai/100 bé gái; write the "
        "figure without '%'",
    ) in found
    assert any(r == 12 and c == "indicator" and "M4.CT9" in m for r, c, m in found)
    assert (
        20,
        None,
        "a figure below the end of the table (signature block at row 15) is not read; move the "
        "row up into the table, or delete it",
    ) in found
    assert not any(r == 1 for r, _c, _m in found)  # never row 1 for a header on row 7


def test_a_tidy_sheet_runs_on_past_a_blank_row_when_data_follow(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Tỉnh", "Chỉ tiêu", "Năm", "Giá trị"])
    ws.append(["Lạng Sơn", "M4.CT1", 2022, 114.8])
    ws.append([])
    ws.append(["Lạng Sơn", "M4.CT1", 2023, 113.9])  # a group after a blank row: still data
    ws.append([])
    ws.append(["Ghi chú: số liệu năm 2023 là sơ bộ"])
    path = tmp_path / "groups.xlsx"
    wb.save(path)
    table = io.read(path)
    assert table.problems == []
    assert table.frame["year"].tolist() == ["2022", "2023"]
    assert table.inferred["after the table"].startswith("1 row(s) from row 6 ignored (notes")


# ---------------------------------------------------------------- issue 13: yearbook headers


def test_a_bilingual_header_typed_on_two_lines_is_the_provisional_year():
    table = io.read(FIXTURES / "io_yearbook_line_breaks.xlsx")
    assert table.problems == []
    assert table.inferred["years"] == "2021-2023 (2023 provisional)"
    assert rows(table.frame, "province", "year", "value", "status") == [
        ("Lạng Sơn", "2021", "115.2", "official"),
        ("Lạng Sơn", "2022", "114.8", "official"),
        ("Lạng Sơn", "2023", "113.9", "provisional"),
        ("Cao Bằng", "2021", "110.3", "official"),
        ("Cao Bằng", "2022", "111", "official"),
        ("Cao Bằng", "2023", "112.2", "provisional"),
    ]


@pytest.mark.parametrize(
    "text", ["Sơ bộ\nPrel. 2023", "Sơ bộ  -  Prel.  2023", "Sơ bộ\r\n2023", " Prel.\n2023 "]
)
def test_year_labels_with_line_breaks_and_doubled_spaces(text):
    label = tf.year_label(text)
    assert (label.year, label.status) == (2023, "provisional")


def test_a_place_label_on_two_lines_is_the_place():
    assert yb.classify("Lạng Sơn\nLang Son").name == "Lạng Sơn"
    assert yb.classify("Cả nước\nWhole country").kind == "national"


# ---------------------------------------------------------------- column names (issue 15)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "province,indicator,year,value,value",
            "column 4 ('value') and column 5 ('value') both name the 'value' column",
        ),
        (
            "province,province,indicator,year,value",
            "column 1 ('province') and column 2 ('province') both name the 'province' column",
        ),
        (
            "Tỉnh,province,indicator,year,value",
            "column 1 ('Tỉnh') and column 2 ('province') both name the 'province' column",
        ),
        (
            "province,indicator,,year,value",
            "the column between 'indicator' and 'year' holds data but has no name",
        ),
    ],
)
def test_duplicate_and_blank_column_names_are_errors_naming_both(tmp_path, header, message):
    path = tmp_path / "dup.csv"
    width = header.count(",") + 1
    values = ["Lạng Sơn", "M4.CT1", "2020", "110", "120"][:width]
    if header.startswith("province,province") or header.startswith("Tỉnh,"):
        values = ["Lạng Sơn", "Cao Bằng", "M4.CT1", "2020", "110"]
    if ",," in header:
        values = ["Lạng Sơn", "M4.CT1", "x", "2020", "110"]
    path.write_text(header + "\n" + ",".join(values) + "\n", encoding="utf-8")
    loaded = importer.check_paths([path])
    assert any(p.row == 1 and message in p.message for p in loaded.problems), loaded.problems
    with pytest.raises(BdgInputError, match=re.escape(message)):
        io.read_table(path)  # reports refuse it alike


def test_an_empty_column_without_a_name_is_fine(tmp_path):
    path = tmp_path / "spare.csv"
    path.write_text("province,indicator,year,value,\nLạng Sơn,M4.CT1,2020,110,\n", "utf-8")
    assert importer.check_paths([path]).ok


# ---------------------------------------------------------------- streaming and the size cap


def test_a_sheet_formatted_far_below_its_data_is_read_to_its_last_row(tmp_path):
    import openpyxl
    from openpyxl.styles import PatternFill

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["province", "indicator", "year", "value"])
    ws.append(["Lạng Sơn", "M4.CT1", 2022, 114.8])
    ws.append(["Lạng Sơn", "M4.CT1", 2023, 113.9])
    fill = PatternFill("solid", fgColor="FFFF00")
    for r in range(4, 20_004):  # formatted, empty: what 'format whole rows' leaves
        ws.cell(row=r, column=1).fill = fill
    path = tmp_path / "formatted.xlsx"
    wb.save(path)
    from bdg_analysis.io.workbook import Workbook

    with Workbook(path, "formatted.xlsx") as book:
        sheet = book.read(book.names[0], "formatted.xlsx")
    assert [r.line for r in sheet.rows] == [1, 2, 3]  # the empty rows are not kept
    assert len(sheet.rows[0].cells) == 4
    assert io.read(path).frame["year"].tolist() == ["2022", "2023"]


def test_the_size_cap_names_the_limit_and_how_to_raise_it(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_text("province,indicator,year,value\n" + "Lạng Sơn,M4.CT1,2020,1\n" * 200, "utf-8")
    monkeypatch.setenv("BDG_MAX_INPUT_MB", "0.001")
    with pytest.raises(BdgInputError) as err:
        io.read(path)
    message = str(err.value)
    assert "big.csv: the file is 0.00523 MB, above the limit of 0.001 MB for an input" in message
    assert "raise the limit, e.g. BDG_MAX_INPUT_MB=2" in message
    with pytest.raises(BdgInputError, match="above the limit"):
        io.read_table(path)  # reports too
    import openpyxl

    wb = openpyxl.Workbook()  # a workbook is measured unpacked too (zip bombs)
    for _ in range(1, 3000):
        wb.active.append(["Lạng Sơn", "M4.CT1", 2020, 113.5])
    book = tmp_path / "packed.xlsx"
    wb.save(book)
    monkeypatch.setenv("BDG_MAX_INPUT_MB", str((book.stat().st_size + 10) / 1e6))
    with pytest.raises(BdgInputError, match="packed.xlsx: unpacked, its sheets are"):
        io.read(book)
    monkeypatch.setenv("BDG_MAX_INPUT_MB", "lots")
    with pytest.raises(BdgInputError, match="BDG_MAX_INPUT_MB: 'lots' is not a size"):
        io.read(path)
    monkeypatch.setenv("BDG_MAX_INPUT_MB", "1")
    assert len(io.read(path).frame) == 200


# ---------------------------------------------------------------- the registry (issue 17)


def test_a_new_format_is_one_registered_function(tmp_path):
    from bdg_analysis.io import registry

    before = list(registry._REGISTRY)
    try:

        @io.reader(".obs", name="observation list")
        def read_obs(path, options):
            lines = path.read_text(encoding="utf-8").splitlines()
            frame = pd.DataFrame(
                [dict(zip(io.REQUIRED_COLUMNS, line.split("|"), strict=True)) for line in lines]
            ).assign(source_row=range(1, len(lines) + 1), source_file=options.shown)
            return io.Table(options.shown, frame, {"layout": "one observation a line"})

        def claims(path):
            return path.read_bytes().startswith(b"#form")

        @io.reader(".csv", name="claimed csv", claims=claims)
        def read_claimed(path, options):
            frame = pd.DataFrame(
                {"province": ["Lạng Sơn"], "indicator": ["M4.CT1"], "year": ["2021"]}
            ).assign(value="1", source_row=[2], source_file=options.shown)
            return io.Table(options.shown, frame, {"layout": "a claimed form"})

        path = tmp_path / "a.obs"
        path.write_text("Lạng Sơn|M4.CT1|2020|113.5\n", encoding="utf-8")
        assert ".obs" in registry.known_suffixes()
        loaded = importer.check_paths([path])
        assert loaded.ok and loaded.checked.observations["value"].tolist() == [113.5]
        form = tmp_path / "form.csv"
        form.write_text("#form\n", encoding="utf-8")
        assert io.read(form).inferred == {"layout": "a claimed form"}
        assert io.read(FIXTURES / "tidy_good.csv").inferred["layout"].startswith("tidy table")
    finally:
        registry._REGISTRY[:] = before
    assert ".obs" not in registry.known_suffixes()


def test_the_element_parser_reads_what_the_byte_scanner_reads(monkeypatch):
    # sheets the scanner does not take (a namespace prefix, another encoding) are parsed
    # element by element: the same rows, cells, merged spans and problems
    from bdg_analysis.io import workbook

    for name in ("io_form.xlsx", "io_form_bad.xlsx", "io_department.xlsx"):
        scanned = io.read(FIXTURES / name)
        with monkeypatch.context() as m:
            m.setattr(workbook._Scanner, "of", classmethod(lambda cls, head, rest: None))
            parsed = io.read(FIXTURES / name)
        pd.testing.assert_frame_equal(parsed.frame, scanned.frame)
        assert [str(p) for p in parsed.problems] == [str(p) for p in scanned.problems]
        assert parsed.inferred == scanned.inferred


# ---------------------------------------------------------------- in the user's language


@pytest.fixture
def speak(monkeypatch, capsys):
    """Run ``bdg`` with the environment's language set (``vi_VN.UTF-8`` or ``C``): its
    stdout (one line per problem) and stderr (how each file was read)."""
    from bdg_analysis import cli

    def run(locale: str, *argv: str) -> tuple[int, str, str]:
        for name in ("LC_ALL", "LC_MESSAGES"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("LANG", locale)
        code = cli.main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


# (file, what a Vietnamese reader reads, what an English reader reads): problems, then read as
SAID = {
    "io_yearbook_bad.txt": (
        [
            "'2O22' không phải là năm (cần một số nguyên từ 1950 đến 2100, ví dụ 2023 hoặc "
            "'Sơ bộ 2024'); cột này bị bỏ qua",
            ":10: cần 4 số liệu (2021, 2O22, 2023, Sơ bộ 2024), thấy 2 (dòng bị cắt cụt?)",
            "đọc như sau: bảng mã: UTF-8; dấu phân cách: không có: bảng văn bản căn cột",
            "bố cục: bảng niên giám, các năm xếp ngang ở phía trên (dòng tiêu đề ở dòng 4)",
            "các năm: 2021-2024 (2024 sơ bộ)",
        ],
        [
            "'2O22' is not a year (expected a whole number 1950-2100, e.g. 2023 or 'Sơ bộ 2024'); "
            "its column is left out",
            ":10: expected 4 figures (2021, 2O22, 2023, Sơ bộ 2024), found 2 (truncated row?)",
            "read as encoding: UTF-8; delimiter: none: an aligned text table",
            "layout: yearbook table, years across the top (header on line 4)",
            "years: 2021-2024 (2024 provisional)",
        ],
    ),
    "io_tidy_bad_semicolon.csv": (
        [
            ":5: value: '112.4' dùng '.' làm dấu thập phân nhưng tệp này dùng ','; hãy ghi như "
            "các ô khác",
            ":8: cần 4 ô, thấy 2 (dòng bị cắt cụt, hoặc có ';' không nằm trong dấu ngoặc kép?)",
            "cột: 'Tỉnh' là province, 'Chỉ tiêu' là indicator",
            "dấu thập phân: ',' (thấy ở '-3,0'); 1 ô dùng '.'",
        ],
        [
            ":5: value: '112.4' is written with '.' as decimal mark but this file uses ','; write "
            "it as the others are",
            ":8: expected 4 fields, found 2 (truncated line or unquoted ';'?)",
            "columns: 'Tỉnh' as province, 'Chỉ tiêu' as indicator",
            "decimal mark: ',' (seen in '-3,0'); 1 cell(s) use '.'",
        ],
    ),
    "io_form_bad.xlsx": (
        [
            ":4: ô C4: công thức '=B4+1' chưa có kết quả được lưu; hãy mở tệp bằng Excel rồi "
            "lưu lại",
            "ô phần trăm: 2 ô định dạng % được đọc là phần trăm (0,45 hiển thị là 45% được "
            "đọc là 45)",
            "chỉ tiêu: M2.CT1 (theo tiêu đề 'Tỷ lệ lao động nữ làm công hưởng lương')",
        ],
        [
            ":4: cell C4: formula '=B4+1' has no saved result; open the file in Excel and save it",
            "percent cells: 2 cell(s) formatted as % read as percent (0.45 shown as 45% is read "
            "as 45)",
            "indicator: M2.CT1 (from the title 'Tỷ lệ lao động nữ làm công hưởng lương')",
        ],
    ),
    "io_form.xlsx": (  # several sheets: each one's facts said in the reader's language
        [
            "trang tính 'M4.CT1': bố cục: bảng niên giám, các năm xếp ngang ở phía trên",
            "ô không có số liệu: 1 x '..', 1 ô trống, 1 x '-' (để trống, ký hiệu được ghi lại)",
            "| trang tính 'Lao động': ô phần trăm: 3 ô định dạng %",
            "cột bỏ qua: 'STT' (số thứ tự dòng) | trang tính 'Hướng dẫn': bỏ qua: không có bảng",
        ],
        [
            "sheet 'M4.CT1': layout: yearbook table, years across the top",
            "missing: 1 x '..', 1 empty cell(s), 1 x '-' (kept missing, marker recorded)",
            "| sheet 'Lao động': percent cells: 3 cell(s) formatted as %",
            "columns ignored: 'STT' (row numbers) | sheet 'Hướng dẫn': skipped: no table in it",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(SAID))
def test_validate_says_what_the_readers_found_in_the_users_language(speak, name):
    vietnamese, english = SAID[name]
    code, out, err = speak("vi_VN.UTF-8", "validate", str(FIXTURES / name))
    for text in vietnamese:
        assert text in out + err
    for text in english:
        assert text not in out + err
    code_en, out_en, err_en = speak("C", "validate", str(FIXTURES / name))
    assert code_en == code
    for text in english:
        assert text in out_en + err_en
    for text in vietnamese:
        assert text not in out_en + err_en


def test_a_file_refused_whole_is_refused_in_the_users_language(speak, tmp_path, monkeypatch):
    (tmp_path / "old.xls").write_bytes(b"x")
    out_file = str(tmp_path / "out.csv")
    code, out, _ = speak("vi_VN.UTF-8", "import", str(tmp_path / "old.xls"), "--out", out_file)
    assert code == 2
    assert "loại tệp '.xls' không đọc được; cần một trong các loại .csv" in out
    assert "(hãy lưu lại từ Excel dưới dạng .xlsx)" in out
    workbook = str(FIXTURES / "io_form.xlsx")
    code, out, _ = speak("vi_VN.UTF-8", "import", workbook, "--sheet", "Nope", "--out", out_file)
    sheets = "tệp Excel có các trang tính 'M4.CT1', 'Lao động'"
    assert f"không tìm thấy trang tính 'Nope'; {sheets}" in out
    monkeypatch.setenv(io.MAX_INPUT_ENV, "0.0001")  # numbers said with the reader's marks
    code, out, _ = speak("vi_VN.UTF-8", "validate", workbook)
    assert "tệp có dung lượng 0,00" in out and "vượt giới hạn 0,0001 MB" in out
    code, out, _ = speak("C", "validate", workbook)
    assert "the file is 0.00" in out and "above the limit of 0.0001 MB" in out
    assert not (tmp_path / "out.csv").exists()


def test_a_message_is_english_text_that_says_itself_later():
    from bdg_analysis import words
    from bdg_analysis.io.registry import joined, number

    assert number("1,234,567.5") == "1,234,567.5"
    assert words.said(number("1,234,567.5"), "vi") == "1.234.567,5"
    assert number("120") == "120" and not isinstance(number("120"), words.Phrase)
    items = [words.phrase("io.missing_empty", n=i) for i in range(3000)]  # shallow however long
    listed = joined(items)
    assert listed.startswith("0 empty cell(s), 1 empty cell(s)")
    assert words.said(listed, "vi").endswith("2998 ô trống, 2999 ô trống")
    assert joined(["a", "b"], "; ") == "a; b" and not isinstance(joined(["a"]), words.Phrase)
    decimal = tf.infer_decimal(["96,1", "97,2", "12.5"], default=",")
    assert decimal.describe() == "',' (seen in '96,1'); 1 cell(s) use '.'"
    assert words.said(decimal.describe(), "vi") == "',' (thấy ở '96,1'); 1 ô dùng '.'"


def test_a_returned_form_is_refused_and_flagged_in_the_users_language(speak, tmp_path):
    import datetime as dt

    import openpyxl

    from bdg_analysis import dataset, forms, words
    from bdg_analysis.io import forms as fio

    history = dataset.load(FIXTURES / "forms_history.csv")
    asked = forms.plan_round("Lạng Sơn", 2026, history, today=dt.date(2026, 11, 20))
    path = forms.write_form(asked, "Sở Tài chính", tmp_path / "tc.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["Số liệu"]
    answers = {("M2.CT3", 2026): {"E": 30.5, "F": 60, "G": 200}, ("M2.CT3", 2025): {"E": 101}}
    for r in range(2, sheet.max_row + 1):
        for column, value in answers.get((sheet[f"A{r}"].value, sheet[f"D{r}"].value), {}).items():
            sheet[f"{column}{r}"] = value
    book.save(path)

    code, out, err = speak("vi_VN.UTF-8", "validate", str(path))
    assert code == 2
    assert "Giá trị: 101 nằm ngoài khoảng hợp lệ của M2.CT3 (0 – 100 %)" in out
    assert "cảnh báo: tc.xlsx:Số liệu:E" in err and "30,5 khác Tử số / Mẫu số × 100 = 30" in err
    assert "bố cục: biểu thu thập phiên bản 1 BDG-20-2026-so-tai-chinh" in err
    assert "bị đánh dấu: 1 giá trị, xem các cảnh báo" in err
    code, out, err = speak("C", "validate", str(path))
    assert "Giá trị: 101 is outside the range of M2.CT3 (0 – 100 %)" in out
    assert "30.5 differs from Tử số / Mẫu số × 100 = 30" in err
    assert "flagged: 1 value(s), see the warnings" in err

    later = fio.read_form(path)  # said later, in the language of whoever prints it
    assert isinstance(later.problems[0].message, words.Phrase)
    assert words.said(later.flags[0].message, "vi").startswith("30,5 khác Tử số")
    assert words.said(later.problems[0].message, "vi").startswith("101 nằm ngoài khoảng hợp lệ")
    assert later.flags[0].code == "forms.flag_mismatch"  # a program tells the kind by its code


def test_where_a_problem_is_can_be_said_too():
    from bdg_analysis import words

    formula = next(p for p in io.read(FIXTURES / "io_form_bad.xlsx").problems if "=B4" in p.message)
    assert formula.column == "cell C4" and words.said(formula.column, "vi") == "ô C4"
    header = tidy_header_problem()
    assert header.column == "column 5" and words.said(header.column, "vi") == "cột 5"


def tidy_header_problem():
    from bdg_analysis.io import tidy

    cells = ["province", "indicator", "year", "value", ""]
    header = tidy.match_header(cells)
    columns = [["Hà Nội"], ["M4.CT1"], ["2020"], ["110"], ["x"]]
    return tidy.header_problems(header, "f.csv", 1, columns)[0]
