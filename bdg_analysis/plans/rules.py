"""The rules of a params file that a schema cannot state: they need the catalogue, the register
or another key (indicator ids, ranges, years inside the period, one target per indicator and year).

Each rule looks only at values of the right type, so a value the schema refuses is reported once,
by the schema, not again here.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re

from bdg_analysis import catalogue, geo
from bdg_analysis.errors import BdgInputError
from bdg_analysis.plans.names import ID_PATTERN
from bdg_analysis.plans.reader import is_finite_number
from bdg_analysis.words import phrase

Found = list[tuple[tuple, str]]


def _items(data: dict, key: str) -> list[tuple[int, dict]]:
    """The mappings of a list-valued key, with their index (other items are the schema's)."""
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [(i, entry) for i, entry in enumerate(value) if isinstance(entry, dict)]


def _year(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _period(data: dict, found: Found) -> tuple[int, int] | None:
    per = data.get("period")
    if not isinstance(per, dict):
        return None
    start, end = _year(per.get("start")), _year(per.get("end"))
    if start is None or end is None:
        return None
    if start > end:
        found.append((("period",), phrase("plans.start_after_end", start=start, end=end)))
        return None
    return start, end


def _places(data: dict, found: Found) -> None:
    """The jurisdiction's current province (and former one) must be confirmed by geo."""
    jur = data.get("jurisdiction")
    if not isinstance(jur, dict) or jur.get("level") == "national":
        return  # the national plan's own rule (no province) is the schema's
    current = None
    name = jur.get("province")
    if isinstance(name, str | int) and not isinstance(name, bool):
        try:
            res = geo.resolve(str(name))
        except BdgInputError as err:
            found.append((("jurisdiction", "province"), err.problems[0].message))
        else:
            current = res.province
            if res.is_national:
                found.append(
                    (("jurisdiction", "province"), phrase("plans.whole_country", name=name))
                )
    former_name = jur.get("former_province")
    if isinstance(former_name, str | int) and not isinstance(former_name, bool):
        try:
            res = geo.resolve(str(former_name), geo.MERGER_YEAR - 1)
        except BdgInputError as err:
            found.append((("jurisdiction", "former_province"), err.problems[0].message))
        else:
            if current is not None and res.province.code != current.code:
                found.append(
                    (
                        ("jurisdiction", "former_province"),
                        phrase(
                            "plans.former_elsewhere",
                            former=former_name,
                            now=res.province.name,
                            given=current.name,
                        ),
                    )
                )


def _document(data: dict, found: Found) -> None:
    """A full date must be one of the calendar; a numbered document is not an unnumbered copy."""
    doc = data.get("document")
    if not isinstance(doc, dict):
        return
    if doc.get("status") == "unnumbered" and doc.get("number"):
        found.append((("document", "status"), phrase("plans.unnumbered_with_number")))
    date = doc.get("date")
    if isinstance(date, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            found.append((("document", "date"), phrase("plans.not_a_date", date=date)))


def _local_ids(data: dict, found: Found) -> dict[str, dict]:
    local: dict[str, dict] = {}
    for i, entry in _items(data, "local_indicators"):
        ind_id = entry.get("id")
        if not isinstance(ind_id, str) or not ID_PATTERN.match(ind_id):
            continue  # the schema's
        if catalogue.is_known(ind_id):
            found.append(
                (
                    ("local_indicators", i, "id"),
                    phrase("plans.redefined", id=ind_id),
                )
            )
        else:
            local[ind_id] = entry
    return local


@functools.lru_cache(maxsize=256)
def _suggest(value: str, known: frozenset[str]) -> str:
    return ", ".join(difflib.get_close_matches(value, sorted(known), n=3, cutoff=0.5))


def _known(value: object, path: tuple, known: frozenset[str], found: Found) -> bool:
    if not isinstance(value, str):
        return False  # the schema's
    if value in known:
        return True
    close = _suggest(value, known)
    if close:
        found.append((path, phrase("plans.unknown_indicator_close", id=value, names=close)))
    else:
        found.append((path, phrase("plans.unknown_indicator", id=value)))
    return False


def _bounds(ind_id: str, local: dict[str, dict]) -> tuple[float | None, float | None]:
    if ind_id in local:
        lower, upper = local[ind_id].get("lower"), local[ind_id].get("upper")
        return (
            lower if is_finite_number(lower) else None,
            upper if is_finite_number(upper) else None,
        )
    ind = catalogue.get(ind_id)
    return ind.lower, ind.upper


def _targets(
    data: dict, period, local: dict[str, dict], known: frozenset[str], found: Found
) -> None:
    seen: dict[tuple[str, int], int] = {}
    for i, entry in _items(data, "targets"):
        path = ("targets", i)
        ok_id = _known(entry.get("id"), (*path, "id"), known, found)
        year = _year(entry.get("year"))
        if year is not None and period is not None and not period[0] <= year <= period[1]:
            found.append(((*path, "year"), _outside(year, period)))
        value, high = entry.get("value"), entry.get("value_high")
        if (
            entry.get("op") == "between"
            and is_finite_number(value)
            and is_finite_number(high)
            and high < value
        ):
            found.append(
                (
                    (*path, "value_high"),
                    phrase("plans.high_below", high=f"{high:g}", low=f"{value:g}"),
                )
            )
        if ok_id:
            lower, upper = _bounds(entry["id"], local)
            for key in ("value", "value_high"):
                number = entry.get(key)
                if not is_finite_number(number):
                    continue
                if (lower is not None and number < lower) or (upper is not None and number > upper):
                    top = "∞" if upper is None else upper
                    found.append(
                        (
                            (*path, key),
                            phrase("plans.out_of_range", value=f"{number:g}", low=lower, high=top),
                        )
                    )
        if ok_id and year is not None:
            pair = (entry["id"], year)
            if pair in seen:
                found.append(
                    (
                        path,
                        phrase("plans.second_target", id=pair[0], year=pair[1], first=seen[pair]),
                    )
                )
            else:
                seen[pair] = i


def _outside(year: int, period: tuple[int, int]) -> str:
    return phrase("plans.outside_period", year=year, start=period[0], end=period[1])


def _baselines(data: dict, period, known: frozenset[str], found: Found) -> None:
    for i, entry in _items(data, "baselines"):
        path = ("baselines", i)
        _known(entry.get("id"), (*path, "id"), known, found)
        year = _year(entry.get("year"))
        if year is not None and period is not None and year > period[1]:
            found.append(
                (
                    (*path, "year"),
                    phrase("plans.baseline_after", year=year, start=period[0], end=period[1]),
                )
            )


def _agencies(data: dict, known: frozenset[str], found: Found) -> None:
    for i, entry in _items(data, "agencies"):
        ids = entry.get("targets")
        if isinstance(ids, list):
            for j, ind_id in enumerate(ids):
                _known(ind_id, ("agencies", i, "targets", j), known, found)


def _deadlines(data: dict, period, found: Found) -> None:
    if period is None:
        return
    for i, entry in _items(data, "deadlines"):
        due = entry.get("due")
        if not re.fullmatch(r"\d{4}", str(due).strip()) or isinstance(due, bool):
            continue  # MM-DD or text; anything else is the schema's
        year = int(str(due).strip())
        if not period[0] <= year <= period[1]:
            found.append(
                (
                    ("deadlines", i, "due"),
                    _outside(year, period),
                )
            )


def rule_problems(data: object) -> Found:
    """Every rule ``data`` breaks, as (key path, message)."""
    if not isinstance(data, dict):
        return []
    found: Found = []
    _places(data, found)
    period = _period(data, found)
    _document(data, found)
    local = _local_ids(data, found)
    known = frozenset(catalogue.ids()) | frozenset(local)
    _targets(data, period, local, known, found)
    _baselines(data, period, known, found)
    _agencies(data, known, found)
    _deadlines(data, period, found)
    return found
