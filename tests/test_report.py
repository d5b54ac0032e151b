"""The province report end to end: notebook through papermill, HTML a leader can read."""

import getpass
import re
from pathlib import Path

import pytest

from bdg_analysis import cli, runner
from bdg_analysis.errors import RunError

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def lang_son(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    result = runner.province_report(
        "Lang Son", year=None, data=None, lang="vi", out_dir=out, run_date="2026-06-01"
    )
    return result.html


def test_report_is_written_under_a_readable_name(lang_son):
    assert lang_son.exists()
    assert re.fullmatch(r"lang-son-\d{4}-vi\.html", lang_son.name)


def test_report_has_no_code_paths_users_or_warnings(lang_son):
    html = lang_son.read_text(encoding="utf-8")
    for forbidden in (
        "import ",
        "report.prepare",
        "Traceback",
        "Warning",
        "warnings.warn",
        "province = ",
        "injected",
        "/work/",
        "/home/",
        "/root/",
        "/tmp/",
        "Kernel is running over TCP",
        "In&nbsp;[",
        "jp-InputArea",
    ):
        assert forbidden not in html, forbidden
    user = getpass.getuser()
    without_css = re.sub(r"<style>.*?</style>", "", html, flags=re.S)  # CSS has ":root"
    assert not re.search(rf"\b{re.escape(user)}\b", without_css)


def test_report_is_self_contained(lang_son):
    html = lang_son.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<script" not in html
    assert html.count('src="data:image/png;base64,') >= 20  # a chart per indicator


def test_report_text_and_charts_are_vietnamese_with_diacritics(lang_son):
    html = lang_son.read_text(encoding="utf-8")
    assert "Lạng Sơn" in html
    assert "Tỷ số giới tính khi sinh" in html
    assert "Mục tiêu 4: Y tế" in html
    assert 'alt="' in html and "năm" in html


def test_report_built_on_demo_rows_says_so(lang_son):
    html = lang_son.read_text(encoding="utf-8")
    assert 'class="demo-banner"' in html
    assert "DỮ LIỆU MINH HỌA" in html


def test_a_failed_run_keeps_the_last_good_report(lang_son, tmp_path):
    import nbformat

    good = lang_son.read_text(encoding="utf-8")
    nb = nbformat.read(runner.notebooks_dir() / runner.PROVINCE_NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('chart failed')"))
    broken = tmp_path / "broken.ipynb"
    nbformat.write(nb, broken)
    with pytest.raises(RunError, match="chart failed"):
        runner.province_report(
            "Lạng Sơn",
            year=None,
            data=None,
            lang="vi",
            out_dir=lang_son.parent,
            run_date="2026-06-01",
            notebook=broken,
        )
    assert lang_son.read_text(encoding="utf-8") == good
    assert not list(lang_son.parent.glob(".*.tmp"))


def test_bad_data_is_refused_before_any_kernel_starts(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("province,indicator,year,value\nLạng Sơn,M4.CT1,2024,abc\n", encoding="utf-8")
    code = cli.main(
        ["report", "--province", "Lạng Sơn", "--data", str(bad), "--out", str(tmp_path)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "bad.csv:2: value: 'abc' is not a number" in err
    assert not list(tmp_path.glob("*.html"))


def test_cli_report_prints_the_path_and_exits_0(tmp_path, capsys):
    code = cli.main(
        [
            "report",
            "--province",
            "tỉnh Lạng Sơn",
            "--lang",
            "en",
            "--out",
            str(tmp_path),
            "--run-date",
            "2026-06-01",
        ]
    )
    out = capsys.readouterr().out.strip()
    assert code == 0
    assert out.endswith("-en.html") and Path(out).exists()
    assert "Sex ratio at birth" in Path(out).read_text(encoding="utf-8")


def test_cli_report_unknown_province_exits_2_without_traceback(tmp_path, capsys):
    code = cli.main(["report", "--province", "Hà Tây", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "Hà Tây" in err and "Traceback" not in err


def test_report_is_small_enough_and_has_its_excel_annex(lang_son):
    assert lang_son.stat().st_size < 3 * 1024 * 1024
    annex = lang_son.with_suffix(".xlsx")
    assert annex.exists()
    from openpyxl import load_workbook

    ws = load_workbook(annex).active
    assert ws["A1"].value.startswith("Báo cáo tiến độ")
    header = [c.value for c in ws[3]]
    assert "Tình trạng" in header and "Khả năng đạt" in header


def test_report_sections_are_all_there(lang_son):
    html = lang_son.read_text(encoding="utf-8")
    for anchor in (
        'id="summary"',
        'id="goal-1"',
        'id="goal-6"',
        'id="comparison"',
        'id="accountability"',
        'id="data-notes"',
    ):
        assert anchor in html
    assert "Những rủi ro lớn nhất" in html
    assert "@page" in html and "size: A4" in html
