"""The reader of text files: tidy CSV (any delimiter, encoding, decimal mark) or yearbook tables."""

from __future__ import annotations

import csv
from pathlib import Path

from bdg_analysis.errors import BdgInputError, Problem
from bdg_analysis.io import text_files as tf
from bdg_analysis.io import tidy
from bdg_analysis.io.registry import ReadOptions, Table, reader

#: Lines searched for a tidy header (titles above it are skipped and counted).
HEADER_SEARCH_LINES = 10


@reader(".csv", ".txt", ".tsv", name="text table")
def read_text(path: Path, options: ReadOptions) -> Table:
    """A tidy table (its header found in the first lines, with any delimiter) or a yearbook
    table (years across the top or down the side; aligned, ';' or tab separated)."""
    shown = options.shown
    data = path.read_bytes()
    if not data.strip():
        raise BdgInputError(Problem(shown, None, None, "file is empty"))
    decoded = tf.decode(data, shown)
    text = decoded.text
    lines = text[:200_000].split("\n")[:200]  # enough to find the header and the layout
    inferred = {"encoding": decoded.describe()}
    nonblank = [(i + 1, line) for i, line in enumerate(lines) if line.strip()]
    partial: tuple[int, list[str]] | None = None
    for number, line in nonblank[:HEADER_SEARCH_LINES]:
        for delimiter in (",", ";", "\t"):
            cells = next(csv.reader([line], delimiter=delimiter))
            header = tidy.match_header(cells)
            if header is not None:
                return _tidy_text(shown, decoded, number, delimiter, inferred)
            missing = tidy.partial_header(cells)
            if missing and partial is None:
                partial = (number, missing)
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
    try:
        parsed = yearbook.parse(rows, shown, aligned=delimiter is None)
    except BdgInputError:
        if partial is None:
            raise
        number, missing = partial
        raise BdgInputError(
            Problem(
                shown,
                number,
                None,
                f"missing column(s): {', '.join(missing)}; "
                f"the tidy schema is {', '.join(tidy.TIDY_COLUMNS)}",
            )
        ) from None
    wide = yearbook.to_tidy(parsed, shown, indicator=options.indicator, province=options.province)
    inferred.update(wide.inferred)
    frame = wide.frame.assign(source_file=shown)
    return Table(shown, frame, inferred, wide.problems, wide.apart, wide.cells)


def _tidy_text(
    shown: str,
    decoded: tf.Decoded,
    header_line: int,
    delimiter: str,
    inferred: dict[str, str],
) -> Table:
    """A tidy table in a text file (header found on ``header_line``, maybe below titles)."""
    parsed = tf.parse_delimited(decoded.text, delimiter, header_line, shown)
    header = tidy.match_header(parsed.header)
    assert header is not None  # the same cells matched when the header was found
    inferred["layout"] = f"tidy table (header on line {header_line})"
    if header_line > 1:
        inferred["layout"] += f"; {header_line - 1} line(s) above it skipped"
    inferred["delimiter"] = tf.DELIMITER_NAMES[delimiter]
    frame, problems, warnings = tidy.build(
        header,
        parsed.columns,
        parsed.lines,
        shown,
        header_line,
        inferred,
        decimal=None if delimiter == "," else ",",
    )
    frame["source_file"] = shown
    canonical = (
        delimiter == ","
        and header_line == 1
        and not header.aliases
        and not header.ignored
        and decoded.encoding.startswith("UTF-8")
        and not decoded.normalised
    )
    return Table(
        shown,
        frame,
        inferred,
        list(parsed.problems) + problems,
        canonical=canonical,
        warnings=warnings,
    )
