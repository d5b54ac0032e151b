"""Read Excel workbooks as a stream of rows: sheets, merged headers, percentages, unsaved formulas.

Sheets are read with openpyxl's read-only parser, one row at a time, keeping only rows that
hold something: a sheet whose formatting runs over a million empty rows costs seconds and
little memory, and its declared size (the ``dimension`` Excel writes) is never trusted. The
registered reader (:func:`read_workbook`) turns each sheet into tidy rows: a tidy table (its
header found below any title rows, ending at a signature block) or a yearbook table.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bdg_analysis import words
from bdg_analysis.errors import BdgInputError, Problem
from bdg_analysis.io import text_files as tf
from bdg_analysis.io import tidy
from bdg_analysis.io.registry import ReadOptions, Table, fact, joined, reader
from bdg_analysis.io.yearbook import Cell, Row

#: Rows searched for a tidy header (department workbooks carry many title rows above it).
HEADER_SEARCH_ROWS = 30


@dataclass
class Sheet:
    """One worksheet as rows of cells (row numbers as Excel shows them).

    Only rows holding something are kept, each as wide as the sheet's widest such row; a run
    of empty rows between them is kept as one blank row (tables are split by blank rows).
    """

    name: str
    rows: list[Row]
    percent_cells: int = 0
    problems: list[Problem] = field(default_factory=list)


class Workbook:
    """An open workbook, read sheet by sheet as a stream; close it (or use ``with``)."""

    def __init__(self, path: Path, shown: str):
        import openpyxl

        from bdg_analysis.io import size_problem

        self.path = path
        self.shown = shown
        try:
            with zipfile.ZipFile(path) as archive:
                unpacked = sum(
                    info.file_size
                    for info in archive.infolist()
                    if info.filename.startswith("xl/worksheets/")
                    or info.filename == "xl/sharedStrings.xml"
                )
            too_big = size_problem(shown, unpacked, words.phrase("io.too_big_unpacked"))
            if too_big is not None:
                raise BdgInputError(too_big)
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
            raise BdgInputError(
                words.problem(
                    shown, None, None, "io.excel_unreadable", error=f"{type(exc).__name__}: {exc}"
                )
            ) from None
        self._formats: dict[int, str] = {}

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Release the file (read-only workbooks keep it open while sheets are read)."""
        self._book.close()

    @property
    def names(self) -> list[str]:
        return list(self._book.sheetnames)

    def pick(self, sheet: str | None) -> list[str]:
        """The sheets to read: ``sheet`` if given (it must exist), else every sheet.

        Raises
        ------
        BdgInputError
            The sheet is not in the workbook (the sheets that are there are listed).
        """
        if sheet is None:
            return self.names
        wanted = unicodedata.normalize("NFC", sheet).strip()
        for name in self.names:
            if unicodedata.normalize("NFC", name).strip() == wanted:
                return [name]
        close = [n for n in self.names if n.strip().lower() == wanted.lower()]
        if len(close) == 1:
            return close
        listed = ", ".join(repr(n) for n in self.names)
        raise BdgInputError(
            words.problem(
                self.shown, None, "sheet", "io.sheet_not_found", sheet=sheet, sheets=listed
            )
        )

    def _number_format(self, ws, style_id: int) -> str:
        if style_id not in self._formats:
            from openpyxl.cell.read_only import ReadOnlyCell

            self._formats[style_id] = ReadOnlyCell(ws, 1, 1, None, "n", style_id).number_format
        return self._formats[style_id]

    def read(self, name: str, shown: str) -> Sheet:
        """Every row of sheet ``name`` that holds something: text NFC-normalised, numbers as
        '.'-decimal text.

        A cell formatted as a percentage holds 0.45 for '45%': it is read as 45 (what the user
        sees) and counted, so the reader can say so. A formula whose result was never saved
        (a file written by a program, not by Excel) is a problem, not a missing value.
        """
        ws = self._book[name]
        sheet = Sheet(name, [])
        book = ws.parent
        source = ws._get_source()
        parser = _RowParser(
            source,
            ws._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        kept: list[tuple[int, list[tuple[int, str, bool]]]] = []
        width = 0
        last_blank = False
        previous = 0
        try:
            for number, cells in parser.rows():
                if kept and number > previous + 1 and kept[-1][1] and not last_blank:
                    kept.append((previous + 1, []))  # rows absent from the file are empty
                    last_blank = True
                previous = number
                row: list[tuple[int, str, bool]] = []
                unsaved = []
                for column, value, style_id, formula in cells:
                    text, is_number = _text(value)
                    if is_number and style_id and "%" in self._number_format(ws, style_id):
                        text = _number_text(float(value) * 100)
                        sheet.percent_cells += 1
                    if formula:
                        unsaved.append(
                            words.problem(
                                shown,
                                number,
                                words.phrase("io.cell", ref=f"{_letter(column)}{number}"),
                                "io.formula_unsaved",
                                formula=formula,
                            )
                        )
                    if text:
                        row.append((column, text, is_number))
                if row:
                    sheet.problems += unsaved  # in a row of data, not a sheet of bare formulas
                    kept.append((number, row))
                    width = max(width, row[-1][0])
                    last_blank = False
                elif kept and not last_blank:
                    kept.append((number, []))  # a run of empty rows: one blank row
                    last_blank = True
        except BdgInputError:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged sheet: its XML cannot be parsed
            raise BdgInputError(
                words.problem(
                    shown,
                    None,
                    None,
                    "io.sheet_unreadable",
                    sheet=name,
                    error=f"{type(exc).__name__}: {exc}",
                )
            ) from None
        finally:
            source.close()
        if kept and not kept[-1][1]:
            kept.pop()  # stop at the last row that holds something
        spans = parser.spans()
        for number, row in kept:
            by_column = {c: (t, n) for c, t, n in row}
            cells = []
            for column in range(1, width + 1):
                text, is_number = by_column.get(column, ("", False))
                span = spans.get((number, column), 1)
                ref = f"{_letter(column)}{number}"
                cells.append(Cell(text, column - 1, ref, is_number, end=column - 1 + span))
            sheet.rows.append(Row(number, cells if row else []))
        return sheet


def _row_parser_class():
    """openpyxl's worksheet parser, taught to stream rows and keep what reading needs."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple
    from openpyxl.worksheet._reader import (
        DATA_TAG,
        FORMULA_TAG,
        MERGE_TAG,
        ROW_TAG,
        VALUE_TAG,
        WorkSheetParser,
    )
    from openpyxl.xml.functions import iterparse

    class RowParser(WorkSheetParser):
        """Rows as (row number, [(column, value, style id, formula without a saved result)]).

        Rows are dropped from the XML tree as soon as they are read (memory stays flat), cells
        with no content (formatting only) are skipped without parsing, and merged ranges are
        collected at the end of the sheet.
        """

        merges: list[str]

        def rows(self):
            """Rows holding something: scanned as bytes when the sheet is plain UTF-8 XML
            (what Excel, LibreOffice and openpyxl write), else parsed element by element."""
            self.merges = []
            head = self.source.read(1 << 16)
            scanner = _Scanner.of(head, self.source)
            if scanner is not None:
                for element in scanner.rows():
                    yield self._row(element)
                self.merges = scanner.merges
                return
            self.source = _Rewound(head, self.source)
            yield from self._parsed_rows()

        def _parsed_rows(self):
            data = None
            for event, element in iterparse(self.source, events=("start", "end")):
                tag = element.tag
                if event == "start":
                    if tag == DATA_TAG:
                        data = element
                    continue
                if tag == ROW_TAG:
                    yield self._row(element)
                    element.clear()
                    if data is not None:
                        data.clear()
                elif tag == MERGE_TAG:
                    self.merges = [m.get("ref") for m in element if m.get("ref")]
                    element.clear()

        def _row(self, element):
            number = element.get("r")
            self.row_counter = int(float(number)) if number else self.row_counter + 1
            self.col_counter = 0
            cells = []
            for cell in element:
                if not len(cell):  # formatting only: no value, no formula
                    ref = cell.get("r")
                    self.col_counter = (
                        column_index_from_string(re.sub(r"\d", "", ref))
                        if ref
                        else self.col_counter + 1
                    )
                    continue
                formula = None
                if cell.find(FORMULA_TAG) is not None:
                    formula = self.parse_formula(cell)  # keeps shared formulas' state
                    if cell.findtext(VALUE_TAG):
                        formula = None  # its result was saved: that is what is read
                parsed = self.parse_cell(cell)
                cells.append(
                    (
                        parsed["column"],
                        parsed["value"],
                        parsed["style_id"],
                        str(getattr(formula, "text", formula)) if formula else None,
                    )
                )
            return self.row_counter, cells

        def spans(self) -> dict[tuple[int, int], int]:
            out = {}
            for ref in getattr(self, "merges", []):
                if ":" not in ref:
                    continue
                first, last = ref.split(":", 1)
                r1, c1 = coordinate_to_tuple(first)
                _r2, c2 = coordinate_to_tuple(last)
                out[(r1, c1)] = c2 - c1 + 1
            return out

    return RowParser


_PARSER = None


class _Rewound:
    """A stream with its first bytes put back (read once to look at them)."""

    def __init__(self, head: bytes, rest):
        self.head = head
        self.rest = rest

    def read(self, size: int = -1) -> bytes:
        if self.head:
            if size is None or size < 0:
                out, self.head = self.head + self.rest.read(), b""
                return out
            out, self.head = self.head[:size], self.head[size:]
            return out
        return self.rest.read(size)


class _Scanner:
    """The rows of a sheet's XML that hold a value, a formula or text, found in the raw bytes.

    A sheet formatted over a million empty rows is a million ``<row>`` elements without a
    value: they are skipped by a byte search (C speed), and only the rows around a ``<v>``,
    ``<f>`` or ``<is>`` are parsed as XML. Used for plain UTF-8 sheets whose elements carry
    no namespace prefix (what Excel, LibreOffice and openpyxl write); anything else is parsed
    element by element.
    """

    CONTENT = re.compile(rb"<(?:v|f|is)\b")
    ROOT = re.compile(rb"<worksheet\b[^>]*>")
    MERGE = re.compile(rb'<mergeCell\b[^>]*?\bref="([A-Za-z]+[0-9]+:[A-Za-z]+[0-9]+)"')
    DECLARED = re.compile(rb'^\s*<\?xml[^>]*encoding=["\']([^"\']+)["\']')

    def __init__(self, head: bytes, rest, root: bytes):
        self.buf = head
        self.rest = rest
        self.root = root
        self.merges: list[str] = []

    @classmethod
    def of(cls, head: bytes, rest) -> _Scanner | None:
        declared = cls.DECLARED.search(head)
        if declared and declared.group(1).lower().replace(b"-", b"") != b"utf8":
            return None
        root = cls.ROOT.search(head)
        if root is None:
            return None
        first = head.find(b"<row", root.end())
        tag_end = head.find(b">", first)
        if first >= 0 and tag_end >= 0 and b' r="' not in head[first:tag_end]:
            return None  # rows without their numbers: counted one by one by the parser
        return cls(head, rest, root.group(0))

    def rows(self):
        import xml.etree.ElementTree as ET

        buf, tail, done = self.buf, None, False
        while not done:
            chunk = self.rest.read(1 << 20)
            if tail is not None:
                if not chunk:
                    break
                tail += chunk
                continue
            done = not chunk
            buf += chunk
            end = buf.find(b"</sheetData>")
            limit = end if end >= 0 else len(buf)
            pos = 0
            while True:
                hit = self.CONTENT.search(buf, pos, limit)
                if hit is None:
                    break
                start = buf.rfind(b"<row", 0, hit.start())
                close = buf.find(b"</row>", hit.end(), limit)
                if start < 0:
                    raise ValueError("a cell outside any row")
                if close < 0:
                    break  # the row goes on in the next block
                snippet = self.root + buf[start : close + 6] + b"</worksheet>"
                yield ET.fromstring(snippet)[0]
                pos = close + 6
            if end >= 0:
                tail, buf = buf[end:], b""
                continue
            keep = buf.rfind(b"<row", pos)
            buf = buf[keep:] if keep >= 0 else buf[max(pos, len(buf) - 64) :]
        if tail:
            self.merges = [m.decode() for m in self.MERGE.findall(tail)]


def _RowParser(*args, **kwargs):  # noqa: N802 - a class, built on first use
    global _PARSER
    if _PARSER is None:
        _PARSER = _row_parser_class()
    return _PARSER(*args, **kwargs)


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def _number_text(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return format(value, ".15g")


def _text(value) -> tuple[str, bool]:
    """The cell as text, and whether Excel stored it as a number."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return str(value).upper(), False
    if isinstance(value, int | float):
        return _number_text(value), True
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        return str(value.isoformat() if hasattr(value, "isoformat") else value), False
    return unicodedata.normalize("NFC", str(value)).strip(), False


# ---------------------------------------------------------------- a workbook into tidy rows


@reader(".xlsx", ".xlsm", name="Excel workbook", sheets=True)
def read_workbook(path: Path, options: ReadOptions) -> Table:
    """Every sheet that holds a table (or the one asked for), as tidy rows."""
    shown = options.shown
    with Workbook(path, shown) as book:
        names = book.pick(options.sheet)
        several = len(book.names) > 1
        asked = options.sheet is not None or len(names) == 1
        parts = [
            _read_sheet(
                book,
                name,
                f"{shown}[{name}]" if several else shown,
                asked,
                indicator=options.indicator,
                province=options.province,
            )
            for name in names
        ]
    inferred: dict[str, str] = {}
    for name, part in zip(names, parts, strict=True):
        if several:
            inferred[f"sheet {name!r}"] = joined(
                (fact(k, v) for k, v in part.inferred.items()), "; "
            )
        else:
            inferred.update(part.inferred)
    frames = [p.frame for p in parts if len(p.frame.columns)]
    problems = [problem for p in parts for problem in p.problems]
    if not frames and not problems:
        raise BdgInputError(words.problem(shown, None, None, "io.no_table_in_any_sheet"))
    frame = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=[*tidy.TIDY_COLUMNS, "source_row", "source_file"])
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
        warnings=[w for p in parts for w in p.warnings],
    )


