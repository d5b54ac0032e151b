"""Run every province's report in parallel, keep the last good ones, and write the index.

``bdg run-all`` fans the province notebook (and the national overview) out over a pool of
worker processes or a Dask cluster. A run that fails leaves the previous report in place;
the index page and a manifest (``.bdg-manifest.json``) say what was built, from which
inputs, and what failed and why. Only this module and ``runner`` know papermill.

Kernel start is the fixed cost of every report. By default (``kernel="auto"`` on POSIX) each
worker keeps a *zygote*: a process that has imported ipykernel and the modules the notebook
imports, and forks a fresh kernel per report. Each report still gets its own kernel process,
so reports stay isolated; ``kernel="spawn"`` starts kernels the ordinary way.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import functools
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bdg_analysis import cache, paths
from bdg_analysis.cache import sha256_file
from bdg_analysis.errors import BdgError, BdgInputError
from bdg_analysis.text import STATUS_ORDER, STATUS_SYMBOLS, status_word
from bdg_analysis.version import __version__
from bdg_analysis.words import has_word

MANIFEST_NAME = ".bdg-manifest.json"
INDEX_NAME = "index.html"
LOCK_NAME = ".bdg-run.lock"
NATIONAL_NOTEBOOK = "national_overview.ipynb"
NATIONAL_STEM = "toan-quoc"
MANIFEST_FORMAT = 1

# Statuses of one report in a run: built now, skipped because up to date, failed (the previous
# report is kept), notebook missing, or not part of this run (an earlier report is shown).
OK, CURRENT, FAILED, MISSING, KEPT = "ok", "current", "failed", "missing", "kept"

# Kernels started by a batch: a fixed hash seed and one BLAS thread each, so identical
# inputs give identical pages and parallel kernels do not oversubscribe the cores.
KERNEL_ENV = {
    "PYTHONHASHSEED": "0",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}

# Failures that happen before the kernel answers (port races, slow starts) are retried once.
_START_FAILURES = (
    "Kernel didn't respond",
    "Kernel died before replying to kernel_info",
    "Address already in use",
    "ZMQError",
)


# ------------------------------------------------------------------ provenance and inputs


def _file_record(path: Path | str, role: str | None = None) -> dict:
    record = {"name": paths.display_path(path)}
    if role:
        record["role"] = role
    try:
        record["sha256"] = sha256_file(path)
    except OSError:
        record["sha256"] = "missing"
    return record


def provenance(
    notebook: Path | str,
    parameters: dict,
    *,
    data_files: Sequence[Path | str],
    run_date: str | None = None,
) -> dict:
    """What a report is built from: version, notebook and input checksums, parameters, date.

    Recorded in the page (``<meta name="bdg-provenance">`` and a footer) and in the manifest,
    so anyone can tell which data revision a published report shows.
    """
    shown = dict(parameters)
    if shown.get("data"):
        shown["data"] = paths.display_path(shown["data"])
    date = parameters.get("run_date") or run_date or dt.date.today().isoformat()
    return {
        "package": "bdg-analysis",
        "version": __version__,
        "notebook": _file_record(notebook),
        "inputs": (
            [_file_record(f, "data") for f in data_files]
            + [_file_record(f, "params") for f in paths.params_files()]
        ),
        "parameters": shown,
        "run_date": date,
    }


def fingerprint(record: dict, *, include_run_date: bool) -> str:
    """A key that changes when any input of a report changes (data, params, notebook, code).

    The run date only counts when the user fixed it: a report is not stale because a day
    has passed.
    """
    params = {k: v for k, v in record["parameters"].items() if k != "run_date" or include_run_date}
    key = {
        "version": record["version"],
        "code": cache.code_digest(),
        "notebook": record["notebook"]["sha256"],
        "inputs": [[i["name"], i["sha256"]] for i in record["inputs"]],
        "parameters": params,
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def notebook_imports(notebook: Path | str) -> tuple[str, ...]:
    """Modules a notebook imports (``import x``, ``from x import y`` and ``x.y``), in order.

    A zygote imports them once so forked kernels start with them loaded; names that are not
    modules simply fail to import there and cost nothing.
    """
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    names: list[str] = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        try:
            tree = ast.parse(source)
        except SyntaxError:  # magics and shell escapes
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.append(node.module)
                names += [
                    f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*"
                ]
    return tuple(dict.fromkeys(names))


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
    return f"{stem}-{year}-{lang}.html"


def _selection(lang: str, year: int | None) -> str:
    return f"{lang}/{year if year is not None else 'latest'}"


# ------------------------------------------------------------------ worker side

_PROCESS_LOCK = threading.Lock()  # papermill changes the working directory: one run at a time
_PREPARED = False


def _prepare_process() -> None:
    global _PREPARED
    if not _PREPARED:
        import logging

        for key, value in KERNEL_ENV.items():
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
                html, year, timings, meta = _render(job, kernel)
            except BdgError as err:
                reason = str(err)
                if attempt == 1 and _retryable_start_failure(reason):
                    continue
                return Outcome(
                    job.key,
                    job.name,
                    job.kind,
                    FAILED,
                    reason=failure_reason(reason, job.timeout),
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
                file=report_file(job.stem, year, job.lang),
                report_year=year,
                sha256=hashlib.sha256(html.encode("utf-8")).hexdigest(),
                seconds=time.perf_counter() - start,
                timings=timings,
                attempts=attempt,
                html=html,
                meta=meta,
            )


def _render(job: Job, kernel: str) -> tuple[str, int | None, dict[str, float], dict]:
    """Execute the job's notebook and export its page (with provenance); nothing is written."""
    if kernel == "fork":  # the zygote's imports run while this process imports papermill
        with contextlib.suppress(Exception):  # if it cannot start, the next step says so
            _start_zygote(job.preload, job.warm_up)
    import nbformat

    from bdg_analysis import runner

    manager = _fork_kernel_manager(job.preload, job.warm_up) if kernel == "fork" else None
    options: dict = {
        "shutdown_kernel": "immediate",  # the outputs are in; no need to wait
        "kernel_manager_class": manager or _kernel_manager_class(None),
    }
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bdg-") as tmp:
        executed = Path(tmp) / "executed.ipynb"
        start = time.perf_counter()
        runner.execute(
            Path(job.notebook),
            executed,
            job.parameters,
            timeout=job.timeout,
            engine_options=options,
        )
        timings["execute"] = time.perf_counter() - start
        start = time.perf_counter()
        nb = nbformat.read(str(executed), as_version=4)
        timings.update(runner.cell_timings(nb, timings["execute"]))
        meta = runner.report_meta(nb)
        year = meta.get("year", job.parameters.get("year"))
        title = meta.get("title", f"{job.name} {year}" if year else job.name)
        html = runner.export_html(
            executed, title=title, lang=job.lang, provenance={**job.provenance, "report_year": year}
        )
        timings["export"] = time.perf_counter() - start
    return html, year, timings, meta


