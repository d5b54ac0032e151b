"""``bdg validate`` / ``bdg import`` say and write exactly what they did before reading tidy CSV a
block at a time: every problem, warning, summary, data and history byte of a sequence of imports
is compared with a record made by the whole-file implementation.

Regenerate the record (only when a change of behaviour is meant) with
``.venv/bin/python tests/test_import_golden.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import pytest

from bdg_analysis import importer
from bdg_analysis.history import history_path

FIXTURES = Path(__file__).parent / "fixtures"
RECORD = FIXTURES / "import_golden.json"
TODAY = dt.date(2026, 11, 30)
HEADER = "province,indicator,year,value,sex,source,note,status"

FILES = {
    "a.csv": HEADER + ",numerator,denominator\n"
    "Lạng Sơn,M4.CT1,2022,112.40,,Src A,,official,,\n"
    "Lạng Sơn,M4.CT1,2023,..,,Src A,not yet published,provisional,,\n"
    "Lạng Sơn,M4.CT1,2021,1e2,,Src A,,,,\n"
    'Nam Định,M2.CT1,2023,41.5,female,"Src, B","say ""hi""",,,\n'
    "Ninh Bình,M2.CT1,2025, 42 ,female,Src B,,official,,\n"
    "Cao Bằng,M2.CT1,2024,50,female,Src B,,official,5,10\n"
    "Cao Bằng,M2.CT1,2023,40,female,Src B,,official,5,10\n"
    "Hà Giang,M2.CT1,2023,-,male,Src B,,,,\n"
    "Hà Giang,M2.CT1,2022,30,male,Src B,,,,\n"
    "Hà Giang,M2.CT1,2021,31,total,Src B,,demo,,\n",
    "b.csv": HEADER + ",numerator,denominator\n"
    "Lạng Sơn,M4.CT1,2022,113,,Src C,,official,,\n"
    "Lạng Sơn,M4.CT1,2023,111,,Src C,,official,,\n"
    "Ninh Bình,M2.CT1,2025,42,female,Src C,,provisional,,\n"
    "Hà Giang,M2.CT1,2022,30,male,Src C,,,3,10\n"
    "Hà Giang,M2.CT1,2021,..,total,Src C,,,,\n"
    "Điện Biên,M2.CT1,2024,12.25,female,Src C,,,,\n",
    "messy.csv": HEADER + ",numerator,denominator\n"
    "Lạng Sơn,M4.CT9,2022,112.4,,,,,,\n"
    "Lạng Sơn,M4.CT1,20x2,112.4,,,,,,\n"
    "Lạng Sơn,M4.CT1,2021,inf,,,,,,\n"
    "Lạng Sơn,M2.CT1,2021,104,,,,,,\n"
    "Lạng Sơnn,M2.CT1,2021,10,,,,,,\n"
    ",M2.CT1,2021,10,,,,,,\n"
    "Cao Bằng,M2.CT1,2020,10,woman,,,final,,\n"
    "Cao Bằng,M2.CT1,2019,10,,,,,5,\n"
    "Cao Bằng,M2.CT1,2018,10,,,,,1,10\n"
    "Cao Bằng,M2.CT1,2018,11,,,,,-1,10\n"
    "Cao Bằng,M4.CT4,2018,3,,,,,1,3\n"
    "Cao Bằng,M2.CT1,2017,20,,,,,1,10\n"
    "Cao Bằng,M2.CT1,2016,x1,,,,,,\n",
    "c.csv": HEADER + "\nBắc Kạn,M2.CT1,2024,20,female,S,,\nBắc Kạn,M2.CT1,2023,21,female,S,,\n",
    "d.csv": HEADER + "\nBắc Kạn,M2.CT1,2024,20.5,female,S,,\nBắc Kạn,M2.CT1,2022,22,female,S,,\n",
    "crlf.csv": "\ufeff" + HEADER + "\r\n"
    "Sơn La,M2.CT1,2024,20,female,S,,\r\n\r\n"
    "Sơn La,M2.CT1,2023,21,female,S,,\r\n",
    "blank_lines.csv": HEADER + "\n\nSơn La,M2.CT1,2022,20,female,S,,\n\n"
    "Sơn La,M2.CT1,2021,21,female,S,,\n",
    "quoted_newline.csv": HEADER + '\nSơn La,M2.CT1,2020,20,female,"two\nlines",,\n',
    "nfd.csv": HEADER + "\nLa\u0323ng So\u031bn,M2.CT1,2019,20,female,S,,\n",
    "percent.csv": HEADER + "\nYên Bái,M2.CT1,2024,41.5%,female,S,,\n"
    "Yên Bái,M4.CT1,2024,110%,,S,,\n",
    "names.csv": HEADER + "\nYên Bái,m2.ct1,2023,41.5,female,S,,\n",
    "bad_line.csv": HEADER + "\nYên Bái,M2.CT1,2022,41.5,female,S\n",
    "old_markers.csv": HEADER + "\nLai Châu,M2.CT1,2024,..,female,S,n,\n"
    "Lai Châu,M2.CT1,2023,-,female,S,,\n",
    "more.csv": HEADER + "\nLai Châu,M2.CT1,2022,33,female,S,,\n",
    "aliases.csv": "Tỉnh,Chỉ tiêu,Năm,Giá trị\nLào Cai,M2.CT1,2024,20\n",
    "empty_body.csv": HEADER + "\n",
}

