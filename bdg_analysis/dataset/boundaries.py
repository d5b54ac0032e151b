"""Former provinces' rows put together onto today's 34 provinces: rules, weights, trace columns.

Every row on current boundaries says how it was made in columns, not in its note:

``aggregated``
    True when the row was put together from former provinces (False: recorded as it is).
``complete``
    False when some former parts had no value, so the row stands for part of the province
    only; such rows are kept for display but left out of series, trends, ranks and projections
    (:class:`bdg_analysis.dataset.Context`).
``source_rows``
    The ``file:row`` of every row it was built from (a recorded row: its own), as a tuple.
``parts_used`` / ``parts_missing``
    Names of the former provinces whose values went in / that had none (tuples, code order).
``rule``
    ``recorded``, ``sum`` (counts), ``all_parts`` (yes/no), ``weighted_mean`` (shares,
    ratios, rates) or ``ratio_of_totals`` (M3.CT1, women's hours over men's hours).
``weight`` / ``weight_source`` / ``weight_years`` / ``weight_stand_in``
    The weights used (a name from catalogue.yaml ``weight``, or a population stand-in), where
    they come from, the population years used when not the row's own, and whether a population
    stand-in replaced the proper denominator.

The human-readable ``note`` is built from those columns (:func:`describe`), in either language.
The method is written up in ``docs/methods/merged-provinces.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import pandas as pd

from bdg_analysis import catalogue, geo, words
from bdg_analysis.errors import BdgInputError
from bdg_analysis.geo import MERGER_YEAR, Province
from bdg_analysis.paths import RESOURCES_DIR
from bdg_analysis.words import has_word, word

if TYPE_CHECKING:  # pragma: no cover
    from bdg_analysis.catalogue import Indicator

POPULATION_FILE = RESOURCES_DIR / "geo_population_by_province_sex.csv"
POPULATION_SOURCE = (
    "Tổng cục Thống kê (GSO), PX-Web bảng E02.03-07 'Average population by province, sex and "
    "residence' (cập nhật 2025-07-23)"
)
"""Where the shipped population stand-in comes from, as notes cite it (the words
``geo.population_source`` hold it in both languages)."""

#: The columns a row on current boundaries carries besides the observation's own.
TRACE_COLUMNS = (
    "aggregated",
    "complete",
    "source_rows",
    "parts_used",
    "parts_missing",
    "rule",
    "weight",
    "weight_source",
    "weight_years",
    "weight_stand_in",
)

#: Rule codes, one per way of putting parts together.
RULES = ("recorded", "sum", "all_parts", "weighted_mean", "ratio_of_totals")

# Ratios of two totals whose parts' ratios are weighted by the denominator's total (not by
# population): M3.CT1 is women's average hours of unpaid care over men's, so the merged
# province's ratio is the parts' ratios weighted by men's total hours (see the methods note).
# Belongs in catalogue.yaml (``aggregation:``) once the catalogue grows that field.
_RATIO_OF_TOTALS = {"M3.CT1": "men_care_hours"}

_STATUS_RANK = {"official": 0, "provisional": 1, "estimate": 2, "demo": 3}


@dataclass(frozen=True)
class Rule:
    """How one indicator's parts are put together.

    ``code`` is one of :data:`RULES`; ``weight`` the proper denominator's name (empty for sums
    and yes/no); ``stand_in`` the sex of the shipped population used when the proper weights
    are missing (``None``: female, or male for rows about men).
    """

    code: str
    weight: str = ""
    stand_in: str | None = None


def rule_for(indicator: Indicator) -> Rule:
    """The rule of an indicator: by its kind, with ratios of totals named in this module."""
    if indicator.kind == "count":
        return Rule("sum")
    if indicator.kind == "binary":
        return Rule("all_parts")
    if indicator.id in _RATIO_OF_TOTALS:
        return Rule("ratio_of_totals", _RATIO_OF_TOTALS[indicator.id], "male")
    weight = indicator.weight or "population"
    return Rule("weighted_mean", weight, "total" if weight == "population" else None)


# ---------------------------------------------------------------- population weights


@lru_cache(maxsize=1)
def _population_cached() -> pd.DataFrame:
    return pd.read_csv(
        POPULATION_FILE, comment="#", dtype={"former_code": str, "year": int, "sex": str}
    )


def population_weights() -> pd.DataFrame:
    """Average population (thousand persons) by former province, sex and year, 2010-2024.

    Source: :data:`POPULATION_SOURCE`. Columns ``former_code``, ``former_name``, ``year``,
    ``sex`` (female, male, total), ``population_thousand``, ``status``. The stand-in weight
    when a table of proper denominators is not given.
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


