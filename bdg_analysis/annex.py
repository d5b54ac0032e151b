"""The Excel annex beside each report: the status table and its definitions, safe to paste.

A report's annex (:func:`report_workbook`) is in the report's language: the sheet names, the
headers, a sheet of definitions and sources (what each column and status means, each
indicator's unit and data source, the documents that set the targets, the data files). Numbers
stay numbers with a display format (values as the indicator is recorded, one decimal for shares
and rates; chances as ``0%``); the header row is frozen and columns sized to their content.
Text is always stored as text: a value from data or params that starts with ``=`` can never
run as a formula.

The workbook is built in memory and saved reproducibly (:func:`save`): every zip entry and the
document's created and modified properties carry the run date, so the same inputs and
``--run-date`` give a byte-identical file on every rerun.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bdg_analysis.controls import strip_controls
from bdg_analysis.text import STATUS_ORDER

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = "E8EEF4"
NOTE_COLOUR = "7A4A00"
MAX_WIDTH = 60
LINE_HEIGHT = 15  # points per line of 11-point text

# The status table's columns, by key (report.annex_frame hands them over so, never by header);
# each key's header and definition are the words ``annex.head_<key>`` and ``annex.def_<key>``.
COLUMNS = (
    "id",
    "indicator",
    "unit",
    "headline_year",
    "target",
    "latest",
    "latest_year",
    "data_status",
    "projection",
    "low",
    "high",
    "method",
    "probability",
    "p_met",
    "status",
    "note",
    "agency",
    "source",
)
VALUE_KEYS = ("latest", "projection", "low", "high")
YEAR_KEYS = ("latest_year", "headline_year")
WRAPPED_KEYS = ("indicator", "unit", "agency", "source", "target", "method", "note")
WIDTHS = {"indicator": 36.0, "unit": 14.0, "agency": 20.0, "source": 22.0, "note": 36.0}
# The exact probability: one decimal more than the page's whole percent, never rounded up
# across a cut-off by the page's rule (the "probability" column holds the page's own text)
P_MET_FORMAT = "0.0%"
STATUS_KEYS = STATUS_ORDER  # the definitions sheet explains every status, in the page's order


@dataclass
class Section:
    """A block of the definitions sheet: a heading, a header row and rows of text."""

    heading: str
    header: Sequence[str]
    rows: list[Sequence[object]] = field(default_factory=list)


# ------------------------------------------------------------------ the workbook


def status_workbook(
    table: pd.DataFrame,
    *,
    sheet: str = "Status",
    title: str = "",
    notes: list[str] | None = None,
    formats: Mapping[str, str | Sequence[str | None]] | None = None,
    widths: Mapping[str, float] | None = None,
    wrapped: Sequence[str] = (),
    definitions: tuple[str, str, list[Section]] | None = None,
):
    """``table`` as an openpyxl Workbook: a title, notes (warnings) under it, a bold frozen
    header row, then the rows.

    ``formats`` maps a column to an Excel number format (``"0.0"``, ``"0%"``), or to one format
    per row; ``widths`` fixes a column's width (else it follows its content, up to 60);
    ``wrapped`` columns wrap their text. ``definitions`` (sheet name, title, sections) adds a
    second sheet of text. Numbers stay numbers; every text cell is stored as text, so a value
    that starts with ``=``, ``+``, ``-`` or ``@`` (from data or params) can never run as a
    formula. Control characters are removed from text (openpyxl refuses them).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_name(sheet)
    row = 1
    if title:
        _text_cell(ws.cell(row=row, column=1), title).font = Font(bold=True, size=13)
        row += 1
    for note in notes or []:
        cell = _text_cell(ws.cell(row=row, column=1), note)
        cell.font = Font(bold=True, color=NOTE_COLOUR)
        row += 1
    if title and not notes:
        row += 1  # a blank line between the title and the table
    header_row = row
    formats = dict(formats or {})
    wrapped = set(wrapped)
    edge = Side(style="thin", color="A0A0A0")
    for col, name in enumerate(table.columns, start=1):
        cell = _text_cell(ws.cell(row=row, column=col), str(name))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.border = Border(bottom=edge)
    top = Alignment(vertical="top")
    wrap = Alignment(vertical="top", wrap_text=True)
    for index, values in enumerate(table.itertuples(index=False)):
        row += 1
        for col, (name, value) in enumerate(zip(table.columns, values, strict=True), start=1):
            cell = ws.cell(row=row, column=col)
            if isinstance(value, bool):
                _text_cell(cell, str(value))
            elif isinstance(value, (int, float)) and not (
                isinstance(value, float) and math.isnan(value)
            ):
                cell.value = value
                number_format = _format_of(formats.get(str(name)), index)
                if number_format:
                    cell.number_format = number_format
            elif value is None or (isinstance(value, float) and math.isnan(value)):
                cell.value = None
            else:
                _text_cell(cell, str(value))
            cell.alignment = wrap if str(name) in wrapped else top
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    if len(table.columns):
        last = get_column_letter(len(table.columns))
        ws.print_title_rows = f"{header_row}:{header_row}"
        if len(table):
            ws.auto_filter.ref = f"A{header_row}:{last}{row}"
    sizes = {}
    for col, name in enumerate(table.columns, start=1):
        sizes[col] = _width(
            str(name), table.iloc[:, col - 1], (widths or {}).get(str(name)), str(name) in wrapped
        )
        ws.column_dimensions[get_column_letter(col)].width = sizes[col]
    # Row heights for wrapped text: neither Excel nor LibreOffice grows a row written by a
    # library, and a wrapped line under the next row cannot be read.
    ws.row_dimensions[header_row].height = LINE_HEIGHT * max(
        [_lines(str(n), sizes[c]) for c, n in enumerate(table.columns, start=1)] or [1]
    )
    for index, values in enumerate(table.itertuples(index=False)):
        lines = [
            _lines(_shown(v), sizes[c])
            for c, (n, v) in enumerate(zip(table.columns, values, strict=True), start=1)
            if str(n) in wrapped
        ]
        if max(lines, default=1) > 1:
            ws.row_dimensions[header_row + 1 + index].height = LINE_HEIGHT * max(lines)
    _print_setup(ws)
    if definitions is not None:
        _definitions_sheet(wb, *definitions)
    return wb


