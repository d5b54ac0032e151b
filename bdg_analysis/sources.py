"""Source lines in the reader's language: publishers, publications and table words translated.

A value's ``source`` is written by whoever typed the data, in their language: the embedded data
cite "GSO (Tổng cục Thống kê), PX-Web E02.08 ...", a yearbook import "Tổng cục Thống kê, Niên
giám thống kê 2023, Biểu 18", a returned form "Sở Y tế (biểu ..., nhận 2026-12-08): ...". A
page in Vietnamese or English shows each in its own language through a small phrase table
(``resources/words/sources.yaml``); titles in quotes and anything the table does not know are
kept as written.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata

from bdg_analysis import words

_QUOTED = re.compile(r"""((?<!\w)'[^']+'(?!\w)|"[^"]+"|«[^»]+»|“[^”]+”)""")


@functools.cache
def _source_phrases(lang: str) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """The phrase table towards ``lang`` (resources/words/sources.yaml): a pattern of every
    phrase of the other language, longest first, and what each becomes."""
    other = "en" if lang == "vi" else "vi"
    here = words.namespace("sources", lang)
    there = words.namespace("sources", other)
    table: dict[str, str] = {}
    for key, source in there.items():
        if key.startswith(f"to_{other}_"):
            continue  # a phrase used only the other way
        phrase = unicodedata.normalize("NFC", source)
        folded = phrase.casefold()
        if folded not in table and phrase != here[key]:
            table[folded] = unicodedata.normalize("NFC", here[key])
    if not table:
        return None, {}
    alternatives = []
    for folded in sorted(table, key=len, reverse=True):
        original = next(
            unicodedata.normalize("NFC", v) for v in there.values() if v.casefold() == folded
        )
        body = re.escape(original)
        alternatives.append(f"(?i:{body})" if " " in original else body)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")
    return pattern, table


def translate_source(text: str, lang: str) -> str:
    """``text`` with its publishers, publications and table words in ``lang`` (the phrase table
    of ``resources/words/sources.yaml``); text in quotes (titles as published) and anything the
    table does not know are kept as written."""
    text = unicodedata.normalize("NFC", str(text))
    pattern, table = _source_phrases(lang)
    if pattern is None or not text:
        return text
    pieces = _QUOTED.split(text)
    for i in range(0, len(pieces), 2):  # even pieces are outside quotes
        pieces[i] = pattern.sub(lambda m: table[m.group(0).casefold()], pieces[i])
    return "".join(pieces)


def source_line(text: object, lang: str) -> str:
    """A ``source`` as the data notes show it, in the report's language.

    A value read from a returned collection form names the agency, the form and the date it
    was received ("Department of Health, form BDG-20-2026-so-y-te-20261210, received 8 December
    2026: ..."); any other source has its publisher and table words translated
    (:func:`translate_source`): "Tổng cục Thống kê, Niên giám thống kê 2023, Biểu 18" reads
    "General Statistics Office, Statistical Yearbook 2023, Table 18" in English.
    """
    from bdg_analysis.io.form_sources import parse_source

    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    text = str(text)
    form = parse_source(text)
    if form is None:
        return translate_source(text, lang)
    line = words.word(
        "report_notes.form_source",
        lang,
        agency=translate_source(form.agency, lang),
        form=form.form_id,
        date=words.fmt_date(form.returned, lang),
    )
    return f"{line}: {translate_source(form.origin, lang)}" if form.origin else line


__all__ = ["source_line", "translate_source"]
