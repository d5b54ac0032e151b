"""The ``bdg`` command: reports, validation and look-ups (exit 0 ok, 1 run failed, 2 bad input)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bdg_analysis import words
from bdg_analysis.errors import BdgError, BdgInputError
from bdg_analysis.version import __version__

MAX_PROBLEM_LINES = 1000
_LANG_HELP = "language of the pages: vi (default) or en"
_PDF_HELP = (
    "also print an A4 PDF beside each HTML page (needs Chromium: make browser, and "
    "playwright: pip install 'bdg-analysis[pdf]')"
)


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on usage errors already; keep its message short and on stderr."""


_DATA_HELP = (
    "data file laid over the embedded data/observations.csv (repeatable, in order: a later file "
    "wins for the same province, indicator, year and sex; an empty value never erases a figure "
    "underneath unless its note says it is withdrawn); tidy CSV/Excel/Parquet, yearbook "
    "tables or returned collection forms"
)
_NO_EMBEDDED_HELP = "build on the --data files alone, without the embedded data underneath"


def _data_argument(data: list[str] | None, no_embedded: bool = False) -> list[str] | None:
    """``--data`` (repeated) from the caller's folder: kernels run in the project folder, where
    a relative path would name another file or none. ``--no-embedded`` needs a file."""
    from bdg_analysis import runner

    if no_embedded and not data:
        raise BdgInputError(
            words.problem("<argument>", None, "--no-embedded", "layers.no_embedded_without_data")
        )
    return [str(f) for f in runner.data_files(data)] if data else None


def _cmd_report(args: argparse.Namespace) -> int:
    from bdg_analysis import geo, runner

    # every argument checked here, before anything runs; the province resolved once
    run_date = runner.check_run_date(args.run_date)
    lang = words.check_lang(args.lang or "vi")
    province = geo.resolve(args.province).province
    runner.check_out_dir(args.out)
    result = runner.province_report(
        province,
        year=args.year,
        data=_data_argument(args.data, args.no_embedded),
        lang=lang,
        out_dir=Path(args.out),
        run_date=run_date,
        embedded=not args.no_embedded,
        pdf=args.pdf,
    )
    print(result.html)
    if result.pdf is not None:
        print(result.pdf)
    if args.timings:
        for stage, seconds in result.timings.items():
            print(f"{stage}: {seconds:.2f} s", file=sys.stderr)
    return 0


def _say(key: str, lang: str | None = None, **fields: object) -> str:
    """A message of the command itself, in the user's language (``--lang vi`` or a Vietnamese
    environment: Vietnamese; else English)."""
    return words.word(f"cli.{key}", lang or words.lang_from_env(), **fields)


def _cli_lang(args: argparse.Namespace) -> str:
    """Messages in Vietnamese for ``--lang vi`` or a Vietnamese environment, else English.

    Only a ``--lang`` given counts: the pages' default (Vietnamese) does not make a statistician
    with an English environment read Vietnamese errors. ``--lang`` defaults to None for that.
    """
    return "vi" if getattr(args, "lang", None) == "vi" or words.lang_from_env() == "vi" else "en"


def _print_problems(problems, lang: str) -> None:
    """One line per problem on stdout (file:row: column: message), capped for huge files."""
    for problem in problems[:MAX_PROBLEM_LINES]:
        print(words.problem_line(problem, lang))
    hidden = len(problems) - MAX_PROBLEM_LINES
    if hidden > 0:
        print(_say("more_problems", lang, n=hidden))


def _print_inferred(tables, lang: str) -> None:
    """Say how each file was read (on stderr: stdout stays one line per problem)."""
    for table in tables:
        print(_say("read_as", lang, file=table.file, how=table.describe(lang)), file=sys.stderr)


def _print_warnings(warnings, lang: str) -> None:
    """What to check that does not stop a file (a unit unlike the catalogue's), on stderr."""
    for warning in warnings[:MAX_PROBLEM_LINES]:
        text = words.problem_line(warning, lang)
        print(_say("warning", lang, text=text), file=sys.stderr)


