"""Run every province's report in parallel, keep the last good ones, and write the index.

``bdg run-all`` fans the province notebook (and the national overview) out over a pool of
worker processes or a Dask cluster. Each report goes through the same path as ``bdg report``
(``runner.render`` in a worker, ``runner.write_report`` here). A run that fails leaves the
previous report in place; the index page (``index_page``) and a manifest
(``.bdg-manifest.json``) say what was built, from which inputs (``page.provenance``), and what
failed and why. Kernels are forked from a preloaded zygote or spawned (``kernels``); workers
die with this process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bdg_analysis import cache, files, geo, index_page, kernels, page, paths, runner, words
from bdg_analysis.cache import sha256_file
from bdg_analysis.errors import BdgError, BdgInputError

if TYPE_CHECKING:  # pragma: no cover
    from bdg_analysis.geo import Province

MANIFEST_NAME = ".bdg-manifest.json"
INDEX_NAME = "index.html"
LOCK_NAME = ".bdg-run.lock"
NATIONAL_NOTEBOOK = "national_overview.ipynb"
NATIONAL_STEM = "toan-quoc"
MANIFEST_FORMAT = 1

# Statuses of one report in a run: built now, skipped because up to date, failed (the previous
# report is kept), notebook missing, or not part of this run (an earlier report is shown).
OK, CURRENT, FAILED, MISSING, KEPT = "ok", "current", "failed", "missing", "kept"

# ------------------------------------------------------------------ jobs and outcomes


@dataclass
class Job:
    """One report to build: which notebook, with what parameters, into which file."""

    key: str
    kind: str  # "province" or "national"
    name: str
    stem: str  # file name without year and language, e.g. "cao-bang"
    lang: str
    notebook: str
    parameters: dict
    provenance: dict
    fingerprint: str
    timeout: int = 600
    kernel: str = "spawn"  # "fork" (from a zygote) or "spawn"
    preload: tuple[str, ...] = ()
    warm_up: str = "{}"  # JSON of what every report of the run shares (data, year, lang)
    pdf: bool = False  # print the page to PDF too (bdg run-all --pdf)
    log_lang: str = "en"  # the language of the run's log lines and failure reasons


@dataclass
class Outcome:
    """What happened to one report; ``html`` carries the page from a worker to the writer."""

    key: str
    name: str
    kind: str
    status: str
    reason: str = ""
    file: str | None = None
    report_year: int | None = None
    sha256: str | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    attempts: int = 0
    html: str | None = None
    meta: dict = field(default_factory=dict)  # the notebook's own account: counts, annex
    title: str = ""


@dataclass
class BatchResult:
    """A finished run-all: every outcome, where the index and manifest are, how long it took."""

    outcomes: list[Outcome]
    index: Path
    manifest: Path
    seconds: float
    jobs: int

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == FAILED]

    @property
    def exit_code(self) -> int:
        """0 when every run succeeded or was up to date, 1 when any failed."""
        return 1 if self.failed else 0


def report_file(stem: str, year: int | None, lang: str) -> str:
    """The file name of a report; the same scheme as ``bdg report``."""
    return runner.report_file(stem, year, lang)


def _selection(lang: str, year: int | None) -> str:
    return f"{lang}/{year if year is not None else 'latest'}"


# ------------------------------------------------------------------ worker side

_PROCESS_LOCK = threading.Lock()  # papermill changes the working directory: one run at a time
_PREPARED = False


def _prepare_process() -> None:
    global _PREPARED
    if not _PREPARED:
        import logging

        for key, value in kernels.KERNEL_ENV.items():
            os.environ.setdefault(key, value)
        # nbclient logs a failing run's error through papermill's logger; the outcome already
        # carries the reason, and a scheduled job's log gets one line per report.
        logging.getLogger("papermill").addFilter(lambda record: record.levelno < logging.ERROR)
        _PREPARED = True


def run_job(job: Job) -> Outcome:
    """Build one report in this process and return its page; never raises.

    A kernel that does not start is retried once with an ordinary (spawned) kernel; any
    other failure (a cell error, a dead kernel, a timeout) is the outcome, with its reason.
    """
    with _PROCESS_LOCK:
        _prepare_process()
        start = time.perf_counter()
        attempt = 0
        while True:
            attempt += 1
            kernel = job.kernel if attempt == 1 else "spawn"
            try:
                rendered = _render(job, kernel)
            except BdgError as err:
                reason = str(err)
                if attempt == 1 and _retryable_start_failure(reason):
                    continue
                return Outcome(
                    job.key,
                    job.name,
                    job.kind,
                    FAILED,
                    reason=failure_reason(
                        err.args[0] if err.args else reason, job.timeout, job.log_lang
                    ),
                    seconds=time.perf_counter() - start,
                    attempts=attempt,
                )
            except Exception as err:  # noqa: BLE001 - a scheduled run must go on
                return Outcome(
                    job.key,
                    job.name,
                    job.kind,
                    FAILED,
                    reason=f"{type(err).__name__}: {err}",
                    seconds=time.perf_counter() - start,
                    attempts=attempt,
                )
            return Outcome(
                job.key,
                job.name,
                job.kind,
                OK,
                file=report_file(job.stem, rendered.year, job.lang),
                report_year=rendered.year,
                sha256=hashlib.sha256(rendered.html.encode("utf-8")).hexdigest(),
                seconds=time.perf_counter() - start,
                timings=rendered.timings,
                attempts=attempt,
                html=rendered.html,
                meta=rendered.meta,
                title=rendered.title,
            )


def _render(job: Job, kernel: str) -> runner.Rendered:
    """Execute the job's notebook and export its page (with provenance); nothing is written."""
    if kernel == "fork":  # the zygote's imports run while this process imports papermill
        try:
            kernels.start_zygote(job.preload, job.warm_up)
        except Exception:  # noqa: BLE001, S110 - if it cannot start, the next step says so
            pass
    manager = kernels.fork_kernel_manager(job.preload, job.warm_up) if kernel == "fork" else None
    options: dict = {
        "shutdown_kernel": "immediate",  # the outputs are in; no need to wait
        "kernel_manager_class": manager or kernels.kernel_manager_class(None),
    }
    return runner.render(
        job.notebook,
        job.parameters,
        name=job.name,
        lang=job.lang,
        provenance=job.provenance,
        timeout=job.timeout,
        engine_options=options,
    )