# (command, files, out, revise): what each step runs, in order
STEPS = [
    ("validate", ["a.csv"], None, False),
    ("import", ["a.csv"], "out.csv", False),
    ("import", ["a.csv"], "out.csv", False),
    ("import", ["b.csv"], "out.csv", False),
    ("import", ["b.csv"], "out.csv", True),
    ("import", ["b.csv"], "out.csv", True),
    ("validate", ["messy.csv"], None, False),
    ("import", ["messy.csv"], "out.csv", False),
    ("import", ["c.csv", "d.csv"], "out.csv", False),
    ("import", ["c.csv"], "out.csv", False),
    ("import", ["d.csv"], "out.csv", True),
    ("import", ["crlf.csv"], "out.csv", False),
    ("import", ["blank_lines.csv"], "out.csv", False),
    ("import", ["quoted_newline.csv"], "out.csv", False),
    ("import", ["nfd.csv"], "out.csv", False),
    ("import", ["percent.csv"], "out.csv", False),
    ("import", ["names.csv"], "out.csv", False),
    ("import", ["bad_line.csv"], "out.csv", False),
    ("import", ["aliases.csv"], "out.csv", False),
    ("import", ["empty_body.csv"], "out.csv", False),
    ("import", ["FIXTURES/io_tidy_semicolon_bom.csv"], "out.csv", False),
    ("import", ["FIXTURES/io_department.xlsx"], "out.csv", False),
    ("import", ["more.csv"], "old_markers.csv", False),
    ("import", ["FIXTURES/tidy_good.csv"], "good.csv", False),
    ("import", ["FIXTURES/explore_conflict.csv"], "good.csv", False),
    ("import", ["FIXTURES/explore_conflict.csv"], "good.csv", True),
]


def _problem(p) -> list:
    return [p.file, p.row, p.column, str(p.message)]


def _path(name: str) -> str:
    return str(FIXTURES / name[len("FIXTURES/") :]) if name.startswith("FIXTURES/") else name


def record(folder: Path) -> list[dict]:
    """Run every step in ``folder`` (the working folder): what each said, and the files after."""
    for name, text in FILES.items():
        (folder / name).write_bytes(text.encode("utf-8"))
    out = []
    for command, names, target, revise in STEPS:
        given = [_path(n) for n in names]
        step: dict = {"step": [command, names, target, revise]}
        if command == "validate":
            loaded = importer.check_paths(given)
            step["problems"] = [_problem(p) for p in loaded.problems]
            step["warnings"] = [_problem(p) for p in loaded.warnings]
            step["read"] = [[t.describe(), t.canonical] for t in loaded.tables]
            obs = loaded.checked.observations
            step["rows"] = len(obs)
        else:
            result = importer.import_paths(given, target, revise=revise, today=TODAY)
            step["problems"] = [_problem(p) for p in result.problems]
            step["warnings"] = [_problem(p) for p in result.loaded.warnings]
            step["read"] = [[t.describe(), t.canonical] for t in result.loaded.tables]
            if result.merge is not None:
                step["summary"] = result.merge.summary()
                step["written"] = result.merge.written
                step["history"] = len(result.merge.history)
            for path in (Path(target), history_path(target)):
                step[path.name] = path.read_text("utf-8") if path.exists() else None
        out.append(step)
    return out


@pytest.mark.parametrize("block", [None, 64, 200])
def test_imports_say_and_write_what_they_did(tmp_path, monkeypatch, block):
    """The same record whether a file is read whole or in blocks of a few lines."""
    if block is not None:
        monkeypatch.setattr("bdg_analysis.io.blocks.BLOCK_BYTES", block)
    monkeypatch.chdir(tmp_path)
    expected = json.loads(RECORD.read_text("utf-8"))
    found = record(tmp_path)
    assert len(found) == len(expected)
    for got, want in zip(found, expected, strict=True):
        assert got == want, got["step"]


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        here = os.getcwd()
        os.chdir(tmp)
        try:
            steps = record(Path(tmp))
        finally:
            os.chdir(here)
    RECORD.write_text(json.dumps(steps, ensure_ascii=False, indent=1) + "\n", "utf-8")
    sys.stdout.write(f"{RECORD}: {len(steps)} steps\n")
