"""Read statistics-office yearbook tables (places or series by years) as tidy rows.

A yearbook table holds one indicator: a title (Vietnamese, then English), an optional unit line,
a header, and a body. Years run across the top (Nam Định's table 14) or down the side (Vĩnh
Phúc's table 18); the last year may be 'Sơ bộ - Prel. 2024' (provisional) or 'Ước tính 2025'
(estimate). The other dimension is places (provinces, with the six regions interleaved and
'CẢ NƯỚC - WHOLE COUNTRY' on top) or, in a one-province yearbook, series (total, male/female,
urban/rural). Footnote marks are stripped from labels, years and figures and recorded in
``note``; '..' or '-' stay missing with their marker.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

import pandas as pd

from bdg_analysis import geo, words
from bdg_analysis.errors import BdgInputError, Problem
from bdg_analysis.io import text_files as tf
from bdg_analysis.io.registry import joined
from bdg_analysis.io.text_files import key
from bdg_analysis.io.yearbook_labels import (
    NOTE_LINE,
    SOURCE_LINE,
    UNIT_LINE,
    Label,
    classify,
    drop_group_words,
    indicator_named,
    parts,
)

# ---------------------------------------------------------------- the grid


@dataclass
class Cell:
    """One cell: its text as written, where it sits, and whether Excel stored it as a number."""

    text: str
    pos: int  # column index (delimited text, sheet) or character offset (aligned text)
    ref: str = ""  # spreadsheet reference such as 'D7'
    number: bool = False  # an Excel number, already written with '.' decimals
    end: int = -1  # last character offset + 1 (aligned text)

    def span(self) -> tuple[int, int]:
        return self.pos, self.end if self.end >= 0 else self.pos + 1


@dataclass
class Row:
    """One line of a text file or one spreadsheet row, with its number in the file."""

    line: int
    cells: list[Cell]

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.cells if c.text)

    @property
    def blank(self) -> bool:
        return not any(c.text for c in self.cells)


_ALIGNED_CELL = re.compile(r"\S+(?: \S+)*")


def aligned_rows(text: str, first_line: int = 1) -> list[Row]:
    """Rows of an aligned text table: cells are separated by two or more spaces (or a tab)."""
    rows = []
    for number, line in enumerate(text.split("\n"), start=first_line):
        line = line.replace("\t", "    ")
        cells = [Cell(m.group(0), m.start(), end=m.end()) for m in _ALIGNED_CELL.finditer(line)]
        rows.append(Row(number, cells))
    return rows


def delimited_rows(text: str, delimiter: str) -> list[Row]:
    """Rows of a delimited text file (cells by index; the line a record starts on)."""
    import csv
    import io

    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for record in reader:
        cells = [Cell(c.strip(), i) for i, c in enumerate(record)]
        rows.append(Row(start, cells))
        start = reader.line_num + 1
    return rows


# ---------------------------------------------------------------- parsing


@dataclass
class Figure:
    """One figure of the table before it becomes a tidy row."""

    line: int
    label: Label
    year: tf.YearLabel | None
    year_text: str
    text: str
    mark: str
    ref: str
    section_sex: str = ""
    number: bool = False
    heading: str = ""  # a heading line right above the label (often its Vietnamese half)


@dataclass
class Parsed:
    """The table as read: figures, the inferred layout, texts around it, problems."""

    orientation: str
    header_line: int
    figures: list[Figure]
    titles: list[tuple[int, str]]
    sources: list[str]
    units: list[str]
    footnotes: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # 'Ghi chú: ...' lines, as printed


def _is_value_token(token: str) -> bool:
    text, _ = tf.strip_footnote(token)
    if text and tf.is_missing_marker(text):
        return True
    return tf.number_text(text, ",") is not None or tf.number_text(text, ".") is not None


def _is_mark(token: str) -> bool:
    return bool(re.fullmatch(tf.FOOTNOTE, token.strip()))


def _row_kind(row: Row) -> str:
    """'blank', 'source', 'unit', 'footnote' or 'other' for a line of the file."""
    if row.blank:
        return "blank"
    first = next(c.text for c in row.cells if c.text)
    if SOURCE_LINE.match(first):
        return "source"
    if UNIT_LINE.match(first):
        return "unit"
    if NOTE_LINE.match(first):
        return "note"
    if tf.footnote_definition(row.text) is not None and _is_mark(first.split(" ")[0]):
        return "footnote"
    return "other"


_HEADER_ITEM = re.compile(
    rf"(?:(?<=\s)|^)(?:(?:{tf.QUAL})(?:\s*[-–/]?\s*(?:{tf.QUAL}))?\s*)?(?:(?:năm|year)\s+)?"
    rf"(?P<y>[\dOoIlxX]{{4}})(?:\s*\((?:{tf.QUAL})\))?(?:\s*{tf.FOOTNOTE})?$",
    re.IGNORECASE,
)


def _aligned_items(text: str) -> tuple[str, list[str]]:
    """Split an aligned header cell into its stub and its year items, read from the right.

    'Năm - Year 2019 2020 Sơ bộ 2021' -> ('Năm - Year', ['2019', '2020', 'Sơ bộ 2021']).
    """
    items: list[str] = []
    rest = text.strip()
    while rest:
        match = _HEADER_ITEM.search(rest)
        if match is None or sum(ch.isdigit() for ch in match.group("y")) < 2:
            break
        items.insert(0, match.group(0).strip())
        rest = rest[: match.start()].rstrip()
    return rest, items


def _header_years(
    row: Row, aligned: bool
) -> tuple[list[tuple[Cell, tf.YearLabel | None]], list[Cell]] | None:
    """Year columns of a header row, or None when the row is not a year header.

    Returns ``(columns, ignored)``: each column is a cell with its year label (None for a cell
    meant as a year that is not one: reported, its column left out), and the text cells to
    the right of the years that are not years.
    """
    columns: list[tuple[Cell, tf.YearLabel | None]] = []
    ignored: list[Cell] = []
    for cell in row.cells:
        if not cell.text:
            continue
        if aligned:
            stub, items = _aligned_items(cell.text)
            if stub and columns:
                if any(_is_value_token(t) for t in stub.split(" ")):
                    return None
                ignored.append(Cell(stub, cell.pos))
            offset = cell.pos + len(cell.text) - sum(len(i) + 1 for i in items) + 1
            for item in items:
                columns.append((Cell(item, offset, end=offset + len(item)), tf.year_label(item)))
                offset += len(item) + 1
            if not items and columns:
                if any(_is_value_token(t) for t in cell.text.split(" ")):
                    return None
                ignored.append(cell)
            continue
        label = tf.year_label(cell.text)
        if label is not None:
            columns.append((cell, label))
        elif tf.looks_like_year(cell.text) and (columns or not cell.number):
            columns.append((cell, None))
        elif cell.number or _is_value_token(cell.text):
            return None  # a figure: this is a data row
        elif columns:
            ignored.append(cell)
    if sum(1 for _, lab in columns if lab is not None) < 2:
        return None
    return columns, ignored


def _year_row_label(row: Row) -> tuple[tf.YearLabel | None, Cell] | None:
    """When a row starts with a year label and has figures (years down the side)."""
    cells = [c for c in row.cells if c.text]
    if len(cells) < 2:
        return None
    first = cells[0]
    if not any(c.number or _is_value_token(c.text) for c in cells[1:]):
        return None
    lab = tf.year_label(first.text)
    if lab is not None:
        return lab, first
    if tf.looks_like_year(first.text):
        return None, first
    return None


def parse(rows: list[Row], shown: str, *, aligned: bool) -> Parsed:
    """Find the header and read every figure, its label, its year and its marks.

    Raises
    ------
    BdgInputError
        No years found (neither across the top nor down the side), or no figures below them.
    """
    for i, row in enumerate(rows):
        if row.blank or _row_kind(row) != "other":
            continue
        if _header_years(row, aligned) is not None:
            return _parse_across(rows, i, shown, aligned)
        if _year_row_label(row) is not None:
            break
    down = [
        i for i, r in enumerate(rows) if _row_kind(r) == "other" and _year_row_label(r) is not None
    ]
    if down:
        return _parse_down(rows, down, shown, aligned)
    first = next((r.line for r in rows if not r.blank), None)
    if first is None:
        raise BdgInputError(words.problem(shown, None, None, "io.file_empty"))
    raise BdgInputError(words.problem(shown, first, None, "io.no_table"))


def _context(rows: list[Row]) -> tuple[list[tuple[int, str]], list[str], list[str]]:
    """Title, source and unit lines above the table (a note line there counts as a unit's)."""
    titles: list[tuple[int, str]] = []
    sources: list[str] = []
    units: list[str] = []
    in_source = False
    for row in rows:
        kind = _row_kind(row)
        if kind == "blank":
            in_source = False
        elif kind == "note":
            units.append(row.text)
        elif kind == "source" or in_source:
            sources.append(SOURCE_LINE.sub("", row.text, count=1).strip())
            in_source = True
        elif kind == "unit":
            units.append(row.text)
        elif not key(row.text).isdigit():  # a bare number is the table's number
            titles.append((row.line, row.text.strip()))
    return titles, sources, units


def _trailer(row: Row, parsed: Parsed, in_source: bool) -> bool:
    """Read a footnote or source line below the body; True while inside a source block."""
    kind = _row_kind(row)
    if kind == "footnote":
        mark, text = tf.footnote_definition(row.text)  # type: ignore[misc]
        parsed.footnotes.setdefault(mark, text)
        return False
    if kind == "note":
        parsed.notes.append(row.text)
        return False
    if kind == "source" or (in_source and kind == "other"):
        parsed.sources.append(SOURCE_LINE.sub("", row.text, count=1).strip())
        return True
    return False


def _split_aligned_values(row: Row, n: int) -> tuple[str, list[tuple[str, str]]]:
    """Label and up to ``n`` figures taken from the right of an aligned line.

    Figures may be separated by single spaces ('… females) 96,1 96,1 96,0'); a footnote mark
    standing alone after a figure belongs to it. Returns (label, [(figure, mark)]).
    """
    cells = [c.text for c in row.cells if c.text]
    last = cells[-n:]
    if (
        len(cells) > n
        and sum(_is_value_token(c) for c in last) * 2 >= n
        and all(" " not in tf.strip_footnote(c)[0] for c in last)
    ):
        # columns split at 2+ spaces: the last n cells are the figures, whatever they hold
        # (so '9x,1' is reported as not a number rather than glued to the label)
        return " ".join(cells[:-n]), [tf.strip_footnote(c) for c in last]
    tokens = [tok for text in cells for tok in text.split(" ")]
    values: list[tuple[str, str]] = []
    pending = ""
    cut = len(tokens)
    for idx in range(len(tokens) - 1, -1, -1):
        tok = tokens[idx]
        if len(values) == n:
            break
        if _is_mark(tok) and idx > 0 and _is_value_token(tokens[idx - 1]):
            pending = tok + pending
            cut = idx
            continue
        if not _is_value_token(tok):
            break
        text, mark = tf.strip_footnote(tok)
        values.insert(0, (text, mark + pending))
        pending = ""
        cut = idx
    return " ".join(tokens[:cut]).strip(), values


def _parse_across(rows: list[Row], at: int, shown: str, aligned: bool) -> Parsed:
    header = rows[at]
    columns, ignored = _header_years(header, aligned)  # type: ignore[misc]
    titles, sources, units = _context(rows[:at])
    across = words.phrase("io.years_across")
    parsed = Parsed(across, header.line, [], titles, sources, units, {})
    parsed.ignored_columns = [c.text for c in ignored]
    for cell, lab in columns:
        if lab is None:
            parsed.problems.append(
                words.problem(
                    shown,
                    header.line,
                    "year",
                    "io.not_a_year_column",
                    text=cell.text,
                    low=tf.YEAR_RANGE[0],
                    high=tf.YEAR_RANGE[1],
                )
            )
    n = len(columns)
    span = ", ".join(c.text for c, _ in columns)
    first_pos = columns[0][0].pos
    section_sex = ""
    heading: tuple[int, str] | None = None
    in_source = False
    body = False
    for row in rows[at + 1 :]:
        kind = _row_kind(row)
        if kind != "other" or in_source:
            in_source = _trailer(row, parsed, in_source) if kind != "blank" else False
            continue
        if aligned:
            label, found = _split_aligned_values(row, n)
            cells = [(text, mark, "", False) for text, mark in found]
            absent = n - len(cells)
        else:
            label = " - ".join(
                c.text
                for c in row.cells
                if c.pos < first_pos and c.text and not c.number and not key(c.text).isdigit()
            )
            by_pos = {c.pos: c for c in row.cells}
            cells, absent = [], 0
            for cell, _lab in columns:
                got = by_pos.get(cell.pos)
                if got is None:
                    absent += 1
                    cells.append(("", "", "", False))
                elif got.number:
                    cells.append((got.text, "", got.ref, True))
                else:
                    text, mark = tf.strip_footnote(got.text)
                    cells.append((text, mark, got.ref, False))
        filled = sum(1 for c in cells if c[0])
        if filled == 0:
            if label:
                lab = classify(label)
                if lab.kind == "sex":
                    section_sex = lab.name
                heading = (row.line, label)
            continue
        body = True
        if absent:
            parsed.problems.append(
                words.problem(
                    shown, row.line, None, "io.figures_count_years", n=n, years=span, found=filled
                )
            )
            continue
        if not label:
            parsed.problems.append(words.problem(shown, row.line, None, "io.figures_without_label"))
            continue
        lab = classify(label)
        above = heading[1] if heading and heading[0] == row.line - 1 else ""
        heading = None
        for (_cell, year), (text, mark, ref, is_number) in zip(columns, cells, strict=True):
            if year is None:
                continue
            parsed.figures.append(
                Figure(
                    row.line,
                    lab,
                    year,
                    year.text,
                    text,
                    mark,
                    ref or year.text,
                    section_sex,
                    is_number,
                    above,
                )
            )
    if not body:
        raise BdgInputError(words.problem(shown, header.line, None, "io.no_rows_below_years"))
    return parsed


def _parse_down(rows: list[Row], down: list[int], shown: str, aligned: bool) -> Parsed:
    first, last = down[0], down[-1]
    data = [rows[i] for i in down]

    def values_of(row: Row) -> tuple[Cell, list[Cell]]:
        ycell = _year_row_label(row)[1]  # type: ignore[index]
        return ycell, [c for c in row.cells if c is not ycell and c.pos > ycell.pos]

    if aligned:
        widest = max((values_of(r)[1] for r in data), key=len)
        anchors = [c.span() for c in widest if c.text]
    else:
        positions = sorted({c.pos for r in data for c in values_of(r)[1] if c.text})
        anchors = [(p, p + 1) for p in positions]
    n = len(anchors)

    def column_of(cell: Cell) -> int | None:
        if not aligned:
            return next((j for j, (a, _b) in enumerate(anchors) if a == cell.pos), None)
        start, end = cell.span()
        overlaps = [min(end, b) - max(start, a) for a, b in anchors]
        best = max(range(n), key=overlaps.__getitem__)
        if overlaps[best] > 0:
            return best
        near = min(range(n), key=lambda j: abs(anchors[j][0] - start))
        return near if abs(anchors[near][0] - start) <= 3 else None

    stub_end = anchors[0][0]

    def columns_under(cell: Cell) -> list[int]:
        """The figure columns a header cell labels (a merged Excel cell may cover several)."""
        if not cell.text or cell.pos < stub_end - (1 if aligned else 0):
            return []
        if aligned:
            j = column_of(cell)
            return [] if j is None else [j]
        end = max(cell.end, cell.pos + 1)
        return [j for j, (a, _b) in enumerate(anchors) if cell.pos <= a < end]

    # header rows: the lines right above the first data row whose cells sit over the figures
    header_rows: list[Row] = []
    for row in reversed(rows[:first]):
        if row.blank or _row_kind(row) != "other":
            break
        cells = [c for c in row.cells if c.text]
        if any(c.number or _is_value_token(c.text) for c in cells):
            break
        over = [c for c in cells if columns_under(c)]
        stub = [c for c in cells if c not in over]
        if not over or (aligned and any(c.span()[1] > stub_end for c in stub)):
            break
        header_rows.insert(0, row)
    names = [""] * n
    for row in header_rows:
        for cell in row.cells:
            for j in columns_under(cell):
                names[j] = f"{names[j]} - {cell.text}" if names[j] else cell.text
    names = [drop_group_words(nm) for nm in names]
    top = rows.index(header_rows[0]) if header_rows else first
    titles, sources, units = _context(rows[:top])
    header_line = rows[top].line
    parsed = Parsed(words.phrase("io.years_down"), header_line, [], titles, sources, units, {})
    if n > 1 and not all(names):
        parsed.problems.append(
            words.problem(
                shown,
                header_line,
                None,
                "io.columns_without_label",
                n=n,
                unlabelled=names.count(""),
            )
        )
        return parsed
    labels = [classify(nm) if nm else Label("", "other", "", "") for nm in names]
    in_source = False
    for i, row in enumerate(rows[first:], start=first):
        kind = _row_kind(row)
        found = _year_row_label(row) if kind == "other" and not in_source else None
        if found is None:
            if i > last and kind != "blank":
                in_source = _trailer(row, parsed, in_source)
            elif kind in ("footnote", "source", "note"):
                _trailer(row, parsed, False)
            continue
        year, ycell = found
        if year is None:
            parsed.problems.append(
                words.problem(
                    shown,
                    row.line,
                    "year",
                    "io.not_a_year",
                    text=ycell.text,
                    low=tf.YEAR_RANGE[0],
                    high=tf.YEAR_RANGE[1],
                )
            )
            continue
        _, ymark = tf.strip_footnote(ycell.text)
        slots: list[Cell | None] = [None] * n
        for cell in values_of(row)[1]:
            j = column_of(cell)
            if j is not None and slots[j] is None and (cell.text or not aligned):
                slots[j] = cell
        if any(s is None for s in slots):
            got = sum(1 for s in slots if s is not None and s.text)
            parsed.problems.append(
                words.problem(shown, row.line, None, "io.figures_count", n=n, found=got)
            )
            continue
        for j, cell in enumerate(slots):
            assert cell is not None
            if cell.number:
                text, mark = cell.text, ""
            else:
                text, mark = tf.strip_footnote(cell.text)
            parsed.figures.append(
                Figure(
                    row.line,
                    labels[j],
                    year,
                    year.text,
                    text,
                    ymark + mark,
                    cell.ref or names[j] or year.text,
                    "",
                    cell.number,
                )
            )
    return parsed


# ---------------------------------------------------------------- to tidy rows


@dataclass
class YearbookTable:
    """Tidy rows from a yearbook table, what was kept apart, and what was inferred."""

    frame: pd.DataFrame
    apart: pd.DataFrame
    cells: pd.DataFrame
    inferred: dict[str, str]
    problems: list[Problem]


CELL_COLUMNS = (
    "line",
    "cell",
    "label",
    "kind",
    "name",
    "year",
    "status",
    "value",
    "marker",
    "footnote",
    "sex",
)
RAW_COLUMNS = (
    "province",
    "indicator",
    "year",
    "value",
    "sex",
    "source",
    "note",
    "status",
    "source_row",
    "source_cell",
)


def province_from_text(lines: list[str]) -> tuple[str, str] | None:
    """The province a yearbook names in its own title ('Niên giám thống kê tỉnh Nam Định')."""
    for line in lines:  # a title line that is just a place ('CẢ NƯỚC - WHOLE COUNTRY')
        label = classify(line)
        if label.kind in ("national", "place"):
            return label.name, line
    yearbook = re.compile(r"niên giám thống kê|statistical yearbook", re.IGNORECASE)
    for line in lines:
        if not yearbook.search(line):
            continue
        for match in re.finditer(r"(?:tỉnh|thành phố|tp\.)\s+([^\d(),;:]+)", line, re.IGNORECASE):
            words = match.group(1).split()
            for n in range(min(len(words), 4), 0, -1):
                name = " ".join(words[:n])
                try:
                    res = geo.resolve(name)
                except BdgInputError:
                    continue
                if not res.is_national:
                    return name, line
    return None


def to_tidy(
    parsed: Parsed,
    shown: str,
    *,
    indicator: str | None = None,
    province: str | None = None,
    sheet: str | None = None,
) -> YearbookTable:
    """Turn the figures into raw tidy rows (text, as validate expects) and report each choice.

    Places (provinces, former provinces, the nation) become rows; region rows and series the
    tidy schema cannot hold (urban/rural, a second measure) are kept apart in ``apart``. In a
    one-province table (no place among the labels) the province comes from ``province`` or
    from the yearbook's own title line, and sex labels fill ``sex``.
    """
    problems = list(parsed.problems)
    layout = "io.layout_yearbook_row" if sheet is not None else "io.layout_yearbook_line"
    inferred: dict[str, str] = {
        "layout": words.phrase(layout, orientation=parsed.orientation, line=parsed.header_line)
    }
    figures = _normalise_figures(parsed, shown, problems, inferred)
    titles = [t for _, t in parsed.titles]

    how = words.phrase("io.from_option", option="--indicator") if indicator else ""
    if not indicator:
        for text in [*titles, *([sheet] if sheet else [])]:
            found = indicator_named(text)
            if found:
                indicator = found
                key = "io.from_sheet" if text == sheet and text not in titles else "io.from_title"
                how = words.phrase(key, text=text)
                break

    kinds = Counter(f.label.kind for f in figures)
    rows: list[dict] = []
    apart: list[Figure] = []
    if kinds["place"] or kinds["national"]:
        inferred["places"] = _describe_places(figures)
        for fig in figures:
            if fig.label.kind in ("region", "group"):
                apart.append(fig)
            elif fig.label.kind in ("place", "national"):
                rows.append(_row(fig, fig.label.name, indicator or "", fig.section_sex, parsed))
            else:  # checked as a province name by validation (unknown, with suggestions)
                rows.append(
                    _row(fig, _first_part(fig.label.text), indicator or "", fig.section_sex, parsed)
                )
    else:
        place = (
            (province, words.phrase("io.from_option", option="--province")) if province else None
        )
        if place is None:
            found_place = province_from_text(titles + parsed.sources)
            if found_place:
                place = (found_place[0], words.phrase("io.from_line", text=found_place[1][:70]))
        series_names = {f.label.text: _series_name(f) for f in figures}
        others = list(dict.fromkeys(f.label.text for f in figures if f.label.kind == "other"))
        named = {lab: indicator_named(series_names[lab]) for lab in others}
        lines = {f.label.text: f.line for f in figures}
        if indicator:
            chosen = {lab for lab, ind in named.items() if ind == indicator}
        else:
            chosen = {lab for lab, ind in named.items() if ind}
            if chosen:
                how = words.phrase(
                    "io.from_row_labels",
                    labels=", ".join(
                        f"{series_names[lab]!r} = {named[lab]}" for lab in others if named[lab]
                    ),
                )
        if not chosen and len(others) == 1:
            chosen = set(others)  # the table's one series
        if not chosen and len(others) > 1:
            listed = joined(
                words.phrase("io.series_on_line", name=series_names[lab], line=lines[lab])
                for lab in others
            )
            problems.append(
                words.problem(
                    shown,
                    lines[others[0]],
                    "indicator",
                    "io.many_series_unlike" if indicator else "io.many_series",
                    n=len(others),
                    series=listed,
                    indicator=indicator,
                )
            )
        if place is None:
            problems.append(
                words.problem(
                    shown,
                    parsed.titles[0][0] if parsed.titles else parsed.header_line,
                    "province",
                    "io.no_province",
                )
            )
        else:
            inferred["province"] = words.phrase("io.how", what=place[0], how=place[1])
        for fig in figures:
            kind = fig.label.kind
            if kind in ("residence", "region", "group") or (
                kind == "other" and fig.label.text and fig.label.text not in chosen
            ):
                apart.append(fig)
                continue
            if place is None:
                continue
            ind = named.get(fig.label.text) or indicator or ""
            sex = fig.label.name if kind == "sex" else ""
            rows.append(_row(fig, place[0], ind, sex, parsed))
    if indicator or (how and rows):
        inferred["indicator"] = (
            words.phrase("io.how", what=indicator, how=how) if indicator else how
        )
    if any(not r["indicator"] for r in rows) or (not indicator and not how and figures):
        where = parsed.titles[0][0] if parsed.titles else parsed.header_line
        title = " / ".join(titles[:2])
        key = "io.title_names_no_indicator" if title else "io.no_title_no_indicator"
        problems.append(words.problem(shown, where, "indicator", key, title=title))
        rows = [r for r in rows if r["indicator"]]
    _describe(parsed, figures, apart, inferred)
    source = _source_text(parsed, shown)
    inferred["source"] = source
    for r in rows:
        r["source"] = source
    frame = pd.DataFrame(rows, columns=list(RAW_COLUMNS))
    for column in RAW_COLUMNS:
        if column != "source_row":
            frame[column] = frame[column].astype("str")
    frame["source_row"] = frame["source_row"].astype("int64")
    return YearbookTable(frame, _cells_frame(apart), _cells_frame(figures), inferred, problems)


def _normalise_figures(
    parsed: Parsed, shown: str, problems: list[Problem], inferred: dict[str, str]
) -> list[Figure]:
    """Read figures written as text with the table's decimal mark; refuse the other mark."""
    typed = [
        f.text
        for f in parsed.figures
        if not f.number and f.text and not tf.is_missing_marker(f.text)
    ]
    decimal = tf.infer_decimal(typed, default=",")
    if typed:
        inferred["decimal mark"] = decimal.describe()
    other = "." if decimal.mark == "," else ","
    kept = []
    for fig in parsed.figures:
        if fig.number or not fig.text or tf.is_missing_marker(fig.text):
            kept.append(fig)
            continue
        fig = replace(fig)  # the parse stays as read; to_tidy may run again with other options
        canonical = tf.number_text(fig.text, decimal.mark)
        if canonical is None and tf.number_text(fig.text, other) is not None:
            problems.append(
                words.problem(
                    shown,
                    fig.line,
                    f"value [{fig.ref}]",
                    "io.decimal_other_table",
                    text=fig.text,
                    other=other,
                    mark=decimal.mark,
                )
            )
            continue
        if canonical is not None:
            fig.text = canonical
        kept.append(fig)
    return kept


def _series_name(fig: Figure) -> str:
    """A series label with the heading line right above it (often its Vietnamese half)."""
    if fig.heading and fig.label.kind == "other":
        return f"{fig.heading} - {fig.label.text}"
    return fig.label.text


def _first_part(label: str) -> str:
    text, _ = tf.strip_footnote(label)
    pieces = parts(text)
    return pieces[0] if pieces else text


def _row(fig: Figure, province: str, indicator: str, sex: str, parsed: Parsed) -> dict:
    notes = []
    for mark in dict.fromkeys(m for m in (fig.label.mark, fig.mark) if m):
        for single in re.findall(tf.FOOTNOTE, mark):
            text = parsed.footnotes.get(single)
            notes.append(f"{single} {text}" if text else f"footnote {single} (not explained)")
    return {
        "province": province,
        "indicator": indicator,
        "year": str(fig.year.year) if fig.year is not None else fig.year_text,
        "value": fig.text,
        "sex": sex,
        "source": "",
        "note": "; ".join(dict.fromkeys(notes)),
        "status": fig.year.status if fig.year is not None else "",
        "source_row": fig.line,
        "source_cell": fig.ref,
    }


def _describe(
    parsed: Parsed, figures: list[Figure], apart: list[Figure], inferred: dict[str, str]
) -> None:
    years = sorted({(f.year.year, f.year.status) for f in figures if f.year is not None})
    flagged = [words.phrase(f"io.year_{s}", year=y) for y, s in years if s != "official"]
    if years:
        span = f"{years[0][0]}-{years[-1][0]}"
        inferred["years"] = (
            words.phrase("io.years_flagged", years=span, flagged=joined(flagged))
            if flagged
            else span
        )
    marks = Counter(m for f in figures for m in re.findall(tf.FOOTNOTE, f.label.mark + f.mark))
    if marks:
        inferred["footnotes"] = joined(
            words.phrase("io.footnote", mark=m, n=c, text=parsed.footnotes[m])
            if m in parsed.footnotes
            else words.phrase("io.footnote_unexplained", mark=m, n=c)
            for m, c in marks.items()
        )
    missing = Counter(f.text for f in figures if not f.number and tf.is_missing_marker(f.text))
    if missing:
        counts = joined(
            words.phrase("io.missing_marker", n=c, marker=m)
            if m
            else words.phrase("io.missing_empty", n=c)
            for m, c in missing.items()
        )
        inferred["missing"] = words.phrase("io.missing_kept", counts=counts)
    if apart:
        inferred["kept apart"] = _describe_apart(apart)
    if parsed.ignored_columns:
        inferred["columns ignored"] = ", ".join(repr(c) for c in parsed.ignored_columns)
    if parsed.units:
        inferred["unit as printed"] = parsed.units[0]
    if parsed.notes:
        inferred["notes as printed"] = " ".join(parsed.notes)


def _source_text(parsed: Parsed, shown: str) -> str:
    if parsed.sources:
        return " ".join(parsed.sources)
    title = parsed.titles[0][1] if parsed.titles else "yearbook table"
    return f"{title} ({shown.rsplit('/', 1)[-1]})"


def _describe_places(figures: list[Figure]) -> str:
    labels: dict[str, str] = {}
    for f in figures:
        labels.setdefault(f.label.text, f.label.kind)
    counts = Counter(labels.values())
    out = [words.phrase("io.province_rows", n=counts["place"])]
    if counts["national"]:
        out.append(words.phrase("io.national_row"))
    unknown = counts["other"] + counts["sex"] + counts["residence"]
    if unknown:
        out.append(words.phrase("io.unrecognised_labels", n=unknown))
    return joined(out)


def _describe_apart(apart: list[Figure]) -> str:
    labels: dict[str, str] = {}
    for f in apart:
        labels.setdefault(_series_name(f), f.label.kind)
    groups: dict[str, list[str]] = {}
    for text, kind in labels.items():
        groups.setdefault(kind, []).append(text)
    return joined(
        (
            words.phrase(
                f"io.apart_{k}" if k in _APART else "io.apart_kind",
                kind=k,
                n=len(v),
                labels=", ".join(repr(x) for x in v[:6]) + (", ..." if len(v) > 6 else ""),
            )
            for k, v in groups.items()
        ),
        "; ",
    )


#: What is kept apart from the tidy rows, by the kind of its label (words ``io.apart_<kind>``).
_APART = ("region", "residence", "other", "group")


def _cells_frame(figures: list[Figure]) -> pd.DataFrame:
    rows = [
        {
            "line": f.line,
            "cell": f.ref,
            "label": _series_name(f),
            "kind": f.label.kind,
            "name": f.label.name,
            "year": f.year.year if f.year is not None else None,
            "status": f.year.status if f.year is not None else "",
            "value": "" if tf.is_missing_marker(f.text) else f.text,
            "marker": f.text if tf.is_missing_marker(f.text) else "",
            "footnote": f.label.mark + f.mark,
            "sex": f.label.name if f.label.kind == "sex" else f.section_sex,
        }
        for f in figures
    ]
    return pd.DataFrame(rows, columns=list(CELL_COLUMNS))
