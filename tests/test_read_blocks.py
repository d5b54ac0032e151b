"""A plain tidy CSV read a block at a time says, keeps and refuses what reading it whole does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bdg_analysis import importer, validate
from bdg_analysis import io as bio
from bdg_analysis.history import history_path
from bdg_analysis.io import blocks

HEADER = "province,indicator,year,value,sex,source,note,status,numerator,denominator"


def _rows(n: int) -> list[str]:
    places = ["Lạng Sơn", "Cao Bằng", "Nam Định", "Hà Giang", "Điện Biên"]
    out = []
    for i in range(n):
        value = ".." if i % 7 == 0 else f"{10 + i % 50}.{i % 10}"
        parts = ",5,10" if i % 11 == 0 and value != ".." else ",,"
        if parts != ",,":
            value = "50"
        out.append(f"{places[i % 5]},M2.CT1,{1990 + i // 5},{value},female,S,,official{parts}")
    return out


def _whole_and_blocks(
    path: Path, monkeypatch, calls: list | None = None
) -> tuple[importer.Loaded, importer.Loaded]:
    """What reading the file whole gives, and reading it in blocks of 256 bytes (``calls``:
    one item per block checked)."""
    monkeypatch.setattr(importer, "_read_in_blocks", lambda given, sheet: None)
    whole = importer.check_paths([path])
    monkeypatch.undo()
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 256)
    if calls is not None:
        real_add = validate.Collector.add
        monkeypatch.setattr(
            validate.Collector, "add", lambda self, raw: calls.append(1) or real_add(self, raw)
        )
    return whole, importer.check_paths([path])


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Observations with text as objects and numbers as int64/float64, for comparing."""
    out = {}
    for column in validate.OBSERVATION_COLUMNS:
        values = frame[column]
        if column in ("year", "source_row"):
            out[column] = values.to_numpy(dtype=np.int64)
        elif column in ("value", *bio.FRACTION_COLUMNS):
            out[column] = values.to_numpy(dtype="float64")
        else:
            out[column] = values.astype("str").to_numpy(dtype=object)
    return pd.DataFrame(out)


def test_blocks_keep_and_refuse_what_the_whole_file_does(tmp_path, monkeypatch):
    lines = _rows(300)
    lines[40] = lines[3]  # a duplicate many blocks away from its first row
    lines[41] = lines[4].replace(",female,", ",woman,")
    lines[250] = lines[250].replace(",,", ",7,", 1)  # a numerator without its denominator
    lines[260] = "Sơn La,M2.CT1,2000,50,female,S,,official,1,10"  # 1/10 is not 50%: a warning
    path = tmp_path / "t.csv"
    path.write_text(HEADER + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    calls: list = []
    whole, parts = _whole_and_blocks(path, monkeypatch, calls)
    assert len(calls) > 10  # read in blocks indeed
    assert [str(p) for p in parts.problems] == [str(p) for p in whole.problems]
    assert any("duplicate of" in str(p.message) for p in parts.problems)
    assert [str(w) for w in parts.warnings] == [str(w) for w in whole.warnings]
    pd.testing.assert_frame_equal(
        _plain(parts.checked.observations), _plain(whole.checked.observations)
    )
    assert [t.describe() for t in parts.tables] == [t.describe() for t in whole.tables]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda b: b + b"Lai Ch\xe2u,M2.CT1,2024,1,female,S,,,,\n",  # not UTF-8, late in the file
        lambda b: b + "Lai Cha\u0302u,M2.CT1,2024,1,female,S,,,,\n".encode(),  # NFD
        lambda b: b + b"Lai,M2.CT1,2024\n",  # a short line
        lambda b: b + "Lai Châu,M2.CT1,2024,41%,female,S,,,,\n".encode(),  # '%' text
    ],
)
def test_a_block_unlike_the_plain_case_reads_the_file_whole(tmp_path, monkeypatch, spoil):
    path = tmp_path / "t.csv"
    path.write_bytes(spoil((HEADER + "\n" + "\n".join(_rows(200)) + "\n").encode("utf-8")))
    whole, parts = _whole_and_blocks(path, monkeypatch)
    assert [str(p) for p in parts.problems] == [str(p) for p in whole.problems]
    assert [t.describe() for t in parts.tables] == [t.describe() for t in whole.tables]
    assert len(parts.checked.observations) == len(whole.checked.observations)


def test_import_in_small_blocks_writes_the_bytes_of_one_block(tmp_path, monkeypatch):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    lines = _rows(400)
    first.write_text(HEADER + "\n" + "\n".join(lines[:300]) + "\n", encoding="utf-8")
    changed = [line.replace(",official", ",provisional") for line in lines[250:]]
    second.write_text(HEADER + "\n" + "\n".join(changed) + "\n", encoding="utf-8")
    written = {}
    for name, size in (("whole", 1 << 30), ("blocks", 200)):
        monkeypatch.setattr(blocks, "BLOCK_BYTES", size)
        monkeypatch.setattr(importer, "_WRITE_ROWS", 7)
        out = tmp_path / f"{name}.csv"
        assert importer.import_file(first, out).problems == []
        result = importer.import_file(second, out, revise=True)
        assert result.problems == [] and result.merge.added == 100
        assert result.merge.restated == 50
        written[name] = (out.read_bytes(), history_path(out).read_bytes())
    assert written["whole"] == written["blocks"]
