"""Every kind of bad row gets its own message naming file, row and column; exit code 2."""

from pathlib import Path

import pandas as pd
import pytest

from bdg_analysis import cli, dataset, validate
from bdg_analysis.errors import BdgInputError

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_good_file_loads_with_names_resolved_and_rows_traceable():
    obs = dataset.load(FIXTURES / "tidy_good.csv")
    assert len(obs) == 5
    assert set(obs["province"]) == {"Lạng Sơn", "Toàn quốc"}
    missing = obs[obs["value"].isna()]
    assert missing["source_row"].tolist() == [4]  # kept as missing, never turned into 0
    assert missing["note"].tolist() == ["not yet published"]
    assert obs["source_file"].str.endswith("tidy_good.csv").all()
    assert not obs["source_file"].str.startswith("/").any()


def _problems(path):
    checked = dataset.check_files([path])
    return {(p.row, p.column): p.message for p in checked.problems}


def test_each_kind_of_bad_row_is_reported_with_row_and_column():
    found = _problems(FIXTURES / "tidy_bad.csv")
    assert "unknown indicator 'M4.CT9'" in found[(2, "indicator")]
    assert "'20x2' is not a year" in found[(3, "year")]
    assert "'12,5' is not a number" in found[(4, "value")]
    assert "104 is outside the natural range of M2.CT1 (0 to 100 %)" in found[(5, "value")]
    assert "-3 is outside the natural range of M4.CT2" in found[(6, "value")]
    assert "unknown province 'Hà Tây'" in found[(7, "province")]
    assert "duplicate of" in found[(9, "value")] and ":8 " in found[(9, "value")]
    assert "a different value (112 here, 111 there)" in found[(9, "value")]
    assert "'women' is not allowed" in found[(10, "sex")]
    assert "'final' is not allowed" in found[(11, "status")]
    assert len(found) == 9  # row 8 is the first of the duplicate pair: reported once, at row 9


def test_cli_validate_prints_file_row_column_and_exits_2(capsys):
    code = cli.main(["validate", str(FIXTURES / "tidy_bad.csv")])
    out = capsys.readouterr().out.splitlines()
    assert code == 2
    assert len(out) == 9
    assert out[0].startswith("tests/fixtures/tidy_bad.csv:2: indicator: unknown indicator 'M4.CT9'")
    assert "Traceback" not in "\n".join(out)


def test_cli_validate_summarises_a_good_file(capsys):
    assert cli.main(["validate", str(FIXTURES / "tidy_good.csv")]) == 0
    assert capsys.readouterr().out.startswith("OK: 5 rows")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "file is empty"),
        ("province,indicator,year,value\n", "no data rows"),
        ("province,indicator,year,value\nLạng Sơn,M4.CT1,2020\n", "expected 4 fields, found 3"),
        ("province,indicator,value\nLạng Sơn,M4.CT1,1\n", "missing column(s): year"),
        (
            "province,indicator,year,value,comment\nLạng Sơn,M4.CT1,2020,1,x\n",
            "unexpected column(s): comment",
        ),
    ],
)
def test_empty_truncated_and_misshapen_files(tmp_path, content, message):
    path = tmp_path / "data.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BdgInputError) as err:
        dataset.load(path)
    assert message in str(err.value)
    assert "data.csv" in str(err.value)


