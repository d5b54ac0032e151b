"""Read data files into raw tidy tables that remember file and row, and say how they were read.

One entry point, :func:`read`, for every caller: ``bdg validate``, ``bdg import`` and the
reports (through :func:`read_table`) read a file the same way, so a file a report refuses is
never one ``validate`` said was fine. Readers are registered by format
(:mod:`bdg_analysis.io.registry`): text files (tidy CSV, ';' and decimal commas, Windows-1258,
yearbook tables) in ``io.delimited``, Excel workbooks in ``io.workbook``, Parquet in
``io.parquet``, returned collection forms (recognised by their hidden block, before any other
workbook reader) in ``io.forms``; a new format is one registered function in a module of this
package.
What a reader inferred (encoding, delimiter, decimal mark, layout, indicator, provisional
years...) comes back in :class:`Table.inferred`, for ``validate`` and ``import`` to print.

Every input file is checked against a size cap first (``BDG_MAX_INPUT_MB``, default 500 MB):
a file too big for the machine is refused with the limit and how to raise it, before any of
it is read.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from bdg_analysis import words
from bdg_analysis.errors import BdgInputError, Problem
from bdg_analysis.files import atomic_target
from bdg_analysis.io import registry
from bdg_analysis.io.registry import Reader, ReadOptions, Table, number, reader
from bdg_analysis.io.tidy import (
    ALL_COLUMNS,
    COLUMN_ALIASES,
    FRACTION_COLUMNS,
    REQUIRED_COLUMNS,
    ROW_NUMBER_COLUMNS,
    SOURCE_COLUMNS,
    TIDY_COLUMNS,
)
from bdg_analysis.paths import display_path

#: The default size cap of an input file, in megabytes (10^6 bytes).
DEFAULT_MAX_INPUT_MB = 500
MAX_INPUT_ENV = "BDG_MAX_INPUT_MB"
_MB = 1_000_000


def max_input_bytes() -> int:
    """The size cap of an input file: ``BDG_MAX_INPUT_MB`` megabytes, default 500.

    Raises
    ------
    BdgInputError
        The variable is set but is not a positive number.
    """
    raw = os.environ.get(MAX_INPUT_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_INPUT_MB * _MB
    try:
        limit = float(raw)
    except ValueError:
        limit = float("nan")
    if not limit > 0 or limit == float("inf"):
        raise BdgInputError(
            words.problem(MAX_INPUT_ENV, None, None, "io.limit_not_a_size", raw=raw)
        )
    return int(limit * _MB)


def size_problem(shown: str, size: int, what: str | None = None) -> Problem | None:
    """A problem when ``size`` bytes exceed the cap, saying the limit and how to raise it.

    ``what`` names what has that size (a Phrase); default: the file.
    """
    limit = max_input_bytes()
    if size <= limit:
        return None
    need = -(-size // _MB) + 1
    return words.problem(
        shown,
        None,
        None,
        "io.too_big",
        what=what or words.phrase("io.too_big_file"),
        size=_mb(size),
        limit=_mb(limit),
        variable=MAX_INPUT_ENV,
        need=need,
    )


def _mb(size: int) -> str:
    megabytes = size / _MB
    return number(f"{megabytes:,.0f}" if megabytes >= 10 else f"{megabytes:.3g}")


def read(
    path: Path | str,
    *,
    indicator: str | None = None,
    sheet: str | None = None,
    province: str | None = None,
    year: int | None = None,
) -> Table:
    """Read a tidy file, a yearbook table, an Excel form or a returned collection form, and say
    how it was read.

    Parameters
    ----------
    indicator
        The catalogue id of a wide table's figures, when its title does not name one.
    sheet
        The worksheet to read (Excel); default: every sheet that holds a table.
    province
        The province of a one-province yearbook table whose rows are series, not places; a
        returned collection form of another province is refused.
    year
        The report year of the collection round: a returned form of another year is refused.

    Raises
    ------
    BdgInputError
        The file is missing, a folder, empty, over the size cap, of an unknown type, in an
        unknown encoding, the sheet is not there, no table can be found in it, or it is a
        returned form of another province or year. Row-level
        problems are returned in ``Table.problems`` instead, so every one of them is reported.
    """
    path = Path(path)
    shown = display_path(path)
    if not path.exists():
        raise BdgInputError(words.problem(shown, None, None, "io.file_not_found"))
    if path.is_dir():
        raise BdgInputError(words.problem(shown, None, None, "io.is_a_folder"))
    found = registry.find(path)
    if found is None:
        suffix = path.suffix.lower()
        known = ", ".join(registry.known_suffixes())
        key = "io.unknown_type_xls" if suffix == ".xls" else "io.unknown_type"
        raise BdgInputError(words.problem(shown, None, None, key, suffix=suffix, known=known))
    if sheet is not None and not found.sheets:
        raise BdgInputError(
            words.problem(
                shown, None, "sheet", "io.sheet_not_a_workbook", sheet=sheet, name=path.name
            )
        )
    too_big = size_problem(shown, path.stat().st_size)
    if too_big is not None:
        raise BdgInputError(too_big)
    table = found.read(path, ReadOptions(shown, indicator, sheet, province, year))
    if table.frame.empty and not table.problems:
        raise BdgInputError(words.problem(shown, None, None, "io.no_data_rows"))
    return table


def read_table(path: Path | str) -> pd.DataFrame:
    """Read one data file for a report: the rows :func:`read` makes of it, or its problems.

    The frame has text columns (the tidy columns present, plus ``source_file``,
    ``source_row`` and, for wide tables, ``source_cell``) for
    :func:`bdg_analysis.validate.check`. The same reader as ``bdg validate``: a file is
    accepted or refused alike, with the same messages.

    Raises
    ------
    BdgInputError
        Everything :func:`read` raises, and the problems it found in the file's rows.
    """
    table = read(path)
    if table.problems:
        raise BdgInputError(table.problems)
    return table.frame


def written_columns(frame: pd.DataFrame) -> list[str]:
    """The tidy columns of ``frame`` a file gets: the schema's, then ``numerator`` and
    ``denominator`` only when some row has one (a file without them keeps its columns)."""
    columns = [c for c in TIDY_COLUMNS if c in frame.columns]
    for column in FRACTION_COLUMNS:
        if column in frame.columns:
            text = frame[column].fillna("").astype("str").str.strip()
            if text.ne("").any():
                columns.append(column)
    return columns


def tidy_csv_text(frame: pd.DataFrame) -> str:
    """Observations in the tidy schema as CSV text (UTF-8, '.' decimals, '\\n' line ends)."""
    return frame[written_columns(frame)].to_csv(index=False, lineterminator="\n")


def write_tidy_csv(frame: pd.DataFrame, path: Path | str) -> None:
    """Write observations in the tidy schema (UTF-8, '.' decimals, '\n' line ends), whole or
    not at all (``files.atomic_target``), a block of rows at a time (no file-sized text).
    ``numerator`` and ``denominator`` follow the schema's columns when some row has one."""
    columns = written_columns(frame)
    with atomic_target(path) as tmp:
        frame[columns].to_csv(
            tmp, index=False, encoding="utf-8", lineterminator="\n", chunksize=50_000
        )


__all__ = [
    "ALL_COLUMNS",
    "COLUMN_ALIASES",
    "DEFAULT_MAX_INPUT_MB",
    "FRACTION_COLUMNS",
    "MAX_INPUT_ENV",
    "REQUIRED_COLUMNS",
    "ROW_NUMBER_COLUMNS",
    "SOURCE_COLUMNS",
    "TIDY_COLUMNS",
    "ReadOptions",
    "Reader",
    "Table",
    "display_path",
    "max_input_bytes",
    "read",
    "read_table",
    "reader",
    "size_problem",
    "tidy_csv_text",
    "write_tidy_csv",
    "written_columns",
]