def _retryable_start_failure(reason: str) -> bool:
    return any(s in reason for s in kernels.START_FAILURES)


def failure_reason(message: str, timeout: int | None = None, lang: str | None = None) -> str:
    """One log line saying why a run failed, in words a scheduler's reader understands, in
    ``lang`` (default: the environment's language, ``words.lang_from_env``). ``message`` may be
    a phrase (a RunError's): it is recognised by its English text and said in ``lang``."""
    lang = lang or words.lang_from_env()
    said = words.said(message, lang).strip()
    first = said.splitlines()[0] if said else _say("reason_unknown", lang)
    message = str(message)
    if "CellTimeoutError" in message or "timed out" in first:
        limit = (
            _say("reason_limit_seconds", lang, seconds=timeout)
            if timeout
            else _say("reason_limit", lang)
        )
        return _say("reason_timeout", lang, limit=limit, error=first)[:500]
    if "DeadKernelError" in message or "Kernel died" in first:
        return _say("reason_dead_kernel", lang, error=first)[:500]
    return first[:500]


def _say(key: str, lang: str, **fields: object) -> str:
    """A run-all log line or failure reason (``runner.<key>``) in ``lang``."""
    return words.word(f"runner.{key}", lang, **fields)


# ------------------------------------------------------------------ executors


@dataclass
class ExecutorOptions:
    """How to run the jobs: how many at once, and where (a Dask scheduler address)."""

    jobs: int
    scheduler: str | None = None


