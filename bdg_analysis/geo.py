"""Province register: 34 provinces since 1 July 2025, the 63 before, names, old-to-new series."""

from __future__ import annotations

import difflib
import importlib.metadata
import importlib.util
import json
import math
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from bdg_analysis.errors import BdgInputError, Problem, UnknownNameError
from bdg_analysis.paths import RESOURCES_DIR

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from bdg_analysis.catalogue import Indicator

NATIONAL_NAME = "Toàn quốc"
NATIONAL_CODE = "00"
#: The first year whose data follow the 34-province map (the merger took effect on 1 July 2025).
MERGER_YEAR = 2025
#: The version of ``vietnamadminunits`` whose data this module was checked against (tests pin it).
LIBRARY = "vietnamadminunits"
LIBRARY_VERSION = "1.0.4"
POPULATION_FILE = RESOURCES_DIR / "geo_population_by_province_sex.csv"
POPULATION_SOURCE = (
    "Tổng cục Thống kê (GSO), PX-Web bảng E02.03-07 'Average population by province, sex and "
    "residence' (cập nhật 2025-07-23)"
)

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
_HISTORIC = {
    "hatay": "Hà Tây was merged into Hà Nội on 1 August 2008 and is not one of the 63 former "
    "provinces; its data cannot be placed without a confirmed mapping",
}
_PREFIXES = (("thanh", "pho"), ("tinh",), ("tp",), ("t", "p"))
_SUFFIXES = (("province",), ("city",))

# Plain-language names of the denominators in catalogue.yaml ``weight`` (for notes).
WEIGHT_LABELS_VI = {
    "births": "số trẻ sinh ra sống",
    "women_15_19": "số phụ nữ 15-19 tuổi",
    "employed_women": "số lao động nữ có việc làm",
    "population": "dân số",
    "female_population": "dân số nữ",
    "male_population": "dân số nam",
}


WEIGHT_LABELS_EN = {
    "births": "live births",
    "women_15_19": "women aged 15-19",
    "employed_women": "employed women",
    "population": "population",
    "female_population": "female population",
    "male_population": "male population",
}


def weight_note_in_english(note: str) -> str:
    """The weighting part of a put-together row's note (written by :func:`aggregate_former` in
    Vietnamese) in English, for English tables; source names stay as published."""
    phrases = [
        ("ước tính: thiếu ", "estimate: "),
        (" làm trọng số, dùng ", " not available as weights, weighted by "),
        ("bình quân gia quyền theo ", "weighted mean by "),
        ("(nguồn trọng số: ", "(weights: "),
        ("(nguồn: ", "(source: "),
        ("không ghi", "not stated"),
        ("PX-Web bảng ", "PX-Web table "),
        ("(cập nhật ", "(updated "),
    ]
    labels = sorted(
        ((WEIGHT_LABELS_VI[k], WEIGHT_LABELS_EN[k]) for k in WEIGHT_LABELS_VI),
        key=lambda pair: -len(pair[0]),
    )  # "dân số nữ" before "dân số"
    out = note
    for vi, en in phrases + labels:
        out = out.replace(vi, en)
    return re.sub(r"(population) năm ([\d, ]+)", r"\1 of \2", out)


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


def fold(name: str) -> str:
    """The matching key of a name: no case, diacritics, punctuation, spaces or unit prefix.

    'Tỉnh Lạng Sơn', 'lang son', 'LẠNG SƠN' and the NFD spelling all give ``langson``;
    'TP.HCM' gives ``hcm``; 'Thua Thien-Hue' gives ``thuathienhue``.
    """
    text = unicodedata.normalize("NFC", str(name)).strip().lower().replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    tokens = re.sub(r"[^a-z0-9]+", " ", text).split()
    changed = True
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


