"""Every word a reader sees, in Vietnamese and English, and numbers and dates in their locale.

Strings live in ``resources/words/<namespace>.yaml``, one file per part of the product (the
report, statuses, the command line, ...), each a mapping ``key: {vi: ..., en: ...}``; a word is
asked for as ``word("namespace.key", lang)``. Keeping them out of the code means a translator
edits one folder, and a test can check that every key has both languages.

Numbers go through Babel's locale data (``vi_VN``: ``1.234,5``; ``en``: ``1,234.5``), after
rounding in Python, so a value shows the same digits in both languages and on every machine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from bdg_analysis.errors import BdgInputError, Problem, UnknownNameError

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"
LOCALES = {"vi": "vi_VN", "en": "en"}
MISSING = "–"
WORDS_DIR = Path(__file__).resolve().parent / "resources" / "words"


def check_lang(lang: object, *, where: str = "--lang") -> str:
    """``lang`` if it is one the product speaks, else a clear input error (exit 2)."""
    if isinstance(lang, str) and lang in LANGS:
        return lang
    raise BdgInputError(problem("<argument>", None, where, "cli.not_a_language", lang=lang))


def lang_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The language of command-line messages: Vietnamese when the locale is (``LANG=vi_VN...``).

    ``LC_ALL`` wins over ``LC_MESSAGES``, which wins over ``LANG``, as in POSIX.
    """
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "vi" if value.lower().startswith("vi") else "en"
    return "en"


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every word, keyed ``namespace.key``; a file without both languages is a bug, refused."""
    import yaml

    words: dict[str, dict[str, str]] = {}
    for path in sorted(WORDS_DIR.glob("*.yaml")):
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's: ten times faster
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
        for key, entry in data.items():
            if not isinstance(key, str):  # YAML reads a bare yes/no/on/off key as a boolean
                raise ValueError(f"{path.name}: {key!r}: quote the key")
            if not isinstance(entry, dict) or set(entry) != set(LANGS):
                raise ValueError(f"{path.name}: {key}: needs exactly the languages {LANGS}")
            if not all(isinstance(entry[lang], str) for lang in LANGS):
                raise ValueError(f"{path.name}: {key}: every language needs a text")
            words[f"{path.stem}.{key}"] = {lang: entry[lang] for lang in LANGS}
    return words


def has_word(key: str) -> bool:
    return key in catalogue()


def word(key: str, lang: str = DEFAULT_LANG, /, **fields: object) -> str:
    """The text of ``namespace.key`` in ``lang``, with ``{field}`` placeholders filled."""
    text = catalogue()[key][check_lang(lang, where="lang")]
    return text.format(**fields) if fields else text


def namespace(prefix: str, lang: str = DEFAULT_LANG) -> dict[str, str]:
    """Every word of one namespace in ``lang``, keyed without the prefix (for tables of labels)."""
    start = prefix + "."
    return {
        key[len(start) :]: entry[check_lang(lang, where="lang")]
        for key, entry in catalogue().items()
        if key.startswith(start)
    }


# --- messages said later, in the reader's language ---------------------------------------------


class Phrase(str):
    """A message in English (it *is* that ``str``) that remembers its words key and fields.

    Readers and checks do not know the user's language; they build their messages with
    :func:`phrase`, and the command line says them in Vietnamese or English with :func:`said`.
    Everything else (tests, logs, ``str(problem)``) sees the plain English text. A fact
    (a file name, a cell as typed) is a field, never translated; a field that is itself a
    Phrase is said in the same language.
    """

    key: str
    fields: dict[str, object]

    def __new__(cls, key: str, fields: Mapping[str, object]) -> Phrase:
        self = super().__new__(cls, word(key, "en", **_english(fields)))
        self.key = key
        self.fields = dict(fields)
        return self

    def __reduce__(self):  # a worker process sends problems back: keep the key and fields
        return (Phrase, (self.key, self.fields))

    def in_lang(self, lang: str) -> str:
        fields = {k: said(v, lang) if isinstance(v, Phrase) else v for k, v in self.fields.items()}
        return word(self.key, lang, **fields)


def _english(fields: Mapping[str, object]) -> dict[str, object]:
    return {k: str(v) if isinstance(v, Phrase) else v for k, v in fields.items()}


def phrase(key: str, /, **fields: object) -> Phrase:
    """The message ``namespace.key`` with its fields, said later in the user's language."""
    return Phrase(key, fields)


def said(text: object, lang: str = DEFAULT_LANG) -> str:
    """``text`` in ``lang`` when it is a :class:`Phrase`, else as it is (a fact, or English)."""
    return text.in_lang(lang) if isinstance(text, Phrase) else str(text)


def problem(
    file: str,
    row: int | None,
    column: str | None,
    key: str,
    /,
    *,
    code: str | None = None,
    **fields: object,
) -> Problem:
    """A :class:`Problem` whose message is the words ``key`` with ``fields`` (a Phrase)."""
    return Problem(file, row, column, phrase(key, **fields), code=code)