Executor = Callable[[Sequence[Job], ExecutorOptions], Iterator[Outcome]]
EXECUTORS: dict[str, Executor] = {}


def register_executor(name: str) -> Callable[[Executor], Executor]:
    """Register a way to run jobs; it yields one Outcome per job, in any order, never raises."""

    def register(func: Executor) -> Executor:
        EXECUTORS[name] = func
        return func

    return register


def _failed(job: Job, reason: str) -> Outcome:
    return Outcome(job.key, job.name, job.kind, FAILED, reason=reason)


@register_executor("local")
def _local_executor(jobs: Sequence[Job], options: ExecutorOptions) -> Iterator[Outcome]:
    """A pool of worker processes on this machine; a worker that dies is replaced once."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    pending, retried = list(jobs), set()
    context = multiprocessing.get_context("spawn")
    while pending:
        workers = max(1, min(options.jobs, len(pending)))
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            # a worker (and through it its zygote and kernels) ends when this process ends,
            # even by kill -9: nothing of a run is left re-parented to init
            initializer=kernels.die_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            futures = {pool.submit(run_job, job): job for job in pending}
            pending = []
            for future in as_completed(futures):
                job = futures[future]
                try:
                    yield future.result()
                except BrokenProcessPool:
                    if job.key in retried:
                        yield _failed(job, _say("reason_worker_died", job.log_lang))
                    else:
                        retried.add(job.key)
                        pending.append(job)
                except Exception as err:  # noqa: BLE001
                    yield _failed(job, f"{type(err).__name__}: {err}")


@register_executor("dask")
def _dask_executor(jobs: Sequence[Job], options: ExecutorOptions) -> Iterator[Outcome]:
    """The same jobs on a Dask cluster (``scheduler`` address), or a local one if none given.

    Workers need this package, the notebooks and the data at the same paths (a shared
    file system or the same checkout); pages come back to this process, which writes them.
    """
    try:
        import logging

        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as err:
        raise BdgInputError(
            words.problem("<input>", None, None, "runner.dask_executor_missing")
        ) from err
    cluster = None
    try:
        if options.scheduler:
            client = Client(options.scheduler, timeout=60)
        else:
            cluster = LocalCluster(
                n_workers=options.jobs,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
    except (OSError, TimeoutError) as err:
        where = options.scheduler or words.phrase("runner.dask_local_cluster")
        raise BdgError(
            words.phrase("runner.dask_unreachable", where=where, error=str(err))
        ) from None
    try:
        futures = {
            client.submit(run_job, job, key=f"bdg-{job.key}-{os.getpid()}-{i}", pure=False): job
            for i, job in enumerate(jobs)
        }
        for future in as_completed(futures):
            job = futures[future]
            try:
                yield future.result()
            except Exception as err:  # noqa: BLE001 - e.g. KilledWorker
                yield _failed(job, f"dask: {type(err).__name__}: {err}")
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ------------------------------------------------------------------ manifest


def load_manifest(out_dir: Path | str) -> dict:
    """The record of every report in ``out_dir`` (empty when none or unreadable)."""
    path = Path(out_dir) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"format": MANIFEST_FORMAT, "reports": {}}
    if not isinstance(data, dict) or not isinstance(data.get("reports"), dict):
        return {"format": MANIFEST_FORMAT, "reports": {}}
    return data


def _save_manifest(out_dir: Path, manifest: dict) -> None:
    files.write_atomic(
        out_dir / MANIFEST_NAME,
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
    )


def up_to_date(entry: dict | None, job: Job, out_dir: Path) -> bool:
    """True when the last good report was built from exactly these inputs and every output of
    it (the page and, when it has one, the Excel annex; the PDF when the job asks for one) is
    there and intact."""
    if not entry or entry.get("fingerprint") != job.fingerprint or not entry.get("file"):
        return False
    outputs = [(entry["file"], entry.get("sha256"))]
    if entry.get("annex"):
        outputs.append((entry["annex"], entry.get("annex_sha256")))
    if job.pdf:
        if not entry.get("pdf"):
            return False
        outputs.append((entry["pdf"], entry.get("pdf_sha256")))
    try:
        return all(sha256_file(out_dir / name) == digest for name, digest in outputs)
    except OSError:
        return False


def _now() -> str:
    return dt.datetime.now().astimezone().replace(microsecond=0).isoformat()


def _record(
    manifest: dict,
    job: Job,
    outcome: Outcome,
    annex: tuple[str, str] | None = None,
    pdf: tuple[str, str] | None = None,
) -> None:
    entry = manifest["reports"].setdefault(job.key, {})
    entry.update(
        name=job.name,
        kind=job.kind,
        lang=job.lang,
        stem=job.stem,
        selection=job.key.split("/", 1)[1],
        last_status=outcome.status,
        last_attempt=_now(),
    )
    if outcome.status == OK:
        entry.update(status_counts=outcome.meta.get("status_counts") or {})
        entry.update(demo_rows=int(outcome.meta.get("demo_rows") or 0))
        entry.update(annex=annex[0] if annex else None, annex_sha256=annex[1] if annex else None)
        entry.update(pdf=pdf[0] if pdf else None, pdf_sha256=pdf[1] if pdf else None)
        entry.update(
            file=outcome.file,
            sha256=outcome.sha256,
            fingerprint=job.fingerprint,
            report_year=outcome.report_year,
            built_at=entry["last_attempt"],
            seconds=round(outcome.seconds, 2),
            provenance=job.provenance,
            reason="",
        )
    elif outcome.status == FAILED:
        entry.update(reason=outcome.reason)


def _index_rows(
    manifest: dict, out_dir: Path, selection: str, outcomes: dict[str, Outcome], order: list[str]
) -> list[dict]:
    """Rows for this run's selection: this run's outcomes first in plan order, then the rest."""
    reports = manifest["reports"]
    keys = list(order) + sorted(
        k for k, e in reports.items() if k not in outcomes and e.get("selection") == selection
    )
    rows = []
    for key in keys:
        entry = reports.get(key, {})
        outcome = outcomes.get(key)
        status = outcome.status if outcome else KEPT
        row = {
            "name": entry.get("name") or (outcome.name if outcome else key),
            "status": status,
            "file": entry.get("file"),
            "report_year": entry.get("report_year"),
            "built": (entry.get("provenance") or {}).get("run_date", ""),
            "demo_rows": entry.get("demo_rows") or 0,
            "seconds": outcome.seconds if outcome and status in (OK, FAILED) else None,
            "reason": outcome.reason if outcome else "",
            "counts": entry.get("status_counts") or {},
        }
        if entry.get("file") and not (out_dir / entry["file"]).exists():
            row["file"] = None
        rows.append(row)
    return rows


# ------------------------------------------------------------------ progress and log


class _Progress:
    """A progress bar on a terminal; plain, time-stamped lines for a scheduler's log, in
    ``lang`` (``bdg run-all`` gives Vietnamese for ``--lang vi`` or a Vietnamese environment)."""

    def __init__(self, total: int, stream: TextIO, bar: bool | None, lang: str = "en"):
        self.stream, self.total, self.done, self.lang = stream, total, 0, lang
        if bar is None:
            bar = hasattr(stream, "isatty") and stream.isatty()
        self.bar = None
        if bar:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total, file=stream, unit="report", dynamic_ncols=True, desc="bdg run-all"
            )

    def log(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            stamp = dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")
            print(f"{stamp} bdg run-all: {text}", file=self.stream, flush=True)

    def say(self, key: str, **fields: object) -> None:
        """Log the line ``runner.<key>`` in the run's language."""
        self.log(_say(key, self.lang, **fields))

    def report(self, outcome: Outcome, previous: str | None) -> None:
        self.done += 1
        where = f"[{self.done}/{self.total}]"
        lang, name = self.lang, outcome.name
        if outcome.status == OK:
            seconds = words.fmt_number(outcome.seconds, lang, decimals=1)
            text = _say("log_ok", lang, where=where, name=name, file=outcome.file, seconds=seconds)
        elif outcome.status == CURRENT:
            text = _say("log_current", lang, where=where, name=name, file=outcome.file)
        elif outcome.status == MISSING:
            text = _say("log_missing", lang, where=where, name=name, reason=outcome.reason)
        else:
            kept = (
                _say("log_kept", lang, file=previous) if previous else _say("log_no_previous", lang)
            )
            text = _say(
                "log_failed", lang, where=where, name=name, reason=outcome.reason, kept=kept
            )
        if self.bar is None or outcome.status in (FAILED, MISSING):
            self.log(text)
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ------------------------------------------------------------------ run-all


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:
        return os.cpu_count() or 1