def _library_dir() -> Path:
    """The installed package folder, found without importing it (its import pulls in shapely)."""
    spec = importlib.util.find_spec(LIBRARY)
    if spec is None or not spec.submodule_search_locations:
        raise BdgInputError(
            f"{LIBRARY} is not installed; install the project with its dependencies "
            f"({LIBRARY}=={LIBRARY_VERSION})"
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
        raise UnknownNameError("province code", code, []) from None


def former_by_code(code: str) -> Province:
    """The former (pre-2025) province with this GSO code of its time."""
    code = str(code).strip().zfill(2)
    try:
        return _register().former[code]
    except KeyError:
        raise UnknownNameError("former province code", code, []) from None


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
        raise UnknownNameError("province code", str(name), [])
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
    out = UnknownNameError("province", name, suggestions)
    key = fold(name)
    if key in _HISTORIC:
        out.problems[0].message += f" ({_HISTORIC[key]})"
        out.args = ("\n".join(str(p) for p in out.problems),)
    return out


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
    err = UnknownNameError("province", name, suggestions[:3])
    if key in _HISTORIC:
        err.problems[0].message += f" ({_HISTORIC[key]})"
        err.args = ("\n".join(str(p) for p in err.problems),)
    return err


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
    if lang == "en":
        listed = ", ".join(names[:-1]) + " and " + names[-1]
        return (
            f"{target.name} was formed on 1 July 2025 from the former provinces {listed}. "
            f"Figures before 2025 are put together from those parts (counts summed, rates "
            f"weighted by their denominator)."
        )
    listed = ", ".join(names[:-1]) + " và " + names[-1]
    return (
        f"{target.full_name} được hình thành từ ngày 1/7/2025 trên cơ sở các tỉnh cũ {listed}. "
        f"Số liệu trước năm 2025 được tổng hợp từ các tỉnh cũ đó (số tuyệt đối cộng lại, tỷ lệ "
        f"bình quân gia quyền theo mẫu số)."
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


# ---------------------------------------------------------------- aggregation


@lru_cache(maxsize=1)
def _population_cached() -> pd.DataFrame:
    import pandas as pd

    frame = pd.read_csv(
        POPULATION_FILE, comment="#", dtype={"former_code": str, "year": int, "sex": str}
    )
    return frame


def population_weights() -> pd.DataFrame:
    """Average population (thousand persons) by former province, sex and year, 2010-2024.

    Source: :data:`POPULATION_SOURCE`. Columns ``former_code``, ``former_name``, ``year``,
    ``sex`` (female, male, total), ``population_thousand``, ``status``.
    """
    return _population_cached().copy()


@lru_cache(maxsize=1)
def _population_index() -> dict[tuple[str, str], tuple[tuple[int, float], ...]]:
    """(former code, sex) -> ((year, population), ...): built once, looked up per row."""
    frame = _population_cached()
    index: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for code, sex, year, pop in zip(
        frame["former_code"], frame["sex"], frame["year"], frame["population_thousand"], strict=True
    ):
        index.setdefault((str(code), str(sex)), []).append((int(year), float(pop)))
    return {key: tuple(sorted(values)) for key, values in index.items()}


def _population_lookup(former_code: str, year: int, sex: str) -> tuple[float, int] | None:
    """Population of a former province for ``year`` (or the nearest year held) and that year."""
    values = _population_index().get((former_code, sex))
    if not values:
        return None
    best_year, pop = min(values, key=lambda item: (abs(item[0] - year), item[0]))
    return pop, best_year


_STATUS_RANK = {"official": 0, "provisional": 1, "estimate": 2, "demo": 3}


def _worst_status(statuses: list[str]) -> str:
    known = [s for s in statuses if isinstance(s, str) and s in _STATUS_RANK]
    return max(known, key=_STATUS_RANK.__getitem__) if known else "official"


def _weights_index(weights: pd.DataFrame | None) -> dict[tuple[str, int, str, str], tuple]:
    """(former code, year, weight name, sex) -> (value, source) from a weights frame."""
    if weights is None or len(weights) == 0:
        return {}
    import pandas as pd

    required = {"year", "weight", "value"}
    missing = required - set(weights.columns)
    if missing or not ({"province", "province_code"} & set(weights.columns)):
        raise BdgInputError(
            Problem(
                "<weights>",
                None,
                ", ".join(sorted(missing)) or "province",
                "a weights table needs columns province (or province_code), year, weight, value "
                "and optionally sex and source",
            )
        )
    index: dict[tuple[str, int, str, str], tuple] = {}
    for i, row in enumerate(weights.to_dict("records")):
        year = int(row["year"])
        name = row.get("province")
        if name is None or (isinstance(name, float) and math.isnan(name)):
            name = str(row["province_code"])
        res = resolve(str(name), min(year, MERGER_YEAR - 1))
        code = (res.former or former_parts(res.province)[0]).code
        if res.former is None and len(former_parts(res.province)) != 1:
            raise BdgInputError(
                Problem("<weights>", i + 1, "province", f"{name!r} is not a former province")
            )
        value = row["value"]
        if value is None or pd.isna(value):
            continue
        sex = row.get("sex")
        sex = "total" if sex is None or (isinstance(sex, float) and math.isnan(sex)) else str(sex)
        source = row.get("source")
        source = "" if source is None or (isinstance(source, float) and pd.isna(source)) else source
        index[(code, year, str(row["weight"]), sex)] = (float(value), str(source))
    return index


def aggregate_former(
    frame: pd.DataFrame, indicator: Indicator, weights: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Put a current province's pre-2025 series together from its former provinces' rows.

    Rows of ``indicator`` name places in ``province`` (or ``province_code``) as the source of
    their year named them: a 2020 row for 'Bắc Kạn' or for 'Thái Nguyên' is a former unit. If
    the frame has a ``former`` column (as ``validate`` leaves it), that column names the former
    unit and ``province`` the current one. Rows
    whose territory did not change, national rows and rows from 2025 on pass through with the
    current name and code. Rows of merged parts are combined per current province, year and sex:

    - ``count``: summed; if a part has no value the result is missing (a partial sum would
      undercount), with a note naming the missing parts.
    - ``binary``: 1 only when every part has 1.
    - ``share``/``ratio``/``rate``: mean weighted by the indicator's denominator
      (``Indicator.weight``: births for the sex ratio at birth and maternal mortality, women
      15-19 for adolescent births, employed women for labour shares), taken from ``weights``
      (columns province, year, weight, value, [sex], [source]). Population-weighted indicators
      use the shipped GSO population. Without the proper weight for every part, female
      population (male for rows with sex 'male') is used instead and the row is marked
      ``estimate``; so is a result missing some parts. Nothing is averaged silently.

    The note of every combined row names the parts, the weights and their source, and the
    source rows (file:row) it was built from.

    Returns
    -------
    DataFrame
        Tidy rows (same columns as ``frame``) for ``indicator`` only.
    """
    import pandas as pd

    columns = list(frame.columns)
    rows = frame[frame["indicator"] == indicator.id] if "indicator" in frame else frame
    if rows.empty:
        return rows.copy()
    weight_index = _weights_index(weights)
    has_former_column = "former" in rows.columns
    passthrough: list[dict] = []
    groups: dict[tuple[str, int, str], list[tuple[Province, dict]]] = {}
    for record in rows.to_dict("records"):
        year = int(record["year"])
        name = record.get("province")
        if _blank(name):
            name = str(record.get("province_code", ""))
        if has_former_column:
            # Rows checked by validate: ``province`` is already current, ``former`` names the
            # former unit (empty when the territory did not change).
            former_name = record.get("former")
            if _blank(former_name):
                res = resolve(str(name))
            else:
                res = resolve(str(former_name), min(year, MERGER_YEAR - 1))
        else:
            res = resolve(str(name), year)
        if res.former is None:
            out = dict(record)
            out["province"] = res.province.name
            if "province_code" in out or "province_code" not in columns:
                out["province_code"] = res.province.code
            passthrough.append(out)
            continue
        sex = record.get("sex")
        sex = "total" if sex is None or (isinstance(sex, float) and math.isnan(sex)) else sex
        groups.setdefault((res.province.code, year, str(sex)), []).append((res.former, record))

    combined = [
        _combine(code, year, sex, members, indicator, weight_index)
        for (code, year, sex), members in sorted(groups.items())
    ]
    out = pd.DataFrame(passthrough + combined)
    for col in columns:
        if col not in out:
            out[col] = None
    if "former" in out:
        out["former"] = out["former"].fillna("")
    if "province_code" not in columns:
        columns.append("province_code")
    out = out[columns]
    if "source_row" in frame and pd.api.types.is_integer_dtype(frame["source_row"]):
        out["source_row"] = out["source_row"].astype("Int64")
    sort = [c for c in ("province_code", "indicator", "year", "sex") if c in out]
    return out.sort_values(sort, kind="stable", na_position="first").reset_index(drop=True)


def _combine(
    code: str,
    year: int,
    sex: str,
    members: list[tuple[Province, dict]],
    indicator: Indicator,
    weight_index: dict[tuple[str, int, str, str], tuple],
) -> dict:
    """One current-province row from its former parts' rows (see :func:`aggregate_former`)."""
    target = _register().current[code]
    expected = former_parts(target)
    seen: dict[str, dict] = {}
    for part, record in members:
        if part.code in seen:
            where = _trace([seen[part.code], record])
            raise BdgInputError(
                Problem(
                    str(record.get("source_file") or "<data>"),
                    _row_number(record),
                    "province",
                    f"two {indicator.id} values for {part.name} {year} (sex {sex}) ({where}); "
                    f"aggregation needs one value per former province",
                )
            )
        seen[part.code] = record
    present = [p for p in expected if p.code in seen and _number(seen[p.code]["value"]) is not None]
    missing = [p for p in expected if p not in present]
    values = {p.code: _number(seen[p.code]["value"]) for p in present}
    records = list(seen.values())
    status = _worst_status([r.get("status") for r in records])
    parts_text = ", ".join(f"{p.name} ({p.code})" for p in expected)
    notes = [f"gộp từ tỉnh cũ: {parts_text}"]
    value: float | None
    estimated = False

    if not present:
        value = None
        notes.append("không có số liệu của tỉnh cũ nào")
    elif indicator.kind == "count":
        if missing:
            value = None
            notes.append(f"thiếu {_names(missing)}: không cộng một phần (sẽ thiếu)")
        else:
            value = sum(values.values())  # type: ignore[arg-type]
            notes.append("cộng số tuyệt đối")
    elif indicator.kind == "binary":
        if missing:
            value = None
            notes.append(f"thiếu {_names(missing)}")
        else:
            value = min(values.values())  # type: ignore[type-var]
            notes.append("đạt (1) khi mọi tỉnh cũ đạt")
    else:
        value, weight_note, estimated = _weighted(
            present, values, year, sex, indicator, weight_index
        )
        notes.append(weight_note)
        if missing:
            estimated = True
            notes.append(f"thiếu số liệu của {_names(missing)}: giá trị chỉ đại diện phần còn lại")
    if estimated and status != "demo":
        status = "estimate"
    notes.append(f"dòng nguồn: {_trace(records)}")
    result = {
        "province": target.name,
        "province_code": target.code,
        "indicator": indicator.id,
        "year": year,
        "value": float("nan") if value is None else float(value),
        "sex": None if sex == "total" and not any(r.get("sex") for r in records) else sex,
        "source": "; ".join(dict.fromkeys(str(r["source"]) for r in records if r.get("source"))),
        "note": "; ".join(notes),
        "status": status,
        "source_file": "; ".join(
            dict.fromkeys(str(r["source_file"]) for r in records if r.get("source_file"))
        ),
        "source_row": None,
    }
    return result


def _weighted(
    present: list[Province],
    values: dict[str, float | None],
    year: int,
    sex: str,
    indicator: Indicator,
    weight_index: dict[tuple[str, int, str, str], tuple],
) -> tuple[float, str, bool]:
    """Weighted mean of the parts' values, the note saying which weights, and 'estimated'."""
    denominator = indicator.weight or "population"
    label = WEIGHT_LABELS_VI.get(denominator, denominator)
    proper = [weight_index.get((p.code, year, denominator, sex)) for p in present]
    if sex != "total" and not all(proper):
        proper = [weight_index.get((p.code, year, denominator, "total")) for p in present]
    if all(proper):
        w = [float(x[0]) for x in proper]  # type: ignore[index]
        sources = "; ".join(dict.fromkeys(x[1] for x in proper if x[1])) or "không ghi"  # type: ignore[index]
        note = f"bình quân gia quyền theo {label} (nguồn trọng số: {sources})"
        estimated = False
    else:
        fallback_sex = (
            "total" if denominator == "population" else ("male" if sex == "male" else "female")
        )
        w = []
        years = set()
        for p in present:
            found = _population_lookup(p.code, year, fallback_sex)
            if found is None:  # pragma: no cover - every former province is in the file
                raise BdgInputError(f"no population for {p.name} in {POPULATION_FILE.name}")
            w.append(found[0])
            years.add(found[1])
        pop_label = {"total": "dân số", "male": "dân số nam", "female": "dân số nữ"}[fallback_sex]
        year_text = "" if years == {year} else f" năm {', '.join(str(y) for y in sorted(years))}"
        if denominator == "population":
            note = f"bình quân gia quyền theo {pop_label}{year_text} (nguồn: {POPULATION_SOURCE})"
            estimated = years != {year}
        else:
            note = (
                f"ước tính: thiếu {label} làm trọng số, dùng {pop_label}{year_text} "
                f"(nguồn: {POPULATION_SOURCE})"
            )
            estimated = True
    total = sum(w)
    value = sum(wi * float(values[p.code]) for wi, p in zip(w, present, strict=True)) / total
    return value, note, estimated


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _names(provinces: list[Province]) -> str:
    return ", ".join(p.name for p in provinces)


def _row_number(record: dict) -> int | None:
    row = record.get("source_row")
    number = _number(row)
    return None if number is None else int(number)


def _trace(records: list[dict]) -> str:
    out = []
    for r in records:
        file = r.get("source_file") or "?"
        row = _row_number(r)
        out.append(f"{file}:{row}" if row is not None else str(file))
    return ", ".join(out)
