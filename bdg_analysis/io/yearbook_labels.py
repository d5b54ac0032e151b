"""What a yearbook table's labels say: sex, residence or group of a row, and the indicator a
title names (Vietnamese and English titles as statistics offices print them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bdg_analysis import catalogue, geo
from bdg_analysis.errors import BdgInputError
from bdg_analysis.io import text_files as tf
from bdg_analysis.io.text_files import key

# ---------------------------------------------------------------- labels

_SEX = {
    "female": {"nu", "female", "females", "women", "nugioi", "phunu"},
    "male": {"nam", "male", "males", "men", "namgioi"},
    "total": {"tongso", "total", "tong", "chung", "tongcong", "bothsexes", "cachung"},
}
_RESIDENCE = {"thanhthi", "urban", "nongthon", "rural"}
_GROUP = {
    "chiara",
    "ofwhich",
    "trongdo",
    "inwhich",
    "phantheogioitinh",
    "bysex",
    "phantheothanhthinongthon",
    "byresidence",
    "chiatheo",
    "bydivision",
}
SOURCE_LINE = re.compile(r"^\s*(?:nguồn(?: số liệu)?|source)\s*[:.-]\s*", re.IGNORECASE)
NOTE_LINE = re.compile(r"^\s*(?:ghi chú|chú thích|notes?)\s*[:.-]\s*", re.IGNORECASE)
UNIT_LINE = re.compile(r"^\s*(?:đvt|đơn vị tính|đơn vị|unit)\s*[:.]", re.IGNORECASE)
_INDICATOR_ID = re.compile(r"\bM[1-6]\.CT\d{1,2}[ab]?\b", re.IGNORECASE)
_PARTS = re.compile(r"\s+[-–]\s+|\s*/\s*")
_PARENS = re.compile(r"\([^()]*\)")
_BREAKDOWN = re.compile(  # 'phân theo địa phương', 'by residence': how a table is split
    r"\s*[,-]?\s*\b(?:phân theo|chia theo)\b.*$|\s+\bby (?:provinces?|locality|localities|"
    r"residence|sex|regions?|urban and rural areas|urban/rural|province and city|"
    r"cities,? provinces|city and province)\b.*$",
    re.IGNORECASE,
)


def parts(label: str) -> list[str]:
    """The parts of a bilingual label: 'Lạng Sơn - Lang Son' -> ['Lạng Sơn', 'Lang Son']."""
    return [p.strip() for p in _PARTS.split(label) if p.strip()]


@dataclass(frozen=True)
class Label:
    """What a row or column label denotes.

    ``kind``: national, region, place, sex, residence, group or other. ``name`` is the part
    that was recognised (the place name passed on for validation, the sex, ...).
    """

    text: str
    kind: str
    name: str
    mark: str = ""


@lru_cache(maxsize=4096)
def classify(label: str) -> Label:
    """Recognise a label (footnote marks stripped): the nation, a region, a province, a sex...

    A line break inside a cell ('Lạng Sơn' newline 'Lang Son') separates the two languages, as
    ' - ' does; doubled spaces count as one.
    """
    one_line = " - ".join(" ".join(part.split()) for part in label.split("\n") if part.strip())
    text, mark = tf.strip_footnote(one_line)
    bare = " ".join(_PARENS.sub(" ", text).split()) or text  # '(Số con/phụ nữ)' is a unit
    pieces = parts(bare)
    candidates = [bare] + [
        " - ".join(pieces[i:j])
        for i in range(len(pieces))
        for j in range(len(pieces), i, -1)
        if (i, j) != (0, len(pieces))
    ]
    for cand in candidates:
        if geo.is_national_name(cand):
            return Label(label, "national", geo.NATIONAL_NAME, mark)
    for cand in candidates:
        if geo.is_region(cand):
            return Label(label, "region", cand, mark)
    keys = [key(p) for p in [bare, *pieces]]
    for sex, words in _SEX.items():
        if any(k in words for k in keys):
            return Label(label, "sex", sex, mark)
    if any(k in _RESIDENCE for k in keys):
        return Label(label, "residence", bare, mark)
    group = [p for p in pieces if key(p) in _GROUP]
    if group and len(group) == len(pieces):
        return Label(label, "group", text, mark)
    for cand in candidates:
        if key(cand).isdigit():
            continue  # a row number or table number, not a GSO code
        try:
            geo.resolve(cand)
        except BdgInputError:
            continue
        return Label(label, "place", cand, mark)
    return Label(label, "other", text, mark)


def drop_group_words(label: str) -> str:
    kept = [p for p in parts(label) if key(p) not in _GROUP]
    return " - ".join(kept)


# ---------------------------------------------------------------- indicators


_YEARBOOK_TITLES = {
    # Titles the statistics offices use for catalogue indicators (checked by hand).
    "Tỷ số giới tính của trẻ em mới sinh": "M4.CT1",
    "Tỷ số giới tính khi sinh": "M4.CT1",
    "Sex ratio at birth": "M4.CT1",
    "Tỷ suất sinh của phụ nữ 15-19 tuổi": "M4.CT3",
    "Tỷ suất sinh ở vị thành niên": "M4.CT3",
    "Adolescent birth rate": "M4.CT3",
    "Age-specific fertility rate of women aged 15-19": "M4.CT3",
    "Tỷ số tử vong mẹ": "M4.CT2",
    "Maternal mortality ratio": "M4.CT2",
}


def _title_key(text: str) -> str:
    text = _BREAKDOWN.sub(" ", _PARENS.sub(" ", text))
    text = re.sub(r"\b(?:năm|year)\s+\d{4}\b|\b\d{4}\s*[-–]\s*\d{4}\b", " ", text)
    return key(text)


@lru_cache(maxsize=1)
def _indicator_keys() -> dict[str, str]:
    found: dict[str, set[str]] = {}
    for ind in catalogue.indicators():
        for name in (ind.name_vi, ind.name_en, ind.short_vi, ind.short_en):
            found.setdefault(_title_key(name), set()).add(ind.id)
    for name, ind_id in _YEARBOOK_TITLES.items():
        found.setdefault(_title_key(name), set()).add(ind_id)
    return {k: next(iter(v)) for k, v in found.items() if k and len(v) == 1}


def indicator_named(text: str) -> str | None:
    """The catalogue indicator a title or label names exactly (after folding), or None.

    An id written out ('M4.CT1') counts; otherwise the whole title, or one part of a
    bilingual title, must equal a catalogue name once '(units)' and 'phân theo địa phương'
    / 'by province' are dropped. No fuzzy matching.
    """
    ids = {m.upper().replace("CT", "CT") for m in _INDICATOR_ID.findall(text)}
    if len(ids) == 1:
        found = next(iter(ids))
        canonical = {i.upper(): i for i in catalogue.ids()}
        return canonical.get(found)
    keys = _indicator_keys()
    for cand in [text, *parts(text)]:
        hit = keys.get(_title_key(cand))
        if hit:
            return hit
    return None
