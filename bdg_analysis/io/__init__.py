"""Read data files into raw text tables that remember file and row, and say how they were read.

Tidy files here; yearbook tables in ``io.yearbook``, Excel cells in ``io.workbook``, encodings
and numbers in ``io.text_files``. Two entry points:

- :func:`read_table` reads a canonical tidy file (UTF-8 CSV with ',' and '.' decimals, the
  first sheet of an .xlsx, Parquet) and refuses anything else with a message saying why. Reports
  use it: what they read is never a guess.
- :func:`read` reads what a statistician really has (a yearbook table, an Excel form, a CSV
  saved by Excel with ';' and decimal commas, Windows-1258 text) and returns a :class:`Table`
  whose ``inferred`` says how the file was read, for ``bdg validate`` and ``bdg import`` to print.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bdg_analysis.errors import BdgInputError, Problem
from bdg_analysis.io import text_files as tf
from bdg_analysis.paths import display_path

TIDY_COLUMNS = ("province", "indicator", "year", "value", "sex", "source", "note", "status")
REQUIRED_COLUMNS = ("province", "indicator", "year", "value")
SOURCE_COLUMNS = ("source_file", "source_row", "source_cell")

#: Header names accepted for the tidy columns, as folded keys (Vietnamese forms use these).
COLUMN_ALIASES = {
    "province": {
        "province",
        "tinh",
        "tinhthanhpho",
        "tinhthanh",
        "diaphuong",
        "donvi",
        "provincecity",
        "tentinh",
    },
    "indicator": {"indicator", "chitieu", "machitieu", "indicatorid"},
    "year": {"year", "nam"},
    "value": {"value", "giatri", "solieu"},
    "sex": {"sex", "gioitinh"},
    "source": {"source", "nguon", "nguonsolieu"},
    "note": {"note", "ghichu"},
    "status": {"status", "trangthai", "tinhtrang"},
}
#: Ordinal columns that Excel forms carry ('STT'): dropped, and the reader says so.
ROW_NUMBER_COLUMNS = {"stt", "tt", "no", "sott"}

_READERS = {}


def reader(*suffixes: str):
    """Register a reader for file suffixes (a registry, so a new format touches one place)."""

    def register(func):
        for s in suffixes:
            _READERS[s] = func
        return func

    return register


# ---------------------------------------------------------------- canonical tidy files


@reader(".csv", ".txt")
def _read_csv(path: Path) -> tuple[pd.DataFrame, int]:
    """Tidy CSV: UTF-8 (with or without BOM), comma-separated, header on line 1."""
    shown = display_path(path)
    decoded = tf.decode(path.read_bytes(), shown, strict=True)
    text = decoded.text
    if not text.strip():
        raise BdgInputError(Problem(shown, None, None, "file is empty"))
    first = text.split("\n", 1)[0]
    if not set(REQUIRED_COLUMNS) <= {h.strip().lower() for h in first.split(",")}:
        for delimiter in (";", "\t"):
            if _tidy_header(first.split(delimiter)) is not None:
                name = tf.DELIMITER_NAMES[delimiter]
                raise BdgInputError(
                    Problem(
                        shown,
                        1,
                        None,
                        f"columns are separated by {name}, not ',' (a CSV saved by Excel with "
                        "Vietnamese settings?); check it with 'bdg validate' and write a standard "
                        "file with 'bdg import'",
                    )
                )
    parsed = tf.parse_delimited(text, ",", 1, shown)
    if parsed.problems:
        raise BdgInputError(parsed.problems)
    frame = pd.DataFrame({h: parsed.columns[h] for h in parsed.header})
    frame = frame.astype("str")
    frame["source_row"] = parsed.lines
    return frame, 1


@reader(".parquet", ".pq")
def _read_parquet(path: Path) -> tuple[pd.DataFrame, int]:
    """Parquet: rows are counted from 1 (no header line)."""
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise BdgInputError(
            Problem(display_path(path), None, None, f"cannot read Parquet file: {exc}")
        ) from None
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
        raise BdgInputError(
            Problem(display_path(path), None, None, f"cannot read Excel file: {exc}")
        ) from None
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
    """Read one canonical tidy data file into text columns plus ``source_file``, ``source_row``.

    Raises
    ------
    BdgInputError
        The file is missing, empty, not of a known format, not canonical (not UTF-8, ';' as
        delimiter: use :func:`read`, 'bdg validate' and 'bdg import'), or cannot be parsed.
    """
    path = Path(path)
    shown = display_path(path)
    if not path.exists():
        raise BdgInputError(Problem(shown, None, None, "file not found"))
    read_file = _READERS.get(path.suffix.lower())
    if read_file is None:
        known = ", ".join(sorted(_READERS))
        raise BdgInputError(
            Problem(
                shown, None, None, f"unknown file type {path.suffix!r}; expected one of {known}"
            )
        )
    frame, _ = read_file(path)
    frame.columns = [
        str(c).strip().lower() if str(c).strip().lower() in TIDY_COLUMNS else str(c)
        for c in frame.columns
    ]
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


# ---------------------------------------------------------------- any layout, reported


@dataclass
class Table:
    """What :func:`read` made of one file.

    ``frame``: raw tidy rows (text, for :func:`bdg_analysis.validate.check`) with
    ``source_file``, ``source_row`` and, for wide layouts, ``source_cell`` (the column or cell
    of each figure). ``inferred``: how the file was read (encoding, delimiter, decimal mark,
    layout, indicator, province, provisional years, footnotes, what was kept apart), in the
    order a user should read it. ``problems``: what the reader refused (its rows are not in
    ``frame``). ``apart``: figures recognised and kept out of the tidy rows (region rows,
    urban/rural series, other measures). ``cells``: every figure of a wide table as read.
    ``canonical``: True when :func:`read_table` (and so a report) reads the file as it is.
    """

    file: str
    frame: pd.DataFrame
    inferred: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    apart: pd.DataFrame = field(default_factory=pd.DataFrame)
    cells: pd.DataFrame = field(default_factory=pd.DataFrame)
    canonical: bool = False

    def describe(self) -> str:
        """One line saying how the file was read ('key: value; ...', sheets split by ' | ')."""
        sheets = [k for k in self.inferred if k.startswith("sheet ")]
        sep = " | " if sheets else "; "
        return sep.join(f"{k}: {v}" for k, v in self.inferred.items() if v)


TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")


def read(
    path: Path | str,
    *,
    indicator: str | None = None,
    sheet: str | None = None,
    province: str | None = None,
) -> Table:
    """Read a tidy file, a yearbook table or an Excel form, and say how it was read.

    Parameters
    ----------
    indicator
        The catalogue id of a wide table's figures, when its title does not name one.
    sheet
        The worksheet to read (Excel); default: every sheet that holds a table.
    province
        The province of a one-province yearbook table whose rows are series, not places.

    Raises
    ------
    BdgInputError
        The file is missing, empty, of an unknown type, in an unknown encoding, the sheet is
        not there, or no table can be found in it. Row-level problems are returned in
        ``Table.problems`` instead, so every one of them can be reported.
    """
    path = Path(path)
    shown = display_path(path)
    if not path.exists():
        raise BdgInputError(Problem(shown, None, None, "file not found"))
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        if sheet is not None:
            raise BdgInputError(
                Problem(
                    shown,
                    None,
                    "sheet",
                    f"--sheet {sheet!r} applies to Excel workbooks; {path.name} is a text file",
                )
            )
        table = _read_text(path, shown, indicator=indicator, province=province)
    elif suffix in EXCEL_SUFFIXES:
        table = _read_workbook(path, shown, indicator=indicator, sheet=sheet, province=province)
    elif suffix in PARQUET_SUFFIXES:
        frame = read_table(path)
        table = Table(shown, frame, {"layout": "tidy table (Parquet)"}, canonical=True)
    else:
        known = ", ".join(TEXT_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES)
        hint = " (save it from Excel as .xlsx)" if suffix == ".xls" else ""
        raise BdgInputError(
            Problem(
                shown, None, None, f"unknown file type {suffix!r}; expected one of {known}{hint}"
            )
        )
    if table.frame.empty and not table.problems:
        raise BdgInputError(Problem(shown, None, None, "no data rows below the header"))
    return table


def _tidy_header(cells: list[str]) -> tuple[dict[int, str], list[str]] | None:
    """Map header cells to tidy columns (names or Vietnamese aliases), if all required are there.

    Returns ``(mapping, aliases_used)`` or None.
    """
    from bdg_analysis.io.yearbook import key

    mapping: dict[int, str] = {}
    aliases: list[str] = []
    for i, cell in enumerate(cells):
        k = key(cell)
        for column, names in COLUMN_ALIASES.items():
            if k in names and column not in mapping.values():
                mapping[i] = column
                if cell.strip().lower() != column:
                    aliases.append(f"{cell.strip()!r} as {column}")
                break
    if not set(REQUIRED_COLUMNS) <= set(mapping.values()):
        return None
    return mapping, aliases


def _read_text(path: Path, shown: str, *, indicator: str | None, province: str | None) -> Table:
    data = path.read_bytes()
    if not data.strip():
        raise BdgInputError(Problem(shown, None, None, "file is empty"))
    decoded = tf.decode(data, shown)
    text = decoded.text
    lines = text[:200_000].split("\n")[:200]  # enough to find the header and the layout
    inferred = {"encoding": decoded.describe()}
    nonblank = [(i + 1, line) for i, line in enumerate(lines) if line.strip()][:10]
    for number, line in nonblank:
        for delimiter in (",", ";", "\t"):
            cells = next(csv.reader([line], delimiter=delimiter))
            found = _tidy_header(cells)
            if found is None:
                continue
            return _tidy_text(shown, decoded, number, delimiter, found, inferred)
    from bdg_analysis.io import yearbook

    candidates = (";", "\t", ",") if path.suffix.lower() == ".csv" else (";", "\t")
    if path.suffix.lower() == ".tsv":
        candidates = ("\t",)
    delimiter = tf.sniff_delimiter(lines, candidates)
    if delimiter is None:
        rows = yearbook.aligned_rows(text)
        inferred["delimiter"] = "none: an aligned text table (columns split at 2+ spaces)"
    else:
        rows = yearbook.delimited_rows(text, delimiter)
        inferred["delimiter"] = tf.DELIMITER_NAMES[delimiter]
    parsed = yearbook.parse(rows, shown, aligned=delimiter is None)
    wide = yearbook.to_tidy(parsed, shown, indicator=indicator, province=province)
    inferred.update(wide.inferred)
    frame = wide.frame.assign(source_file=shown)
    return Table(shown, frame, inferred, wide.problems, wide.apart, wide.cells)


def _tidy_text(
    shown: str,
    decoded: tf.Decoded,
    header_line: int,
    delimiter: str,
    found: tuple[dict[int, str], list[str]],
    inferred: dict[str, str],
) -> Table:
    """A tidy table in a text file (header found on ``header_line``, maybe below titles)."""
    parsed = tf.parse_delimited(decoded.text, delimiter, header_line, shown)
    mapping, aliases = found
    inferred["layout"] = f"tidy table (header on line {header_line})"
    if header_line > 1:
        inferred["layout"] += f"; {header_line - 1} line(s) above it skipped"
    inferred["delimiter"] = tf.DELIMITER_NAMES[delimiter]
    frame, dropped = _tidy_frame(parsed.header, parsed.columns, mapping)
    frame["source_row"] = parsed.lines
    if aliases:
        inferred["columns"] = ", ".join(aliases)
    if dropped:
        inferred["columns ignored"] = ", ".join(repr(d) for d in dropped)
    problems = list(parsed.problems)
    if delimiter == ",":
        inferred["decimal mark"] = "'.' (comma-separated file)"
    elif len(frame):
        frame, more = _decimal_column(frame, shown, inferred, default=",")
        problems += more
    frame["source_file"] = shown
    canonical = (
        delimiter == ","
        and header_line == 1
        and not aliases
        and not dropped
        and decoded.encoding.startswith("UTF-8")
        and not decoded.normalised
    )
    return Table(shown, frame, inferred, problems, canonical=canonical)


def _tidy_frame(
    header: list[str], columns: dict, mapping: dict[int, str]
) -> tuple[pd.DataFrame, list[str]]:
    """The tidy columns under their schema names; row-number columns dropped; others kept."""
    from bdg_analysis.io.yearbook import key

    data: dict[str, object] = {}
    dropped: list[str] = []
    for i, name in enumerate(header):
        if i in mapping:
            data[mapping[i]] = columns[name]
        elif key(name) in ROW_NUMBER_COLUMNS:
            dropped.append(name)
        elif name.strip():
            data.setdefault(name.strip(), columns[name])
    frame = pd.DataFrame(data)
    for column in frame.columns:
        frame[column] = frame[column].astype("str")
    return frame, dropped


def _decimal_column(
    frame: pd.DataFrame,
    shown: str,
    inferred: dict[str, str],
    *,
    default: str,
    typed: pd.Series | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read the value column with the file's decimal mark; refuse cells written the other way.

    ``typed`` marks cells Excel stored as numbers (already '.'-decimal text): left alone.
    """
    values = frame["value"].astype("str").str.strip()
    as_text = values if typed is None else values[~typed]
    decimal = tf.infer_decimal(as_text.unique().tolist(), default=default)
    inferred["decimal mark"] = decimal.describe()
    other = "." if decimal.mark == "," else ","
    fixed = tf.normalise_numbers(as_text, decimal.mark)
    ours = as_text.str.fullmatch(tf.number_pattern(decimal.mark)).fillna(False)
    theirs = as_text.str.fullmatch(tf.number_pattern(other)).fillna(False)
    wrong = theirs.astype(bool) & ~ours.astype(bool)
    problems = [
        Problem(
            shown,
            int(r),
            "value",
            f"{v!r} is written with {other!r} as decimal mark but this file uses "
            f"{decimal.mark!r}; write it as the others are",
        )
        for r, v in zip(frame.loc[wrong.index[wrong], "source_row"], as_text[wrong], strict=True)
    ]
    frame = frame.copy()
    frame.loc[fixed.index, "value"] = fixed
    frame = frame.drop(index=wrong.index[wrong])
    return frame.reset_index(drop=True), problems


