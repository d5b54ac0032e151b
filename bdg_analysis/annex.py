"""The Excel annex beside each report: the status table, safe to open and paste into a report."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def write_status_annex(
    table: pd.DataFrame,
    path: Path | str,
    *,
    sheet: str = "Status",
    title: str = "",
    notes: list[str] | None = None,
    created=None,
) -> Path:
    """Write ``table`` to an .xlsx file, atomically.

    Numbers stay numbers; every text cell is stored as text, so a value that starts with
    ``=``, ``+``, ``-`` or ``@`` (from data or params) can never run as a formula.
    ``created`` (a datetime) fixes the file's timestamps so identical inputs give identical files.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
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
    if created is not None:
        wb.properties.created = created
        wb.properties.modified = created
    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(tmp)
    tmp.replace(path)
    return path


def _text_cell(cell, text: str):
    """Store ``text`` as a string cell, never a formula, whatever it starts with."""
    cell.value = text
    cell.data_type = "s"
    return cell
