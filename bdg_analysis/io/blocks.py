"""A plain tidy CSV read a block of lines at a time, exactly as the whole-file reader reads it.

``bdg validate`` and ``bdg import`` of a large file (hundreds of thousands of rows) would hold
the whole file's text at once; read in blocks, only one block's text is held while its rows are
checked and kept in compact form. Only the plainest file is read this way: UTF-8 (with or
without BOM), already NFC, ',' separated, the header on line 1 naming the schema's columns
themselves, one record per line. Each block goes through the same parser and table builder as
the whole file (:func:`bdg_analysis.io.text_files.parse_utf8`, the text reader's tidy table), so
its rows, line numbers and what is said about the file are the same. Anything else in a block
(a bad line, another field count, NFD text, '%' values, indicator names) raises
:class:`NotPlain`: the caller then reads the file whole, which explains it.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from bdg_analysis.io import delimited, registry, tidy
from bdg_analysis.io import text_files as tf
from bdg_analysis.io.registry import Table

#: Bytes read per block (cut at the last line end): about 60,000 rows of a tidy file.
BLOCK_BYTES = 1 << 20
_HEAD_BYTES = 200_000


class NotPlain(Exception):
    """The file is not the plain case: read it whole instead."""


def plain_header(path: Path, sheet: str | None = None) -> tuple[list[str], int, str] | None:
    """``(header cells, offset of line 2, encoding label)`` of a plain tidy CSV, else None."""
    if sheet is not None or not path.is_file():
        return None
    found = registry.find(path)
    if found is None or found.read is not delimited.read_text:
        return None
    with open(path, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None
    start = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    end = head.find(b"\n", start)
    if end < 0:
        return None
    try:
        text = head[start : head.rfind(b"\n") + 1].decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\r" in text and "\r\n" not in text:
        return None
    line = text.split("\n", 1)[0].rstrip("\r")
    if not line.strip() or not unicodedata.is_normalized("NFC", line):
        return None
    cells = next(csv.reader([line], delimiter=","))
    header = tidy.match_header(cells)
    if (
        header is None
        or len(cells) < 2
        or header.aliases
        or header.ignored
        or header.duplicates
        or header.unknown
        or len(header.mapping) != len(cells)
        or "unit" in header.mapping.values()
    ):
        return None
    label = "UTF-8 with BOM" if start else "UTF-8"
    return [c.strip() for c in cells], end + 1, label


def tables(path: Path, shown: str, plain: tuple[list[str], int, str]) -> Iterator[Table]:
    """The tables of the file's blocks, in order (blocks without rows are skipped).

    Raises
    ------
    NotPlain
        A block the whole-file fast reader would not read as it is (see the module).
    """
    header, body, label = plain
    decoded = tf.Decoded("", label, normalised=False)
    expected: dict[str, str] | None = None
    line = 1  # lines before the block
    for block in _blocks(path, body):
        try:
            if not unicodedata.is_normalized("NFC", block.decode("utf-8")):
                raise NotPlain
        except UnicodeDecodeError:
            raise NotPlain from None
        parsed = tf.parse_utf8(block, 0, ",", header, line)
        if parsed is None:
            raise NotPlain
        line += block.count(b"\n")
        if not len(parsed.lines):
            continue
        table = delimited._tidy_table(
            shown, parsed, 1, ",", decoded, {"encoding": decoded.describe()}
        )
        if expected is None:
            expected = table.inferred
        if table.problems or table.warnings or table.inferred != expected:
            raise NotPlain
        table.canonical = True
        yield table
        del table, parsed
        # Arrow's allocator keeps what a block used for the next; hand it back instead, so
        # the peak is one block's, not the most any block ever took
        pa.default_memory_pool().release_unused()


def _blocks(path: Path, start: int) -> Iterator[bytes]:
    """The bytes from ``start`` in blocks of whole lines (the last may lack its line end)."""
    with open(path, "rb") as fh:
        fh.seek(start)
        rest = b""
        while True:
            chunk = fh.read(BLOCK_BYTES)
            if not chunk:
                if rest:
                    yield rest
                return
            data = rest + chunk
            cut = data.rfind(b"\n")
            if cut < 0:
                rest = data
                continue
            rest = data[cut + 1 :]
            yield data[: cut + 1]
