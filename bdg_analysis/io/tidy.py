"""Tidy tables as people type them: header names and aliases, units, '%' and decimal marks.

Text files and worksheets find their header row with :func:`match_header`, then hand the
columns below it to :func:`build`, which makes the raw tidy frame and says what it did. One
place for these rules, so a CSV, a department's workbook and a report's data file are read
alike. Every problem names the header's real row (a workbook's header is often on row 5).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from bdg_analysis import words
from bdg_analysis.errors import Problem
from bdg_analysis.io import text_files as tf
from bdg_analysis.io.registry import joined
from bdg_analysis.io.text_files import key

TIDY_COLUMNS = ("province", "indicator", "year", "value", "sex", "source", "note", "status")
REQUIRED_COLUMNS = ("province", "indicator", "year", "value")
SOURCE_COLUMNS = ("source_file", "source_row", "source_cell")
#: Optional tidy columns: the two parts of a share, ratio or rate (value = numerator /
#: denominator x the unit's scale), kept so merged provinces and the nation add up exactly and
#: the value can be checked against them. Returned collection forms fill them.
FRACTION_COLUMNS = ("numerator", "denominator")
#: Every column a tidy file may have, in the order they are written.
ALL_COLUMNS = TIDY_COLUMNS + FRACTION_COLUMNS

#: Header names accepted for the tidy columns, as folded keys (Vietnamese forms use these).
COLUMN_ALIASES = {
    "province": {
        "province",
        "tinh",
        "tinhthanhpho",
        "tinhthanh",
        "tinhtp",
        "diaphuong",
        "provincecity",
        "tentinh",
    },
    "indicator": {"indicator", "chitieu", "machitieu", "indicatorid", "mact", "mschitieu"},
    "year": {"year", "nam", "namsolieu", "kybaocao"},
    "value": {"value", "giatri", "solieu", "giatrichitieu"},
    "sex": {"sex", "gioitinh"},
    "source": {"source", "nguon", "nguonsolieu"},
    "note": {"note", "ghichu"},
    "status": {"status", "trangthai", "tinhtrang"},
    "numerator": {"numerator", "tuso"},
    "denominator": {"denominator", "mauso"},
    "unit": {"unit", "units", "donvitinh", "dvt", "donvi"},
}
#: An indicator column that holds ids: when present, a 'Chỉ tiêu' column beside it holds names.
INDICATOR_ID_COLUMNS = {"machitieu", "indicatorid", "mact", "mschitieu"}
#: Columns of indicator names (read for the user's eyes only: the id column decides).
INDICATOR_NAME_COLUMNS = {"tenchitieu", "indicatorname", "noidungchitieu"}
#: Ordinal columns that Excel forms carry ('STT'): dropped, and the reader says so.
ROW_NUMBER_COLUMNS = {"stt", "tt", "no", "sott"}

_PERCENT = re.compile(r"\s*([+-]?\d[\d.,\u00a0\u202f ]*)\s*%\s*")


def one_line(text: str) -> str:
    """A header cell as one line: line breaks and doubled spaces (as typed in Excel) collapsed."""
    return " ".join(str(text).split())


@dataclass
class Header:
    """A header row matched to the tidy schema.

    ``mapping``: cell index -> tidy column (or ``unit``). ``ignored``: cells dropped with a
    reason (row numbers, indicator names). ``duplicates``: (first, second, column) pairs of
    cells naming one column. ``unknown``: indices of names that are no column of the schema.
    """

    cells: list[str]
    mapping: dict[int, str]
    aliases: list[str] = field(default_factory=list)
    ignored: dict[int, str] = field(default_factory=dict)
    duplicates: list[tuple[int, int, str]] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)

    def index(self, column: str) -> int | None:
        return next((i for i, c in self.mapping.items() if c == column), None)


def match_header(cells: Sequence[str]) -> Header | None:
    """Match header cells to the tidy columns (names or Vietnamese aliases).

    Returns None unless every required column (province, indicator, year, value) is named.
    A column named twice (``value,value`` or ``Giá trị`` beside ``value``) is kept in
    ``duplicates``: the first is read, and the file is refused naming both.
    """
    cells = [one_line(c) for c in cells]
    keys = [key(c) for c in cells]
    has_id_column = any(k in INDICATOR_ID_COLUMNS for k in keys)
    header = Header(cells, {})
    seen: dict[str, int] = {}
    unknown_seen: dict[str, int] = {}
    for i, (cell, k) in enumerate(zip(cells, keys, strict=True)):
        if not k:
            continue
        if k in ROW_NUMBER_COLUMNS:
            header.ignored[i] = words.phrase("io.ignored_row_numbers")
            continue
        if k in INDICATOR_NAME_COLUMNS or (
            has_id_column and k in COLUMN_ALIASES["indicator"] - INDICATOR_ID_COLUMNS
        ):
            header.ignored[i] = words.phrase("io.ignored_indicator_names")
            continue
        column = next((c for c, names in COLUMN_ALIASES.items() if k in names), None)
        if column is None:
            if k in unknown_seen:
                header.duplicates.append((unknown_seen[k], i, cell))
            else:
                unknown_seen[k] = i
                header.unknown.append(i)
            continue
        if column in seen:
            header.duplicates.append((seen[column], i, column))
            continue
        seen[column] = i
        header.mapping[i] = column
        if cell.strip().lower() != column:
            header.aliases.append(words.phrase("io.alias", cell=cell.strip(), column=column))
    if not set(REQUIRED_COLUMNS) <= set(header.mapping.values()):
        return None
    return header


def schema_text() -> str:
    """The tidy schema as a message names it: the columns, then the optional two (a Phrase)."""
    return words.phrase(
        "io.schema", columns=", ".join(TIDY_COLUMNS), optional=", ".join(FRACTION_COLUMNS)
    )


def partial_header(cells: Sequence[str]) -> list[str] | None:
    """The tidy columns a header row names when it names two or more but not all required."""
    keys = {key(one_line(cell)) for cell in cells}
    names = {c for c, aliases in COLUMN_ALIASES.items() if keys & aliases}
    if len(names & set(TIDY_COLUMNS)) < 2 or set(REQUIRED_COLUMNS) <= names:
        return None
    return [c for c in REQUIRED_COLUMNS if c not in names]


def column_name(i: int, refs: Sequence[str] | None) -> str:
    """How a user finds column ``i``: its letter in a workbook, its position in a text file."""
    if refs is not None and i < len(refs) and refs[i]:
        return words.phrase("io.column", ref=refs[i])
    return words.phrase("io.column", ref=i + 1)


def header_problems(
    header: Header,
    shown: str,
    line: int,
    columns: Sequence[Sequence[str]],
    refs: Sequence[str] | None = None,
) -> list[Problem]:
    """Columns named twice, columns with data but no name, names outside the schema.

    ``columns[i]`` holds the body cells under header cell ``i`` (to tell an empty spare
    column, which is fine, from a column of figures without a name, which is not).
    """
    problems = []
    cells = header.cells
    for first, second, column in header.duplicates:
        problems.append(
            words.problem(
                shown,
                line,
                None,
                "io.column_twice",
                first=column_name(first, refs),
                first_name=cells[first],
                second=column_name(second, refs),
                second_name=cells[second],
                column=column,
            )
        )
    for i, cell in enumerate(cells):
        if key(cell) or i >= len(columns) or not _has_text(columns[i]):
            continue
        left = next((cells[j] for j in range(i - 1, -1, -1) if key(cells[j])), None)
        right = next((cells[j] for j in range(i + 1, len(cells)) if key(cells[j])), None)
        problems.append(
            words.problem(
                shown,
                line,
                column_name(i, refs),
                "io.column_without_name",
                where=_between(left, right),
            )
        )
    unknown = [cells[i] for i in header.unknown]
    if unknown:
        problems.append(
            words.problem(
                shown,
                line,
                None,
                "io.unexpected_columns",
                columns=", ".join(unknown),
                schema=schema_text(),
            )
        )
    return problems


def _between(left: str | None, right: str | None) -> str:
    """Where a column without a name sits: between, after or before named ones (a Phrase)."""
    if left and right:
        return words.phrase("io.between", left=left, right=right)
    if left:
        return words.phrase("io.after", left=left)
    if right:
        return words.phrase("io.before", right=right)
    return words.phrase("io.in_the_header")


def _has_text(values: Sequence[str]) -> bool:
    if isinstance(values, pd.Series):
        return bool(values.astype("str").str.strip().ne("").any())
    return any(str(v).strip() for v in values)


def build(
    header: Header,
    columns: Sequence[Sequence[str]],
    lines: Sequence[int] | np.ndarray,
    shown: str,
    header_line: int,
    inferred: dict[str, str],
    *,
    decimal: str | None,
    typed: Sequence[bool] | None = None,
    refs: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, list[Problem], list[Problem]]:
    """The raw tidy frame of a table whose header is ``header`` (text, for validation).

    ``columns[i]``: the body cells under header cell ``i``; ``lines``: each body row's line
    or row number. ``decimal``: None for a comma-separated file ('.' decimals), else the mark
    to assume when no figure shows it. ``typed``: the value cells Excel stored as numbers
    (already '.'-decimal). Returns ``(frame, problems, warnings)``; the frame holds the tidy
    columns present plus ``source_row``.
    """
    problems = header_problems(header, shown, header_line, columns, refs)
    data = {}
    for i, column in header.mapping.items():
        values = columns[i] if i < len(columns) else [""] * len(lines)
        if not isinstance(values, pd.Series):
            values = pd.Series(values, dtype="str")
        data[column] = values
    frame = pd.DataFrame({c: s.reset_index(drop=True).astype("str") for c, s in data.items()})
    frame["source_row"] = np.asarray(lines, dtype=np.int64)
    if header.aliases:
        inferred["columns"] = joined(header.aliases)
    if header.ignored:
        inferred["columns ignored"] = joined(
            words.phrase("io.ignored", cell=header.cells[i], why=why)
            for i, why in header.ignored.items()
        )
    typed_mask = (
        np.zeros(len(frame), dtype=bool) if typed is None else np.asarray(typed, dtype=bool)
    )
    frame, more, kept = _percent_text(frame, shown, inferred, typed_mask)
    problems += more
    typed_mask = typed_mask[kept]
    if decimal is None:
        inferred["decimal mark"] = words.phrase("io.decimal_csv")
    elif len(frame) and (~typed_mask).any():
        frame, more, kept = _decimal_column(frame, shown, inferred, decimal, typed_mask)
        problems += more
        typed_mask = typed_mask[kept]
    if decimal is not None:
        _fraction_decimals(frame)
    _indicator_names(frame, inferred)
    warnings: list[Problem] = []
    if "unit" in frame.columns:
        warnings = _unit_warnings(frame, shown)
        frame = frame.drop(columns="unit")
    return frame, problems, warnings


def _percent_text(
    frame: pd.DataFrame, shown: str, inferred: dict[str, str], typed: np.ndarray
) -> tuple[pd.DataFrame, list[Problem], np.ndarray]:
    """'41,5%' typed as text is 41.5 (what the user sees), for indicators measured in %.

    Returns the frame without the refused rows (a percentage for an indicator in another
    unit), their problems and the rows kept (a mask).
    """
    values = frame["value"].astype("str")
    match = values.str.contains("%", regex=False).fillna(False).to_numpy(dtype=bool) & ~typed
    if match.any():  # the regular expression only where a '%' is (a million rows stay fast)
        match[match] = values[match].str.fullmatch(_PERCENT.pattern).fillna(False).to_numpy(bool)
    if not match.any():
        return frame, [], np.ones(len(frame), dtype=bool)
    frame = frame.copy()
    stripped = values[match].str.replace("%", "", regex=False).str.strip()
    frame.loc[match, "value"] = stripped
    first = values[match].iloc[0]
    inferred["percent text"] = words.phrase(
        "io.percent_text", n=int(match.sum()), example=first.strip()
    )
    problems = []
    units = _units()
    for row, indicator, text in zip(
        frame.loc[match, "source_row"].tolist(),
        frame.loc[match, "indicator"].astype("str").str.strip().tolist(),
        values[match].tolist(),
        strict=True,
    ):
        unit = units.get(indicator)
        if unit is not None and unit != "%":
            problems.append(
                words.problem(
                    shown,
                    int(row),
                    "value",
                    "io.percent_not_percent",
                    text=text.strip(),
                    indicator=indicator,
                    unit=unit,
                )
            )
    bad = frame["source_row"].isin([p.row for p in problems]).to_numpy() & match
    return frame.loc[~bad].reset_index(drop=True), problems, ~bad


def _decimal_column(
    frame: pd.DataFrame, shown: str, inferred: dict[str, str], default: str, typed: np.ndarray
) -> tuple[pd.DataFrame, list[Problem], np.ndarray]:
    """Read the value column with the file's decimal mark; refuse cells written the other way.

    ``typed`` marks cells Excel stored as numbers (already '.'-decimal text): left alone.
    Returns the frame without the refused rows, their problems and the rows kept (a mask).
    """
    values = frame["value"].astype("str").str.strip()
    as_text = values[~typed]
    decimal = tf.infer_decimal(as_text.unique().tolist(), default=default)
    inferred["decimal mark"] = decimal.describe()
    other = "." if decimal.mark == "," else ","
    fixed = tf.normalise_numbers(as_text, decimal.mark)
    ours = as_text.str.fullmatch(tf.number_pattern(decimal.mark)).fillna(False)
    theirs = as_text.str.fullmatch(tf.number_pattern(other)).fillna(False)
    wrong = theirs.astype(bool) & ~ours.astype(bool)
    problems = [
        words.problem(
            shown, int(r), "value", "io.decimal_other_file", text=v, other=other, mark=decimal.mark
        )
        for r, v in zip(frame.loc[wrong.index[wrong], "source_row"], as_text[wrong], strict=True)
    ]
    frame = frame.copy()
    frame.loc[fixed.index, "value"] = fixed
    kept = np.ones(len(frame), dtype=bool)
    kept[wrong.index[wrong]] = False
    return frame.loc[kept].reset_index(drop=True), problems, kept


_COMMA_DECIMAL = r"[+-]?\d+,\d+"


def _fraction_decimals(frame: pd.DataFrame) -> None:
    """Numerator and denominator typed with a decimal comma ('41,5', in a ';' file or as text
    in a workbook) are read as numbers; anything else is left for validation to judge."""
    for column in FRACTION_COLUMNS:
        if column not in frame.columns:
            continue
        text = frame[column].astype("str").str.strip()
        comma = text.str.fullmatch(_COMMA_DECIMAL).fillna(False).astype(bool)
        if comma.any():
            frame[column] = text.where(~comma, text.str.replace(",", ".", regex=False))


def _indicator_names(frame: pd.DataFrame, inferred: dict[str, str]) -> None:
    """An indicator column holding names ('Tỷ số giới tính khi sinh') or ids in other case
    ('m4.ct1'): each distinct text that names exactly one catalogue indicator is read as its
    id, and the reader says so. Anything else is left for validation to report."""
    from bdg_analysis import catalogue
    from bdg_analysis.io.yearbook_labels import indicator_named

    known = set(catalogue.ids())
    texts = frame["indicator"].astype("str").str.strip()
    found = {}
    for text in texts.unique().tolist():
        if text and text not in known:
            hit = indicator_named(one_line(text))
            if hit:
                found[text] = hit
    if found:
        frame["indicator"] = texts.replace(found)
        inferred["indicator names"] = joined(
            words.phrase("io.name_read_as", text=t, indicator=i) for t, i in found.items()
        )


@lru_cache(maxsize=1)
def _units() -> dict[str, str]:
    from bdg_analysis import catalogue

    return {i.id: i.unit_vi for i in catalogue.indicators()}


def _unit_key(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower()
    text = text.replace("%", " phantram ").replace("‰", " phannghin ")
    return key(text)


def unit_agrees(given: str, indicator_id: str) -> bool:
    """Whether a unit as typed ('Tỷ lệ (%)', 'Số bé trai/100 bé gái') is the catalogue's.

    Lenient on purpose (folded text, one containing the other): the check is there to catch a
    figure in another unit (a count where a share is expected), not to police wording.
    """
    from bdg_analysis import catalogue

    given_key = _unit_key(given)
    if not given_key:
        return True
    ind = catalogue.get(indicator_id)
    for unit in (ind.unit_vi, ind.unit_en):
        k = _unit_key(unit)
        if k and (k == given_key or k in given_key or given_key in k):
            return True
    return False


def _unit_warnings(frame: pd.DataFrame, shown: str) -> list[Problem]:
    """One warning per (unit, indicator) that differs from the catalogue, at its first row."""
    units = _units()
    pairs = frame[["unit", "indicator", "source_row"]].astype({"unit": "str", "indicator": "str"})
    pairs = pairs.assign(unit=pairs["unit"].map(one_line), indicator=pairs["indicator"].str.strip())
    out = []
    for (unit, indicator), rows in pairs.groupby(["unit", "indicator"], sort=False):
        if indicator not in units or unit_agrees(unit, indicator):
            continue
        count = len(rows)
        out.append(
            words.problem(
                shown,
                int(rows["source_row"].iloc[0]),
                "unit",
                "io.unit_differs_more" if count > 1 else "io.unit_differs",
                unit=unit,
                indicator=indicator,
                catalogue=units[indicator],
                more=count - 1,
            )
        )
    return out
