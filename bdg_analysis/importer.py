"""Turn any data file into checked tidy rows and merge them into a dataset without losing data.

``bdg validate`` and ``bdg import`` both go through :func:`check_paths`: every file is read with
:func:`bdg_analysis.io.read` (which says how it read it) and checked by
:func:`bdg_analysis.validate.check`, so a file imports exactly when it validates.

Merging (``bdg import PATH --out FILE.csv``) follows four rules:

1. A row whose place, indicator, year and sex are new is added.
2. A row whose value equals the one held changes nothing (importing a file twice is a no-op).
3. A value that differs from the one held is a *conflict*: it is reported with both values and
   both sources, and nothing is written. With ``revise=True`` (``--revise``) the new value
   replaces the old one, and the old value, its status and source go to ``FILE.history.csv``.
4. A figure missing in the new file never erases one held (reported as kept). A gap held
   (missing value) is filled by a new figure, and the gap is recorded in the history.
5. The same value with a new status (a preliminary figure confirmed, say) is taken only with
   ``revise``; the old status and source go to the history ('restated'). A new source alone
   for the same value changes nothing: the value held is still supported by its own source.

Rows are matched on the place as validation resolves it (a former province and its current
successor are different places before 2025), the indicator, the year and ``sex`` as written.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bdg_analysis import catalogue, paths, validate
from bdg_analysis import io as bio
from bdg_analysis.errors import BdgInputError, Problem

HISTORY_COLUMNS = (
    "replaced_on",
    "change",
    "province",
    "indicator",
    "year",
    "sex",
    "old_value",
    "old_status",
    "old_source",
    "old_note",
    "new_value",
    "new_status",
    "new_source",
    "new_from",
)
_KEY = ["province", "former", "indicator", "year", "sex"]


@dataclass
class Loaded:
    """Checked observations of one or more files, with how each file was read."""

    checked: validate.Checked
    tables: list[bio.Table] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_paths(
    paths: Iterable[Path | str],
    *,
    indicator: str | None = None,
    sheet: str | None = None,
    province: str | None = None,
) -> Loaded:
    """Read and validate every file (any layout), collecting all problems.

    ``indicator`` and ``province`` are checked first: a wrong one is a single problem, not one
    per row.
    """
    problems: list[Problem] = []
    if indicator is not None:
        try:
            indicator = catalogue.get(indicator).id
        except BdgInputError as err:
            problems += [Problem("--indicator", None, "indicator", p.message) for p in err.problems]
    if province is not None:
        from bdg_analysis import geo

        try:
            geo.resolve(province)
        except BdgInputError as err:
            problems += [Problem("--province", None, "province", p.message) for p in err.problems]
    if problems:
        empty = pd.DataFrame(columns=list(validate.OBSERVATION_COLUMNS))
        return Loaded(validate.Checked(empty, problems), [], problems)
    tables: list[bio.Table] = []
    frames = []
    for path in paths:
        try:
            table = bio.read(path, indicator=indicator, sheet=sheet, province=province)
        except BdgInputError as err:
            problems += err.problems
            continue
        tables.append(table)
        problems += table.problems
        if len(table.frame):
            frames.append(table.frame)
    if frames:
        raw = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        checked = validate.check(raw)
    else:
        checked = validate.Checked(pd.DataFrame(columns=list(validate.OBSERVATION_COLUMNS)))
    problems = _sorted(problems + checked.problems)
    checked.problems = problems
    return Loaded(checked, tables, problems)


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
    conflicts: list[Problem] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    written: bool = False

    def summary(self) -> str:
        parts = [f"{self.added} added", f"{self.unchanged} unchanged"]
        if self.revised:
            parts.append(f"{self.revised} revised")
        if self.filled:
            parts.append(f"{self.filled} gap(s) filled")
        if self.kept:
            parts.append(f"{self.kept} held value(s) kept (the new file has no figure)")
        if self.restated:
            parts.append(f"{self.restated} restated (same value, new status)")
        if self.restated_waiting:
            parts.append(
                f"{self.restated_waiting} with the same value but a new status left "
                "as held (pass --revise to take the new status)"
            )
        return ", ".join(parts)


def history_path(out: Path | str) -> Path:
    """Where the history of a dataset lives: ``FILE.history.csv`` beside ``FILE.csv``."""
    out = Path(out)
    return out.with_name(f"{out.stem}.history.csv")


def tidy_rows(observations: pd.DataFrame) -> pd.DataFrame:
    """Checked observations as tidy text rows ready to write (places named as in their year).

    A pre-2025 row of a former province keeps the former name (a 2023 figure for Nam Định is
    Nam Định's, not the merged Ninh Bình's); a missing value is written as its marker.
    """
    obs = observations
    place = obs["former"].where(obs["former"] != "", obs["province"])
    value = [_value_text(v, m) for v, m in zip(obs["value"], obs["missing_marker"], strict=True)]
    return pd.DataFrame(
        {
            "province": place.astype("str"),
            "indicator": obs["indicator"].astype("str"),
            "year": obs["year"].astype("int64").astype("str"),
            "value": value,
            "sex": obs["sex"].astype("str"),
            "source": obs["source"].astype("str"),
            "note": obs["note"].astype("str"),
            "status": obs["status"].where(obs["status"] != "", "official").astype("str"),
        }
    )


def _value_text(value: float, marker: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return marker if marker else ""
    return format(float(value), ".15g")


def merge(
    new: validate.Checked,
    out: Path | str,
    *,
    revise: bool = False,
    today: dt.date | None = None,
    from_label: str = "",
) -> MergeResult:
    """Merge checked new rows into the tidy dataset ``out`` (created if absent).

    Nothing is written when a conflict is refused: the file and its history stay as they were.
    ``from_label`` names the imported file in the history (``new_from``).

    Raises
    ------
    BdgInputError
        The existing dataset itself has problems (they are listed; fix them first).
    """
    out = Path(out)
    today = today or dt.date.today()
    new_rows = tidy_rows(new.observations)
    new_keys = new.observations[_KEY].copy()
    new_keys["sex"] = new_keys["sex"].astype("str")
    result = MergeResult()
    if out.exists():
        held_loaded = check_paths([out])
        if held_loaded.problems:
            raise BdgInputError(
                [
                    Problem(p.file, p.row, p.column, f"{p.message} (in the dataset merged into)")
                    for p in held_loaded.problems
                ]
            )
        held_obs = held_loaded.checked.observations
        held_text = bio.read_table(out)
        held_text = held_text[[c for c in bio.TIDY_COLUMNS if c in held_text.columns]].copy()
        for column in bio.TIDY_COLUMNS:
            if column not in held_text.columns:
                held_text[column] = ""
    else:
        held_obs = pd.DataFrame(columns=list(validate.OBSERVATION_COLUMNS))
        held_text = pd.DataFrame(columns=list(bio.TIDY_COLUMNS))
    index = {_key(r): i for i, r in enumerate(held_obs[_KEY].itertuples(index=False))}
    additions = []
    replacements: dict[int, dict] = {}
    shown_out = paths.display_path(out)
    for i, key in enumerate(new_keys.itertuples(index=False)):
        k = _key(key)
        row = new_rows.iloc[i]
        obs = new.observations.iloc[i]
        if k not in index:
            additions.append(row)
            index[k] = -1 - len(additions)  # a later duplicate is caught by validation
            result.added += 1
            continue
        at = index[k]
        if at < 0:
            continue
        held = held_obs.iloc[at]
        old_v, new_v = held["value"], obs["value"]
        restated = _same(old_v, new_v) and (held["status"] or "official") != row["status"]
        if _same(old_v, new_v) and not restated:
            result.unchanged += 1
            continue
        if restated and not revise:
            result.restated_waiting += 1
            continue
        if pd.isna(new_v) and not restated:
            result.kept += 1
            continue
        change = {
            "replaced_on": today.isoformat(),
            "change": "restated" if restated else "filled" if pd.isna(old_v) else "revised",
            "province": row["province"],
            "indicator": row["indicator"],
            "year": row["year"],
            "sex": row["sex"],
            "old_value": _value_text(old_v, held["missing_marker"]),
            "old_status": held["status"],
            "old_source": held["source"],
            "old_note": held["note"],
            "new_value": row["value"],
            "new_status": row["status"],
            "new_source": row["source"],
            "new_from": f"{obs['source_file']}:{int(obs['source_row'])}"
            + (f" ({from_label})" if from_label else ""),
        }
        if restated:
            result.restated += 1
        elif pd.isna(old_v):
            result.filled += 1
        elif not revise:
            result.conflicts.append(
                Problem(
                    str(obs["source_file"]),
                    int(obs["source_row"]),
                    "value",
                    f"{row['province']} {row['indicator']} {row['year']}"
                    f"{' ' + row['sex'] if row['sex'] else ''}: {_fmt(new_v)} here differs from "
                    f"{_fmt(old_v)} held in {shown_out}:{int(held['source_row'])} (source "
                    f"{held['source'] or 'not given'!r}; "
                    f"new source {row['source'] or 'not given'!r})"
                    "; pass --revise to replace it (the old value goes to "
                    f"{history_path(out).name})",
                )
            )
            continue
        else:
            result.revised += 1
        replacements[at] = {**row.to_dict()}
        result.history.append(change)
    if result.conflicts:
        result.revised = result.restated = 0
        result.history = []
        return result
    if not additions and not replacements:
        return result  # nothing to change: the file is left byte for byte as it was
    merged = held_text.reset_index(drop=True).copy()
    for at, row in replacements.items():
        for column in bio.TIDY_COLUMNS:
            merged.loc[at, column] = row[column]
    if additions:
        merged = pd.concat(
            [merged, pd.DataFrame(additions)[list(bio.TIDY_COLUMNS)]], ignore_index=True
        )
    if result.history:
        _append_history(history_path(out), result.history)
    _write(merged, out)
    result.written = True
    return result


def _key(row) -> tuple:
    province, former, indicator, year, sex = row
    return (str(province), str(former), str(indicator), int(year), str(sex))


def _same(a: float, b: float) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    return not (pd.isna(a) or pd.isna(b)) and float(a) == float(b)


def _fmt(value: float) -> str:
    return "empty" if pd.isna(value) else f"{value:g}"


def _write(frame: pd.DataFrame, path: Path) -> None:
    """Write tidy text rows (UTF-8, ',' and '.' decimals: what reports read), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(bio.TIDY_COLUMNS)
        for row in frame[list(bio.TIDY_COLUMNS)].itertuples(index=False):
            writer.writerow(["" if pd.isna(v) else str(v) for v in row])
    tmp.replace(path)


