"""Read Excel workbooks cell by cell: sheets, merged headers, percentages, unsaved formulas."""

from __future__ import annotations

import datetime as dt
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from bdg_analysis.errors import BdgInputError, Problem
from bdg_analysis.io.yearbook import Cell, Row


@dataclass
class Sheet:
    """One worksheet as rows of cells (row numbers as Excel shows them)."""

    name: str
    rows: list[Row]
    percent_cells: int = 0
    problems: list[Problem] = field(default_factory=list)


class Workbook:
    """An open workbook; the formulas are loaded only when an empty cell needs explaining."""

    def __init__(self, path: Path, shown: str):
        import openpyxl

        self.path = path
        self.shown = shown
        try:
            self._values = openpyxl.load_workbook(path, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise BdgInputError(
                Problem(
                    shown,
                    None,
                    None,
                    f"cannot read Excel file ({type(exc).__name__}: {exc}); the file may be "
                    "truncated or not a real .xlsx (save it again from Excel as .xlsx)",
                )
            ) from None
        self._formulas = None

    @property
    def names(self) -> list[str]:
        return list(self._values.sheetnames)

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
            Problem(
                self.shown, None, "sheet", f"sheet {sheet!r} not found; the workbook has {listed}"
            )
        )

    def _formula(self, sheet: str, ref: str) -> str | None:
        if self._formulas is None:
            import openpyxl

            self._formulas = openpyxl.load_workbook(self.path, data_only=False)
        value = self._formulas[sheet][ref].value
        return value if isinstance(value, str) and value.startswith("=") else None

    def read(self, name: str, shown: str) -> Sheet:
        """Every row of sheet ``name``: text NFC-normalised, numbers as '.'-decimal text.

        A cell formatted as a percentage holds 0.45 for '45%': it is read as 45 (what the user
        sees) and counted, so the reader can say so. A formula whose result was never saved
        (a file written by a program, not by Excel) is a problem, not a missing value.
        """
        ws = self._values[name]
        sheet = Sheet(name, [])
        spans = {}
        for rng in ws.merged_cells.ranges:
            spans[(rng.min_row, rng.min_col)] = rng.max_col - rng.min_col + 1
        width = ws.max_column
        for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=width):
            cells = []
            number = row[0].row if row else 0
            filled = any(c.value is not None for c in row)
            for c in row:
                text, is_number = _text(c.value)
                if is_number and "%" in (c.number_format or ""):
                    text = _number_text(float(c.value) * 100)
                    sheet.percent_cells += 1
                if c.value is None and filled:
                    formula = self._formula(name, c.coordinate)
                    if formula:
                        sheet.problems.append(
                            Problem(
                                shown,
                                c.row,
                                f"cell {c.coordinate}",
                                f"formula {formula!r} has no saved result; open the file in Excel "
                                "and save it (the result is stored only then)",
                            )
                        )
                        text = ""
                span = spans.get((c.row, c.column), 1)
                cells.append(
                    Cell(text, c.column - 1, c.coordinate, is_number, end=c.column - 1 + span)
                )
            sheet.rows.append(Row(number, cells))
        return sheet


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
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat(), False
    return unicodedata.normalize("NFC", str(value)).strip(), False
