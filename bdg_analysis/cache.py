"""On-disk cache of analysis results, keyed by everything they are computed from.

Results are stored in formats that cannot run code when read: JSON (:func:`write_json`),
NumPy ``.npz`` read with ``allow_pickle=False`` (:func:`write_arrays`) and Parquet
(:func:`write_frame`). Each file records the format version and the key it was computed for,
and is checked on reading (version, key, array names and shapes, columns): a file that does not
check out (garbage, a planted pickle, another version) is ignored with one line in the log
(``logging.getLogger("bdg_analysis")``) and the caller computes the result again. Writes are
atomic (``files.write_atomic``) and best effort: a cache that cannot be written only costs time.
"""

from __future__ import annotations

import functools
import hashlib
import io as _io
import json
import logging
import os
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from bdg_analysis import paths

_HASHES: dict[tuple[str, int, int], str] = {}


def sha256_file(path: Path | str) -> str:
    """Checksum of a file (provenance records, cache keys), kept by path, size and modification
    time within a process, so an unchanged file is read once."""
    p = Path(path).resolve()
    st = p.stat()
    key = (str(p), st.st_size, st.st_mtime_ns)
    if key not in _HASHES:
        digest = hashlib.sha256()
        with p.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        _HASHES[key] = digest.hexdigest()
    return _HASHES[key]


def _files_digest(files: list[Path], folder: Path) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(sha256_file(path).encode())
    return digest.hexdigest()


@functools.cache
def code_digest() -> str:
    """Checksum of the package's code and resources: results are stale when they change.

    Computed once per process: code does not change under a running kernel.
    """
    folder = paths.PACKAGE_DIR
    files = [
        p
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    ]
    return _files_digest(files, folder)


def params_digest() -> str:
    """Checksum of the plans in the params folder (checked each time: plans may be edited)."""
    return _files_digest(paths.params_files(), paths.params_dir())


def default_dir() -> Path | None:
    """Where results are kept between runs (``BDG_CACHE_DIR``; set but empty: no cache)."""
    env = os.environ.get("BDG_CACHE_DIR")
    if env is not None:
        return Path(env) if env else None
    return paths.project_root() / ".cache"


# ---------------------------------------------------------------- data formats that run no code

#: What every cache file says it is, and the version of its layout: a file written by another
#: version (or anything else) is ignored and computed again.
FORMAT = "bdg-analysis cache"
VERSION = 1
_META = "__bdg_cache__"  # the name of the header array inside an .npz file
SUFFIXES = (".json", ".npz", ".parquet", ".pkl")

log = logging.getLogger("bdg_analysis")


def _ignored(path: Path, why: str, *, expected: bool = False) -> None:
    """One line in the log for a cache file that does not check out (it is computed again).

    An entry of another version or key is expected after an upgrade (INFO); anything else
    (garbage, a planted file) is worth a look (WARNING).
    """
    level = logging.INFO if expected else logging.WARNING
    log.log(level, "cache: ignored %s (%s); the result is computed again", path.name, why)


def _header(key: str) -> dict:
    return {"format": FORMAT, "version": VERSION, "key": key}


def _check_header(path: Path, header, key: str) -> bool:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        _ignored(path, "not a cache file of this tool")
        return False
    if header.get("version") != VERSION:
        _ignored(path, f"written by cache version {header.get('version')!r}", expected=True)
        return False
    if header.get("key") != key:
        _ignored(path, "written for another key")
        return False
    return True


def _write_bytes(path: Path, payload: bytes) -> None:
    """Best effort and atomic: a cache that cannot be written only costs time."""
    from bdg_analysis.errors import BdgError
    from bdg_analysis.files import write_atomic

    try:
        write_atomic(path, payload, mode=0o644)
    except (BdgError, OSError) as err:
        log.debug("cache: could not write %s: %s", path.name, err)


def write_json(path: Path | str, key: str, value) -> None:
    """Store a JSON value (dicts, lists, str, numbers, bools, None, NaN) for ``key``.

    ``key`` is whatever the value was computed from (a digest); :func:`read_json` gives the
    value back only for the same key and format version.
    """
    path = Path(path)
    try:
        text = json.dumps({**_header(key), "value": value}, ensure_ascii=False)
    except (TypeError, ValueError) as err:
        log.debug("cache: %s not stored: %s", path.name, err)
        return
    _write_bytes(path, text.encode("utf-8"))


def read_json(path: Path | str, key: str, *, check: Callable[[object], bool] | None = None):
    """The value stored for ``key`` at ``path``, or None (missing, or it does not check out).

    ``check(value)`` may refuse a value of the wrong shape (a list where a dict is expected);
    anything refused is logged once and ignored, so the caller computes it again.
    """
    path = Path(path)
    if not path.exists():
        return None
    try:
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as err:
        _ignored(path, f"not JSON: {type(err).__name__}")
        return None
    if not _check_header(path, doc, key) or "value" not in doc:
        return None
    value = doc["value"]
    if check is not None and not check(value):
        _ignored(path, "its content has another shape than expected")
        return None
    return value


