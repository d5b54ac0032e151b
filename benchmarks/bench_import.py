"""Benchmark: `bdg import` against `bdg validate` on one tidy CSV, and a sheet of empty rows.

    .venv/bin/python benchmarks/bench_import.py [--rows 364665] [--empty-rows 1000000]

Each command runs as its own child process (as a user runs it); its wall time and its peak
memory (maximum resident set size, as ``/usr/bin/time -v`` prints it, read with ``os.wait4``)
are printed. The targets (issue 15): importing a file costs at most 3x the time of validating
it, and at most 4x the file's size in memory; an .xlsx holding a small table above a million
empty (formatted) rows is read in seconds and little memory.

How memory is measured: "above the floor" is the command's peak RSS minus the peak RSS of
``bdg validate`` of a one-row file (the interpreter, pandas, numpy, pyarrow and the package's
catalogue and province register: what any run costs whatever its file); the ratio is that
difference over the file's size. The RSS of a process that has only imported the libraries
is printed too, for reference.

The tidy file is the valid part of ``bench_validate.write_tidy_file`` (every place, indicator,
sex and year, one figure in 97 missing).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_validate import write_tidy_file  # noqa: E402

TIME_FACTOR = 3.0
MEMORY_FACTOR = 4.0


def run(argv: list[str]) -> tuple[float, float, int]:
    """Run ``bdg argv`` in a child process: (wall seconds, peak memory in MB, exit code)."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "bdg_analysis.cli", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert child.stderr is not None
    err = child.stderr.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 2):
        sys.stderr.write(err.decode("utf-8", "replace")[-2000:])
    return seconds, usage.ru_maxrss / 1024, child.returncode  # ru_maxrss is in KiB on Linux


def libraries_rss() -> float:
    """Peak memory (MB) of a child process that only imports the libraries a run uses."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import numpy, pandas, pyarrow, pyarrow.csv, bdg_analysis.cli"]
    )
    _pid, _status, usage = os.wait4(child.pid, 0)
    return usage.ru_maxrss / 1024


def write_empty_rows_workbook(path: Path, empty_rows: int) -> None:
    """A small tidy table, then ``empty_rows`` rows of formatted but empty cells.

    Written as raw sheet XML (what Excel saves when a format is applied to whole rows): the
    sheet's declared dimension covers every row, so a reader that trusts it reads them all.
    """
    header = ["province", "indicator", "year", "value"]
    table = [["Lạng Sơn", "M4.CT1", 2020 + i, 110.5 + i] for i in range(5)]
    last = len(table) + 1 + empty_rows

    def cell(ref: str, value) -> str:
        if isinstance(value, str):
            return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
        return f'<c r="{ref}"><v>{value}</v></c>'

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as book:
        book.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.styles+xml"/></Types>',
        )
        book.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            '//schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        book.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxml'
            'formats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            '//schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        book.writestr(
            "xl/styles.xml",
            '<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxml'
            'formats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/></font>'
            '</fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
            '<patternFill patternType="solid"><fgColor rgb="FFFFFF00"/></patternFill></fill>'
            '</fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/>'
            '</cellStyleXfs><cellXfs count="2"><xf/><xf fillId="1" applyFill="1"/></cellXfs>'
            "</styleSheet>",
        )
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                (
                    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                    'openxmlformats.org/spreadsheetml/2006/main">'
                    f'<dimension ref="A1:D{last}"/><sheetData>'
                ).encode()
            )
            rows = [header, *table]
            for r, values in enumerate(rows, start=1):
                cells = "".join(cell(f"{'ABCD'[i]}{r}", v) for i, v in enumerate(values))
                sheet.write(f'<row r="{r}">{cells}</row>'.encode())
            block = []
            for r in range(len(rows) + 1, last + 1):
                block.append(f'<row r="{r}"><c r="A{r}" s="1"/><c r="B{r}" s="1"/></row>')
                if len(block) == 10_000:
                    sheet.write("".join(block).encode())
                    block = []
            sheet.write(("".join(block) + "</sheetData></worksheet>").encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=364_665)
    parser.add_argument("--empty-rows", type=int, default=1_000_000)
    parser.add_argument("--skip-excel", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = folder / "tidy.csv"
        written, planted = write_tidy_file(data, args.rows)
        assert planted == 0, "the file should hold valid rows only"
        size = data.stat().st_size / 2**20
        tiny = folder / "tiny.csv"
        tiny.write_text("province,indicator,year,value\nLạng Sơn,M4.CT1,2020,113.5\n", "utf-8")
        libraries = libraries_rss()
        _t, base, _c = run(["validate", str(tiny)])  # the interpreter and its libraries
        v_time, v_mem, v_code = run(["validate", str(data)])
        out = folder / "out.csv"
        i_time, i_mem, i_code = run(["import", str(data), "--out", str(out)])
        m_time, m_mem, m_code = run(["import", str(data), "--out", str(out)])
        print(f"tidy CSV: {written:,} rows, {size:.1f} MB")
        print(
            f"floor: {base:.0f} MB peak RSS validating a one-row file "
            f"({libraries:.0f} MB with only the libraries imported)"
        )
        print("                          seconds  peak RSS  above floor  x file  exit")
        for what, (t, m, c) in (
            ("bdg validate:          ", (v_time, v_mem, v_code)),
            ("bdg import (new --out):", (i_time, i_mem, i_code)),
            ("bdg import (again):    ", (m_time, m_mem, m_code)),
        ):
            above = m - base
            print(f"  {what} {t:6.2f} s {m:6.0f} MB {above:7.0f} MB {above / size:7.1f}x  {c:4d}")
        worst_time = max(i_time, m_time)
        worst_mem = max(i_mem, m_mem) - base
        ok = worst_time <= TIME_FACTOR * v_time and worst_mem <= MEMORY_FACTOR * size
        print(
            f"  import/validate time {i_time / v_time:.1f}x (new), {m_time / v_time:.1f}x "
            f"(again); limit {TIME_FACTOR:g}x"
        )
        print(
            f"  import memory above the floor, worst: {worst_mem / size:.1f}x the file "
            f"(limit {MEMORY_FACTOR:g}x): {'OK' if ok else 'OVER'}"
        )
        if args.skip_excel:
            return
        book = folder / "empty_rows.xlsx"
        write_empty_rows_workbook(book, args.empty_rows)
        b_size = book.stat().st_size / 2**20
        x_time, x_mem, x_code = run(["validate", str(book)])
        print(
            f"xlsx, 5 rows above {args.empty_rows:,} empty formatted rows ({b_size:.1f} MB): "
            f"bdg validate {x_time:.2f} s, {x_mem:.0f} MB (exit {x_code})"
        )


if __name__ == "__main__":
    main()