def _read_workbook(
    path: Path, shown: str, *, indicator: str | None, sheet: str | None, province: str | None
) -> Table:
    from bdg_analysis.io.workbook import Workbook

    book = Workbook(path, shown)
    names = book.pick(sheet)
    several = len(book.names) > 1
    asked = sheet is not None or len(names) == 1
    parts = [
        _read_sheet(
            book,
            name,
            f"{shown}[{name}]" if several else shown,
            asked,
            indicator=indicator,
            province=province,
        )
        for name in names
    ]
    inferred: dict[str, str] = {}
    for name, part in zip(names, parts, strict=True):
        if several:
            inferred[f"sheet {name!r}"] = "; ".join(f"{k}: {v}" for k, v in part.inferred.items())
        else:
            inferred.update(part.inferred)
    frames = [p.frame for p in parts if len(p.frame.columns)]
    problems = [problem for p in parts for problem in p.problems]
    if not frames and not problems:
        raise BdgInputError(Problem(shown, None, None, "no table found in any sheet"))
    frame = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=[*TIDY_COLUMNS, "source_row", "source_file"])
    )
    aparts = [p.apart for p in parts if len(p.apart)]
    cells = [p.cells for p in parts if len(p.cells)]
    return Table(
        shown,
        frame,
        inferred,
        problems,
        pd.concat(aparts, ignore_index=True) if aparts else pd.DataFrame(),
        pd.concat(cells, ignore_index=True) if cells else pd.DataFrame(),
        canonical=not several and all(p.canonical for p in parts),
    )