def weights_index(weights: pd.DataFrame | None) -> dict[tuple[str, int, str, str], tuple]:
    """(former code, year, weight name, sex) -> (value, source) from a weights table.

    The table has columns ``province`` (a former province, or ``province_code``), ``year``,
    ``weight`` (a name from catalogue.yaml ``weight``, e.g. ``births``), ``value`` and
    optionally ``sex`` and ``source``.
    """
    if weights is None or len(weights) == 0:
        return {}
    required = {"year", "weight", "value"}
    missing = required - set(weights.columns)
    if missing or not ({"province", "province_code"} & set(weights.columns)):
        raise BdgInputError(
            words.problem(
                "<weights>", None, ", ".join(sorted(missing)) or "province", "geo.weights_columns"
            )
        )
    index: dict[tuple[str, int, str, str], tuple] = {}
    for i, row in enumerate(weights.to_dict("records")):
        year = int(row["year"])
        name = row.get("province")
        if _blank(name):
            name = str(row["province_code"])
        res = geo.resolve(str(name), min(year, MERGER_YEAR - 1))
        code = (res.former or geo.former_parts(res.province)[0]).code
        if res.former is None and len(geo.former_parts(res.province)) != 1:
            raise BdgInputError(
                words.problem("<weights>", i + 1, "province", "geo.not_former", name=name)
            )
        value = row["value"]
        if value is None or pd.isna(value):
            continue
        sex = row.get("sex")
        sex = "total" if _none(sex) else str(sex)
        source = row.get("source")
        source = "" if _blank(source) else str(source)
        index[(code, year, str(row["weight"]), sex)] = (float(value), source)
    return index


# ---------------------------------------------------------------- putting together


