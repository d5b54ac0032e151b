"""Turn any data file into checked tidy rows and merge them into a dataset without losing data.

``bdg validate`` and ``bdg import`` both go through :func:`check_paths`: every file is read with
:func:`bdg_analysis.io.read` (which says how it read it) and checked by
:func:`bdg_analysis.validate.check`, so a file imports exactly when it validates (and a report
reads it alike: :func:`bdg_analysis.io.read_table` is the same reader).

Merging (``bdg import PATH... --out FILE.csv``) follows five rules:

1. A row whose place, indicator, year and sex are new is added.
2. A row whose value equals the one held changes nothing (importing a file twice is a no-op).
3. A value that differs from the one held is a *conflict*: it is reported with both values and
   both sources, and nothing is written. With ``revise=True`` (``--revise``) the new value
   replaces the old one, and the old value, its status and source go to ``FILE.history.csv``.
4. A figure missing in the new file never erases one held (reported as kept). A gap held
   (missing value) is filled by a new figure, and the gap is recorded in the history.
5. The same value with a new status (a preliminary figure confirmed, say), or with another
   numerator and denominator, is taken only with ``revise``; the old status and source go to
   the history ('restated', the old numerator and denominator noted in ``old_note``). A new
   source alone for the same value changes nothing: the value held is still supported by its
   own source. The same value whose row had no numerator and denominator takes the new ones
   (nothing is lost, nothing is replaced).

The optional columns ``numerator`` and ``denominator`` (returned collection forms fill them) are
kept through every merge; a dataset gets the two columns once some row has them.

Rows are matched on the place as validation resolves it (a former province and its current
successor are different places before 2025), the indicator, the year and ``sex`` as written.
A missing value is written as an empty ``value`` with its marker ('..') opening ``note``, so
the value column stays numeric for any CSV reader.

Memory stays a few times the file's size (``benchmarks/bench_import.py``): a plain tidy CSV
(:mod:`bdg_analysis.io.blocks`) is read and checked a block of lines at a time
(:class:`bdg_analysis.validate.Collector`), its rows kept as codes into the texts seen; rows are
matched on one int64 key per row; the merged file is written a block at a time, the held rows
read again from the file rather than kept as text. ``Loaded.tables`` then hold no rows.

Writing is safe against other writers and failures: the whole read-modify-write holds an
advisory lock on ``FILE`` (a second ``bdg import`` into it waits its turn, then merges into
what the first wrote: both keep their rows); the data and then the history are written as
:mod:`bdg_analysis.history` says (journalled, each atomically, never recorded twice).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from bdg_analysis import catalogue, files, history, paths, validate, words
from bdg_analysis import io as bio
from bdg_analysis.errors import BdgInputError, Problem
from bdg_analysis.io import blocks
from bdg_analysis.io.text_files import MISSING_MARKERS

_MARKERS = [m for m in MISSING_MARKERS if m]


@dataclass
class Loaded:
    """Checked observations of one or more files, with how each file was read."""

    checked: validate.Checked
    tables: list[bio.Table] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def warnings(self) -> list[Problem]:
        """What the readers and validation ask the user to check (a unit unlike the
        catalogue's, a returned form's flags, a value its numerator and denominator do not
        give)."""
        return [w for t in self.tables for w in t.warnings] + list(self.checked.warnings)


def check_paths(
    paths: Iterable[Path | str],
    *,
    indicator: str | None = None,
    sheet: str | None = None,
    province: str | None = None,
    year: int | None = None,
) -> Loaded:
    """Read and validate every file (any layout), collecting all problems.

    Plain tidy CSV files are read and checked a block at a time (the same problems, warnings
    and observations; text columns then come as categoricals, ``year`` as int16 and
    ``source_row`` as int32, and the tables hold no rows).

    ``indicator`` and ``province`` are checked first: a wrong one is a single problem, not one
    per row. ``province`` and ``year`` state the collection round: a returned form of another
    province or report year is refused. Without them, the returned forms read together must
    all belong to one province and year (a form of another round slipped into the folder is
    refused, each named with its round).
    """
    problems: list[Problem] = []
    if indicator is not None:
        try:
            indicator = catalogue.get(indicator).id
        except BdgInputError as err:
            problems += _restated("--indicator", "errors.kind_indicator", err.problems)
    if province is not None:
        from bdg_analysis import geo

        try:
            geo.resolve(province)
        except BdgInputError as err:
            problems += _restated("--province", "errors.kind_province", err.problems)
    if problems:
        empty = pd.DataFrame(columns=list(validate.OBSERVATION_COLUMNS))
        return Loaded(validate.Checked(empty, problems), [], problems)
    paths = list(paths)
    read = _read_in_blocks(paths, sheet)
    if read is not None:
        tables, checked = read
        problems = _sorted(problems + checked.problems)
        checked.problems = problems
        return Loaded(checked, tables, problems)
    tables: list[bio.Table] = []
    frames = []
    for path in paths:
        try:
            table = bio.read(path, indicator=indicator, sheet=sheet, province=province, year=year)
        except BdgInputError as err:
            problems += err.problems
            continue
        tables.append(table)
        problems += table.problems
        if len(table.frame):
            frames.append(table.frame)
    problems += _mixed_rounds(
        tables, province_given=province is not None, year_given=year is not None
    )
    if frames:
        raw = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        checked = validate.check(raw)
    else:
        checked = validate.Checked(pd.DataFrame(columns=list(validate.OBSERVATION_COLUMNS)))
    problems = _sorted(problems + checked.problems)
    checked.problems = problems
    return Loaded(checked, tables, problems)


def _restated(option: str, kind: str, problems: list[Problem]) -> list[Problem]:
    """The problems of a name given on the command line, said of the option that gave it."""
    return [words.problem_of(option, None, words.phrase(kind), p.message) for p in problems]


def _read_in_blocks(
    given: list[Path | str], sheet: str | None
) -> tuple[list[bio.Table], validate.Checked] | None:
    """Plain tidy CSV files (:mod:`bdg_analysis.io.blocks`) read and checked a block at a time:
    what reading them whole and :func:`validate.check` give, holding only compact columns.
    None unless every file is plain (then each is read whole, as any other file)."""
    found = [Path(p) for p in given]
    plains = [blocks.plain_header(path, sheet) for path in found]
    if not found or any(plain is None for plain in plains):
        return None
    collector = validate.Collector()
    tables = []
    try:
        for path, plain in zip(found, plains, strict=True):
            assert plain is not None
            shown = paths.display_path(path)
            if bio.size_problem(shown, path.stat().st_size) is not None:
                return None  # the whole-file reader refuses it, saying why
            first = None
            for table in blocks.tables(path, shown, plain):
                collector.add(table.frame)
                if first is None:
                    first = table
                table.frame = table.frame.iloc[0:0]
            if first is None:
                return None  # no rows: the whole-file reader says so
            tables.append(first)
    except blocks.NotPlain:
        return None
    return tables, collector.finish()


def _mixed_rounds(
    tables: list[bio.Table], *, province_given: bool = False, year_given: bool = False
) -> list[Problem]:
    """Returned forms of more than one round (province and report year) read together: each
    is named with its round, and the user states the round (``--province``, ``--year``). The
    part of the round the user stated was checked form by form already."""
    rounds = {t.file: t.inferred["round"] for t in tables if t.inferred.get("round")}

    def unstated(found: str) -> tuple[str, str]:
        place, _, yr = found.rpartition(" ")
        return ("" if province_given else place, "" if year_given else yr)

    if len({unstated(r) for r in rounds.values()}) <= 1:
        return []
    every = ", ".join(sorted(set(rounds.values())))
    return [
        words.problem(file, None, None, "importer.mixed_rounds", found=found, every=every)
        for file, found in rounds.items()
    ]


def expand_paths(
    given: Iterable[Path | str], *, skip: Iterable[Path | str] = ()
) -> tuple[list[Path], list[Problem]]:
    """The files named, a folder standing for the data files in it (not its sub-folders).

    In a folder, files of a known type are taken in name order; hidden files, Excel's lock
    files ('~$...') and the files in ``skip`` (the dataset written to and its history) are
    left out. A folder with no data file is a problem.
    """
    known = set(bio.registry.known_suffixes())
    skipped = {Path(s).resolve() for s in skip}
    out: list[Path] = []
    problems: list[Problem] = []
    for item in given:
        path = Path(item)
        if not path.is_dir():
            out.append(path)
            continue
        found = [
            p
            for p in sorted(path.iterdir())
            if p.is_file()
            and p.suffix.lower() in known
            and not p.name.startswith((".", "~$"))
            and p.resolve() not in skipped
        ]
        if not found:
            problems.append(
                words.problem(
                    paths.display_path(path),
                    None,
                    None,
                    "importer.folder_empty",
                    known=", ".join(sorted(known)),
                )
            )
        out += found
    return out, problems


def _sorted(problems: list[Problem]) -> list[Problem]:
    out, seen = [], set()
    for p in sorted(problems, key=lambda p: (p.file, p.row or 0, p.column or "")):
        k = (p.file, p.row, p.column, p.message)
        if k not in seen:
            seen.add(k)
            out.append(p)
    return out


# ---------------------------------------------------------------- merging


@dataclass
class MergeResult:
    """What merging did (or would do): counts, the conflicts refused, the history written."""

    added: int = 0
    unchanged: int = 0
    revised: int = 0
    filled: int = 0
    kept: int = 0  # held figures the new file had no value for
    restated: int = 0  # same value, new status (provisional -> official): only with revise
    restated_waiting: int = 0  # ... and left as they were (no revise)
    completed: int = 0  # same value, numerator and denominator added to a row without them
    conflicts: list[Problem] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    written: bool = False

    def summary(self, lang: str = "en") -> str:
        """What the merge did, in ``lang`` (the command line's language)."""
        from bdg_analysis.words import word

        counts = [
            ("added", self.added),
            ("unchanged", self.unchanged),
            ("revised", self.revised),
            ("filled", self.filled),
            ("kept", self.kept),
            ("completed", self.completed),
            ("restated", self.restated),
            ("restated_waiting", self.restated_waiting),
        ]
        always = ("added", "unchanged")
        return ", ".join(
            word(f"cli.merge_{name}", lang, n=n) for name, n in counts if n or name in always
        )


def tidy_rows(observations: pd.DataFrame) -> pd.DataFrame:
    """Checked observations as tidy text rows ready to write (places named as in their year).

    A pre-2025 row of a former province keeps the former name (a 2023 figure for Nam Định is
    Nam Định's, not the merged Ninh Bình's). A missing value is written empty, its marker
    opening the note ('..; not yet published'), so the value column stays numeric. Columns
    stay Arrow text (no Python string per cell): a dataset of a million rows stays small.
    ``numerator`` and ``denominator`` follow (empty when none; a file gets them only when some
    row has them, :func:`bdg_analysis.io.written_columns`).
    """
    obs = observations.reset_index(drop=True)

    def text(column: str) -> pd.Series:
        return obs[column].astype("str")

    status = text("status")
    rows = pd.DataFrame(
        {
            "province": text("former").where(text("former") != "", text("province")),
            "indicator": text("indicator"),
            "year": obs["year"].astype("int64").astype("str"),
            "value": _values_text(obs["value"].to_numpy(dtype="float64")),
            "sex": text("sex"),
            "source": text("source"),
            "note": text("note"),
            "status": status.where(status != "", "official"),
            **{c: _parts_text(obs, c) for c in bio.FRACTION_COLUMNS},
        }
    )
    markers = text("missing_marker").where(rows["value"] == "", "")
    return _markers_to_notes(rows, markers)


def _parts_text(obs: pd.DataFrame, column: str) -> pd.Series:
    """A numerator or denominator column as text ('' for none, or when absent)."""
    if column not in obs.columns:
        return pd.Series("", index=range(len(obs)), dtype="str")
    numbers = pd.to_numeric(obs[column], errors="coerce").to_numpy(dtype="float64")
    return _values_text(numbers)


def _values_text(values: np.ndarray) -> pd.Series:
    """Floats as the shortest exact text ('.15g'), missing as empty; each distinct value once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = pd.Series([format(float(u), ".15g") for u in uniques] + [""], dtype="str")
    return texts.take(codes).reset_index(drop=True)


def _markers_to_notes(rows: pd.DataFrame, markers: pd.Series) -> pd.DataFrame:
    """Empty the value cells that hold a missing marker and open their note with it.

    ``markers`` gives each row's marker (empty for none); a value cell holding a marker (a
    dataset written before markers moved to the note) is moved too. A note that already opens
    with the marker is left as it is (a row read back and written again).
    """
    rows = rows.reset_index(drop=True)
    value = rows["value"].astype("str")
    in_value = value.isin(_MARKERS)
    markers = markers.reset_index(drop=True).astype("str").where(~in_value, value)
    todo = markers != ""
    if not todo.any():
        return rows
    at = np.flatnonzero(todo.to_numpy())
    note = rows["note"].astype("str").iloc[at]
    marker = markers.iloc[at]
    opening = note.str.split("; ", n=1).str[0].str.strip()
    joined = (marker + "; " + note).where(note != "", marker)
    rows = rows.copy()
    rows.loc[at, "note"] = joined.where(opening != marker, note)
    rows.loc[at, "value"] = ""
    return rows


def _value_text(value: float, marker: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return marker if marker else ""
    return format(float(value), ".15g")


@contextlib.contextmanager
def _lock(out: Path, on_wait: Callable[[str], None] | None):
    """Hold ``out``'s lock; when another import holds it, say so (``on_wait``) and wait."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(files.locked(out, wait=False))
        except files.Busy:
            if on_wait is not None:
                on_wait(words.phrase("importer.busy_waiting", path=paths.display_path(out)))
            stack.enter_context(files.locked(out, wait=True))
        yield