def _check_options(
    *,
    jobs: int,
    timeout: int,
    executor: str,
    scheduler: str | None,
    kernel: str,
) -> None:
    problems = []

    def problem(option: str, key: str, **fields: object) -> None:
        problems.append(words.problem(runner.ARGUMENT, None, option, f"runner.{key}", **fields))

    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        problem("--jobs", "jobs_min", value=jobs)
    if timeout < 1:
        problem("--timeout", "timeout_min", value=timeout)
    if executor not in EXECUTORS:
        problem("--executor", "executor_unknown", value=repr(executor), known=", ".join(EXECUTORS))
    if scheduler and executor != "dask":
        problem("--scheduler", "scheduler_needs_dask")
    if executor == "dask" and importlib.util.find_spec("distributed") is None:
        problem("--executor", "dask_missing")
    if kernel not in ("auto", "fork", "spawn"):
        problem("--kernel", "kernel_unknown", value=repr(kernel))
    if problems:
        raise BdgInputError(problems)


def _places(provinces: Sequence[Province | str] | None) -> list[Province]:
    """The provinces of a run, each once, in the order given (all 34 when none are)."""
    from bdg_analysis import geo

    if not provinces:
        return geo.current_provinces()
    chosen, seen = [], set()
    for item in provinces:
        place = geo.resolve(item).province if isinstance(item, str) else item
        if place.code not in seen:
            seen.add(place.code)
            chosen.append(place)
    return chosen