def _read_sheet(
    book, name: str, label: str, asked: bool, *, indicator: str | None, province: str | None
) -> Table:
    """One worksheet: a tidy table (header found in its first rows) or a yearbook table."""
    from bdg_analysis.io import yearbook

    data = book.read(name, label)
    inferred: dict[str, str] = {}
    if data.percent_cells:
        inferred["percent cells"] = (
            f"{data.percent_cells} cell(s) formatted as % read as "
            "percent (0.45 shown as 45% is read as 45)"
        )
    if all(r.blank for r in data.rows):
        if asked:
            raise BdgInputError(Problem(label, None, "sheet", f"sheet {name!r} is empty"))
        return Table(label, pd.DataFrame(), {"skipped": "empty sheet"}, data.problems)
    found = None
    for row in [r for r in data.rows if not r.blank][:10]:
        hit = _tidy_header([c.text for c in row.cells])
        if hit is not None:
            found = (row, hit)
            break
    if found is not None:
        header_row, (mapping, aliases) = found
        at = data.rows.index(header_row)
        body = [r for r in data.rows[at + 1 :] if not r.blank]
        header = [c.text or f"column {c.ref}" for c in header_row.cells]
        columns = {
            h: [r.cells[i].text if i < len(r.cells) else "" for r in body]
            for i, h in enumerate(header)
        }
        at_value = next(i for i, c in mapping.items() if c == "value")
        typed = pd.Series(
            [r.cells[at_value].number if at_value < len(r.cells) else False for r in body],
            dtype=bool,
        )
        frame, dropped = _tidy_frame(header, columns, mapping)
        frame = frame[
            [
                c
                for c in frame.columns
                if not c.startswith("column ") or frame[c].str.strip().ne("").any()
            ]
        ]
        frame["source_row"] = [r.line for r in body]
        inferred["layout"] = f"tidy table (header on row {header_row.line})"
        if aliases:
            inferred["columns"] = ", ".join(aliases)
        if dropped:
            inferred["columns ignored"] = ", ".join(repr(d) for d in dropped)
        problems = list(data.problems)
        if len(frame) and (~typed).any():
            frame, more = _decimal_column(frame, label, inferred, default=",", typed=typed)
            problems += more
        frame["source_file"] = label
        canonical = header_row.line == 1 and not aliases and not dropped
        return Table(label, frame, inferred, problems, canonical=canonical)
    try:
        parsed = yearbook.parse(data.rows, label, aligned=False)
    except BdgInputError:
        if asked:
            raise
        return Table(
            label, pd.DataFrame(), {**inferred, "skipped": "no table in it"}, data.problems
        )
    wide = yearbook.to_tidy(parsed, label, indicator=indicator, province=province, sheet=name)
    inferred.update(wide.inferred)
    return Table(
        label,
        wide.frame.assign(source_file=label),
        inferred,
        data.problems + wide.problems,
        wide.apart,
        wide.cells,
    )


__all__ = [
    "COLUMN_ALIASES",
    "REQUIRED_COLUMNS",
    "SOURCE_COLUMNS",
    "TIDY_COLUMNS",
    "Table",
    "display_path",
    "read",
    "read_table",
    "reader",
    "write_tidy_csv",
]