def merge(
    new: validate.Checked,
    out: Path | str,
    *,
    revise: bool = False,
    today: dt.date | None = None,
    from_label: str = "",
    on_wait: Callable[[str], None] | None = None,
) -> MergeResult:
    """Merge checked new rows into the tidy dataset ``out`` (created if absent).

    Nothing is written when a conflict is refused: the file and its history stay as they were.
    ``from_label`` names the imported file in the history (``new_from``). The read-modify-
    write holds ``out``'s lock (``on_wait`` is told when it must wait for another writer, in
    a Phrase the caller says in the user's language).

    Raises
    ------
    BdgInputError
        The existing dataset itself has problems (they are listed; fix them first), or a
        file cannot be written (the data and history are then as they were, or the history
        is completed by the next import).
    """
    out = Path(out)
    today = today or dt.date.today()
    with _lock(out, on_wait):
        history.settle_pending(out)
        return _merge_locked(new, out, revise=revise, today=today, from_label=from_label)


#: Rows turned into text and written at a time (new rows; a held file goes block by block).
_WRITE_ROWS = 10_000


def _held(out: Path) -> tuple[pd.DataFrame, Callable[[], Iterator[pd.DataFrame]]]:
    """The dataset held: its checked observations, and its rows as text in file order (a
    function giving them block by block: a large file is read again when it is written, not
    held as text)."""
    if not out.exists():
        return pd.DataFrame(columns=list(validate.OBSERVATION_COLUMNS)), lambda: iter(())
    loaded = check_paths([out])
    if loaded.problems:
        raise BdgInputError(
            [
                words.problem(p.file, p.row, p.column, "importer.in_held", message=p.message)
                for p in loaded.problems
            ]
        )
    obs = loaded.checked.observations.reset_index(drop=True)
    table = loaded.tables[0]
    if len(table.frame):  # read whole: every row passed, the same rows in the same order
        whole = _text_columns(table.frame)
        return obs, lambda: iter([whole])
    plain = blocks.plain_header(out)
    assert plain is not None  # read in blocks a moment ago, under the lock
    return obs, lambda: (_text_columns(t.frame) for t in blocks.tables(out, table.file, plain))


