"""The plan's targets as ``bdg targets`` prints them: a table to read, or the JSON contract."""

from __future__ import annotations

import json
import re

from bdg_analysis import geo, words
from bdg_analysis.errors import BdgInputError
from bdg_analysis.plans.model import Plan
from bdg_analysis.plans.names import id_order, jkey
from bdg_analysis.targets import OPERATOR_SYMBOLS, Target
from bdg_analysis.words import word

FORMATS = ("table", "json")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


def format_targets(plan: Plan, fmt: str = "table", lang: str = "vi") -> str:
    """The plan's targets for ``bdg targets``.

    ``fmt="json"`` gives the contract's list of ``{"id", "year", "op", "value", "value_high",
    "unit", "source"}`` (unit in ``lang``); ``fmt="table"`` a table a person reads, in
    Vietnamese by default, saying which targets are the jurisdiction's own and which national.
    """
    if fmt not in FORMATS:
        raise BdgInputError(words.problem("<input>", None, None, "plans.bad_format", format=fmt))
    lang = words.check_lang(lang, where="lang")
    if fmt == "json":
        rows = [t.to_dict(unit=plan.indicator(t.indicator).unit(lang)) for t in plan.targets]
        return json.dumps(rows, ensure_ascii=False, indent=2)
    return _table(plan, lang)


def _w(key: str, lang: str, **fields: object) -> str:
    return word(f"plans.{key}", lang, **fields)


def target_text(target: Target, lang: str = "vi") -> str:
    """A target as the table shows it: ``≥ 60``, ``< 1,7``, ``40–60`` in the reader's numbers."""
    if target.op == "between":
        low = words.fmt_number(target.value, lang)
        return f"{low}{OPERATOR_SYMBOLS['between']}{words.fmt_number(target.value_high, lang)}"
    return f"{OPERATOR_SYMBOLS[target.op]} {words.fmt_number(target.value, lang)}"


def _fmt_due(due: str, lang: str) -> str:
    m = _MONTH_DAY.match(due)
    if m:
        return f"{m.group(2)}/{m.group(1)}" if lang != "en" else f"{m.group(1)}-{m.group(2)}"
    return due


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _where(plan: Plan, lang: str) -> str:
    """The jurisdiction, its level, and the current (and former) province it lies in."""
    where = f"{plan.jurisdiction} ({_w('level_' + plan.level, lang)})"
    if plan.level != "national" and jkey(plan.jurisdiction) != jkey(plan.province.name):
        full = plan.province.full_name
        now = plan.province.name if lang == "en" else f"{full[0].lower()}{full[1:]}"
        where += f", {_w('now_in', lang)} {now}"
        former = plan.former_province
        if (
            former is not None
            and former.code != ""
            and jkey(former.name) != jkey(plan.jurisdiction)
        ):
            where += _w("former_province", lang, name=former.name)
    return where


def _head(plan: Plan, lang: str) -> list[str]:
    lines = [f"{_w('plan', lang)}: {plan.title(lang)}"]
    where = _where(plan, lang)
    if plan.has_own_file:
        start, end = plan.period
        span = str(start) if start == end else f"{start}-{end}"
        period = _w("period_year" if start == end else "period_span", lang, span=span)
        lines.append(f"{_w('place', lang)}: {where}; {period}")
    else:
        lines.append(f"{_w('place', lang)}: {where}")
    if plan.lead_agency:
        lines.append(f"{_w('lead', lang)}: {plan.lead_agency['name']}")
    if plan.has_own_file and not plan.is_national:
        if not plan.own_target_keys:
            lines.append(_w("own_none", lang))
        if plan.follows:
            via = _w("defaults_via", lang, name=plan.follows_via) if plan.follows_via else ""
            lines.append(f"{_w('defaults', lang)} {plan.follows}{via}")
    lines.append("")
    return lines


def _set_by(plan: Plan, target: Target, lang: str) -> str:
    pair = (target.indicator, target.year)
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
    return by


def _rows(plan: Plan, lang: str, notes: dict) -> list[str]:
    header = tuple(_w(k, lang) for k in ("col_id", "col_indicator", "col_year", "col_target"))
    header += (_w("col_unit", lang), _w("col_by", lang))
    rows = []
    for t in plan.targets:
        ind = plan.indicator(t.indicator)
        mark = " *" if (t.indicator, t.year) in notes else ""
        rows.append(
            (
                t.indicator,
                _clip(ind.short(lang), 44),
                str(t.year),
                target_text(t, lang) + mark,
                _clip(ind.unit(lang), 26),
                _set_by(plan, t, lang),
            )
        )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    widths[-1] = len(header[-1])

    def line(cells: tuple) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def _tail(plan: Plan, lang: str, notes: dict) -> list[str]:
    en = lang == "en"
    lines: list[str] = []
    if notes:
        lines += ["", f"{_w('notes', lang)} (*):"]
        for (ind_id, year), note in sorted(
            notes.items(), key=lambda kv: (id_order(kv[0][0]), kv[0][1])
        ):
            lines.append(f"- {ind_id} {year}: {note}")
    if plan.baselines:
        lines += ["", f"{_w('baselines', lang)}:"]
        for b in plan.baselines:
            year = b["year"] if b["year"] is not None else _w("no_year", lang)
            unit = plan.indicator(b["indicator"]).unit(lang)
            note = b["note_en"] if en else b["note"]
            lines.append(
                f"- {b['indicator']}: {words.fmt_number(b['value'], lang)} {unit} ({year}); "
                f'"{b["wording"]}"{"; " + note if note else ""} [{b["source"]}]'
            )
    if plan.deadlines:
        lines += ["", f"{_w('deadlines', lang)}:"]
        for d in plan.deadlines:
            note = d["note_en"] if en else d["note"]
            lines.append(
                f"- {_fmt_due(d['due'], lang)}: {d['what']}{' (' + note + ')' if note else ''} "
                f"[{d['source']}]"
            )
    if plan.related:
        lines += ["", f"{_w('related', lang)}: {', '.join(plan.related)}"]
    history = geo.history_note(plan.province, lang) if not plan.is_national else None
    if history:
        lines += ["", history]
    return lines


def _table(plan: Plan, lang: str) -> str:
    notes = plan.target_notes_en if lang == "en" else plan.target_notes
    return "\n".join([*_head(plan, lang), *_rows(plan, lang, notes), *_tail(plan, lang, notes)])
