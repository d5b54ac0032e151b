"""Build the embedded dataset in data/: real figures from data/sources, plus seeded demo values."""

from __future__ import annotations

import argparse
import csv
import math
import shutil
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(ROOT))

from bdg_analysis import catalogue, geo  # noqa: E402

SEED = 20250701
FIRST_DEMO_YEAR = 2015
LAST_YEAR = 2025
YEARS = list(range(FIRST_DEMO_YEAR, LAST_YEAR + 1))
NATIONAL = geo.NATIONAL_NAME
COLUMNS = ("province", "indicator", "year", "value", "sex", "source", "note", "status")
PROVENANCE_COLUMNS = (
    "data_file",
    "province",
    "indicator",
    "year",
    "sex",
    "value",
    "status",
    "source_file",
    "source_row",
    "source_indicator",
    "source_geo",
)
DEMO_SOURCE = f"Dữ liệu minh họa (demo) — scripts/build_embedded_data.py, seed {SEED}"
DEMO_NOTE = "demo: giá trị minh họa, không phải số liệu thật (not a real figure)"
GAP_NOTE = "demo: ô trống minh họa, mô phỏng số liệu thiếu (simulated missing value)"

DEFAULT_SOURCES = ROOT / "data" / "sources"
DEFAULT_OUT = ROOT / "data"

# --------------------------------------------------------------------------- source extracts
# Files copied (whole, or as a row filter with every kept line unchanged) from the project's
# shared research folder by ``--extract-sources``; the build reads only these copies.
E02_08 = "gso_pxweb_E02_08_srb_total.csv"
STRATEGY = "national_strategy_indicators_reported.csv"
REAL_FIGURES = "real-figures.csv"
UNSD_ABR = "unsd_minset_adolescent_birth_rate.csv"
SRB_PROVINCES = "srb_provinces_reported.csv"
POPULATION = "gso_pxweb_E02_03_07_population_2024.csv"
WDI = "wdi_vietnam_national.csv"

EXTRACTS: dict[str, tuple[str, Callable[[dict[str, str]], bool] | None]] = {
    E02_08: (
        "vietnam/gso_pxweb_E02_08_sex_ratio_national.csv",
        lambda r: r["indicator"] == "sex_ratio_at_birth|residence=Total",
    ),
    STRATEGY: ("vietnam/national_strategy_indicators_reported.csv", None),
    REAL_FIGURES: ("real-figures.csv", None),
    UNSD_ABR: (
        "vietnam/unsd_gender_minset_vietnam.csv",
        lambda r: r["indicator"].startswith("V.5 S9ebf1887:"),
    ),
    SRB_PROVINCES: ("vietnam/srb_provinces_reported.csv", None),
    POPULATION: (
        "vietnam/gso_pxweb_E02_03_07_population_by_province_sex.csv",
        lambda r: (
            r["year"] == "2024" and r["indicator"].split("=")[-1] in ("Total", "Female", "Urban")
        ),
    ),
    WDI: ("wdi/vietnam-national.csv", None),
}


def extract_sources(shared: Path, dest: Path) -> None:
    """Copy the source files the build uses from the shared folder, rows unchanged.

    A filtered extract keeps the header and the selected lines byte for byte, so a value can be
    compared with the original file by eye.
    """
    dest.mkdir(parents=True, exist_ok=True)
    for name, (relative, keep) in EXTRACTS.items():
        src = shared / relative
        if keep is None:
            shutil.copyfile(src, dest / name)
            continue
        lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
        header = next(csv.reader([lines[0]]))
        kept = [lines[0]]
        for line in lines[1:]:
            record = dict(zip(header, next(csv.reader([line])), strict=True))
            if keep(record):
                kept.append(line)
        (dest / name).write_text("".join(kept), encoding="utf-8")


def read_source(sources: Path, name: str) -> list[tuple[int, dict[str, str]]]:
    """Rows of a source extract with their row number (header = row 1; no multi-line fields)."""
    with (sources / name).open(encoding="utf-8", newline="") as handle:
        return [(i + 2, row) for i, row in enumerate(csv.DictReader(handle))]


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --------------------------------------------------------------------------- rows
@dataclass
class Row:
    """One output row; ``trace`` says where a real value was read (None for demo rows)."""

    province: str
    indicator: str
    year: int
    value: str
    source: str
    note: str
    status: str
    sex: str = ""
    trace: tuple[str, int, str, str] | None = None  # source file, row, indicator, geo

    @property
    def key(self) -> tuple[str, str, int, str]:
        return (self.province, self.indicator, self.year, self.sex)


# --------------------------------------------------------------------------- real rows
# Short citations (publisher, table or article, date) for the national strategy figures.
INTAGE = (
    "GSO (Tổng cục Thống kê), quoted by INTAGE Vietnam, 'Phụ nữ Việt Nam ngày càng có "
    "vai trò quan trọng trong nền kinh tế' (intage.com.vn)"
)
STRATEGY_ROWS: dict[tuple[str, str], tuple[str, str, str, str]] = {
    # (shared indicator label, year) -> (catalogue id, status, source, note)
    ("female_wage_employment_share_of_employed_women", "2019"): (
        "M2.CT1",
        "official",
        INTAGE,
        "Precision as quoted (43%)",
    ),
    ("female_wage_employment_share_of_employed_women", "2021"): (
        "M2.CT1",
        "official",
        "Government report on the gender-equality strategy (2022), quoted by Dân trí, 20/10/2022",
        "Lao động việc làm (LFS) 2021",
    ),
    ("female_wage_employment_share_of_employed_women", "2022"): (
        "M2.CT1",
        "official",
        INTAGE,
        "Lao động việc làm (LFS) 2022",
    ),
    ("female_wage_employment_share_of_employed_women", "2023"): (
        "M2.CT1",
        "official",
        "Government report to the National Assembly on the national gender-equality targets "
        "2023 (22/5/2024), quoted by Công Thương",
        "Lao động việc làm (LFS) 2023",
    ),
    ("female_agriculture_share_of_employed_women", "2019"): (
        "M2.CT2",
        "official",
        INTAGE,
        "GSO series (not the ILO series, which breaks in 2019)",
    ),
    ("female_agriculture_share_of_employed_women", "2022"): (
        "M2.CT2",
        "official",
        INTAGE,
        "GSO series (not the ILO series, which breaks in 2019)",
    ),
    ("female_directors_or_owners_of_enterprises_and_cooperatives_share", "2020"): (
        "M2.CT3",
        "official",
        "GSO, Economic Census 2021 (reference year 2020), quoted by Kiến Thức, 11/2022",
        "Tổng điều tra kinh tế 2021, năm tham chiếu 2020",
    ),
    ("unpaid_domestic_and_care_work_hours_ratio_women_to_men", "2024"): (
        "M3.CT1",
        "provisional",
        "Government report on the national gender-equality targets 2024, citing LFS 2024; "
        "quoted by Báo Đầu tư",
        "Sơ bộ (LFS 2024 preliminary); ratio as stated (1.8 times)",
    ),
}
NAM_DINH = "Báo Nam Định, 28/03/2017, citing the provincial population office"
NAM_DINH_NOTE = (
    "Former province (tỉnh cũ); population-office figure, rounded; not the GSO survey series"
)
REAL_FIGURE_ROWS: dict[tuple[str, str, str], tuple[str, str, str, str]] = {
    # (geo_name, indicator, year) -> (province, status, source, note)
    ("Việt Nam", "M4.CT2", "2019"): (
        NATIONAL,
        "official",
        "GSO, 2019 Population and Housing Census, quoted by the General Office for Population "
        "and Family Planning (MoH), 26/12/2021",
        "Tổng điều tra dân số 2019",
    ),
    ("Nam Định", "M4.CT1", "2011"): ("Nam Định", "official", NAM_DINH, NAM_DINH_NOTE),
    ("Nam Định", "M4.CT1", "2014"): ("Nam Định", "official", NAM_DINH, NAM_DINH_NOTE),
    ("Nam Định", "M4.CT1", "2015"): ("Nam Định", "official", NAM_DINH, NAM_DINH_NOTE),
    ("Thái Nguyên", "M4.CT1", "2019"): (
        "Thái Nguyên",
        "official",
        "Báo Thái Nguyên, 14/03/2023, 'Chủ động kiểm soát mất cân bằng giới tính khi sinh'",
        "Former province (tỉnh cũ, before Bắc Kạn joined); not the GSO survey series",
    ),
    ("Thái Nguyên", "M4.CT1", "2022"): (
        "Thái Nguyên",
        "official",
        "Báo Thái Nguyên, 14/03/2023, 'Chủ động kiểm soát mất cân bằng giới tính khi sinh'",
        "Former province (tỉnh cũ); as stated; the article's own counts (6,109 boys, 5,365 "
        "girls) give 113.9",
    ),
}
# ABR from the statistics office's own population surveys and census (via UNSD). The MICS
# 2013-14 point (45.2, coded 2012) is a different survey design and is left out.
ABR_SURVEYS = {
    "2010": "GSO Population Change Survey 2010",
    "2013": "GSO Population Change Survey 2013",
    "2014": "GSO Intercensal Population and Housing Survey 2014",
    "2019": "GSO 2019 Population and Housing Census",
}


def real_rows(sources: Path) -> list[Row]:
    """Every real figure that goes into observations.csv, read from the source extracts."""
    rows: list[Row] = []
    for line, r in read_source(sources, E02_08):
        year = int(r["year"])
        if year < 2010:
            continue
        provisional = "(preliminary)" in r["source"]
        rows.append(
            Row(
                NATIONAL,
                "M4.CT1",
                year,
                r["value"].strip(),
                "GSO (Tổng cục Thống kê), PX-Web E02.08 'Sex ratio by residence', total, "
                "updated 2025-07-23",
                ("Sơ bộ (preliminary); " if provisional else "")
                + "survey/census series, not registered births (CRVS)",
                "provisional" if provisional else "official",
                trace=(E02_08, line, r["indicator"], r["geo_name"]),
            )
        )
    for line, r in read_source(sources, STRATEGY):
        spec = STRATEGY_ROWS.get((r["indicator"], r["year"]))
        if spec is None:
            continue
        ind, status, source, note = spec
        rows.append(
            Row(
                NATIONAL,
                ind,
                int(r["year"]),
                r["value"].strip(),
                source,
                note,
                status,
                trace=(STRATEGY, line, r["indicator"], r["geo_name"]),
            )
        )
    for line, r in read_source(sources, REAL_FIGURES):
        spec = REAL_FIGURE_ROWS.get((r["geo_name"], r["indicator"], r["year"]))
        if spec is None:
            continue  # registered-birth (CRVS) SRB: another data system, kept apart
        province, status, source, note = spec
        rows.append(
            Row(
                province,
                r["indicator"],
                int(r["year"]),
                r["value"].strip(),
                source,
                note,
                status,
                trace=(REAL_FIGURES, line, r["indicator"], r["geo_name"]),
            )
        )
    for line, r in read_source(sources, UNSD_ABR):
        survey = ABR_SURVEYS.get(r["year"])
        if survey is None:
            continue
        rows.append(
            Row(
                NATIONAL,
                "M4.CT3",
                int(r["year"]),
                r["value"].strip(),
                f"{survey}; via UNSD Global Gender Statistics minimum set, series S9ebf1887 "
                "(2021-09-30)",
                "Births per 1,000 women 15-19 as published",
                "official",
                trace=(UNSD_ABR, line, r["indicator"], r["geo_name"]),
            )
        )
    return rows


WDI_NOTES = {
    "SH.STA.MMRT": ("UN inter-agency (MMEIG) modelled estimate; not the GSO census figure", set()),
    "SL.EMP.WORK.FE.ZS": (
        "ILO modelled estimate (ILO definition; differs from GSO's series)",
        {2024, 2025},
    ),
    "SL.AGR.EMPL.FE.ZS": (
        "ILO modelled estimate (ILO definition; differs from GSO's series)",
        {2024, 2025},
    ),
    "SP.ADO.TFRT": ("UN WPP modelled estimate", {2024}),
    "SP.POP.BRTH.MF": ("UN WPP 2024 estimate, male per 100 female births (WDI ratio x 100)", set()),
}
WDI_LICENCE = {"SP.POP.BRTH.MF": "CC BY 3.0 IGO"}
WDI_ORIGIN = {"SP.POP.BRTH.MF": " source series (UN WPP 2024 estimates)"}


def international_rows(sources: Path) -> list[Row]:
    """WDI / UN / ILO national estimates: a separate series, never mixed with GSO figures."""
    rows = []
    for line, r in read_source(sources, WDI):
        code = r["source_indicator"]
        note, projected = WDI_NOTES[code]
        year = int(r["year"])
        if year in projected:
            note += "; nowcast/projection year"
        via = r["source"].split(" via ", 1)[-1].split(" (")[0]
        licence = WDI_LICENCE.get(code, "CC BY 4.0")
        rows.append(
            Row(
                NATIONAL,
                r["indicator"],
                year,
                r["value"].strip(),
                f"World Bank WDI {code}{WDI_ORIGIN.get(code, '')}, via {via} ({licence})",
                note,
                "estimate",
                trace=(WDI, line, r["indicator"], r["geo_name"]),
            )
        )
    return rows


# --------------------------------------------------------------------------- covariates
# Remoteness (0 lowland to 1 high mountains) by former GSO code: northern mountains, Central
# Highlands and the western uplands of the central provinces. An assumption for the demo only.
REMOTE = {
    "02": 1.0,
    "04": 1.0,
    "06": 1.0,
    "08": 0.9,
    "10": 1.0,
    "11": 1.0,
    "12": 1.0,
    "14": 1.0,
    "15": 0.9,
    "17": 0.8,
    "19": 0.4,
    "20": 0.9,
    "24": 0.4,
    "25": 0.5,
    "62": 0.8,
    "64": 0.8,
    "66": 0.6,
    "67": 0.8,
    "68": 0.4,
    "38": 0.3,
    "40": 0.3,
    "42": 0.1,
    "44": 0.2,
    "45": 0.2,
    "49": 0.2,
    "51": 0.2,
    "58": 0.2,
    "84": 0.15,
    "94": 0.15,
    "70": 0.3,
}


@dataclass
class Frame:
    """The former provinces, their weights and covariates, and the current provinces."""

    former: list[geo.Province]
    current: list[geo.Province]
    weight: np.ndarray  # female population 2024 (thousand), by former province
    total: np.ndarray  # total population 2024 (thousand)
    urban: np.ndarray  # urban share 2024
    remote: np.ndarray
    parts: dict[str, list[int]]  # current code -> indexes of its former provinces
    srb_band: dict[str, int]
    srb_level: dict[str, float]


def load_frame(sources: Path) -> Frame:
    """Register (bdg_analysis.geo), 2024 population by former province, SRB bands."""
    former = geo.former_provinces()
    current = geo.current_provinces()
    pop: dict[tuple[str, str], float] = {}
    for _, r in read_source(sources, POPULATION):
        if r["geo_level"] == "province_63":
            pop[(r["geo_code_if_known"], r["indicator"].split("=")[-1])] = float(r["value"])
    codes = [p.code for p in former]
    total = np.array([pop[(c, "Total")] for c in codes])
    parts: dict[str, list[int]] = {p.code: [] for p in current}
    for i, p in enumerate(former):
        parts[p.successor_code].append(i)  # type: ignore[index]
    band: dict[str, int] = {}
    level: dict[str, float] = {}
    for _, r in read_source(sources, SRB_PROVINCES):
        name = nfc(r["geo_name"])
        if r["indicator"].startswith("srb_band"):
            band[name] = int(float(r["value"]))
        elif r["indicator"] == "sex_ratio_at_birth" and not r["year"]:
            level[name] = float(r["value"])  # reference year not stated: a level, not a row
    return Frame(
        former=former,
        current=current,
        weight=np.array([pop[(c, "Female")] for c in codes]),
        total=total,
        urban=np.array([pop[(c, "Urban")] for c in codes]) / total,
        remote=np.array([REMOTE.get(c, 0.0) for c in codes]),
        parts=parts,
        srb_band=band,
        srb_level=level,
    )


# --------------------------------------------------------------------------- demo models
# Portable arithmetic: the file must come out byte-identical on every machine. numpy's dot
# (BLAS) and its SIMD exp/log can differ in the last bit between CPUs, which moves a value
# sitting on a rounding boundary (34.75 -> 34.7 or 34.8); math.fsum and libm's exp/log do not.
def pdot(w: np.ndarray, x: np.ndarray) -> float:
    """Sum of w * x, correctly rounded (the same on every CPU)."""
    return math.fsum((np.asarray(w, dtype=float) * np.asarray(x, dtype=float)).ravel().tolist())


def psum(x: np.ndarray) -> float:
    return math.fsum(np.asarray(x, dtype=float).ravel().tolist())


def pexp(x) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    return np.array([math.exp(v) for v in arr.ravel().tolist()]).reshape(arr.shape)


def plog(x) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    return np.array([math.log(v) for v in arr.ravel().tolist()]).reshape(arr.shape)


def expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + pexp(-np.asarray(x, dtype=float)))


@dataclass(frozen=True)
class Survey:
    """A statistics-office indicator: national path + province effects, on a link scale.

    ``scale`` is ``logit`` (shares), ``log`` (ratios, rates) or ``identity``; ``urban`` and
    ``remote`` are effects per unit of the covariate on that scale; ``spread`` the persistent
    province effect, ``slope`` the sd of province trends per year, ``noise`` the yearly noise.
    ``assumed`` are anchor points of the national demo path where no real figure exists.
    """

    scale: str
    urban: float
    remote: float
    spread: float
    slope: float
    noise: float
    assumed: dict[int, float]
    digits: int = 1


SURVEYS: dict[str, Survey] = {
    "M2.CT1": Survey("logit", 3.0, -1.0, 0.25, 0.03, 0.08, {2015: 39.5, 2025: 52.0}),
    "M2.CT2": Survey("logit", -4.0, 1.5, 0.25, 0.03, 0.08, {2015: 41.0, 2025: 25.0}),
    "M2.CT3": Survey("logit", 0.8, -0.3, 0.15, 0.02, 0.07, {2015: 24.8, 2025: 28.6}),
    "M3.CT1": Survey("log", -0.15, 0.15, 0.05, 0.005, 0.03, {2015: 2.0, 2025: 1.77}, digits=2),
    "M4.CT1": Survey("identity", 0.0, 0.0, 1.2, 0.12, 1.6, {2025: 111.2}),
    "M4.CT2": Survey("log", -0.8, 1.0, 0.2, 0.01, 0.12, {2015: 50.0, 2025: 42.5}),
    "M4.CT3": Survey("log", -0.9, 0.75, 0.15, 0.01, 0.06, {2015: 34.0, 2025: 30.5}),
}


@dataclass(frozen=True)
class Admin:
    """An administrative indicator moving towards ``aim`` from a start in [low, high] at
    province-specific speeds in [k_low, k_high] per year, reported from ``start`` on."""

    start: int
    low: float
    high: float
    aim: float
    k_low: float
    k_high: float
    noise: float
    urban: float = 0.0
    remote: float = 0.0


ADMIN: dict[str, Admin] = {
    "M1.CT1": Admin(2015, 25, 50, 80, 0.03, 0.12, 3.0, urban=6),
    "M3.CT2a": Admin(2015, 40, 70, 95, 0.05, 0.20, 4.0),
    "M3.CT2b": Admin(2015, 15, 40, 75, 0.04, 0.15, 4.0),
    "M3.CT3": Admin(2015, 75, 100, 100, 0.10, 0.40, 3.0),
    "M3.CT4": Admin(2020, 0, 25, 100, 0.05, 0.20, 3.0),
    "M5.CT2a": Admin(2015, 82, 96, 99.5, 0.05, 0.25, 1.2, remote=-6),
    "M5.CT2b": Admin(2015, 65, 85, 92, 0.04, 0.15, 2.0, remote=-8),
    "M5.CT3": Admin(2015, 22, 36, 45, 0.02, 0.08, 2.0),
    "M5.CT4a": Admin(2015, 38, 50, 55, 0.03, 0.12, 2.0, urban=10),
    "M5.CT4b": Admin(2015, 15, 30, 38, 0.02, 0.08, 3.0, urban=12),
    "M6.CT1": Admin(2020, 30, 60, 90, 0.05, 0.25, 3.0),
    "M6.CT2": Admin(2015, 60, 90, 100, 0.10, 0.30, 2.0),
    "M6.CT3": Admin(2020, 15, 55, 100, 0.08, 0.30, 4.0),
    "M6.CT4": Admin(2020, 40, 90, 100, 0.10, 0.40, 3.0),
}
COUNT_START = {"M4.CT4": 2020, "M5.CT1": 2020}
# Reported every second year (odd years) by about a quarter of the provinces.
BIENNIAL = ("M2.CT3", "M3.CT1", "M4.CT2", "M5.CT4a", "M5.CT4b")
BIENNIAL_SHARE = 0.25
MISSING_SHARE = 0.01
ABSENT_2025_SHARE = 0.04
MIN_YEARS = 4


def anchor_path(indicator: str, real: list[Row], sources: Path) -> np.ndarray:
    """The national demo path 2015-2025: real national figures, linear between anchor points."""
    points = dict(SURVEYS[indicator].assumed)
    if indicator == "M3.CT1":
        # Shape only: the ratios of the published hours (women/men) of 2020 and 2023.
        hours: dict[tuple[str, str], float] = {}
        for _, r in read_source(sources, STRATEGY):
            if r["indicator"].startswith("unpaid_domestic_and_care_work_hours_"):
                hours[(r["indicator"].rsplit("_", 1)[-1], r["year"])] = float(r["value"])
        for year in (2020, 2023):
            points[year] = hours[("women", str(year))] / hours[("men", str(year))]
    for row in real:
        if row.province == NATIONAL and row.indicator == indicator and row.year in YEARS:
            points[row.year] = float(row.value)
    xs = sorted(points)
    return np.interp(YEARS, xs, [points[x] for x in xs])


def link(scale: str, v: np.ndarray) -> np.ndarray:
    if scale == "logit":
        p = v / 100.0
        return plog(p / (1.0 - p))
    return plog(v) if scale == "log" else v


def unlink(scale: str, x: np.ndarray) -> np.ndarray:
    if scale == "logit":
        return 100.0 * expit(x)
    return pexp(x) if scale == "log" else x


def calibrate(scale: str, x: np.ndarray, w: np.ndarray, target: float) -> np.ndarray:
    """Shift one year's province values (link scale) so their weighted mean is ``target``."""
    if scale == "identity":
        return x + (target - pdot(w, x))
    if scale == "log":
        return x + math.log(target / pdot(w, pexp(x)))
    lo, hi = -10.0, 10.0
    for _ in range(80):  # bisection: deterministic and exact enough (1e-12)
        mid = (lo + hi) / 2
        if pdot(w, unlink(scale, x + mid)) < target:
            lo = mid
        else:
            hi = mid
    return x + (lo + hi) / 2


def survey_values(
    ind: str, frame: Frame, anchor: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Former provinces x years (2015-2025) for a statistics-office indicator."""
    spec = SURVEYS[ind]
    n = len(frame.former)
    w = frame.weight / psum(frame.weight)
    t = np.array(YEARS) - 2020.0
    if ind == "M4.CT1":
        base = np.array([srb_level(p.name, frame, rng) for p in frame.former])
        noise_sd = np.clip(spec.noise * np.sqrt(1000.0 / frame.total), 0.8, 3.0)
    else:
        urban = frame.urban - pdot(w, frame.urban)
        remote = frame.remote - pdot(w, frame.remote)
        base = spec.urban * urban + spec.remote * remote + rng.normal(0, spec.spread, n)
        noise_sd = np.clip(
            spec.noise * np.sqrt(1000.0 / frame.total), spec.noise / 2, spec.noise * 2.5
        )
    slope = rng.normal(0, spec.slope, n)
    noise = rng.normal(0, 1, (n, len(YEARS))) * noise_sd[:, None]
    x = base[:, None] + slope[:, None] * t[None, :] + noise
    out = np.empty_like(x)
    for j in range(len(YEARS)):
        col = x[:, j]
        if spec.scale != "identity":
            col = col + link(spec.scale, np.array([anchor[j]]))[0]
        out[:, j] = unlink(spec.scale, calibrate(spec.scale, col, w, anchor[j]))
    return out


def srb_level(name: str, frame: Frame, rng: np.random.Generator) -> float:
    """A province's demo SRB level: its quoted value if any, else from its MoH 3671 band."""
    draw = rng.uniform(-1.2, 1.2)  # drawn for every province, so the stream never shifts
    if name in frame.srb_level:
        return frame.srb_level[name]
    return {1: 114.5, 2: 110.8, 3: 107.5}[frame.srb_band[name]] + draw


def admin_values(
    ind: str, frame: Frame, commitment: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Former provinces x years: a start level moving towards the aim at its own speed."""
    spec = ADMIN[ind]
    n = len(frame.former)
    start = (
        rng.uniform(spec.low, spec.high, n)
        + 4.0 * commitment
        + spec.urban * (frame.urban - 0.3)
        + spec.remote * frame.remote
    )
    start = np.minimum(start, spec.aim)
    speed = rng.uniform(spec.k_low, spec.k_high, n) * pexp(0.3 * commitment)
    t = np.maximum(np.array(YEARS) - spec.start, 0)
    level = spec.aim - (spec.aim - start[:, None]) * pexp(-speed[:, None] * t[None, :])
    values = level + rng.normal(0, spec.noise, (n, len(YEARS)))
    values = np.clip(values, 0.0, 100.0)
    values[:, np.array(YEARS) < spec.start] = np.nan
    return values


def count_values(frame: Frame, rng: np.random.Generator) -> np.ndarray:
    """M4.CT4: health facilities piloting LGBT services; none before adoption, cities more."""
    n = len(frame.former)
    adopt = rng.choice(
        [2021, 2022, 2023, 2024, 2025, 2030], n, p=[0.02, 0.06, 0.12, 0.20, 0.25, 0.35]
    )
    city = frame.urban > 0.6
    adopt = np.where(city, np.minimum(adopt, rng.choice([2021, 2022, 2023], n)), adopt)
    extra = rng.poisson(np.where(city, 1.0, 0.1), n)
    years = np.array(YEARS)
    grown = np.clip(years[None, :] - adopt[:, None], 0, None)
    values = np.where(
        years[None, :] >= adopt[:, None], 1 + np.minimum(extra[:, None], grown), 0
    ).astype(float)
    values[:, years < COUNT_START["M4.CT4"]] = np.nan
    return values


def binary_values(frame: Frame, rng: np.random.Generator) -> np.ndarray:
    """M5.CT1: gender content taught (1) from a province-specific year on."""
    n = len(frame.former)
    adopt = rng.choice(
        [2021, 2022, 2023, 2024, 2025, 2030], n, p=[0.10, 0.20, 0.25, 0.20, 0.15, 0.10]
    )
    years = np.array(YEARS)
    values = (years[None, :] >= adopt[:, None]).astype(float)
    values[:, years < COUNT_START["M5.CT1"]] = np.nan
    return values


# --------------------------------------------------------------------------- aggregation
def combine(kind: str, values: np.ndarray, weights: np.ndarray) -> float:
    """Put provinces together: counts summed, binary 1 only if all are 1, else weighted mean."""
    if kind == "count":
        return psum(values)
    if kind == "binary":
        return float(values.min())
    return pdot(weights, values) / psum(weights)


def national_value(kind: str, values: np.ndarray, weights: np.ndarray) -> float:
    """The national demo value: sum (counts), weighted majority (binary), weighted mean."""
    if kind == "binary":
        return float(pdot(weights, values) / psum(weights) >= 0.5)
    return combine(kind, values, weights)


def fmt(value: float, kind: str, digits: int) -> str:
    if kind in ("count", "binary"):
        return str(int(round(value)))
    text = f"{value:.{digits}f}"
    return "0.0" if text in ("-0.0", "-0.00") else text


# --------------------------------------------------------------------------- demo rows
def demo_rows(frame: Frame, real: list[Row], sources: Path, rng: np.random.Generator) -> list[Row]:
    """Every demo row: former provinces to 2024, current provinces in 2025, the nation."""
    rows: list[Row] = []
    weights = frame.weight
    commitment = rng.normal(0, 1, len(frame.former))
    latent: dict[str, np.ndarray] = {}
    for ind in catalogue.indicators():
        if ind.id in SURVEYS:
            latent[ind.id] = survey_values(ind.id, frame, anchor_path(ind.id, real, sources), rng)
        elif ind.id in ADMIN:
            latent[ind.id] = admin_values(ind.id, frame, commitment, rng)
        elif ind.kind == "count":
            latent[ind.id] = count_values(frame, rng)
        elif ind.kind == "binary":
            latent[ind.id] = binary_values(frame, rng)
        else:  # pragma: no cover - the catalogue has no other indicator
            raise ValueError(f"no demo model for {ind.id}")

    gaps = plan_gaps(frame, latent, rng)
    for ind in catalogue.indicators():
        values = latent[ind.id]
        digits = SURVEYS[ind.id].digits if ind.id in SURVEYS else 1
        for j, year in enumerate(YEARS):
            if np.isnan(values[:, j]).all():
                continue
            if year < LAST_YEAR:
                for i, p in enumerate(frame.former):
                    state = gaps.get((ind.id, p.code, year))
                    if state == "absent":
                        continue
                    value = "" if state == "missing" else fmt(values[i, j], ind.kind, digits)
                    rows.append(
                        Row(
                            p.name,
                            ind.id,
                            year,
                            value,
                            DEMO_SOURCE,
                            GAP_NOTE if state == "missing" else DEMO_NOTE,
                            "demo",
                        )
                    )
            else:
                for c in frame.current:
                    if gaps.get((ind.id, "new" + c.code, year)) == "absent":
                        continue
                    idx = frame.parts[c.code]
                    value = combine(ind.kind, values[idx, j], weights[idx])
                    note = DEMO_NOTE
                    if len(idx) > 1:
                        names = ", ".join(frame.former[i].name for i in idx)
                        how = {"count": "tổng", "binary": "1 khi mọi tỉnh cũ đạt"}.get(
                            ind.kind, "bình quân gia quyền theo dân số nữ 2024"
                        )
                        note += f"; tỉnh mới từ 1/7/2025: {how} của các tỉnh cũ {names}"
                    rows.append(
                        Row(
                            c.name,
                            ind.id,
                            year,
                            fmt(value, ind.kind, digits),
                            DEMO_SOURCE,
                            note,
                            "demo",
                        )
                    )
            how = {
                "count": "tổng các tỉnh",
                "binary": "1 khi các tỉnh đạt chiếm từ 50% dân số nữ",
            }.get(ind.kind, "bình quân gia quyền các tỉnh theo dân số nữ 2024")
            rows.append(
                Row(
                    NATIONAL,
                    ind.id,
                    year,
                    fmt(national_value(ind.kind, values[:, j], weights), ind.kind, digits),
                    DEMO_SOURCE,
                    f"{DEMO_NOTE}; toàn quốc = {how}",
                    "demo",
                )
            )
    return rows


def plan_gaps(
    frame: Frame, latent: dict[str, np.ndarray], rng: np.random.Generator
) -> dict[tuple[str, str, int], str]:
    """Realistic holes: biennial reporting, a few missing cells, a few 2025 values not out yet.

    Holes are drawn per current province and cover all its former parts (a half-missing merged
    province would give a misleading partial aggregate). Keys are (indicator, former code,
    year) -> 'absent' (no row) or 'missing' (empty value);
    (indicator, 'new' + current code, 2025) -> 'absent'. Every current province keeps, for
    every indicator, at least MIN_YEARS years up to 2024 in which all its former parts report.
    """
    gaps: dict[tuple[str, str, int], str] = {}
    history = [y for y in YEARS if y < LAST_YEAR]
    absent_2025: dict[str, int] = {}
    for ind in catalogue.indicators():
        values = latent[ind.id]
        observed = {y for j, y in enumerate(history) if not np.isnan(values[:, j]).all()}
        biennial = rng.uniform(size=len(frame.current)) < BIENNIAL_SHARE
        holes = rng.uniform(size=(len(frame.current), len(history))) < MISSING_SHARE
        late = rng.uniform(size=len(frame.current)) < ABSENT_2025_SHARE
        for k, c in enumerate(frame.current):
            idx = frame.parts[c.code]
            years = set(observed)
            if ind.id in BIENNIAL and biennial[k]:
                for year in sorted(years):
                    if year % 2 == 0:
                        years.discard(year)
                        for i in idx:
                            gaps[(ind.id, frame.former[i].code, year)] = "absent"
            for j, year in enumerate(history):
                # a hole covers every former part, so no merged series is half-aggregated
                if holes[k, j] and year in years and len(years) > MIN_YEARS:
                    years.discard(year)
                    for i in idx:
                        gaps[(ind.id, frame.former[i].code, year)] = "missing"
            if late[k] and absent_2025.get(c.code, 0) < 2:
                absent_2025[c.code] = absent_2025.get(c.code, 0) + 1
                gaps[(ind.id, "new" + c.code, LAST_YEAR)] = "absent"
    return gaps


# --------------------------------------------------------------------------- output
def merge(demo: list[Row], real: list[Row]) -> list[Row]:
    """One row per cell; a real figure replaces the demo value of its cell."""
    twice = [k for k, n in Counter(row.key for row in real).items() if n > 1]
    if twice:
        raise ValueError(f"two real figures for one cell: {twice}")
    cells: dict[tuple[str, str, int, str], Row] = {row.key: row for row in demo}
    cells.update({row.key: row for row in real})
    return list(cells.values())


@lru_cache(maxsize=1)
def indicator_order() -> dict[str, int]:
    return {ind_id: i for i, ind_id in enumerate(catalogue.ids())}


def sort_key(row: Row) -> tuple:
    """Catalogue order, then by current province (its former parts first), then year."""
    order = indicator_order()
    if row.province == NATIONAL:
        place: tuple = ("00", 0, "00")
    else:
        res = geo.resolve(row.province, row.year)
        unit = res.former or res.province
        place = (res.province.code, int(row.year >= LAST_YEAR), unit.code)
    return (order[row.indicator], place, row.year, row.sex)


def write_rows(path: Path, rows: Iterable[Row]) -> int:
    """Write the tidy CSV (UTF-8, NFC, '\\n' line ends); return the number of rows."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for r in rows:
            writer.writerow(
                [
                    nfc(str(x))
                    for x in (
                        r.province,
                        r.indicator,
                        r.year,
                        r.value,
                        r.sex,
                        r.source,
                        r.note,
                        r.status,
                    )
                ]
            )
            count += 1
    return count


def write_provenance(path: Path, tables: dict[str, list[Row]]) -> None:
    """One line per real row: the source extract and row its value was read from."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(PROVENANCE_COLUMNS)
        for data_file, rows in tables.items():
            for r in rows:
                if r.trace is None:
                    continue
                file, line, indicator, geo_name = r.trace
                writer.writerow(
                    [
                        nfc(str(x))
                        for x in (
                            data_file,
                            r.province,
                            r.indicator,
                            r.year,
                            r.sex,
                            r.value,
                            r.status,
                            f"sources/{file}",
                            line,
                            indicator,
                            geo_name,
                        )
                    ]
                )


def build(out: Path, sources: Path = DEFAULT_SOURCES) -> dict[str, int]:
    """Write observations.csv, international_vietnam.csv and provenance.csv into ``out``.

    Deterministic: the same sources and seed give the same bytes.
    """
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    frame = load_frame(sources)
    real = real_rows(sources)
    observations = sorted(merge(demo_rows(frame, real, sources, rng), real), key=sort_key)
    international = sorted(international_rows(sources), key=sort_key)
    counts = {
        "observations.csv": write_rows(out / "observations.csv", observations),
        "international_vietnam.csv": write_rows(out / "international_vietnam.csv", international),
    }
    write_provenance(
        out / "provenance.csv",
        {"observations.csv": observations, "international_vietnam.csv": international},
    )
    counts["real"] = sum(r.status != "demo" for r in observations)
    counts["demo"] = sum(r.status == "demo" for r in observations)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="folder to write the CSV files into (default: data/)",
    )
    parser.add_argument(
        "--sources",
        type=Path,
        default=DEFAULT_SOURCES,
        help="folder of source extracts (default: data/sources/)",
    )
    parser.add_argument(
        "--extract-sources",
        type=Path,
        metavar="SHARED_DATA",
        help="first refresh the extracts in --sources from this shared folder",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.extract_sources:
        extract_sources(args.extract_sources, args.sources)
    counts = build(args.out, args.sources)
    elapsed = time.perf_counter() - started
    print(", ".join(f"{k}: {v}" for k, v in counts.items()) + f" ({elapsed:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