def _append_history(path: Path, changes: list[dict]) -> None:
    """Add changes to the history file (never rewritten, only appended), atomically."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        if old:
            handle.write(old)
        writer = csv.DictWriter(handle, fieldnames=HISTORY_COLUMNS, lineterminator="\n")
        if not old:
            writer.writeheader()
        for change in changes:
            writer.writerow(change)
    tmp.replace(path)


def read_history(out: Path | str) -> pd.DataFrame:
    """The history of a dataset (empty frame when nothing was ever replaced)."""
    path = history_path(out)
    if not path.exists():
        return pd.DataFrame(columns=list(HISTORY_COLUMNS))
    return pd.read_csv(path, dtype=str, keep_default_na=False)


# ---------------------------------------------------------------- one import


@dataclass
class ImportResult:
    """The outcome of :func:`import_file`."""

    loaded: Loaded
    merge: MergeResult | None = None

    @property
    def problems(self) -> list[Problem]:
        return self.loaded.problems + (self.merge.conflicts if self.merge else [])


def import_file(
    path: Path | str,
    out: Path | str,
    *,
    indicator: str | None = None,
    sheet: str | None = None,
    province: str | None = None,
    revise: bool = False,
    today: dt.date | None = None,
) -> ImportResult:
    """Read, check and merge one file into the tidy dataset ``out`` (the ``bdg import`` verb).

    Nothing is written when the file has a problem or a conflict is refused.
    """
    loaded = check_paths([path], indicator=indicator, sheet=sheet, province=province)
    if loaded.problems:
        return ImportResult(loaded)
    if Path(out).resolve() == Path(path).resolve():
        problem = Problem(
            paths.display_path(out),
            None,
            None,
            "--out is the file being imported; write to another file",
        )
        loaded.problems.append(problem)
        return ImportResult(loaded)
    result = merge(loaded.checked, out, revise=revise, today=today, from_label=Path(path).name)
    return ImportResult(loaded, result)
