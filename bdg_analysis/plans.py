"""Jurisdiction plans from params/*.yaml: own targets merged over the national defaults."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from bdg_analysis import catalogue, geo, paths
from bdg_analysis.catalogue import Indicator
from bdg_analysis.errors import BdgInputError, Problem, UnknownNameError
from bdg_analysis.targets import OPERATORS, Target

# the C parser when PyYAML has it: the pure-Python one costs a second per report
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

NATIONAL_FILE = "national.yaml"
LEVELS = ("national", "province", "district")
ROLES = ("responsible", "coordinating")

_TOP_KEYS = {
    "schema": False,
    "jurisdiction": True,
    "source_file": False,
    "document": True,
    "period": True,
    "lead_agency": False,
    "local_indicators": False,
    "targets": True,
    "baselines": False,
    "agencies": False,
    "deadlines": False,
}
_JURISDICTION_KEYS = {"name", "level", "province", "former_province", "aliases", "parent"}
_DOCUMENT_KEYS = {"kind", "number", "number_text", "date", "issuer", "title", "signed_by"}
_TARGET_KEYS = {"id", "year", "op", "value", "value_high", "wording", "section", "note", "note_en"}
_BASELINE_KEYS = {"id", "year", "value", "wording", "section", "note", "note_en"}
_AGENCY_KEYS = {"agency", "role", "targets", "section", "wording"}
_DEADLINE_KEYS = {"what", "due", "section", "wording", "note", "note_en"}
_LEAD_KEYS = {"name", "wording", "section"}
_LOCAL_REQUIRED = (
    "id",
    "goal",
    "name_vi",
    "name_en",
    "short_vi",
    "short_en",
    "unit_vi",
    "unit_en",
    "kind",
    "direction",
)
_LOCAL_OPTIONAL = {
    "lower",
    "upper",
    "weight",
    "data_source_vi",
    "data_source_en",
    "agency",
    "section",
}
_ID_PATTERN = re.compile(r"^M(\d+)\.CT(\d+)([a-z]?)$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


@dataclass
class Plan:
    """The targets a jurisdiction tracks, with where each comes from.

    ``targets`` holds the jurisdiction's own targets merged over those of the plan it falls
    under (its province's, else the national plan): an own value wins for its indicator and
    year. ``own_target_keys`` are the (indicator, year) pairs the jurisdiction's document sets.
    Each ``Target.source`` cites the document, its section and the source file.
    ``agencies`` maps an indicator to ``{"responsible": [...], "coordinating": [...],
    "source": "..."}`` where the document assigns it; ``deadlines`` are ``{"what", "due",
    "source"}`` with ``due`` as ``MM-DD`` or text. ``has_own_file`` is False for a province
    that follows the national plan without a params file of its own.
    """

    jurisdiction: str
    level: str
    province: geo.Province
    document: dict
    period: tuple[int, int]
    source_file: str | None
    targets: list[Target]
    own_target_keys: frozenset[tuple[str, int]]
    baselines: list[dict] = field(default_factory=list)
    agencies: dict[str, dict] = field(default_factory=dict)
    deadlines: list[dict] = field(default_factory=list)
    former_province: geo.Province | None = None
    params_file: str | None = None
    lead_agency: dict | None = None
    has_own_file: bool = True
    follows: str | None = None
    follows_via: str | None = None
    local_indicators: dict[str, Indicator] = field(default_factory=dict)
    target_notes: dict[tuple[str, int], str] = field(default_factory=dict)
    target_notes_en: dict[tuple[str, int], str] = field(default_factory=dict)
    target_sections: dict[tuple[str, int], str] = field(default_factory=dict)
    target_origin: dict[tuple[str, int], str] = field(default_factory=dict)
    related: list[str] = field(default_factory=list)

    @property
    def is_national(self) -> bool:
        return self.level == "national"

    def target(self, indicator: str, year: int) -> Target | None:
        """The target for ``indicator`` in ``year``, own or inherited, if any."""
        return next((t for t in self.targets if t.indicator == indicator and t.year == year), None)

    def targets_for(self, indicator: str) -> list[Target]:
        """Every target year of ``indicator``, in year order."""
        return sorted((t for t in self.targets if t.indicator == indicator), key=lambda t: t.year)

    def is_own(self, indicator: str, year: int) -> bool:
        """True when the jurisdiction's own document sets this target (not a default)."""
        return (indicator, year) in self.own_target_keys

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator's definition: the catalogue's, or this plan's own (Quảng Ninh M1.CT2)."""
        if indicator_id in self.local_indicators:
            return self.local_indicators[indicator_id]
        return catalogue.get(indicator_id)

    def indicator_ids(self) -> list[str]:
        """Every indicator with a target in this plan, in the documents' order."""
        return sorted({t.indicator for t in self.targets}, key=_id_order)

    def agency_for(self, indicator_id: str) -> dict:
        """Who answers for an indicator: as the plan assigns it, else the catalogue's default."""
        if indicator_id in self.agencies:
            return self.agencies[indicator_id]
        ind = self.indicator(indicator_id)
        return {
            "responsible": [ind.agency] if ind.agency else [],
            "coordinating": [],
            "source": "catalogue default (not assigned by the plan's document)",
        }

    def document_label(self) -> str:
        """The document as a citation: ``Kế hoạch 82/KH-UBND ngày 08/04/2021 của ...``."""
        return _document_label(self.document)

    def title(self, lang: str = "vi") -> str:
        """One line saying which plan applies to whom."""
        if self.has_own_file:
            return self.document_label()
        if lang == "en":
            return (
                f"{self.jurisdiction}: no plan of its own in params/; the national targets apply "
                f"({self.document_label()})"
            )
        return (
            f"{self.jurisdiction}: chưa có kế hoạch riêng trong params/; áp dụng chỉ tiêu quốc "
            f"gia ({self.document_label()})"
        )


# ---------------------------------------------------------------- reading and checking


def _id_order(indicator_id: str) -> tuple:
    m = _ID_PATTERN.match(indicator_id)
    if not m:
        return (99, 99, indicator_id)
    return (int(m.group(1)), int(m.group(2)), m.group(3))


def _lines(text: str) -> dict[tuple, int]:
    """(key path) -> 1-based line of that key in the YAML text, for error messages."""
    out: dict[tuple, int] = {}

    def walk(node: yaml.Node, path: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                sub = (*path, key_node.value)
                out[sub] = key_node.start_mark.line + 1
                walk(value_node, sub)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                sub = (*path, i)
                out[sub] = item.start_mark.line + 1
                walk(item, sub)

    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        return out
    if root is not None:
        walk(root, ())
    return out


def _key(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _Checker:
    """Collects problems with the file, line and key they concern."""

    def __init__(self, file: str, lines: dict[tuple, int]):
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, path: tuple, message: str) -> None:
        line = None
        for n in range(len(path), -1, -1):
            if path[:n] in self.lines:
                line = self.lines[path[:n]]
                break
        self.problems.append(Problem(self.file, line, _key(path) or None, message))

    def unknown_keys(self, entry: dict, allowed: set[str], path: tuple) -> None:
        for key in entry:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.add(
                    (*path, key),
                    f"unknown key {key!r}{hint}; expected one of {', '.join(sorted(allowed))}",
                )

    def mapping(self, value: object, path: tuple, what: str) -> bool:
        if not isinstance(value, dict):
            self.add(path, f"expected {what} (a mapping), got {type(value).__name__}")
            return False
        return True

    def sequence(self, value: object, path: tuple) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(path, f"expected a list, got {type(value).__name__}")
            return []
        return value

    def text(self, entry: dict, key: str, path: tuple, required: bool = True) -> None:
        value = entry.get(key)
        if value is None:
            if required:
                self.add((*path, key), f"missing {key!r} (expected text)")
            return
        if not isinstance(value, str) or not value.strip():
            self.add((*path, key), f"expected non-empty text, got {value!r}")

    def year(self, value: object, path: tuple, period: tuple[int, int] | None) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, f"expected a year (an integer such as 2030), got {value!r}")
            return None
        if period is not None and not period[0] <= value <= period[1]:
            self.add(path, f"year {value} is outside the plan period {period[0]}-{period[1]}")
        return value

    def number(self, entry: dict, key: str, path: tuple) -> float | None:
        value = entry.get(key)
        if value is None:
            self.add((*path, key), f"missing {key!r} (expected a number)")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add((*path, key), f"expected a number, got {value!r}")
            return None
        return float(value)


def _known_ids(local: dict[str, dict]) -> set[str]:
    return set(catalogue.ids()) | set(local)


def _check_indicator(chk: _Checker, value: object, path: tuple, known: set[str]) -> bool:
    if not isinstance(value, str) or value not in known:
        close = difflib.get_close_matches(str(value), sorted(known), n=3, cutoff=0.5)
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        chk.add(
            path,
            f"unknown indicator {value!r}{hint} (ids are those of catalogue.yaml, or declared "
            f"under local_indicators)",
        )
        return False
    return True


def _check(data: object, chk: _Checker) -> None:
    """Every rule of a params file; problems go to ``chk``."""
    if not chk.mapping(data, (), "a params file"):
        return
    assert isinstance(data, dict)
    chk.unknown_keys(data, set(_TOP_KEYS), ())
    for key, required in _TOP_KEYS.items():
        if required and key not in data:
            chk.add((key,), f"missing {key!r}")

    level = None
    jur = data.get("jurisdiction")
    if jur is not None and chk.mapping(jur, ("jurisdiction",), "the jurisdiction"):
        chk.unknown_keys(jur, _JURISDICTION_KEYS, ("jurisdiction",))
        chk.text(jur, "name", ("jurisdiction",))
        level = jur.get("level")
        if level not in LEVELS:
            chk.add(
                ("jurisdiction", "level"),
                f"level {level!r} is not one of {', '.join(LEVELS)}",
            )
        _check_places(jur, level, chk)

    period: tuple[int, int] | None = None
    per = data.get("period")
    if per is not None and chk.mapping(per, ("period",), "the period {start, end}"):
        chk.unknown_keys(per, {"start", "end"}, ("period",))
        start = chk.year(per.get("start"), ("period", "start"), None)
        end = chk.year(per.get("end"), ("period", "end"), None)
        if start is not None and end is not None:
            if start > end:
                chk.add(("period",), f"start {start} is after end {end}")
            else:
                period = (start, end)

    doc = data.get("document")
    if doc is not None and chk.mapping(doc, ("document",), "the document"):
        chk.unknown_keys(doc, _DOCUMENT_KEYS, ("document",))
        chk.text(doc, "issuer", ("document",))
        chk.text(doc, "title", ("document",))
        for key in ("kind", "number", "number_text", "signed_by"):
            chk.text(doc, key, ("document",), required=False)
        date = doc.get("date")
        if date is not None and not re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", str(date)):
            chk.add(("document", "date"), f"expected YYYY, YYYY-MM or YYYY-MM-DD, got {date!r}")

    lead = data.get("lead_agency")
    if lead is not None and chk.mapping(lead, ("lead_agency",), "the lead agency"):
        chk.unknown_keys(lead, _LEAD_KEYS, ("lead_agency",))
        chk.text(lead, "name", ("lead_agency",))
        chk.text(lead, "section", ("lead_agency",))

    local: dict[str, dict] = {}
    for i, entry in enumerate(chk.sequence(data.get("local_indicators"), ("local_indicators",))):
        path = ("local_indicators", i)
        if not chk.mapping(entry, path, "an indicator definition"):
            continue
        chk.unknown_keys(entry, set(_LOCAL_REQUIRED) | _LOCAL_OPTIONAL, path)
        for key in _LOCAL_REQUIRED:
            if key not in entry:
                chk.add((*path, key), f"missing {key!r}")
        ind_id = entry.get("id")
        if not isinstance(ind_id, str) or not _ID_PATTERN.match(ind_id):
            chk.add((*path, "id"), f"id {ind_id!r} is not of the form M<goal>.CT<n>")
        elif catalogue.is_known(ind_id):
            chk.add((*path, "id"), f"{ind_id} is a catalogue indicator; do not redefine it")
        else:
            local[ind_id] = entry
        if entry.get("kind") not in ("share", "ratio", "rate", "count", "binary"):
            chk.add(
                (*path, "kind"),
                f"kind {entry.get('kind')!r} is not one of share, ratio, rate, count, binary",
            )
        if entry.get("direction") not in ("higher", "lower"):
            chk.add(
                (*path, "direction"),
                f"direction {entry.get('direction')!r} is not one of higher, lower",
            )
    known = _known_ids(local)

    seen: dict[tuple[str, int], int] = {}
    for i, entry in enumerate(chk.sequence(data.get("targets"), ("targets",))):
        path = ("targets", i)
        if not chk.mapping(entry, path, "a target"):
            continue
        chk.unknown_keys(entry, _TARGET_KEYS, path)
        ok_id = _check_indicator(chk, entry.get("id"), (*path, "id"), known)
        year = chk.year(entry.get("year"), (*path, "year"), period)
        op = entry.get("op")
        if op not in OPERATORS:
            chk.add((*path, "op"), f"operator {op!r} is not one of {', '.join(OPERATORS)}")
        value = chk.number(entry, "value", path)
        if op == "between":
            high = None
            if entry.get("value_high") is None:
                chk.add((*path, "value_high"), "missing 'value_high' (required for 'between')")
            else:
                high = chk.number(entry, "value_high", path)
            if value is not None and high is not None and high < value:
                chk.add((*path, "value_high"), f"value_high {high:g} is below value {value:g}")
        elif entry.get("value_high") is not None:
            chk.add((*path, "value_high"), f"value_high is only for 'between', not {op!r}")
        chk.text(entry, "wording", path)
        chk.text(entry, "section", path)
        if ok_id and value is not None:
            _check_bounds(chk, entry, path, local)
        if ok_id and year is not None:
            pair = (entry["id"], year)
            if pair in seen:
                chk.add(
                    path, f"second target for {pair[0]} {pair[1]} (first at targets[{seen[pair]}])"
                )
            else:
                seen[pair] = i

    for i, entry in enumerate(chk.sequence(data.get("baselines"), ("baselines",))):
        path = ("baselines", i)
        if not chk.mapping(entry, path, "a baseline"):
            continue
        chk.unknown_keys(entry, _BASELINE_KEYS, path)
        _check_indicator(chk, entry.get("id"), (*path, "id"), known)
        if entry.get("year") is not None:
            base_year = chk.year(entry.get("year"), (*path, "year"), None)
            if base_year is not None and period is not None and base_year > period[1]:
                chk.add(
                    (*path, "year"),
                    f"baseline year {base_year} is after the plan period {period[0]}-{period[1]}",
                )
        chk.number(entry, "value", path)
        chk.text(entry, "wording", path)
        chk.text(entry, "section", path)

    for i, entry in enumerate(chk.sequence(data.get("agencies"), ("agencies",))):
        path = ("agencies", i)
        if not chk.mapping(entry, path, "an agency assignment"):
            continue
        chk.unknown_keys(entry, _AGENCY_KEYS, path)
        chk.text(entry, "agency", path)
        chk.text(entry, "section", path)
        if entry.get("role") not in ROLES:
            chk.add((*path, "role"), f"role {entry.get('role')!r} is not one of {', '.join(ROLES)}")
        ids = chk.sequence(entry.get("targets"), (*path, "targets"))
        if not ids:
            chk.add((*path, "targets"), "expected a non-empty list of indicator ids")
        for j, ind_id in enumerate(ids):
            _check_indicator(chk, ind_id, (*path, "targets", j), known)

    for i, entry in enumerate(chk.sequence(data.get("deadlines"), ("deadlines",))):
        path = ("deadlines", i)
        if not chk.mapping(entry, path, "a deadline"):
            continue
        chk.unknown_keys(entry, _DEADLINE_KEYS, path)
        chk.text(entry, "what", path)
        chk.text(entry, "section", path)
        due = entry.get("due")
        if due is None or str(due).strip() == "":
            chk.add((*path, "due"), "missing 'due' (MM-DD, a year, or text such as 'hằng năm')")
            continue
        m = _MONTH_DAY.match(str(due))
        if m and not (1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 31):
            chk.add((*path, "due"), f"{due!r} is not a valid MM-DD date")
        if re.fullmatch(r"\d{4}", str(due)) and period is not None:
            chk.year(int(due), (*path, "due"), period)
        if isinstance(due, int) and not re.fullmatch(r"\d{4}", str(due)):
            chk.add((*path, "due"), f"expected MM-DD (quoted), a year or text, got {due!r}")


def _check_places(jur: dict, level: str | None, chk: _Checker) -> None:
    """The jurisdiction's current province (and former one) must be confirmed by geo."""
    if level == "national":
        for key in ("province", "former_province"):
            if jur.get(key) is not None:
                chk.add(("jurisdiction", key), "the national plan has no province")
        return
    current = None
    name = jur.get("province")
    if name is None:
        chk.add(("jurisdiction", "province"), "missing 'province' (the current province)")
    else:
        try:
            res = geo.resolve(str(name))
        except BdgInputError as err:
            chk.add(("jurisdiction", "province"), err.problems[0].message)
        else:
            current = res.province
            if res.is_national:
                chk.add(("jurisdiction", "province"), f"{name!r} is the whole country")
    former_name = jur.get("former_province")
    if former_name is not None:
        try:
            res = geo.resolve(str(former_name), geo.MERGER_YEAR - 1)
        except BdgInputError as err:
            chk.add(("jurisdiction", "former_province"), err.problems[0].message)
        else:
            if current is not None and res.province.code != current.code:
                chk.add(
                    ("jurisdiction", "former_province"),
                    f"{former_name} is now part of {res.province.name}, not of {current.name}",
                )


def _check_bounds(chk: _Checker, entry: dict, path: tuple, local: dict[str, dict]) -> None:
    ind_id = entry["id"]
    if ind_id in local:
        lower, upper = local[ind_id].get("lower"), local[ind_id].get("upper")
    else:
        ind = catalogue.get(ind_id)
        lower, upper = ind.lower, ind.upper
    for key in ("value", "value_high"):
        value = entry.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if (lower is not None and value < lower) or (upper is not None and value > upper):
            top = "∞" if upper is None else upper
            chk.add((*path, key), f"{value:g} is outside the indicator's range {lower}-{top}")


def _read(path: Path) -> tuple[object, list[Problem]]:
    """The parsed YAML of a params file and its problems."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(file, None, None, "file not found")]
    except UnicodeDecodeError as err:
        return None, [Problem(file, None, None, f"not UTF-8 text ({err.reason})")]
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(err, "problem", None) or str(err)
        return None, [Problem(file, line, None, f"not valid YAML: {problem}")]
    chk = _Checker(file, _lines(text))
    _check(data, chk)
    return data, chk.problems


def validate_params_file(path: str | Path) -> list[Problem]:
    """Every problem in one params file (empty when it is fine), with file, line and key.

    Checks: known keys, indicator ids (catalogue or the file's ``local_indicators``),
    operators, numbers within the indicator's range, ``value_high`` only for ``between``,
    target years inside the plan period, one target per indicator and year, the province
    (and former province) confirmed by :mod:`bdg_analysis.geo`, deadlines as MM-DD or text.
    """
    return _read(Path(path))[1]


def validate_params_dir(directory: str | Path | None = None) -> list[Problem]:
    """The problems of every params file in ``directory`` (default: the project's params/)."""
    folder = Path(directory) if directory is not None else paths.params_dir()
    problems: list[Problem] = []
    files = sorted(folder.glob("*.yaml"))
    if not any(f.name == NATIONAL_FILE for f in files):
        problems.append(Problem(str(folder / NATIONAL_FILE), None, None, "file not found"))
    names: dict[str, Path] = {}
    for file in files:
        data, found = _read(file)
        problems += found
        if isinstance(data, dict) and isinstance(data.get("jurisdiction"), dict):
            key = _jkey(str(data["jurisdiction"].get("name", "")))
            if key in names:
                problems.append(
                    Problem(
                        str(file),
                        None,
                        "jurisdiction.name",
                        f"same jurisdiction as {names[key].name}",
                    )
                )
            names[key] = file
    return problems


# ---------------------------------------------------------------- loading


def _jkey(name: str) -> str:
    key = geo.fold(name)
    for prefix in ("huyen", "quan", "thixa"):
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :]
    return key


@lru_cache(maxsize=64)
def _parsed(path_text: str, mtime: int) -> dict:
    """A checked params file; raises BdgInputError listing every problem."""
    data, problems = _read(Path(path_text))
    if problems:
        raise BdgInputError(problems)
    assert isinstance(data, dict)
    return data


def _load_data(path: Path) -> dict:
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise BdgInputError(Problem(str(path), None, None, "file not found")) from None
    return _parsed(str(path), mtime)


@lru_cache(maxsize=16)
def _scan_cached(folder: str, stamp: tuple) -> tuple[dict, ...]:
    entries = []
    for file in sorted(Path(folder).glob("*.yaml")):
        try:
            data = yaml.load(file.read_text(encoding="utf-8"), Loader=_LOADER)
        except (yaml.YAMLError, UnicodeDecodeError) as err:
            raise BdgInputError(Problem(str(file), None, None, f"not valid YAML: {err}")) from None
        jur = data.get("jurisdiction") if isinstance(data, dict) else None
        if not isinstance(jur, dict) or not jur.get("name"):
            raise BdgInputError(Problem(str(file), None, "jurisdiction.name", "missing"))
        entries.append(
            {
                "file": str(file),
                "name": str(jur["name"]),
                "aliases": [str(a) for a in jur.get("aliases") or []],
                "level": jur.get("level"),
                "province": jur.get("province"),
            }
        )
    return tuple(entries)


def _scan(folder: Path) -> tuple[dict, ...]:
    """The jurisdiction of every params file, read without the full check (for look-ups)."""
    files = sorted(folder.glob("*.yaml"))
    stamp = tuple((f.name, f.stat().st_mtime_ns) for f in files)
    return _scan_cached(str(folder), stamp)


def _index(folder: Path) -> dict[str, str]:
    """Folded jurisdiction name or alias -> params file."""
    index: dict[str, str] = {}
    for entry in _scan(folder):
        for name in [entry["name"], *entry["aliases"]]:
            index.setdefault(_jkey(name), entry["file"])
    return index


def list_jurisdictions(params_dir: str | Path | None = None) -> list[dict]:
    """Every jurisdiction with a params file: ``{"name", "level", "province", "file"}``."""
    folder = Path(params_dir) if params_dir is not None else paths.params_dir()
    out = []
    for file in (e["file"] for e in _scan(folder)):
        data = _load_data(Path(file))
        jur = data["jurisdiction"]
        out.append(
            {
                "name": jur["name"],
                "level": jur["level"],
                "province": jur.get("province") or geo.NATIONAL_NAME,
                "file": file,
            }
        )
    return out


def load_plan(name: str, params_dir: str | Path | None = None) -> Plan:
    """The plan ``name`` tracks: its own targets merged over the national defaults.

    ``name`` is a jurisdiction with a params file ('Hiệp Hòa', 'Quảng Ninh', 'Bắc Kạn'), any
    province name geo understands ('Lang Son', 'TP.HCM', 'Bắc Giang' -> Bắc Ninh), or a national
    name. A province without a file gets the national plan, labelled as such
    (``has_own_file`` False).

    Raises
    ------
    UnknownNameError
        For a name that is neither a jurisdiction nor a province, with suggestions.
    BdgInputError
        When a params file it needs has problems (each with file, line and key).
    """
    folder = Path(params_dir) if params_dir is not None else paths.params_dir()
    return _load_plan(name, folder, depth=0)


def _load_plan(name: str, folder: Path, depth: int) -> Plan:
    if depth > 3:
        raise BdgInputError(f"params: the plans' parents loop at {name!r}")
    index = _index(folder)
    national_path = folder / NATIONAL_FILE
    if not national_path.exists():
        raise BdgInputError(
            Problem(
                str(national_path), None, None, "file not found: the national targets are needed"
            )
        )
    key = _jkey(name)
    if key in index:
        return _from_file(Path(index[key]), folder, depth)
    try:
        res = geo.resolve(name)
    except UnknownNameError:
        close = difflib.get_close_matches(key, list(index), n=2, cutoff=0.6)
        names = {e["file"]: e["name"] for e in _scan(folder)}
        raise geo.unknown_name_error(name, [names[index[k]] for k in close]) from None
    if res.is_national:
        return _from_file(national_path, folder, depth)
    own = index.get(_jkey(res.province.name))
    if own is not None:
        plan = _from_file(Path(own), folder, depth)
        if plan.level == "province" and plan.province.code == res.province.code:
            return plan
    return _default_plan(res.province, folder)


def _date_text(date: object) -> str:
    text = "" if date is None else str(date)
    parts = text.split("-")
    if len(parts) == 3:
        return f"ngày {parts[2]}/{parts[1]}/{parts[0]}"
    if len(parts) == 2:
        return f"tháng {int(parts[1])}/{parts[0]}"
    return f"năm {text}" if text else ""


def _document_label(doc: dict) -> str:
    kind = doc.get("kind") or "Văn bản"
    number = doc.get("number") or "(không ghi số)"
    parts = [f"{kind} {number}", _date_text(doc.get("date"))]
    if doc.get("issuer"):
        parts.append(f"của {doc['issuer']}")
    return " ".join(p for p in parts if p)


def _local_indicator(entry: dict) -> Indicator:
    return Indicator(
        id=entry["id"],
        goal=int(entry["goal"]),
        name_vi=entry["name_vi"],
        name_en=entry["name_en"],
        short_vi=entry["short_vi"],
        short_en=entry["short_en"],
        unit_vi=entry["unit_vi"],
        unit_en=entry["unit_en"],
        kind=entry["kind"],
        direction=entry["direction"],
        lower=entry.get("lower"),
        upper=entry.get("upper"),
        weight=entry.get("weight"),
        data_source_vi=entry.get("data_source_vi", ""),
        data_source_en=entry.get("data_source_en", ""),
        agency=entry.get("agency", ""),
        national_targets=(),
    )


def _cite(doc_label: str, section: str, source_file: str | None) -> str:
    text = f"{doc_label}, mục {section}"
    return f"{text} ({source_file})" if source_file else text


def _from_file(path: Path, folder: Path, depth: int) -> Plan:
    data = _load_data(path)
    jur = data["jurisdiction"]
    level = jur["level"]
    doc = dict(data["document"])
    label = _document_label(doc)
    source_file = data.get("source_file")
    period = (int(data["period"]["start"]), int(data["period"]["end"]))
    if level == "national":
        province = geo.national()
        former = None
    else:
        province = geo.resolve(str(jur["province"])).province
        former = None
        if jur.get("former_province"):
            res = geo.resolve(str(jur["former_province"]), geo.MERGER_YEAR - 1)
            former = res.former or res.province

    own: list[Target] = []
    notes: dict[tuple[str, int], str] = {}
    notes_en: dict[tuple[str, int], str] = {}
    sections: dict[tuple[str, int], str] = {}
    for entry in data.get("targets") or []:
        t = Target(
            indicator=entry["id"],
            year=int(entry["year"]),
            op=entry["op"],
            value=float(entry["value"]),
            value_high=None if entry.get("value_high") is None else float(entry["value_high"]),
            source=_cite(label, entry["section"], source_file),
            wording=entry.get("wording", ""),
        )
        own.append(t)
        sections[(t.indicator, t.year)] = entry["section"]
        if entry.get("note"):
            notes[(t.indicator, t.year)] = entry["note"]
            notes_en[(t.indicator, t.year)] = entry.get("note_en") or entry["note"]
    own_keys = frozenset((t.indicator, t.year) for t in own)
    origin = {k: str(jur["name"]) for k in own_keys}
    local = {e["id"]: _local_indicator(e) for e in data.get("local_indicators") or []}

    targets = list(own)
    follows = None
    follows_via = None
    if level != "national":
        parent_name = jur.get("parent") or (province.name if level == "district" else None)
        parent = (
            _load_plan(str(parent_name), folder, depth + 1)
            if parent_name
            else _from_file(folder / NATIONAL_FILE, folder, depth + 1)
        )
        follows = parent.document_label()
        if not parent.is_national:
            follows_via = parent.jurisdiction
        for t in parent.targets:
            pair = (t.indicator, t.year)
            if pair not in own_keys:
                targets.append(t)
                origin[pair] = parent.target_origin.get(pair, parent.jurisdiction)
                sections[pair] = parent.target_sections.get(pair, "")
                if pair in parent.target_notes:
                    notes[pair] = parent.target_notes[pair]
                    notes_en[pair] = parent.target_notes_en.get(pair, notes[pair])
        local = {**parent.local_indicators, **local}
    targets.sort(key=lambda t: (_id_order(t.indicator), t.year))

    baselines = [
        {
            "indicator": e["id"],
            "year": e.get("year"),
            "value": float(e["value"]),
            "wording": e.get("wording", ""),
            "note": e.get("note", ""),
            "note_en": e.get("note_en") or e.get("note", ""),
            "source": _cite(label, e["section"], source_file),
        }
        for e in data.get("baselines") or []
    ]
    agencies: dict[str, dict] = {}
    for e in data.get("agencies") or []:
        for ind_id in e["targets"]:
            slot = agencies.setdefault(
                ind_id, {"responsible": [], "coordinating": [], "source": ""}
            )
            if e["agency"] not in slot[e["role"]]:
                slot[e["role"]].append(e["agency"])
            cite = _cite(label, e["section"], source_file)
            slot["source"] = cite if not slot["source"] else _merge_sources(slot["source"], cite)
    deadlines = [
        {
            "what": e["what"],
            "due": str(e["due"]),
            "wording": e.get("wording", ""),
            "note": e.get("note", ""),
            "note_en": e.get("note_en") or e.get("note", ""),
            "source": _cite(label, e["section"], source_file),
        }
        for e in data.get("deadlines") or []
    ]
    lead = None
    if data.get("lead_agency"):
        lead = {
            "name": data["lead_agency"]["name"],
            "wording": data["lead_agency"].get("wording", ""),
            "source": _cite(label, data["lead_agency"]["section"], source_file),
        }
    plan = Plan(
        jurisdiction=str(jur["name"]),
        level=level,
        province=province,
        document=doc,
        period=period,
        source_file=source_file,
        targets=targets,
        own_target_keys=own_keys,
        baselines=baselines,
        agencies=agencies,
        deadlines=deadlines,
        former_province=former,
        params_file=str(path),
        lead_agency=lead,
        has_own_file=True,
        follows=follows,
        follows_via=follows_via,
        local_indicators=local,
        target_notes=notes,
        target_notes_en=notes_en,
        target_sections=sections,
        target_origin=origin,
    )
    if level == "province" and former is None:
        plan.related = _related(province, folder, exclude=str(path))
    return plan


def _merge_sources(first: str, second: str) -> str:
    """Two citations of one document: keep the document once and list both sections."""
    head, _, tail = first.partition(", mục ")
    head2, _, tail2 = second.partition(", mục ")
    if head == head2 and tail and tail2:
        sec1, _, file1 = tail.partition(" (")
        sec2, _, _ = tail2.partition(" (")
        if sec2 in sec1.split("; "):
            return first
        return f"{head}, mục {sec1}; {sec2}" + (f" ({file1}" if file1 else "")
    return f"{first}; {second}"


def _related(province: geo.Province, folder: Path, exclude: str | None = None) -> list[str]:
    """Other jurisdictions with a plan of their own inside a current province."""
    out = []
    for entry in _scan(folder):
        if entry["file"] == exclude or entry["level"] == "national" or not entry["province"]:
            continue
        try:
            inside = geo.resolve(str(entry["province"])).province.code == province.code
        except BdgInputError:
            continue
        if inside and _jkey(entry["name"]) != _jkey(province.name):
            out.append(entry["name"])
    return out


def _default_plan(province: geo.Province, folder: Path) -> Plan:
    """A province without a params file: the national plan, labelled as such."""
    national = _from_file(folder / NATIONAL_FILE, folder, 1)
    return Plan(
        jurisdiction=province.name,
        level="province",
        province=province,
        document=dict(national.document),
        period=national.period,
        source_file=national.source_file,
        targets=list(national.targets),
        own_target_keys=frozenset(),
        baselines=[],
        agencies={},
        deadlines=list(national.deadlines),
        former_province=None,
        params_file=national.params_file,
        lead_agency=None,
        has_own_file=False,
        follows=national.document_label(),
        local_indicators={},
        target_notes=dict(national.target_notes),
        target_notes_en=dict(national.target_notes_en),
        target_sections=dict(national.target_sections),
        target_origin={k: national.jurisdiction for k in national.target_origin},
        related=_related(province, folder),
    )


# ---------------------------------------------------------------- output

_WORDS = {
    "plan": {"vi": "Kế hoạch áp dụng", "en": "Plan applied"},
    "place": {"vi": "Địa bàn", "en": "Jurisdiction"},
    "period": {"vi": "giai đoạn", "en": "period"},
    "level": {
        "vi": {"national": "toàn quốc", "province": "cấp tỉnh", "district": "cấp huyện"},
        "en": {"national": "national", "province": "province", "district": "district"},
    },
    "now_in": {"vi": "nay thuộc", "en": "now part of"},
    "defaults": {
        "vi": "Chỉ tiêu, năm mà kế hoạch không đặt: theo",
        "en": "Indicators and years the plan does not set: from",
    },
    "own_none": {
        "vi": "Kế hoạch không đặt chỉ tiêu số nào; áp dụng chỉ tiêu quốc gia.",
        "en": "The plan sets no numeric target; the national targets apply.",
    },
    "columns": {
        "vi": ("Mã", "Chỉ tiêu", "Năm", "Mục tiêu", "Đơn vị", "Theo"),
        "en": ("Id", "Indicator", "Year", "Target", "Unit", "Set by"),
    },
    "section": {"vi": "mục", "en": "section"},
    "national_short": {"vi": "Quốc gia (NQ 28/NQ-CP)", "en": "National (Res. 28/NQ-CP)"},
    "deadlines": {"vi": "Hạn báo cáo", "en": "Report deadlines"},
    "baselines": {"vi": "Giá trị xuất phát", "en": "Baselines"},
    "related": {
        "vi": "Kế hoạch riêng khác trong địa bàn",
        "en": "Other plans within this province",
    },
    "notes": {"vi": "Ghi chú", "en": "Notes"},
    "no_year": {"vi": "không ghi năm", "en": "no year given"},
    "lead": {"vi": "Cơ quan đầu mối", "en": "Lead agency"},
}


def _w(key: str, lang: str):
    return _WORDS[key]["en" if lang == "en" else "vi"]


def format_targets(plan: Plan, fmt: str = "table", lang: str = "vi") -> str:
    """The plan's targets for ``bdg targets``.

    ``fmt="json"`` gives the contract's list of ``{"id", "year", "op", "value", "value_high",
    "unit", "source"}`` (unit in ``lang``); ``fmt="table"`` a table a person reads, in
    Vietnamese by default, saying which targets are the jurisdiction's own and which national.
    """
    if fmt not in ("table", "json"):
        raise BdgInputError(f"unknown format {fmt!r}; expected table or json")
    if fmt == "json":
        rows = [t.to_dict(unit=plan.indicator(t.indicator).unit(lang)) for t in plan.targets]
        return json.dumps(rows, ensure_ascii=False, indent=2)
    return _table(plan, lang)


def _fmt_due(due: str, lang: str) -> str:
    m = _MONTH_DAY.match(due)
    if m:
        return f"{m.group(2)}/{m.group(1)}" if lang != "en" else f"{m.group(1)}-{m.group(2)}"
    return due


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(plan: Plan, lang: str) -> str:
    from bdg_analysis.text import fmt_number, fmt_target

    en = lang == "en"
    lines: list[str] = []
    level = _w("level", lang)[plan.level]
    where = f"{plan.jurisdiction} ({level})"
    if plan.level != "national" and _jkey(plan.jurisdiction) != _jkey(plan.province.name):
        full = plan.province.full_name
        now = plan.province.name if en else f"{full[0].lower()}{full[1:]}"
        where += f", {_w('now_in', lang)} {now}"
        if plan.former_province is not None and plan.former_province.code != "":
            former = plan.former_province
            if _jkey(former.name) != _jkey(plan.jurisdiction):
                where += (
                    f" (before 1 July 2025: {former.name})"
                    if en
                    else f" (trước 1/7/2025 thuộc tỉnh {former.name})"
                )
    lines.append(f"{_w('plan', lang)}: {plan.title(lang)}")
    if plan.has_own_file:
        start, end = plan.period
        span = str(start) if start == end else f"{start}-{end}"
        period = (
            (f"year {span}" if en else f"năm {span}")
            if start == end
            else (f"period {span}" if en else f"giai đoạn {span}")
        )
        lines.append(f"{_w('place', lang)}: {where}; {period}")
    else:
        lines.append(f"{_w('place', lang)}: {where}")
    if plan.lead_agency:
        lines.append(f"{_w('lead', lang)}: {plan.lead_agency['name']}")
    if plan.has_own_file and not plan.is_national:
        if not plan.own_target_keys:
            lines.append(_w("own_none", lang))
        if plan.follows:
            via = ""
            if plan.follows_via:
                via = (
                    f" (applied to {plan.follows_via}, which has no plan of its own)"
                    if en
                    else f" (áp dụng cho {plan.follows_via}, chưa có kế hoạch riêng)"
                )
            lines.append(f"{_w('defaults', lang)} {plan.follows}{via}")
    lines.append("")

    notes = plan.target_notes_en if en else plan.target_notes
    header = _w("columns", lang)
    rows = []
    for t in plan.targets:
        ind = plan.indicator(t.indicator)
        pair = (t.indicator, t.year)
        origin = plan.target_origin.get(pair, "")
        section = plan.target_sections.get(pair, "")
        if plan.is_own(*pair) or (plan.is_national and origin):
            by = origin if not plan.is_national else _w("national_short", lang)
        elif origin == geo.NATIONAL_NAME:
            by = _w("national_short", lang)
        else:
            by = origin
        if section:
            by += f", {_w('section', lang)} {section}"
        mark = " *" if pair in notes else ""
        rows.append(
            (
                t.indicator,
                _clip(ind.short(lang), 44),
                str(t.year),
                fmt_target(t, lang) + mark,
                _clip(ind.unit(lang), 26),
                by,
            )
        )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    widths[-1] = len(header[-1])

    def line(cells: tuple) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    lines.append(line(header))
    lines.append("  ".join("-" * w for w in widths))
    lines += [line(r) for r in rows]

    if notes:
        lines.append("")
        lines.append(f"{_w('notes', lang)} (*):")
        for (ind_id, year), note in sorted(
            notes.items(), key=lambda kv: (_id_order(kv[0][0]), kv[0][1])
        ):
            lines.append(f"- {ind_id} {year}: {note}")
    if plan.baselines:
        lines.append("")
        lines.append(f"{_w('baselines', lang)}:")
        for b in plan.baselines:
            year = b["year"] if b["year"] is not None else _w("no_year", lang)
            unit = plan.indicator(b["indicator"]).unit(lang)
            note = b["note_en"] if en else b["note"]
            lines.append(
                f"- {b['indicator']}: {fmt_number(b['value'], lang)} {unit} ({year}); "
                f'"{b["wording"]}"{"; " + note if note else ""} [{b["source"]}]'
            )
    if plan.deadlines:
        lines.append("")
        lines.append(f"{_w('deadlines', lang)}:")
        for d in plan.deadlines:
            note = d["note_en"] if en else d["note"]
            lines.append(
                f"- {_fmt_due(d['due'], lang)}: {d['what']}{' (' + note + ')' if note else ''} "
                f"[{d['source']}]"
            )
    if plan.related:
        lines.append("")
        lines.append(f"{_w('related', lang)}: {', '.join(plan.related)}")
    history = geo.history_note(plan.province, lang) if not plan.is_national else None
    if history:
        lines.append("")
        lines.append(history)
    return "\n".join(lines)