def _cmd_validate(args: argparse.Namespace) -> int:
    from bdg_analysis import dataset, importer

    found, missing = importer.expand_paths(args.paths)
    loaded = importer.check_paths(found)
    problems = importer._sorted(missing + loaded.problems)
    lang = words.lang_from_env()
    _print_inferred(loaded.tables, lang)
    _print_warnings(loaded.warnings, lang)
    if problems:
        _print_problems(problems, lang)
        print(dataset.describe_problem_count(problems, lang), file=sys.stderr)
        return 2
    obs = loaded.checked.observations
    print(
        _say(
            "validate_ok",
            rows=len(obs),
            places=obs["province"].nunique(),
            indicators=obs["indicator"].nunique(),
            first=obs["year"].min(),
            last=obs["year"].max(),
            missing=int(obs["value"].isna().sum()),
            demo=int((obs["status"] == "demo").sum()),
        )
    )
    for table in loaded.tables:
        if not table.canonical:
            print(_say("not_tidy", file=table.file), file=sys.stderr)
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from bdg_analysis import dataset, history, importer

    if Path(args.out).suffix.lower() != ".csv":
        raise BdgInputError(words.problem(args.out, None, "--out", "cli.out_not_csv"))
    lang = words.lang_from_env()
    result = importer.import_paths(
        args.paths,
        args.out,
        indicator=args.indicator,
        sheet=args.sheet,
        province=args.province,
        year=args.year,
        revise=args.revise,
        on_wait=lambda message: print(words.said(message, lang), file=sys.stderr, flush=True),
    )
    _print_inferred(result.loaded.tables, lang)
    _print_warnings(result.loaded.warnings, lang)
    if result.problems:
        _print_problems(result.problems, lang)
        what = dataset.describe_problem_count(result.problems, lang)
        if result.merge is not None and result.merge.conflicts:
            what += _say("nothing_written", out=args.out)
        print(what, file=sys.stderr)
        return 2
    merged = result.merge
    assert merged is not None
    obs = result.loaded.checked.observations
    blank_status = int((obs["status"] == "").sum())
    if blank_status:
        print(_say("blank_status", n=blank_status), file=sys.stderr)
    state = "import_written" if merged.written else "import_unchanged"
    line = _say(state, lang, out=args.out, summary=merged.summary(lang))
    if merged.history:
        line += _say("history_kept", n=len(merged.history), path=history.history_path(args.out))
    print(line)
    return 0


def _cmd_targets(args: argparse.Namespace) -> int:
    from bdg_analysis import plans

    lang = words.check_lang(args.lang or "vi")
    plan = plans.load_plan(args.province)
    print(plans.format_targets(plan, fmt=args.format, lang=lang))
    return 0


def _cmd_run_all(args: argparse.Namespace) -> int:
    from bdg_analysis import batch, geo, runner

    run_date = runner.check_run_date(args.run_date)
    lang = words.check_lang(args.lang or "vi")
    # the log speaks Vietnamese when asked to (--lang vi) or when the environment does
    log_lang = _cli_lang(args)
    names = [
        name.strip() for item in args.provinces or [] for name in item.split(",") if name.strip()
    ]
    provinces = [geo.resolve(name).province for name in names] or None  # resolved once, here
    runner.check_out_dir(args.out)
    result = batch.run_all(
        provinces=provinces,
        year=args.year,
        data=_data_argument(args.data, args.no_embedded),
        embedded=not args.no_embedded,
        lang=lang,
        out_dir=Path(args.out),
        jobs=args.jobs,
        run_date=run_date,
        resume=args.resume,
        timeout=args.timeout,
        executor=args.executor,
        scheduler=args.scheduler,
        kernel=args.kernel,
        national=not args.no_national,
        pdf=args.pdf,
        log_lang=log_lang,
    )
    print(result.index)
    return result.exit_code


