"""Provenance records and the page shell: what built a page, said in the page, never a path."""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path

from bdg_analysis import page, paths
from bdg_analysis.version import __version__

FIXTURES = Path(__file__).parent / "fixtures"
DATA = FIXTURES / "batch_good.csv"
NOTEBOOK = FIXTURES / "batch_report.ipynb"
PARAMS = {"province": "Cao Bằng", "year": None, "data": str(DATA), "lang": "vi", "run_date": None}


def test_a_record_names_inputs_by_checksum_and_never_by_absolute_path(tmp_path):
    record = page.provenance(NOTEBOOK, PARAMS, data_files=[DATA], run_date="2026-11-30")
    assert record["version"] == __version__ and record["run_date"] == "2026-11-30"
    assert record["inputs"][0] == {
        "name": "tests/fixtures/batch_good.csv",
        "role": "data",
        "sha256": hashlib.sha256(DATA.read_bytes()).hexdigest(),
    }
    assert {i["role"] for i in record["inputs"][1:]} == {"params"}
    assert record["parameters"]["data"] == "tests/fixtures/batch_good.csv"
    assert str(paths.project_root()) not in json.dumps(record, ensure_ascii=False)
    missing = page.file_record(tmp_path / "gone.csv", "data")
    assert missing["sha256"] == "missing" and missing["name"] == "gone.csv"


def test_the_fingerprint_follows_the_inputs_and_a_fixed_run_date_only():
    record = page.provenance(NOTEBOOK, PARAMS, data_files=[DATA])
    other_day = dict(record, parameters=dict(record["parameters"], run_date="2030-01-01"))
    assert page.fingerprint(record, include_run_date=False) == page.fingerprint(
        other_day, include_run_date=False
    )
    assert page.fingerprint(record, include_run_date=True) != page.fingerprint(
        other_day, include_run_date=True
    )
    changed = dict(record, inputs=[dict(record["inputs"][0], sha256="0" * 64)])
    assert page.fingerprint(changed, include_run_date=False) != page.fingerprint(
        record, include_run_date=False
    )


def test_a_page_carries_its_record_and_a_footer_in_its_language():
    record = page.provenance(NOTEBOOK, PARAMS, data_files=[DATA], run_date="2026-11-30")
    for lang, heading in (("vi", "Nguồn gốc báo cáo"), ("en", "How this report was made")):
        text = page.page("<p>body</p>", title="T <b>", lang=lang, provenance=record)
        assert text.startswith("<!DOCTYPE html>\n") and f'<html lang="{lang}">' in text
        assert "<title>T &lt;b&gt;</title>" in text and '<main class="report">' in text
        meta = re.search(r'<meta name="bdg-provenance" content="([^"]*)">', text).group(1)
        assert json.loads(html.unescape(meta)) == record
        assert f"<strong>{heading}</strong>" in text and "<p>body</p>\n<footer" in text
    bare = page.page("<p>x</p>", title="T", lang="vi")
    assert "bdg-provenance" not in bare and "<footer" not in bare


def test_the_shell_is_one_skeleton_for_every_page():
    text = page.shell("<h1>x</h1>", title="I", lang="en", css="p{}", main_class="index")
    assert text.endswith('<main class="index">\n<h1>x</h1>\n</main>\n</body>\n</html>\n')
    assert f'<meta name="generator" content="bdg-analysis {__version__}">' in text
    assert "<style>\np{}\n</style>" in text and "http" not in text


def test_technical_details_are_a_closed_block_with_only_the_parameters_set():
    params = {"province": "Cao Bằng", "year": None, "data": None, "lang": "vi", "run_date": None}
    record = page.provenance(NOTEBOOK, params, data_files=[DATA], run_date="2026-11-30")
    cases = (
        ("vi", "Thông tin kỹ thuật", "ngôn ngữ: vi; tỉnh: Cao Bằng", "30/11/2026"),
        ("en", "Technical details", "language: vi; province: Cao Bằng", "30 November 2026"),
    )
    for lang, summary, shown, date in cases:
        footer = page.provenance_html({**record, "report_year": 2024}, lang)
        assert f"<details><summary>{summary}</summary>" in footer  # closed: no "open"
        assert "<details open" not in footer and footer.index("<details>") < footer.index("sha256")
        parameters = re.search(r"<dt>(?:Tham số|Parameters)</dt><dd>(.*?)</dd>", footer).group(1)
        assert parameters == shown  # year, data and run date were not set: not listed
        assert "–" not in footer and date in footer
        assert "<dd>2024</dd>" in footer  # the report year
    footer = page.provenance_html({**record, "parameters": {"data": "x.csv", "year": 2025}}, "en")
    assert "data: x.csv; year: 2025" in footer


def test_print_rules_number_every_page_in_the_page_language():
    vi = page.print_rules("Báo cáo: Lạng Sơn, 2025", "vi")
    assert '@bottom-right { content: "Trang " counter(page) "/" counter(pages);' in vi
    assert 'content: "Báo cáo: Lạng Sơn, 2025";' in vi
    en = page.print_rules("R", "en")
    assert 'content: "Page " counter(page) " of " counter(pages);' in en
    text = page.page("<p>x</p>", title="T", lang="en")
    assert "@page" in text and "counter(pages)" in text


def test_a_title_cannot_break_out_of_the_print_rules():
    rules = page.print_rules('x"; } </style><script>alert(1)</script>', "en")
    assert "</style><script>" not in rules and "<" not in rules.removeprefix(
        "<style>"
    ).removesuffix("</style>\n")
    assert rules.count('"') % 2 == 0
    assert page.css_string('a"b\\c') == '"a\\22 b\\5C c"'
