"""Run a report notebook with papermill, export it to HTML without code, and publish it safely.

One path for every report: :func:`render` executes a notebook and exports its page (nothing
is written), :func:`write_report` moves the page, its Excel annex and (``--pdf``) its PDF into
place together (all built first, the HTML moved last, so a failure leaves the previous set).
``bdg report`` (:func:`province_report`) and ``bdg run-all`` (``batch``) both use them. The
checks a run needs before any kernel starts (run date, output folder, data, year) are here
too, so every command makes them the same way. Only this module and ``batch``/``kernels``
know papermill and nbconvert; the runner never imports the analysis, which runs inside the
notebook.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import os
import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bdg_analysis import files, geo, page, paths, words
from bdg_analysis import pdf as pdf_printer
from bdg_analysis.errors import BdgInputError, RunError
from bdg_analysis.paths import notebooks_dir, project_root

if TYPE_CHECKING:  # pragma: no cover
    from bdg_analysis.geo import Province

PROVINCE_NOTEBOOK = "province_report.ipynb"
STRIP_TAGS = {"injected-parameters", "parameters", "remove", "bdg-meta"}
# The same as report.META_MIME (a test checks it); not imported from report, because that
# loads pandas, matplotlib and statsmodels into every batch worker, which needs none of them.
META_MIME = "application/vnd.bdg.meta+json"
ARGUMENT = "<argument>"


@dataclass
class RunResult:
    """Where the report (its annex, its PDF) went and how long each stage took (seconds)."""

    html: Path
    timings: dict[str, float] = field(default_factory=dict)
    annex: Path | None = None
    pdf: Path | None = None


@dataclass
class Rendered:
    """A report page ready to publish: its HTML, the notebook's meta, year, title, timings."""

    html: str
    meta: dict
    year: int | None
    title: str
    timings: dict[str, float] = field(default_factory=dict)


def message(key: str, **fields: object) -> words.Phrase:
    """A runner message (``runner.<key>``), said when printed: the command line says it in the
    user's language (``--lang vi`` or ``LANG=vi_VN...``), whatever the pages' language."""
    return words.phrase(f"runner.{key}", **fields)


def report_file(stem: str, year: int | None, lang: str) -> str:
    """The file name of a report, ``<stem>-<year>-<lang>.html``; the annex is the same ``.xlsx``."""
    return f"{stem}-{year}-{lang}.html"


# ------------------------------------------------------------------ executing and exporting


def execute(
    notebook: Path,
    output: Path,
    parameters: dict,
    *,
    timeout: int = 600,
    start_timeout: int = 60,
    engine_options: dict | None = None,
) -> None:
    """Execute ``notebook`` with papermill into ``output``; a failure becomes RunError.

    ``timeout`` is per cell; ``engine_options`` go to nbclient (e.g. a kernel manager class
    or ``shutdown_kernel="immediate"``), so batch runs can tune kernel start and stop.
    """
    import papermill as pm

    from bdg_analysis import kernels

    logging.getLogger("papermill").setLevel(logging.WARNING)
    # jupyter_client interrupts a kernel before shutting it down, and an ipykernel busy with
    # the shutdown then logs "KeyboardInterrupt caught in kernel." (an error, so it passes the
    # log level): the batch kernel manager stops kernels without that interrupt.
    engine = {"kernel_manager_class": kernels.kernel_manager_class(None), **(engine_options or {})}
    try:
        pm.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            cwd=str(project_root()),
            execution_timeout=timeout,
            request_save_on_cell_execute=False,
            start_timeout=start_timeout,
            **engine,
            # ipykernel warns "running over TCP without encryption" on every start; only
            # errors from the kernel process itself belong in a scheduled job's log.
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
    except pm.PapermillExecutionError as err:
        raise RunError(
            message(
                "cell_failed",
                notebook=notebook.name,
                cell=err.exec_count,
                name=err.ename,
                value=err.evalue,
            )
        ) from None
    except Exception as err:  # kernel died, timeout, missing kernel
        raise RunError(
            message("run_failed", notebook=notebook.name, name=type(err).__name__, error=str(err))
        ) from None


def clean_for_readers(nb) -> None:
    """Drop parameters cells, code and anything a reader must not see (stderr, warnings)."""
    kept = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & STRIP_TAGS:
            continue
        if cell.cell_type == "code":
            outputs = []
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    continue
                if out.get("output_type") == "error":
                    raise RunError(
                        message("cell_raised", name=out.get("ename"), value=out.get("evalue"))
                    )
                outputs.append(out)
            cell["outputs"] = outputs
            cell["source"] = ""
        kept.append(cell)
    nb.cells = kept


