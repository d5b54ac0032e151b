"""Kernels for run-all: forked from a preloaded zygote or spawned, all dying with their parent.

Kernel start is the fixed cost of every report. By default (``kernel="auto"`` on POSIX) each
worker keeps a *zygote*: a process that has imported ipykernel and the modules the notebook
imports, has run the registered warm-up hooks (``warmup``), and forks a fresh kernel per
report. Each report still gets its own kernel process, so reports stay isolated;
``kernel="spawn"`` starts kernels the ordinary way.

Every process a run starts dies with the process that started it: workers ask the kernel for a
parent-death signal (:func:`die_with_parent`), a zygote exits when its worker closes its stdin,
a forked kernel's stand-in client exits when its parent changes and the kernel kills itself
when the client goes. ``kill -9`` of ``bdg run-all`` leaves nothing running.
"""

from __future__ import annotations

import ast
import functools
import json
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

from bdg_analysis import paths, warmup

# Kernels started by a batch: a fixed hash seed and one BLAS thread each, so identical
# inputs give identical pages and parallel kernels do not oversubscribe the cores.
KERNEL_ENV = {
    "PYTHONHASHSEED": "0",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}

# Failures that happen before the kernel answers (port races, slow starts) are retried once.
START_FAILURES = (
    "Kernel didn't respond",
    "Kernel died before replying to kernel_info",
    "Address already in use",
    "ZMQError",
)


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


class Zygote:
    """A preloaded process that forks kernels; it exits when this process goes away."""

    def __init__(self, preload: tuple[str, ...], warm_up: str = "{}"):
        import subprocess

        self.dir = tempfile.mkdtemp(prefix="bdg-z")
        self.path = os.path.join(self.dir, "s")
        self.ready = False
        self.warmed: list[str] = []  # warm-up hooks that ran (warmup.run)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bdg_analysis.kernels", "zygote", self.path, warm_up, *preload],
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


_ZYGOTES: dict[tuple[tuple[str, ...], str], Zygote] = {}
_ZYGOTE_BROKEN: set[tuple[tuple[str, ...], str]] = set()


def start_zygote(preload: tuple[str, ...], warm_up: str = "{}") -> Zygote | None:
    """This process's zygote for ``preload``, started if need be (without waiting for it)."""
    key = (preload, warm_up)
    if not fork_supported() or key in _ZYGOTE_BROKEN:
        return None
    zygote = _ZYGOTES.get(key)
    if zygote is None or not zygote.alive():
        zygote = _ZYGOTES[key] = Zygote(preload, warm_up)
    return zygote


def fork_kernel_manager(preload: tuple[str, ...], warm_up: str = "{}"):
    """A kernel manager class whose kernels fork from this process's zygote (None: spawn)."""
    zygote = None
    if fork_supported() and (preload, warm_up) not in _ZYGOTE_BROKEN:
        try:
            zygote = start_zygote(preload, warm_up)
            zygote.wait_ready()
        except Exception as err:  # noqa: BLE001 - fall back to ordinary kernels
            print(
                f"bdg run-all: forked kernels unavailable, using ordinary ones: {err}",
                file=sys.stderr,
            )
            _ZYGOTE_BROKEN.add((preload, warm_up))
            return None
    return kernel_manager_class(zygote.path) if zygote else None


@functools.cache
def kernel_manager_class(socket_path: str | None):
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


def zygote_main(path: str, warm_up: str, preload: Sequence[str]) -> None:
    """Import ipykernel and the notebook's modules once, then fork a kernel per request.

    Before forking, every hook registered with :func:`warmup.register` (by the modules just
    imported) is called once with what all reports of the run share (``data``, ``year``,
    ``lang``): work that is the same for every report (reading and checking the data, pooled
    backtests) is then done once per worker and inherited by every forked kernel. With no hook
    registered, kernels do that work themselves: slower, the same pages.
    """
    import importlib
    import select
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
    warmed = warmup.run(json.loads(warm_up))
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


# ------------------------------------------------------------------ dying with the parent

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _parent_death_signal(signum: int) -> bool:
    """Ask Linux to send ``signum`` to this process when its parent thread ends."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int, interval: float) -> None:
    """Where no parent-death signal exists: a thread that ends the process when it is orphaned."""
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="bdg-parent-watch", daemon=True).start()


def die_with_parent(parent: int | None = None, *, interval: float = 1.0) -> str:
    """Make this process end when ``parent`` (by default its parent now) ends; how it is done.

    A run-all worker calls it first thing, so ``kill -9`` of ``bdg run-all`` cannot leave
    workers running for ever; their zygotes, kernels and multiprocessing's resource tracker
    then see their pipes close and go too. On Linux the kernel delivers SIGKILL
    (``prctl(PR_SET_PDEATHSIG)``), elsewhere a thread polls the parent. When the parent has
    already gone before the call, the process exits at once.
    """
    parent = os.getppid() if parent is None else parent
    how = "prctl" if _parent_death_signal(signal.SIGKILL) else "poll"
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    if how == "poll":
        _watch_parent(parent, interval)
    return how


if __name__ == "__main__" and sys.argv[1:2] == ["zygote"]:
    zygote_main(sys.argv[2], sys.argv[3], sys.argv[4:])
