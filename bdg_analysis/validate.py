"""Check raw tidy tables against the schema, the catalogue and the province register."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bdg_analysis import catalogue, geo
from bdg_analysis.errors import BdgInputError, Problem
from bdg_analysis.io import REQUIRED_COLUMNS, SOURCE_COLUMNS, TIDY_COLUMNS

SEXES = ("", "female", "male", "total")
STATUSES = ("", "official", "provisional", "estimate", "demo")
MISSING_MARKERS = ("", "..", "...", "-", "–", "NA", "n/a", "N/A")
YEAR_RANGE = (1950, 2100)

OBSERVATION_COLUMNS = (
    "province", "province_code", "former", "indicator", "year", "value", "sex",
    "source", "note", "status", "missing_marker", "source_file", "source_row",
)


@dataclass
class Checked:
    """The outcome of validation: clean observations and every problem found."""

    observations: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _problems_at(frame: pd.DataFrame, mask, column: str, message) -> list[Problem]:
    """One problem per flagged row; ``message`` is a string or a function of the row."""
    rows = frame.loc[mask]
    out = []
    for file, row, cell in zip(rows["source_file"], rows["source_row"], rows[column], strict=True):
        text = message(cell) if callable(message) else message
        out.append(Problem(file, int(row), column, text))
    return out


def check(raw: pd.DataFrame) -> Checked:
    """Validate a raw table from :func:`bdg_analysis.io.read_table` (one or several files).

    Every problem is collected (file, row, column, message); nothing is dropped or coerced
    silently. Rows with problems are left out of the returned observations.
    """
    problems: list[Problem] = []
    files = raw["source_file"].unique().tolist()
    for file in files:
        columns = [c for c in raw.loc[raw["source_file"] == file].dropna(axis=1, how="all").columns]
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            problems.append(Problem(file, 1, None, f"missing column(s): {', '.join(missing)}; "
                                    f"the tidy schema is {', '.join(TIDY_COLUMNS)}"))
        extra = [c for c in columns if c not in TIDY_COLUMNS and c not in SOURCE_COLUMNS]
        if extra:
            problems.append(Problem(file, 1, None, f"unexpected column(s): {', '.join(extra)}; "
                                    f"the tidy schema is {', '.join(TIDY_COLUMNS)}"))
    if problems:
        return Checked(pd.DataFrame(columns=list(OBSERVATION_COLUMNS)), problems)

    frame = raw.copy()
    for column in TIDY_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
        frame[column] = frame[column].fillna("").astype("str").str.strip()
    bad = pd.Series(False, index=frame.index)

    # indicator
    known = set(catalogue.ids())
    mask = ~frame["indicator"].isin(known)
    problems += _problems_at(frame, mask, "indicator", _unknown_indicator)
    bad |= mask

    # year
    year = pd.to_numeric(frame["year"], errors="coerce")
    mask = year.isna() | (year % 1 != 0) | (year < YEAR_RANGE[0]) | (year > YEAR_RANGE[1])
    problems += _problems_at(frame, mask, "year",
                             lambda v: f"{v!r} is not a year (expected a whole number "
                                       f"{YEAR_RANGE[0]}-{YEAR_RANGE[1]})")
    bad |= mask
    frame["year"] = year.where(~mask, 0).astype("int64")

    # value: empty or a missing marker stays missing and the marker is recorded
    raw_value = frame["value"]
    is_missing = raw_value.isin(MISSING_MARKERS)
    value = pd.to_numeric(raw_value.where(~is_missing, None), errors="coerce").astype("float64")
    mask = value.isna() & ~is_missing
    problems += _problems_at(frame, mask, "value",
                             lambda v: f"{v!r} is not a number (expected e.g. 12.5; "
                                       "for '12,5' from Excel use 'bdg import')")
    bad |= mask
    frame["missing_marker"] = raw_value.where(is_missing, "")
    frame["value"] = value

    # value inside the indicator's natural bounds
    lower = frame["indicator"].map({i.id: i.lower for i in catalogue.indicators()})
    upper = frame["indicator"].map({i.id: i.upper for i in catalogue.indicators()})
    lower = pd.to_numeric(lower, errors="coerce").astype("float64")
    upper = pd.to_numeric(upper, errors="coerce").astype("float64")
    below = (value < lower).fillna(False).astype(bool)
    above = (value > upper).fillna(False).astype(bool)
    mask = (below | above) & ~bad
    problems += [
        Problem(f, int(r), "value", _bounds_message(v, ind))
        for f, r, v, ind in zip(frame.loc[mask, "source_file"], frame.loc[mask, "source_row"],
                                frame.loc[mask, "value"], frame.loc[mask, "indicator"], strict=True)
    ]
    bad |= mask

    # sex and status vocabularies
    for column, allowed in (("sex", SEXES), ("status", STATUSES)):
        mask = ~frame[column].isin(allowed)
        choices = ", ".join(a for a in allowed if a)
        problems += _problems_at(frame, mask, column,
                                 lambda v, c=choices: f"{v!r} is not allowed (expected one of {c}, "
                                                      "or empty)")
        bad |= mask

    # province: resolve each distinct (name, year) once
    frame["province_code"] = ""
    frame["former"] = ""
    mask = frame["province"] == ""
    problems += _problems_at(frame, mask, "province", "empty (expected a province name or code)")
    bad |= mask
    names = frame.loc[~mask, ["province", "year"]].drop_duplicates()
    resolved: dict[tuple[str, int], tuple[str, str, str]] = {}
    failed: dict[tuple[str, int], str] = {}
    for name, yr in zip(names["province"], names["year"], strict=True):
        try:
            res = geo.resolve(name, int(yr) if yr else None)
        except BdgInputError as err:
            failed[(name, yr)] = err.problems[0].message
            continue
        former = res.former.name if res.former is not None else ""
        resolved[(name, yr)] = (res.province.name, res.province.code, former)
    if failed:
        keys = list(zip(frame["province"], frame["year"], strict=True))
        mask = pd.Series([k in failed for k in keys], index=frame.index)
        problems += [
            Problem(f, int(r), "province", failed[(p, y)])
            for f, r, p, y in zip(frame.loc[mask, "source_file"], frame.loc[mask, "source_row"],
                                  frame.loc[mask, "province"], frame.loc[mask, "year"], strict=True)
        ]
        bad |= mask
    good = ~bad
    mapped = [resolved[(p, y)] for p, y in zip(frame.loc[good, "province"],
                                               frame.loc[good, "year"], strict=True)]
    if mapped:
        names_, codes, formers = zip(*mapped, strict=True)
        frame.loc[good, "province"] = list(names_)
        frame.loc[good, "province_code"] = list(codes)
        frame.loc[good, "former"] = list(formers)

    # duplicates: one value per place, indicator, year and sex
    keys = ["province", "former", "indicator", "year", "sex"]
    clean = frame.loc[good]
    dup = clean.duplicated(keys, keep=False)
    if dup.any():
        for _, group in clean.loc[dup].groupby(keys, sort=False):
            first = group.iloc[0]
            for _, other in group.iloc[1:].iterrows():
                same = (pd.isna(first["value"]) and pd.isna(other["value"])) or (
                    first["value"] == other["value"])
                here, there = _fmt(other["value"]), _fmt(first["value"])
                what = "the same value" if same else (
                    f"a different value ({here} here, {there} there)")
                problems.append(Problem(
                    other["source_file"], int(other["source_row"]), "value",
                    f"duplicate of {first['source_file']}:{int(first['source_row'])} "
                    f"({other['province']}, {other['indicator']}, {other['year']}) with {what}"))
        bad |= frame.index.isin(clean.index[dup])

    observations = frame.loc[~bad, list(OBSERVATION_COLUMNS)].reset_index(drop=True)
    problems.sort(key=lambda p: (p.file, p.row or 0, p.column or ""))
    return Checked(observations, problems)


def _fmt(value: float) -> str:
    return "empty" if pd.isna(value) else f"{value:g}"


def _unknown_indicator(value: str) -> str:
    if not value:
        return "empty (expected an indicator id such as M4.CT1)"
    import difflib

    close = difflib.get_close_matches(value, catalogue.ids(), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else " (see 'bdg_analysis.catalogue')"
    return f"unknown indicator {value!r}{hint}"


def _bounds_message(value: float, indicator_id: str) -> str:
    ind = catalogue.get(indicator_id)
    low = "-∞" if ind.lower is None or np.isnan(ind.lower) else f"{ind.lower:g}"
    high = "∞" if ind.upper is None or np.isnan(ind.upper) else f"{ind.upper:g}"
    return (f"{value:g} is outside the natural range of {indicator_id} "
            f"({low} to {high} {ind.unit_en})")