def _read_sheet(
    book: Workbook,
    name: str,
    label: str,
    asked: bool,
    *,
    indicator: str | None,
    province: str | None,
) -> Table:
    """One worksheet: a tidy table (header found in its first rows) or a yearbook table."""
    from bdg_analysis.io import yearbook

    data = book.read(name, label)
    inferred: dict[str, str] = {}
    if data.percent_cells:
        inferred["percent cells"] = words.phrase("io.percent_cells", n=data.percent_cells)
    if all(r.blank for r in data.rows):
        if asked:
            raise BdgInputError(words.problem(label, None, "sheet", "io.sheet_empty", sheet=name))
        skipped = {"skipped": words.phrase("io.skipped_empty")}
        return Table(label, pd.DataFrame(), skipped, data.problems)
    for row in [r for r in data.rows if not r.blank][:HEADER_SEARCH_ROWS]:
        header = tidy.match_header([c.text for c in row.cells])
        if header is not None:
            return _tidy_sheet(data, label, row, header, inferred)
    try:
        parsed = yearbook.parse(data.rows, label, aligned=False)
    except BdgInputError:
        if asked:
            raise
        skipped = {**inferred, "skipped": words.phrase("io.skipped_no_table")}
        return Table(label, pd.DataFrame(), skipped, data.problems)
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