def _text_columns(text: pd.DataFrame) -> pd.DataFrame:
    """Rows as read, in every tidy column (empty where the file has none)."""
    return pd.DataFrame(
        {c: (text[c] if c in text.columns else "") for c in bio.ALL_COLUMNS}, index=text.index
    ).reset_index(drop=True)


def _matches(obs: pd.DataFrame, held_obs: pd.DataFrame) -> np.ndarray:
    """For each new row, the position of the held row with its key (-1: none), from one int64
    per row (:func:`validate.row_keys`), the held keys sorted once."""
    if not len(held_obs) or not len(obs):
        return np.full(len(obs), -1, dtype=np.int64)
    keys = validate.row_keys(obs, held_obs)
    if keys is None:  # too many texts for one int64: match the key columns themselves
        return _matches_by_columns(obs, held_obs)
    new_key, held_key = keys
    order = np.argsort(held_key, kind="stable")  # held keys are unique (checked)
    held_key = held_key[order]
    at = np.minimum(np.searchsorted(held_key, new_key), len(held_key) - 1)
    return np.where(held_key[at] == new_key, order[at], -1)


def _matches_by_columns(obs: pd.DataFrame, held_obs: pd.DataFrame) -> np.ndarray:
    left = _keys(obs).assign(_n=np.arange(len(obs)))
    right = _keys(held_obs).assign(_h=np.arange(len(held_obs)))
    matched = left.merge(right, on=validate.DUPLICATE_KEY, how="left", sort=False)
    at = matched.sort_values("_n", kind="stable")["_h"].to_numpy(dtype="float64")
    return np.where(np.isnan(at), -1, at).astype(np.int64)


