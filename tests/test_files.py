"""Safe writes: whole or nothing, never through a planted symlink, one writer at a time."""

import errno
import multiprocessing
import os
import time
from pathlib import Path

import pytest

from bdg_analysis import files
from bdg_analysis.errors import BdgInputError


def test_write_atomic_replaces_whole_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "out" / "report.html"
    files.write_atomic(target, "first")
    files.write_atomic(target, "second ✔")
    assert target.read_text(encoding="utf-8") == "second ✔"
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")

    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(BdgInputError, match="disk is full") as caught:
        files.write_atomic(target, "new")
    assert caught.value.exit_code == 1
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_an_exception_while_writing_removes_the_temporary_file(tmp_path):
    target = tmp_path / "annex.xlsx"
    with pytest.raises(RuntimeError):
        with files.atomic_target(target) as tmp:
            tmp.write_bytes(b"partial")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_a_planted_symlink_at_the_old_temporary_name_is_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    target = tmp_path / "cao-bang-2025-vi.xlsx"
    (tmp_path / f".{target.name}.tmp").symlink_to(victim)
    files.write_atomic(target, b"workbook")
    assert victim.read_text(encoding="utf-8") == "precious"
    assert target.read_bytes() == b"workbook"
    assert not target.is_symlink()


def test_written_files_are_readable_by_others_under_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        target = files.write_atomic(tmp_path / "index.html", "x")
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o644


def test_an_unwritable_folder_is_one_clear_error(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    with pytest.raises(BdgInputError, match="no permission"):
        files.write_atomic(folder / "x.html", "x")


def _hold(path: str, seconds: float, ready) -> None:
    with files.locked(path):
        ready.set()
        time.sleep(seconds)
        Path(path + ".done").write_text("released", encoding="utf-8")


def test_a_second_writer_waits_or_is_told_the_file_is_busy(tmp_path):
    target = tmp_path / "data.csv"
    ready = multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold, args=(str(target), 1.0, ready))
    holder.start()
    try:
        assert ready.wait(10)
        with pytest.raises(files.Busy, match="another bdg process"):
            with files.locked(target, wait=False):
                pass
        with files.locked(target):  # waits for the holder, then gets the lock
            assert Path(str(target) + ".done").exists()
    finally:
        holder.join(10)
    assert Path(tmp_path / ".data.csv.lock").exists()
