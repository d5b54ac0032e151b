"""PDF printing: an A4 PDF beside the HTML, page numbers and the demonstration warning on every
page, no chart cut across pages, a clear message without Chromium, the previous PDF kept when a
print fails."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
from pathlib import Path

import pytest

from bdg_analysis import batch, cli, pdf, runner
from bdg_analysis.errors import BdgInputError, RunError

FIXTURES = Path(__file__).parent / "fixtures"
CHROMIUM = pdf.chromium_path()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed: make browser")
META = {
    "year": 2025,
    "province": "Lạng Sơn",
    "demo_rows": 3,
    "annex": {"columns": ["Chỉ tiêu", "Giá trị"], "rows": [["Tỷ số giới tính khi sinh", 112.3]]},
}


def _read(data: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data))


def _images(page) -> list[int]:
    """The image objects a PDF page draws (charts are images)."""
    xobjects = page["/Resources"].get("/XObject")
    if not xobjects:
        return []
    return [
        ref.idnum
        for ref in xobjects.get_object().values()
        if ref.get_object().get("/Subtype") == "/Image"
    ]


# ------------------------------------------------------------------ without Chromium


def test_without_playwright_the_message_says_what_to_install(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "playwright" else real(name)
    )
    with pytest.raises(BdgInputError) as caught:
        pdf.check_available()
    message = str(caught.value)
    assert caught.value.exit_code == 2 and "\n" not in message
    assert "pip install 'bdg-analysis[pdf]'" in message and "make browser" in message


def test_without_chromium_bdg_report_pdf_says_make_browser_and_exits_2_before_any_kernel(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("BDG_CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setattr(pdf, "_playwright_chromium", lambda: None)
    monkeypatch.setenv("LANG", "vi_VN.UTF-8")

    def no_kernel(*args, **kwargs):
        raise AssertionError("a notebook ran although the PDF cannot be printed")

    monkeypatch.setattr(runner, "render", no_kernel)
    code = cli.main(["report", "--province", "Lạng Sơn", "--pdf", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and "make browser" in err and "Chromium" in err
    assert "cần" in err  # in the environment's language
    assert not (tmp_path / "out").exists()


def test_run_all_pdf_without_chromium_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BDG_CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setattr(pdf, "_playwright_chromium", lambda: None)
    monkeypatch.setenv("LANG", "C")
    code = cli.main(
        ["run-all", "--provinces", "Cao Bằng", "--pdf", "--no-national", "--out", str(tmp_path)]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and "make browser" in err and len(err.splitlines()) == 1


# ------------------------------------------------------------------ published with the page


def test_a_failed_print_keeps_the_previous_set(tmp_path, monkeypatch):
    page = tmp_path / "lang-son-2025-vi.html"
    page.write_text("old page", encoding="utf-8")
    page.with_suffix(".xlsx").write_bytes(b"old annex")
    page.with_suffix(".pdf").write_bytes(b"%PDF old")
    monkeypatch.setattr(pdf, "check_available", lambda: "chromium")

    def render(notebook, parameters, **kwargs):
        return runner.Rendered(html="<p>new</p>", meta=META, year=2025, title="T", timings={})

    def broken(self, html):
        raise RunError("could not print the PDF: Target crashed; the previous PDF is kept")

    monkeypatch.setattr(runner, "render", render)
    monkeypatch.setattr(pdf.Printer, "print_html", broken)
    with pytest.raises(RunError):
        runner.province_report(
            "Lạng Sơn", year=None, data=None, lang="vi", out_dir=tmp_path, pdf=True
        )
    assert page.read_text(encoding="utf-8") == "old page"
    assert page.with_suffix(".xlsx").read_bytes() == b"old annex"
    assert page.with_suffix(".pdf").read_bytes() == b"%PDF old"


def test_a_page_that_cannot_follow_puts_the_previous_pdf_back(tmp_path, monkeypatch):
    import errno

    page = tmp_path / "lang-son-2025-vi.html"
    page.write_text("old page", encoding="utf-8")
    page.with_suffix(".pdf").write_bytes(b"%PDF old")
    real_replace = os.replace

    def full_disk(src, dst, *args, **kwargs):
        if str(dst).endswith(".html"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(BdgInputError):
        runner.write_report(
            page, "<p/>", META, title="T", lang="vi", run_date="2026-11-30", pdf=b"%PDF new"
        )
    assert page.with_suffix(".pdf").read_bytes() == b"%PDF old"
    assert page.read_text(encoding="utf-8") == "old page"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "lang-son-2025-vi.html",
        "lang-son-2025-vi.pdf",
    ]


def test_write_report_installs_the_pdf_beside_the_page(tmp_path):
    page = tmp_path / "lang-son-2025-vi.html"
    runner.write_report(page, "<p/>", META, title="T", lang="vi", run_date=None, pdf=b"%PDF-1.4")
    assert page.with_suffix(".pdf").read_bytes() == b"%PDF-1.4"
    assert page.with_suffix(".xlsx").exists()


# ------------------------------------------------------------------ real PDFs (Chromium)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf")
    result = runner.province_report(
        "Lạng Sơn", year=None, data=None, lang="vi", out_dir=out, run_date="2026-11-30", pdf=True
    )
    return result


@needs_chromium
@pytest.mark.notebook
def test_the_report_pdf_is_a4_numbered_and_warns_on_every_page(printed):
    assert printed.pdf == printed.html.with_suffix(".pdf") and printed.pdf.exists()
    reader = _read(printed.pdf.read_bytes())
    pages = len(reader.pages)
    assert 8 <= pages <= 60
    for number, page in enumerate(reader.pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4 in points
        text = re.sub(r"\s+", " ", page.extract_text())
        assert f"Trang {number}/{pages}" in text
        assert "DỮ LIỆU MINH HỌA" in text  # the warning at the head of every page
        assert "Lạng Sơn, 2025" in text  # the title in every footer
    whole = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    for words in ("Tóm tắt cho lãnh đạo", "Mục tiêu 4: Y tế", "Tỷ số giới tính khi sinh"):
        assert words in whole
    assert "Thông tin kỹ thuật" in whole and "sha256" in whole  # the details, opened
    assert "/root/" not in whole and "/tmp/" not in whole


@needs_chromium
@pytest.mark.notebook
def test_no_chart_is_cut_across_pages(printed):
    reader = _read(printed.pdf.read_bytes())
    seen: dict[int, list[int]] = {}
    for number, page in enumerate(reader.pages, start=1):
        images = _images(page)
        for ref in images:
            seen.setdefault(ref, []).append(number)
        # each chart's caption is on the page of its chart
        captions = len(re.findall(r"Lạng\s+Sơn\.\s+năm", page.extract_text()))
        assert captions <= len(images), number
    html = printed.html.read_text(encoding="utf-8")
    assert len(seen) == html.count("data:image/png;base64,")  # every chart is in the PDF
    assert all(len(pages) == 1 for pages in seen.values())  # each on one page only


@needs_chromium
def test_an_english_page_is_numbered_in_english():
    html = runner.page.page(
        "<h1>Report</h1>" + "<p>text</p>" * 200, title="Cao Bằng 2024", lang="en"
    )
    with pdf.Printer(CHROMIUM) as printer:
        reader = _read(printer.print_html(html))
    total = len(reader.pages)
    assert total >= 2
    text = re.sub(r"\s+", " ", reader.pages[-1].extract_text())
    assert f"Page {total} of {total}" in text and "Cao Bằng 2024" in text
    assert "MINH HỌA" not in text and "DEMONSTRATION" not in text  # no demo values, no warning


@needs_chromium
def test_run_all_prints_every_report_and_records_its_pdf(tmp_path):
    calls = []

    def build(jobs, options):
        for job in jobs:
            calls.append(job.name)
            html = runner.page.page(f"<h1>{job.name}</h1>", title=job.name, lang=job.lang)
            yield batch.Outcome(
                job.key,
                job.name,
                job.kind,
                batch.OK,
                file=batch.report_file(job.stem, 2024, job.lang),
                report_year=2024,
                sha256=hashlib.sha256(html.encode("utf-8")).hexdigest(),
                html=html,
                meta=META,
                title=job.name,
            )

    batch.register_executor("canned-pdf")(build)
    try:
        options = dict(
            provinces=["Cao Bằng", "Lạng Sơn"],
            national=False,
            out_dir=tmp_path,
            run_date="2026-06-01",
            executor="canned-pdf",
            progress=False,
            pdf=True,
            log_lang="vi",
        )
        log = io.StringIO()
        result = batch.run_all(stream=log, **options)
        assert result.exit_code == 0, log.getvalue()
        for stem in ("cao-bang", "lang-son"):
            printed = tmp_path / f"{stem}-2024-vi.pdf"
            assert printed.read_bytes().startswith(b"%PDF")
        manifest = batch.load_manifest(tmp_path)["reports"]
        assert manifest["cao-bang/vi/latest"]["pdf"] == "cao-bang-2024-vi.pdf"
        assert " xong Cao Bằng" in log.getvalue()  # the log in the run's language
        # resumed with --pdf: up to date while every PDF is there, rebuilt when one is gone
        calls.clear()
        batch.run_all(stream=io.StringIO(), resume=True, **options)
        assert calls == []
        (tmp_path / "lang-son-2024-vi.pdf").unlink()
        batch.run_all(stream=io.StringIO(), resume=True, **options)
        assert calls == ["Lạng Sơn"] and (tmp_path / "lang-son-2024-vi.pdf").exists()
    finally:
        del batch.EXECUTORS["canned-pdf"]
        shutil.rmtree(tmp_path, ignore_errors=True)