def cell_timings(nb, execute_seconds: float) -> dict[str, float]:
    """Split a papermill run into kernel start and overhead, analysis, and report sections.

    papermill records each cell's duration in its metadata; the cell that calls
    ``report.prepare`` is the analysis, the cells that draw sections are the charts and tables.
    """
    analysis = sections = other = 0.0
    for cell in nb.cells:
        seconds = cell.get("metadata", {}).get("papermill", {}).get("duration") or 0.0
        source = cell.get("source", "")
        if "prepare(" in source:
            analysis += seconds
        elif "_html(" in source:
            sections += seconds
        else:
            other += seconds
    cells = analysis + sections + other
    return {
        "kernel_start_and_overhead": max(execute_seconds - cells, 0.0),
        "analysis": analysis,
        "sections_and_charts": sections,
        "other_cells": other,
    }


def report_meta(nb) -> dict:
    """What the notebook says about itself (report year, title) in its ``bdg-meta`` cell."""
    for cell in nb.cells:
        if "bdg-meta" in cell.get("metadata", {}).get("tags", []):
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if META_MIME in data:
                    return dict(data[META_MIME])
    return {}


@functools.cache
def _html_exporter():
    """One exporter per process: building it loads the templates, which a batch pays once."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def export_html(executed, *, title: str, lang: str, provenance: dict | None = None) -> str:
    """The executed notebook (a path or a notebook node) as one HTML page: no code, no prompts,
    no outside requests.

    Cell ids are renumbered: a notebook saved without ids gets random ones on reading, and
    identical inputs must give identical pages.
    """
    import nbformat

    nb = executed
    if isinstance(executed, (str, Path)):
        nb = nbformat.read(str(executed), as_version=4)
    clean_for_readers(nb)
    for number, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{number}"
    body, _ = _html_exporter().from_notebook_node(nb)
    return page.page(body, title=title, lang=lang, provenance=provenance)


def render(
    notebook: Path | str,
    parameters: dict,
    *,
    name: str,
    lang: str,
    provenance: dict,
    timeout: int = 600,
    engine_options: dict | None = None,
) -> Rendered:
    """Execute ``notebook`` with ``parameters`` and export its page; nothing is written.

    The page records ``provenance`` with the report year the notebook settled on. The title
    and year come from the notebook's ``bdg-meta`` cell (``name`` and the year asked for when
    it has none). A failing notebook raises RunError.
    """
    import nbformat

    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bdg-") as tmp:
        executed = Path(tmp) / "executed.ipynb"
        start = time.perf_counter()
        execute(
            Path(notebook), executed, parameters, timeout=timeout, engine_options=engine_options
        )
        timings["execute"] = time.perf_counter() - start
        start = time.perf_counter()
        nb = nbformat.read(str(executed), as_version=4)
    timings.update(cell_timings(nb, timings["execute"]))
    meta = report_meta(nb)
    year = meta.get("year", parameters.get("year"))
    title = meta.get("title", f"{name} {year}" if year else name)
    html = export_html(nb, title=title, lang=lang, provenance={**provenance, "report_year": year})
    timings["export"] = time.perf_counter() - start
    return Rendered(html=html, meta=meta, year=year, title=title, timings=timings)


# ------------------------------------------------------------------ publishing


def annex_workbook(meta: dict, *, title: str, lang: str):
    """The Excel annex of a report (``annex.report_workbook``: the status table and a sheet of
    definitions and sources, in ``lang``) from the notebook's meta cell; None if none."""
    if not meta.get("annex"):
        return None
    from bdg_analysis.annex import report_workbook

    notes = [_annex_note(meta["demo_rows"], lang)] if meta.get("demo_rows") else []
    return report_workbook(meta, title=title, lang=lang, notes=notes)


def _annex_note(count: int, lang: str) -> str:
    return words.word("runner.annex_demo_note", lang, count=count)


