"""Province register: the 34 provinces since 1 July 2025, the 63 before, their names and mapping.

Putting a former province's figures together onto today's boundaries is the dataset's job
(:mod:`bdg_analysis.dataset.boundaries`); this module only says which unit is which.
"""

from __future__ import annotations

import difflib
import importlib.metadata
import importlib.util
import json
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from bdg_analysis import words
from bdg_analysis.errors import BdgInputError, UnknownNameError
from bdg_analysis.words import word

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

NATIONAL_NAME = "Toàn quốc"
NATIONAL_CODE = "00"
#: The first year whose data follow the 34-province map (the merger took effect on 1 July 2025).
MERGER_YEAR = 2025
#: The version of ``vietnamadminunits`` whose data this module was checked against (tests pin it).
LIBRARY = "vietnamadminunits"
LIBRARY_VERSION = "1.0.4"

_NATIONAL_KEYS = {
    "toanquoc",
    "canuoc",
    "vietnam",
    "wholecountry",
    "national",
    "nationwide",
    "vn",
    "vnm",
}
# The six GSO socio-economic regions: interleaved with provinces in GSO tables, never provinces.
_REGION_NAMES = (
    "Đồng bằng sông Hồng",
    "Trung du và miền núi phía Bắc",
    "Bắc Trung Bộ và duyên hải miền Trung",
    "Tây Nguyên",
    "Đông Nam Bộ",
    "Đồng bằng sông Cửu Long",
    "Red River Delta",
    "Northern midlands and mountain areas",
    "Northern Central area and Central coastal area",
    "North Central and Central coastal areas",
    "Central Highlands",
    "South East",
    "Mekong River Delta",
)
# Extra spellings, checked by hand (the library's own aliases are added too). Key -> short name.
_ALIASES_CURRENT = {
    "tphcm": "Hồ Chí Minh",
    "hcmc": "Hồ Chí Minh",
    "saigon": "Hồ Chí Minh",
    "hochiminhcity": "Hồ Chí Minh",
    "tphn": "Hà Nội",
}
_ALIASES_FORMER = {
    "thuathienhue": "Huế",
    "baccan": "Bắc Kạn",
}
# Units that existed before the 63-province map; a clear word instead of a fuzzy guess.
_HISTORIC = {"hatay": "geo.history_ha_tay"}  # a name of the past: the words of what became of it
_PREFIXES = (("thanh", "pho"), ("tinh",), ("tp",), ("t", "p"))
_SUFFIXES = (("province",), ("city",))


@dataclass(frozen=True)
class Province:
    """One province: current (34, since 1 July 2025), former (63, before) or the nation.

    ``code`` is the two-digit GSO code of its era: a current code may equal the code of a
    different former province (current Lào Cai is 15, former Yên Bái's code), so never join
    the two eras on code alone. ``successor_code`` is the current code of a former province.
    ``changed`` is True when the 2025 merger changed the unit's territory.
    """

    code: str
    name: str
    full_name: str
    era: str
    successor_code: str | None = None
    key: str = ""
    changed: bool = False

    @property
    def is_national(self) -> bool:
        return self.code == NATIONAL_CODE

    def label(self) -> str:
        """The name with the era when it matters, e.g. ``Bắc Kạn (cũ)``."""
        return f"{self.name} (cũ)" if self.era == "former" and self.changed else self.name


@dataclass(frozen=True)
class Resolution:
    """What a name denotes.

    ``province`` is the CURRENT province (or the national pseudo-province); ``former`` is the
    former unit when the name denotes one whose territory changed in 2025, else None.
    ``matched_as`` says how the name was recognised: ``name``, ``folded``, ``alias``, ``code``,
    ``national``.
    """

    province: Province
    former: Province | None
    is_national: bool
    matched_as: str


_NATIONAL = Province(
    code=NATIONAL_CODE,
    name=NATIONAL_NAME,
    full_name=NATIONAL_NAME,
    era="current",
    successor_code=None,
    key="toanquoc",
    changed=False,
)


# ---------------------------------------------------------------- names