def _keys(obs: pd.DataFrame) -> pd.DataFrame:
    """The matching key of each row (Arrow text and integers: no Python object per cell)."""
    key = validate.DUPLICATE_KEY
    keys = {c: obs[c].astype("str").reset_index(drop=True) for c in key if c != "year"}
    keys["year"] = obs["year"].astype("int64").reset_index(drop=True)
    return pd.DataFrame(keys)[key]


def _statuses_differ(
    held_obs: pd.DataFrame, h_idx: np.ndarray, obs: pd.DataFrame, n_idx: np.ndarray
) -> np.ndarray:
    """Whether held row ``h_idx[i]`` and new row ``n_idx[i]`` have different statuses as
    written ('official' for none), compared as codes into one list of the statuses."""
    texts: dict[str, int] = {}

    def codes(frame: pd.DataFrame, idx: np.ndarray) -> np.ndarray:
        status = validate.as_categorical(frame["status"])
        shown = ["official" if t == "" else t for t in status.categories.astype("str").tolist()]
        table = [texts.setdefault(t, len(texts)) for t in shown] + [-1]
        return np.asarray(table, dtype=np.int32)[status.codes[idx]]

    return codes(held_obs, h_idx) != codes(obs, n_idx)


def _merge_locked(
    new: validate.Checked, out: Path, *, revise: bool, today: dt.date, from_label: str
) -> MergeResult:
    obs = new.observations.reset_index(drop=True)
    held_obs, held_text = _held(out)
    result = MergeResult()

    found = _matches(obs, held_obs)
    added = found < 0
    result.added = int(added.sum())
    n_idx = np.flatnonzero(~added)  # new rows that meet a held one
    h_idx = found[~added]

    old_v = held_obs["value"].to_numpy(dtype="float64")[h_idx]
    new_v = obs["value"].to_numpy(dtype="float64")[n_idx]
    old_missing, new_missing = np.isnan(old_v), np.isnan(new_v)
    with np.errstate(invalid="ignore"):
        same = (old_v == new_v) | (old_missing & new_missing)
    statuses_differ = _statuses_differ(held_obs, h_idx, obs, n_idx)
    completes, parts_differ = _parts_compared(held_obs, obs, h_idx, n_idx)
    restated = same & (statuses_differ | parts_differ)
    completes &= same & ~restated
    result.completed = int(completes.sum())
    result.unchanged = int((same & ~restated & ~completes).sum())
    result.restated_waiting = 0 if revise else int(restated.sum())
    result.kept = int((~same & new_missing).sum())
    rest = ~same & ~new_missing
    filled = rest & old_missing
    differ = rest & ~old_missing
    if differ.any() and not revise:
        result.conflicts = _conflicts(obs, held_obs, out, n_idx[differ], h_idx[differ])
        return result
    taken = filled | differ | (restated if revise else np.zeros_like(restated))
    result.filled = int(filled.sum())
    result.revised = int(differ.sum())
    result.restated = int(restated.sum()) if revise else 0
    if not result.added and not taken.any() and not completes.any():
        return result  # nothing to change: the file is left byte for byte as it was
    changes = _history_rows(
        obs,
        held_obs,
        n_idx[taken],
        h_idx[taken],
        np.where(restated[taken], "restated", np.where(filled[taken], "filled", "revised")),
        today,
        from_label,
    )
    result.history = changes.to_dict("records")
    plan = _Plan(obs, held_obs, np.flatnonzero(added), n_idx, h_idx, taken, completes)
    history.write_with_history(out, lambda tmp: plan.write(tmp, held_text), changes)
    result.written = True
    return result