def _retryable_start_failure(reason: str) -> bool:
    return any(s in reason for s in _START_FAILURES)


def failure_reason(message: str, timeout: int | None = None) -> str:
    """One log line saying why a run failed, in words a scheduler's reader understands."""
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    if "CellTimeoutError" in message or "timed out" in first:
        limit = f" {timeout} s" if timeout else " the limit"
        return f"timeout: a cell ran longer than{limit} (--timeout): {first}"[:500]
    if "DeadKernelError" in message or "Kernel died" in first:
        return f"the kernel died (killed, out of memory or crashed): {first}"[:500]
    return first[:500]


# ------------------------------------------------------------------ forked kernels

_INLINE_BACKEND = "module://matplotlib_inline.backend_inline"

# The kernel command papermill starts in "fork" mode: a tiny stdlib-only client that hands
# its stdio to the zygote, which forks the kernel. The client stands in for the kernel
# process: it forwards signals, exits when the kernel exits, and if it is killed (or its
# parent dies) the kernel sees the socket close and kills itself.
_CLIENT = r"""
import json, os, signal, socket, struct, sys
path, argv = sys.argv[1], sys.argv[2:]
parent = os.getppid()
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.connect(path)
payload = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
socket.send_fds(sock, [struct.pack("!I", len(payload))], [0, 1, 2])
sock.sendall(payload)
buf = b""
while b"\n" not in buf:
    chunk = sock.recv(64)
    if not chunk:
        sys.exit(1)
    buf += chunk
line, _, tail = buf.partition(b"\n")
pid = int(line)
def forward(signum, frame):
    try:
        os.killpg(pid, signum)
    except OSError:
        pass
for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"):
    signal.signal(getattr(signal, name), forward)
sock.settimeout(1.0)
while True:
    try:
        chunk = sock.recv(64)
    except TimeoutError:
        if os.getppid() != parent:
            break
        continue
    if not chunk:
        break
    tail += chunk
sys.exit(int(tail) if tail.strip().isdigit() else 1)
"""


