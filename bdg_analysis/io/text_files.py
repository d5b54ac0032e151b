"""Decode text data files and read what their cells mean: encoding, delimiter, numbers, marks."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bdg_analysis import geo, words
from bdg_analysis.errors import BdgInputError, Problem

#: Cells that mean "no figure": kept as missing, with the marker recorded, never read as 0.
MISSING_MARKERS = ("", "..", "...", "…", "-", "–", "—", "NA", "n/a", "N/A")
#: Bounds of a plausible year (as in validate).
YEAR_RANGE = (1950, 2100)

# ---------------------------------------------------------------- encodings


def key(text: str) -> str:
    """A matching key of a label: lower case, no diacritics, letters and digits only
    ('Nữ' -> 'nu'); the package's one folding (:func:`bdg_analysis.geo.fold`), unit words kept."""
    return geo.fold(text, unit_words=False)


@dataclass
class Decoded:
    """Text of a file and how it was decoded (all of it is reported, nothing guessed silently)."""

    text: str
    encoding: str
    normalised: bool = False  # some text was not NFC (typed in NFD, or a legacy decoding)
    sample: str = ""  # a non-ASCII word as read, so a user can check a legacy decoding

    def describe(self) -> str:
        """The encoding as ``bdg validate`` says it (a Phrase when there is more to say)."""
        if self.encoding.startswith("Windows-1258"):
            if self.sample:
                return words.phrase("io.encoding_check", encoding=self.encoding, word=self.sample)
        elif self.normalised:
            return words.phrase("io.encoding_nfd", encoding=self.encoding)
        return self.encoding


_WORD = re.compile(r"\w*[^\x00-\x7f]\w*")