class _Plan:
    """The merged dataset, written a block at a time: the held rows in their order (those
    replaced or completed taking the new rows' text), then the rows added, in their order."""

    def __init__(
        self,
        obs: pd.DataFrame,
        held_obs: pd.DataFrame,
        added: np.ndarray,
        n_idx: np.ndarray,
        h_idx: np.ndarray,
        taken: np.ndarray,
        completes: np.ndarray,
    ) -> None:
        self.obs = obs
        self.added = added
        order = np.argsort(h_idx, kind="stable")
        self.h_idx, self.n_idx = h_idx[order], n_idx[order]
        self.taken, self.completes = taken[order], completes[order]
        changed = self.taken | self.completes
        self.h_idx, self.n_idx = self.h_idx[changed], self.n_idx[changed]
        self.taken, self.completes = self.taken[changed], self.completes[changed]
        self.columns = self._written_columns(held_obs)

    def _written_columns(self, held_obs: pd.DataFrame) -> list[str]:
        """What :func:`bdg_analysis.io.written_columns` says of the merged rows: the schema's
        columns, then ``numerator`` and ``denominator`` when some row has one (a checked
        number is written exactly when its text is not empty)."""
        columns = list(bio.TIDY_COLUMNS)
        kept = np.ones(len(held_obs), dtype=bool)
        kept[self.h_idx[self.taken]] = False
        for column in bio.FRACTION_COLUMNS:
            held = _numbers(held_obs, column)
            new = _numbers(self.obs, column)
            if (
                (~np.isnan(held[kept])).any()
                or (~np.isnan(new[self.n_idx])).any()
                or (~np.isnan(new[self.added])).any()
            ):
                columns.append(column)
        return columns

    def write(self, tmp: Path, held_text: Callable[[], Iterator[pd.DataFrame]]) -> None:
        all_columns = list(bio.ALL_COLUMNS)
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            header = True
            start = 0
            for block in held_text():
                end = start + len(block)
                lo, hi = np.searchsorted(self.h_idx, [start, end])
                if hi > lo:
                    block = self._replaced(block, start, slice(lo, hi))
                self._write(fh, block, header)
                header, start = False, end
            for at in range(0, len(self.added), _WRITE_ROWS):
                rows = tidy_rows(self.obs.iloc[self.added[at : at + _WRITE_ROWS]])[all_columns]
                self._write(fh, rows, header)
                header = False
            if header:  # nothing at all (never: a merge that writes has rows)
                self._write(fh, pd.DataFrame(columns=all_columns), header)

    def _replaced(self, block: pd.DataFrame, start: int, part: slice) -> pd.DataFrame:
        """A block of held rows with the new text of the rows taken or completed in it."""
        at = self.h_idx[part] - start
        fresh = tidy_rows(self.obs.iloc[self.n_idx[part]])
        taken, completes = self.taken[part], self.completes[part]
        block = block.copy()
        for rows, names in ((taken, bio.ALL_COLUMNS), (completes, bio.FRACTION_COLUMNS)):
            if rows.any():
                for column in names:
                    values = block[column].astype("str").copy()
                    values.iloc[at[rows]] = fresh[column].iloc[np.flatnonzero(rows)].to_numpy()
                    block[column] = values
        return block

    def _write(self, fh, rows: pd.DataFrame, header: bool) -> None:
        rows = _markers_to_notes(rows, pd.Series("", index=range(len(rows)), dtype="str"))
        rows[self.columns].to_csv(fh, index=False, header=header, lineterminator="\n")


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64")


