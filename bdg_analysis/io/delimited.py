"""The reader of text files: tidy CSV (any delimiter, encoding, decimal mark) or yearbook tables."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

from bdg_analysis import words
from bdg_analysis.errors import BdgInputError
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
        raise BdgInputError(words.problem(shown, None, None, "io.file_empty"))
    fast = _utf8_tidy(data, shown)
    if fast is not None:
        return fast
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
                parsed = tf.parse_delimited(decoded.text, delimiter, number, shown)
                return _tidy_table(shown, parsed, number, delimiter, decoded, inferred)
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
        inferred["delimiter"] = words.phrase("io.delimiter_none")
    else:
        rows = yearbook.delimited_rows(text, delimiter)
        inferred["delimiter"] = tf.delimiter_name(delimiter)
    try:
        parsed = yearbook.parse(rows, shown, aligned=delimiter is None)
    except BdgInputError:
        if partial is None:
            raise
        number, missing = partial
        raise BdgInputError(
            words.problem(
                shown,
                number,
                None,
                "io.missing_columns",
                missing=", ".join(missing),
                schema=", ".join(tidy.TIDY_COLUMNS),
            )
        ) from None
    wide = yearbook.to_tidy(parsed, shown, indicator=options.indicator, province=options.province)
    inferred.update(wide.inferred)
    frame = wide.frame.assign(source_file=shown)
    return Table(shown, frame, inferred, wide.problems, wide.apart, wide.cells)


def _utf8_tidy(data: bytes, shown: str) -> Table | None:
    """A tidy table in UTF-8, read from the bytes as they are (the common, large case).

    The file is not kept as text: the header is found in its first lines, the bytes are
    checked to be UTF-8 and NFC at once, pyarrow reads the body, and text typed in NFD is
    normalised column by column.
    None for anything else (another encoding, a yearbook table, a bad line), which the
    careful path then reads and explains.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    head = data[start : start + 200_000]
    if len(data) - start > len(head):
        head = head[: head.rfind(b"\n") + 1]
    try:
        head_text = head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\r" in head_text and "\r\n" not in head_text:
        return None  # old Mac line ends: the careful path turns them into lines
    lines = head_text.split("\n")[:200]
    nonblank = [(i + 1, line.rstrip("\r")) for i, line in enumerate(lines) if line.strip()]
    for number, line in nonblank[:HEADER_SEARCH_LINES]:
        for delimiter in (",", ";", "\t"):
            cells = next(csv.reader([line], delimiter=delimiter))
            if tidy.match_header(cells) is None:
                continue
            header = [h.strip() for h in cells]
            if len(header) < 2:
                return None
            body = start
            for _ in range(number):
                body = data.index(b"\n", body) + 1 if data.find(b"\n", body) >= 0 else len(data)
            try:  # UTF-8 throughout, and already NFC? (a quick check in C; text freed at once)
                nfc = unicodedata.is_normalized("NFC", str(memoryview(data)[start:], "utf-8"))
            except UnicodeDecodeError:
                return None
            parsed = tf.parse_utf8(data, body, delimiter, header, number)
            if parsed is None:
                return None
            normalised = not nfc
            if normalised:
                tf.nfc_columns(parsed.columns)
            parsed.header = [unicodedata.normalize("NFC", h) for h in parsed.header]
            label = words.phrase("io.encoding_utf8_bom") if start else "UTF-8"
            decoded = tf.Decoded("", label, normalised=normalised)
            inferred = {"encoding": decoded.describe()}
            return _tidy_table(shown, parsed, number, delimiter, decoded, inferred)
    return None


def _tidy_table(
    shown: str,
    parsed: tf.Parsed,
    header_line: int,
    delimiter: str,
    decoded: tf.Decoded,
    inferred: dict[str, str],
) -> Table:
    """A tidy table in a text file (header found on ``header_line``, maybe below titles)."""
    header = tidy.match_header(parsed.header)
    assert header is not None  # the same cells matched when the header was found
    if header_line > 1:
        inferred["layout"] = words.phrase(
            "io.layout_tidy_below", line=header_line, skipped=header_line - 1
        )
    else:
        inferred["layout"] = words.phrase("io.layout_tidy", line=header_line)
    inferred["delimiter"] = tf.delimiter_name(delimiter)
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