def write_arrays(
    path: Path | str, key: str, arrays: Mapping[str, np.ndarray], meta: dict | None = None
) -> None:
    """Store numeric arrays (and a small JSON ``meta``) for ``key`` as an .npz file.

    Object arrays are refused (they would need pickle): only numbers, booleans, text.
    """
    path = Path(path)
    arrays = {name: np.asarray(a) for name, a in arrays.items()}
    if _META in arrays or any(a.dtype.kind == "O" for a in arrays.values()):
        log.debug("cache: %s not stored: object arrays or a reserved name", path.name)
        return
    try:
        header = json.dumps(
            {
                **_header(key),
                "meta": meta or {},
                "shapes": {n: list(a.shape) for n, a in arrays.items()},
            },
            ensure_ascii=False,
        )
    except (TypeError, ValueError) as err:
        log.debug("cache: %s not stored: %s", path.name, err)
        return
    buffer = _io.BytesIO()
    np.savez(buffer, **{_META: np.array(header)}, **arrays)
    _write_bytes(path, buffer.getvalue())


def read_arrays(
    path: Path | str,
    key: str,
    *,
    names: Iterable[str] | None = None,
    shapes: Mapping[str, tuple[int | None, ...]] | None = None,
) -> tuple[dict[str, np.ndarray], dict] | None:
    """The arrays and ``meta`` stored for ``key`` at ``path``, or None.

    Read with ``allow_pickle=False``: a file holding pickled objects is refused, never
    unpickled. ``names`` (the arrays expected, exactly) and ``shapes`` (``None`` for any
    length along an axis) are checked; anything that does not check out is logged once and
    ignored.
    """
    path = Path(path)
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            files = list(npz.files)
            if _META not in files:
                _ignored(path, "not a cache file of this tool")
                return None
            header = json.loads(str(npz[_META]))
            if not _check_header(path, header, key):
                return None
            arrays = {n: npz[n] for n in files if n != _META}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, RecursionError) as err:
        _ignored(path, f"unreadable: {type(err).__name__}")
        return None
    if names is not None and set(arrays) != set(names):
        _ignored(path, "other arrays than expected")
        return None
    recorded = header.get("shapes", {})
    for name, array in arrays.items():
        if list(array.shape) != recorded.get(name) or array.dtype.kind == "O":
            _ignored(path, f"array {name!r} is not as written")
            return None
        want = (shapes or {}).get(name)
        if want is not None and (
            len(want) != array.ndim
            or any(w is not None and w != s for w, s in zip(want, array.shape, strict=True))
        ):
            _ignored(path, f"array {name!r} has shape {array.shape}, expected {tuple(want)}")
            return None
    meta = header.get("meta", {})
    return arrays, meta if isinstance(meta, dict) else {}


def write_frame(path: Path | str, key: str, frame: pd.DataFrame) -> None:
    """Store a table for ``key`` as Parquet (the key and version in the file's metadata)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError) as err:
        log.debug("cache: %s not stored: %s", path.name, err)
        return
    metadata = dict(table.schema.metadata or {})
    metadata[_META.encode()] = json.dumps(_header(key)).encode()
    table = table.replace_schema_metadata(metadata)
    buffer = pa.BufferOutputStream()
    pq.write_table(table, buffer)
    _write_bytes(path, buffer.getvalue().to_pybytes())


def read_frame(
    path: Path | str, key: str, *, columns: Iterable[str] | None = None
) -> pd.DataFrame | None:
    """The table stored for ``key`` at ``path`` (with exactly ``columns``, if given), or None."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.exists():
        return None
    try:
        table = pq.read_table(path)
        raw = (table.schema.metadata or {}).get(_META.encode())
        header = json.loads(raw.decode("utf-8")) if raw else None
    except (OSError, ValueError, pa.ArrowException, UnicodeDecodeError) as err:
        _ignored(path, f"unreadable: {type(err).__name__}")
        return None
    if not _check_header(path, header, key):
        return None
    if columns is not None and list(table.column_names) != list(columns):
        _ignored(path, "other columns than expected")
        return None
    return table.to_pandas()


def prune(folder: Path | None = None, older_than_days: float = 60) -> int:
    """Delete results not written for ``older_than_days`` (old data, old code); returns how many.

    Called at the start of ``bdg run-all``, so a scheduled server's cache does not grow without
    end; anything deleted is only computed again if it is needed.
    """
    import time

    folder = default_dir() if folder is None else folder
    if folder is None or not folder.is_dir():
        return 0
    limit = time.time() - older_than_days * 86400
    removed = 0
    for path in (p for p in folder.iterdir() if p.suffix in SUFFIXES):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except OSError:
            continue  # another run removed or replaced it
    return removed
