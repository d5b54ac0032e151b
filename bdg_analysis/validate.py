"""Check raw tidy tables against the schema, the catalogue and the province register."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from bdg_analysis import catalogue, geo, words
from bdg_analysis.errors import BdgInputError, Problem
from bdg_analysis.io import FRACTION_COLUMNS, REQUIRED_COLUMNS, SOURCE_COLUMNS, TIDY_COLUMNS
from bdg_analysis.io.text_files import MISSING_MARKERS, YEAR_RANGE
from bdg_analysis.io.tidy import schema_text

SEXES = ("", "female", "male", "total")
STATUSES = ("", "official", "provisional", "estimate", "demo")

#: The key of one figure: a second row with the same key is a duplicate.
DUPLICATE_KEY = ["province", "former", "indicator", "year", "sex"]

OBSERVATION_COLUMNS = (
    "province",
    "province_code",
    "former",
    "indicator",
    "year",
    "value",
    "sex",
    "source",
    "note",
    "status",
    "missing_marker",
    "source_file",
    "source_row",
    "numerator",
    "denominator",
)
# the observations' number columns; every other column holds text
_NUMERIC = frozenset({"year", "value", "source_row", "numerator", "denominator"})


@dataclass
class Checked:
    """The outcome of validation: clean observations and every problem found.

    ``warnings``: what a user should check but that does not stop the rows (a value that its
    numerator and denominator do not give, within the stated tolerance).
    """

    observations: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _problems_at(frame: pd.DataFrame, mask, column: str, message) -> list[Problem]:
    """One problem per flagged row; ``message`` is a Phrase or a function of the cell's text
    giving one (called once per distinct text: a million rows share a few phrases).

    For a figure of a wide table (``source_cell`` set), the value column names its cell
    ('value [2023]', 'value [D7]'): one line of a yearbook holds several figures.
    """
    rows = _flagged(frame, mask, column)
    if not len(rows):
        return []
    cells = _cells(rows, column)
    out = []
    texts: dict = {}
    for file, row, cell, where in zip(
        rows["source_file"].tolist(),
        rows["source_row"].tolist(),
        rows[column].tolist(),
        cells,
        strict=True,
    ):
        if callable(message):
            if cell not in texts:  # one message per distinct cell text, not per row
                texts[cell] = message(cell)
            text = texts[cell]
        else:
            text = message
        out.append(words.problem_of(file, int(row), where, text))
    return out


def _flagged(frame: pd.DataFrame, mask, *columns: str) -> pd.DataFrame:
    """The flagged rows, with only the columns a message needs (a million rows stay fast)."""
    keep = ["source_file", "source_row", *columns]
    if "source_cell" in frame.columns:
        keep.append("source_cell")
    return frame.loc[mask, list(dict.fromkeys(keep))]


def _cells(rows: pd.DataFrame, column: str) -> list[str]:
    if column != "value" or "source_cell" not in rows.columns:
        return [column] * len(rows)
    return [
        f"value [{c}]" if isinstance(c, str) and c else column for c in rows["source_cell"].tolist()
    ]


def check(raw: pd.DataFrame) -> Checked:
    """Validate a raw table from :func:`bdg_analysis.io.read_table` (one or several files).

    Every problem is collected (file, row, column, message); nothing is dropped or coerced
    silently. Rows with problems are left out of the returned observations.
    """
    frame, bad, problems = _check_rows(raw)
    if frame is None:
        return Checked(pd.DataFrame(columns=list(OBSERVATION_COLUMNS)), problems)
    good = ~bad

    # duplicates: one value per place, indicator, year and sex
    keyed = frame[DUPLICATE_KEY] if good.all() else frame.loc[good, DUPLICATE_KEY]
    dup = keyed.duplicated(keep=False).to_numpy()  # no copy above when all rows are good
    if dup.any():
        clean = frame.loc[keyed.index[dup]]
        problems += _duplicate_problems(clean)
        bad[clean.index] = True

    more, mask = check_fractions(frame, bad)
    problems += more
    bad |= mask
    _fraction_numbers(frame)
    warnings = fraction_warnings(frame, bad)

    columns = list(OBSERVATION_COLUMNS)
    observations = frame.loc[~bad, columns].reset_index(drop=True) if bad.any() else frame[columns]
    return Checked(observations, _unique(problems), warnings)


class Collector:
    """:func:`check` of a table given a block of rows at a time, holding only compact columns.

    Each block's rows are checked on their own as they come (:func:`_check_rows`, the
    numerator and denominator); the rows kept are held as codes into one list of the texts
    seen per column, so a file of a million rows costs a few bytes a row. :meth:`finish`
    then finds duplicates among all of them and returns what :func:`check` of the whole table
    returns: the same problems and warnings, the same observations (text columns as
    categoricals). Rows are named by ``source_file`` and ``source_row``, unique per block's
    file (the tidy text reader's blocks).
    """

    TEXT = tuple(c for c in OBSERVATION_COLUMNS if c not in _NUMERIC)

    def __init__(self) -> None:
        self._codes: dict[str, list[np.ndarray]] = {c: [] for c in self.TEXT}
        self._texts: dict[str, dict[str, int]] = {c: {} for c in self.TEXT}
        self._numbers: dict[str, list] = {
            "year": [],
            "value": [],
            "source_row": [],
            **{c: [] for c in FRACTION_COLUMNS},
        }
        self._fraction_bad: list[np.ndarray] = []
        self._places: dict = {}
        self._problems: list[Problem] = []
        self._fraction_problems: list[Problem] = []
        self._warnings: list[Problem] = []

    def add(self, raw: pd.DataFrame) -> None:
        """Check a block of raw rows (one file's, in file order) and keep its good rows.

        Raises
        ------
        ValueError
            The block's columns are wrong (a table builder never makes such a block).
        """
        frame, bad, problems = _check_rows(raw, self._places)
        if frame is None:
            raise ValueError("a block with wrong columns")
        self._problems += problems
        more, mask = check_fractions(frame, bad)
        self._fraction_problems += more
        _fraction_numbers(frame)
        self._warnings += fraction_warnings(frame, bad | mask)
        keep = ~bad
        kept = frame.loc[keep] if not keep.all() else frame
        for column in self.TEXT:
            self._codes[column].append(self._coded(column, kept[column]))
        self._numbers["year"].append(kept["year"].to_numpy(dtype=np.int16))
        self._numbers["value"].append(kept["value"].to_numpy(dtype="float64"))
        self._numbers["source_row"].append(kept["source_row"].to_numpy(dtype=np.int32))
        for column in FRACTION_COLUMNS:
            numbers = kept[column].to_numpy(dtype="float64")
            # a block without any: its length only (most files have none)
            self._numbers[column].append(numbers if (~np.isnan(numbers)).any() else len(numbers))
        self._fraction_bad.append(mask[keep])

    def _coded(self, column: str, values: pd.Series) -> np.ndarray:
        """Codes into the texts seen so far in ``column`` (one byte a row for a few texts)."""
        codes, uniques = pd.factorize(values)
        index = self._texts[column]
        known = [index.setdefault(u, len(index)) for u in uniques.tolist()]
        size = np.int8 if len(index) < 1 << 7 else np.int16 if len(index) < 1 << 15 else np.int32
        return np.asarray([*known, -1], dtype=size)[codes]

    def finish(self) -> Checked:
        """The checked observations of every block, with every problem and warning.

        Each column is joined and its blocks let go before the next (no second copy of the
        rows at once)."""
        columns: dict[str, object] = {}
        for c in self.TEXT:
            codes = _joined(self._codes.pop(c), np.int8)
            columns[c] = pd.Categorical.from_codes(codes, categories=list(self._texts[c]))
        # years as int16, rows as int32: numbers any reader takes as integers, in less room
        columns["year"] = _joined(self._numbers.pop("year"), np.int16)
        columns["source_row"] = _joined(self._numbers.pop("source_row"), np.int32)
        columns["value"] = _joined(self._numbers.pop("value"), np.float64)
        for c in FRACTION_COLUMNS:
            parts = self._numbers.pop(c)
            if all(isinstance(p, int) for p in parts):
                columns[c] = np.full(sum(parts), np.nan)
            else:
                columns[c] = _joined(
                    [np.full(p, np.nan) if isinstance(p, int) else p for p in parts], np.float64
                )
        frame = pd.DataFrame({c: columns.pop(c) for c in OBSERVATION_COLUMNS}, copy=False)
        bad = _joined(self._fraction_bad, bool)
        problems = list(self._problems)
        dup = _duplicated(frame)
        fraction_problems, warnings = self._fraction_problems, self._warnings
        if dup.any():
            clean = frame.loc[dup]
            clean = clean.astype({c: object for c in self.TEXT})
            problems += _duplicate_problems(clean)
            twice = set(zip(clean["source_file"], clean["source_row"].tolist(), strict=True))
            fraction_problems = [p for p in fraction_problems if (p.file, p.row) not in twice]
            warnings = [w for w in warnings if (w.file, w.row) not in twice]
            bad |= dup
        problems += fraction_problems
        observations = frame.loc[~bad].reset_index(drop=True) if bad.any() else frame
        return Checked(observations, _unique(problems), warnings)


def _joined(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def _duplicated(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose key (:data:`DUPLICATE_KEY`) another row has too, from one int64 per row."""
    keys = row_keys(frame)
    if keys is None:  # too many texts for one int64
        return frame[DUPLICATE_KEY].duplicated(keep=False).to_numpy()
    return repeated(keys[0])


def row_keys(*frames: pd.DataFrame) -> list[np.ndarray] | None:
    """One int64 per row of each frame for its :data:`DUPLICATE_KEY`, comparable across the
    frames (the texts of each column coded once into one list; years as offsets): equal keys,
    equal rows, with no text made per row. None when the texts are too many for one int64."""
    keys = [np.zeros(len(f), dtype=np.int64) for f in frames]
    total = 1.0
    for column in DUPLICATE_KEY:
        if column == "year":
            years = [f[column].to_numpy(dtype=np.int64) for f in frames]
            low = min((int(y.min()) for y in years if len(y)), default=0)
            size = max((int(y.max()) for y in years if len(y)), default=low) - low + 1
            codes = [y - low for y in years]
        else:
            cats = [as_categorical(f[column]) for f in frames]
            texts = cats[0].categories
            for cat in cats[1:]:
                texts = texts.union(cat.categories)
            size = len(texts) + 1
            # codes into ``texts`` + 1; a missing text (code -1) takes the appended 0
            codes = [
                np.append(texts.get_indexer(c.categories) + 1, 0).astype(np.int64)[c.codes]
                for c in cats
            ]
        total *= size
        if total >= 2.0**62:
            return None
        for key, part in zip(keys, codes, strict=True):
            key *= size  # in place: one key array per frame
            key += part
    return keys


def as_categorical(values: pd.Series) -> pd.Categorical:
    """A column as codes into its texts (a column read in blocks already is one)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.array
    return pd.Categorical(values.astype("str"))


def repeated(key: np.ndarray) -> np.ndarray:
    """Whether each key occurs more than once (by sorting: less memory than a hash table)."""
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    same = ordered[1:] == ordered[:-1]
    del ordered
    twice = np.zeros(len(key), dtype=bool)
    twice[1:] |= same
    twice[:-1] |= same
    out = np.zeros(len(key), dtype=bool)
    out[order] = twice
    return out


def _check_rows(
    raw: pd.DataFrame, places: dict | None = None
) -> tuple[pd.DataFrame | None, np.ndarray, list[Problem]]:
    """Every check of a row on its own (all but duplicates and the numerator/denominator):
    the frame with places resolved, the rows refused and why. A frame whose columns are wrong
    comes back as None with its problems (no row is judged then). ``places`` keeps each
    (name, year) resolved (:func:`_place`) from one block to the next."""
    problems: list[Problem] = _column_name_problems(raw)
    if problems:
        return None, np.zeros(0, dtype=bool), problems
    files = raw["source_file"].unique().tolist()
    for file in files:
        part = raw if len(files) == 1 else raw.loc[raw["source_file"] == file]
        columns = [c for c in part.columns if part[c].notna().any()]
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            problems.append(
                words.problem(
                    file,
                    1,
                    None,
                    "validate.missing_columns",
                    columns=", ".join(missing),
                    schema=schema_text(),
                )
            )
        known = (*TIDY_COLUMNS, *FRACTION_COLUMNS, *SOURCE_COLUMNS)
        extra = [c for c in columns if c not in known]
        if extra:
            problems.append(
                words.problem(
                    file,
                    1,
                    None,
                    "validate.unexpected_columns",
                    columns=", ".join(extra),
                    schema=schema_text(),
                )
            )
    if problems:
        return None, np.zeros(0, dtype=bool), problems

    frame = raw.reset_index(drop=True)
    for column in TIDY_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
        frame[column] = _stripped(frame[column])
    bad = np.zeros(len(frame), dtype=bool)

    # indicator
    known = catalogue.ids()
    ind_codes, ind_uniques = pd.factorize(frame["indicator"])
    ind_known = np.array([u in known for u in ind_uniques] + [False], dtype=bool)
    mask = ~ind_known[ind_codes]
    problems += _problems_at(frame, mask, "indicator", _unknown_indicator)
    bad |= mask

    # year
    year = _numbers(frame["year"])
    with np.errstate(invalid="ignore"):
        mask = np.isnan(year) | (year % 1 != 0) | (year < YEAR_RANGE[0]) | (year > YEAR_RANGE[1])
    problems += _problems_at(
        frame,
        mask,
        "year",
        lambda v: words.phrase(
            "validate.not_a_year", text=v, low=YEAR_RANGE[0], high=YEAR_RANGE[1]
        ),
    )
    bad |= mask
    frame["year"] = np.where(mask, 0, year).astype("int64")

    # value: empty or a missing marker stays missing and the marker is recorded; a finite
    # number otherwise ('inf', 'Infinity', '1e309' are no figure any indicator can hold)
    raw_value = frame["value"]
    is_missing = raw_value.isin(MISSING_MARKERS).to_numpy()
    value = _numbers(raw_value)
    value[is_missing] = np.nan
    mask = np.isnan(value) & ~is_missing
    problems += _problems_at(frame, mask, "value", _not_a_number)
    infinite = np.isinf(value)
    problems += _problems_at(frame, infinite, "value", _not_finite)
    bad |= mask | infinite
    frame["missing_marker"] = _missing_markers(raw_value, frame["note"], is_missing)
    frame["value"] = value

    # value inside the indicator's natural bounds
    bounds = {
        i.id: (_bound(i.lower, -np.inf), _bound(i.upper, np.inf)) for i in catalogue.indicators()
    }
    lower = np.array([bounds.get(u, (-np.inf, np.inf))[0] for u in ind_uniques] + [-np.inf])
    upper = np.array([bounds.get(u, (-np.inf, np.inf))[1] for u in ind_uniques] + [np.inf])
    with np.errstate(invalid="ignore"):
        mask = ((value < lower[ind_codes]) | (value > upper[ind_codes])) & ~bad
    if mask.any():
        flagged = _flagged(frame, mask, "value", "indicator")
        said: dict[tuple[float, str], words.Phrase] = {}  # one phrase per value and indicator
        problems += [
            words.problem_of(
                f, int(r), where, said.get((v, ind)) or said.setdefault((v, ind), _outside(v, ind))
            )
            for f, r, v, ind, where in zip(
                flagged["source_file"].tolist(),
                flagged["source_row"].tolist(),
                flagged["value"].tolist(),
                flagged["indicator"].tolist(),
                _cells(flagged, "value"),
                strict=True,
            )
        ]
    bad |= mask

    # sex and status vocabularies
    for column, allowed in (("sex", SEXES), ("status", STATUSES)):
        mask = ~frame[column].isin(allowed).to_numpy()
        choices = ", ".join(a for a in allowed if a)
        problems += _problems_at(
            frame,
            mask,
            column,
            lambda v, c=choices: words.phrase("validate.not_allowed", text=v, choices=c),
        )
        bad |= mask

    # province: resolve each distinct (name, year) once, then spread the answers by code
    mask = (frame["province"] == "").to_numpy()
    problems += _problems_at(frame, mask, "province", words.phrase("validate.province_empty"))
    bad |= mask
    name_codes, name_uniques = pd.factorize(frame["province"])
    years = frame["year"].to_numpy()
    span = int(years.max()) + 1 if len(years) else 1
    pair_uniques, pair_codes = np.unique(
        name_codes.astype(np.int64) * span + years, return_inverse=True
    )
    name_list = name_uniques.tolist()
    pairs = [(name_list[c // span], int(c % span)) for c in pair_uniques.tolist()]
    places = {} if places is None else places
    names, codes, formers, failed = [], [], [], []
    for pair in pairs:
        if pair not in places:
            places[pair] = _place(*pair)
        name, code, former, why = places[pair]
        names.append(name), codes.append(code), formers.append(former), failed.append(why)
    failed_arr = np.asarray(failed, dtype=object)[pair_codes]
    mask = (failed_arr != "") & ~mask
    if mask.any():
        flagged = _flagged(frame, mask)
        problems += [
            words.problem_of(f, int(r), "province", msg)
            for f, r, msg in zip(
                flagged["source_file"].tolist(),
                flagged["source_row"].tolist(),
                failed_arr[mask],
                strict=True,
            )
        ]
    bad |= mask
    good = ~bad
    frame["province"] = _spread(names, pair_codes).where(good, frame["province"])
    frame["province_code"] = _spread(codes, pair_codes).where(good, "")
    frame["former"] = _spread(formers, pair_codes).where(good, "")

    return frame, bad, problems


def _duplicate_problems(clean: pd.DataFrame) -> list[Problem]:
    """A problem for every row of ``clean`` (rows sharing their key with another, in file
    order) but the first of its key, naming that first row and both values."""
    problems = []
    for _, group in clean.groupby(DUPLICATE_KEY, sort=False):
        first = group.iloc[0]
        for _, other in group.iloc[1:].iterrows():
            same = (pd.isna(first["value"]) and pd.isna(other["value"])) or (
                first["value"] == other["value"]
            )
            here, there = _fmt(other["value"]), _fmt(first["value"])
            if same:
                what = words.phrase("validate.same_value")
            else:
                what = words.phrase("validate.different_value", here=here, there=there)
            problems.append(
                words.problem(
                    other["source_file"],
                    int(other["source_row"]),
                    _cells(group.loc[[other.name]], "value")[0],
                    "validate.duplicate",
                    code="duplicate",
                    file=first["source_file"],
                    row=int(first["source_row"]),
                    cell=_cell_suffix(first),
                    province=other["province"],
                    indicator=other["indicator"],
                    year=other["year"],
                    what=what,
                )
            )
    return problems


def _unique(problems: list[Problem]) -> list[Problem]:
    """Problems in file and row order, each once (a label wrong on a yearbook line is wrong
    once, not once per year)."""
    problems = sorted(problems, key=lambda p: (p.file, p.row or 0, p.column or ""))
    seen: set[tuple] = set()
    unique = []
    for p in problems:
        k = (p.file, p.row, p.column, p.message)
        if k not in seen:
            seen.add(k)
            unique.append(p)
    return unique


def _place(name: str, year: int) -> tuple[str, str, str, str]:
    """A province name of a year resolved: (name, code, former name, why not) ('' for none)."""
    if not name:
        return "", "", "", ""
    try:
        res = geo.resolve(name, int(year) if year else None)
    except BdgInputError as err:
        return "", "", "", err.problems[0].message
    former = res.former.name if res.former is not None else ""
    return res.province.name, res.province.code, former, ""


def _stripped(values: pd.Series) -> pd.Series:
    """Text without surrounding spaces; the column itself (no copy) when none has any."""
    text = values.fillna("").astype("str")
    stripped = text.str.strip()
    same = (stripped.str.len() == text.str.len()).all()
    return text if same else stripped


def _column_name_problems(raw: pd.DataFrame) -> list[Problem]:
    """A frame whose columns repeat a name or have none (readers report these at the header
    row; this guards frames built elsewhere)."""
    names = [str(c) for c in raw.columns]
    file = str(raw["source_file"].iloc[0]) if "source_file" in names and len(raw) else "<data>"
    problems = []
    first: dict[str, int] = {}
    for i, name in enumerate(names):
        folded = name.strip().lower()
        if not folded:
            left = names[i - 1] if i else None
            right = names[i + 1] if i + 1 < len(names) else None
            problems.append(
                words.problem(
                    file,
                    1,
                    words.phrase("validate.column_n", n=i + 1),
                    "validate.column_without_name",
                    left=left,
                    right=right,
                )
            )
        elif folded in first:
            problems.append(
                words.problem(
                    file,
                    1,
                    None,
                    "validate.same_column_twice",
                    first=first[folded] + 1,
                    first_name=names[first[folded]],
                    second=i + 1,
                    name=name,
                    folded=folded,
                )
            )
        else:
            first[folded] = i
    return problems


def _missing_markers(raw_value: pd.Series, note: pd.Series, is_missing: np.ndarray) -> pd.Series:
    """The marker of each missing value: the value cell's ('..'), or, for an empty value, a
    marker opening the note ('..; not yet published'), as ``bdg import`` writes it so that the
    value column stays numeric."""
    markers = raw_value.where(is_missing, "")
    empty = ((raw_value == "") & (note != "")).to_numpy()
    if empty.any():
        opening = note[empty].str.split("; ", n=1).str[0].str.strip()
        known = opening.isin([m for m in MISSING_MARKERS if m]).to_numpy()
        markers.loc[opening.index[known]] = opening[known]
    return markers


def _numbers(text: pd.Series) -> np.ndarray:
    """Text to floats (NaN where not a number), parsing each distinct text once."""
    codes, uniques = pd.factorize(text)
    numbers = pd.to_numeric(pd.Series(uniques, dtype="str"), errors="coerce")
    numbers = np.append(numbers.astype("float64").to_numpy(), np.nan)
    return numbers[codes]


def _spread(values: list[str], codes: np.ndarray) -> pd.Series:
    """``values[codes]`` as a text column, without a Python string per row."""
    import pyarrow as pa

    taken = pa.array(values, type=pa.string()).take(pa.array(codes, type=pa.int64()))
    return pd.Series(pd.array(taken, dtype=pd.StringDtype("pyarrow", na_value=np.nan)))


def _not_a_number(text: str) -> words.Phrase:
    if text.replace(",", "", 1).replace("-", "", 1).isdigit():  # '12,5': a decimal comma
        return words.phrase("validate.not_a_number_comma", text=text)
    return words.phrase("validate.not_a_number", text=text)


def _not_finite(text: str) -> words.Phrase:
    return words.phrase("validate.not_finite", text=text)


def _bound(value, default: float) -> float:
    if value is None:
        return default
    value = float(value)
    return default if np.isnan(value) else value


def _cell_suffix(row: pd.Series) -> str:
    cell = row.get("source_cell")
    return f" [{cell}]" if isinstance(cell, str) and cell else ""


def _fmt(value: float) -> str:
    return words.phrase("validate.empty_value") if pd.isna(value) else f"{value:g}"


def _unknown_indicator(value: str) -> words.Phrase:
    if not value:
        return words.phrase("validate.indicator_empty")
    import difflib

    close = difflib.get_close_matches(value, catalogue.ids(), n=3, cutoff=0.5)
    if close:
        return words.phrase("validate.unknown_indicator_close", value=value, names=", ".join(close))
    return words.phrase("validate.unknown_indicator", value=value)


def _outside(value: float, indicator_id: str) -> words.Phrase:
    """A value outside its indicator's natural bounds, with the range in each language's unit."""
    return words.phrase("validate.outside_range", value=value, **_range(indicator_id))


@lru_cache(maxsize=64)
def _range(indicator_id: str) -> dict[str, str]:
    ind = catalogue.get(indicator_id)
    low = "-∞" if ind.lower is None or np.isnan(ind.lower) else f"{ind.lower:g}"
    high = "∞" if ind.upper is None or np.isnan(ind.upper) else f"{ind.upper:g}"
    return {
        "indicator": indicator_id,
        "low": low,
        "high": high,
        "unit_vi": ind.unit_vi,
        "unit_en": ind.unit_en,
    }


def _fraction_numbers(frame: pd.DataFrame) -> None:
    """``numerator`` and ``denominator`` as floats (NaN when empty, or absent from the files):
    checked observations always carry both columns."""
    for column in FRACTION_COLUMNS:
        if column in frame.columns:
            text = frame[column].fillna("").astype("str").str.strip()
            frame[column] = _numbers(text)
        else:
            frame[column] = np.nan


def fraction_warnings(frame: pd.DataFrame, bad: np.ndarray | None = None) -> list[Problem]:
    """A warning per value that its numerator and denominator do not give, beyond the stated
    tolerance (:func:`bdg_analysis.io.forms.fraction_agrees`: half a unit of the value's last
    typed decimal). Kept, not refused: the department is asked, the value stays as given.

    ``frame`` holds numeric ``value``, ``numerator`` and ``denominator`` (NaN for none); rows
    already ``bad`` and rows a returned form flagged already (their note holds
    ``io.forms.MISMATCH_NOTE``) are not warned about again.
    """
    from bdg_analysis.io.forms import MISMATCH_NOTE, fraction_scale, typed_decimals

    if not set(FRACTION_COLUMNS) <= set(frame.columns) or frame.empty:
        return []
    value = frame["value"].to_numpy(dtype="float64")
    num = frame["numerator"].to_numpy(dtype="float64")
    den = frame["denominator"].to_numpy(dtype="float64")
    todo = ~np.isnan(value) & ~np.isnan(num) & ~np.isnan(den) & (den > 0)
    if bad is not None:
        todo &= ~np.asarray(bad, dtype=bool)
    if not todo.any():
        return []
    noted = frame["note"].fillna("").astype("str").str.contains(MISMATCH_NOTE, regex=False)
    todo &= ~noted.to_numpy(dtype=bool)
    scales = {i.id: fraction_scale(i.kind, i.unit_vi) for i in catalogue.indicators()}
    scale = frame["indicator"].map(lambda i: scales.get(i) or np.nan).to_numpy(dtype="float64")
    todo &= ~np.isnan(scale)
    if not todo.any():
        return []
    at = np.flatnonzero(todo)
    codes, uniques = pd.factorize(value[at])
    decimals = np.array([typed_decimals(u) for u in uniques], dtype="float64")[codes]
    computed = scale[at] * num[at] / den[at]
    allowed = 0.5 * 10.0**-decimals
    # the rule of io.forms.fraction_agrees, on every row at once
    off = np.abs(value[at] - computed) > allowed + 1e-9 * np.maximum(1.0, np.abs(computed))
    rows = frame.iloc[at[off]]
    cells = (
        rows["source_cell"] if "source_cell" in rows.columns else pd.Series("", index=rows.index)
    )
    return [
        words.problem(
            str(file),
            int(row),
            f"value [{cell}]" if isinstance(cell, str) and cell else "value",
            "validate.fraction_differs",
            value=v,
            scale=k,
            computed=c,
            allowed=a,
        )
        for file, row, cell, v, k, c, a in zip(
            rows["source_file"].tolist(),
            rows["source_row"].tolist(),
            cells.tolist(),
            value[at][off].tolist(),
            scale[at][off].tolist(),
            computed[off].tolist(),
            allowed[off].tolist(),
            strict=True,
        )
    ]


def check_fractions(
    frame: pd.DataFrame, bad: np.ndarray | None = None
) -> tuple[list[Problem], np.ndarray]:
    """Check the optional ``numerator`` and ``denominator`` columns (returned collection forms
    keep both, so merged provinces and the nation add up exactly).

    Each is empty or a number; a numerator is 0 or more, a denominator above 0; they come in
    pairs; only shares, ratios and rates have them (:func:`bdg_analysis.io.forms.fraction_scale`).
    Whether they give the value is not a problem here but a flag of the form reader
    (:func:`bdg_analysis.io.forms.fraction_agrees`, one tolerance rule), kept in the note.
    Returns the problems and the rows to leave out; rows already ``bad`` are not judged again.
    A frame without either column has nothing to check.
    """
    from bdg_analysis.io.forms import fraction_scale

    flagged = np.zeros(len(frame), dtype=bool)
    present = [c for c in FRACTION_COLUMNS if c in frame.columns]
    if not present:
        return [], flagged
    skip = np.zeros(len(frame), dtype=bool) if bad is None else np.asarray(bad, dtype=bool)
    text = {
        c: (
            frame[c].fillna("").astype("str").str.strip()
            if c in frame.columns
            else pd.Series("", index=frame.index, dtype="str")
        )
        for c in FRACTION_COLUMNS
    }
    numbers = {c: _numbers(text[c]) for c in FRACTION_COLUMNS}
    given = {c: (text[c] != "").to_numpy() for c in FRACTION_COLUMNS}
    problems: list[Problem] = []

    def add(mask: np.ndarray, column: str, message) -> None:
        mask = mask & ~skip & ~flagged
        if mask.any():
            problems.extend(_problems_at(frame, mask, column, message))
            flagged[:] |= mask

    for c in FRACTION_COLUMNS:
        add(
            given[c] & np.isnan(numbers[c]),
            c,
            lambda v: words.phrase("validate.fraction_not_a_number", text=v),
        )
    num, den = numbers["numerator"], numbers["denominator"]
    with np.errstate(invalid="ignore"):
        add(
            given["numerator"] & (num < 0), "numerator", words.phrase("validate.numerator_negative")
        )
        add(
            given["denominator"] & (den <= 0),
            "denominator",
            words.phrase("validate.denominator_not_positive"),
        )
    add(
        given["numerator"] != given["denominator"],
        "denominator" if "denominator" in present else "numerator",
        words.phrase("validate.fraction_unpaired"),
    )
    kinds = {i.id: fraction_scale(i.kind, i.unit_vi) is not None for i in catalogue.indicators()}
    fraction = frame["indicator"].map(lambda i: kinds.get(i, True)).to_numpy(dtype=bool)
    add(
        (given["numerator"] | given["denominator"]) & ~fraction,
        "numerator",
        words.phrase("validate.fraction_not_a_share"),
    )
    return problems, flagged
