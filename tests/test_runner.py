"""The runner: one render for every report, the report and its annex published as a pair, and
the checks made before any kernel starts (run date, output folder, data, year)."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from bdg_analysis import annex, batch, cli, geo, runner, text, words
from bdg_analysis.errors import BdgInputError

FIXTURES = Path(__file__).parent / "fixtures"
ANNEX_META = {
    "year": 2025,
    "title": "Báo cáo: Lạng Sơn, 2025",
    "demo_rows": 3,
    "annex": {
        "columns": ["Chỉ tiêu", "Giá trị"],
        "rows": [["Tỷ số giới tính khi sinh\x1b[31m", 112.3], ["Nữ\x00 đại biểu", 30.0]],
    },
}


def _pair(folder: Path, stem: str = "lang-son-2025-vi") -> tuple[Path, Path]:
    html, xlsx = folder / f"{stem}.html", folder / f"{stem}.xlsx"
    html.write_text("old page", encoding="utf-8")
    xlsx.write_bytes(b"old annex")
    return html, xlsx


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or ".tmp" in p.name)


# ------------------------------------------------------------------ publishing a pair


def test_write_report_installs_the_page_and_its_annex(tmp_path):
    html, xlsx = _pair(tmp_path)
    page, sheet = runner.write_report(
        html, "<p>new</p>", ANNEX_META, title="T", lang="vi", run_date="2026-11-30"
    )
    assert page == html and sheet == xlsx
    assert html.read_text(encoding="utf-8") == "<p>new</p>"
    assert zipfile.is_zipfile(xlsx)
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("failing", ["annex", "page"])
@pytest.mark.parametrize("had_annex", [True, False])
def test_a_failed_move_keeps_the_previous_pair_and_no_temporary_file(
    tmp_path, monkeypatch, failing, had_annex
):
    html, xlsx = _pair(tmp_path)
    if not had_annex:
        xlsx.unlink()
    real_replace = os.replace

    def full_disk(src, dst, *args, **kwargs):
        if str(dst).endswith(".xlsx" if failing == "annex" else ".html"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(BdgInputError) as caught:
        runner.write_report(
            html, "<p>new</p>", ANNEX_META, title="T", lang="vi", run_date="2026-11-30"
        )
    message = str(caught.value)
    assert "\n" not in message and "disk is full" in message
    assert caught.value.exit_code == 1  # not the user's input: a failed run
    assert html.read_text(encoding="utf-8") == "old page"
    if had_annex:
        assert xlsx.read_bytes() == b"old annex"  # put back when the page could not follow
    else:
        assert not xlsx.exists()
    assert _leftovers(tmp_path) == []


def test_a_full_disk_while_writing_keeps_the_previous_pair(tmp_path, monkeypatch):
    html, xlsx = _pair(tmp_path)

    def full(workbook, path, *, created=None):
        Path(path).write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(annex, "save", full)
    with pytest.raises(BdgInputError, match="disk is full"):
        runner.write_report(html, "<p>new</p>", ANNEX_META, title="T", lang="vi", run_date=None)
    assert html.read_text(encoding="utf-8") == "old page"
    assert xlsx.read_bytes() == b"old annex"
    assert _leftovers(tmp_path) == []


def test_a_workbook_openpyxl_refuses_leaves_the_previous_pair(tmp_path, monkeypatch):
    html, xlsx = _pair(tmp_path)

    def broken(*args, **kwargs):
        raise ValueError("cannot be used in worksheets")

    monkeypatch.setattr(annex, "save", broken)
    with pytest.raises(ValueError):
        runner.write_report(html, "<p>new</p>", ANNEX_META, title="T", lang="vi", run_date=None)
    assert html.read_text(encoding="utf-8") == "old page"
    assert xlsx.read_bytes() == b"old annex"
    assert _leftovers(tmp_path) == []


@contextlib.contextmanager
def _tiny_file_system(folder: Path, size: str = "256k"):
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_really_full_disk_keeps_the_previous_pair(tmp_path):
    with _tiny_file_system(tmp_path / "small") as small:
        html, xlsx = _pair(small)
        big = "<p>" + "x" * 400_000 + "</p>"  # larger than the file system
        code = None
        try:
            runner.write_report(html, big, ANNEX_META, title="T", lang="vi", run_date=None)
        except BdgInputError as err:
            code = err.exit_code
            assert "disk is full" in str(err)
        assert code == 1
        assert html.read_text(encoding="utf-8") == "old page"
        assert xlsx.read_bytes() == b"old annex"
        assert _leftovers(small) == []


def test_the_annex_is_byte_identical_on_rerun_and_dated_by_the_run_date(tmp_path):
    made = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        page = tmp_path / name / "lang-son-2025-vi.html"
        runner.write_report(page, "<p/>", ANNEX_META, title="T", lang="vi", run_date="2026-11-30")
        made.append(page.with_suffix(".xlsx"))
    assert made[0].read_bytes() == made[1].read_bytes()
    with zipfile.ZipFile(made[0]) as book:
        assert {info.date_time for info in book.infolist()} == {(2026, 11, 30, 0, 0, 0)}
        core = book.read("docProps/core.xml").decode()
    assert core.count("2026-11-30T00:00:00Z") == 2  # created and modified


def test_control_characters_never_reach_the_annex_or_the_page(tmp_path):
    from openpyxl import load_workbook

    html, _ = _pair(tmp_path)
    _, sheet = runner.write_report(
        html, "<p/>", ANNEX_META, title="T\x07", lang="vi", run_date=None
    )
    ws = load_workbook(sheet).active
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "Tỷ số giới tính khi sinh[31m" in cells and "Nữ đại biểu" in cells
    assert not any(ch in "".join(cells) for ch in "\x00\x07\x1b")
    assert text.escape("a\x00b\x1b[31mc\x7fd\te\nf\rg") == "ab[31mcd\te\nfg"


def test_the_annex_note_is_in_the_report_language(tmp_path):
    from openpyxl import load_workbook

    html, _ = _pair(tmp_path)
    _, sheet = runner.write_report(html, "<p/>", ANNEX_META, title="T", lang="en", run_date=None)
    texts = [c.value for row in load_workbook(sheet).active.iter_rows() for c in row]
    note = next(t for t in texts if isinstance(t, str) and "DEMONSTRATION" in t)
    assert "3 demonstration values" in note and "MINH HỌA" not in note


# ------------------------------------------------------------------ one render for every report


@pytest.fixture
def canned_render(monkeypatch):
    """runner.render without a kernel: records its calls and returns a fixed page."""
    calls = []

    def render(notebook, parameters, *, name, lang, provenance, timeout=600, engine_options=None):
        calls.append({"notebook": notebook, "parameters": parameters, "name": name})
        return runner.Rendered(
            html=f"<p>{name}</p>", meta=ANNEX_META, year=2025, title=f"{name} 2025", timings={}
        )

    monkeypatch.setattr(runner, "render", render)
    return calls


def test_bdg_report_and_run_all_go_through_the_same_render(tmp_path, monkeypatch, canned_render):
    result = runner.province_report(
        geo.resolve("Lạng Sơn").province,
        year=None,
        data=None,
        lang="vi",
        out_dir=tmp_path,
        run_date="2026-11-30",
    )
    assert result.html.read_text(encoding="utf-8") == "<p>Lạng Sơn</p>"
    assert result.annex == result.html.with_suffix(".xlsx") and result.annex.exists()
    jobs, _ = batch.plan_jobs(
        provinces=["Cao Bằng"], run_date="2026-11-30", national=False, kernel="spawn"
    )
    monkeypatch.setattr(batch, "_PREPARED", True)  # keep this process's environment as it is
    outcome = batch.run_job(jobs[0])
    assert outcome.status == batch.OK and outcome.html == "<p>Cao Bằng</p>"
    assert [c["name"] for c in canned_render] == ["Lạng Sơn", "Cao Bằng"]


def test_a_province_is_passed_down_resolved(tmp_path, canned_render):
    place = geo.resolve("tỉnh lang son").province
    runner.province_report(place, year=None, data=None, lang="en", out_dir=tmp_path)
    assert canned_render[0]["parameters"]["province"] == "Lạng Sơn"


# ------------------------------------------------------------------ checks before any kernel


@pytest.mark.parametrize(
    "value", ["<script>alert(1)</script>", "2026-13-01", "30/11/2026", "2026-02-30", "20261130"]
)
def test_a_bad_run_date_is_refused(value):
    with pytest.raises(BdgInputError) as caught:
        runner.check_run_date(value)
    assert "--run-date" in str(caught.value) and "YYYY-MM-DD" in str(caught.value)


def test_a_good_run_date_passes():
    assert runner.check_run_date("2026-11-30") == "2026-11-30"
    assert runner.check_run_date(None) is None


def test_an_output_folder_that_is_a_file_is_refused(tmp_path):
    existing = tmp_path / "report.html"
    existing.write_text("x", encoding="utf-8")
    for out in (existing, existing / "sub"):
        with pytest.raises(BdgInputError, match="is a file, not a folder"):
            runner.check_out_dir(out)


def test_an_output_path_too_long_is_refused(tmp_path):
    with pytest.raises(BdgInputError, match="too long"):
        runner.check_out_dir(tmp_path / ("x" * 300))
    deep = tmp_path.joinpath(*(["y" * 200] * 25))  # every name fine, the whole path too long
    with pytest.raises(BdgInputError, match="too long"):
        runner.check_out_dir(deep)


def test_an_unwritable_output_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(BdgInputError, match="no permission to write"):
        runner.check_out_dir(tmp_path / "new" / "reports")


def test_a_read_only_file_system_is_refused(tmp_path):
    with _tiny_file_system(tmp_path / "ro") as folder:
        done = subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=False)
        if done.returncode != 0:
            pytest.skip("cannot remount read-only")
        with pytest.raises(BdgInputError, match="no permission to write"):
            runner.check_out_dir(folder / "reports")


def test_a_writable_new_folder_passes_and_is_not_created(tmp_path):
    out = runner.check_out_dir(tmp_path / "a" / "b")
    assert out == tmp_path / "a" / "b" and not (tmp_path / "a").exists()


def test_relative_data_is_taken_from_the_callers_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert runner.data_files("mine.csv") == [tmp_path / "mine.csv"]
    assert runner.data_files(None) == [runner.paths.default_data_file()]


def test_data_without_rows_for_the_province_is_refused():
    with pytest.raises(BdgInputError, match="no rows for Hà Nội"):
        runner.check_inputs(
            [FIXTURES / "report_small.csv"], province=geo.resolve("Hà Nội").province
        )


@pytest.mark.parametrize("year", [1900, 2015, 2031, 3000])
def test_a_year_outside_the_data_or_the_plan_is_refused(year):
    place = geo.resolve("Lạng Sơn").province
    with pytest.raises(BdgInputError) as caught:
        runner.check_inputs([FIXTURES / "report_small.csv"], province=place, year=year)
    message = str(caught.value)
    assert "--year" in message and "2016-2025" in message and "2030" in message


@pytest.mark.parametrize("year", [2016, 2024, 2026, 2030])
def test_a_year_within_the_data_or_after_it_within_the_plan_passes(year):
    # a December 2026 report on figures published up to 2025 is the usual case
    place = geo.resolve("Lạng Sơn").province
    inputs = runner.check_inputs([FIXTURES / "report_small.csv"], province=place, year=year)
    assert (inputs.first_year, inputs.last_year) == (2016, 2025)


def test_a_year_far_beyond_the_latest_data_is_refused(tmp_path):
    old = tmp_path / "old.csv"
    old.write_text("province,indicator,year,value\nLạng Sơn,M4.CT1,2019,110\n", encoding="utf-8")
    place = geo.resolve("Lạng Sơn").province
    runner.check_inputs([old], province=place, year=2024)
    with pytest.raises(BdgInputError, match="from 2019 to 2024"):
        runner.check_inputs([old], province=place, year=2025)


# ------------------------------------------------------------------ the command line, end to end


def _no_kernel(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(runner, "render", refuse)
    monkeypatch.setattr(batch, "EXECUTORS", {"local": refuse})


SMALL = str(FIXTURES / "report_small.csv")
BAD_ARGUMENTS = {
    "report bad run date": ["report", "--province", "Lạng Sơn", "--run-date", "<script>x</script>"],
    "run-all bad run date": ["run-all", "--run-date", "2026-02-30"],
    "report year 3000": ["report", "--province", "Lạng Sơn", "--data", SMALL, "--year", "3000"],
    "report year 1900": ["report", "--province", "Lạng Sơn", "--data", SMALL, "--year", "1900"],
    "run-all year 3000": ["run-all", "--data", SMALL, "--year", "3000"],
    "report language": ["report", "--province", "Lạng Sơn", "--lang", "fr"],
    "run-all language": ["run-all", "--lang", "fr"],
    "report no rows": ["report", "--province", "Hà Nội", "--data", SMALL],
    "run-all no data file": ["run-all", "--data", "no-such-file.csv"],
}


@pytest.mark.parametrize("args", BAD_ARGUMENTS.values(), ids=BAD_ARGUMENTS.keys())
def test_bad_arguments_exit_2_in_one_line_before_any_kernel(tmp_path, capsys, monkeypatch, args):
    _no_kernel(monkeypatch)
    html, xlsx = _pair(tmp_path)
    assert cli.main([*args, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert html.read_text(encoding="utf-8") == "old page" and xlsx.read_bytes() == b"old annex"
    assert sorted(p.name for p in tmp_path.iterdir()) == [html.name, xlsx.name]


@pytest.mark.parametrize("command", ["report", "run-all"])
def test_an_output_folder_that_is_a_file_exits_2(tmp_path, capsys, monkeypatch, command):
    _no_kernel(monkeypatch)
    target = tmp_path / "taken"
    target.write_text("x", encoding="utf-8")
    args = [command, "--out", str(target)] + (
        ["--province", "Cao Bằng"] if command == "report" else []
    )
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err and len(err.strip().splitlines()) == 1


def test_jobs_must_be_at_least_one(tmp_path, capsys, monkeypatch):
    _no_kernel(monkeypatch)
    assert cli.main(["run-all", "--jobs", "0", "--out", str(tmp_path)]) == 2
    assert "--jobs: must be at least 1" in capsys.readouterr().err


def test_bdg_report_resolves_relative_data_from_the_callers_folder(
    tmp_path, capsys, monkeypatch, canned_render
):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "mine.csv").write_bytes((FIXTURES / "report_small.csv").read_bytes())
    monkeypatch.chdir(folder)
    code = cli.main(["report", "--province", "Lạng Sơn", "--data", "mine.csv", "--out", "out"])
    assert code == 0, capsys.readouterr().err
    assert canned_render[0]["parameters"]["data"] == str(folder / "mine.csv")
    assert (folder / "out" / "lang-son-2025-vi.html").exists()


def test_a_full_disk_in_bdg_report_is_one_line_and_keeps_the_pair(
    tmp_path, capsys, monkeypatch, canned_render
):
    html, xlsx = _pair(tmp_path)
    real_replace = os.replace

    def full_disk(src, dst, *args, **kwargs):
        if str(dst).endswith(".html"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", full_disk)
    code = cli.main(["report", "--province", "Lạng Sơn", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and "disk is full" in err
    assert html.read_text(encoding="utf-8") == "old page"
    assert _leftovers(tmp_path) == []


def test_messages_follow_the_language_of_the_environment(monkeypatch, capsys):
    # the error is said when printed: English as text, Vietnamese on a Vietnamese command line
    with pytest.raises(BdgInputError, match="is not a date") as caught:
        runner.check_run_date("hôm nay")
    assert "không phải là một ngày" in words.problem_line(caught.value.problems[0], "vi")
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "vi_VN.UTF-8")
    assert cli.main(["report", "--province", "Cao Bằng", "--run-date", "hôm nay"]) == 2
    assert "không phải là một ngày" in capsys.readouterr().err
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert cli.main(["report", "--province", "Cao Bằng", "--run-date", "today"]) == 2
    assert "is not a date" in capsys.readouterr().err


# ------------------------------------------------------------------ run-all's log, in words


@pytest.fixture
def two_outcomes():
    """An executor without kernels: Cao Bằng builds, Lạng Sơn's kernel dies."""

    def build(jobs, options):
        for job in jobs:
            if job.name == "Lạng Sơn":
                reason = batch.failure_reason("x: DeadKernelError: Kernel died", 8, job.log_lang)
                yield batch.Outcome(job.key, job.name, job.kind, batch.FAILED, reason=reason)
            else:
                yield batch.Outcome(
                    job.key,
                    job.name,
                    job.kind,
                    batch.OK,
                    file=batch.report_file(job.stem, 2025, job.lang),
                    report_year=2025,
                    html="<p>ok</p>",
                    meta=ANNEX_META,
                    title="T",
                )

    batch.register_executor("two-outcomes")(build)
    yield
    del batch.EXECUTORS["two-outcomes"]


