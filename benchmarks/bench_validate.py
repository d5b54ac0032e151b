"""Benchmark: validate a 1,000,000-row tidy CSV the way `bdg validate` does, and print the time."""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

import numpy as np

from bdg_analysis import catalogue, geo

LIMIT_SECONDS = 10.0


def write_tidy_file(path: Path, rows: int, seed: int = 1) -> int:
    """Write ``rows`` distinct, valid tidy rows (former names before 2025, current after)."""
    rng = np.random.default_rng(seed)
    indicators = catalogue.indicators()
    places = [(p.name, range(1950, 2025)) for p in geo.former_provinces()]
    places += [(p.name, range(2025, 2101)) for p in geo.current_provinces()]
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["province", "indicator", "year", "value", "sex", "source", "note", "status"])
        for sex in ("total", "female", "male", ""):
            for ind in indicators:
                high = 1 if ind.kind == "binary" else 100 if ind.upper == 100 else 150
                for name, years in places:
                    values = rng.uniform(0, high, len(years))
                    for year, value in zip(years, values, strict=True):
                        text = str(round(value)) if ind.kind == "binary" else f"{value:.1f}"
                        if written % 97 == 0:
                            text = ".."
                        out.writerow([name, ind.id, year, text, sex, "Niên giám thống kê", "",
                                      "official"])
                        written += 1
                        if written >= rows:
                            return written
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--file", type=Path, default=None, help="keep the generated file here")
    args = parser.parse_args()

    from bdg_analysis import importer

    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or Path(tmp) / "tidy_1m.csv"
        written = write_tidy_file(path, args.rows)
        size = path.stat().st_size / 1e6
        start = time.perf_counter()
        loaded = importer.check_paths([path])
        seconds = time.perf_counter() - start
    verdict = "OK" if seconds < LIMIT_SECONDS else "TOO SLOW"
    print(f"validated {written:,} rows ({size:.0f} MB) in {seconds:.2f} s "
          f"({len(loaded.checked.problems)} problems, "
          f"{len(loaded.checked.observations):,} observations): {verdict} "
          f"(limit {LIMIT_SECONDS:.0f} s)")


if __name__ == "__main__":
    main()
