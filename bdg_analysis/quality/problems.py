"""Problems the checks found: conflicts and repeats (a cell given twice), the rest, the counts.

A duplicate is known by its problem's ``code`` (``"duplicate"``, set by ``validate``) and its
two rows are found in the raw rows by their key, as ``validate`` groups them: nothing is read
out of a message's text.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bdg_analysis import geo, words
from bdg_analysis.errors import BdgInputError, Problem
from bdg_analysis.quality.reading import Audit, demo_note
from bdg_analysis.text import label
from bdg_analysis.words import word

#: The code ``validate`` gives a row that repeats a place, indicator, year and sex.
DUPLICATE_CODE = "duplicate"

_COLUMNS = [
    "kind",
    "province",
    "place",
    "indicator",
    "year",
    "value_a",
    "status_a",
    "where_a",
    "source_a",
    "value_b",
    "status_b",
    "where_b",
    "source_b",
]


def is_duplicate(problem: Problem) -> bool:
    """Whether a problem is a duplicate row (by its code)."""
    return problem.code == DUPLICATE_CODE


@dataclass(frozen=True)
class _Pair:
    """A duplicate: where its first row (a) and the repeating row (b) are, and their key."""

    a: tuple[str, int, str]  # file, row, cell
    b: tuple[str, int, str]
    province: str  # current
    indicator: str
    year: int
    same: bool | None  # None: compare the values


def _cell_of(column: str | None) -> str:
    """The cell a value problem names ('value [D7]' -> 'D7'), '' for a plain column."""
    return column[len("value [") : -1] if column and column.startswith("value [") else ""


def _clean(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _number(text: object) -> float:
    value = pd.to_numeric(pd.Series([text], dtype="object"), errors="coerce").iloc[0]
    return float(value) if pd.notna(value) else float("nan")


class _Rows:
    """The raw rows by place (file, row, cell), with the key ``validate`` groups duplicates by:
    (current province, former province, indicator, year, sex)."""

    def __init__(self, raw: pd.DataFrame):
        self.records: dict[tuple[str, int, str], dict] = {}
        if raw.empty:
            return
        cells = (
            raw["source_cell"].fillna("").astype(str)
            if "source_cell" in raw
            else pd.Series("", index=raw.index)
        )
        for record, cell in zip(raw.to_dict("records"), cells, strict=True):
            self.records[(str(record["source_file"]), int(record["source_row"]), cell)] = record
        self._places: dict[tuple[str, int], tuple[str, str] | None] = {}

    def get(self, where: tuple[str, int, str]) -> dict:
        return self.records.get(where, {})

    def key(self, record: dict) -> tuple | None:
        """The duplicate key of a raw row; None when it cannot have one (no year, no place)."""
        year = _number(_clean(record.get("year")).strip())
        name = _clean(record.get("province")).strip()
        if year != year or not name:  # NaN year or no place: validate refused the row
            return None
        place = self._place(name, int(year))
        if place is None:
            return None
        indicator = _clean(record.get("indicator")).strip()
        sex = _clean(record.get("sex")).strip()
        return (*place, indicator, int(year), sex)

    def _place(self, name: str, year: int) -> tuple[str, str] | None:
        if (name, year) not in self._places:
            try:
                res = geo.resolve(name, year)
                former = res.former.name if res.former is not None else ""
                self._places[(name, year)] = (res.province.name, former)
            except BdgInputError:
                self._places[(name, year)] = None
        return self._places[(name, year)]


def _coded_pairs(problems: list[Problem], rows: _Rows) -> dict[tuple[str, int, str], _Pair]:
    """Pairs of the duplicates that carry their code, by the place of b (the problem's row): a
    is the first row of the same key, in the order read, neither a repeat nor refused."""
    coded = [p for p in problems if p.code == DUPLICATE_CODE]
    if not coded:
        return {}
    repeats = {(p.file, int(p.row or 0), _cell_of(p.column)) for p in coded}
    refused_rows, refused_cells = set(), set()
    for p in problems:
        if is_duplicate(p) or p.row is None:
            continue
        if _cell_of(p.column) or p.column == "value":
            refused_cells.add((p.file, int(p.row), _cell_of(p.column)))
        else:
            refused_rows.add((p.file, int(p.row)))
    wanted = {}
    for where in repeats:
        key = rows.key(rows.get(where))
        if key is not None:
            wanted[where] = key
    keys = set(wanted.values())
    texts = {(k[2], k[4]) for k in keys}  # indicator and sex: no place resolved for others
    firsts: dict[tuple, tuple[str, int, str]] = {}
    for where, record in rows.records.items():
        if where in repeats or where[:2] in refused_rows or where in refused_cells:
            continue
        if (_clean(record.get("indicator")).strip(), _clean(record.get("sex")).strip()) in texts:
            key = rows.key(record)
            if key in keys and key not in firsts:
                firsts[key] = where
    return {
        where: _Pair(firsts[key], where, key[0], key[2], key[3], None)
        for where, key in wanted.items()
        if key in firsts
    }


def _pairs(problems: list[Problem], rows: _Rows) -> list[_Pair]:
    """Every duplicate's pair, in the order of the problems."""
    coded = _coded_pairs(problems, rows)
    out = []
    for p in problems:
        pair = (
            coded.get((p.file, int(p.row or 0), _cell_of(p.column)))
            if p.code == DUPLICATE_CODE
            else None
        )
        if pair is not None:
            out.append(pair)
    return out


def conflicts(audit: Audit, *, include_repeats: bool = False, lang: str = "vi") -> pd.DataFrame:
    """The same place, indicator, year (and sex) given twice, as ``bdg validate`` finds them.

    Parameters
    ----------
    audit
        What :func:`read` returned (several files may be read together: a cell given in two
        files is found across them).
    include_repeats
        Also list pairs that give the same value twice (harmless but worth tidying).
    lang
        Language of the ``kind`` words.

    Returns
    -------
    DataFrame
        One row per pair: ``kind`` ('conflict' or 'repeat', in ``lang``), ``province``
        (current), ``place`` (as written in the first file), ``indicator``, ``year``,
        ``value_a``, ``status_a``, ``where_a`` (file:row), ``source_a`` and the same for b.

    Examples
    --------
    >>> quality.conflicts(quality.read(["a.csv", "b.csv"]))
    """
    lang = words.check_lang(lang, where="lang")
    rows = _Rows(audit.raw)
    records = []
    for pair in _pairs(audit.problems, rows):
        a, b = rows.get(pair.a), rows.get(pair.b)
        value_a, value_b = _number(a.get("value")), _number(b.get("value"))
        same = pair.same
        if same is None:
            same = (value_a != value_a and value_b != value_b) or value_a == value_b
        if same and not include_repeats:
            continue
        records.append(
            {
                "kind": word("quality.repeat" if same else "quality.conflict", lang),
                "province": pair.province,
                "place": str(a.get("province", pair.province)),
                "indicator": pair.indicator,
                "year": pair.year,
                "value_a": value_a,
                "status_a": str(a.get("status") or ""),
                "where_a": f"{pair.a[0]}:{pair.a[1]}",
                "source_a": str(a.get("source") or ""),
                "value_b": value_b,
                "status_b": str(b.get("status") or ""),
                "where_b": f"{pair.b[0]}:{pair.b[1]}",
                "source_b": str(b.get("source") or ""),
            }
        )
    return pd.DataFrame(records, columns=_COLUMNS)


def problems_table(audit: Audit, *, include_duplicates: bool = False) -> pd.DataFrame:
    """Every problem :func:`read` found as a table (``file``, ``row``, ``column``,
    ``message``); duplicates are left to :func:`conflicts` unless ``include_duplicates``."""
    rows = [
        {"file": p.file, "row": p.row, "column": p.column or "", "message": p.message}
        for p in audit.problems
        if include_duplicates or not is_duplicate(p)
    ]
    frame = pd.DataFrame(rows, columns=["file", "row", "column", "message"])
    frame["row"] = frame["row"].astype("Int64")
    return frame


def summary(audit: Audit, lang: str = "vi") -> pd.DataFrame:
    """How many files, rows, values, missing values, flagged values, problems and conflicts."""
    lang = words.check_lang(lang, where="lang")
    obs = audit.observations
    found = conflicts(audit, include_repeats=True, lang=lang)
    n_conflicts = int((found["kind"] == word("quality.conflict", lang)).sum())
    n_repeats = int((found["kind"] == word("quality.repeat", lang)).sum())
    items = [
        (word("quality.files", lang), len(audit.files)),
        (word("quality.rows", lang), len(audit.raw)),
        (word("quality.kept", lang), len(obs)),
        (word("quality.values", lang), int(obs["value"].notna().sum()) if len(obs) else 0),
        (word("quality.empty", lang), int(obs["value"].isna().sum()) if len(obs) else 0),
    ]
    for status in ("official", "provisional", "estimate", "demo"):
        count = int((obs["status"] == status).sum()) if len(obs) else 0
        name = word("quality.status", lang, word=label(status, lang))
        items.append((name[:1].upper() + name[1:], count))
    items += [
        (word("quality.problems", lang), len(audit.problems)),
        (word("quality.conflicts", lang), n_conflicts),
        (word("quality.repeats", lang), n_repeats),
    ]
    frame = pd.DataFrame(
        {"count": [n for _, n in items]}, index=pd.Index([k for k, _ in items], name="field")
    )
    note = demo_note(obs.loc[obs["value"].notna(), "status"] if len(obs) else [], lang)
    if note:
        frame.attrs["caption"] = note
    return frame
