"""The analysis cache runs no code when read: JSON, .npz without pickle, Parquet, each checked
(format version, key, names, shapes, columns); anything else is ignored with one log line."""

from __future__ import annotations

import json
import logging
import os
import pickle
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bdg_analysis import cache


class _Planted:
    """A pickle that creates a file when unpickled: the proof that code would have run."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def plant(path: Path, marker: Path) -> None:
    path.write_bytes(pickle.dumps(_Planted(marker)))


def lines(caplog, level=logging.INFO) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == "bdg_analysis" and r.levelno >= level
    ]


# ---------------------------------------------------------------- JSON


def test_json_round_trip_and_key_checked(tmp_path, caplog):
    path = tmp_path / "scorecard-1.json"
    value = {"views": [{"id": "M4.CT1", "value": 112.5, "low": float("nan")}], "n": 3}
    cache.write_json(path, "key-1", value)
    back = cache.read_json(path, "key-1")
    assert back["n"] == 3 and back["views"][0]["value"] == 112.5
    assert np.isnan(back["views"][0]["low"])
    with caplog.at_level(logging.INFO, logger="bdg_analysis"):
        assert cache.read_json(path, "key-2") is None  # another key: a miss, never its value
    assert lines(caplog, logging.WARNING) == [
        "cache: ignored scorecard-1.json (written for another key); the result is computed again"
    ]
    assert cache.read_json(tmp_path / "nothing.json", "key-1") is None  # a plain miss


def test_json_of_another_version_or_shape_is_ignored(tmp_path, caplog):
    path = tmp_path / "pooled.json"
    path.write_text(
        json.dumps({"format": cache.FORMAT, "version": cache.VERSION + 1, "key": "k", "value": 1}),
        encoding="utf-8",
    )
    with caplog.at_level(logging.INFO, logger="bdg_analysis"):
        assert cache.read_json(path, "k") is None
    assert len(lines(caplog)) == 1 and "written by cache version 2" in lines(caplog)[0]
    assert lines(caplog, logging.WARNING) == []  # expected after an upgrade: INFO only
    cache.write_json(path, "k", [1, 2])
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bdg_analysis"):
        assert cache.read_json(path, "k", check=lambda v: isinstance(v, dict)) is None
    assert "another shape" in lines(caplog, logging.WARNING)[0]


@pytest.mark.parametrize(
    "content", [b"", b"\x00\xff garbage", b'{"format": "x"}', b"[1, 2]", b"{" * 100_000]
)
def test_garbage_is_ignored_with_one_line(tmp_path, caplog, content):
    path = tmp_path / "x.json"
    path.write_bytes(content)
    with caplog.at_level(logging.INFO, logger="bdg_analysis"):
        assert cache.read_json(path, "k") is None
    assert len(lines(caplog)) == 1


def test_a_planted_pickle_never_runs(tmp_path, caplog):
    marker = tmp_path / "pwned"
    for name in ("a.json", "a.npz", "a.parquet", "a.pkl"):
        plant(tmp_path / name, marker)
    with caplog.at_level(logging.INFO, logger="bdg_analysis"):
        assert cache.read_json(tmp_path / "a.json", "k") is None
        assert cache.read_arrays(tmp_path / "a.npz", "k") is None
        assert cache.read_frame(tmp_path / "a.parquet", "k") is None
    assert not marker.exists()
    assert len(lines(caplog)) == 3
    # the control: the same file unpickled does run code (so the test can fail)
    pickle.loads((tmp_path / "a.pkl").read_bytes())
    assert marker.exists()


# ---------------------------------------------------------------- arrays


def test_arrays_round_trip_with_names_and_shapes_checked(tmp_path, caplog):
    path = tmp_path / "pooled-M4.CT1.npz"
    arrays = {"ratios_ets": np.linspace(0, 1, 25), "labels": np.array(["a", "b"])}
    cache.write_arrays(path, "k", arrays, meta={"scale_median": 0.5, "n_series": 12})
    got = cache.read_arrays(
        path, "k", names=["ratios_ets", "labels"], shapes={"ratios_ets": (None,)}
    )
    assert got is not None
    back, meta = got
    np.testing.assert_array_equal(back["ratios_ets"], arrays["ratios_ets"])
    assert back["labels"].tolist() == ["a", "b"]
    assert meta == {"scale_median": 0.5, "n_series": 12}
    with caplog.at_level(logging.INFO, logger="bdg_analysis"):
        assert cache.read_arrays(path, "other") is None
        assert cache.read_arrays(path, "k", names=["ratios_ets"]) is None
        assert cache.read_arrays(path, "k", shapes={"ratios_ets": (24,)}) is None
        assert cache.read_arrays(path, "k", shapes={"ratios_ets": (25, 1)}) is None
    assert len(lines(caplog, logging.WARNING)) == 4


def test_object_arrays_are_neither_written_nor_read(tmp_path, caplog):
    path = tmp_path / "o.npz"
    cache.write_arrays(path, "k", {"x": np.array([{"a": 1}], dtype=object)})
    assert not path.exists()
    # an .npz holding a pickled object array (numpy can write one): refused, not unpickled
    header = json.dumps({"format": cache.FORMAT, "version": cache.VERSION, "key": "k"})
    np.savez(path, __bdg_cache__=np.array(header), x=np.array([{"a": 1}], dtype=object))
    with caplog.at_level(logging.INFO, logger="bdg_analysis"):
        assert cache.read_arrays(path, "k") is None
    assert len(lines(caplog)) == 1


def test_an_npz_without_our_header_or_cut_short_is_ignored(tmp_path, caplog):
    plain = tmp_path / "plain.npz"
    np.savez(plain, x=np.arange(3))
    cache.write_arrays(tmp_path / "cut.npz", "k", {"x": np.arange(1000)})
    cut = tmp_path / "cut.npz"
    cut.write_bytes(cut.read_bytes()[:200])
    with caplog.at_level(logging.INFO, logger="bdg_analysis"):
        assert cache.read_arrays(plain, "k") is None
        assert cache.read_arrays(cut, "k") is None
    assert len(lines(caplog, logging.WARNING)) == 2


# ---------------------------------------------------------------- tables


def test_frames_round_trip_with_columns_checked(tmp_path, caplog):
    path = tmp_path / "views.parquet"
    frame = pd.DataFrame({"id": ["M4.CT1", "M2.CT1"], "value": [112.5, np.nan]})
    cache.write_frame(path, "k", frame)
    back = cache.read_frame(path, "k", columns=["id", "value"])
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)
    with caplog.at_level(logging.INFO, logger="bdg_analysis"):
        assert cache.read_frame(path, "k", columns=["id"]) is None
        assert cache.read_frame(path, "x") is None
    plain = tmp_path / "plain.parquet"
    frame.to_parquet(plain)
    with caplog.at_level(logging.INFO, logger="bdg_analysis"):
        assert cache.read_frame(plain, "k") is None
    assert len(lines(caplog, logging.WARNING)) == 3


def test_writes_are_atomic_and_leave_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "a.json"
    cache.write_json(path, "k", {"a": 1})

    def failing(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing)
    cache.write_json(path, "k", {"a": 2})  # best effort: no exception
    monkeypatch.undo()
    assert cache.read_json(path, "k") == {"a": 1}  # the old entry, whole
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_prune_removes_old_entries_of_every_format(tmp_path):
    old = [tmp_path / n for n in ("a.json", "b.npz", "c.parquet", "d.pkl")]
    keep = [tmp_path / "new.json", tmp_path / "notes.txt"]
    for path in old + keep:
        path.write_bytes(b"x")
    past = time.time() - 61 * 86400
    for path in [*old, keep[1]]:
        os.utime(path, (past, past))
    assert cache.prune(tmp_path, older_than_days=60) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.json", "notes.txt"]
