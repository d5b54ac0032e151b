"""Time ``bdg run-all`` over all 34 provinces against a floor measured in the same run.

The floor is what any papermill report costs: executing an empty parameterised notebook
(kernel start, parameters, shutdown) plus its HTML export, one at a time. The aim is a whole
run within 1.5 x (reports x floor / jobs). The script also says where a report's time goes
(kernel start and papermill overhead, analysis, sections and charts, other cells, export),
and runs the empty notebook through run-all too, which separates the cost of the machinery
(kernels, export, writing) from the cost of the report's own content.

    .venv/bin/python benchmarks/bench_run_all.py [--jobs N] [--kernel auto|fork|spawn]
        [--data FILE] [--notebook FILE] [--provinces "A,B"] [--out DIR] [--json] [--warm-cache]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from bdg_analysis import batch, runner

STAGES = ("kernel_start_and_overhead", "analysis", "sections_and_charts", "other_cells", "export")


def empty_notebook(folder: Path) -> Path:
    """A notebook with only the province notebook's parameters cell."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(
        'province = "Lạng Sơn"\nyear = None\ndata = None\nlang = "vi"\nrun_date = None'
    )
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / "empty.ipynb"
    nbformat.write(nb, path)
    return path


def measure_floor(repeats: int = 5) -> float:
    """Median seconds of papermill on the empty notebook plus its export (after a warm-up)."""
    with tempfile.TemporaryDirectory(prefix="bdg-bench-") as tmp:
        notebook = empty_notebook(Path(tmp))
        executed = Path(tmp) / "executed.ipynb"
        params = {
            "province": "Cao Bằng",
            "year": 2025,
            "data": None,
            "lang": "vi",
            "run_date": "2026-06-01",
        }
        times = []
        for i in range(repeats + 1):
            start = time.perf_counter()
            runner.execute(notebook, executed, params)
            runner.export_html(executed, title="floor", lang="vi")
            if i:  # the first run warms imports and caches in this process
                times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=batch.default_jobs())
    parser.add_argument("--kernel", choices=("auto", "fork", "spawn"), default="auto")
    parser.add_argument("--executor", default="local")
    parser.add_argument("--data", default=None)
    parser.add_argument("--notebook", default=None)
    parser.add_argument("--provinces", default=None, help="comma-separated (default: all 34)")
    parser.add_argument("--out", default=None, help="output folder (default: a temporary one)")
    parser.add_argument(
        "--machinery-only",
        action="store_true",
        help="only the floor and the empty notebook through run-all",
    )
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument(
        "--warm-cache",
        action="store_true",
        help="keep the analysis cache (.cache/); by default the run starts cold, "
        "as a scheduled run after a data revision does",
    )
    args = parser.parse_args(argv)
    if not args.warm_cache:  # kernels inherit the environment
        os.environ["BDG_CACHE_DIR"] = tempfile.mkdtemp(prefix="bdg-bench-cache-")

    floor = measure_floor()
    provinces = [p.strip() for p in args.provinces.split(",")] if args.provinces else None
    with tempfile.TemporaryDirectory(prefix="bdg-bench-empty-") as tmp:
        empty = batch.run_all(
            provinces=provinces,
            data=args.data,
            out_dir=Path(tmp),
            jobs=args.jobs,
            run_date="2026-06-01",
            kernel=args.kernel,
            executor=args.executor,
            notebook=empty_notebook(Path(tmp)),
            national=False,
            progress=False,
            stream=io.StringIO(),
        )
    empty_built = sum(o.status == batch.OK for o in empty.outcomes) or 1
    empty_ideal = empty_built * floor / args.jobs
    print(f"floor (papermill empty notebook + HTML export): {floor:.2f} s")
    print(
        f"machinery alone (the empty notebook through run-all, {empty_built} runs, jobs "
        f"{args.jobs}, kernels {args.kernel}): {empty.seconds:.1f} s, ratio to "
        f"{empty_built} x floor / jobs: {empty.seconds / empty_ideal:.2f}"
    )
    if args.machinery_only:
        return 0
    with tempfile.TemporaryDirectory(prefix="bdg-bench-out-") as tmp:
        out = Path(args.out) if args.out else Path(tmp)
        result = batch.run_all(
            provinces=provinces,
            data=args.data,
            out_dir=out,
            jobs=args.jobs,
            run_date="2026-06-01",
            kernel=args.kernel,
            executor=args.executor,
            notebook=args.notebook,
            progress=False,
            stream=sys.stderr,
        )
    built = [o for o in result.outcomes if o.status == batch.OK]
    n = len(built) or 1
    ideal = n * floor / args.jobs
    provinces_built = [o for o in built if o.kind == "province"]
    national = [o for o in built if o.kind == "national"]
    figures = {
        "empty_notebook_total_s": round(empty.seconds, 2),
        "empty_notebook_ratio_to_ideal": round(empty.seconds / empty_ideal, 2),
        "reports": len(built),
        "failed": len(result.failed),
        "jobs": args.jobs,
        "cores": os.cpu_count(),
        "kernel": args.kernel,
        "total_s": round(result.seconds, 2),
        "per_report_s": round(result.seconds / n, 3),
        "floor_s": round(floor, 3),
        "ideal_s": round(ideal, 2),
        "target_s": round(1.5 * ideal, 2),
        "ratio_to_ideal": round(result.seconds / ideal, 2),
        "mean_report_wall_s": round(statistics.mean(o.seconds for o in provinces_built), 2)
        if provinces_built
        else None,
        "mean_stage_s": {
            s: round(statistics.mean(o.timings.get(s, 0.0) for o in provinces_built), 3)
            for s in STAGES
        }
        if provinces_built
        else {},
        "national_s": round(national[0].seconds, 2) if national else None,
        "national_stage_s": {s: round(national[0].timings.get(s, 0.0), 2) for s in STAGES}
        if national
        else {},
    }
    print(
        f"reports built: {figures['reports']} (failed {figures['failed']}), "
        f"jobs {args.jobs} on {figures['cores']} cores, kernels {args.kernel}"
    )
    print(
        f"total: {figures['total_s']:.1f} s; per report: {figures['per_report_s']:.2f} s "
        f"(a province report's own wall time: {figures['mean_report_wall_s']} s)"
    )
    print(f"ideal reports x floor / jobs = {ideal:.1f} s; aim 1.5 x = {1.5 * ideal:.1f} s")
    print(
        f"ratio total / ideal: {figures['ratio_to_ideal']:.2f} "
        f"({'within' if figures['ratio_to_ideal'] <= 1.5 else 'above'} the 1.5 aim)"
    )
    print("where a province report's time goes (mean seconds, in its worker):")
    for stage, seconds in figures["mean_stage_s"].items():
        print(f"  {stage:28s} {seconds:6.2f}")
    if national:
        stages = ", ".join(f"{k} {v:.1f}" for k, v in figures["national_stage_s"].items())
        print(f"national overview: {figures['national_s']:.1f} s ({stages})")
    for outcome in result.failed:
        print(f"failed: {outcome.name}: {outcome.reason}")
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    return 0 if not result.failed else 1


if __name__ == "__main__":
    sys.exit(main())