def fork_supported() -> bool:
    """Forked kernels need fork, Unix sockets and descriptor passing (Linux, macOS)."""
    import socket

    return (
        hasattr(os, "fork")
        and hasattr(socket, "AF_UNIX")
        and hasattr(socket, "send_fds")
        and sys.platform != "win32"
    )


class _Zygote:
    """A preloaded process that forks kernels; it exits when this process goes away."""

    def __init__(self, preload: tuple[str, ...], warm_up: str = "{}"):
        import subprocess

        self.dir = tempfile.mkdtemp(prefix="bdg-z")
        self.path = os.path.join(self.dir, "s")
        self.ready = False
        self.warmed: list[str] = []  # modules whose bdg_warm_up ran
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bdg_analysis.batch", "zygote", self.path, warm_up, *preload],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=str(paths.project_root()),
        )

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Wait until the zygote has imported everything; RuntimeError if it cannot fork."""
        import select

        if self.ready:
            return
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline().decode("utf-8", "replace").strip() if ready else ""
        if line.split(" ")[0] != "ready":
            self.close()
            raise RuntimeError(f"kernel zygote did not start ({line or 'no answer'})")
        self.warmed = [m for m in line[len("ready") :].strip().split(",") if m]
        self.ready = True

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        import shutil

        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except Exception:  # noqa: BLE001
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


_ZYGOTES: dict[tuple[tuple[str, ...], str], _Zygote] = {}
_ZYGOTE_BROKEN: set[tuple[tuple[str, ...], str]] = set()


def _start_zygote(preload: tuple[str, ...], warm_up: str = "{}") -> _Zygote | None:
    """This process's zygote for ``preload``, started if need be (without waiting for it)."""
    key = (preload, warm_up)
    if not fork_supported() or key in _ZYGOTE_BROKEN:
        return None
    zygote = _ZYGOTES.get(key)
    if zygote is None or not zygote.alive():
        zygote = _ZYGOTES[key] = _Zygote(preload, warm_up)
    return zygote


def _fork_kernel_manager(preload: tuple[str, ...], warm_up: str = "{}"):
    """A kernel manager class whose kernels fork from this process's zygote (None: spawn)."""
    zygote = None
    if fork_supported() and (preload, warm_up) not in _ZYGOTE_BROKEN:
        try:
            zygote = _start_zygote(preload, warm_up)
            zygote.wait_ready()
        except Exception as err:  # noqa: BLE001 - fall back to ordinary kernels
            print(
                f"bdg run-all: forked kernels unavailable, using ordinary ones: {err}",
                file=sys.stderr,
            )
            _ZYGOTE_BROKEN.add((preload, warm_up))
            return None
    return _kernel_manager_class(zygote.path) if zygote else None


@functools.cache
def _kernel_manager_class(socket_path: str | None):
    """The kernel manager of batch runs; with ``socket_path``, kernels fork from a zygote."""
    from jupyter_client.manager import AsyncKernelManager

    class BatchKernelManager(AsyncKernelManager):
        """Stops kernels without the interrupt that makes an idle kernel log an error."""

        async def _async_interrupt_kernel(self) -> None:
            if not getattr(self, "shutting_down", False):  # interrupts on timeout still go
                await super()._async_interrupt_kernel()

        def format_kernel_cmd(self, extra_arguments=None):
            cmd = super().format_kernel_cmd(extra_arguments)
            same_python = bool(cmd) and os.path.abspath(cmd[0]) == os.path.abspath(sys.executable)
            if socket_path and same_python and cmd[1:3] == ["-m", "ipykernel_launcher"]:
                return [sys.executable, "-I", "-S", "-c", _CLIENT, socket_path, *cmd[3:]]
            return cmd  # spawn mode, another interpreter or another kernel: the ordinary way

    return BatchKernelManager