def plan_jobs(
    *,
    provinces: Sequence[Province | str] | None = None,
    year: int | None = None,
    data: Path | str | Sequence[Path | str] | None = None,
    lang: str = "vi",
    run_date: str | None = None,
    timeout: int = 600,
    kernel: str = "auto",
    notebook: Path | str | None = None,
    national_notebook: Path | str | None = None,
    national: bool = True,
    embedded: bool = False,
    pdf: bool = False,
    log_lang: str | None = None,
) -> tuple[list[Job], list[Outcome]]:
    """The jobs of a run: provinces in code order and the national overview (last when the
    analysis cache is on, so it reuses the provinces' scorecards; else first, the long pole).

    ``provinces`` are resolved :class:`geo.Province` (the command line resolves them once) or
    names. Returns the jobs and, for a national overview whose notebook is missing, a ready
    ``missing`` outcome. Unknown province names raise BdgInputError.

    ``data``: one file or several, laid over each other in order; with ``embedded`` the
    embedded dataset lies underneath (``bdg run-all --data`` unless ``--no-embedded``). Every
    report's parameters, provenance (every input file with its checksum) and the warm-up key
    say so. ``pdf``: the jobs ask for a PDF of each
    page; ``log_lang``: the language of failure reasons (default: the environment's).
    """
    log_lang = log_lang or words.lang_from_env()
    chosen = _places(provinces)
    given = runner.data_files(data) if data else None
    layers = dataset_layers(given, embedded=embedded)
    data_params = runner.data_parameters(given, embedded=embedded)
    date = run_date or dt.date.today().isoformat()
    mode = ("fork" if kernels.fork_supported() else "spawn") if kernel == "auto" else kernel
    selection = _selection(lang, year)
    warm_up = json.dumps({**data_params, "year": year, "lang": lang}, sort_keys=True)

    def make(kind: str, name: str, stem: str, nb_path: Path, parameters: dict) -> Job:
        record = runner.run_provenance(nb_path, parameters, data_files=layers)
        return Job(
            key=f"{stem}/{selection}",
            kind=kind,
            name=name,
            stem=stem,
            lang=lang,
            notebook=str(nb_path),
            parameters=parameters,
            provenance=record,
            fingerprint=page.fingerprint(record, include_run_date=run_date is not None),
            timeout=timeout,
            kernel=mode,
            preload=kernels.notebook_imports(nb_path) if mode == "fork" else (),
            warm_up=warm_up,
            pdf=pdf,
            log_lang=log_lang,
        )

    jobs: list[Job] = []
    missing: list[Outcome] = []
    national_nb = Path(national_notebook or paths.notebooks_dir() / NATIONAL_NOTEBOOK)
    national_name = words.word("index.national", lang)
    if national:
        if national_nb.exists():
            jobs.append(
                make(
                    "national",
                    national_name,
                    NATIONAL_STEM,
                    national_nb,
                    {"year": year, **data_params, "lang": lang, "run_date": date},
                )
            )
        else:
            missing.append(
                Outcome(
                    f"{NATIONAL_STEM}/{selection}",
                    national_name,
                    "national",
                    MISSING,
                    reason=_say(
                        "reason_national_missing",
                        log_lang,
                        notebook=paths.display_path(national_nb),
                    ),
                )
            )
    province_nb = Path(notebook or paths.notebooks_dir() / runner.PROVINCE_NOTEBOOK)
    if not province_nb.exists():
        raise BdgInputError(
            words.problem(paths.display_path(province_nb), None, None, "runner.notebook_missing")
        )
    for place in chosen:
        jobs.append(
            make(
                "province",
                place.name,
                geo.slug(place.name),
                province_nb,
                {
                    "province": place.name,
                    "year": year,
                    **data_params,
                    "lang": lang,
                    "run_date": date,
                },
            )
        )
    if cache.default_dir() is not None:
        # The overview needs every province's scorecard: run last, it reads those the
        # province reports stored (scorecard.cached_scorecard) instead of computing them again.
        jobs.sort(key=lambda job: job.kind == "national")
    return jobs, missing