def ascii_fold(text: str) -> str:
    """Lower-case ASCII: diacritics dropped and 'đ' read as 'd', punctuation and spaces kept.

    The one diacritic folding of the package: :func:`fold` (matching names), :func:`slug`
    (file names) and the yearbook reader's label keys are all built on it, so 'Đắk Lắk' is
    spelt the same way everywhere. NFC and NFD spellings give the same result.
    """
    text = unicodedata.normalize("NFC", str(text)).strip().lower().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def fold(name: str, *, unit_words: bool = True) -> str:
    """The matching key of a name: no case, diacritics, punctuation, spaces or unit prefix.

    'Tỉnh Lạng Sơn', 'lang son', 'LẠNG SƠN' and the NFD spelling all give ``langson``;
    'TP.HCM' gives ``hcm``; 'Thua Thien-Hue' gives ``thuathienhue``. With
    ``unit_words=False`` the words 'tỉnh', 'thành phố', 'province', 'city' are kept (a
    yearbook label such as 'Nữ - Female' is not a place: ``nufemale``).
    """
    tokens = re.sub(r"[^a-z0-9]+", " ", ascii_fold(name)).split()
    changed = unit_words
    while changed and tokens:
        changed = False
        for prefix in _PREFIXES:
            n = len(prefix)
            if tuple(tokens[:n]) == prefix and len(tokens) > n:
                tokens = tokens[n:]
                changed = True
        for suffix in _SUFFIXES:
            n = len(suffix)
            if tuple(tokens[-n:]) == suffix and len(tokens) > n:
                tokens = tokens[:-n]
                changed = True
    return "".join(tokens)


def slug(name: str) -> str:
    """A file-name-safe ASCII form of a name: 'Lạng Sơn' -> 'lang-son' ('report' if nothing
    is left), as report and index file names are spelt."""
    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(name)).strip("-") or "report"


def _library_dir() -> Path:
    """The installed package folder, found without importing it (its import pulls in shapely)."""
    spec = importlib.util.find_spec(LIBRARY)
    if spec is None or not spec.submodule_search_locations:
        raise BdgInputError(
            words.problem(
                "<input>", None, None, "geo.no_library", name=LIBRARY, version=LIBRARY_VERSION
            )
        )
    return Path(next(iter(spec.submodule_search_locations)))


def library_version() -> str:
    """The installed version of the administrative-units library the register comes from."""
    return importlib.metadata.version(LIBRARY)


@dataclass(frozen=True)
class _Register:
    current: dict[str, Province]
    former: dict[str, Province]
    parts: dict[str, tuple[Province, ...]]
    keys: dict[str, dict[str, Province]]  # key -> {"current": P, "former": P}
    aliases: frozenset[str]


def _short(full_name: str) -> str:
    for prefix in ("Thành phố ", "Tỉnh "):
        if full_name.startswith(prefix):
            return full_name[len(prefix) :]
    return full_name


@lru_cache(maxsize=1)
def _register() -> _Register:
    """Build the register from the library's SQLite tables and its 2025 converter."""
    root = _library_dir()
    with sqlite3.connect(f"file:{root / 'data' / 'dataset.db'}?mode=ro", uri=True) as conn:
        new_rows = conn.execute(
            "SELECT DISTINCT provinceCode, province, provinceKey, provinceAlias "
            "FROM admin_units ORDER BY provinceCode"
        ).fetchall()
        old_rows = conn.execute(
            "SELECT DISTINCT provinceCode, province, provinceKey, provinceAlias "
            "FROM admin_units_legacy ORDER BY provinceCode"
        ).fetchall()
    converter = json.loads((root / "data" / "converter_2025.json").read_text(encoding="utf-8"))
    new_by_libkey = {row[2]: row for row in new_rows}
    successor_libkey: dict[str, str] = {}
    for new_key, old_keys in converter["DICT_PROVINCE"].items():
        for old_key in old_keys:
            successor_libkey[old_key] = new_key
    n_parts: dict[str, int] = {}
    for new_key in successor_libkey.values():
        n_parts[new_key] = n_parts.get(new_key, 0) + 1

    current: dict[str, Province] = {}
    for code, full, libkey, _alias in new_rows:
        full = unicodedata.normalize("NFC", full)
        name = _short(full)
        current[code] = Province(
            code=code,
            name=name,
            full_name=full,
            era="current",
            successor_code=None,
            key=fold(name),
            changed=n_parts.get(libkey, 0) > 1,
        )
    former: dict[str, Province] = {}
    for code, full, libkey, _alias in old_rows:
        full = unicodedata.normalize("NFC", full)
        name = _short(full)
        new_key = successor_libkey[libkey]
        former[code] = Province(
            code=code,
            name=name,
            full_name=full,
            era="former",
            successor_code=new_by_libkey[new_key][0],
            key=fold(name),
            changed=n_parts[new_key] > 1,
        )
    parts: dict[str, list[Province]] = {code: [] for code in current}
    for p in former.values():
        parts[p.successor_code].append(p)  # type: ignore[index]

    keys: dict[str, dict[str, Province]] = {}
    aliases: set[str] = set()

    def add(key: str, era: str, province: Province, alias: bool = False) -> None:
        if not key:
            return
        slot = keys.setdefault(key, {})
        if slot.get(era, province) != province:
            raise RuntimeError(f"name key {key!r} is ambiguous in the {era} register")
        slot[era] = province
        if alias:
            aliases.add(key)

    for rows, era, table in ((new_rows, "current", current), (old_rows, "former", former)):
        for code, _full, _libkey, alias_json in rows:
            province = table[code]
            add(province.key, era, province)
            add(fold(province.full_name), era, province)
            for alias in json.loads(alias_json) if alias_json else []:
                add(fold(alias), era, province, alias=True)
    by_name_current = {p.name: p for p in current.values()}
    by_name_former = {p.name: p for p in former.values()}
    for key, name in _ALIASES_CURRENT.items():
        add(key, "current", by_name_current[name], alias=True)
    for key, name in _ALIASES_FORMER.items():
        add(key, "former", by_name_former[name], alias=True)
    return _Register(
        current=dict(sorted(current.items())),
        former=dict(sorted(former.items())),
        parts={code: tuple(sorted(ps, key=lambda p: p.code)) for code, ps in parts.items()},
        keys=keys,
        aliases=frozenset(aliases),
    )