def decode(data: bytes, shown: str, *, strict: bool = False) -> Decoded:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16 (with BOM) or Windows-1258.

    Windows-1258 writes tone marks as separate combining characters, so the text is
    NFC-normalised after decoding; any text typed in NFD is normalised too. With ``strict``,
    only UTF-8 is accepted (the canonical tidy file that reports read).

    Raises
    ------
    BdgInputError
        The bytes are none of these encodings (the line of the first bad byte is named).
    """
    bom = data.startswith(b"\xef\xbb\xbf")
    if not strict and data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return _normalised(data.decode("utf-16"), words.phrase("io.encoding_utf16"))
        except UnicodeDecodeError:
            raise BdgInputError(words.problem(shown, None, None, "io.not_utf16")) from None
    try:
        if bom:
            return _normalised(data[3:].decode("utf-8"), words.phrase("io.encoding_utf8_bom"))
        return _normalised(data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if bom else 0)
        line = data[:start].count(b"\n") + 1
        bad_byte = data[start]
    byte = f"{bad_byte:#04x}"
    if strict or bom:
        if bom and not strict:
            raise BdgInputError(words.problem(shown, line, None, "io.bom_not_utf8", byte=byte))
        raise BdgInputError(words.problem(shown, line, None, "io.not_utf8")) from None
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        raise BdgInputError(
            words.problem(shown, line, None, "io.unknown_encoding", byte=byte)
        ) from None
    decoded = _normalised(text, words.phrase("io.encoding_cp1258"))
    match = _WORD.search(decoded.text)
    decoded.sample = match.group(0) if match else ""
    return decoded


def _normalised(text: str, label: str) -> Decoded:
    if "\r" in text:  # Windows (CRLF) or old Mac (CR) line ends: one convention downstream
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if unicodedata.is_normalized("NFC", text):
        return Decoded(text, label)
    return Decoded(unicodedata.normalize("NFC", text), label, normalised=True)


# ---------------------------------------------------------------- delimiters

DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "tab"}


def delimiter_name(delimiter: str) -> str:
    """How a message names a delimiter: ``','``, ``';'``, or the word for tab (a Phrase)."""
    if delimiter == "\t":
        return words.phrase("io.tab")
    return DELIMITER_NAMES.get(delimiter, delimiter)


def field_counts(lines: list[str], delimiter: str) -> list[int]:
    """Fields per non-blank line when split by ``delimiter`` (quotes respected)."""
    rows = csv.reader(
        io.StringIO("\n".join(line for line in lines if line.strip())), delimiter=delimiter
    )
    try:
        return [len(r) for r in rows]
    except csv.Error:
        return []


def sniff_delimiter(lines: list[str], candidates: Iterable[str] = (";", "\t", ",")) -> str | None:
    """The delimiter that splits most lines holding digits into the same number (>= 2) of fields.

    Returns None when no candidate splits at least 60 % of those lines alike (an aligned text
    table, say). Ties prefer ';' then tab then ',' (a decimal comma sits inside cells).
    """
    numeric = [line for line in lines if any(ch.isdigit() for ch in line)]
    if not numeric:
        numeric = [line for line in lines if line.strip()]
    best: tuple[float, int, str] | None = None
    for d in candidates:
        counts = field_counts(numeric, d)
        if not counts:
            continue
        mode, hits = Counter(counts).most_common(1)[0]
        share = hits / len(counts)
        if mode < 2 or share < 0.6:
            continue
        if d == "," and any(re.search(r"\d\s{2,}[\d.-]", line) for line in numeric):
            continue  # an aligned table with decimal commas, not a comma-separated file
        if best is None or share > best[0] + 1e-9:
            best = (share, mode, d)
    return None if best is None else best[2]


# ---------------------------------------------------------------- delimited parsing


@dataclass
class Parsed:
    """Rows of a delimited file: header cells, body columns by position (a name may repeat),
    their line numbers, row problems."""

    header: list[str]
    columns: list[list[str] | pd.Series]
    lines: np.ndarray
    problems: list[Problem] = field(default_factory=list)


def parse_delimited(text: str, delimiter: str, header_line: int, shown: str) -> Parsed:
    """Parse the rows below the header (1-based ``header_line``), one record per line.

    Fast path: pyarrow's reader (a million rows in about a second) when every non-blank line
    is one record with the header's field count; otherwise the csv module, which names every
    short or long line (truncated file, stray delimiter, a quoted line break) so nothing is
    dropped silently.
    """
    cut = 0
    for _ in range(header_line - 1):
        cut = text.index("\n", cut) + 1
    end = text.find("\n", cut)
    header_text = text[cut:] if end < 0 else text[cut:end]
    header = [h.strip() for h in next(csv.reader([header_text], delimiter=delimiter))]
    body = "" if end < 0 else text[end + 1 :]
    if len(header) > 1:
        fast = _parse_fast(body, delimiter, header, header_line)
        if fast is not None:
            return fast
    return _parse_slow(text, delimiter, header, header_line, shown)


def _parse_fast(body: str, delimiter: str, header: list[str], header_line: int) -> Parsed | None:
    data = body.encode("utf-8")
    return parse_utf8(data, 0, delimiter, header, header_line)


def _line_ends(raw: np.ndarray) -> np.ndarray:
    """Offsets of every '\n', found a block at a time (no file-sized temporary arrays)."""
    block = 1 << 22
    parts = [
        np.flatnonzero(raw[i : i + block] == 10) + i for i in range(0, max(len(raw), 1), block)
    ]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def parse_utf8(
    data: bytes, start: int, delimiter: str, header: list[str], header_line: int
) -> Parsed | None:
    """The rows of UTF-8 ``data[start:]`` (the body below the header) with pyarrow's reader.

    Reads the bytes as they are (no copy of the file as text): a million rows in about a
    second. Returns None (the caller then parses line by line and names every bad line)
    unless every non-blank line is one record with the header's field count, and the bytes
    are valid UTF-8.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    raw = np.frombuffer(data, dtype=np.uint8)[start:]
    ends = _line_ends(raw)
    if len(raw) and raw[-1] != 10:
        ends = np.append(ends, len(raw))  # a last line without its line end
    starts = np.concatenate(([0], ends[:-1] + 1))
    blank = ends == starts
    line_numbers = np.flatnonzero(~blank) + header_line + 1
    if not len(line_numbers):
        return Parsed(header, [[] for _ in header], np.zeros(0, dtype=np.int64))
    quoted = data.find(b'"', start) >= 0
    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data).slice(start)),
            # one thread, 1 MB blocks: as fast on a shared machine, a fraction of the memory
            read_options=pacsv.ReadOptions(
                column_names=names, use_threads=False, block_size=1 << 20
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, quote_char='"' if quoted else False, newlines_in_values=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=True,
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None  # a line of another length, bad UTF-8: the careful reader says which
    if table.num_rows != len(line_numbers):
        return None
    dtype = pd.StringDtype(storage="pyarrow", na_value=np.nan)
    columns = [pd.Series(pd.array(table.column(n), dtype=dtype)) for n in names]
    return Parsed(header, columns, line_numbers)


def nfc_columns(columns: list) -> bool:
    """Normalise text columns to NFC in place; True when any text was not NFC (typed in NFD)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    changed = False
    for i, column in enumerate(columns):
        if not isinstance(column, pd.Series) or not len(column):
            continue
        values = pa.array(column.array)
        if pc.all(pc.string_is_ascii(values)).as_py():
            continue
        normal = pc.utf8_normalize(values, "NFC")
        if pc.any(pc.not_equal(values, normal)).as_py():
            changed = True
            dtype = pd.StringDtype(storage="pyarrow", na_value=np.nan)
            columns[i] = pd.Series(pd.array(normal, dtype=dtype))
    return changed


def _parse_slow(
    text: str, delimiter: str, header: list[str], header_line: int, shown: str
) -> Parsed:
    stream = io.StringIO(text, newline="")
    for _ in range(header_line):
        stream.readline()
    records = csv.reader(stream, delimiter=delimiter)
    problems: list[Problem] = []
    body: list[list[str]] = []
    numbers: list[int] = []
    try:
        for row in records:
            number = records.line_num + header_line
            if not "".join(row).strip():
                continue  # a blank line carries no data
            if len(row) != len(header):
                problems.append(
                    words.problem(
                        shown,
                        number,
                        None,
                        "io.fields_count",
                        expected=len(header),
                        found=len(row),
                        delimiter=delimiter_name(delimiter),
                    )
                )
                continue
            body.append(row)
            numbers.append(number)
    except csv.Error as exc:
        line = records.line_num + header_line
        problems.append(words.problem(shown, line, None, "io.broken_csv", error=str(exc)))
    columns = [[r[i] for r in body] for i in range(len(header))]
    return Parsed(header, columns, np.asarray(numbers, dtype=np.int64), problems)


# ---------------------------------------------------------------- numbers

_NUM_COMMA = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")  # 1.234,5 (vi)
_NUM_POINT = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")  # 1,234.5 (en)
_AMBIGUOUS = re.compile(r"[+-]?\d{1,3}[.,]\d{3}")  # 1.234 or 1,234: thousands or decimals?
_EVIDENCE_COMMA = re.compile(
    r"[+-]?(?:\d+,\d{1,2}|\d+,\d{4,}|\d{1,3}(?:\.\d{3})+,\d+"
    r"|\d{1,3}(?:\.\d{3}){2,})"
)
_EVIDENCE_POINT = re.compile(
    r"[+-]?(?:\d+\.\d{1,2}|\d+\.\d{4,}|\d{1,3}(?:,\d{3})+\.\d+"
    r"|\d{1,3}(?:,\d{3}){2,})"
)
_MINUS = str.maketrans({"−": "-", "\u00a0": "", "\u202f": ""})


@dataclass
class DecimalMark:
    """The decimal mark of a file and why: from the numbers seen, or assumed (and said so)."""

    mark: str
    how: str
    against: list[str] = field(default_factory=list)  # cells written the other way

    def describe(self) -> str:
        """The mark and why, as ``bdg validate`` says it (a Phrase)."""
        return words.phrase("io.decimal_mark", mark=self.mark, how=self.how)


def infer_decimal(cells: Iterable[str], default: str) -> DecimalMark:
    """Decide the decimal mark from number cells: '96,1' says ',', '96.1' says '.'.

    A cell such as '1.234' fits both (thousands or decimals): when nothing else decides,
    ``default`` is used and the answer says it was assumed. When both kinds are seen, the
    majority wins and the cells written the other way are returned in ``against`` so the
    reader can refuse them one by one.
    """
    comma, point, ambiguous = [], [], []
    for cell in cells:
        text = cell.strip().translate(_MINUS)
        if not text or not text[-1].isdigit():
            continue
        if _EVIDENCE_COMMA.fullmatch(text):
            comma.append(text)
        elif _EVIDENCE_POINT.fullmatch(text):
            point.append(text)
        elif _AMBIGUOUS.fullmatch(text):
            ambiguous.append(text)
    if comma and (len(comma) >= len(point)):
        return DecimalMark(",", _seen(comma[0], len(point), "."), point)
    if point:
        return DecimalMark(".", _seen(point[0], len(comma), ","), comma)
    if ambiguous:
        key = "io.decimal_assumed_thousands" if default == "," else "io.decimal_assumed_decimals"
        other = "." if default == "," else ","
        return DecimalMark(default, words.phrase(key, cell=ambiguous[0], other=other))
    return DecimalMark(default, words.phrase("io.decimal_whole"))


def _seen(cell: str, against: int, other: str) -> str:
    """Why a mark was chosen: the first cell that showed it, and how many use the other."""
    if against:
        return words.phrase("io.decimal_seen_against", cell=cell, n=against, other=other)
    return words.phrase("io.decimal_seen", cell=cell)


def number_text(cell: str, mark: str) -> str | None:
    """The number in ``cell`` written with '.' decimals and no grouping, or None.

    '1.234,5' with mark ',' gives '1234.5'; '96,1' gives '96.1'; '96.1' with mark ',' is None
    (the other convention: refused rather than guessed).
    """
    text = cell.strip().translate(_MINUS)
    if mark == ",":
        if _NUM_COMMA.fullmatch(text):
            return text.replace(".", "").replace(",", ".")
        return None
    if _NUM_POINT.fullmatch(text):
        return text.replace(",", "")
    return None


def number_pattern(mark: str) -> str:
    """The regular expression of a number written with ``mark`` as decimal mark."""
    return (_NUM_COMMA if mark == "," else _NUM_POINT).pattern


def normalise_numbers(values: pd.Series, mark: str) -> pd.Series:
    """Vectorised :func:`number_text` that leaves every other cell as written."""
    text = values.astype("str")
    mask = text.str.fullmatch(number_pattern(mark)).fillna(False).astype(bool)
    if not mask.any():
        return text
    if mark == ",":
        fixed = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        fixed = text.str.replace(",", "", regex=False)
    return text.where(~mask, fixed)


def is_missing_marker(cell: str) -> bool:
    return cell.strip() in MISSING_MARKERS


# ---------------------------------------------------------------- footnotes and years

FOOTNOTE = r"(?:\(\*{1,3}\)|\*{1,3}|\(\d{1,2}\)|\([a-z]\)|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)"
_TRAILING_FOOTNOTE = re.compile(rf"\s*({FOOTNOTE})$")
_FOOTNOTE_LINE = re.compile(rf"^\s*({FOOTNOTE})\s*[:.)-]?\s*(\S.*)$")


def strip_footnote(text: str) -> tuple[str, str]:
    """'Hà Nội (*)' -> ('Hà Nội', '(*)'); '96,1*' -> ('96,1', '*'); text without a mark -> ''."""
    text = text.strip()
    marks = []
    while True:
        match = _TRAILING_FOOTNOTE.search(text)
        if match is None or match.start() == 0:
            break
        marks.insert(0, match.group(1))
        text = text[: match.start()].rstrip()
    return text, "".join(marks)


def footnote_definition(line: str) -> tuple[str, str] | None:
    """A footnote line below a table: '(*) Số liệu sơ bộ' -> ('(*)', 'Số liệu sơ bộ')."""
    match = _FOOTNOTE_LINE.match(line)
    if match is None or not any(ch.isalpha() for ch in match.group(2)):
        return None
    return match.group(1), match.group(2).strip()


QUAL = (
    r"(?:sơ\s*bộ|so\s*bo|prel(?:iminary)?\.?|provisional|ước\s*tính|uoc\s*tinh|ước|"
    r"est(?:imated?|\.)?|dự\s*ước)"
)
# 'Sơ bộ - Prel. 2023', or 'Sơ bộ Prel. 2023' (a line break in the cell read as a space)
_YEAR_TOKEN = re.compile(
    rf"(?:(?P<q1>{QUAL})(?:\s*[-–/]?\s*(?P<q2>{QUAL}))?\s*)?"
    rf"(?:(?:năm|year)\s+)?(?P<year>\d{{4}})"
    rf"(?:\s*\((?P<q3>{QUAL})\))?(?P<mark>\s*{FOOTNOTE})?",
    re.IGNORECASE,
)
_YEAR_WORDS = re.compile(rf"{QUAL}|\b(?:năm|year)\b", re.IGNORECASE)


@dataclass(frozen=True)
class YearLabel:
    """A year as a table labels it: 'Sơ bộ - Prel. 2018' is 2018, provisional."""

    year: int
    status: str  # official | provisional | estimate
    text: str
    mark: str = ""


def _status(*qualifiers: str | None) -> str:
    words = " ".join(q.lower() for q in qualifiers if q)
    if not words:
        return "official"
    if re.search(r"ước|uoc|est|dự", words):
        return "estimate"
    return "provisional"


def year_labels(text: str) -> list[YearLabel] | None:
    """Every year label in ``text`` when the text is made only of them, else None.

    '2019 2020 Sơ bộ 2021' gives three labels; 'Prel. 2024 (*)' one; 'Lạng Sơn' None. Line
    breaks and doubled spaces count as one space: statistics offices type bilingual headers
    on two lines of one Excel cell ('Sơ bộ' newline 'Prel. 2023').
    """
    text = " ".join(text.split())
    if not text:
        return None
    out: list[YearLabel] = []
    pos = 0
    for match in _YEAR_TOKEN.finditer(text):
        if text[pos : match.start()].strip():
            return None
        year = int(match.group("year"))
        if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            return None
        out.append(
            YearLabel(
                year,
                _status(match.group("q1"), match.group("q2"), match.group("q3")),
                match.group(0).strip(),
                (match.group("mark") or "").strip(),
            )
        )
        pos = match.end()
    if not out or text[pos:].strip():
        return None
    return out


def year_label(text: str) -> YearLabel | None:
    """The single year label that is ``text``, or None."""
    labels = year_labels(text)
    return labels[0] if labels and len(labels) == 1 else None


def looks_like_year(text: str) -> bool:
    """True for a label meant as a year: '2O23', '20x2', '2019-2020', '1850', 'Sơ bộ 2O24'.

    Callers try :func:`year_label` first; this tells a mistyped year from other text.
    """
    core, _ = strip_footnote(" ".join(text.split()))
    core = _YEAR_WORDS.sub(" ", core).strip(" -–/")
    if not 3 <= len(core) <= 11 or sum(ch.isdigit() for ch in core) < 2:
        return False
    return all(ch.isdigit() or ch in "OolIxX-–/ " for ch in core)
