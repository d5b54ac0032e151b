"""Load a jurisdiction's Plan: find its params file by name, alias or Province, and merge its own
targets over those of the plan it falls under (its province's, else the national defaults).
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from pathlib import Path

from bdg_analysis import geo, paths, words
from bdg_analysis.catalogue import Indicator
from bdg_analysis.errors import BdgInputError, UnknownNameError
from bdg_analysis.plans import reader
from bdg_analysis.plans.model import Plan, citation
from bdg_analysis.plans.names import id_order, jkey
from bdg_analysis.plans.schema import NATIONAL_FILE, check
from bdg_analysis.targets import Target

_MAX_DEPTH = 3


# ---------------------------------------------------------------- files, checked and cached


@lru_cache(maxsize=64)
def _parsed(path_text: str, stamp: tuple) -> dict:
    """A checked params file; raises BdgInputError listing every problem."""
    parsed = check(path_text)
    if parsed.problems:
        raise BdgInputError(parsed.problems)
    assert isinstance(parsed.data, dict)
    return parsed.data


def _stamp(path: Path) -> tuple:
    """What makes a cached read stale: the file's change time and size, and the size cap."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise BdgInputError(words.problem(str(path), None, None, "plans.not_found")) from None
    return (st.st_mtime_ns, st.st_size, reader.max_bytes())


def _load_data(path: Path) -> dict:
    return _parsed(str(path), _stamp(path))


@lru_cache(maxsize=16)
def _scan_cached(folder: str, stamp: tuple) -> tuple[dict, ...]:
    entries = []
    for file in sorted(Path(folder).glob("*.yaml")):
        parsed = reader.parse(file)
        if parsed.data is None and parsed.problems:
            raise BdgInputError(parsed.problems[0])
        data = parsed.data
        jur = data.get("jurisdiction") if isinstance(data, dict) else None
        if not isinstance(jur, dict) or not jur.get("name"):
            raise BdgInputError(
                words.problem(
                    str(file), parsed.line(("jurisdiction",)), "jurisdiction.name", "plans.missing"
                )
            )
        aliases = jur.get("aliases") if isinstance(jur.get("aliases"), list) else []
        entries.append(
            {
                "file": str(file),
                "name": str(jur["name"]),
                "aliases": [str(a) for a in aliases],
                "level": jur.get("level"),
                "province": jur.get("province"),
            }
        )
    return tuple(entries)


def _scan(folder: Path) -> tuple[dict, ...]:
    """The jurisdiction of every params file, read without the full check (for look-ups).

    Read with the same safeguards as a full check (size cap, no aliases): every report reads
    the folder, so one hostile file must cost one line, not the machine.
    """
    files = sorted(folder.glob("*.yaml"))
    stamp = tuple((f.name, *_stamp(f)) for f in files)
    return _scan_cached(str(folder), stamp)


def _index(folder: Path) -> dict[str, str]:
    """Folded jurisdiction name or alias -> params file."""
    index: dict[str, str] = {}
    for entry in _scan(folder):
        for name in [entry["name"], *entry["aliases"]]:
            index.setdefault(jkey(name), entry["file"])
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


# ---------------------------------------------------------------- finding the plan


def load_plan(name: str | geo.Province, params_dir: str | Path | None = None) -> Plan:
    """The plan ``name`` tracks: its own targets merged over the national defaults.

    ``name`` is a jurisdiction with a params file ('Hiệp Hòa', 'Quảng Ninh', 'Bắc Kạn'), any
    province name geo understands ('Lang Son', 'TP.HCM', 'Bắc Giang' -> Bắc Ninh), a national
    name, or a :class:`geo.Province` a caller has already resolved (it is not resolved again).
    A province without a file gets the national plan, labelled as such (``has_own_file``
    False).

    Raises
    ------
    UnknownNameError
        For a name that is neither a jurisdiction nor a province, with suggestions.
    BdgInputError
        When a params file it needs has problems (each with file, line and key).
    """
    folder = Path(params_dir) if params_dir is not None else paths.params_dir()
    if isinstance(name, geo.Province):
        return _plan_of_province(name, folder)
    return _load_plan(str(name), folder, depth=0)


