"""`make lab` starts JupyterLab on notebooks/ with the bdg-analysis kernel, token required."""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 25  # seconds; the server answers in about 3 on the project's machines


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, token: str | None) -> tuple[int, bytes]:
    headers = {"Authorization": f"token {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=3) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, b""


def _stop(proc: subprocess.Popen) -> None:
    """Stop make and the server it started (their own process group), whatever happened."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_serves_the_notebooks_with_the_project_kernel(tmp_path):
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "CI": "1",
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
    }
    command = [
        "make",
        "--no-print-directory",
        "-o",
        ".venv/.installed-stamp",
        "lab",
        f"BIN={Path(sys.executable).parent}",
        f"LAB_PORT={port}",
        f"LAB_ARGS=--IdentityProvider.token={token} --ServerApp.port_retries=0 "
        "--ServerApp.ip=127.0.0.1",
    ]
    log = (tmp_path / "lab.log").open("w")
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                code, body = _get(f"{base}/api/status", token)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.25)
                continue
            if code == 200:
                status = json.loads(body)
                break
            time.sleep(0.25)
        log.flush()
        output = (tmp_path / "lab.log").read_text(encoding="utf-8", errors="replace")
        assert status is not None, f"JupyterLab did not answer:\n{output[-3000:]}"
        assert "started" in status
        assert "open the address printed below" in output

        kernels = json.loads(_get(f"{base}/api/kernelspecs", token)[1])
        assert "bdg-analysis" in kernels["kernelspecs"]
        spec = kernels["kernelspecs"]["bdg-analysis"]["spec"]
        assert spec["display_name"] == "Python (bdg-analysis)"
        assert Path(spec["argv"][0]).parent == Path(sys.executable).parent

        listing = json.loads(_get(f"{base}/api/contents", token)[1])
        names = {item["name"] for item in listing["content"]}
        assert {"explore_indicator.ipynb", "data_quality.ipynb"} <= names

        assert _get(f"{base}/api/status", None)[0] == 403  # the token is required
    finally:
        _stop(proc)
        log.close()
    assert proc.poll() is not None
