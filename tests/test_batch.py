"""bdg run-all: every report in parallel, failures that keep the last good report, resume,
provenance, identical pages from identical inputs, and the same files from a Dask cluster."""

import hashlib
import html
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bdg_analysis import batch, cli, kernels, paths
from bdg_analysis.version import __version__

pytestmark = pytest.mark.notebook

FIXTURES = Path(__file__).parent / "fixtures"
PROVINCES = ["Cao Bằng", "Lạng Sơn", "Điện Biên", "Lai Châu"]
PAGES = {
    "toan-quoc-2024-vi.html",
    "cao-bang-2024-vi.html",
    "lang-son-2024-vi.html",
    "dien-bien-2024-vi.html",
    "lai-chau-2024-vi.html",
}
OPTIONS = {
    "provinces": PROVINCES,
    "jobs": 2,
    "run_date": "2026-06-01",
    "timeout": 30,
    "notebook": FIXTURES / "batch_report.ipynb",
    "national_notebook": FIXTURES / "batch_national.ipynb",
    "progress": False,
}


def run(out: Path, data: str = "batch_good.csv", **options) -> tuple[batch.BatchResult, str]:
    log = io.StringIO()
    result = batch.run_all(out_dir=out, data=FIXTURES / data, stream=log, **{**OPTIONS, **options})
    return result, log.getvalue()


def pages(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.glob("*.html") if p.name != "index.html"}


def statuses(result: batch.BatchResult) -> dict[str, str]:
    return {o.name: o.status for o in result.outcomes}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> tuple[Path, batch.BatchResult, str]:
    out = tmp_path_factory.mktemp("reports")
    result, log = run(out)
    return out, result, log