def _parts_compared(
    held_obs: pd.DataFrame, obs: pd.DataFrame, h_idx: np.ndarray, n_idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each new row meeting a held one: whether it brings a numerator and denominator the
    held row lacks (``completes``), and whether both have them and they differ."""

    def parts(frame: pd.DataFrame, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        out = []
        for column in bio.FRACTION_COLUMNS:
            if column in frame.columns:
                numbers = pd.to_numeric(frame[column], errors="coerce")
                out.append(numbers.to_numpy(dtype="float64")[idx])
            else:
                out.append(np.full(len(idx), np.nan))
        return out[0], out[1]

    if all(np.isnan(_numbers(obs, c)).all() for c in bio.FRACTION_COLUMNS):
        # the new rows bring no numerator or denominator: none completes or differs
        return np.zeros(len(n_idx), dtype=bool), np.zeros(len(n_idx), dtype=bool)
    new_n, new_d = parts(obs, n_idx)
    held_n, held_d = parts(held_obs, h_idx)
    new_has = ~np.isnan(new_n) & ~np.isnan(new_d)
    held_has = ~np.isnan(held_n) | ~np.isnan(held_d)
    with np.errstate(invalid="ignore"):
        differ = new_has & held_has & ((held_n != new_n) | (held_d != new_d))
    return new_has & ~held_has, differ


def _conflicts(
    obs: pd.DataFrame,
    held_obs: pd.DataFrame,
    out: Path,
    n_idx: np.ndarray,
    h_idx: np.ndarray,
) -> list[Problem]:
    shown_out = paths.display_path(out)
    history_name = history.history_path(out).name
    new_rows = tidy_rows(obs.iloc[n_idx])
    problems = []
    for i, (n, h) in enumerate(zip(n_idx.tolist(), h_idx.tolist(), strict=True)):
        row, held, o = new_rows.iloc[i], held_obs.iloc[h], obs.iloc[n]
        problems.append(
            words.problem(
                str(o["source_file"]),
                int(o["source_row"]),
                "value",
                "importer.conflict",
                province=row["province"],
                indicator=row["indicator"],
                year=row["year"],
                sex=" " + row["sex"] if row["sex"] else "",
                new=_fmt(o["value"]),
                held=_fmt(held["value"]),
                out=shown_out,
                row=int(held["source_row"]),
                source=held["source"] or words.phrase("importer.not_given"),
                new_source=row["source"] or words.phrase("importer.not_given"),
                history=history_name,
            )
        )
    return problems


def _history_rows(
    obs: pd.DataFrame,
    held_obs: pd.DataFrame,
    n_idx: np.ndarray,
    h_idx: np.ndarray,
    kinds: np.ndarray,
    today: dt.date,
    from_label: str,
) -> pd.DataFrame:
    """One history row per value replaced, gap filled or status restated."""
    new = tidy_rows(obs.iloc[n_idx])
    held = held_obs.iloc[h_idx].reset_index(drop=True)
    o = obs.iloc[n_idx].reset_index(drop=True)
    suffix = f" ({from_label})" if from_label else ""
    new_value = [
        _value_text(v, m)
        for v, m in zip(o["value"].tolist(), o["missing_marker"].tolist(), strict=True)
    ]
    return pd.DataFrame(
        {
            "replaced_on": today.isoformat(),
            "change": kinds,
            "province": new["province"].to_numpy(dtype=object),
            "indicator": new["indicator"].to_numpy(dtype=object),
            "year": new["year"].to_numpy(dtype=object),
            "sex": new["sex"].to_numpy(dtype=object),
            "old_value": [
                _value_text(v, m)
                for v, m in zip(
                    held["value"].tolist(), held["missing_marker"].tolist(), strict=True
                )
            ],
            "old_status": held["status"].astype("str").to_numpy(dtype=object),
            "old_source": held["source"].astype("str").to_numpy(dtype=object),
            "old_note": _notes_with_parts(held),
            "new_value": new_value,
            "new_status": new["status"].to_numpy(dtype=object),
            "new_source": new["source"].to_numpy(dtype=object),
            "new_from": [
                f"{f}:{int(r)}{suffix}"
                for f, r in zip(o["source_file"].tolist(), o["source_row"].tolist(), strict=True)
            ],
        },
        columns=list(history.HISTORY_COLUMNS),
    )


def _fmt(value: float) -> str:
    return words.phrase("importer.empty_value") if pd.isna(value) else f"{value:g}"


def _notes_with_parts(held: pd.DataFrame) -> np.ndarray:
    """The held rows' notes, with their numerator and denominator when they had them
    ('... [numerator=5620; denominator=5000]'), so the history loses nothing replaced."""
    notes = held["note"].astype("str").tolist()
    if not set(bio.FRACTION_COLUMNS) <= set(held.columns):
        return np.asarray(notes, dtype=object)
    out = []
    numerators = pd.to_numeric(held["numerator"], errors="coerce").tolist()
    denominators = pd.to_numeric(held["denominator"], errors="coerce").tolist()
    for note, n, d in zip(notes, numerators, denominators, strict=True):
        if pd.isna(n) and pd.isna(d):
            out.append(note)
            continue
        parts = f"[numerator={_value_text(n, '')}; denominator={_value_text(d, '')}]"
        out.append(f"{note} {parts}" if note else parts)
    return np.asarray(out, dtype=object)


# ---------------------------------------------------------------- one import


@dataclass
class ImportResult:
    """The outcome of :func:`import_paths` (or :func:`import_file`)."""

    loaded: Loaded
    merge: MergeResult | None = None

    @property
    def problems(self) -> list[Problem]:
        return self.loaded.problems + (self.merge.conflicts if self.merge else [])


def import_paths(
    given: Iterable[Path | str],
    out: Path | str,
    *,
    indicator: str | None = None,
    sheet: str | None = None,
    province: str | None = None,
    year: int | None = None,
    revise: bool = False,
    today: dt.date | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> ImportResult:
    """Read, check and merge files (a folder: its data files) into the tidy dataset ``out``.

    The files are checked together (a row repeated across two files is a duplicate) and
    merged in one locked step. Nothing is written when a file has a problem or a conflict is
    refused. ``province`` and ``year`` state the round of returned collection forms (see
    :func:`check_paths`).
    """
    out = Path(out)
    skip = [out, history.history_path(out), history.pending_path(out)]
    found, problems = expand_paths(given, skip=skip)
    same = [p for p in found if p.exists() and p.resolve() == out.resolve()]
    if same:
        problems.append(words.problem(paths.display_path(out), None, None, "importer.out_is_input"))
    loaded = check_paths(found, indicator=indicator, sheet=sheet, province=province, year=year)
    if problems:
        loaded.problems = _sorted(problems + loaded.problems)
        loaded.checked.problems = loaded.problems
    if loaded.problems:
        return ImportResult(loaded)
    for table in loaded.tables:  # the rows read are checked now: let their text go
        table.frame = table.frame.iloc[0:0]
    label = found[0].name if len(found) == 1 else ""
    result = merge(
        loaded.checked, out, revise=revise, today=today, from_label=label, on_wait=on_wait
    )
    return ImportResult(loaded, result)


def import_file(
    path: Path | str,
    out: Path | str,
    *,
    indicator: str | None = None,
    sheet: str | None = None,
    province: str | None = None,
    year: int | None = None,
    revise: bool = False,
    today: dt.date | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> ImportResult:
    """Read, check and merge one file into the tidy dataset ``out`` (see :func:`import_paths`)."""
    return import_paths(
        [path],
        out,
        indicator=indicator,
        sheet=sheet,
        province=province,
        year=year,
        revise=revise,
        today=today,
        on_wait=on_wait,
    )