# ---------------------------------------------------------------- register


def current_provinces() -> list[Province]:
    """The 34 provinces and centrally-run cities since 1 July 2025, in code order."""
    return list(_register().current.values())


def former_provinces() -> list[Province]:
    """The 63 provinces before 1 July 2025, in code order, each with its successor's code."""
    return list(_register().former.values())


def national() -> Province:
    """The pseudo-province standing for the whole country (code ``00``)."""
    return _NATIONAL


def current_by_code(code: str) -> Province:
    """The current province with this GSO code (``00`` is the nation)."""
    code = str(code).strip().zfill(2)
    if code == NATIONAL_CODE:
        return _NATIONAL
    try:
        return _register().current[code]
    except KeyError:
        raise words.unknown_name("kind_province_code", code) from None


def former_by_code(code: str) -> Province:
    """The former (pre-2025) province with this GSO code of its time."""
    code = str(code).strip().zfill(2)
    try:
        return _register().former[code]
    except KeyError:
        raise words.unknown_name("kind_former_province_code", code) from None


def successor(former: Province) -> Province:
    """The current province a former one now belongs to."""
    if former.era != "former":
        return former
    return _register().current[former.successor_code]  # type: ignore[index]


def is_region(name: str) -> bool:
    """True for a GSO socio-economic region (those rows are not provinces and are skipped)."""
    return fold(name) in _region_keys()


@lru_cache(maxsize=1)
def _region_keys() -> frozenset[str]:
    return frozenset(fold(n) for n in _REGION_NAMES)


def is_national_name(name: str) -> bool:
    return fold(name) in _NATIONAL_KEYS