def test_run_all_builds_every_report_and_an_index(baseline):
    out, result, log = baseline
    assert result.exit_code == 0, log
    assert set(pages(out)) == PAGES
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in PAGES:
        assert f'href="{name}"' in index
    assert "đã lập: 5" in index and "Toàn quốc" in index
    assert re.search(r"thời gian \d+ s", index)  # build time
    assert log.count(" ok ") == 5 and "\x1b" not in log and "\r" not in log  # plain log lines
    manifest = json.loads((out / batch.MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["reports"]["cao-bang/vi/latest"]["file"] == "cao-bang-2024-vi.html"
    assert not list(out.glob(".*.tmp"))


def test_each_report_records_its_provenance(baseline):
    out, _, _ = baseline
    page = (out / "lai-chau-2024-vi.html").read_text(encoding="utf-8")
    meta = re.search(r'<meta name="bdg-provenance" content="([^"]*)">', page)
    record = json.loads(html.unescape(meta.group(1)))
    data = FIXTURES / "batch_good.csv"
    assert record["version"] == __version__
    assert record["notebook"]["name"] == "tests/fixtures/batch_report.ipynb"
    assert record["inputs"][0] == {
        "name": "tests/fixtures/batch_good.csv",
        "role": "data",
        "sha256": hashlib.sha256(data.read_bytes()).hexdigest(),
    }
    assert record["parameters"]["province"] == "Lai Châu"
    assert record["run_date"] == "2026-06-01" and record["report_year"] == 2024
    assert 'class="provenance"' in page and "Nguồn gốc báo cáo" in page
    assert str(paths.project_root()) not in page and str(out) not in page


def test_identical_inputs_give_identical_html(baseline, tmp_path):
    # A second run, with ordinary (spawned) kernels this time instead of forked ones.
    result, log = run(tmp_path, kernel="spawn", provinces=["Cao Bằng", "Lai Châu"], national=False)
    assert result.exit_code == 0, log
    again = pages(tmp_path)
    assert set(again) == {"cao-bang-2024-vi.html", "lai-chau-2024-vi.html"}
    assert again == {name: page for name, page in pages(baseline[0]).items() if name in again}


def test_failed_runs_keep_the_previous_reports_and_exit_1(baseline, tmp_path, monkeypatch, capsys):
    # A project whose province notebook is the test one and which has no national overview.
    home = tmp_path / "project"
    (home / "notebooks").mkdir(parents=True)
    shutil.copy(FIXTURES / "batch_report.ipynb", home / "notebooks" / "province_report.ipynb")
    monkeypatch.setenv("BDG_HOME", str(home))
    out = tmp_path / "reports"
    shutil.copytree(baseline[0], out)
    before = pages(out)
    # Lạng Sơn's data make its notebook raise, Điện Biên's kill the kernel, Lai Châu's hang.
    code = cli.main(
        [
            "run-all",
            "--provinces",
            ",".join(PROVINCES),
            "--data",
            str(FIXTURES / "batch_faults.csv"),
            "--out",
            str(out),
            "--jobs",
            "2",
            "--run-date",
            "2026-06-01",
            "--timeout",
            "8",
        ]
    )
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out.strip() == str(out / "index.html")
    after = pages(out)
    assert after["cao-bang-2024-vi.html"] != before["cao-bang-2024-vi.html"]  # rebuilt
    for kept in ("lang-son-2024-vi.html", "dien-bien-2024-vi.html", "lai-chau-2024-vi.html"):
        assert after[kept] == before[kept]
    assert not list(out.glob(".*.tmp"))
    log = captured.err
    assert "FAILED Lạng Sơn" in log and "cannot be read" in log
    assert "FAILED Điện Biên" in log and "kernel died" in log
    assert "FAILED Lai Châu" in log and "timeout" in log
    assert "previous report kept: lai-chau-2024-vi.html" in log
    assert "national_overview.ipynb not found" in log
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "lỗi: 3" in index and "đã lập: 1" in index
    row = re.search(r'<tr class="status-failed"><td>Lạng Sơn</td>.*?</tr>', index).group(0)
    assert 'href="lang-son-2024-vi.html"' in row and "cannot be read" in row
    assert "giữ báo cáo trước" in row
    assert "chưa có sổ tính" in index  # the national overview is missing, and says so
    entry = json.loads((out / batch.MANIFEST_NAME).read_text(encoding="utf-8"))["reports"]
    assert entry["lai-chau/vi/latest"]["last_status"] == "failed"
    assert (
        entry["lai-chau/vi/latest"]["sha256"]
        == hashlib.sha256(before["lai-chau-2024-vi.html"]).hexdigest()
    )


def test_resume_skips_reports_that_are_up_to_date(baseline, tmp_path):
    out = tmp_path / "reports"
    shutil.copytree(baseline[0], out)
    (out / "lai-chau-2024-vi.html").unlink()
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.html")}
    result, log = run(out, resume=True)
    assert result.exit_code == 0, log
    assert statuses(result) == {
        "Toàn quốc": "current",
        "Cao Bằng": "current",
        "Lạng Sơn": "current",
        "Điện Biên": "current",
        "Lai Châu": "ok",
    }
    assert "up to date Cao Bằng" in log
    for name, stamp in stamps.items():
        if name != "index.html":
            assert (out / name).stat().st_mtime_ns == stamp
    assert pages(out) == pages(baseline[0])


def test_an_input_change_makes_a_report_stale():
    job, _ = batch.plan_jobs(
        provinces=["Cao Bằng"], data=FIXTURES / "batch_good.csv", run_date=None, national=False
    )
    same, _ = batch.plan_jobs(
        provinces=["Cao Bằng"], data=FIXTURES / "batch_good.csv", run_date=None, national=False
    )
    other_data, _ = batch.plan_jobs(
        provinces=["Cao Bằng"], data=FIXTURES / "batch_faults.csv", run_date=None, national=False
    )
    fixed_date, _ = batch.plan_jobs(
        provinces=["Cao Bằng"],
        data=FIXTURES / "batch_good.csv",
        run_date="2026-06-01",
        national=False,
    )
    assert job[0].fingerprint == same[0].fingerprint
    assert job[0].fingerprint != other_data[0].fingerprint
    assert job[0].fingerprint != fixed_date[0].fingerprint


def test_dask_executor_produces_the_same_files_as_the_local_one(baseline, tmp_path):
    pytest.importorskip("distributed")
    result, log = run(tmp_path, executor="dask", provinces=["Cao Bằng", "Lạng Sơn"])
    assert result.exit_code == 0, log
    on_dask = pages(tmp_path)
    assert set(on_dask) == {
        "toan-quoc-2024-vi.html",
        "cao-bang-2024-vi.html",
        "lang-son-2024-vi.html",
    }
    assert on_dask == {name: page for name, page in pages(baseline[0]).items() if name in on_dask}


def test_bad_data_fails_fast_with_exit_2_before_any_kernel_starts(tmp_path, capsys):
    out = tmp_path / "reports"
    code = cli.main(["run-all", "--data", str(FIXTURES / "batch_bad.csv"), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "batch_bad.csv:2: value: 'abc' is not a number" in err
    assert not out.exists()


def test_unknown_province_exits_2(tmp_path, capsys):
    code = cli.main(
        [
            "run-all",
            "--provinces",
            "Cao Bằng,Hà Tây",
            "--out",
            str(tmp_path),
            "--data",
            str(FIXTURES / "batch_good.csv"),
        ]
    )
    assert code == 2
    assert "Hà Tây" in capsys.readouterr().err


@pytest.fixture
def refuse_all():
    def refuse(jobs, options):
        for job in jobs:
            yield batch.Outcome(job.key, job.name, job.kind, batch.FAILED, reason="no room")

    batch.register_executor("refuse-all")(refuse)  # an executor is one registered function
    yield "refuse-all"
    del batch.EXECUTORS["refuse-all"]


def test_an_executor_is_one_registered_function(tmp_path, refuse_all):
    result, log = run(tmp_path, executor="refuse-all", provinces=["Cao Bằng"], national=False)
    assert result.exit_code == 1 and statuses(result) == {"Cao Bằng": "failed"}
    assert "no room" in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_failure_reasons_are_one_line():
    timeout = batch.failure_reason(
        "x.ipynb: run failed: CellTimeoutError: A cell timed out\npreview...", 8
    )
    assert timeout.startswith("timeout: a cell ran longer than 8 s") and "\n" not in timeout
    assert batch.failure_reason("x: DeadKernelError: Kernel died").startswith("the kernel died")


def test_the_runner_knows_the_notebook_meta_type():
    from bdg_analysis import report, runner

    assert runner.META_MIME == report.META_MIME


def test_notebook_imports_are_what_a_zygote_preloads():
    names = kernels.notebook_imports(FIXTURES / "batch_report.ipynb")
    assert {"pandas", "matplotlib.pyplot", "bdg_analysis.text", "IPython.display"} <= set(names)


def test_papermill_cli_contract_stays_open(tmp_path):
    out = tmp_path / "out.ipynb"
    notebook = paths.project_root() / "notebooks" / "province_report.ipynb"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            "--prepare-only",
            str(notebook),
            str(out),
            "-p",
            "province",
            "Cao Bằng",
            "-p",
            "year",
            "2025",
        ],
        check=True,
        capture_output=True,
    )
    injected = [
        c
        for c in json.loads(out.read_text(encoding="utf-8"))["cells"]
        if "injected-parameters" in c["metadata"].get("tags", [])
    ]
    values: dict = {}
    exec("".join(injected[0]["source"]), values)  # papermill writes "Cao B\\u1eb1ng"
    assert values["province"] == "Cao Bằng" and values["year"] == 2025
    readme = (paths.project_root() / "README.md").read_text(encoding="utf-8")
    assert '-p province "Cao Bằng" -p year 2025' in readme


def test_a_second_run_on_the_same_folder_is_refused(tmp_path, refuse_all):
    import fcntl

    with (tmp_path / batch.LOCK_NAME).open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(batch.BdgError, match="another bdg run-all"):
            run(tmp_path, executor="refuse-all", provinces=["Cao Bằng"], national=False)


def test_a_terminal_gets_a_progress_bar():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    bar = batch._Progress(2, screen, None)
    bar.report(batch.Outcome("a", "Cao Bằng", "province", batch.OK, file="a.html"), None)
    bar.report(batch.Outcome("b", "Lạng Sơn", "province", batch.FAILED, reason="boom"), "b.html")
    bar.close()
    text = screen.getvalue()
    assert "2/2" in text and "\r" in text
    assert "FAILED Lạng Sơn: boom; previous report kept: b.html" in text


def test_real_report_gets_its_annex_and_status_counts_in_the_index(tmp_path):
    log = io.StringIO()
    result = batch.run_all(
        out_dir=tmp_path,
        data=FIXTURES / "report_small.csv",
        stream=log,
        provinces=["Lạng Sơn"],
        jobs=1,
        run_date="2026-06-01",
        national=False,
        progress=False,
    )
    assert result.exit_code == 0, log.getvalue()
    assert (tmp_path / "lang-son-2025-vi.xlsx").exists()
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    counts = re.search(r'<td class="counts" title="([^"]*)">([^<]*)</td>', index)
    assert counts and "Thiếu số liệu" in counts.group(1) and "?" in counts.group(2)


def test_the_overview_runs_last_to_reuse_scorecards_but_heads_the_index(baseline, monkeypatch):
    jobs, _ = batch.plan_jobs(
        provinces=["Cao Bằng", "Lạng Sơn"], data=FIXTURES / "batch_good.csv", run_date="2026-06-01"
    )
    assert [j.kind for j in jobs] == ["province", "province", "national"]
    monkeypatch.setenv("BDG_CACHE_DIR", "")  # no cache: nothing to reuse, the long pole first
    jobs, _ = batch.plan_jobs(
        provinces=["Cao Bằng", "Lạng Sơn"], data=FIXTURES / "batch_good.csv", run_date="2026-06-01"
    )
    assert [j.kind for j in jobs] == ["national", "province", "province"]
    index = (baseline[0] / "index.html").read_text(encoding="utf-8")
    assert index.index("toan-quoc-2024-vi.html") < index.index("cao-bang-2024-vi.html")


def test_plain_papermill_runs_log_no_kernel_tcp_warning(tmp_path):
    import nbformat

    config = Path(sys.prefix) / "etc" / "ipython" / "ipython_kernel_config.json"
    if not config.exists():
        pytest.skip("this environment was not set up by make (no kernel config)")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("1 + 1")]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, tmp_path / "tiny.ipynb")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            str(tmp_path / "tiny.ipynb"),
            str(tmp_path / "out.ipynb"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Kernel is running over TCP" not in result.stderr
    assert config.read_text(encoding="utf-8") == (
        paths.project_root() / "config" / "ipython" / "ipython_kernel_config.json"
    ).read_text(encoding="utf-8")  # the venv has the project's current config


# ------------------------------------------------------------------ publishing, without kernels

CANNED_META = {
    "year": 2024,
    "demo_rows": 4,
    "status_counts": {"achieved": 2, "off_track": 1},
    "annex": {"columns": ["Chỉ tiêu", "Giá trị"], "rows": [["Tỷ lệ", 1.5]]},
}


@pytest.fixture
def canned():
    """An executor that builds every job at once in this process: a page and an annex table."""
    calls: list[str] = []

    def build(jobs, options):
        for job in jobs:
            calls.append(job.name)
            yield batch.Outcome(
                job.key,
                job.name,
                job.kind,
                batch.OK,
                file=batch.report_file(job.stem, 2024, job.lang),
                report_year=2024,
                sha256=hashlib.sha256(f"<p>{job.name}</p>".encode()).hexdigest(),
                html=f"<p>{job.name}</p>",
                meta=CANNED_META,
                title=f"{job.name} 2024",
            )

    batch.register_executor("canned")(build)
    yield calls
    del batch.EXECUTORS["canned"]


def canned_run(out: Path, **options) -> tuple[batch.BatchResult, str]:
    return run(
        out, executor="canned", provinces=["Cao Bằng", "Lạng Sơn"], national=False, **options
    )


def test_resume_rebuilds_a_report_whose_annex_is_missing(tmp_path, canned):
    result, log = canned_run(tmp_path)
    assert result.exit_code == 0, log
    assert (tmp_path / "cao-bang-2024-vi.xlsx").exists()
    (tmp_path / "lang-son-2024-vi.xlsx").unlink()
    canned.clear()
    result, log = canned_run(tmp_path, resume=True)
    assert statuses(result) == {"Cao Bằng": "current", "Lạng Sơn": "ok"}
    assert canned == ["Lạng Sơn"] and (tmp_path / "lang-son-2024-vi.xlsx").exists()
    (tmp_path / "cao-bang-2024-vi.xlsx").write_bytes(b"changed by hand")
    result, _ = canned_run(tmp_path, resume=True)
    assert statuses(result) == {"Cao Bằng": "ok", "Lạng Sơn": "current"}


def test_a_report_that_cannot_be_written_fails_alone_and_keeps_its_pair(
    tmp_path, canned, monkeypatch
):
    import errno
    import os

    canned_run(tmp_path)
    page = tmp_path / "lang-son-2024-vi.html"
    page.write_text("previous", encoding="utf-8")
    annex = page.with_suffix(".xlsx").read_bytes()
    real_replace = os.replace

    def full_disk(src, dst, *args, **kwargs):
        if Path(dst).name.startswith("lang-son"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", full_disk)
    result, log = canned_run(tmp_path)
    assert statuses(result) == {"Cao Bằng": "ok", "Lạng Sơn": "failed"}
    assert "FAILED Lạng Sơn: cannot write:" in log and "disk is full" in log
    assert page.read_text(encoding="utf-8") == "previous"
    assert page.with_suffix(".xlsx").read_bytes() == annex
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith((".tmp", ".keep"))]


def test_the_index_says_the_run_date_and_warns_of_demonstration_data(tmp_path, canned):
    result, log = canned_run(tmp_path)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Ngày lập: 01/06/2026" in index and "2026-06-01" not in index
    assert 'class="demo-banner"' in index and "2/2 báo cáo" in index and "(8 giá trị" in index
    assert '">✔</span> Đã đạt</li>' in index and '">?</span> Thiếu số liệu</li>' in index
    manifest = json.loads((tmp_path / batch.MANIFEST_NAME).read_text(encoding="utf-8"))
    entry = manifest["reports"]["lang-son/vi/latest"]
    assert entry["demo_rows"] == 4 and entry["annex"] == "lang-son-2024-vi.xlsx"


def test_the_annexes_of_a_run_are_reproducible(tmp_path, canned):
    canned_run(tmp_path / "a")
    canned_run(tmp_path / "b")
    for name in ("cao-bang-2024-vi.xlsx", "lang-son-2024-vi.xlsx"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
