"""The revision history of a dataset: ``FILE.history.csv`` beside ``FILE.csv``.

``bdg import --revise`` replaces a value only with the old one recorded here (its status,
source and note). The data are written first, then the history, each atomically: the changes
about to be recorded are journalled beside the file first (``.FILE.history-pending.csv``), so
a history whose write failed after the data's is completed by the next import, and the
journal of a data write that failed is dropped. A change already recorded as the latest of its
row is never recorded twice.
"""

from __future__ import annotations

import csv
import io as _io
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from bdg_analysis import files
from bdg_analysis.io.text_files import MISSING_MARKERS

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
_MARKERS = [m for m in MISSING_MARKERS if m]


def history_path(out: Path | str) -> Path:
    """Where the history of a dataset lives: ``FILE.history.csv`` beside ``FILE.csv``."""
    out = Path(out)
    return out.with_name(f"{out.stem}.history.csv")


def pending_path(out: Path | str) -> Path:
    """The journal of changes being recorded (present only while, or if, a write failed)."""
    out = Path(out)
    return out.with_name(f".{out.stem}.history-pending.csv")


def _history_text(changes: pd.DataFrame, header: bool) -> str:
    buffer = _io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(HISTORY_COLUMNS)
    for row in changes[list(HISTORY_COLUMNS)].itertuples(index=False):
        writer.writerow(["" if pd.isna(v) else str(v) for v in row])
    return buffer.getvalue()


def write_with_history(out: Path, write: Callable[[Path], None], changes: pd.DataFrame) -> None:
    """Journal the changes, write the data, then the history, then drop the journal.

    A failed data write leaves data and history as they were (the journal is dropped); a
    failed history write leaves the journal for the next import to complete the history.
    """
    journal = pending_path(out)
    if len(changes):
        files.write_atomic(journal, _history_text(changes, header=True))
    try:
        with files.atomic_target(out) as tmp:  # whole or not at all
            write(tmp)
    except BaseException:
        journal.unlink(missing_ok=True)
        raise
    if len(changes):
        _append_history(history_path(out), changes)
        journal.unlink(missing_ok=True)


def settle_pending(out: Path) -> None:
    """Complete or drop the journal a failed import left (called holding the lock).

    The changes it holds were written to the data if the data now show their new values
    (the data write is atomic: all or none); those are added to the history, once.
    """
    journal = pending_path(out)
    if not journal.exists():
        return
    try:
        changes = pd.read_csv(journal, dtype=str, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError):
        journal.unlink(missing_ok=True)
        return
    if len(changes) and out.exists() and set(HISTORY_COLUMNS) <= set(changes.columns):
        data = pd.read_csv(out, dtype=str, keep_default_na=False)
        key = ["province", "indicator", "year", "sex"]
        for column in (*key, "value", "status"):
            if column not in data.columns:
                data[column] = ""
        shown = data[[*key, "value", "status"]].rename(
            columns={"value": "new_value", "status": "new_status"}
        )
        shown = shown.drop_duplicates(subset=key, keep="last")
        probe = changes.merge(shown, on=key, how="left", suffixes=("", "_data"))
        done = (probe["new_value_data"].fillna("\0") == probe["new_value"]) | (
            (probe["new_value_data"] == "") & probe["new_value"].isin(_MARKERS)
        )
        done &= probe["new_status_data"].fillna("\0") == probe["new_status"]
        applied = changes[done.to_numpy()]
        if len(applied):
            _append_history(history_path(out), applied)
    journal.unlink(missing_ok=True)


def _append_history(path: Path, changes: pd.DataFrame) -> None:
    """Add changes to the history (atomically; old lines kept as they are).

    A change identical to the latest one recorded for its row (a retry) is not added again.
    """
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if old:
        held = pd.read_csv(_io.StringIO(old), dtype=str, keep_default_na=False)
        compare = [c for c in HISTORY_COLUMNS if c != "replaced_on" and c in held.columns]
        key = ["province", "indicator", "year", "sex"]
        latest = held.drop_duplicates(subset=key, keep="last")[compare]
        fresh = changes[list(HISTORY_COLUMNS)].astype(str)
        probe = fresh.merge(latest, on=compare, how="left", indicator=True)
        changes = fresh[(probe["_merge"] == "left_only").to_numpy()]
        if not len(changes):
            return
    text = old + ("" if not old or old.endswith("\n") else "\n")
    files.write_atomic(path, text + _history_text(changes, header=not old))


def read_history(out: Path | str) -> pd.DataFrame:
    """The history of a dataset (empty frame when nothing was ever replaced)."""
    path = history_path(out)
    if not path.exists():
        return pd.DataFrame(columns=list(HISTORY_COLUMNS))
    return pd.read_csv(path, dtype=str, keep_default_na=False)