def current_frame(
    observations: pd.DataFrame,
    indicators: list[Indicator] | None = None,
    weights: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every series of ``indicators`` (default: the catalogue) on the 34 current provinces.

    The rows of :func:`aggregate_former` for each indicator, missing values left out, sorted
    by province, indicator and year, with the trace columns (:data:`TRACE_COLUMNS`).
    """
    indicators = catalogue.indicators() if indicators is None else indicators
    parts = [aggregate_former(observations, ind, weights) for ind in indicators]
    parts = [p for p in parts if not p.empty]
    if not parts:
        empty = observations.iloc[0:0].copy()
        for column in TRACE_COLUMNS:
            empty[column] = pd.Series(dtype=object)
        return empty
    frame = pd.concat(parts, ignore_index=True)
    return frame[frame["value"].notna()].sort_values(["province", "indicator", "year"])


def aggregate_former(
    frame: pd.DataFrame, indicator: Indicator, weights: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Put a current province's pre-2025 series together from its former provinces' rows.

    Rows of ``indicator`` name places in ``province`` (or ``province_code``) as the source of
    their year named them: a 2020 row for 'Bắc Kạn' or for 'Thái Nguyên' is a former unit. If
    the frame has a ``former`` column (as ``validate`` leaves it), that column names the former
    unit and ``province`` the current one. Rows whose territory did not change, national rows
    and rows from 2025 on pass through with the current name and code (``rule`` ``recorded``).
    Rows of merged parts are combined per current province, year and sex (:func:`rule_for`):

    - ``sum`` (counts): if a part has no value the result is missing (a partial sum would
      undercount).
    - ``all_parts`` (yes/no): 1 only when every part has 1.
    - ``weighted_mean`` (shares, ratios, rates): mean weighted by the indicator's denominator
      (``Indicator.weight``: births for the sex ratio at birth and maternal mortality, women
      15-19 for adolescent births, employed women for labour shares), taken from ``weights``
      (see :func:`weights_index`). Population-weighted indicators use the shipped GSO
      population. Without the proper weight for every part, female population (male for rows
      with sex 'male') stands in and the row is marked ``estimate``.
    - ``ratio_of_totals`` (M3.CT1): the parts' ratios weighted by the denominator's total
      (men's hours), i.e. total women's hours over total men's hours; male population stands
      in (equal men's hours per man across the parts) when men's hours are not given, marked
      ``estimate``.

    A share with some parts missing keeps the mean of the others but is marked ``estimate``
    and ``complete=False``. Nothing is averaged silently: the trace columns
    (:data:`TRACE_COLUMNS`) say how each row was made, and the ``note`` of a combined row says
    it in words (:func:`describe`).

    Returns
    -------
    DataFrame
        Tidy rows for ``indicator`` only: the columns of ``frame`` (plus ``province_code``),
        then :data:`TRACE_COLUMNS`.
    """
    columns = list(frame.columns)
    rows = frame[frame["indicator"] == indicator.id] if "indicator" in frame else frame
    if "province_code" not in columns:
        columns.append("province_code")
    if rows.empty:
        out = rows.copy()
        for col in [*columns, *TRACE_COLUMNS]:
            if col not in out:
                out[col] = pd.Series(dtype=object)
        return out[[*columns, *TRACE_COLUMNS]]
    rule = rule_for(indicator)
    weight_index = weights_index(weights)
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
                res = geo.resolve(str(name))
            else:
                res = geo.resolve(str(former_name), min(year, MERGER_YEAR - 1))
        else:
            res = geo.resolve(str(name), year)
        if res.former is None:
            out = dict(record)
            out["province"] = res.province.name
            if "province_code" in out or "province_code" not in frame.columns:
                out["province_code"] = res.province.code
            out.update(_recorded_trace(record))
            passthrough.append(out)
            continue
        sex = record.get("sex")  # validated rows say "" for the total, raw frames None
        sex = "total" if _none(sex) else str(sex)
        groups.setdefault((res.province.code, year, sex), []).append((res.former, record))

    combined = [
        _combine(code, year, sex, members, indicator, rule, weight_index)
        for (code, year, sex), members in sorted(groups.items())
    ]
    out = pd.DataFrame(passthrough + combined)
    for col in columns:
        if col not in out:
            out[col] = None
    if "former" in out:
        out["former"] = out["former"].fillna("")
    out = out[[*columns, *TRACE_COLUMNS]]
    if "source_row" in frame and pd.api.types.is_integer_dtype(frame["source_row"]):
        out["source_row"] = out["source_row"].astype("Int64")
    for col in ("aggregated", "complete", "weight_stand_in"):
        out[col] = out[col].astype(bool)
    sort = [c for c in ("province_code", "indicator", "year", "sex") if c in out]
    return out.sort_values(sort, kind="stable", na_position="first").reset_index(drop=True)


def _recorded_trace(record: dict) -> dict:
    """The trace columns of a row recorded as it is."""
    return {
        "aggregated": False,
        "complete": True,
        "source_rows": (trace(record),),
        "parts_used": (),
        "parts_missing": (),
        "rule": "recorded",
        "weight": "",
        "weight_source": "",
        "weight_years": (),
        "weight_stand_in": False,
    }


def _combine(
    code: str,
    year: int,
    sex: str,
    members: list[tuple[Province, dict]],
    indicator: Indicator,
    rule: Rule,
    weight_index: dict[tuple[str, int, str, str], tuple],
) -> dict:
    """One current-province row from its former parts' rows (see :func:`aggregate_former`)."""
    target = geo.current_by_code(code)
    expected = geo.former_parts(target)
    seen: dict[str, dict] = {}
    for part, record in members:
        if part.code in seen:
            where = ", ".join(trace(r) for r in (seen[part.code], record))
            raise BdgInputError(
                words.problem(
                    str(record.get("source_file") or "<data>"),
                    _row_number(record),
                    "province",
                    "geo.two_values",
                    indicator=indicator.id,
                    place=part.name,
                    year=year,
                    sex=sex,
                    where=where,
                )
            )
        seen[part.code] = record
    present = [p for p in expected if p.code in seen and _number(seen[p.code]["value"]) is not None]
    missing = [p for p in expected if p not in present]
    values = {p.code: _number(seen[p.code]["value"]) for p in present}
    records = list(seen.values())
    status = _worst_status([r.get("status") for r in records])
    weight, weight_source, weight_years, stand_in = "", "", (), False
    value: float | None = None
    estimated = False
    if not present:
        pass
    elif rule.code == "sum":
        if not missing:
            value = sum(values.values())  # type: ignore[arg-type]
    elif rule.code == "all_parts":
        if not missing:
            value = min(values.values())  # type: ignore[type-var]
    else:
        value, weight, weight_source, weight_years, stand_in = _weighted(
            present, values, year, sex, rule, weight_index
        )
        estimated = stand_in or bool(weight_years) or bool(missing)
    if estimated and status != "demo":
        status = "estimate"
    result = {
        "province": target.name,
        "province_code": target.code,
        "indicator": indicator.id,
        "year": year,
        "value": float("nan") if value is None else float(value),
        "sex": None if sex == "total" and not any(r.get("sex") for r in records) else sex,
        "source": "; ".join(dict.fromkeys(str(r["source"]) for r in records if r.get("source"))),
        "status": status,
        "source_file": "; ".join(
            dict.fromkeys(str(r["source_file"]) for r in records if r.get("source_file"))
        ),
        "source_row": None,
        "aggregated": True,
        "complete": not missing,
        "source_rows": tuple(trace(r) for r in records),
        "parts_used": tuple(p.name for p in present),
        "parts_missing": tuple(p.name for p in missing),
        "rule": rule.code,
        "weight": weight,
        "weight_source": weight_source,
        "weight_years": weight_years,
        "weight_stand_in": stand_in,
    }
    result["note"] = describe(result, "vi")
    return result


def _weighted(
    present: list[Province],
    values: dict[str, float | None],
    year: int,
    sex: str,
    rule: Rule,
    weight_index: dict[tuple[str, int, str, str], tuple],
) -> tuple[float, str, str, tuple[int, ...], bool]:
    """Weighted mean of the parts' values: value, weight used, its source, the population
    years used when not ``year``, and whether a population stand-in replaced the proper one."""
    proper = [weight_index.get((p.code, year, rule.weight, sex)) for p in present]
    if sex != "total" and not all(proper):
        proper = [weight_index.get((p.code, year, rule.weight, "total")) for p in present]
    years: tuple[int, ...] = ()
    if all(proper):
        w = [float(x[0]) for x in proper]  # type: ignore[index]
        source = "; ".join(dict.fromkeys(x[1] for x in proper if x[1]))  # type: ignore[index]
        weight, stand_in = rule.weight, False
    else:
        pop_sex = rule.stand_in or ("male" if sex == "male" else "female")
        w = []
        seen_years = set()
        for p in present:
            found = _population_lookup(p.code, year, pop_sex)
            if found is None:  # pragma: no cover - every former province is in the file
                raise BdgInputError(
                    words.problem(
                        "<input>",
                        None,
                        None,
                        "geo.no_population",
                        place=p.name,
                        file=POPULATION_FILE.name,
                    )
                )
            w.append(found[0])
            seen_years.add(found[1])
        weight = {"total": "population", "male": "male_population"}.get(
            pop_sex, "female_population"
        )
        source = POPULATION_SOURCE
        stand_in = weight != rule.weight
        years = () if seen_years == {year} else tuple(sorted(seen_years))
    total = sum(w)
    value = sum(wi * float(values[p.code]) for wi, p in zip(w, present, strict=True)) / total
    return value, weight, source, years, stand_in


# ---------------------------------------------------------------- notes from the columns


def weight_label(name: str, lang: str = "vi") -> str:
    """A weight's name in words ('births' -> 'số trẻ sinh ra sống' / 'live births')."""
    key = f"geo.weight_{name}"
    return word(key, lang) if has_word(key) else name


def _source_text(source: str, lang: str) -> str:
    if source == POPULATION_SOURCE:
        return word("geo.population_source", lang)
    return source or word("geo.not_stated", lang)


def method_note(row: dict | pd.Series, lang: str = "vi") -> str:
    """How a put-together row was made (rule, weights and their source, parts missing), in
    words; empty for a recorded row. Built from the trace columns only."""
    if not bool(row.get("aggregated")):
        return ""
    rule = str(row["rule"])
    missing = list(row["parts_missing"])
    names = ", ".join(missing)
    if not row["parts_used"]:
        return word("geo.no_part", lang)
    if rule in ("sum", "all_parts"):
        key = f"geo.{rule}_missing" if missing else f"geo.{rule}"
        return word(key, lang, names=names)
    weight = str(row["weight"])
    source = _source_text(str(row["weight_source"]), lang)
    years = tuple(row["weight_years"])
    year_text = (
        word("geo.weight_years", lang, years=", ".join(str(y) for y in years)) if years else ""
    )
    if bool(row["weight_stand_in"]):
        indicator_id = str(row["indicator"])
        proper = (
            rule_for(catalogue.get(indicator_id)).weight
            if catalogue.is_known(indicator_id)
            else weight
        )
        text = word(
            "geo.weighted_stand_in",
            lang,
            proper=weight_label(proper, lang),
            weight=weight_label(weight, lang),
            years=year_text,
            source=source,
        )
    elif str(row["weight_source"]) == POPULATION_SOURCE:
        text = word(
            "geo.weighted_population",
            lang,
            weight=weight_label(weight, lang),
            years=year_text,
            source=source,
        )
    else:
        text = word("geo.weighted", lang, weight=weight_label(weight, lang), source=source)
    if missing:
        text += "; " + word("geo.share_missing", lang, names=names)
    return text


def describe(row: dict | pd.Series, lang: str = "vi") -> str:
    """The note of a put-together row: its parts, how they were combined, its source rows."""
    if not bool(row.get("aggregated")):
        return ""
    parts = geo.former_parts(geo.current_by_code(str(row["province_code"])))
    parts_text = ", ".join(f"{p.name} ({p.code})" for p in parts)
    return "; ".join(
        [
            word("geo.put_together", lang, parts=parts_text),
            method_note(row, lang),
            word("geo.source_rows", lang, rows=", ".join(row["source_rows"])),
        ]
    )


def trace(record: dict | pd.Series) -> str:
    """``file:row`` of one recorded row (the file alone when its row is not known)."""
    file = record.get("source_file") or "?"
    row = _row_number(record)
    return f"{file}:{row}" if row is not None else str(file)


def sources(row: dict | pd.Series) -> str:
    """Where a row on current boundaries comes from, as a reader is shown it: the
    ``file:row`` of each row it was built from, comma-separated."""
    rows = row.get("source_rows")
    if isinstance(rows, tuple | list) and len(rows):
        return ", ".join(str(r) for r in rows)
    return trace(row) if row.get("source_file") else ""


# ---------------------------------------------------------------- small helpers


def _worst_status(statuses: list[str]) -> str:
    known = [s for s in statuses if isinstance(s, str) and s in _STATUS_RANK]
    return max(known, key=_STATUS_RANK.__getitem__) if known else "official"


def _none(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _row_number(record: dict | pd.Series) -> int | None:
    return None if (number := _number(record.get("source_row"))) is None else int(number)
