"""The Excel annex beside each report: the status table, safe to open and paste into a report.

The workbook is built in memory (:func:`status_workbook`) and saved reproducibly
(:func:`save`): every zip entry and the document's created and modified properties carry the
run date, so the same inputs and ``--run-date`` give a byte-identical file on every rerun.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from pathlib import Path

import pandas as pd

from bdg_analysis.controls import strip_controls

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def status_workbook(
    table: pd.DataFrame,
    *,
    sheet: str = "Status",
    title: str = "",
    notes: list[str] | None = None,
):
    """``table`` as an openpyxl Workbook: a title, a bold header row, notes under the table.

    Numbers stay numbers; every text cell is stored as text, so a value that starts with
    ``=``, ``+``, ``-`` or ``@`` (from data or params) can never run as a formula. Control
    characters are removed from text (openpyxl refuses them, and no reader wants them).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = strip_controls(sheet)[:31]
    row = 1
    if title:
        _text_cell(ws.cell(row=row, column=1), title).font = Font(bold=True, size=13)
        row += 2
    for col, name in enumerate(table.columns, start=1):
        cell = _text_cell(ws.cell(row=row, column=col), str(name))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    header_row = row
    for values in table.itertuples(index=False):
        row += 1
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col)
            if isinstance(value, bool):
                _text_cell(cell, str(value))
            elif isinstance(value, (int, float)) and not (
                isinstance(value, float) and math.isnan(value)
            ):
                cell.value = value
            elif value is None or (isinstance(value, float) and math.isnan(value)):
                cell.value = None
            else:
                _text_cell(cell, str(value))
    for note in notes or []:
        row += 2
        _text_cell(ws.cell(row=row, column=1), note).font = Font(italic=True)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    for col, name in enumerate(table.columns, start=1):
        width = max([len(str(name))] + [len(str(v)) for v in table.iloc[:, col - 1]])
        ws.column_dimensions[get_column_letter(col)].width = min(max(10, width + 2), 60)
    return wb


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
