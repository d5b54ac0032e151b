"""The readers by file format: one registered function per format, found by suffix (and content).

A reader is a function ``read(path, options) -> Table`` registered with :func:`reader`::

    from bdg_analysis.io.registry import ReadOptions, Table, reader

    @reader(".xlsx", ".xlsm", name="collection form", claims=is_collection_form)
    def read_form(path: Path, options: ReadOptions) -> Table:
        ...

Any module of the ``bdg_analysis.io`` package that registers a reader joins the registry: the
package's modules are imported the first time a reader is looked up, so a new format is one
module (or one function) and no list to edit. Readers with a ``claims`` test (one that
recognises its files by their content, such as returned collection forms by their hidden
block) are asked first; the first whose test says yes reads the file. Otherwise the plain
reader of the suffix does. ``bdg validate``, ``bdg import`` and the reports all read through
:func:`find` (via :func:`bdg_analysis.io.read`), so a file is read the same way everywhere.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bdg_analysis import words
from bdg_analysis.errors import Problem


@dataclass(frozen=True)
class ReadOptions:
    """What the caller knows about a file: its shown name and the choices of ``bdg import``.

    ``indicator``: the catalogue id of a wide table's figures when its title names none;
    ``sheet``: the worksheet to read (workbooks); ``province``: the province of a one-province
    yearbook table whose rows are series, not places, and the province a returned collection
    form must belong to; ``year``: the report year a returned collection form must belong to.
    """

    shown: str
    indicator: str | None = None
    sheet: str | None = None
    province: str | None = None
    year: int | None = None


@dataclass
class Table:
    """What a reader made of one file.

    ``frame``: raw tidy rows (text, for :func:`bdg_analysis.validate.check`) with
    ``source_file``, ``source_row`` and, for wide layouts, ``source_cell`` (the column or cell
    of each figure). ``inferred``: how the file was read (encoding, delimiter, decimal mark,
    layout, indicator, province, provisional years, footnotes, what was kept apart), in the
    order a user should read it. ``problems``: what the reader refused (its rows are not in
    ``frame``, or the row is named). ``warnings``: what a user should check but that does not
    stop the file (a unit that differs from the catalogue's). ``apart``: figures recognised and
    kept out of the tidy rows (region rows, urban/rural series, other measures). ``cells``:
    every figure of a wide table as read. ``canonical``: True when the file already is a
    standard tidy file (UTF-8, ',' separated, header on line 1, schema names).
    """

    file: str
    frame: pd.DataFrame
    inferred: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    apart: pd.DataFrame = field(default_factory=pd.DataFrame)
    cells: pd.DataFrame = field(default_factory=pd.DataFrame)
    canonical: bool = False
    warnings: list[Problem] = field(default_factory=list)

    def describe(self, lang: str = "en") -> str:
        """One line saying how the file was read ('key: value; ...', sheets split by ' | '),
        in ``lang``: each key through ``read_as.<key>``, each value a fact or a Phrase."""
        sheets = [k for k in self.inferred if k.startswith("sheet ")]
        sep = " | " if sheets else "; "
        return sep.join(
            f"{_label(k, lang)}: {words.said(v, lang)}" for k, v in self.inferred.items() if v
        )


def _label(key: str, lang: str) -> str:
    """An ``inferred`` key in ``lang`` ('sheet 'Data'' keeps the sheet's name as written)."""
    name = ""
    if key.startswith("sheet "):
        key, name = "sheet", key[len("sheet ") :]
    label = words.said(_read_as(key), lang)
    return f"{label} {name}" if name else label


def _read_as(key: str) -> str:
    """The name of a fact a reader inferred: ``read_as.<key>`` said later, else the key."""
    slug = "read_as." + key.replace(" ", "_")
    return words.phrase(slug) if words.has_word(slug) else key


# --- the words of the readers: facts, lists and numbers said later ------------------------------


def fact(key: str, value: str) -> str:
    """'key: value' (one thing a reader inferred, as :meth:`Table.describe` writes it), the key
    said through ``read_as.<key>`` and the value as it is (a fact or a Phrase)."""
    return words.phrase("io.fact", label=_read_as(key), value=value)


_SEPARATORS = {", ": "io.list_comma", "; ": "io.list_semicolon"}


def joined(items: Iterable[object], sep: str = ", ") -> str:
    """``items`` joined by ``sep`` (', ' or '; '): plain text when all are facts, else a Phrase
    (each item said in the reader's language). Halves are nested, so a long list stays shallow."""
    items = list(items)
    if not any(isinstance(item, words.Phrase) for item in items):
        return sep.join(str(item) for item in items)
    key = _SEPARATORS[sep]

    def half(part: list[object]) -> object:
        if len(part) == 1:
            return part[0]
        middle = len(part) // 2
        return words.phrase(key, first=half(part[:middle]), rest=half(part[middle:]))

    return half(items)  # type: ignore[return-value]


def number(text: str) -> str:
    """A number written as in English ('1,234.5') as a message says it: with the reader's
    marks ('1.234,5' in Vietnamese); plain text when it has neither mark ('120')."""
    whole, point, fraction = text.partition(".")
    groups = whole.split(",")
    said: str = groups[0]
    for group in groups[1:]:
        said = words.phrase("io.thousands", left=said, right=group)
    if point:
        said = words.phrase("io.decimal", whole=said, fraction=fraction)
    return said


ReadFunction = Callable[[Path, ReadOptions], Table]


@dataclass(frozen=True)
class Reader:
    """A registered reader: its name, the suffixes it reads and, optionally, a content test."""

    name: str
    suffixes: tuple[str, ...]
    read: ReadFunction
    claims: Callable[[Path], bool] | None = None
    sheets: bool = False  # the format has worksheets (``--sheet`` applies)


_REGISTRY: list[Reader] = []
_DISCOVERED = False


def reader(
    *suffixes: str,
    name: str | None = None,
    claims: Callable[[Path], bool] | None = None,
    sheets: bool = False,
) -> Callable[[ReadFunction], ReadFunction]:
    """Register ``read(path, options) -> Table`` for file ``suffixes`` (lower case, with dot).

    ``claims(path)`` makes a reader that recognises its files by content: it is asked before
    the plain readers of the same suffix. ``sheets`` says the format has worksheets.
    Registering a function again (a module reloaded) replaces the earlier entry.
    """

    def register(func: ReadFunction) -> ReadFunction:
        entry = Reader(
            name or func.__name__.lstrip("_"),
            tuple(s.lower() for s in suffixes),
            func,
            claims,
            sheets,
        )
        qualname = f"{func.__module__}.{func.__qualname__}"
        _REGISTRY[:] = [
            r for r in _REGISTRY if f"{r.read.__module__}.{r.read.__qualname__}" != qualname
        ]
        _REGISTRY.append(entry)
        return func

    return register


def _discover() -> None:
    """Import every module of ``bdg_analysis.io`` once, so each registers its readers."""
    global _DISCOVERED
    if _DISCOVERED:
        return
    _DISCOVERED = True
    folder = Path(__file__).resolve().parent  # the io package, found without importing it
    for module in pkgutil.iter_modules([str(folder)]):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__package__}.{module.name}")


def readers() -> list[Reader]:
    """Every registered reader, content-recognising ones first."""
    _discover()
    return sorted(_REGISTRY, key=lambda r: r.claims is None)


def known_suffixes() -> list[str]:
    """The file suffixes some reader reads, sorted."""
    return sorted({s for r in readers() for s in r.suffixes})


def find(path: Path) -> Reader | None:
    """The reader for ``path``: a content-recognising one that claims it, else the plain one."""
    suffix = path.suffix.lower()
    for entry in readers():
        if suffix not in entry.suffixes:
            continue
        if entry.claims is None or _claims(entry, path):
            return entry
    return None


def _claims(entry: Reader, path: Path) -> bool:
    """A content test that fails (a damaged file) does not claim it: the plain reader then
    says what is wrong with the file."""
    try:
        return bool(entry.claims(path))  # type: ignore[misc]
    except Exception:  # noqa: BLE001 - any failure means "not mine"
        return False