def _national_path(folder: Path) -> Path:
    path = folder / NATIONAL_FILE
    if not path.exists():
        raise BdgInputError(words.problem(str(path), None, None, "plans.no_national"))
    return path


def _plan_of_province(province: geo.Province, folder: Path) -> Plan:
    """The plan of a resolved province: as :func:`_load_plan` gives for its name, unresolved.

    A former province with a plan of its own (Bắc Kạn) gets that plan; any other former
    province the plan of the current province it is now part of.
    """
    index = _index(folder)
    national_path = _national_path(folder)
    if province.is_national:
        return _from_file(national_path, folder, 0)
    own = index.get(jkey(province.name))
    if own is not None:
        plan = _from_file(Path(own), folder, 0)
        if plan.level == "province":
            if province.era == "former":
                if plan.former_province is not None and plan.former_province.code == province.code:
                    return plan
            elif plan.province.code == province.code:
                return plan
    if province.era == "former":
        return _plan_of_province(geo.successor(province), folder)
    return _default_plan(province, folder)


def _load_plan(name: str, folder: Path, depth: int) -> Plan:
    if depth > _MAX_DEPTH:
        raise BdgInputError(words.problem("<input>", None, None, "plans.parents_loop", name=name))
    index = _index(folder)
    national_path = _national_path(folder)
    key = jkey(name)
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
    own = index.get(jkey(res.province.name))
    if own is not None:
        plan = _from_file(Path(own), folder, depth)
        if plan.level == "province" and plan.province.code == res.province.code:
            return plan
    return _default_plan(res.province, folder)


# ---------------------------------------------------------------- building and merging


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
        data_source_vi=entry.get("data_source_vi") or "",
        data_source_en=entry.get("data_source_en") or "",
        agency=entry.get("agency") or "",
        national_targets=(),
    )


def _cite(doc_label: str, section: str, source_file: str | None) -> str:
    text = f"{doc_label}, mục {section}"
    return f"{text} ({source_file})" if source_file else text


def _agencies(data: dict, label: str, source_file: str | None) -> dict[str, dict]:
    """Indicator -> who answers for it, citing every section of the document that says so."""
    agencies: dict[str, dict] = {}
    sections: dict[str, list[str]] = {}
    for e in data.get("agencies") or []:
        for ind_id in e["targets"]:
            slot = agencies.setdefault(
                ind_id, {"responsible": [], "coordinating": [], "source": ""}
            )
            if e["agency"] not in slot[e["role"]]:
                slot[e["role"]].append(e["agency"])
            cited = sections.setdefault(ind_id, [])
            if e["section"] not in cited:
                cited.append(e["section"])
            slot["source"] = _cite(label, "; ".join(cited), source_file)
    return agencies


def _from_file(path: Path, folder: Path, depth: int) -> Plan:
    data = _load_data(path)
    jur = data["jurisdiction"]
    level = jur["level"]
    doc = dict(data["document"])
    label = citation(doc)
    source_file = data.get("source_file")
    period = (int(data["period"]["start"]), int(data["period"]["end"]))
    former = None
    if level == "national":
        province = geo.national()
    else:
        province = geo.resolve(str(jur["province"])).province
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
            two_sided=bool(entry.get("two_sided", False)),
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
    targets.sort(key=lambda t: (id_order(t.indicator), t.year))

    baselines = [
        {
            "indicator": e["id"],
            "year": e.get("year"),
            "value": float(e["value"]),
            "wording": e.get("wording", ""),
            "note": e.get("note") or "",
            "note_en": e.get("note_en") or e.get("note") or "",
            "source": _cite(label, e["section"], source_file),
        }
        for e in data.get("baselines") or []
    ]
    deadlines = [
        {
            "what": e["what"],
            "due": str(e["due"]),
            "wording": e.get("wording") or "",
            "note": e.get("note") or "",
            "note_en": e.get("note_en") or e.get("note") or "",
            "source": _cite(label, e["section"], source_file),
        }
        for e in data.get("deadlines") or []
    ]
    lead = None
    if data.get("lead_agency"):
        lead = {
            "name": data["lead_agency"]["name"],
            "wording": data["lead_agency"].get("wording") or "",
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
        agencies=_agencies(data, label, source_file),
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
        if inside and jkey(entry["name"]) != jkey(province.name):
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
