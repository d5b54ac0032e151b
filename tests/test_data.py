"""Checks on the embedded data in data/: schema, bounds, coverage, provenance, reproducibility."""

from __future__ import annotations

import csv
import math
import re
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from bdg_analysis import catalogue, dataset, geo

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SCRIPT = ROOT / "scripts" / "build_embedded_data.py"
FILES = ("observations.csv", "international_vietnam.csv")
COLUMNS = ["province", "indicator", "year", "value", "sex", "source", "note", "status"]
STATUSES = {"official", "provisional", "estimate", "demo"}
SEXES = {"", "female", "male", "total"}
DEMO_SOURCE = re.compile(r"^Dữ liệu minh họa \(demo\) — scripts/build_embedded_data\.py, seed \d+$")
NATIONAL_GEO = {"Việt Nam", "Viet Nam"}
MERGER_YEAR = 2025
MIN_YEARS = 4


def read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def observations() -> list[dict[str, str]]:
    return read("observations.csv")


@pytest.fixture(scope="module")
def international() -> list[dict[str, str]]:
    return read("international_vietnam.csv")


@pytest.mark.parametrize("name", FILES)
def test_schema_encoding_and_vocabularies(name: str) -> None:
    raw = (DATA / name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
    text = raw.decode("utf-8")
    assert "\r" not in text
    assert unicodedata.normalize("NFC", text) == text, "text must be NFC"
    rows = list(csv.reader(text.splitlines()))
    assert rows[0] == COLUMNS
    for line, row in enumerate(rows[1:], start=2):
        assert len(row) == len(COLUMNS), f"{name}:{line}"
        rec = dict(zip(COLUMNS, row, strict=True))
        assert rec["province"] and rec["source"], f"{name}:{line}"
        assert rec["status"] in STATUSES, f"{name}:{line}: status {rec['status']!r}"
        assert rec["sex"] in SEXES, f"{name}:{line}"
        assert re.fullmatch(r"\d{4}", rec["year"]), f"{name}:{line}: year {rec['year']!r}"
        if rec["value"]:
            assert math.isfinite(float(rec["value"])), f"{name}:{line}"
            assert "," not in rec["value"], "decimal point, not comma"


@pytest.mark.parametrize("name", FILES)
def test_indicators_known_and_values_inside_bounds(name: str) -> None:
    for line, rec in enumerate(read(name), start=2):
        assert catalogue.is_known(rec["indicator"]), f"{name}:{line}: {rec['indicator']}"
        if not rec["value"]:
            continue
        ind = catalogue.get(rec["indicator"])
        value = float(rec["value"])
        if ind.lower is not None:
            assert value >= ind.lower, f"{name}:{line}: {value} < {ind.lower}"
        if ind.upper is not None:
            assert value <= ind.upper, f"{name}:{line}: {value} > {ind.upper}"
        if ind.kind == "binary":
            assert rec["value"] in ("0", "1"), f"{name}:{line}"
        if ind.kind == "count":
            assert re.fullmatch(r"\d+", rec["value"]), f"{name}:{line}: count {rec['value']!r}"


@pytest.mark.parametrize("name", FILES)
def test_one_value_per_cell(name: str) -> None:
    rows = read(name)
    cells = Counter((r["province"], r["indicator"], r["year"], r["sex"]) for r in rows)
    assert [k for k, n in cells.items() if n > 1] == []
    # the same cell must not come back under another spelling either
    resolved = Counter()
    for r in rows:
        res = geo.resolve(r["province"], int(r["year"]))
        unit = (res.former or res.province).code
        resolved[(res.province.code, unit, r["indicator"], r["year"], r["sex"])] += 1
    assert max(resolved.values()) == 1


def test_names_follow_the_map_of_their_year(observations) -> None:
    """Years to 2024 name the 63 former provinces; 2025 names the 34 current ones."""
    former = {p.name for p in geo.former_provinces()}
    current = {p.name for p in geo.current_provinces()}
    seen_former, seen_current = set(), set()
    for line, r in enumerate(observations, start=2):
        if r["province"] == geo.NATIONAL_NAME:
            continue
        if int(r["year"]) < MERGER_YEAR:
            assert r["province"] in former, f"observations.csv:{line}: {r['province']}"
            seen_former.add(r["province"])
        else:
            assert r["province"] in current, f"observations.csv:{line}: {r['province']}"
            seen_current.add(r["province"])
    assert seen_former == former
    assert seen_current == current


def test_every_current_province_covers_every_indicator(observations) -> None:
    """At least 4 years in which all former parts report, and 2025 for most indicators."""
    values: dict[tuple[str, str, int], bool] = {}
    for r in observations:
        if r["province"] != geo.NATIONAL_NAME:
            values[(r["province"], r["indicator"], int(r["year"]))] = bool(r["value"])
    years = range(2010, MERGER_YEAR)
    short = []
    for prov in geo.current_provinces():
        parts = [p.name for p in geo.former_parts(prov)]
        with_2025 = 0
        for ind in catalogue.ids():
            full = [y for y in years if all(values.get((p, ind, y)) for p in parts)]
            if len(full) < MIN_YEARS:
                short.append((prov.name, ind, full))
            with_2025 += bool(values.get((prov.name, ind, MERGER_YEAR)))
        assert with_2025 >= len(catalogue.ids()) - 2, f"{prov.name}: 2025 for {with_2025}"
    assert short == []


def test_national_row_for_every_indicator(observations) -> None:
    national = defaultdict(set)
    for r in observations:
        if r["province"] == geo.NATIONAL_NAME and r["value"]:
            national[r["indicator"]].add(int(r["year"]))
    for ind in catalogue.ids():
        assert MERGER_YEAR in national[ind], ind
        assert len(national[ind]) >= MIN_YEARS, ind


def _source_row(file: str, row: int) -> dict[str, str]:
    with (DATA / file).open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    return records[row - 2]


def test_every_real_row_is_traceable_to_its_source_extract(observations, international) -> None:
    provenance = read("provenance.csv")
    index = {
        (p["data_file"], p["province"], p["indicator"], p["year"], p["sex"]): p for p in provenance
    }
    assert len(index) == len(provenance)
    real = [("observations.csv", r) for r in observations if r["status"] != "demo"]
    real += [("international_vietnam.csv", r) for r in international]
    assert len(real) == len(provenance)
    for data_file, r in real:
        p = index[(data_file, r["province"], r["indicator"], r["year"], r["sex"])]
        assert (p["value"], p["status"]) == (r["value"], r["status"])
        src = _source_row(p["source_file"], int(p["source_row"]))
        where = f"{p['source_file']}:{p['source_row']}"
        assert src["value"].strip() == r["value"], where
        assert float(src["value"]) == float(r["value"]), where
        assert src["year"] == r["year"], where
        assert src["indicator"] == p["source_indicator"], where
        geo_name = unicodedata.normalize("NFC", src["geo_name"])
        if r["province"] == geo.NATIONAL_NAME:
            assert geo_name in NATIONAL_GEO, where
        else:
            assert geo_name == r["province"], where


def test_real_figures_replace_demo_and_keep_their_status(observations) -> None:
    cell = {(r["province"], r["indicator"], r["year"]): r for r in observations}
    srb_2020 = cell[(geo.NATIONAL_NAME, "M4.CT1", "2020")]
    assert (srb_2020["value"], srb_2020["status"]) == ("112.060323536889", "official")
    assert cell[(geo.NATIONAL_NAME, "M4.CT1", "2024")]["status"] == "provisional"
    assert cell[("Thái Nguyên", "M4.CT1", "2022")]["value"] == "113.5"
    assert cell[("Nam Định", "M4.CT1", "2015")]["status"] == "official"
    assert cell[(geo.NATIONAL_NAME, "M2.CT2", "2019")]["value"] == "35.9"


def test_survey_and_registered_birth_srb_are_kept_apart(observations) -> None:
    """The national SRB series is the GSO survey series only (CRVS 2021 = 109.5 is not in it)."""
    national = [
        r for r in observations if r["province"] == geo.NATIONAL_NAME and r["indicator"] == "M4.CT1"
    ]
    for r in national:
        assert r["status"] == "demo" or "E02.08" in r["source"], r
    assert {r["value"] for r in national if r["year"] == "2021"} == {"112.0"}


def test_demo_rows_say_demo_and_real_rows_do_not(observations) -> None:
    for line, r in enumerate(observations, start=2):
        if r["status"] == "demo":
            assert DEMO_SOURCE.match(r["source"]), f"observations.csv:{line}"
            assert "demo" in r["note"], f"observations.csv:{line}"
        else:
            assert "demo" not in (r["source"] + r["note"]).lower(), f"observations.csv:{line}"
            assert "WDI" not in r["source"], "international estimates stay in their own file"


def test_international_file_holds_only_labelled_estimates(international) -> None:
    for line, r in enumerate(international, start=2):
        assert r["province"] == geo.NATIONAL_NAME
        assert r["status"] == "estimate"
        assert re.search(r"\bWDI [A-Z]{2}\.[A-Z0-9.]+\b", r["source"]), f"line {line}"


def test_readme_documents_every_file() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    files = [p for p in DATA.rglob("*") if p.is_file() and p.name != "README.md"]
    missing = [p.name for p in files if p.name not in readme]
    assert missing == []
    assert "demo" in readme and "seed" in readme


def test_dataset_passes_the_project_validator() -> None:
    for name in FILES:
        checked = dataset.check_files([DATA / name])
        assert checked.problems == [], [str(p) for p in checked.problems[:5]]


def test_build_script_reproduces_the_files(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for name in (*FILES, "provenance.csv"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
