"""Kernels of run-all: forked from a zygote that ran the registered warm-up hooks, and every
process of a run gone when the run is killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bdg_analysis import kernels, runner, warmup

FIXTURES = Path(__file__).parent / "fixtures"


# ------------------------------------------------------------------ the warm-up registry


def test_registered_hooks_run_with_a_copy_of_the_parameters_and_failures_are_skipped(
    capsys, monkeypatch
):
    monkeypatch.setattr(warmup, "_HOOKS", {})  # the package's own hooks are not this test's
    seen = []

    def fine(parameters):
        parameters["changed"] = True
        seen.append(parameters)

    def broken(parameters):
        raise RuntimeError("no data")

    shared = {"data": "x.csv"}
    try:
        warmup.register(broken)
        warmup.register(fine)
        warmup.register(fine)  # once only, however often its module is imported
        ran = warmup.run(shared)
    finally:
        warmup.unregister(broken)
        warmup.unregister(fine)
    assert ran == [
        f"{__name__}.test_registered_hooks_run_with_a_copy_of_the_parameters_and_"
        "failures_are_skipped.<locals>.fine"
    ]
    assert seen == [{"data": "x.csv", "changed": True}] and shared == {"data": "x.csv"}
    assert "no data" in capsys.readouterr().err


def test_with_no_hook_registered_nothing_runs_and_nothing_fails():
    before = warmup.hooks()
    for name in before:  # e.g. scorecard's and projection's, once they register
        assert "." in name
    assert isinstance(warmup.run({}), list)


def _probe_notebook(tmp_path: Path, module: str) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            f"import os, {module}\nprint({module}.WARMED and {module}.WARMED[0], "
            f"bool({module}.WARMED) and {module}.WARMED[1] != os.getpid())"
        )
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook = tmp_path / "probe.ipynb"
    nbformat.write(nb, notebook)
    return notebook


PROBE = """
import os
{header}
WARMED = None

{decorator}
def bdg_warm_up(parameters):
    global WARMED
    WARMED = (parameters["data"], os.getpid())
"""


@pytest.mark.notebook
@pytest.mark.parametrize("registered", [True, False])
def test_forked_kernels_inherit_what_a_registered_hook_computed(tmp_path, monkeypatch, registered):
    import nbformat

    if not kernels.fork_supported():
        pytest.skip("forked kernels need POSIX")
    module = f"bdg_warm_probe_{registered}".lower()
    (tmp_path / f"{module}.py").write_text(
        PROBE.format(
            header="from bdg_analysis import warmup" if registered else "",
            decorator="@warmup.register" if registered else "",
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    notebook = _probe_notebook(tmp_path, module)
    preload, warm = (module,), json.dumps({"data": "x.csv"})
    try:
        manager = kernels.fork_kernel_manager(preload, warm)
        zygote = kernels._ZYGOTES[(preload, warm)]
        runner.execute(
            notebook, tmp_path / "out.ipynb", {}, engine_options={"kernel_manager_class": manager}
        )
    finally:
        zygote = kernels._ZYGOTES.pop((preload, warm), None)
        if zygote:
            zygote.close()
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    printed = out.cells[0].outputs[0]["text"].strip()
    if registered:  # computed once in the zygote, before the kernel was forked
        assert zygote.warmed == [f"{module}.bdg_warm_up"]
        assert printed == "x.csv True"
    else:  # a function's name alone no longer makes it a hook
        assert zygote.warmed == []
        assert printed == "None False"


# ------------------------------------------------------------------ dying with the parent


def _gone(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _wait_gone(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    alive = [p for p in pids if not _gone(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [p for p in alive if not _gone(p)]
    return alive


def _kill_all(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


@pytest.mark.parametrize("how", ["auto", "poll"])
def test_a_process_dies_with_its_parent(tmp_path, how):
    script = textwrap.dedent(
        f"""
        import os, subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", '''
        import sys, time
        from bdg_analysis import kernels
        if {how!r} == "poll":
            kernels._parent_death_signal = lambda signum: False
        print(kernels.die_with_parent(interval=0.1), flush=True)
        time.sleep(600)
        '''], stdout=subprocess.PIPE, text=True)
        print(child.pid, child.stdout.readline().strip(), flush=True)
        time.sleep(600)
        """
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    child = None
    try:
        line = parent.stdout.readline().split()
        child, mechanism = int(line[0]), line[1]
        expected = "prctl" if how == "auto" and sys.platform.startswith("linux") else "poll"
        assert mechanism == expected
        assert not _gone(child)
        parent.kill()
        parent.wait()
        assert _wait_gone([child], 15) == []
    finally:
        parent.kill()
        if child:
            _kill_all([child])


def _descendants(pid: int) -> list:
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


@pytest.mark.notebook
@pytest.mark.parametrize("kernel", ["fork", "spawn"])
def test_kill_9_of_run_all_leaves_no_process_behind(tmp_path, kernel):
    if kernel == "fork" and not kernels.fork_supported():
        pytest.skip("forked kernels need POSIX")
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from bdg_analysis import batch
        batch.run_all(
            provinces=["Lai Châu"],  # its data make the notebook hang (FAULT:hang)
            data=Path({str(FIXTURES / "batch_faults.csv")!r}),
            notebook=Path({str(FIXTURES / "batch_report.ipynb")!r}),
            out_dir=Path({str(tmp_path / "out")!r}),
            national=False, jobs=1, timeout=600, progress=False, kernel={kernel!r},
        )
        """
    )
    run = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    seen: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 240
        kernel_seen = False
        while time.monotonic() < deadline and not kernel_seen:
            time.sleep(0.5)
            for proc in _descendants(run.pid):
                try:
                    seen[proc.pid] = " ".join(proc.cmdline())
                except Exception:  # noqa: BLE001 - it ended meanwhile
                    continue
            if kernel == "spawn":
                kernel_seen = any("ipykernel_launcher" in c for c in seen.values())
            else:  # the zygote's child: the forked kernel, named like its zygote
                kernel_seen = sum("bdg_analysis.kernels zygote" in c for c in seen.values()) >= 2
        assert kernel_seen, f"no kernel started: {seen}"
        time.sleep(2)  # let the kernel reach the hanging cell
        for proc in _descendants(run.pid):
            seen.setdefault(proc.pid, "")
        assert any("resource_tracker" in c for c in seen.values())
        assert any("spawn_main" in c for c in seen.values())  # the worker
        run.kill()  # kill -9 of bdg run-all
        run.wait()
        left = _wait_gone(list(seen), 30)
        assert left == [], {pid: seen[pid] for pid in left}
    finally:
        run.kill()
        _kill_all(list(seen))