def test_a_file_in_no_known_encoding_is_refused_with_its_line(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_bytes(b"province,indicator,year,value\nL\x81ng,M4.CT1,2020,1\n")
    with pytest.raises(BdgInputError, match=r"odd.csv:2: file is neither UTF-8 nor Windows-1258"):
        dataset.load(path)
    # a Windows-1258 file is read by reports as by `bdg validate` (issue 13): here the name
    # read is then no province, and that is the problem named
    path.write_bytes("province,indicator,year,value\nL\xe1ng,M4.CT1,2020,1\n".encode("latin-1"))
    with pytest.raises(BdgInputError, match=r"odd.csv:2: province: unknown province 'Láng'"):
        dataset.load(path)


def test_missing_file_and_unknown_type(tmp_path):
    with pytest.raises(BdgInputError, match="file not found"):
        dataset.load(tmp_path / "nope.csv")
    odd = tmp_path / "data.json"
    odd.write_text("{}", encoding="utf-8")
    with pytest.raises(BdgInputError, match="unknown file type '.json'"):
        dataset.load(odd)


def test_parquet_and_excel_load_like_csv(tmp_path):
    frame = pd.read_csv(FIXTURES / "tidy_good.csv", dtype=str, keep_default_na=False)
    frame.to_parquet(tmp_path / "good.parquet")
    with pd.ExcelWriter(tmp_path / "good.xlsx") as writer:
        frame.to_excel(writer, index=False)
    from_csv = dataset.load(FIXTURES / "tidy_good.csv")
    for name in ("good.parquet", "good.xlsx"):
        other = dataset.load(tmp_path / name)
        pd.testing.assert_series_equal(other["value"], from_csv["value"])
        assert other["province"].tolist() == from_csv["province"].tolist()
    excel = dataset.load(tmp_path / "good.xlsx")
    assert excel["source_row"].tolist() == [2, 3, 4, 5, 6]  # spreadsheet row numbers


def test_bad_rows_in_parquet_name_the_row(tmp_path):
    frame = pd.DataFrame(
        {"province": ["Lạng Sơn"], "indicator": ["M4.CT1"], "year": [2020], "value": [250.0]}
    )
    frame.to_parquet(tmp_path / "bad.parquet")
    found = _problems(tmp_path / "bad.parquet")
    assert (1, "value") not in found  # 250 boys per 100 girls is odd but within 0..∞
    frame["indicator"] = ["M2.CT1"]
    frame.to_parquet(tmp_path / "bad.parquet")
    assert "outside the natural range" in _problems(tmp_path / "bad.parquet")[(1, "value")]


# ---------------------------------------------------------------- issue 15: finite figures only


@pytest.mark.parametrize("text", ["inf", "Infinity", "-inf", "1e309", "-1E400", "INF"])
def test_non_finite_numbers_are_errors_for_every_indicator(tmp_path, text):
    path = tmp_path / "inf.csv"
    path.write_text(
        "province,indicator,year,value\n"
        f"Lạng Sơn,M4.CT1,2020,{text}\n"  # no upper bound: once accepted as 'inf'
        f"Lạng Sơn,M2.CT1,2020,{text}\n",
        encoding="utf-8",
    )
    found = _problems(path)
    for row in (2, 3):
        assert found[(row, "value")].startswith(f"{text!r} is not a finite number")
    assert len(found) == 2


@pytest.mark.parametrize("text", ["nan", "NaN", "-nan"])
def test_nan_typed_as_text_is_an_error(tmp_path, text):
    path = tmp_path / "nan.csv"
    path.write_text(f"province,indicator,year,value\nLạng Sơn,M4.CT1,2020,{text}\n", "utf-8")
    assert _problems(path)[(2, "value")].startswith(f"{text!r} is not a number")


def test_a_frame_with_repeated_or_blank_column_names_is_refused():
    from bdg_analysis import validate

    frame = pd.DataFrame(
        [["Lạng Sơn", "M4.CT1", "2020", "110", "120", "x", "f.csv", 2]],
        columns=[
            "province",
            "indicator",
            "year",
            "value",
            "value",
            "",
            "source_file",
            "source_row",
        ],
    )
    checked = validate.check(frame)
    messages = [p.message for p in checked.problems]
    assert (
        "column 4 ('value') and column 5 ('value') both name the 'value' column; keep one"
        in messages
    )
    assert any(
        m.startswith("a column without a name (between 'value' and 'source_file')")
        for m in messages
    )
    assert checked.observations.empty  # nothing taken from such a frame


# ---------------------------------------------------------------- validate and reports agree


def _report_problems(path) -> set:
    checked = dataset.check_files([path])  # what `bdg report --data PATH` reads
    return {str(p) for p in checked.problems}


@pytest.mark.parametrize(
    "name",
    sorted(
        p.name
        for p in FIXTURES.iterdir()
        if p.suffix in (".csv", ".txt", ".xlsx") and not p.name.startswith(("batch_", "explore_"))
    ),
)
def test_validate_and_reports_agree_on_every_fixture(name):
    from bdg_analysis import importer

    path = FIXTURES / name
    validated = importer.check_paths([path])
    report = _report_problems(path)
    assert validated.ok == (not report), (name, validated.problems, report)
    # the report names a subset of validate's problems (a file whose reading fails is not
    # checked row by row there), never another message
    assert report <= {str(p) for p in validated.problems}, name


def test_the_department_workbook_validates_and_loads_for_a_report(capsys):
    path = FIXTURES / "io_department.xlsx"
    assert cli.main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("OK: 5 rows, 1 places, 4 indicators, years 2023-2024")
    assert "warning: tests/fixtures/io_department.xlsx:12: unit: 'người' differs" in captured.err
    assert "Unnamed" not in captured.out + captured.err
    obs = dataset.load(path)  # the report's path reads it too, the same rows
    assert obs["value"].tolist()[:3] == [41.5, 42.3, 113.5]
    assert obs["source_row"].tolist() == [9, 10, 11, 12, 13]


def test_validate_takes_a_folder_of_data_files(tmp_path, capsys):
    import shutil

    for name in ("io_yearbook_line_breaks.xlsx", "io_department.xlsx"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    (tmp_path / "~$io_department.xlsx").write_bytes(b"Excel's lock file")
    assert cli.main(["validate", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("OK: 11 rows")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli.main(["validate", str(empty)]) == 2
    assert "empty: the folder holds no data file" in capsys.readouterr().out


# ---------------------------------------------------------------- numerator and denominator


def test_numerator_and_denominator_are_optional_tidy_columns(tmp_path, capsys):
    path = tmp_path / "own.csv"
    path.write_text(
        "province,indicator,year,value,sex,source,note,status,numerator,denominator\n"
        "Lạng Sơn,M4.CT1,2024,109.2,,Sở Y tế,,official,5460,5000\n"
        "Lạng Sơn,M4.CT4,2024,1,,Sở Y tế,,official,,\n",
        encoding="utf-8",
    )
    assert cli.main(["validate", str(path)]) == 0  # no "unexpected columns" any more
    assert capsys.readouterr().out.startswith("OK: 2 rows")
    obs = dataset.load(path)
    assert obs["numerator"].tolist()[0] == 5460.0 and obs["denominator"].tolist()[0] == 5000.0
    assert pd.isna(obs["numerator"].tolist()[1])
    plain = dataset.load(FIXTURES / "tidy_good.csv")  # files without them: empty columns
    assert plain["numerator"].isna().all() and plain["denominator"].isna().all()


def test_the_parts_are_checked_and_the_schema_message_names_them(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "province,indicator,year,value,numerator,denominator,comment\n"
        "Lạng Sơn,M4.CT1,2024,109.2,5460,5000,x\n",
        encoding="utf-8",
    )
    with pytest.raises(BdgInputError) as err:
        dataset.load(path)
    assert "unexpected column(s): comment" in str(err.value)
    assert "(and optionally numerator, denominator)" in str(err.value)
    path.write_text(
        "province,indicator,year,value,numerator,denominator\n"
        "Lạng Sơn,M4.CT1,2024,109.2,5460,0\n"
        "Lạng Sơn,M4.CT4,2024,1,1,1\n",
        encoding="utf-8",
    )
    with pytest.raises(BdgInputError) as err:
        dataset.load(path)
    text = str(err.value)
    assert "bad.csv:2: denominator: must be above 0" in text
    assert "bad.csv:3: numerator: only shares, ratios and rates" in text


def test_a_value_its_parts_do_not_give_is_a_warning_not_a_problem():
    frame = pd.DataFrame(
        {
            "province": ["Lạng Sơn"] * 3,
            "indicator": ["M3.CT3", "M3.CT3", "M4.CT2"],
            "year": ["2024", "2025", "2025"],
            "value": ["41.5", "41.5", "42"],
            "note": ["", "cảnh báo: giá trị khác tử số/mẫu số (tính ra 40)", ""],
            "numerator": ["400", "400", "21"],
            "denominator": ["1000", "1000", "50000"],
            "source_file": "f.csv",
            "source_row": [2, 3, 4],
        }
    )
    checked = validate.check(frame)
    assert checked.ok and len(checked.observations) == 3
    assert [str(w) for w in checked.warnings] == [
        "f.csv:2: value: 41.5 differs from numerator / denominator x 100 = 40 by more than "
        "0.05 (half a unit of its last decimal); check the three figures"
    ]  # row 3: the form flagged it already; row 4: 21 / 50 000 x 100 000 = 42


def test_a_semicolon_file_reads_tu_so_and_mau_so_with_decimal_commas(tmp_path):
    path = tmp_path / "so-lieu.csv"
    path.write_text(
        "Tỉnh;Mã chỉ tiêu;Năm;Giá trị;Tử số;Mẫu số\nLạng Sơn;M3.CT1;2024;1,9;38,5;20\n",
        encoding="utf-8",
    )
    obs = dataset.load(path)
    assert obs[["value", "numerator", "denominator"]].values.tolist() == [[1.9, 38.5, 20.0]]