def _zygote_main(path: str, warm_up: str, preload: Sequence[str]) -> None:
    """Import ipykernel and the notebook's modules once, then fork a kernel per request.

    Before forking, every loaded module that defines ``bdg_warm_up(parameters)`` is called
    once with what all reports of the run share (``data``, ``year``, ``lang``): work that is
    the same for every report (reading and checking the data, pooled backtests) can then be
    cached once per worker and is inherited by every forked kernel. Such a function must
    only fill caches that give exactly what computing afresh would.
    """
    import importlib
    import select
    import signal
    import socket
    import struct

    # As ipykernel_launcher does: the working directory is not an import location.
    if sys.path and (sys.path[0] == "" or os.path.abspath(sys.path[0]) == os.getcwd()):
        del sys.path[0]
    os.environ.setdefault("MPLBACKEND", _INLINE_BACKEND)  # what ipykernel sets at start
    for module in ("ipykernel.kernelapp", "ipykernel.ipkernel", *preload):
        try:
            importlib.import_module(module)
        except BaseException:  # noqa: BLE001, S110 - the kernel will report it if it matters
            pass
    warmed = _call_warm_ups(json.loads(warm_up), preload)
    _warm_up_matplotlib()
    reason = _unforkable_reason()
    if reason:
        os.write(1, f"not forkable: {reason}\n".encode())
        return
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the run, not the zygote
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    os.write(1, f"ready {','.join(warmed)}\n".encode())
    os.dup2(2, 1)
    try:
        while True:
            ready, _, _ = select.select([listener, 0], [], [])
            if 0 in ready and not os.read(0, 4096):
                return  # our parent (the worker) is gone
            if listener not in ready:
                continue
            conn, _ = listener.accept()
            try:
                head, fds, _, _ = socket.recv_fds(conn, 4, 3)
                (length,) = struct.unpack("!I", head)
                payload = b""
                while len(payload) < length:
                    chunk = conn.recv(length - len(payload))
                    if not chunk:
                        raise EOFError("request cut short")
                    payload += chunk
                request = json.loads(payload)
            except Exception as err:  # noqa: BLE001
                print(f"bdg kernel zygote: bad request: {err}", file=sys.stderr)
                conn.close()
                continue
            sys.stdout.flush()
            sys.stderr.flush()
            if os.fork() == 0:
                listener.close()
                _zygote_child(conn, fds, request)  # never returns
            conn.close()
            for fd in fds:
                os.close(fd)
    finally:
        listener.close()
        import shutil

        shutil.rmtree(os.path.dirname(path), ignore_errors=True)


def _call_warm_ups(parameters: dict, preload: Sequence[str]) -> list[str]:
    """Call ``bdg_warm_up(parameters)`` of each loaded package module and preloaded module.

    A failing one is reported and skipped: the kernels then compute the same themselves.
    """
    warmed = []
    names = [
        name
        for name in sorted(sys.modules)
        if name.split(".")[0] == "bdg_analysis" or name in preload
    ]
    for name in names:
        try:
            hook = getattr(sys.modules[name], "bdg_warm_up", None)
            if callable(hook):
                hook(dict(parameters))
                warmed.append(name)
        except Exception as err:  # noqa: BLE001
            print(f"bdg kernel zygote: {name}.bdg_warm_up failed: {err}", file=sys.stderr)
    return warmed


def _warm_up_matplotlib() -> None:
    """Draw one figure so fonts and caches are loaded once, not once per report."""
    if "matplotlib" not in sys.modules:
        return
    import io

    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(3, 2), dpi=72)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.plot([2020, 2025], [1.5, 2.5], marker="o", label="Lạng Sơn")
        ax.set_title("Tỷ lệ nữ (%)")
        ax.legend()
        fig.savefig(io.BytesIO(), format="png")
    except Exception:  # noqa: BLE001, S110 - only an optimisation
        pass