@lru_cache(maxsize=4096)
def resolve(name: str, year: int | None = None) -> Resolution:
    """What ``name`` denotes, as a current province (and the former unit, if any).

    Parameters
    ----------
    name
        A province name in any usual spelling: with or without diacritics, NFC or NFD, with
        'tỉnh', 'thành phố', 'TP.' prefixes, short forms ('HCM', 'TP.HCM', 'Huế'), a national
        name ('Toàn quốc', 'Cả nước', 'Viet Nam', 'WHOLE COUNTRY'), or a two-digit GSO code.
    year
        The year the name is used for. A name that is both a former and a current province
        whose territory changed ('Thái Nguyên', 'Bắc Ninh') denotes the former unit when
        ``year <= 2024`` and the current one when ``year >= 2025`` or ``year`` is None. A
        code is read the same way (codes of the time: 15 is Yên Bái in 2020, Lào Cai in 2026).

    Raises
    ------
    UnknownNameError
        For a name that matches no province (e.g. 'Hà Tây'), with the closest suggestions.
        Nothing is accepted on a fuzzy match.
    """
    reg = _register()
    key = fold(name)
    old_era = year is not None and year < MERGER_YEAR
    if key in _NATIONAL_KEYS:
        return Resolution(_NATIONAL, None, True, "national")
    if key.isdigit() and len(key) <= 2:
        code = key.zfill(2)
        if code == NATIONAL_CODE:
            return Resolution(_NATIONAL, None, True, "code")
        if old_era and code in reg.former:
            old = reg.former[code]
            return Resolution(successor(old), old if old.changed else None, False, "code")
        if not old_era and code in reg.current:
            return Resolution(reg.current[code], None, False, "code")
        raise words.unknown_name("kind_province_code", str(name))
    entry = reg.keys.get(key)
    if entry is None:
        for glued in ("thanhpho", "tinh", "tp"):
            if key.startswith(glued) and key[len(glued) :] in reg.keys:
                entry = reg.keys[key[len(glued) :]]
                break
    if entry is None:
        raise _unknown(str(name), key)
    nfc = unicodedata.normalize("NFC", str(name)).strip()
    cur, old = entry.get("current"), entry.get("former")
    ref = cur or old
    if key in reg.aliases:
        how = "alias"
    elif ref is not None and nfc in (ref.name, ref.full_name):
        how = "name"
    else:
        how = "folded"
    if cur is not None and old is not None:
        if old.changed and old_era:
            return Resolution(successor(old), old, False, how)
        return Resolution(cur, None, False, how)
    if cur is not None:
        return Resolution(cur, None, False, how)
    assert old is not None
    return Resolution(successor(old), old if old.changed else None, False, how)


def unknown_name_error(name: str, extra: list[str] | tuple[str, ...] = ()) -> UnknownNameError:
    """The error for a name that matches no province: closest names, ``extra`` ones, history.

    For callers (plans) that know more names than the register, e.g. districts with a plan.
    """
    err = _unknown(name, fold(name))
    suggestions = list(dict.fromkeys([*err.suggestions, *extra]))[:4]
    return words.unknown_name("kind_province", name, suggestions, note=_history(fold(name)))


def _history(key: str) -> words.Phrase | None:
    """What became of a province of the past, said after the suggestions (None for others)."""
    return words.phrase(_HISTORIC[key]) if key in _HISTORIC else None


def _unknown(name: str, key: str) -> UnknownNameError:
    reg = _register()
    labels: dict[str, str] = {}
    for k, entry in reg.keys.items():
        p = entry.get("current") or entry["former"]
        labels.setdefault(k, p.name if p.era == "current" else p.label())
    close = difflib.get_close_matches(key, list(labels), n=6, cutoff=0.6) if key else []
    suggestions: list[str] = []
    for k in close:
        if labels[k] not in suggestions:
            suggestions.append(labels[k])
    return words.unknown_name("kind_province", name, suggestions[:3], note=_history(key))


def former_parts(current_code_or_name: str | Province) -> list[Province]:
    """The former provinces a current province was made of, in code order.

    An unchanged province returns its one former self; the nation returns every former one.
    A two-digit code is read as a current code.
    """
    if isinstance(current_code_or_name, Province):
        target = current_code_or_name
        if target.era == "former":
            target = successor(target)
    else:
        text = str(current_code_or_name).strip()
        target = current_by_code(text) if text.isdigit() else resolve(text).province
    if target.is_national:
        return former_provinces()
    return list(_register().parts[target.code])


def is_merged(province: str | Province) -> bool:
    """True when a current province was made of more than one former province."""
    return len(former_parts(province)) > 1


def history_note(province: str | Province, lang: str = "vi") -> str | None:
    """The sentence a report on a merged province prints about where its history comes from."""
    parts = former_parts(province)
    if len(parts) <= 1:
        return None
    target = successor(parts[0])
    names = [p.name for p in parts]
    listed = ", ".join(names[:-1]) + f" {word('geo.and', lang)} " + names[-1]
    return word(
        "geo.history_note", lang, name=target.name, full_name=target.full_name, listed=listed
    )


def merger_table() -> pd.DataFrame:
    """The 63 former provinces with their current province: the 63-to-34 mapping as a table."""
    import pandas as pd

    rows = []
    for old in former_provinces():
        new = successor(old)
        rows.append(
            {
                "former_code": old.code,
                "former_name": old.name,
                "former_full_name": old.full_name,
                "current_code": new.code,
                "current_name": new.name,
                "current_full_name": new.full_name,
                "changed": old.changed,
            }
        )
    return pd.DataFrame(rows)