def _format_of(spec: str | Sequence[str | None] | None, index: int) -> str | None:
    if spec is None or isinstance(spec, str):
        return spec
    return spec[index] if index < len(spec) else None


def _width(name: str, values: pd.Series, fixed: float | None, wrapped: bool) -> float:
    """A column's width in characters: fixed, else its longest line (header words wrap)."""
    if fixed is not None:
        return fixed
    longest_word = max((len(w) for w in name.split()), default=0)
    content = [len(_shown(v)) for v in values]
    width = max([longest_word, min(len(name), 12)] + content)  # a long header wraps
    if wrapped:
        width = min(width, 40)
    return float(min(max(8, width + 2), MAX_WIDTH))


def _lines(text: str, width: float) -> int:
    """How many lines ``text`` takes when wrapped at ``width`` characters (word by word)."""
    room = max(int(width * 1.1) - 1, 1)  # a column fits about 1.1 letters per unit of width
    lines, used = 1, 0
    for word in text.split():
        size = len(word)
        if used and used + 1 + size > room:
            lines += 1 + (size - 1) // room
            used = size % room or room
        else:
            used = used + (1 if used else 0) + size
            while used > room:
                lines += 1
                used -= room
    return lines


def _shown(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _print_setup(ws) -> None:
    """A4 landscape, one page wide, the header row on every printed page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _definitions_sheet(wb, name: str, title: str, sections: Sequence[Section]) -> None:
    """A sheet of text blocks: a title, then each section's heading, header row and rows."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(_sheet_name(name))
    _text_cell(ws.cell(row=1, column=1), title).font = Font(bold=True, size=13)
    widest: dict[int, int] = {}
    for section in sections:
        for values in [section.header, *section.rows]:
            for col, value in enumerate(values, start=1):
                widest[col] = max(widest.get(col, 0), len(str(value or "")))
    widths = {col: float(min(max(12, chars + 2), 70)) for col, chars in widest.items()}
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    row = 2
    wrap = Alignment(vertical="top", wrap_text=True)
    for section in sections:
        row += 1
        _text_cell(ws.cell(row=row, column=1), section.heading).font = Font(bold=True, size=11)
        row += 1
        for col, head in enumerate(section.header, start=1):
            cell = _text_cell(ws.cell(row=row, column=col), str(head))
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        for values in section.rows:
            row += 1
            texts = ["" if value is None else str(value) for value in values]
            for col, text in enumerate(texts, start=1):
                _text_cell(ws.cell(row=row, column=col), text).alignment = wrap
            lines = max((_lines(t, widths[c]) for c, t in enumerate(texts, start=1)), default=1)
            if lines > 1:
                ws.row_dimensions[row].height = LINE_HEIGHT * lines
        row += 1
    _print_setup(ws)


def _sheet_name(name: str) -> str:
    """A valid sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join(ch for ch in strip_controls(name) if ch not in "[]:*?/\\")
    return cleaned[:31] or "Sheet"


# ------------------------------------------------------------------ the report's annex


def _a(key: str, lang: str, **fields: object) -> str:
    from bdg_analysis.words import word

    return word(f"annex.{key}", lang, **fields)


def headers(keys: Sequence[str], lang: str) -> list[str]:
    """The header of each column key in ``lang`` (a key without words is shown as it is)."""
    from bdg_analysis.words import has_word

    return [_a(f"head_{k}", lang) if has_word(f"annex.head_{k}") else str(k) for k in keys]


def _value_format(indicator_id: object, latest: object) -> str:
    """How an indicator's values are shown, as the report shows them: whole numbers for counts
    and yes/no, two decimals below 10 (a ratio of 1,94 lần), else one (shares, rates)."""
    from bdg_analysis import catalogue

    ident = str(indicator_id or "")
    kind = catalogue.get(ident).kind if catalogue.is_known(ident) else ""
    if kind in ("count", "binary"):
        return "0"
    small = isinstance(latest, (int, float)) and not math.isnan(latest) and abs(latest) < 10
    return "0.00" if small else "0.0"


def report_workbook(meta: dict, *, title: str, lang: str, notes: list[str] | None = None):
    """The annex of a report from its notebook's meta (``meta["annex"]``); None if it has none.

    Sheet one: the status table, headers in ``lang``, numbers formatted; sheet two: the
    definitions of its columns and statuses, the indicators' units and data sources, the
    documents that set the targets (the plan as its document names itself) and the data files.
    """
    annex = meta.get("annex")
    if not annex:
        return None
    keys = [str(c) for c in annex["columns"]]
    frame = pd.DataFrame(annex["rows"], columns=keys)
    ids = frame["id"].tolist() if "id" in keys else [None] * len(frame)
    latest = frame["latest"].tolist() if "latest" in keys else [None] * len(frame)
    row_formats = [_value_format(i, v) for i, v in zip(ids, latest, strict=True)]
    formats: dict[str, str | Sequence[str | None]] = {}
    for key in keys:
        if key in VALUE_KEYS:
            formats[key] = row_formats
        elif key == "p_met":
            formats[key] = P_MET_FORMAT
        elif key in YEAR_KEYS:
            formats[key] = "0"
    shown = headers(keys, lang)
    renamed = dict(zip(keys, shown, strict=True))
    frame = frame.set_axis(shown, axis=1)
    formats = {renamed[k]: f for k, f in formats.items()}
    wrapped = [renamed[k] for k in keys if k in WRAPPED_KEYS]
    widths = {renamed[k]: WIDTHS[k] for k in keys if k in WIDTHS}
    sections = definitions(meta, keys, shown, ids, lang)
    return status_workbook(
        frame,
        sheet=_a("sheet_status", lang),
        title=title,
        notes=notes,
        formats=formats,
        widths=widths,
        wrapped=wrapped,
        definitions=(_a("sheet_definitions", lang), _a("definitions_title", lang), sections),
    )


def definitions(
    meta: dict, keys: Sequence[str | None], headers: Sequence[str], ids: Sequence, lang: str
) -> list[Section]:
    """The definitions sheet: columns, statuses, indicators with their sources, documents,
    data files; all in ``lang``."""
    from bdg_analysis import catalogue
    from bdg_analysis.text import status_word
    from bdg_analysis.words import has_word

    columns = Section(_a("columns_heading", lang), (_a("column", lang), _a("meaning", lang)))
    for head, key in zip(headers, keys, strict=True):
        if key and has_word(f"annex.def_{key}"):
            columns.rows.append((head, _a(f"def_{key}", lang)))
    statuses = Section(_a("statuses_heading", lang), (_a("status", lang), _a("meaning", lang)))
    statuses.rows = [(status_word(s, lang), _a(f"status_{s}", lang)) for s in STATUS_KEYS]
    indicators = Section(
        _a("indicators_heading", lang),
        (
            _a("code", lang),
            _a("indicator", lang),
            _a("unit", lang),
            _a("better", lang),
            _a("data_source", lang),
        ),
    )
    for ident in ids:
        if catalogue.is_known(str(ident or "")):
            ind = catalogue.get(str(ident))
            indicators.rows.append(
                (
                    ind.id,
                    ind.name(lang),
                    ind.unit(lang),
                    _a(ind.direction, lang) if ind.direction in ("higher", "lower") else "",
                    ind.data_source_vi if lang == "vi" else ind.data_source_en,
                )
            )
    out = [columns, statuses]
    if indicators.rows:
        out.append(indicators)
    documents = _documents(meta.get("province"), lang)
    if documents.rows:
        out.append(documents)
    files = _data_files(meta, keys)
    if files:
        out.append(Section(_a("files_heading", lang), (_a("files_heading", lang),), files))
    return out


def _documents(province: str | None, lang: str) -> Section:
    """The plan applied (as its document names itself) and the national resolution."""
    from bdg_analysis import geo, plans

    section = Section(_a("documents_heading", lang), ("", ""))
    if not province:
        return section
    try:
        plan = plans.load_plan(province)
    except Exception:  # noqa: BLE001 - the annex goes out without the plan's name
        return section
    section.rows.append((_a("plan", lang), plan.heading(lang)))
    national = plans.load_plan(geo.NATIONAL_NAME)
    if national.label(lang) != plan.label(lang):
        section.rows.append((_a("national", lang), national.label(lang)))
    return section


def _data_files(meta: dict, keys: Sequence[str | None]) -> list[tuple[str]]:
    """The data files the table's values come from (``file:row`` without the rows)."""
    if "source" not in keys:
        return []
    index = keys.index("source")
    names = set()
    for row in meta["annex"]["rows"]:
        text = str(row[index] or "")
        for part in text.split(";"):
            name = part.strip().rsplit(":", 1)[0].strip()
            if name:
                names.add(name)
    return [(n,) for n in sorted(names)]


# ------------------------------------------------------------------ saving


def save(workbook, path: Path | str, *, created: dt.datetime | None = None) -> Path:
    """Write ``workbook`` to ``path`` (not atomically: give it a temporary path), reproducibly.

    ``created`` (the run date) becomes the document's created and modified time and the date of
    every zip entry; without it, the current time is used and the file differs on each save.
    """
    from openpyxl.writer.excel import ExcelWriter

    stamp = created or dt.datetime.now(tz=dt.UTC).replace(tzinfo=None, microsecond=0)
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        # ExcelWriter.save() is what openpyxl's save_workbook runs, minus stamping "now"
        ExcelWriter(workbook, archive).save()
    # zip entries carry the time they were written; give each the run date instead
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, 0)
    path = Path(path)
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source,
        path.open("wb") as fh,
        zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, source.read(info.filename))
    return path


def write_status_annex(
    table: pd.DataFrame,
    path: Path | str,
    *,
    sheet: str = "Status",
    title: str = "",
    notes: list[str] | None = None,
    created: dt.datetime | None = None,
) -> Path:
    """Write ``table`` to an .xlsx file, atomically (see :func:`status_workbook`, :func:`save`).

    ``created`` (a datetime) fixes the file's timestamps so identical inputs give identical files.
    """
    from bdg_analysis.files import atomic_target

    workbook = status_workbook(table, sheet=sheet, title=title, notes=notes)
    path = Path(path)
    with atomic_target(path) as tmp:
        save(workbook, tmp, created=created)
    return path


def _text_cell(cell, text: str):
    """Store ``text`` as a string cell, never a formula, whatever it starts with."""
    cell.value = strip_controls(text)
    cell.data_type = "s"
    return cell
