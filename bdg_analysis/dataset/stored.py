"""Checked observations kept in the analysis cache, so data files are checked once per version.

``bdg report`` checks the data in the parent process and its notebook kernel loads and checks
them again; ``bdg run-all`` does the same per worker. The first check that finds no problem
writes the observations as Parquet, keyed by the files' checksums, their names as shown and
the package's code; every later load of the same files reads them back. Only clean results
are kept (a file with problems is checked, and reported, every time), and a kept file that
does not read back as checked observations is ignored and written again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from bdg_analysis import cache, files, paths
from bdg_analysis.errors import BdgError

#: The dtypes a kept frame must read back with (the rest are text).
_NUMERIC = {"year": "int64", "value": "float64", "source_row": "int64"}


def key(data_files: Sequence[Path | str]) -> str | None:
    """The cache key of checking ``data_files`` in this order (None if one cannot be read).

    It covers each file's SHA-256, the name its rows will carry (``source_file`` is the path
    as shown, which depends on the project and working folders) and the package code.
    """
    parts: list[object] = [cache.code_digest()]
    for file in data_files:
        try:
            parts.append([paths.display_path(file), cache.sha256_file(file)])
        except OSError:
            return None
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()[:24]


def path_for(data_files: Sequence[Path | str], folder: Path | None = None) -> Path | None:
    """Where the checked observations of ``data_files`` are kept (None: no cache)."""
    folder = cache.default_dir() if folder is None else folder
    digest = key(data_files) if folder is not None else None
    return None if folder is None or digest is None else folder / f"checked-{digest}.parquet"


def read(path: Path | None, columns: Sequence[str]) -> pd.DataFrame | None:
    """The observations kept at ``path``, or None when missing, unreadable or not as written
    (other columns or types): the caller then checks the files again."""
    if path is None or not path.is_file():
        return None
    try:
        frame = pd.read_parquet(path)
    except Exception:  # noqa: BLE001 - any unreadable file is only a cache miss
        return None
    if list(frame.columns) != list(columns):
        return None
    for column, dtype in _NUMERIC.items():
        if column in frame.columns and str(frame[column].dtype) != dtype:
            return None
    return frame


def write(path: Path | None, frame: pd.DataFrame, *, index: bool = False) -> None:
    """Keep checked observations at ``path`` (with their index if ``index``), whole or not at
    all; best effort (a cache that cannot be written only costs time)."""
    if path is None:
        return
    try:
        with files.atomic_target(path) as tmp:
            frame.to_parquet(tmp, index=index)
    except (BdgError, OSError, ValueError, TypeError, ImportError):
        pass


# ---------------------------------------------------------------- the frame on current boundaries

#: Columns of the current frame that hold tuples (Parquet gives them back as arrays).
_TUPLE_COLUMNS = ("source_rows", "parts_used", "parts_missing", "weight_years")


def current_path(folder: Path | None, rows_digest: str) -> Path | None:
    """Where the observations on current boundaries of one dataset are kept (None: no cache).
    ``rows_digest`` covers every column of the observations, the weights and the code."""
    return None if folder is None else folder / f"current-{rows_digest}.parquet"


def read_current(path: Path | None) -> pd.DataFrame | None:
    """The kept frame on current boundaries, its tuple columns as tuples again; None when
    missing or unreadable (the caller then builds it)."""
    if path is None or not path.is_file():
        return None
    try:
        frame = pd.read_parquet(path)
    except Exception:  # noqa: BLE001 - any unreadable file is only a cache miss
        return None
    for column in _TUPLE_COLUMNS:
        if column in frame.columns:
            frame[column] = [
                tuple(v.tolist()) if hasattr(v, "tolist") else v for v in frame[column]
            ]
    return frame


def write_current(path: Path | None, frame: pd.DataFrame) -> None:
    """Keep the frame on current boundaries with its index (rows keep the observations'
    positions), whole or not at all; best effort."""
    write(path, frame, index=True)
