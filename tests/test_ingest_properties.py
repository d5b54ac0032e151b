"""Property: `bdg validate` and `bdg import` on messy generated rows never raise a traceback and
never lose a row: every input row is written, or named in a problem (issue 15).

Rows mix real and odd place names (NFD, no diacritics, commas, quotes, emoji, very long),
indicator ids and names, years, numbers huge and tiny, infinities, missing markers, decimal
commas, '%' text, unicode notes with line breaks, and repeated keys. Carriage returns are left
out of the generated text: reading turns them into line breaks (text is kept, line numbers
move), which would only blur the bookkeeping of this test.
"""

from __future__ import annotations

import contextlib
import csv
import io as _io
import re
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bdg_analysis import catalogue, cli, importer

COLUMNS = ["province", "indicator", "year", "value", "sex", "source", "note", "status"]
PLACES = [
    "Lạng Sơn",
    unicodedata.normalize("NFD", "Lạng Sơn"),
    "lang son",
    "LẠNG SƠN",
    "Hà Nội",
    "Toàn quốc",
    "Nam Định",
    "Đắk Lắk",
    "Lạng Sơnn",
    "Hà, Nội",
    '"Cao Bằng"',
    "Cao Bằng ",
    "",
    " ",
    "🙂",
    "X" * 300,
]
MARKERS = ["", "..", "...", "…", "-", "–", "—", "NA", "n/a", "N/A"]
ODD_NUMBERS = [
    "1e309",
    "-1e309",
    "Infinity",
    "inf",
    "nan",
    "12,5",
    "41,5%",
    "1.234,5",
    " 7 ",
    "1e-320",
]

TEXT = st.text(
    alphabet=st.characters(blacklist_characters="\r", blacklist_categories=("Cs",)), max_size=25
)


def _value():
    floats = st.floats(allow_nan=True, allow_infinity=True, width=64)
    return st.one_of(
        floats.map(repr),
        floats.map(lambda v: f"{v:.17g}"),
        st.integers(-(10**30), 10**30).map(str),
        st.sampled_from(MARKERS + ODD_NUMBERS),
        TEXT,
    )


ROW = st.fixed_dictionaries(
    {
        "province": st.one_of(st.sampled_from(PLACES), TEXT),
        "indicator": st.one_of(
            st.sampled_from([*catalogue.ids(), "m4.ct1", "M4.CT9", "", "Tỷ số giới tính khi sinh"]),
            TEXT,
        ),
        "year": st.one_of(
            st.integers(1900, 2200).map(str),
            st.sampled_from(["20x2", "", "2020.0", "1e3", "inf", " 2021 ", "２０２１"]),
            TEXT,
        ),
        "value": _value(),
        "sex": st.sampled_from(["", "female", "male", "total", "women", "Nữ"]),
        "source": TEXT,
        "note": TEXT,
        "status": st.sampled_from(["", "official", "provisional", "estimate", "demo", "final"]),
    }
)
ROWS = st.lists(ROW, min_size=1, max_size=25).flatmap(
    # repeat some rows (same key, maybe another value): duplicates must be named, not dropped
    lambda rows: st.lists(st.sampled_from(rows), max_size=3).map(lambda extra: rows + extra)
)


def _write_csv(path: Path, rows: list[dict]) -> list[int]:
    """Write the rows; return the line each record ends on (what readers report)."""
    buffer = _io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    ends = []
    line = 1
    for row in rows:
        before = buffer.tell()
        writer.writerow(row)
        line += buffer.getvalue()[before:].count("\n")
        ends.append(line)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return ends


def _blank(row: dict) -> bool:
    return not "".join(row.values()).strip()


def _named(line: int, file: str, problems) -> bool:
    """A problem on this row, or one naming it ('duplicate of FILE:LINE'), or the whole file."""
    mention = re.compile(rf"{re.escape(file)}:{line}(?:\D|$)")
    return any(
        p.row == line or p.row is None or mention.search(p.message)
        for p in problems
        if p.file.startswith(file)
    )


def _cli(*argv: str) -> tuple[int, str]:
    out, err = _io.StringIO(), _io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    text = out.getvalue() + err.getvalue()
    assert "Traceback" not in text
    return code, text


@settings(
    max_examples=60,
    deadline=None,
    database=None,  # no example folder left in the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(ROWS)
def test_messy_csv_rows_are_written_or_named_never_lost(rows):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "rows.csv"
        ends = _write_csv(path, rows)
        loaded = importer.check_paths([path])  # never raises
        kept = set(loaded.checked.observations["source_row"].tolist())
        for row, line in zip(rows, ends, strict=True):
            if _blank(row):
                continue  # a line of empty fields carries nothing to lose
            assert line in kept or _named(line, "rows.csv", loaded.problems), (line, row)
        code, _ = _cli("validate", str(path))
        assert code == (0 if loaded.ok else 2)
        out = folder / "out.csv"
        code, _ = _cli("import", str(path), "--out", str(out))
        if not loaded.ok:
            assert code == 2 and not out.exists()  # nothing written from a file with problems
            return
        assert code == 0
        written = pd.read_csv(out, dtype=str, keep_default_na=False)
        assert len(written) == len(loaded.checked.observations)  # every row checked is written
        again = importer.check_paths([out])
        assert again.ok and len(again.checked.observations) == len(written)
        numeric = pd.read_csv(out)["value"]
        assert pd.api.types.is_numeric_dtype(numeric)  # markers never in the value column
        code, text = _cli("import", str(path), "--out", str(out))
        assert code == 0 and "unchanged" in text  # importing twice changes nothing


@settings(
    max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(ROWS)
def test_messy_workbook_rows_are_written_named_or_said_ignored(rows):
    import openpyxl

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(COLUMNS)
        for row in rows:
            cells = []
            for column in COLUMNS:
                text = row[column]
                try:  # numbers as Excel stores them, the rest as text
                    number = float(text)
                    cells.append(number if column == "value" and abs(number) < 1e300 else text)
                except ValueError:
                    cells.append(text)
            ws.append([_excel_safe(c) for c in cells])
        wb.save(path)
        loaded = importer.check_paths([path])
        kept = set(loaded.checked.observations["source_row"].tolist())
        ignored = [t.inferred.get("after the table", "") for t in loaded.tables]
        found = [re.search(r"from row (\d+) ignored", text) for text in ignored]
        after = next((int(m.group(1)) for m in found if m), None)
        for i, row in enumerate(rows, start=2):
            if all(not str(_excel_safe(v)).strip() for v in row.values()):
                continue
            if after is not None and i >= after:
                continue  # said: 'N row(s) from row X ignored' (a signature block, notes)
            assert i in kept or _named(i, "rows.xlsx", loaded.problems), (i, row)
        code, _ = _cli("validate", str(path))
        assert code == (0 if loaded.ok else 2)


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _excel_safe(value):
    """What a spreadsheet can hold: no control characters (openpyxl refuses them)."""
    return _ILLEGAL.sub("", value) if isinstance(value, str) else value