# what ends a department's table: a signature block, a date line, notes and sources
_SIGNATURE = re.compile(
    r"nguoilapbieu|nguoilap|giamdoc|thutruong|kyghirohoten|kyhoten|kytendongdau|ketoantruong|"
    r"truongphong|nguoikiemtra|nguoiduyet|ngay\d*thang\d*nam|preparedby|director|signature"
)
_ORDINAL = re.compile(r"\(?(?:\d{1,2}|[A-Za-z])\)?")


def _ends_table(row: Row) -> str | None:
    """Why ``row`` ends a tidy table ('signature block', 'notes': a Phrase), or None."""
    from bdg_analysis.io import yearbook

    kind = yearbook._row_kind(row)  # 'Nguồn:', 'Ghi chú:', '(*) ...' lines
    if kind in ("source", "note", "footnote"):
        return words.phrase("io.end_notes", row=row.line)
    if any(_SIGNATURE.search(tidy.key(c.text)) for c in row.cells if c.text and not c.number):
        return words.phrase("io.end_signature", row=row.line)
    return None


def _numbering_row(row: Row) -> bool:
    """'(1) (2) (3) ...' or 'A B 1 2 ...' under a header: the form's column numbers."""
    texts = [c.text for c in row.cells if c.text]
    return len(texts) >= 3 and all(_ORDINAL.fullmatch(t) for t in texts)