def _run_moment(run_date: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(run_date) if run_date else None


def write_report(
    target: Path | str,
    html: str,
    meta: dict,
    *,
    title: str,
    lang: str,
    run_date: str | None,
    pdf: bytes | None = None,
) -> tuple[Path, Path | None]:
    """Publish a report page with its Excel annex (``.xlsx`` beside it) and, when given, its
    PDF (``.pdf``): the page and its companions as one set.

    All are built first, each into a temporary file in the target folder; then the annex and
    the PDF are moved into place and the HTML last. Any failure (a full disk, an unwritable
    folder, a workbook openpyxl refuses) removes the temporary files and leaves the previous
    set as it was: should the page fail to follow a companion already moved, the previous one
    (kept as a hard link meanwhile) is put back. The error is one line (BdgInputError; exit 1
    when the disk is full). Returns the HTML path and the annex path (None when the notebook
    gives no annex).
    """
    from bdg_analysis import annex

    target = Path(target)
    workbook = annex_workbook(meta, title=title, lang=lang)  # in memory: nothing written yet
    companions = []
    if workbook is not None:
        companions.append(
            (
                target.with_suffix(".xlsx"),
                lambda tmp: annex.save(workbook, tmp, created=_run_moment(run_date)),
            )
        )
    if pdf is not None:
        companions.append((target.with_suffix(".pdf"), lambda tmp: Path(tmp).write_bytes(pdf)))
    if not companions:
        files.write_atomic(target, html)
        return target, None
    moved: list[list] = []  # [path, hard link to the previous file or None, had a file]
    try:
        with files.atomic_target(target) as html_tmp:
            with open(html_tmp, "wb") as fh:
                fh.write(html.encode("utf-8"))
            for path, write in companions:
                entry = [path, None, path.exists()]
                moved.append(entry)
                with files.atomic_target(path) as tmp:
                    write(tmp)
                    entry[1] = _keep(path) if entry[2] else None
            # the companions are in place; leaving this block moves the page in, last
    except BaseException:
        # the page did not go in: put the previous companions back (or take new ones away)
        for path, backup, had in reversed(moved):
            with contextlib.suppress(OSError):
                if backup is not None:
                    os.replace(backup, path)
                elif not had:
                    path.unlink(missing_ok=True)
        raise
    finally:
        for _, backup, _ in moved:
            if backup is not None:
                backup.unlink(missing_ok=True)
    return target, (target.with_suffix(".xlsx") if workbook is not None else None)


def _keep(path: Path) -> Path | None:
    """A hard link to ``path`` under a fresh hidden name, to restore it if the page cannot follow.

    None where the file system has no hard links: the pair is then as safe as two renames.
    """
    import secrets

    for _ in range(5):
        link = path.with_name(f".{path.name}.{secrets.token_hex(6)}.keep")
        try:
            os.link(path, link, follow_symlinks=False)
            return link
        except FileExistsError:
            continue
        except OSError:
            return None
    return None


# ------------------------------------------------------------------ checks before any kernel

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_run_date(run_date: str | None) -> str | None:
    """``run_date`` when it is a real ``YYYY-MM-DD`` date (or None), else BdgInputError (exit 2).

    Every command checks it before anything runs: it is printed on the pages and names no
    file, so a bad value must never reach a notebook.
    """
    if run_date is None:
        return None
    text = str(run_date)
    valid = bool(_DATE.fullmatch(text))
    if valid:
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            valid = False
    if not valid:
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise BdgInputError(
            words.problem(
                ARGUMENT, None, "--run-date", "runner.run_date_invalid", value=repr(shown)
            )
        )
    return text


# the longest name written in an output folder: ".<stem>-<year>-<lang>.html.XXXXXXXX.tmp"
_LONGEST_WRITTEN = 64


def check_out_dir(out: Path | str) -> Path:
    """The output folder as an absolute path, or BdgInputError (exit 2) before any work starts.

    Refused: an existing file, a path through a file, a folder this user cannot write to (or
    the nearest existing one, when it must be created), a name or path longer than the file
    system allows. Nothing is created here.
    """
    path = Path(os.path.abspath(Path(out).expanduser()))
    shown = str(out)
    probe = path
    while not os.path.exists(probe) and probe != probe.parent:  # never raises, unlike Path's
        probe = probe.parent
    try:
        name_max = os.pathconf(probe, "PC_NAME_MAX")
        path_max = os.pathconf(probe, "PC_PATH_MAX")
    except (OSError, ValueError, AttributeError):
        name_max, path_max = 255, 4096
    for part in path.parts:
        size = len(os.fsencode(part))
        if size > name_max:
            short = part if len(part) <= 24 else part[:24] + "…"
            raise BdgInputError(
                words.problem(
                    shown,
                    None,
                    "--out",
                    "runner.name_too_long",
                    name=short,
                    length=size,
                    limit=name_max,
                )
            )
    size = len(os.fsencode(str(path))) + _LONGEST_WRITTEN
    if size > path_max:
        raise BdgInputError(
            words.problem(shown, None, "--out", "runner.path_too_long", length=size, limit=path_max)
        )
    if probe == path and not path.is_dir():
        raise BdgInputError(words.problem(shown, None, "--out", "runner.out_is_file"))
    if not probe.is_dir():  # a file stands where a folder of the path should be
        raise BdgInputError(words.problem(str(probe), None, "--out", "runner.out_is_file"))
    if not os.access(probe, os.W_OK | os.X_OK):
        raise BdgInputError(
            words.problem(
                shown,
                None,
                "--out",
                "runner.out_unwritable",
                folder=paths.display_path(probe),
            )
        )
    return path


def data_files(data: Path | str | Sequence[Path | str] | None) -> list[Path]:
    """The data files of a run as absolute paths (the embedded dataset when none is given).

    A relative path is taken from the caller's folder here, in the parent process: kernels run
    in the project folder, where it would name another file or none.
    """
    if data is None:
        return [paths.default_data_file()]
    items = [data] if isinstance(data, (str, Path)) else list(data)
    return [Path(os.path.abspath(Path(item).expanduser())) for item in items]


def data_parameters(data: Sequence[Path] | None, *, embedded: bool) -> dict:
    """How a run's data reach a notebook's parameters (JSON-simple, as papermill needs them).

    No data given: ``{"data": None}``, the embedded dataset (the parameters of a default
    report stay as they always were). Else ``data`` is the file (one, a string) or the files
    (several, a list, lowest layer first) as absolute paths, and ``embedded`` is added, True,
    when the embedded dataset lies under them (the notebooks' default is False: the files
    alone).
    """
    if not data:
        return {"data": None}
    files = [str(f) for f in data]
    out: dict = {"data": files[0] if len(files) == 1 else files}
    if embedded:
        out["embedded"] = True
    return out


def run_provenance(notebook: Path | str, parameters: dict, *, data_files: Sequence[Path]) -> dict:
    """``page.provenance`` of a run whose ``data`` parameter may list several files.

    Every input file is recorded with its checksum (``inputs``, lowest layer first); in the
    recorded parameters, several data files are named as a reader may see them (never
    absolute) and joined by '; ', so the page's footer reads as plain text.
    """
    data = parameters.get("data")
    if not isinstance(data, list):
        return page.provenance(notebook, parameters, data_files=list(data_files))
    record = page.provenance(notebook, {**parameters, "data": None}, data_files=list(data_files))
    record["parameters"]["data"] = "; ".join(paths.display_path(f) for f in data)
    return record


@dataclass(frozen=True)
class Inputs:
    """Data checked once in the parent: the files, and the years their rows cover.

    ``files``: every file the report reads, lowest layer first (the embedded dataset first
    when it lies under the files given), for the provenance.
    """

    files: tuple[Path, ...]
    first_year: int | None
    last_year: int | None


LAG_YEARS = 5
"""How many years a report year may follow the latest data (docs/methods: the recency rule)."""


def check_inputs(
    data: Sequence[Path],
    *,
    province: Province | None = None,
    year: int | None = None,
    embedded: bool = False,
) -> Inputs:
    """Read and validate the data files once, before any kernel starts; BdgInputError (exit 2).

    With ``province``, the data must hold rows for it, and ``year`` is checked against the
    years of those rows; without, against every row (``bdg run-all``). ``year`` must also lie
    within the plan's horizon (the last year it sets targets for). With ``embedded`` the
    embedded dataset lies under the files (:func:`bdg_analysis.dataset.layer_files`): the
    files given must then hold the province's rows themselves (a file of another province is
    a mistake the data underneath must not hide), and the years are those of all layers.
    """
    from bdg_analysis import dataset

    data = list(data)
    layers = dataset.layer_files(data, embedded=embedded) or [str(f) for f in data]
    files = tuple(Path(f) for f in layers)
    place = province.name if province is not None else geo.national().name
    shown = ", ".join(paths.display_path(f) for f in data)
    own = None
    if len(files) > len(data):  # the embedded dataset underneath: the files given, each alone
        checked = [dataset.check_files([f]) for f in data]
        problems = [p for c in checked for p in c.problems]
        if problems:
            raise BdgInputError(problems)
        own = [c.observations for c in checked]
    rows = dataset.load_inputs(layers if len(layers) > 1 else layers[0])
    if province is not None:
        mine = own if own is not None else [rows]
        if not any((part["province"] == province.name).any() for part in mine):
            raise BdgInputError(
                words.problem(shown, None, "province", "runner.no_rows", place=place)
            )
        rows = rows[rows["province"] == province.name]
    years = rows["year"].dropna().astype(int)
    first = int(years.min()) if len(years) else None
    last = int(years.max()) if len(years) else None
    if year is not None and first is not None and last is not None:
        horizon = _plan_horizon(place)
        # figures are published a year or two late: a report may follow its latest data by
        # LAG_YEARS (beyond, every status would be "insufficient data", the recency rule)
        upto = min(last + LAG_YEARS, horizon)
        if not first <= int(year) <= upto:
            raise BdgInputError(
                words.problem(
                    ARGUMENT,
                    None,
                    "--year",
                    "runner.year_outside",
                    year=year,
                    place=place,
                    first=first,
                    last=last,
                    horizon=horizon,
                    upto=upto,
                )
            )
    return Inputs(files, first, last)


def _plan_horizon(place: str) -> int:
    """The last year the plan of ``place`` sets targets for (2030 for the national strategy)."""
    from bdg_analysis import plans

    return int(plans.load_plan(place).period[1])


# ------------------------------------------------------------------ bdg report


def province_report(
    province: Province | str,
    *,
    year: int | None,
    data: str | Path | Sequence[str | Path] | None,
    lang: str,
    out_dir: Path | str,
    run_date: str | None = None,
    timeout: int = 600,
    notebook: Path | None = None,
    provenance: dict | None = None,
    embedded: bool = False,
    pdf: bool = False,
) -> RunResult:
    """Run the province notebook and write ``<out_dir>/<slug>-<year>-<lang>.html`` and its annex.

    ``province`` is a resolved :class:`geo.Province` (the command line resolves the name once);
    a name is resolved here for callers from Python. Bad input (an unknown province, a bad run
    date, an output folder that cannot be written, data with problems or without rows for the
    province, a year outside the data or the plan) raises BdgInputError before any kernel
    starts; a failing notebook raises RunError. Either way the last good report and annex at
    the same path are left untouched. The page records its ``provenance`` (by default:
    version, input checksums, parameters, run date; see ``page.provenance``).

    ``data`` is one file or several, laid over each other in order (the later file winning
    for the same province, indicator, year and sex); with ``embedded`` the embedded dataset
    lies underneath them (``bdg report --data`` does this unless ``--no-embedded``), so the
    report keeps the national series, the other provinces, ranks and comparison.

    With ``pdf``, an A4 PDF is printed from the page (``pdf.Printer``) and published with it
    (``<slug>-<year>-<lang>.pdf``); without Chromium or Playwright that is said before any
    kernel starts (exit 2), and a failed print keeps the previous set (RunError, exit 1).
    """

    if isinstance(province, str):
        province = geo.resolve(province).province
    lang = words.check_lang(lang)
    run_date = check_run_date(run_date)
    check_out_dir(out_dir)
    given = data_files(data) if data is not None else None
    inputs = check_inputs(
        given or data_files(None), province=province, year=year, embedded=embedded and bool(given)
    )
    chromium = pdf_printer.check_available() if pdf else None
    notebook = Path(notebook) if notebook else notebooks_dir() / PROVINCE_NOTEBOOK
    parameters = {
        "province": province.name,
        "year": year,
        **data_parameters(given, embedded=embedded),
        "lang": lang,
        "run_date": run_date,
    }
    if provenance is None:
        provenance = run_provenance(notebook, parameters, data_files=inputs.files)
    rendered = render(
        notebook, parameters, name=province.name, lang=lang, provenance=provenance, timeout=timeout
    )
    printed = None
    if pdf:
        start = time.perf_counter()
        with pdf_printer.Printer(chromium) as printer:
            printed = printer.print_html(rendered.html)
        rendered.timings["pdf"] = time.perf_counter() - start
    start = time.perf_counter()
    target = Path(out_dir) / report_file(geo.slug(province.name), rendered.year, lang)
    html, annex_path = write_report(
        target,
        rendered.html,
        rendered.meta,
        title=rendered.title,
        lang=lang,
        run_date=run_date,
        pdf=printed,
    )
    rendered.timings["write"] = time.perf_counter() - start
    return RunResult(
        html, rendered.timings, annex_path, html.with_suffix(".pdf") if printed else None
    )
