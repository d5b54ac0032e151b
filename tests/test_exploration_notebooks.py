"""The exploration notebooks run under papermill, on the embedded data and on a tiny fixture."""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SMALL = "tests/fixtures/explore_small.csv"
CONFLICT = "tests/fixtures/explore_conflict.csv"

pytestmark = pytest.mark.notebook


def _start(name: str, output: Path, parameters: dict) -> subprocess.Popen:
    """papermill as a user runs it, in its own process, so the four runs share both cores."""
    command = [
        sys.executable,
        "-m",
        "papermill",
        str(NOTEBOOKS / f"{name}.ipynb"),
        str(output),
        "-k",
        "python3",
        "--cwd",
        str(ROOT),
        "--log-level",
        "ERROR",
        "--no-progress-bar",
        "--execution-timeout",
        "300",
        "-y",
        json.dumps(parameters),
    ]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL
    )


def _outputs(nb: dict) -> list[dict]:
    return [
        o for cell in nb["cells"] if cell["cell_type"] == "code" for o in cell.get("outputs", [])
    ]


def _text(nb: dict) -> str:
    parts = []
    for o in _outputs(nb):
        if o["output_type"] == "stream":
            parts.append("".join(o["text"]))
        data = o.get("data", {})
        for mime in ("text/html", "text/plain"):
            # a figure's text/plain ('<Figure size ...>') only matters when no image came along
            if mime in data and not (mime == "text/plain" and "image/png" in data):
                parts.append("".join(data[mime]))
    return "\n".join(parts)


def _images(nb: dict) -> int:
    return sum("image/png" in o.get("data", {}) for o in _outputs(nb))


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("exploration")
    plan = {
        "explore_embedded": ("explore_indicator", {"indicator": "M2.CT1", "year": None}),
        "explore_fixture": (
            "explore_indicator",
            {
                "indicator": "M4.CT1",
                "year": 2025,
                "data": SMALL,
                "province": "Hà Giang",
                "lang": "en",
            },
        ),
        "quality_embedded": ("data_quality", {}),
        "quality_fixture": (
            "data_quality",
            {"data": [SMALL, CONFLICT], "threshold": 3.5, "boundaries": "recorded"},
        ),
    }
    procs = {
        key: _start(name, out / f"{key}.ipynb", params) for key, (name, params) in plan.items()
    }
    results = {}
    try:
        for key, proc in procs.items():
            _, err = proc.communicate(timeout=600)
            assert proc.returncode == 0, f"{key}: papermill failed:\n{err[-3000:]}"
            results[key] = json.loads((out / f"{key}.ipynb").read_text(encoding="utf-8"))
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return results


@pytest.mark.parametrize("name", ["explore_indicator", "data_quality"])
def test_notebooks_take_parameters_and_define_nothing(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "data = None" in tagged[0].source
    for line in tagged[0].source.splitlines():  # papermill reads '=' in a comment as code
        assert "=" not in line.partition("#")[2], line
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None  # committed clean
            for word in ("def ", "lambda", "class ", "import pandas", "import matplotlib"):
                assert word not in cell.source, (name, word)


@pytest.mark.parametrize(
    "run", ["explore_embedded", "explore_fixture", "quality_embedded", "quality_fixture"]
)
def test_every_cell_shows_something_and_nothing_warns(runs, run):
    nb = runs[run]
    for cell in nb["cells"]:
        if (
            cell["cell_type"] == "code"
            and "parameters" not in cell["metadata"].get("tags", [])
            and "injected-parameters" not in cell["metadata"].get("tags", [])
        ):
            assert cell.get("outputs"), (run, cell["source"])
    for o in _outputs(nb):
        assert o["output_type"] != "error", (run, o.get("evalue"))
        assert not (o["output_type"] == "stream" and o["name"] == "stderr"), (run, o["text"])
    text = _text(nb)
    for forbidden in ("Warning", "Traceback", "<Figure size"):
        assert forbidden not in text, (run, forbidden)


def test_explore_notebook_on_the_embedded_data(runs):
    nb = runs["explore_embedded"]
    text = _text(nb)
    assert _images(nb) == 3  # distribution, 34 small multiples, the merged province
    assert "Lao động nữ làm công hưởng lương" in text
    assert "Hạng" in text and "Tỉnh, thành phố" in text  # Vietnamese headers
    assert "Hà Giang (cũ)" in text and "Tuyên Quang (hiện nay)" in text
    assert "minh họa" in text  # the demo status is shown in words
    assert "DỮ LIỆU MINH HỌA" in text  # ... and the tables say they hold demonstration data


def test_explore_notebook_on_the_fixture_in_english(runs):
    text = _text(runs["explore_fixture"])
    assert "Sex ratio at birth" in text and "Province" in text
    assert "110.3" in text and "115.4" in text  # Tuyên Quang's estimate, Lạng Sơn's value
    assert "estimate" in text
    assert "Tuyên Quang (current)" in text  # 'Hà Giang' was taken as its successor's parts
    assert "Hà Giang (former)" in text and "(cũ)" not in text  # English all through
    assert "DEMONSTRATION DATA" in text and "Better when" in text  # the indicator's own table


def test_quality_notebook_on_the_embedded_data(runs):
    nb = runs["quality_embedded"]
    text = _text(nb)
    assert _images(nb) == 2  # coverage by province, the flagged series
    assert "Quy tắc" in text and "MAD" in text  # the outlier rule is stated
    assert "13.287" in text  # rows read, in the Vietnamese number format
    assert "không có dòng nào" in text  # no conflicts in the embedded data
    assert "DỮ LIỆU MINH HỌA" in text and "Chuỗi khác cùng năm" in text


def test_quality_notebook_finds_the_fixture_conflicts_and_spike(runs):
    text = _text(runs["quality_fixture"])
    assert "xung đột" in text and "119" in text and "116,1" in text
    assert "trùng lặp" in text
    assert "tests/fixtures/explore_conflict.csv:4" in text  # Hà Giang 2020, given twice
    assert "đỉnh đột biến" in text and "Cao Bằng" in text
    assert "như ghi trong tệp" in text  # the recorded-boundaries rule