def _unforkable_reason() -> str:
    """Forking is only safe with one thread and no ZeroMQ context yet."""
    if threading.active_count() > 1:
        return f"{threading.active_count()} threads after imports"
    zmq = sys.modules.get("zmq")
    if zmq is not None and getattr(zmq.Context, "_instance", None) is not None:
        return "a ZeroMQ context exists after imports"
    return ""


def _zygote_child(conn, fds: list[int], request: dict) -> None:
    """Become the kernel: take the client's stdio, directory and environment, run ipykernel."""
    import importlib.util
    import signal
    import traceback

    code = 1
    try:
        os.setsid()  # own process group, so signals reach the kernel and its children
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        argv = list(request["argv"])
        if request["env"].get("JPY_PARENT_PID"):
            argv.append(f"--IPKernelApp.parent_handle={request['env']['JPY_PARENT_PID']}")
        spec = importlib.util.find_spec("ipykernel_launcher")
        sys.argv = [spec.origin if spec and spec.origin else "ipykernel_launcher", *argv]
        conn.sendall(f"{os.getpid()}\n".encode())

        def watch() -> None:  # the client went away: nobody will ever talk to this kernel
            try:
                while conn.recv(64):
                    pass
            except OSError:
                pass
            os.killpg(0, signal.SIGKILL)

        threading.Thread(target=watch, daemon=True).start()
        from ipykernel import kernelapp

        try:
            kernelapp.launch_new_instance()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            conn.sendall(str(code).encode())
        except BaseException:  # noqa: BLE001, S110
            pass
        os._exit(code)


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
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(run_job, job): job for job in pending}
            pending = []
            for future in as_completed(futures):
                job = futures[future]
                try:
                    yield future.result()
                except BrokenProcessPool:
                    if job.key in retried:
                        yield _failed(job, "the worker process died (twice)")
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
            "the dask executor needs dask and distributed: pip install 'bdg-analysis[dask]'"
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
        where = options.scheduler or "a local cluster"
        raise BdgError(f"cannot reach the Dask scheduler ({where}): {err}") from None
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
    from bdg_analysis import runner

    runner.write_atomic(
        out_dir / MANIFEST_NAME,
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
    )


def up_to_date(entry: dict | None, job: Job, out_dir: Path) -> bool:
    """True when the last good report was built from exactly these inputs and is intact."""
    if not entry or entry.get("fingerprint") != job.fingerprint or not entry.get("file"):
        return False
    path = out_dir / entry["file"]
    try:
        return sha256_file(path) == entry.get("sha256")
    except OSError:
        return False


def _now() -> str:
    return dt.datetime.now().astimezone().replace(microsecond=0).isoformat()


def _record(manifest: dict, job: Job, outcome: Outcome) -> None:
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


# ------------------------------------------------------------------ index page

INDEX_LABELS = {
    "vi": {
        "title": "Báo cáo bình đẳng giới các tỉnh, thành phố",
        "place": "Tỉnh, thành phố",
        "status": "Trạng thái",
        "report": "Báo cáo",
        "year": "Năm",
        "built": "Ngày lập",
        "seconds": "Thời gian (giây)",
        "note": "Ghi chú",
        "national": "Toàn quốc",
        "targets": "Chỉ tiêu theo tình trạng",
        "run": "Lần chạy",
        "duration": "thời gian",
        "version": "phiên bản",
        "data": "dữ liệu",
        "previous": "giữ báo cáo trước",
        "none": "chưa có báo cáo",
        OK: "đã lập",
        CURRENT: "đã cập nhật, bỏ qua",
        FAILED: "lỗi",
        MISSING: "chưa có sổ tính",
        KEPT: "không chạy lần này",
    },
    "en": {
        "title": "Gender-equality reports of the provinces",
        "place": "Province",
        "status": "Status",
        "report": "Report",
        "year": "Year",
        "built": "Built",
        "seconds": "Time (s)",
        "note": "Note",
        "national": "National overview",
        "targets": "Targets by status",
        "run": "Run",
        "duration": "took",
        "version": "version",
        "data": "data",
        "previous": "previous report kept",
        "none": "no report yet",
        OK: "built",
        CURRENT: "up to date, skipped",
        FAILED: "failed",
        MISSING: "notebook missing",
        KEPT: "not in this run",
    },
}


