"""Writing user-visible files safely: whole or not at all, never through a planted link, one
writer at a time.

Every file the tool writes (tidy CSV, history, HTML, annex, PDF, index, manifest, cache) goes
through :func:`write_atomic` or :func:`atomic_target`: the content goes to a new, uniquely named
temporary file in the target's own folder (``mkstemp``: ``O_CREAT | O_EXCL``, so a symlink planted
at a guessable name is never followed), is flushed to disk (``fsync``), then renamed over the
target (``os.replace``, atomic on POSIX). A failure at any point (disk full, Ctrl-C, a crash)
leaves the previous file untouched and no temporary file behind. :func:`locked` serialises
read-modify-write cycles (``bdg import`` into one ``--out``) with an advisory ``fcntl`` lock.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bdg_analysis import words
from bdg_analysis.errors import BdgError, BdgInputError
from bdg_analysis.words import phrase

SHARED_MODE = 0o666  # reports and data are meant to be read by others; the umask still applies


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_error(path: Path, err: OSError) -> BdgError:
    """A failed write as one line naming the file, not a traceback."""
    if err.errno == errno.ENOSPC:
        why: object = phrase("files.disk_full")
    elif err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = phrase("files.no_permission")
    elif err.errno == errno.ENAMETOOLONG:
        why = phrase("files.path_too_long")
    else:
        why = err.strerror or str(err)
    problem = words.problem(str(path), None, None, "files.not_written", why=why)
    error = BdgInputError(problem)
    if err.errno == errno.ENOSPC:  # not the user's input: exit 1 like a failed run
        error.exit_code = 1
    return error


@contextlib.contextmanager
def atomic_target(path: Path | str, *, mode: int = SHARED_MODE) -> Iterator[Path]:
    """A temporary path in ``path``'s folder to write to; renamed over ``path`` on success.

    For libraries that write to a file name themselves (openpyxl, matplotlib, Chromium's PDF)::

        with atomic_target(out) as tmp:
            workbook.save(tmp)

    On any exception the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        raise _write_error(path, err) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, mode & ~_umask())  # mkstemp makes 0600
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise _write_error(path, err) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path | str, data: str | bytes, *, mode: int = SHARED_MODE) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` whole or not at all; returns ``path``."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_target(path, mode=mode) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(payload)
    return path


class Busy(BdgError):
    """Another process holds the lock of a file (exit code 2: try again later)."""

    exit_code = 2


@contextlib.contextmanager
def locked(path: Path | str, *, wait: bool = True) -> Iterator[None]:
    """Hold an advisory lock on ``path`` (via ``.<name>.lock`` beside it) for a read-modify-write.

    With ``wait`` a second writer waits its turn; without, it gets :class:`Busy` naming the file.
    The lock file stays (removing it would race with a waiting writer); it is empty.
    """
    import fcntl

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(f".{path.name}.lock")
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(lock_path, flags, 0o666 & ~_umask())
    except OSError as err:
        raise _write_error(lock_path, err) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise Busy(phrase("files.busy", path=path)) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock
