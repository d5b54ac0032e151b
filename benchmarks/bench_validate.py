"""Benchmark: validate a 1,000,000-row tidy CSV the way `bdg validate` does, and print the time.

    .venv/bin/python benchmarks/bench_validate.py [--rows N] [--file PATH]

A valid tidy dataset cannot hold a million distinct rows (23 indicators x 4 sex values x the
place-years of the 63 former and 34 current provinces and the nation make about 0.9 million),
so the file holds every one of those and fills the rest with rows that each carry one planted
mistake (a mistyped province, '12,5' in a comma-separated file, a share of 104 %, year '20x2').
The benchmark checks that exactly those rows are reported, then prints the wall and CPU time.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

import numpy as np

from bdg_analysis import catalogue, geo

LIMIT_SECONDS = 10.0
HEADER = ["province", "indicator", "year", "value", "sex", "source", "note", "status"]
MISTAKES = [
    ("Lạng Sơnn", "M4.CT1", "2020", "112.4"),  # unknown province
    ("Lạng Sơn", "M4.CT1", "2020", "12,5"),  # decimal comma in a comma-separated file
    ("Lạng Sơn", "M2.CT1", "2020", "104"),  # a share above 100
    ("Lạng Sơn", "M4.CT1", "20x2", "112.4"),  # not a year
]


def _places() -> list[tuple[str, range]]:
    places = [(p.name, range(1950, 2025)) for p in geo.former_provinces()]
    places += [(p.name, range(2025, 2101)) for p in geo.current_provinces()]
    current = {c.name for c in geo.current_provinces()}
    places += [
        (p.name, range(2025, 2101))
        for p in geo.former_provinces()
        if p.changed and p.name not in current
    ]
    places.append((geo.NATIONAL_NAME, range(1950, 2101)))
    return places


def write_tidy_file(path: Path, rows: int, seed: int = 1) -> tuple[int, int]:
    """Write ``rows`` rows; return (rows written, rows with a planted mistake).

    Valid rows: every indicator, sex and year of every place (former names before 2025, current
    and merged-former names after), one figure in 97 missing ('..').
    """
    rng = np.random.default_rng(seed)
    written = planted = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(HEADER)
        for sex in ("total", "female", "male", ""):
            for ind in catalogue.indicators():
                high = 1 if ind.kind == "binary" else 100 if ind.upper == 100 else 150
                for name, years in _places():
                    values = rng.uniform(0, high, len(years))
                    for year, value in zip(years, values, strict=True):
                        text = str(round(value)) if ind.kind == "binary" else f"{value:.1f}"
                        if written % 97 == 0:
                            text = ".."
                        out.writerow(
                            [name, ind.id, year, text, sex, "Niên giám thống kê", "", "official"]
                        )
                        written += 1
                        if written >= rows:
                            return written, planted
        while written < rows:
            province, indicator, year, value = MISTAKES[planted % len(MISTAKES)]
            out.writerow([province, indicator, year, value, "", "benchmark", f"#{planted}", ""])
            written += 1
            planted += 1
    return written, planted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--file", type=Path, default=None, help="keep the generated file here")
    args = parser.parse_args()

    from bdg_analysis import importer

    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or Path(tmp) / "tidy_1m.csv"
        written, planted = write_tidy_file(path, args.rows)
        size = path.stat().st_size / 1e6
        start, cpu = time.perf_counter(), time.process_time()
        loaded = importer.check_paths([path])
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    found = len(loaded.problems)
    correct = found == planted and len(loaded.checked.observations) == written - planted
    verdict = ("OK" if seconds < LIMIT_SECONDS else "TOO SLOW") if correct else "WRONG RESULT"
    print(
        f"validated {written:,} rows ({size:.0f} MB) in {seconds:.2f} s "
        f"(CPU {cpu:.2f} s): {len(loaded.checked.observations):,} observations, "
        f"{found:,} problems ({planted:,} planted): {verdict} (limit {LIMIT_SECONDS:.0f} s)"
    )


if __name__ == "__main__":
    main()