def _cmd_form(args: argparse.Namespace) -> int:
    from bdg_analysis import dataset, forms

    today = forms.parse_date(args.today, "--today")
    deadline = forms.parse_date(args.deadline, "--deadline")
    observations = dataset.load(args.data or None)
    asked = forms.plan_round(
        args.province,
        args.year,
        observations,
        today=today,
        deadline=deadline,
        back=args.back,
        contact=args.contact,
    )
    written = forms.write_forms(asked, Path(args.out), lang=args.lang or "vi")
    # what was written is said in the form's language (Vietnamese unless --lang en)
    lang = "vi" if args.lang in (None, "vi") else _cli_lang(args)
    for agency, path in zip(asked.agencies, written, strict=True):
        rows = len(asked.rows_of(agency))
        form = asked.form_id(agency)
        print(_say("form_written", lang, path=path, agency=agency, rows=rows, form=form))
    deadline_text = words.fmt_date(asked.deadline.isoformat(), lang)
    print(_say("form_deadline", lang, deadline=deadline_text, to=asked.return_to), file=sys.stderr)
    return 0


def _cmd_collection(args: argparse.Namespace) -> int:
    from bdg_analysis import collection, forms
    from bdg_analysis.files import write_atomic

    state = collection.collect(
        args.province,
        args.year,
        args.data,
        forms_dir=args.forms,
        today=forms.parse_date(args.today, "--today"),
        deadline=forms.parse_date(args.deadline, "--deadline"),
        lang=args.lang or "vi",
    )
    text = collection.render(state, args.format)
    if args.out:
        print(write_atomic(args.out, text))
    else:
        print(text)
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    """Every target of the province's plan at the report year, as its report shows it."""
    from bdg_analysis import dataset, geo, runner, scorecard, text

    lang = words.check_lang(args.lang or "vi")
    place = geo.resolve(args.province).province
    data = _data_argument(args.data, args.no_embedded)
    embedded = not args.no_embedded and bool(data)
    # the checks and the data of `bdg report`: --data over the embedded data unless --no-embedded
    runner.check_inputs(runner.data_files(data), province=place, year=args.year, embedded=embedded)
    ctx = scorecard.load_context(dataset.layer_files(data, embedded=embedded))
    statuses = scorecard.target_statuses(ctx, place.name, args.year)
    print(text.format_statuses(statuses, args.format, lang))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="bdg", description="Gender-equality target tracking for provinces.")
    parser.add_argument("--version", action="version", version=f"bdg-analysis {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("report", help="write one province's HTML report")
    p.add_argument("--province", required=True, help='e.g. "Lạng Sơn" (diacritics optional)')
    p.add_argument("--year", type=int, default=None, help="report year (default: latest in data)")
    p.add_argument("--data", action="append", default=None, metavar="PATH", help=_DATA_HELP)
    p.add_argument("--no-embedded", action="store_true", help=_NO_EMBEDDED_HELP)
    p.add_argument("--lang", default=None, metavar="{vi,en}", help=_LANG_HELP)
    p.add_argument("--out", default="reports", help="output folder (default: reports)")
    p.add_argument("--run-date", default=None, help="date printed on the report (YYYY-MM-DD)")
    p.add_argument("--timings", action="store_true", help="print the time of each stage")
    p.add_argument("--pdf", action="store_true", help=_PDF_HELP)
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser(
        "validate",
        help="check data files; one line per problem",
        description="Check data files (tidy CSV/Excel/Parquet, yearbook tables, Excel forms; a "
        "folder stands for the data files in it) exactly as reports and 'bdg import' read "
        "them: one line per problem (file:row: column: message) and exit 2, or a summary. "
        "Files above BDG_MAX_INPUT_MB megabytes (default 500) are refused.",
    )
    p.add_argument("paths", nargs="+", help="data files or folders")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser(
        "import",
        help="turn yearbook tables and Excel forms into tidy rows",
        description="Read each PATH (tidy CSV/Excel/Parquet, a yearbook table, an "
        "Excel form, a returned collection form (numerator and denominator kept, flags "
        "printed as warnings at file:sheet:cell); ';' and decimal commas, Windows-1258 are "
        "recognised and reported; a folder stands for the data files in it), check them like "
        "'bdg validate', and merge their rows into the tidy CSV --out. A value that "
        "differs from one already held is refused unless --revise; the old value then "
        "goes to OUT.history.csv. A missing value is written empty, its marker ('..') "
        "opening the note. Two imports into one --out at once take turns: the second "
        "waits for the first (and says so), then merges into what it wrote.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to import")
    p.add_argument(
        "--indicator",
        default=None,
        help="catalogue id of the table's figures (e.g. M4.CT1) when its title does not name one",
    )
    p.add_argument("--sheet", default=None, help="the worksheet to read (default: every sheet)")
    p.add_argument(
        "--province",
        default=None,
        help="the province of a one-province yearbook table (rows are series); returned "
        "collection forms of another province are refused",
    )
    p.add_argument(
        "--year",
        type=int,
        default=None,
        help="the report year of the collection round: returned forms of another year are "
        "refused (without --province and --year, the forms imported together must be of one "
        "round)",
    )
    p.add_argument(
        "--revise",
        action="store_true",
        help="replace values that differ from those held (old ones kept in history)",
    )
    p.add_argument("--out", required=True, help="tidy CSV to create or merge into")
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("targets", help="print a province's plan targets")
    p.add_argument("--province", required=True)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--lang", default=None, metavar="{vi,en}", help=_LANG_HELP)
    p.set_defaults(func=_cmd_targets)

    from bdg_analysis import batch

    p = sub.add_parser(
        "run-all",
        help="write every province's report and index.html",
        description="Build every province's report (and the national overview) "
        "in parallel. A failed run keeps the previous report and makes the exit "
        "code 1; the index and the log say which failed and why.",
    )
    p.add_argument("--year", type=int, default=None, help="report year (default: latest in data)")
    p.add_argument("--data", action="append", default=None, metavar="PATH", help=_DATA_HELP)
    p.add_argument("--no-embedded", action="store_true", help=_NO_EMBEDDED_HELP)
    p.add_argument("--out", default="reports", help="output folder (default: reports)")
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        help=f"reports built at once (default: the number of cores, here {batch.default_jobs()})",
    )
    p.add_argument(
        "--provinces",
        action="append",
        metavar="NAMES",
        help='only these provinces, comma-separated, e.g. "Cao Bằng,Lạng Sơn"',
    )
    p.add_argument("--no-national", action="store_true", help="skip the national overview")
    p.add_argument(
        "--lang",
        default=None,
        metavar="{vi,en}",
        help=_LANG_HELP + "; the log is in Vietnamese with vi or a Vietnamese LANG",
    )
    p.add_argument("--pdf", action="store_true", help=_PDF_HELP)
    p.add_argument("--run-date", default=None, help="date printed on the reports (YYYY-MM-DD)")
    p.add_argument(
        "--resume",
        action="store_true",
        help="skip reports already built from the same data, params, notebook and version",
    )
    p.add_argument("--timeout", type=int, default=600, help="seconds a cell may run (default 600)")
    p.add_argument(
        "--executor",
        choices=sorted(batch.EXECUTORS),
        default="local",
        help="where reports run: local processes or a Dask cluster",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster)",
    )
    p.add_argument(
        "--kernel",
        choices=("auto", "fork", "spawn"),
        default="auto",
        help="fork kernels from a preloaded process (fast, POSIX) or spawn each",
    )
    p.set_defaults(func=_cmd_run_all)

    # collection rounds: forms out to the agencies, the round's state back (issue 13)
    p = sub.add_parser(
        "form",
        help="write a round's collection workbooks, one per responsible agency",
        description="Write one .xlsx per agency of the province's plan (indicators the plan "
        "gives no agency go to the Department of Home Affairs): a cover sheet with the "
        "deadline and instructions, a locked, validated data sheet, and a hidden block that "
        "'bdg import' and 'bdg collection' read back. The same inputs give the same bytes.",
    )
    p.add_argument("--province", required=True, help='e.g. "Lạng Sơn" (diacritics optional)')
    p.add_argument("--year", type=int, required=True, help="report year of the round")
    p.add_argument("--out", default="forms", help="output folder (default: forms)")
    p.add_argument("--lang", choices=("vi", "en"), default=None)
    p.add_argument(
        "--data",
        action="append",
        default=None,
        help="tidy data, to ask earlier years still missing and show the latest figure "
        "(repeatable; default: data/observations.csv)",
    )
    p.add_argument("--deadline", default=None, help="YYYY-MM-DD (default: the plan's next one)")
    p.add_argument("--today", default=None, help="YYYY-MM-DD the round is run on (default today)")
    p.add_argument(
        "--back", type=int, default=5, help="earlier years asked while missing (default 5)"
    )
    p.add_argument("--contact", default="", help="who to call about the form (printed on it)")
    p.set_defaults(func=_cmd_form)

    p = sub.add_parser(
        "collection",
        help="where a round stands: received, missing, flagged, days to the deadline",
        description="Per agency: rows received, missing, refused or to check (provisional, "
        "numerator/denominator that do not give the value, a jump far beyond the series' own "
        "history, a figure that differs from one held), and the days left to the deadline. "
        "The HTML page is self-contained, to forward or print.",
    )
    p.add_argument("--province", required=True, help='e.g. "Lạng Sơn" (diacritics optional)')
    p.add_argument("--year", type=int, required=True, help="report year of the round")
    p.add_argument("--data", action="append", required=True, help="tidy data with imported returns")
    p.add_argument(
        "--forms",
        action="append",
        default=None,
        help="returned workbooks not yet imported: a folder or a file (repeatable)",
    )
    p.add_argument("--format", choices=("table", "json", "html"), default="table")
    p.add_argument("--lang", choices=("vi", "en"), default=None)
    p.add_argument("--out", default=None, help="write to this file instead of printing")
    p.add_argument("--deadline", default=None, help="YYYY-MM-DD (default: the forms' own)")
    p.add_argument("--today", default=None, help="YYYY-MM-DD to count days from (default today)")
    p.set_defaults(func=_cmd_collection)

    # target statuses for machines and people: the same function as the report (issue 16)
    p = sub.add_parser(
        "status",
        help="every target of a province's plan and its status, as the report shows it",
        description="One entry per target and year of the province's plan at the report year: "
        "status (achieved, not_achieved, on_track, at_risk, off_track, moving_away, "
        "insufficient_data), the chance of meeting the target (p_met, 0-1), the latest "
        "value and year, the projection to the target year with its 80%% range and method. "
        "The rules are in docs/methods/projection-and-status.md.",
    )
    p.add_argument("--province", required=True, help='e.g. "Lạng Sơn" (diacritics optional)')
    p.add_argument("--year", type=int, default=None, help="report year (default: latest in data)")
    p.add_argument("--data", action="append", default=None, metavar="PATH", help=_DATA_HELP)
    p.add_argument("--no-embedded", action="store_true", help=_NO_EMBEDDED_HELP)
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--lang", default=None, metavar="{vi,en}", help=_LANG_HELP)
    p.set_defaults(func=_cmd_status)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``bdg``; returns the exit code instead of raising for user mistakes."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except BdgInputError as err:
        lang = _cli_lang(args)
        for problem in err.problems:
            print(words.problem_line(problem, lang), file=sys.stderr)
        return err.exit_code
    except BdgError as err:
        text = words.said(err.args[0], _cli_lang(args)) if err.args else str(err)
        print(f"bdg: {text}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print(words.word("cli.interrupted", words.lang_from_env()), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # output piped into `head` and closed early: not an error, and no traceback
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as err:  # e.g. a full disk in the temporary folder: one line, no traceback
        name = f": {err.filename}" if err.filename else ""
        error = f"{err.strerror or err}{name}"
        print(words.word("cli.system_error", words.lang_from_env(), error=error), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
