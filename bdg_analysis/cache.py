"""On-disk cache of analysis results, keyed by everything they are computed from."""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
from pathlib import Path

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


def read(path: Path):
    """What was stored at ``path``, or None when it is missing or unreadable."""
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError):
        return None


def write(path: Path, value) -> None:
    """Best effort and atomic: a cache that cannot be written only costs time, and a reader
    never sees half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass


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
    for path in folder.glob("*.pkl"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except OSError:
            continue  # another run removed or replaced it
    return removed