def dataset_layers(given: Sequence[Path] | None, *, embedded: bool) -> list[Path]:
    """Every data file of a run, lowest layer first (the embedded dataset alone when no file
    is given; under the files given with ``embedded``, when the project has it)."""
    from bdg_analysis.dataset import layer_files  # the data layers; no analysis is imported

    layers = layer_files(given, embedded=embedded)
    return [Path(f) for f in layers] if layers else runner.data_files(None)


def _publish(
    out: Path, job: Job, outcome: Outcome, pdf: bytes | None = None
) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    """Write a built report with its annex (and its PDF when printed) through
    ``runner.write_report``; the annex's and the PDF's names and checksums. A failure to write
    fails this report, not the run, and keeps the previous set."""
    assert outcome.file is not None and outcome.html is not None
    try:
        page_path, annex = runner.write_report(
            out / outcome.file,
            outcome.html,
            outcome.meta,
            title=outcome.title or outcome.name,
            lang=job.lang,
            run_date=job.parameters.get("run_date"),
            pdf=pdf,
        )
    except Exception as err:  # noqa: BLE001 - a scheduled run goes on
        outcome.status = FAILED
        error = str(err).splitlines()[0] if str(err) else type(err).__name__
        outcome.reason = _say("reason_cannot_write", job.log_lang, error=error)
        return None, None
    annex_record = (annex.name, sha256_file(annex)) if annex is not None else None
    printed = page_path.with_suffix(".pdf")
    pdf_record = (printed.name, sha256_file(printed)) if pdf is not None else None
    return annex_record, pdf_record


