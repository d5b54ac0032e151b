"""Read data files into raw string tables that remember file and row (tidy layout here; yearbook
and form layouts in submodules)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from bdg_analysis.errors import BdgInputError, Problem
from bdg_analysis.paths import project_root

TIDY_COLUMNS = ("province", "indicator", "year", "value", "sex", "source", "note", "status")
REQUIRED_COLUMNS = ("province", "indicator", "year", "value")
SOURCE_COLUMNS = ("source_file", "source_row")

_READERS = {}


def display_path(path: Path | str) -> str:
    """A path fit to show a reader: relative to the project when inside it, never absolute."""
    p = Path(path).resolve()
    for base in (project_root(), Path.cwd()):
        try:
            return p.relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return p.name


def reader(*suffixes: str):
    """Register a reader for file suffixes (a registry, so a new format touches one place)."""

    def register(func):
        for s in suffixes:
            _READERS[s] = func
        return func

    return register


@reader(".csv", ".txt")
def _read_csv(path: Path) -> tuple[pd.DataFrame, int]:
    """Tidy CSV: UTF-8 (with or without BOM), comma-separated, header on line 1."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise BdgInputError(
            Problem(display_path(path), line, None,
                    "file is not UTF-8 text; save it as CSV UTF-8 (or use 'bdg import')")
        ) from None
    if not text.strip():
        raise BdgInputError(Problem(display_path(path), None, None, "file is empty"))
    records = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(records)]
    problems = []
    body = []
    try:
        for row in records:
            number = records.line_num
            if not any(cell.strip() for cell in row):
                continue  # a blank line carries no data
            if len(row) != len(header):
                problems.append(Problem(display_path(path), number, None,
                                        f"expected {len(header)} fields, found {len(row)} "
                                        "(truncated line or unquoted comma?)"))
                continue
            body.append((number, row))
    except csv.Error as exc:
        problems.append(Problem(display_path(path), records.line_num, None, f"broken CSV: {exc}"))
    if problems:
        raise BdgInputError(problems)
    frame = pd.DataFrame([r for _, r in body], columns=header, dtype="str")
    frame["source_row"] = [n for n, _ in body]
    return frame, 1


@reader(".parquet", ".pq")
def _read_parquet(path: Path) -> tuple[pd.DataFrame, int]:
    """Parquet: rows are counted from 1 (no header line)."""
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise BdgInputError(Problem(display_path(path), None, None,
                                    f"cannot read Parquet file: {exc}")) from None
    frame = _as_strings(frame)
    frame["source_row"] = range(1, len(frame) + 1)
    return frame, 0


@reader(".xlsx", ".xlsm")
def _read_excel(path: Path, sheet: str | int = 0) -> tuple[pd.DataFrame, int]:
    """Excel (tidy layout): header on row 1 of the first sheet, or of ``sheet``."""
    try:
        frame = pd.read_excel(path, sheet_name=sheet, dtype=object)
    except ValueError as exc:
        raise BdgInputError(Problem(display_path(path), None, None, str(exc))) from None
    except Exception as exc:
        raise BdgInputError(Problem(display_path(path), None, None,
                                    f"cannot read Excel file: {exc}")) from None
    frame = _as_strings(frame)
    frame["source_row"] = range(2, len(frame) + 2)
    return frame, 1


def _as_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn every cell into text as written, so validation sees what the user wrote."""
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        text = values.astype(object).map(_cell_text)
        out[str(column).strip()] = text.astype("str")
    return out.reset_index(drop=True)


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(path: Path | str) -> pd.DataFrame:
    """Read one tidy data file into text columns plus ``source_file`` and ``source_row``.

    Raises
    ------
    BdgInputError
        The file is missing, empty, not of a known format, or cannot be parsed.
    """
    path = Path(path)
    shown = display_path(path)
    if not path.exists():
        raise BdgInputError(Problem(shown, None, None, "file not found"))
    read = _READERS.get(path.suffix.lower())
    if read is None:
        known = ", ".join(sorted(_READERS))
        raise BdgInputError(Problem(shown, None, None,
                                    f"unknown file type {path.suffix!r}; expected one of {known}"))
    frame, _ = read(path)
    frame.columns = [str(c).strip().lower() if str(c).strip().lower() in TIDY_COLUMNS else str(c)
                     for c in frame.columns]
    if frame.empty:
        raise BdgInputError(Problem(shown, None, None, "no data rows below the header"))
    frame["source_file"] = shown
    return frame


def write_tidy_csv(frame: pd.DataFrame, path: Path | str) -> None:
    """Write observations in the tidy schema (UTF-8, '.' decimals), atomically."""
    path = Path(path)
    columns = [c for c in TIDY_COLUMNS if c in frame.columns]
    tmp = path.with_name(f".{path.name}.tmp")
    frame[columns].to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
    tmp.replace(path)
