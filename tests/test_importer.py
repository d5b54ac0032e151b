"""bdg import / bdg validate on real-world files: one line per problem, exit 2, merging that
never loses a value, and a history of every value replaced."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from bdg_analysis import cli, importer
from bdg_analysis import io as bio
from bdg_analysis.history import HISTORY_COLUMNS, history_path, pending_path, read_history

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).parent.parent / "data" / "examples"


def run(capsys, *argv: str) -> tuple[int, list[str], str]:
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out.splitlines(), captured.err


def by_row(lines: list[str]) -> dict[str, list[str]]:
    """'file:row: column: message' lines grouped by 'row: column'."""
    out: dict[str, list[str]] = {}
    for line in lines:
        _file, rest = line.split(":", 1)
        row, column, message = (rest.split(": ", 2) + ["", ""])[:3]
        out.setdefault(f"{row}: {column}", []).append(message)
    return out


# ---------------------------------------------------------------- every problem, its row, exit 2


def test_yearbook_table_problems_each_on_their_line(capsys, tmp_path):
    code, out, err = run(
        capsys, "import", FIXTURES / "io_yearbook_bad.txt", "--out", tmp_path / "out.csv"
    )
    assert code == 2
    assert all(line.startswith("tests/fixtures/io_yearbook_bad.txt:") for line in out)
    found = by_row(out)
    assert found["4: year"] == [
        "'2O22' is not a year (expected a whole number 1950-2100, e.g. "
        "2023 or 'Sơ bộ 2024'); its column is left out"
    ]
    assert found["6: province"] == ["unknown province 'Lạng Sơnn'; did you mean: Lạng Sơn?"]
    assert found["7: value [2023]"][0].startswith("'9x,1' is not a number")
    assert found["8: value [2023]"] == [
        "duplicate of tests/fixtures/io_yearbook_bad.txt:5 [2023] (Cao Bằng, M2.CT1, 2023) "
        "with a different value (42.3 here, 42 there)"
    ]
    assert found["9: value [2021]"] == ["101.5 is outside the natural range of M2.CT1 (0 to 100 %)"]
    assert any(
        "expected 4 figures (2021, 2O22, 2023, Sơ bộ 2024), found 2 (truncated row?)" in line
        for line in out
        if line.split(":")[1] == "10"
    )
    assert "read as encoding: UTF-8" in err and "8 problem(s) in 1 file(s)" in err
    assert not (tmp_path / "out.csv").exists()  # nothing written


def test_tidy_semicolon_file_problems_each_on_their_row(capsys, tmp_path):
    code, out, _ = run(
        capsys, "import", FIXTURES / "io_tidy_bad_semicolon.csv", "--out", tmp_path / "out.csv"
    )
    assert code == 2
    found = by_row(out)
    assert found["2: value"] == [
        "-3 is outside the natural range of M4.CT1 (0 to ∞ boys per 100 girls)"
    ]
    assert found["3: indicator"][0].startswith("unknown indicator 'M4.CT9'; did you mean M4.CT4")
    assert found["4: year"][0].startswith("'20x2' is not a year")
    assert found["5: value"] == [
        "'112.4' is written with '.' as decimal mark but this file "
        "uses ','; write it as the others are"
    ]
    assert found["6: value"][0].startswith("'abc' is not a number")
    assert found["7: province"][0].startswith("unknown province 'Hà Tây'; did you mean")
    assert any(
        line.endswith(":8: expected 4 fields, found 2 (truncated line or unquoted ';'?)")
        for line in out
    )
    assert len(out) == 7


def test_excel_problems_name_the_cell(capsys, tmp_path):
    code, out, _ = run(capsys, "validate", FIXTURES / "io_form_bad.xlsx")
    assert code == 2
    assert out == [
        "tests/fixtures/io_form_bad.xlsx:3: value [C3]: 120 is outside the natural range of "
        "M2.CT1 (0 to 100 %)",
        "tests/fixtures/io_form_bad.xlsx:4: cell C4: formula '=B4+1' has no saved result; open "
        "the file in Excel and save it (the result is stored only then)",
    ]


def test_unknown_indicator_given_on_the_command_line(capsys, tmp_path):
    code, out, _ = run(
        capsys,
        "import",
        FIXTURES / "io_yearbook_srb_wide.txt",
        "--indicator",
        "M4.CT9",
        "--out",
        tmp_path / "out.csv",
    )
    assert code == 2
    assert out == [
        "--indicator: indicator: unknown indicator 'M4.CT9'; did you mean: M4.CT4, M4.CT3, M4.CT2?"
    ]


def test_a_title_that_names_no_indicator(capsys, tmp_path):
    code, out, _ = run(
        capsys,
        "import",
        FIXTURES / "io_yearbook_nam_dinh_2023_t14.txt",
        "--out",
        tmp_path / "out.csv",
    )
    assert code == 2
    assert out[0].startswith(
        "tests/fixtures/io_yearbook_nam_dinh_2023_t14.txt:6: indicator: "
        "the title 'Tỷ số giới tính của dân số và tổng tỷ suất sinh"
    )
    assert out[1].startswith(
        "tests/fixtures/io_yearbook_nam_dinh_2023_t14.txt:10: indicator: the table holds 2 series"
    )


def test_a_sheet_that_is_not_there(capsys, tmp_path):
    code, out, _ = run(
        capsys,
        "import",
        FIXTURES / "io_form.xlsx",
        "--sheet",
        "Nope",
        "--out",
        tmp_path / "out.csv",
    )
    assert code == 2
    assert out == [
        "tests/fixtures/io_form.xlsx: sheet: sheet 'Nope' not found; the workbook "
        "has 'M4.CT1', 'Lao động', 'Hướng dẫn'"
    ]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", b"", "empty.csv: file is empty"),
        ("blank.txt", b"\n  \n", "blank.txt: file is empty"),
        ("header.csv", "Tỉnh;Năm;Chỉ tiêu;Giá trị\n".encode(), "header.csv: no data rows"),
        (
            "title.txt",
            "Tỷ số giới tính khi sinh\n      2022   2023\n".encode(),
            "title.txt:2: no data rows below the header (empty or truncated table?)",
        ),
        (
            "cut.txt",
            "Tỷ số giới tính khi sinh\n          2022    2023    2024\n"
            "Lạng Sơn  114,8   113,9   113,5\nCao Bằng  111,0   11".encode(),
            "cut.txt:4: expected 3 figures (2022, 2023, 2024), found 2 (truncated row?)",
        ),
        ("cut.xlsx", None, "cut.xlsx: cannot read Excel file"),
        (
            "latin.csv",
            b"province,indicator,year,value\nL\x81ng,M4.CT1,2020,1\n",
            "latin.csv:2: file is neither UTF-8 nor Windows-1258 text",
        ),
    ],
)
def test_empty_truncated_and_undecodable_files(capsys, tmp_path, name, content, expected):
    path = tmp_path / name
    if content is None:  # a workbook cut short in transfer
        whole = (FIXTURES / "io_form.xlsx").read_bytes()
        content = whole[: len(whole) // 2]
    path.write_bytes(content)
    code, out, err = run(capsys, "import", path, "--out", tmp_path / "out.csv")
    assert code == 2
    assert any(line.startswith(expected) for line in out + err.splitlines()), (out, err)


# ---------------------------------------------------------------- importing and merging


def test_import_writes_canonical_tidy_rows_and_twice_changes_nothing(capsys, tmp_path):
    out = tmp_path / "data.csv"
    code, lines, err = run(capsys, "import", FIXTURES / "io_yearbook_srb_wide.txt", "--out", out)
    assert code == 0
    assert lines == [f"{out}: written (28 added, 0 unchanged)"]
    assert "layout: yearbook table, years across the top" in err
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(written.columns) == list(bio.TIDY_COLUMNS)
    assert written["status"].tolist().count("provisional") == 7
    hagiang = written[written["province"] == "Hà Giang"]  # a former province keeps its name
    assert hagiang["value"].tolist() == ["109.8", "", "110.6", "110.2"]  # missing: empty
    assert hagiang["note"].tolist()[1].split("; ")[0] == ".."  # the marker opens the note
    numeric = pd.read_csv(out)  # issue 13: a plain CSV reader sees a numeric value column
    assert numeric["value"].dtype == "float64"
    assert set(written["province"]) == {
        "Toàn quốc",
        "Hà Nội",
        "Hà Giang",
        "Cao Bằng",
        "Bắc Kạn",
        "Thái Nguyên",
        "Lạng Sơn",
    }
    assert bio.read_table(out)["value"].tolist() == written["value"].tolist()  # reports read it
    assert cli.main(["validate", str(out)]) == 0
    capsys.readouterr()
    before = out.read_bytes()
    code, lines, _ = run(capsys, "import", FIXTURES / "io_yearbook_srb_wide.txt", "--out", out)
    assert code == 0
    assert lines == [f"{out}: unchanged (0 added, 28 unchanged)"]
    assert out.read_bytes() == before
    assert not history_path(out).exists()


def _revised_copy(tmp_path: Path) -> Path:
    text = (FIXTURES / "io_yearbook_srb_wide.txt").read_text(encoding="utf-8")
    text = text.replace("115,2", "115,9").replace(
        "Nguồn: bảng kiểm thử", "Nguồn: bảng kiểm thử (bản sửa)"
    )
    path = tmp_path / "revised.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_revised_value_is_refused_without_revise_and_kept_in_history_with_it(capsys, tmp_path):
    out = tmp_path / "data.csv"
    assert cli.main(["import", str(FIXTURES / "io_yearbook_srb_wide.txt"), "--out", str(out)]) == 0
    capsys.readouterr()
    before = out.read_bytes()
    revised = _revised_copy(tmp_path)
    code, lines, err = run(capsys, "import", revised, "--out", out)
    assert code == 2
    assert len(lines) == 1
    assert lines[0].startswith(
        "revised.txt:16: value: Lạng Sơn M4.CT1 2021: 115.9 here differs "
        "from 115.2 held in data.csv:26 (source 'bảng kiểm thử, "
    )
    assert "new source 'bảng kiểm thử (bản sửa)" in lines[0]
    assert lines[0].endswith("pass --revise to replace it (the old value goes to data.history.csv)")
    assert "nothing written" in err
    assert out.read_bytes() == before
    code, lines, _ = run(capsys, "import", revised, "--out", out, "--revise")
    assert code == 0
    assert lines == [
        f"{out}: written (0 added, 27 unchanged, 1 revised); 1 old value(s) kept "
        f"in {history_path(out)}"
    ]
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    row = written[(written["province"] == "Lạng Sơn") & (written["year"] == "2021")]
    assert row["value"].tolist() == ["115.9"]
    assert row["source"].str.contains("bản sửa").all()
    history = read_history(out)
    assert len(history) == 1
    change = history.iloc[0]
    assert (change["change"], change["province"], change["indicator"], change["year"]) == (
        "revised",
        "Lạng Sơn",
        "M4.CT1",
        "2021",
    )
    assert (change["old_value"], change["new_value"]) == ("115.2", "115.9")
    assert change["old_source"].startswith("bảng kiểm thử, số liệu")
    assert "bản sửa" in change["new_source"]
    assert change["new_from"] == "revised.txt:16 (revised.txt)"
    # importing the revision again changes nothing, and the history keeps its one line
    assert cli.main(["import", str(revised), "--out", str(out), "--revise"]) == 0
    assert len(read_history(out)) == 1


def test_a_missing_figure_never_erases_one_held_and_a_gap_filled_is_recorded(tmp_path):
    out = tmp_path / "data.csv"
    first = importer.import_file(FIXTURES / "io_yearbook_srb_wide.txt", out)
    assert first.merge.added == 28
    text = (FIXTURES / "io_yearbook_srb_wide.txt").read_text(encoding="utf-8")
    later = tmp_path / "later.txt"
    later.write_text(
        text.replace("115,2", "..").replace(  # Lạng Sơn 2021 now missing
            "109,8   ..      110,6", "109,8   110,0   110,6"
        ),  # gap filled
        encoding="utf-8",
    )
    result = importer.import_file(later, out, today=dt.date(2026, 1, 15))
    assert result.problems == []
    assert (result.merge.kept, result.merge.filled, result.merge.revised) == (1, 1, 0)
    written = pd.read_csv(out, dtype=str, keep_default_na=False).set_index(["province", "year"])
    assert written.loc[("Lạng Sơn", "2021"), "value"] == "115.2"
    assert written.loc[("Hà Giang", "2022"), "value"] == "110"
    history = read_history(out)
    assert history[["replaced_on", "change", "old_value", "new_value"]].values.tolist() == [
        ["2026-01-15", "filled", "..", "110"]
    ]


def test_merging_into_a_dataset_with_problems_is_refused(tmp_path):
    out = tmp_path / "data.csv"
    shutil.copy(FIXTURES / "tidy_bad.csv", out)
    with pytest.raises(importer.BdgInputError, match=r"in the dataset merged into"):
        importer.import_file(FIXTURES / "io_yearbook_srb_wide.txt", out)


def test_rows_from_several_layouts_merge_into_one_dataset(tmp_path):
    out = tmp_path / "data.csv"
    for name in (
        "io_yearbook_srb_wide.txt",
        "io_tidy_semicolon_bom.csv",
        "io_form.xlsx",
        "io_tidy_cp1258.csv",
    ):
        result = importer.import_file(FIXTURES / name, out)
        assert result.problems == [], name
    # the Excel form repeats national and Lạng Sơn figures of the text table: equal, unchanged
    loaded = importer.check_paths([out])
    assert loaded.problems == []
    obs = loaded.checked.observations
    assert len(obs) == len(pd.read_csv(out))
    assert set(obs["indicator"]) == {"M4.CT1", "M2.CT1", "M4.CT4"}


# ---------------------------------------------------------------- validate says what it inferred


def test_validate_reports_what_it_inferred_on_stderr(capsys):
    code, out, err = run(capsys, "validate", FIXTURES / "io_tidy_semicolon_bom.csv")
    assert code == 0
    assert out == [
        "OK: 4 rows, 3 places, 2 indicators, years 2023-2024, 1 missing values, 0 demo rows"
    ]
    assert (
        "tests/fixtures/io_tidy_semicolon_bom.csv: read as encoding: UTF-8 with BOM; text "
        "typed in NFD"
    ) in err
    assert "delimiter: ';'" in err and "decimal mark: ','" in err
    assert "bdg import tests/fixtures/io_tidy_semicolon_bom.csv --out FILE.csv" in err


# ---------------------------------------------------------------- the worked examples


def test_worked_examples_import_as_the_readme_says(capsys, tmp_path):
    out = tmp_path / "data.csv"
    code, lines, err = run(
        capsys, "import", EXAMPLES / "ty-so-gioi-tinh-khi-sinh-ca-nuoc.csv", "--out", out
    )
    assert code == 0
    assert lines == [f"{out}: written (11 added, 0 unchanged)"]
    assert "province: Toàn quốc (from the line 'Cả nước - Whole country')" in err
    assert "kept apart: 2 urban/rural series" in err
    code, lines, err = run(
        capsys, "import", EXAMPLES / "bieu-mau-ty-so-gioi-tinh-khi-sinh.xlsx", "--out", out
    )
    assert code == 0
    assert lines == [f"{out}: written (10 added, 0 unchanged)"]
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    national = written[written["province"] == "Toàn quốc"]
    assert national["year"].tolist() == [str(y) for y in range(2014, 2025)]
    assert national["status"].tolist() == ["official"] * 10 + ["provisional"]
    thai = written[(written["province"] == "Thái Nguyên") & (written["year"] == "2022")]
    assert thai["value"].tolist() == ["113.5"]
    assert thai["note"].str.startswith("(*) Bài báo cũng ghi 6.109 bé trai").all()


def test_a_preliminary_figure_confirmed_takes_its_new_status_only_with_revise(tmp_path):
    out = tmp_path / "data.csv"
    importer.import_file(FIXTURES / "io_yearbook_srb_wide.txt", out)
    text = (FIXTURES / "io_yearbook_srb_wide.txt").read_text(encoding="utf-8")
    final = tmp_path / "final.txt"
    final.write_text(text.replace("Sơ bộ - Prel. 2024", "2024              "), encoding="utf-8")
    waiting = importer.import_file(final, out)
    assert (waiting.merge.restated_waiting, waiting.merge.written) == (7, False)
    assert "pass --revise to take the new status" in waiting.merge.summary()
    taken = importer.import_file(final, out, revise=True)
    assert (taken.merge.restated, taken.merge.unchanged) == (7, 21)
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert set(written["status"]) == {"official"}
    history = read_history(out)
    assert set(history["change"]) == {"restated"}
    assert set(history["old_status"]) == {"provisional"}
    assert (history["old_value"] == history["new_value"]).all()


# ---------------------------------------------------------------- issue 15: writers and failures

ROOT = Path(__file__).parent.parent


def _one_row(path: Path, province: str, value: str) -> Path:
    path.write_text(f"province,indicator,year,value\n{province},M4.CT1,2020,{value}\n", "utf-8")
    return path


def test_two_imports_into_one_file_at_once_both_keep_their_rows(tmp_path):
    """Two real processes: the second waits for the first (and says so), then merges."""
    import subprocess
    import sys

    from bdg_analysis import files

    out = tmp_path / "race.csv"
    inputs = [
        _one_row(tmp_path / "a.csv", "Lạng Sơn", "113.5"),
        _one_row(tmp_path / "b.csv", "Cao Bằng", "110.1"),
    ]
    procs = []
    with files.locked(out):  # a first writer holds the file: both must queue behind it
        for path in inputs:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bdg_analysis.cli", "import", str(path)]
                    + ["--out", str(out)],
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        for proc in procs:  # each says it waits before the lock is released
            line = proc.stderr.readline()
            assert "another bdg import is writing this file; waiting for it to finish" in line
    results = [proc.communicate(timeout=300) for proc in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert all("Traceback" not in o + e for o, e in results)
    assert sorted(o.split(": ", 1)[1].strip() for o, _e in results) == [
        "written (1 added, 0 unchanged)",
        "written (1 added, 0 unchanged)",
    ]
    written = pd.read_csv(out)
    assert sorted(written["province"]) == ["Cao Bằng", "Lạng Sơn"]  # no row lost
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [".race.csv.lock", "a.csv", "b.csv", "race.csv"]  # no temporary file


def _failing_replace(monkeypatch, target: Path):
    """os.replace fails (disk full) when it would install ``target``: a fault injected."""
    import errno
    import os

    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(dst) == target:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


def test_a_failed_data_write_leaves_data_and_history_and_a_retry_records_once(
    tmp_path, monkeypatch
):
    out = tmp_path / "data.csv"
    importer.import_file(FIXTURES / "io_yearbook_srb_wide.txt", out)
    revised = _revised_copy(tmp_path)
    before = out.read_bytes()
    _failing_replace(monkeypatch, out)
    with pytest.raises(importer.BdgInputError, match="the disk is full"):
        importer.import_file(revised, out, revise=True)
    monkeypatch.undo()
    assert out.read_bytes() == before  # the data as they were
    assert not history_path(out).exists()  # the history never before the data
    assert not pending_path(out).exists()
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [".data.csv.lock", "data.csv", "revised.txt"]  # no temporary file
    retry = importer.import_file(revised, out, revise=True)
    assert retry.merge.revised == 1
    again = importer.import_file(revised, out, revise=True)
    assert (again.merge.revised, again.merge.written) == (0, False)
    assert len(read_history(out)) == 1  # the revision recorded once


def test_a_failed_history_write_is_completed_by_the_next_import_once(tmp_path, monkeypatch):
    out = tmp_path / "data.csv"
    importer.import_file(FIXTURES / "io_yearbook_srb_wide.txt", out)
    revised = _revised_copy(tmp_path)
    _failing_replace(monkeypatch, history_path(out))
    with pytest.raises(importer.BdgInputError, match="data.history.csv: could not write"):
        importer.import_file(revised, out, revise=True)
    monkeypatch.undo()
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert "115.9" in written["value"].tolist()  # the data were written first
    assert not history_path(out).exists()
    journal = pending_path(out)
    assert journal.exists()  # what the history still needs
    kept = journal.read_bytes()
    retry = importer.import_file(revised, out, revise=True)  # the user tries again
    assert (retry.merge.revised, retry.merge.unchanged) == (0, 28)
    history = read_history(out)
    assert history[["change", "old_value", "new_value"]].values.tolist() == [
        ["revised", "115.2", "115.9"]
    ]
    assert not journal.exists()
    journal.write_bytes(kept)  # a crash after the history was written, before the journal went
    importer.import_file(revised, out, revise=True)
    assert len(read_history(out)) == 1  # never recorded twice
    assert not journal.exists()


def test_a_journal_of_a_data_write_that_never_happened_is_dropped(tmp_path):
    out = tmp_path / "data.csv"
    importer.import_file(FIXTURES / "io_yearbook_srb_wide.txt", out)
    changes = pd.DataFrame(
        [
            {
                **dict.fromkeys(HISTORY_COLUMNS, ""),
                "change": "revised",
                "province": "Lạng Sơn",
                "indicator": "M4.CT1",
                "year": "2021",
                "old_value": "115.2",
                "new_value": "999",
                "new_status": "official",
            }
        ]
    )
    changes.to_csv(pending_path(out), index=False)
    importer.import_file(FIXTURES / "io_yearbook_srb_wide.txt", out)
    assert not history_path(out).exists()  # 999 never reached the data
    assert not pending_path(out).exists()


# ---------------------------------------------------------------- several files, a folder


def test_import_takes_several_files_or_a_folder(capsys, tmp_path):
    folder = tmp_path / "returns"
    folder.mkdir()
    for name in ("io_department.xlsx", "io_yearbook_line_breaks.xlsx"):
        shutil.copy(FIXTURES / name, folder / name)
    (folder / "~$io_department.xlsx").write_bytes(b"lock file of an open workbook")
    (folder / "notes.docx").write_bytes(b"not data")
    out = folder / "all.csv"
    code, lines, err = run(capsys, "import", folder, "--out", out)
    assert code == 0, (lines, err)
    assert lines == [f"{out}: written (11 added, 0 unchanged)"]
    assert "warning: " in err and ":12: unit: 'người' differs" in err
    code, lines, _ = run(capsys, "import", folder, "--out", out)  # its own output is skipped
    assert lines == [f"{out}: unchanged (0 added, 11 unchanged)"]
    other = tmp_path / "other.csv"
    code, lines, _ = run(
        capsys,
        "import",
        FIXTURES / "io_department.xlsx",
        FIXTURES / "io_yearbook_line_breaks.xlsx",
        "--out",
        other,
    )
    assert lines == [f"{other}: written (11 added, 0 unchanged)"]
    empty = tmp_path / "empty"
    empty.mkdir()
    code, lines, _ = run(capsys, "import", empty, "--out", tmp_path / "x.csv")
    assert code == 2 and lines[0].endswith(
        "empty: the folder holds no data file (.csv, .parquet, .pq, .tsv, .txt, .xlsm, .xlsx)"
    )


def test_a_row_repeated_across_two_files_is_a_duplicate_and_nothing_is_written(capsys, tmp_path):
    a = _one_row(tmp_path / "a.csv", "Lạng Sơn", "113.5")
    b = _one_row(tmp_path / "b.csv", "Lạng Sơn", "113.9")
    code, lines, _ = run(capsys, "import", a, b, "--out", tmp_path / "out.csv")
    assert code == 2
    assert "duplicate of" in lines[0] and "a different value (113.9 here, 113.5 there)" in lines[0]
    assert not (tmp_path / "out.csv").exists()


# ---------------------------------------------------------------- issue 13: numeric output


def test_missing_values_are_written_empty_with_their_marker_opening_the_note(tmp_path):
    out = tmp_path / "data.csv"
    importer.import_file(FIXTURES / "io_department.xlsx", out)
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    numeric = pd.read_csv(out)
    assert numeric["value"].dtype == "float64"
    maternal = written[written["indicator"] == "M4.CT2"].iloc[0]
    assert maternal["value"] == "" and maternal["note"].startswith("..; Số liệu giả định")
    obs = importer.check_paths([out]).checked.observations
    assert obs.loc[obs["indicator"] == "M4.CT2", "missing_marker"].tolist() == [".."]
    # a dataset written before this rule (markers in the value column) is put right when
    # something is merged into it
    old = tmp_path / "old.csv"
    old.write_text(
        "province,indicator,year,value,sex,source,note,status\n"
        "Lạng Sơn,M4.CT2,2020,..,,,,official\nLạng Sơn,M4.CT2,2021,-,,,late,official\n",
        "utf-8",
    )
    importer.import_file(_one_row(tmp_path / "new.csv", "Lạng Sơn", "113.5"), old)
    rows = pd.read_csv(old, dtype=str, keep_default_na=False)
    assert rows["value"].tolist() == ["", "", "113.5"]
    assert rows["note"].tolist() == ["..", "-; late", ""]
    assert pd.read_csv(old)["value"].dtype == "float64"


# ---------------------------------------------------------------- numerator and denominator


def _fractions(path: Path, rows: list[str]) -> Path:
    path.write_text(
        "province,indicator,year,value,sex,source,note,status,numerator,denominator\n"
        + "".join(r + "\n" for r in rows),
        encoding="utf-8",
    )
    return path


def test_numerator_and_denominator_are_kept_through_merges(tmp_path):
    out = tmp_path / "data.csv"
    plain = tmp_path / "plain.csv"
    plain.write_text(
        "province,indicator,year,value,sex,source,note,status\n"
        "Lạng Sơn,M4.CT1,2024,109.2,,NG,,official\n"
        "Lạng Sơn,M4.CT4,2024,1,,Sở Y tế,,official\n",
        encoding="utf-8",
    )
    importer.import_file(plain, out)
    assert out.read_text(encoding="utf-8").splitlines()[0] == ",".join(bio.TIDY_COLUMNS)
    # the same value with its parts: the row takes them, nothing is replaced or recorded
    parts = _fractions(
        tmp_path / "parts.csv",
        [
            "Lạng Sơn,M4.CT1,2024,109.2,,Sở Y tế,,official,5460,5000",
            "Lạng Sơn,M4.CT1,2025,110,,Sở Y tế,,official,5500,5000",
        ],
    )
    result = importer.import_file(parts, out)
    assert (result.merge.added, result.merge.completed, result.merge.unchanged) == (1, 1, 0)
    assert "1 given their numerator and denominator" in result.merge.summary()
    rows = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(rows.columns) == list(bio.ALL_COLUMNS)
    assert rows[["year", "numerator", "denominator", "source"]].values.tolist() == [
        ["2024", "5460", "5000", "NG"],  # the held source stays
        ["2024", "", "", "Sở Y tế"],
        ["2025", "5500", "5000", "Sở Y tế"],
    ]
    assert read_history(out).empty
    again = importer.import_file(parts, out)  # twice: nothing changes
    assert not again.merge.written and again.merge.unchanged == 2
    # a merge of rows without parts keeps the parts held
    more = tmp_path / "more.csv"
    more.write_text("province,indicator,year,value\nLạng Sơn,M4.CT1,2023,111\n", encoding="utf-8")
    importer.import_file(more, out)
    rows = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert rows.loc[rows["year"] == "2025", "numerator"].item() == "5500"


def test_other_parts_for_the_same_value_need_revise_and_the_old_ones_go_to_history(tmp_path):
    out = tmp_path / "data.csv"
    importer.import_file(
        _fractions(tmp_path / "a.csv", ["Lạng Sơn,M4.CT1,2024,109.2,,A,,official,5460,5000"]), out
    )
    other = _fractions(tmp_path / "b.csv", ["Lạng Sơn,M4.CT1,2024,109.2,,B,,official,2184,2000"])
    waiting = importer.import_file(other, out)
    assert waiting.merge.restated_waiting == 1 and not waiting.merge.written
    taken = importer.import_file(other, out, revise=True, today=dt.date(2026, 12, 15))
    assert taken.merge.restated == 1
    rows = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert rows[["numerator", "denominator"]].values.tolist() == [["2184", "2000"]]
    history = read_history(out)
    assert history["change"].tolist() == ["restated"]
    assert history["old_note"].tolist() == ["[numerator=5460; denominator=5000]"]


def test_import_states_the_round_with_province_and_year(tmp_path, capsys):
    code, out, _ = run(
        capsys,
        "import",
        FIXTURES / "tidy_good.csv",
        "--out",
        tmp_path / "x.csv",
        "--year",
        "2026",
    )
    assert code == 0  # --year only concerns returned collection forms
