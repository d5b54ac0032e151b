"""Print report pages to A4 PDF with headless Chromium (Playwright), for official letters.

Offices attach reports to letters (công văn) as PDF. The page is printed by the same Chromium
the browser tests use, driven by Playwright, with the page's own print styles: A4
(``report.css``: no chart cut across two pages), the report's title and "Trang n/N" in every
footer (``page.print_rules``), the demonstration-data warning at the head of every page when the
report has one (``report.header_html``); these are ``@page`` margin boxes, so printing the HTML
from Chromium gives the same pages. The technical details block is opened, so the PDF says what
built it.

Printing gives bytes (:meth:`Printer.print_html`); the runner writes them atomically beside the
HTML, with it and its annex, so a failed print keeps the previous PDF. Without Chromium or
Playwright, :func:`check_available` says in one line what to install (exit 2), before any
report is run. Playwright is the optional extra ``pdf`` (``pip install 'bdg-analysis[pdf]'``):
most runs never print, and its driver is large.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from bdg_analysis import words
from bdg_analysis.errors import BdgInputError, RunError

# What works on a machine without a display, as root, in a container (tests/test_browser.py).
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_MS = 120_000

# Run in the page before printing: the technical details open, so the PDF says what built it.
_PREPARE = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
}"""


def chromium_path() -> str | None:
    """Chromium to print with: ``BDG_CHROMIUM``, else the first on the PATH (Debian's
    ``chromium`` from ``make browser``), else None (Playwright's own download is tried then)."""
    chosen = os.environ.get("BDG_CHROMIUM")
    if chosen:
        return chosen if os.path.exists(chosen) else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _playwright_chromium() -> str | None:
    """The Chromium Playwright downloaded itself (``playwright install chromium``), if any."""
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            path = p.chromium.executable_path
    except Exception:  # noqa: BLE001 - no driver, no browser: not available
        return None
    return path if path and os.path.exists(path) else None


def check_available() -> str:
    """The Chromium a PDF will be printed with; BdgInputError (exit 2) in one line saying what
    to install when Playwright or Chromium is missing (said in the user's language by the
    command line). Called before any report runs."""
    if importlib.util.find_spec("playwright") is None:
        raise BdgInputError(words.problem("<argument>", None, "--pdf", "pdf.no_playwright"))
    found = chromium_path() or _playwright_chromium()
    if found is None:
        raise BdgInputError(words.problem("<argument>", None, "--pdf", "pdf.no_chromium"))
    return found


class Printer:
    """One headless Chromium for many pages (``bdg run-all --pdf`` prints every report with it).

    Use as a context manager; the browser starts on the first page printed. The page is loaded
    with the network off: nothing it names is fetched, as in the browser tests.
    """

    def __init__(self, executable: str | None = None) -> None:
        self.executable = executable
        self._playwright = None
        self._browser = None

    def __enter__(self) -> Printer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self):
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=self.executable or None, args=list(CHROMIUM_ARGS)
            )
        return self._browser

    def close(self) -> None:
        """Stop the browser and Playwright's driver (safe to call twice)."""
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            self._browser = None
            if self._playwright is not None:
                self._playwright.stop()
                self._playwright = None

    def print_html(self, html: str) -> bytes:
        """``html`` (a whole self-contained page) as A4 PDF bytes; RunError when it fails."""
        try:
            context = self._start().new_context(offline=True, java_script_enabled=True)
        except Exception as err:  # noqa: BLE001 - Chromium that does not start
            raise RunError(words.phrase("pdf.failed", error=_first_line(err))) from None
        try:
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(("data:", "about:"))
                    else route.abort()
                ),
            )
            page.set_content(html, wait_until="load")
            page.emulate_media(media="print")
            page.evaluate(_PREPARE)
            return page.pdf(
                prefer_css_page_size=True,  # A4 and its margins, from report.css
                print_background=True,
                outline=True,  # the headings as the PDF's bookmarks
                tagged=True,  # structure for screen readers
            )
        except Exception as err:  # noqa: BLE001 - any failure of the print is one line
            raise RunError(words.phrase("pdf.failed", error=_first_line(err))) from None
        finally:
            context.close()


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return (text.splitlines()[0] if text else type(err).__name__)[:300]


def print_file(html: Path | str, pdf: Path | str | None = None) -> Path:
    """Print an HTML page already written (e.g. a report of an earlier run) to ``pdf``
    (default: beside it, ``.pdf``), atomically: a failure keeps the previous PDF."""
    from bdg_analysis.files import write_atomic

    html = Path(html)
    target = Path(pdf) if pdf is not None else html.with_suffix(".pdf")
    with Printer(check_available()) as printer:
        data = printer.print_html(html.read_text(encoding="utf-8"))
    write_atomic(target, data)
    return target
