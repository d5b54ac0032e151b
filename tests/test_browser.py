"""Reports, the national overview and the index open in headless Chromium with the network off:
no request leaves, no console error, and axe-core finds no WCAG 2.1 A/AA violation."""

import io
import os
import shutil
from pathlib import Path

import pytest

from bdg_analysis import batch, runner

pytestmark = pytest.mark.notebook

CHROMIUM = os.environ.get("BDG_CHROMIUM") or shutil.which("chromium")
ARTIFACTS = Path(os.environ.get("BDG_TEST_ARTIFACTS", "test-artifacts"))

if not CHROMIUM:
    if os.environ.get("BDG_REQUIRE_BROWSER"):
        raise RuntimeError(
            "Chromium is required (BDG_REQUIRE_BROWSER is set) but not installed; "
            "run `make browser` (Debian package 'chromium')"
        )
    pytest.skip(
        "Chromium not installed: run `make browser` to enable the browser tests",
        allow_module_level=True,
    )

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

# The rules of WCAG 2.1 levels A and AA, as axe-core tags them
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def open_offline(html: Path, screenshot: Path) -> dict:
    """Load ``html`` with the network off; return requests, console errors and dialogs."""
    seen = {"requests": [], "errors": [], "dialogs": [], "title": "", "text": ""}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(offline=True, viewport={"width": 1100, "height": 900})
        page = context.new_page()
        page.on("request", lambda r: seen["requests"].append(r.url))
        page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
        page.on("pageerror", lambda e: seen["errors"].append(str(e)))
        page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
        page.goto(html.resolve().as_uri(), wait_until="load")
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=False)
        seen["title"] = page.title()
        seen["text"] = page.inner_text("body")
        seen["images_loaded"] = page.evaluate(
            "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"
        )
        seen["axe"] = accessibility_violations(page)
        browser.close()
    return seen


def accessibility_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the loaded page, one line each (rule, where)."""
    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": []}
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']}: {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
    ]


def _assert_clean(seen: dict, html: Path) -> None:
    outside = [u for u in seen["requests"] if not u.startswith(("file://", "data:"))]
    assert outside == []
    assert seen["requests"][0] == html.resolve().as_uri()
    assert seen["errors"] == []
    assert seen["dialogs"] == []
    assert seen["images_loaded"]
    assert seen["axe"] == []


def test_lang_son_vietnamese_report_in_the_browser(tmp_path):
    html = runner.province_report(
        "Lạng Sơn", year=None, data=None, lang="vi", out_dir=tmp_path, run_date="2026-06-01"
    ).html
    seen = open_offline(html, ARTIFACTS / "lang-son-vi.png")
    _assert_clean(seen, html)
    assert "Lạng Sơn" in seen["title"]
    assert "DỮ LIỆU MINH HỌA" in seen["text"]


def test_quang_ninh_english_report_in_the_browser(tmp_path):
    html = runner.province_report(
        "Quảng Ninh", year=None, data=None, lang="en", out_dir=tmp_path, run_date="2026-06-01"
    ).html
    seen = open_offline(html, ARTIFACTS / "quang-ninh-en.png")
    _assert_clean(seen, html)
    assert "Quảng Ninh" in seen["text"]
    assert "DEMONSTRATION DATA" in seen["text"]


def test_a_data_note_with_a_script_tag_shows_as_text(tmp_path):
    data = tmp_path / "data.csv"
    rows = ["province,indicator,year,value,sex,source,note,status"]
    for year, value in ((2021, 112.0), (2022, 111.5), (2023, 111.0), (2024, 110.6)):
        rows.append(
            f'Lạng Sơn,M4.CT1,{year},{value},,"<script>alert(1)</script> Sở Y tế",'
            f'"<b>note</b>",official'
        )
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    html = runner.province_report(
        "Lạng Sơn", year=None, data=str(data), lang="vi", out_dir=tmp_path, run_date="2026-06-01"
    ).html
    seen = open_offline(html, ARTIFACTS / "escaped.png")
    _assert_clean(seen, html)
    assert "<script>alert(1)</script> Sở Y tế" in seen["text"]
    assert "<script>alert" not in html.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def run_all_pages(tmp_path_factory):
    """bdg run-all for one province with the national overview: the report, overview, index."""
    out = tmp_path_factory.mktemp("run-all")
    result = batch.run_all(
        provinces=["Lạng Sơn"],
        out_dir=out,
        run_date="2026-06-01",
        jobs=2,
        progress=False,
        stream=io.StringIO(),
    )
    assert result.exit_code == 0
    return out


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("index.html", "Ký hiệu tình trạng chỉ tiêu"),
        ("toan-quoc-2025-vi.html", "Toàn quốc"),
        ("lang-son-2025-vi.html", "Thông tin kỹ thuật"),
    ],
)
def test_the_index_overview_and_report_pass_axe_in_the_browser(run_all_pages, name, words):
    html = run_all_pages / name
    seen = open_offline(html, ARTIFACTS / f"run-all-{name.replace('.html', '')}.png")
    _assert_clean(seen, html)
    assert words in seen["text"]