def _looks_like_data(row: Row, header: tidy.Header) -> bool:
    """A year in the year column and a figure (or a missing mark) in the value column."""
    year_at, value_at = header.index("year"), header.index("value")

    def cell(i: int | None) -> Cell | None:
        return row.cells[i] if i is not None and i < len(row.cells) else None

    year, value = cell(year_at), cell(value_at)
    if year is None or value is None or not value.text:
        return False
    if not re.fullmatch(r"\d{4}(?:\.0)?", year.text.strip()):
        return False
    text = value.text.strip().rstrip("%").strip()
    return (
        value.number
        or tf.is_missing_marker(text)
        or tf.number_text(text, ",") is not None
        or tf.number_text(text, ".") is not None
    )


def _tidy_sheet(
    data: Sheet, label: str, header_row: Row, header: tidy.Header, inferred: dict[str, str]
) -> Table:
    """A tidy table below ``header_row``: it runs to a signature block or notes, or to a blank
    row that nothing like data follows; a figure found below its end is a problem (named),
    never dropped unseen."""
    inferred["layout"] = words.phrase("io.layout_tidy_row", row=header_row.line)
    at = data.rows.index(header_row)
    body: list[Row] = []
    after: list[Row] = []
    ended: str | None = None
    gap = False
    rest = data.rows[at + 1 :]
    for k, row in enumerate(rest):
        if row.blank:
            gap = True
            continue
        if not body and _numbering_row(row):
            inferred["column numbers"] = words.phrase("io.row_skipped", row=row.line)
            continue
        ended = None if _looks_like_data(row, header) else _ends_table(row)
        if ended is None and gap and not _looks_like_data(row, header):
            ended = words.phrase("io.end_blank")
        if ended is not None:
            after = [r for r in rest[k:] if not r.blank]
            break
        body.append(row)
    problems = list(data.problems)
    if after:
        strays = [r for r in after if _looks_like_data(r, header)]
        for row in strays:
            problems.append(
                words.problem(label, row.line, None, "io.figure_below_table", ended=ended)
            )
        ignored = len(after) - len(strays)
        if ignored:
            inferred["after the table"] = words.phrase(
                "io.rows_after_table", n=ignored, row=after[0].line, ended=ended
            )
    width = len(header.cells)
    columns = [[r.cells[i].text if i < len(r.cells) else "" for r in body] for i in range(width)]
    value_at = header.index("value")
    typed = [
        r.cells[value_at].number if value_at is not None and value_at < len(r.cells) else False
        for r in body
    ]
    refs = [re.sub(r"\d", "", c.ref) for c in header_row.cells]
    frame, more, warnings = tidy.build(
        header,
        columns,
        [r.line for r in body],
        label,
        header_row.line,
        inferred,
        decimal=",",
        typed=typed,
        refs=refs,
    )
    problems += more
    frame["source_file"] = label
    canonical = header_row.line == 1 and not header.aliases and not header.ignored
    return Table(label, frame, inferred, problems, canonical=canonical, warnings=warnings)