def _print(printer, job: Job, outcome: Outcome) -> bytes | None:
    """The report's page as PDF bytes, or None with the report failed (its previous set kept)."""
    assert outcome.html is not None
    try:
        return printer.print_html(outcome.html)
    except BdgError as err:
        outcome.status = FAILED
        outcome.reason = str(err).splitlines()[0]
        return None


def run_all(
    *,
    provinces: Sequence[Province | str] | None = None,
    year: int | None = None,
    data: Path | str | Sequence[Path | str] | None = None,
    lang: str = "vi",
    out_dir: Path | str = "reports",
    jobs: int | None = None,
    run_date: str | None = None,
    resume: bool = False,
    timeout: int = 600,
    executor: str = "local",
    scheduler: str | None = None,
    kernel: str = "auto",
    notebook: Path | str | None = None,
    national_notebook: Path | str | None = None,
    national: bool = True,
    progress: bool | None = None,
    stream: TextIO | None = None,
    embedded: bool = False,
    pdf: bool = False,
    log_lang: str | None = None,
) -> BatchResult:
    """Build every province's report (or ``provinces``) and the national overview.

    Bad input (a bad run date or option, an output folder that cannot be written, an unknown
    province, problems in the data file, a year outside the data or the plan) raises
    BdgInputError before any kernel starts; the data are read and checked once, here. Then
    every report is attempted; a failure keeps the previous report, is logged with its reason
    and shown in the index, and makes ``exit_code`` 1. With ``resume``, reports already built
    from the same inputs, with every output intact, are skipped. ``data`` and ``embedded`` as
    for :func:`plan_jobs`. With ``pdf``, each page is
    also printed to an A4 PDF beside it (one Chromium for the run, in this process, while the
    workers build the next reports); without Chromium or Playwright that is said before any
    kernel starts (exit 2), and a failed print fails that report, keeping its previous set.
    ``log_lang`` is the language of the log and the failure reasons (default: the
    environment's).
    """
    from bdg_analysis import pdf as pdf_printer

    log_lang = log_lang or words.lang_from_env()
    stream = stream or sys.stderr
    run_date = runner.check_run_date(run_date)
    lang = words.check_lang(lang)
    jobs = default_jobs() if jobs is None else jobs
    _check_options(
        jobs=jobs, timeout=timeout, executor=executor, scheduler=scheduler, kernel=kernel
    )
    runner.check_out_dir(out_dir)
    places = _places(provinces)
    runner.check_inputs(  # once, before any kernel starts
        runner.data_files(data if data else None), year=year, embedded=embedded and bool(data)
    )
    chromium = pdf_printer.check_available() if pdf else None
    planned, outcomes_ready = plan_jobs(
        provinces=places if provinces else None,
        year=year,
        data=data,
        embedded=embedded,
        lang=lang,
        run_date=run_date,
        timeout=timeout,
        kernel=kernel,
        notebook=notebook,
        national_notebook=national_notebook,
        national=national,
        pdf=pdf,
        log_lang=log_lang,
    )

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        error = str(err.strerror)
        raise BdgInputError(
            words.problem(str(out_dir), None, "--out", "runner.out_unmade", error=error)
        ) from None
    with _run_lock(out):
        cache.prune()  # results of old data or old code
        started, clock = dt.datetime.now().astimezone(), time.perf_counter()
        manifest = load_manifest(out)
        todo, done = [], {}
        for job in planned:
            entry = manifest["reports"].get(job.key)
            if resume and up_to_date(entry, job, out):
                done[job.key] = Outcome(
                    job.key,
                    job.name,
                    job.kind,
                    CURRENT,
                    file=entry["file"],
                    report_year=entry.get("report_year"),
                )
            else:
                todo.append(job)
        by_key = {job.key: job for job in planned}
        bar = _Progress(len(planned) + len(outcomes_ready), stream, progress, log_lang)
        if planned:
            bar.say(
                "log_plan",
                todo=len(todo),
                current=len(done),
                executor=executor,
                jobs=jobs,
                kernel=planned[0].kernel,
            )
        else:
            bar.say("log_nothing")
        printer = pdf_printer.Printer(chromium) if pdf else None
        try:
            for outcome in [*outcomes_ready, *done.values()]:
                if outcome.status == MISSING:
                    manifest["reports"].setdefault(outcome.key, {}).update(
                        name=outcome.name,
                        kind=outcome.kind,
                        lang=lang,
                        selection=outcome.key.split("/", 1)[1],
                        last_status=MISSING,
                    )
                bar.report(outcome, None)
            if todo:
                options = ExecutorOptions(jobs=jobs, scheduler=scheduler)
                for outcome in EXECUTORS[executor](todo, options):
                    job = by_key[outcome.key]
                    annex = printed = None
                    if outcome.status == OK and outcome.html is not None:
                        document = _print(printer, job, outcome) if printer else None
                        if outcome.status == OK:
                            annex, printed = _publish(out, job, outcome, document)
                    outcome.html = None
                    previous = manifest["reports"].get(job.key, {}).get("file")
                    if previous and not (out / previous).exists():
                        previous = None
                    _record(manifest, job, outcome, annex, printed)
                    _save_manifest(out, manifest)
                    done[job.key] = outcome
                    bar.report(outcome, previous)
        finally:
            bar.close()
            if printer is not None:
                printer.close()
        all_outcomes = [*outcomes_ready, *(done[j.key] for j in planned if j.key in done)]
        seconds = time.perf_counter() - clock
        counts = {
            s: sum(o.status == s for o in all_outcomes) for s in (OK, CURRENT, FAILED, MISSING)
        }
        manifest["last_run"] = {
            "started": started.replace(microsecond=0).isoformat(),
            "run_date": run_date,
            "seconds": round(seconds, 1),
            "jobs": jobs,
            "executor": executor,
            "counts": counts,
            "exit_code": 1 if counts[FAILED] else 0,
        }
        _save_manifest(out, manifest)
        order = [o.key for o in outcomes_ready] + [
            j.key for j in sorted(planned, key=lambda job: job.kind != "national")
        ]  # the overview heads the index
        rows = _index_rows(
            manifest, out, _selection(lang, year), {o.key: o for o in all_outcomes}, order
        )
        data_record = planned[0].provenance["inputs"][0] if planned else None
        files.write_atomic(
            out / INDEX_NAME,
            index_page.index_html(
                rows,
                lang=lang,
                started=started,
                run_date=run_date,
                seconds=seconds,
                jobs=jobs,
                data_record=data_record,
            ),
        )
    summary = ", ".join(f"{n} {_say('log_count_' + s, log_lang)}" for s, n in counts.items() if n)
    bar.say(
        "log_done",
        seconds=words.fmt_number(seconds, log_lang, decimals=1),
        summary=summary,
        index=out / INDEX_NAME,
    )
    for outcome in all_outcomes:
        if outcome.status == FAILED:
            bar.say("log_failed_again", name=outcome.name, reason=outcome.reason)
    return BatchResult(all_outcomes, out / INDEX_NAME, out / MANIFEST_NAME, seconds, jobs)


class _run_lock:  # noqa: N801 - used as a context manager
    """One run-all per output folder at a time (a slow run overlapping the next cron run)."""

    def __init__(self, out: Path):
        self.path = out / LOCK_NAME
        self.fh = None

    def __enter__(self):
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; runs are rarely overlapping there
            return self
        self.fh = self.path.open("a")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.fh.close()
            raise BdgError(runner.message("run_busy", folder=self.path.parent)) from None
        return self

    def __exit__(self, *exc) -> None:
        if self.fh is not None:
            self.fh.close()