def index_html(
    rows: list[dict],
    *,
    lang: str,
    started: str,
    seconds: float,
    jobs: int,
    data_record: dict | None,
) -> str:
    """The index page: status counts, build time, and a row per report with its link."""
    from bdg_analysis.text import escape

    words = INDEX_LABELS.get(lang, INDEX_LABELS["en"])
    css = (paths.RESOURCES_DIR / "index.css").read_text(encoding="utf-8")
    counts = {s: sum(r["status"] == s for r in rows) for s in (OK, CURRENT, FAILED, MISSING, KEPT)}
    summary = " · ".join(
        f'<span class="count status-{s}">{escape(words[s])}: {n}</span>'
        for s, n in counts.items()
        if n
    )
    data_text = ""
    if data_record:
        data_text = (
            f" · {escape(words['data'])}: {escape(data_record['name'])} "
            f"(sha256 {escape(data_record['sha256'][:12])})"
        )
    body = []
    for r in rows:
        link = escape(words["none"])
        if r.get("file"):
            link = f'<a href="{escape(r["file"])}">{escape(r["file"])}</a>'
        note = escape(r.get("reason", ""))
        if r["status"] == FAILED and r.get("file"):
            note = f"{escape(words['previous'])}. {note}"
        seconds_text = f"{r['seconds']:.1f}" if r.get("seconds") else ""
        counts = " ".join(
            f"{STATUS_SYMBOLS.get(k, '')} {v}"
            for k, v in sorted(
                (r.get("counts") or {}).items(),
                key=lambda kv: STATUS_ORDER.index(kv[0]) if kv[0] in STATUS_ORDER else 99,
            )
        )
        counts_title = ", ".join(
            f"{status_word(k, lang)}: {v}"
            for k, v in (r.get("counts") or {}).items()
            if has_word(f"status.{k}")
        )
        body.append(
            f'<tr class="status-{escape(r["status"])}"><td>{escape(r["name"])}</td>'
            f'<td class="status">{escape(words[r["status"]])}</td><td>{link}</td>'
            f'<td class="num">{escape(r.get("report_year") or "")}</td>'
            f'<td class="counts" title="{escape(counts_title)}">{escape(counts)}</td>'
            f'<td>{escape(r.get("built") or "")}</td><td class="num">{seconds_text}</td>'
            f'<td class="note">{note}</td></tr>'
        )
    head = "".join(
        f"<th>{escape(words[k])}</th>"
        for k in ("place", "status", "report", "year", "targets", "built", "seconds", "note")
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="bdg-analysis {escape(__version__)}">\n'
        f"<title>{escape(words['title'])}</title>\n<style>\n{css}\n</style>\n</head>\n"
        f'<body>\n<main class="index">\n<h1>{escape(words["title"])}</h1>\n'
        f'<p class="summary">{summary}</p>\n'
        f'<p class="build">{escape(words["run"])}: {escape(started)} · '
        f"{escape(words['duration'])} {seconds:.0f} s (jobs: {jobs}) · "
        f"bdg-analysis {escape(words['version'])} {escape(__version__)}{data_text}</p>\n"
        f'<table class="reports"><thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(body)
        + "\n</tbody></table>\n</main>\n</body>\n</html>\n"
    )


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
    """A progress bar on a terminal; plain, time-stamped lines for a scheduler's log."""

    def __init__(self, total: int, stream: TextIO, bar: bool | None):
        self.stream, self.total, self.done = stream, total, 0
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

    def report(self, outcome: Outcome, previous: str | None) -> None:
        self.done += 1
        where = f"[{self.done}/{self.total}]"
        if outcome.status == OK:
            text = f"{where} ok {outcome.name} -> {outcome.file} ({outcome.seconds:.1f} s)"
        elif outcome.status == CURRENT:
            text = f"{where} up to date {outcome.name} ({outcome.file})"
        elif outcome.status == MISSING:
            text = f"{where} not run {outcome.name}: {outcome.reason}"
        else:
            kept = f"; previous report kept: {previous}" if previous else "; no previous report"
            text = f"{where} FAILED {outcome.name}: {outcome.reason}{kept}"
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
    lang: str,
    jobs: int,
    timeout: int,
    run_date: str | None,
    executor: str,
    scheduler: str | None,
    kernel: str,
) -> None:
    problems = []
    if lang not in ("vi", "en"):
        problems.append(f"lang must be 'vi' or 'en', not {lang!r}")
    if jobs < 1:
        problems.append(f"jobs must be at least 1, not {jobs}")
    if timeout < 1:
        problems.append(f"timeout must be at least 1 second, not {timeout}")
    if run_date is not None:
        try:
            dt.date.fromisoformat(run_date)
        except ValueError:
            problems.append(f"run date must be YYYY-MM-DD, not {run_date!r}")
    if executor not in EXECUTORS:
        problems.append(
            f"unknown executor {executor!r}; expected one of {', '.join(sorted(EXECUTORS))}"
        )
    if scheduler and executor != "dask":
        problems.append("--scheduler needs --executor dask")
    if executor == "dask" and importlib.util.find_spec("distributed") is None:
        problems.append(
            "the dask executor needs dask and distributed: pip install 'bdg-analysis[dask]'"
        )
    if kernel not in ("auto", "fork", "spawn"):
        problems.append(f"kernel must be auto, fork or spawn, not {kernel!r}")
    if problems:
        raise BdgInputError("; ".join(problems))