def problem_of(
    file: str, row: int | None, column: str | None, message: Phrase, /, *, code: str | None = None
) -> Problem:
    """A :class:`Problem` whose message is a Phrase built already: one phrase said of many rows
    (a mistake repeated on a million rows builds its message once, not once a row)."""
    if not isinstance(message, Phrase):
        raise TypeError(f"a message to say later is a Phrase, not {type(message).__name__}")
    return Problem(file, row, column, message, code=code)


def problem_line(item: Problem, lang: str = "en") -> str:
    """One problem as the command line prints it (``file:row: column: message``) in ``lang``.

    A column that is a Phrase (the kind of an unknown name: ``province``) is said too; a column
    name read from a file is a fact and stays as written.
    """
    column = said(item.column, lang) if item.column else item.column
    file = item.file
    if file in _PLACES:  # not a file: where the input came from, in the reader's words
        file = word(_PLACES[file], lang)
    return str(
        dataclasses.replace(item, file=file, column=column, message=said(item.message, lang))
    )


# What stands in a problem's file place when the input is not a file.
_PLACES = {
    "<argument>": "errors.place_argument",
    "<input>": "errors.place_input",
    "<data>": "errors.place_data",
    "<environment>": "errors.place_environment",
}


def unknown_name(
    kind: str,
    name: str,
    suggestions: list[str] | tuple[str, ...] = (),
    file: str = "<argument>",
    *,
    note: Phrase | None = None,
) -> UnknownNameError:
    """The error for a name that matches nothing, with its closest names, said later.

    ``kind`` is a key of ``errors.yaml`` (``kind_province``, ``kind_indicator``...); ``note`` a
    phrase said after the suggestions (what became of a historic province).
    """
    what = phrase(f"errors.{kind}")
    shown = {"kind": what, "name": name}
    if suggestions:
        message = phrase("errors.unknown_name_close", names=", ".join(suggestions), **shown)
    else:
        message = phrase("errors.unknown_name", **shown)
    if note is not None:
        message = phrase("errors.with_note", message=message, note=note)
    return UnknownNameError(what, name, list(suggestions), file, message=message)


# --- numbers and dates ---------------------------------------------------------------------------


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _rounded(value: float, decimals: int | None) -> tuple[Decimal, int]:
    """``value`` rounded as Python rounds (half to even on the binary value), as a Decimal.

    Rounding here, not in Babel (which rounds the decimal text), keeps every digit identical to
    what Python's own formatting gives, in every language.
    """
    if decimals is None:
        text = f"{value:.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:.{decimals}f}"
    number = Decimal(text)
    if number == 0:
        number = Decimal(0).quantize(number)  # never "-0"
    shown = max(-number.as_tuple().exponent, 0)  # type: ignore[operator]
    return number, shown


def fmt_number(value: float | None, lang: str = DEFAULT_LANG, decimals: int | None = None) -> str:
    """A number in the reader's convention (``1.234,5`` vi, ``1,234.5`` en), or a dash.

    ``decimals=None`` keeps up to two decimals and drops trailing zeros.
    """
    from babel.numbers import format_decimal

    if _missing(value):
        return MISSING
    number, shown = _rounded(float(value), decimals)  # type: ignore[arg-type]
    pattern = "#,##0" + ("." + "0" * shown if shown else "")
    return format_decimal(number, format=pattern, locale=LOCALES[check_lang(lang, where="lang")])


def fmt_percent(probability: float | None, lang: str = DEFAULT_LANG, decimals: int = 0) -> str:
    """A probability (0-1) as a percentage in the reader's convention (``18%``), or a dash."""
    from babel.numbers import format_percent

    if _missing(probability):
        return MISSING
    number, shown = _rounded(100 * float(probability), decimals)  # type: ignore[arg-type]
    pattern = "#,##0" + ("." + "0" * shown if shown else "") + "%"
    return format_percent(
        number / 100, format=pattern, locale=LOCALES[check_lang(lang, where="lang")]
    )


DATE_PATTERNS = {"vi": "dd/MM/yyyy", "en": "d MMMM yyyy"}
TIME_PATTERN = "HH:mm"


def fmt_date(date: dt.date | str | None, lang: str = DEFAULT_LANG) -> str:
    """A date as a reader writes it: ``30/11/2026`` (vi), ``30 November 2026`` (en)."""
    from babel.dates import format_date

    if date is None or date == "":
        return MISSING
    if isinstance(date, str):
        date = dt.date.fromisoformat(date[:10])
    lang = check_lang(lang, where="lang")
    return format_date(date, DATE_PATTERNS[lang], locale=LOCALES[lang])


def fmt_datetime(moment: dt.datetime, lang: str = DEFAULT_LANG, *, zone: bool = True) -> str:
    """Date and time, ``30/11/2026 19:23`` (vi) or ``30 November 2026 19:23`` (en), with the
    time zone's offset named (``UTC+07:00``) when the moment carries one and ``zone`` is set."""
    from babel.dates import format_datetime

    lang = check_lang(lang, where="lang")
    text = format_datetime(moment, f"{DATE_PATTERNS[lang]} {TIME_PATTERN}", locale=LOCALES[lang])
    offset = moment.utcoffset() if zone else None
    if offset is not None:
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        text += f" (UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d})"
    return text