@pytest.mark.parametrize(
    ("env", "lang", "expected"),
    [
        ("vi_VN.UTF-8", None, "vi"),  # the environment speaks Vietnamese
        ("C.UTF-8", "vi", "vi"),  # asked for Vietnamese
        ("C.UTF-8", None, "en"),
        ("en_GB.UTF-8", "en", "en"),
    ],
)
def test_run_all_logs_in_vietnamese_for_lang_vi_or_a_vietnamese_environment(
    tmp_path, monkeypatch, capsys, two_outcomes, env, lang, expected
):
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", env)
    args = ["run-all", "--provinces", "Cao Bằng,Lạng Sơn", "--no-national"]
    args += ["--executor", "two-outcomes", "--out", str(tmp_path), "--run-date", "2026-11-30"]
    args += ["--lang", lang] if lang else []
    assert cli.main(args) == 1
    log = capsys.readouterr().err
    if expected == "vi":
        assert "báo cáo cần lập" in log and "xong Cao Bằng" in log
        assert "LỖI Lạng Sơn: kernel đã dừng đột ngột" in log and "chưa có báo cáo trước" in log
        assert "xong sau" in log and "1 đã lập, 1 lỗi" in log
        assert "FAILED" not in log and "report(s)" not in log
    else:
        assert "report(s) to build" in log and " ok Cao Bằng" in log
        assert "FAILED Lạng Sơn: the kernel died" in log and "no previous report" in log
        assert "done in" in log and "1 ok, 1 failed" in log
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang or "vi"}">' in index  # the pages keep their own language


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_failure_reasons_are_in_the_language_asked(lang):
    timeout = batch.failure_reason("nb: run failed: CellTimeoutError: timed out", 8, lang)
    died = batch.failure_reason("nb: DeadKernelError: Kernel died", None, lang)
    if lang == "vi":
        assert timeout.startswith("quá thời gian: một ô chạy lâu hơn 8 giây (--timeout)")
        assert died.startswith("kernel đã dừng đột ngột")
    else:
        assert timeout.startswith("timeout: a cell ran longer than 8 s (--timeout)")
        assert died.startswith("the kernel died")
    assert "\n" not in timeout + died


def test_a_single_report_stops_its_kernel_without_the_interrupt_that_logs_an_error(
    tmp_path, monkeypatch
):
    """jupyter_client interrupts a kernel before shutting it down; ipykernel then may log
    "KeyboardInterrupt caught in kernel." into a scheduled job's log. bdg report, like run-all,
    uses the kernel manager that skips that interrupt (interrupts on timeout still go)."""
    import papermill as pm

    seen = {}
    monkeypatch.setattr(pm, "execute_notebook", lambda *a, **kw: seen.update(kw))
    runner.execute(tmp_path / "in.ipynb", tmp_path / "out.ipynb", {})
    manager = seen["kernel_manager_class"]
    km = manager()
    km.shutting_down = True
    interrupted = []

    async def parent_interrupt(self):
        interrupted.append(True)

    base = manager.__mro__[1]
    monkeypatch.setattr(base, "_async_interrupt_kernel", parent_interrupt)
    import asyncio

    asyncio.run(km._async_interrupt_kernel())
    assert interrupted == []
    km.shutting_down = False
    asyncio.run(km._async_interrupt_kernel())
    assert interrupted == [True]
