"""The ``bdg`` command: reports, validation and look-ups (exit 0 ok, 1 run failed, 2 bad input)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bdg_analysis import __version__
from bdg_analysis.errors import BdgError, BdgInputError

MAX_PROBLEM_LINES = 1000


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on usage errors already; keep its message short and on stderr."""


def _cmd_report(args: argparse.Namespace) -> int:
    from bdg_analysis import runner

    result = runner.province_report(args.province, year=args.year, data=args.data,
                                    lang=args.lang, out_dir=Path(args.out),
                                    run_date=args.run_date)
    print(result.html)
    if args.timings:
        for stage, seconds in result.timings.items():
            print(f"{stage}: {seconds:.2f} s", file=sys.stderr)
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from bdg_analysis import dataset

    checked = dataset.check_files(args.paths)
    if checked.problems:
        for problem in checked.problems[:MAX_PROBLEM_LINES]:
            print(problem)
        hidden = len(checked.problems) - MAX_PROBLEM_LINES
        if hidden > 0:
            print(f"... and {hidden} more problem(s)")
        print(dataset.describe_problem_count(checked.problems), file=sys.stderr)
        return 2
    obs = checked.observations
    print(f"OK: {len(obs)} rows, {obs['province'].nunique()} places, "
          f"{obs['indicator'].nunique()} indicators, years "
          f"{obs['year'].min()}-{obs['year'].max()}, {int(obs['value'].isna().sum())} missing "
          f"values, {int((obs['status'] == 'demo').sum())} demo rows")
    return 0


def _cmd_targets(args: argparse.Namespace) -> int:
    from bdg_analysis import plans

    plan = plans.load_plan(args.province)
    print(plans.format_targets(plan, fmt=args.format, lang=args.lang))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="bdg", description="Gender-equality target tracking for provinces.")
    parser.add_argument("--version", action="version", version=f"bdg-analysis {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("report", help="write one province's HTML report")
    p.add_argument("--province", required=True, help='e.g. "Lạng Sơn" (diacritics optional)')
    p.add_argument("--year", type=int, default=None, help="report year (default: latest in data)")
    p.add_argument("--data", default=None, help="tidy data file (default: data/observations.csv)")
    p.add_argument("--lang", choices=("vi", "en"), default="vi")
    p.add_argument("--out", default="reports", help="output folder (default: reports)")
    p.add_argument("--run-date", default=None, help="date printed on the report (YYYY-MM-DD)")
    p.add_argument("--timings", action="store_true", help="print the time of each stage")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("validate", help="check data files; one line per problem")
    p.add_argument("paths", nargs="+", help="tidy CSV, Parquet or Excel files")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("targets", help="print a province's plan targets")
    p.add_argument("--province", required=True)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--lang", choices=("vi", "en"), default="vi")
    p.set_defaults(func=_cmd_targets)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``bdg``; returns the exit code instead of raising for user mistakes."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except BdgInputError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return err.exit_code
    except BdgError as err:
        print(f"bdg: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("bdg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # output piped into `head` and closed early: not an error, and no traceback
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