def plan_jobs(
    *,
    provinces: Sequence[str] | None = None,
    year: int | None = None,
    data: Path | str | None = None,
    lang: str = "vi",
    run_date: str | None = None,
    timeout: int = 600,
    kernel: str = "auto",
    notebook: Path | str | None = None,
    national_notebook: Path | str | None = None,
    national: bool = True,
) -> tuple[list[Job], list[Outcome]]:
    """The jobs of a run: provinces in code order and the national overview (last when the
    analysis cache is on, so it reuses the provinces' scorecards; else first, the long pole).

    Returns the jobs and, for a national overview whose notebook is missing, a ready
    ``missing`` outcome. Unknown province names raise BdgInputError.
    """
    from bdg_analysis import geo
    from bdg_analysis.runner import PROVINCE_NOTEBOOK, slug

    if provinces:
        chosen, seen = [], set()
        for name in provinces:
            place = geo.resolve(name).province
            if place.code not in seen:
                seen.add(place.code)
                chosen.append(place)
    else:
        chosen = geo.current_provinces()
    data_file = Path(data).resolve() if data else paths.default_data_file()
    data_param = str(data_file) if data else None
    date = run_date or dt.date.today().isoformat()
    mode = ("fork" if fork_supported() else "spawn") if kernel == "auto" else kernel
    selection = _selection(lang, year)
    warm_up = json.dumps({"data": data_param, "year": year, "lang": lang}, sort_keys=True)

    def make(kind: str, name: str, stem: str, nb_path: Path, parameters: dict) -> Job:
        record = provenance(nb_path, parameters, data_files=[data_file])
        return Job(
            key=f"{stem}/{selection}",
            kind=kind,
            name=name,
            stem=stem,
            lang=lang,
            notebook=str(nb_path),
            parameters=parameters,
            provenance=record,
            fingerprint=fingerprint(record, include_run_date=run_date is not None),
            timeout=timeout,
            kernel=mode,
            preload=notebook_imports(nb_path) if mode == "fork" else (),
            warm_up=warm_up,
        )

    jobs: list[Job] = []
    missing: list[Outcome] = []
    national_nb = Path(national_notebook or paths.notebooks_dir() / NATIONAL_NOTEBOOK)
    national_name = INDEX_LABELS[lang]["national"]
    if national:
        if national_nb.exists():
            jobs.append(
                make(
                    "national",
                    national_name,
                    NATIONAL_STEM,
                    national_nb,
                    {"year": year, "data": data_param, "lang": lang, "run_date": date},
                )
            )
        else:
            missing.append(
                Outcome(
                    f"{NATIONAL_STEM}/{selection}",
                    national_name,
                    "national",
                    MISSING,
                    reason=f"{paths.display_path(national_nb)} not found; "
                    "the national overview was not built",
                )
            )
    province_nb = Path(notebook or paths.notebooks_dir() / PROVINCE_NOTEBOOK)
    if not province_nb.exists():
        raise BdgInputError(f"{paths.display_path(province_nb)}: notebook not found")
    for place in chosen:
        jobs.append(
            make(
                "province",
                place.name,
                slug(place.name),
                province_nb,
                {
                    "province": place.name,
                    "year": year,
                    "data": data_param,
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


def run_all(
    *,
    provinces: Sequence[str] | None = None,
    year: int | None = None,
    data: Path | str | None = None,
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
) -> BatchResult:
    """Build every province's report (or ``provinces``) and the national overview.

    Bad input (an unknown province, problems in the data file, bad options) raises
    BdgInputError before any kernel starts. Otherwise every report is attempted; a failure
    keeps the previous report, is logged with its reason and shown in the index, and makes
    ``exit_code`` 1. With ``resume``, reports already built from the same inputs are skipped.
    """
    from bdg_analysis import dataset, runner

    stream = stream or sys.stderr
    jobs = jobs or default_jobs()
    _check_options(
        lang=lang,
        jobs=jobs,
        timeout=timeout,
        run_date=run_date,
        executor=executor,
        scheduler=scheduler,
        kernel=kernel,
    )
    data_file = Path(data) if data else paths.default_data_file()
    checked = dataset.check_files([data_file])  # once, before any kernel starts
    if checked.problems:
        raise BdgInputError(checked.problems)
    planned, outcomes_ready = plan_jobs(
        provinces=provinces,
        year=year,
        data=data,
        lang=lang,
        run_date=run_date,
        timeout=timeout,
        kernel=kernel,
        notebook=notebook,
        national_notebook=national_notebook,
        national=national,
    )

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with _run_lock(out):
        cache.prune()  # results of old data or old code
        started, clock = _now(), time.perf_counter()
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
        bar = _Progress(len(planned) + len(outcomes_ready), stream, progress)
        bar.log(
            f"{len(todo)} report(s) to build, {len(done)} up to date, "
            f"executor {executor}, jobs {jobs}, kernels {planned[0].kernel}"
            if planned
            else "nothing to build"
        )
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
                    if outcome.status == OK and outcome.html is not None:
                        # The annex first: if it cannot be written, the previous report
                        # stays whole. Any error here fails this report, not the run.
                        try:
                            runner.write_annex(
                                outcome.meta,
                                (out / outcome.file).with_suffix(".xlsx"),
                                title=outcome.meta.get("title", outcome.name),
                                run_date=job.parameters.get("run_date"),
                            )
                            runner.write_atomic(out / outcome.file, outcome.html)
                        except Exception as err:  # noqa: BLE001 - a scheduled run goes on
                            outcome.status = FAILED
                            outcome.reason = f"cannot write: {type(err).__name__}: {err}"
                    outcome.html = None
                    previous = manifest["reports"].get(job.key, {}).get("file")
                    if previous and not (out / previous).exists():
                        previous = None
                    _record(manifest, job, outcome)
                    _save_manifest(out, manifest)
                    done[job.key] = outcome
                    bar.report(outcome, previous)
        finally:
            bar.close()
        all_outcomes = [*outcomes_ready, *(done[j.key] for j in planned if j.key in done)]
        seconds = time.perf_counter() - clock
        counts = {
            s: sum(o.status == s for o in all_outcomes) for s in (OK, CURRENT, FAILED, MISSING)
        }
        manifest["last_run"] = {
            "started": started,
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
        runner.write_atomic(
            out / INDEX_NAME,
            index_html(
                rows,
                lang=lang,
                started=started,
                seconds=seconds,
                jobs=jobs,
                data_record=data_record,
            ),
        )
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    bar.log(f"done in {seconds:.1f} s: {summary}; index {out / INDEX_NAME}")
    for outcome in all_outcomes:
        if outcome.status == FAILED:
            bar.log(f"failed: {outcome.name}: {outcome.reason}")
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
            raise BdgError(f"another bdg run-all is writing to {self.path.parent}") from None
        return self

    def __exit__(self, *exc) -> None:
        if self.fh is not None:
            self.fh.close()


if __name__ == "__main__" and sys.argv[1:2] == ["zygote"]:
    _zygote_main(sys.argv[2], sys.argv[3], sys.argv[4:])
