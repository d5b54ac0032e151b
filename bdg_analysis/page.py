"""Provenance records and the HTML page shell every published page (report, overview, index) shares.

A page says what built it: the package version, the notebook and every input file with its
checksum, the parameters and the run date (:func:`provenance`). The record goes into the page
(``<meta name="bdg-provenance">`` as JSON and a footer) and into run-all's manifest, where
:func:`fingerprint` turns it into the key that says whether a report is stale. The shell
(:func:`shell`) is the one skeleton of a page: language, charset, generator, title and inline
styles, nothing fetched from outside.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from bdg_analysis import cache, paths
from bdg_analysis.cache import sha256_file
from bdg_analysis.controls import strip_controls
from bdg_analysis.text import escape
from bdg_analysis.version import __version__
from bdg_analysis.words import fmt_date, has_word, word

PACKAGE = "bdg-analysis"


# ------------------------------------------------------------------ provenance records


def file_record(path: Path | str, role: str | None = None) -> dict:
    """``{"name", "role", "sha256"}`` of one input, named as a reader may see it (never absolute).

    A file that cannot be read has the checksum ``missing`` rather than failing the record.
    """
    record = {"name": paths.display_path(path)}
    if role:
        record["role"] = role
    try:
        record["sha256"] = sha256_file(path)
    except OSError:
        record["sha256"] = "missing"
    return record


def provenance(
    notebook: Path | str,
    parameters: dict,
    *,
    data_files: Sequence[Path | str],
    run_date: str | None = None,
) -> dict:
    """What a report is built from: version, notebook and input checksums, parameters, date.

    Recorded in the page (``<meta name="bdg-provenance">`` and a footer) and in the manifest,
    so anyone can tell which data revision a published report shows.
    """
    shown = dict(parameters)
    if shown.get("data"):
        shown["data"] = paths.display_path(shown["data"])
    date = parameters.get("run_date") or run_date or dt.date.today().isoformat()
    return {
        "package": PACKAGE,
        "version": __version__,
        "notebook": file_record(notebook),
        "inputs": (
            [file_record(f, "data") for f in data_files]
            + [file_record(f, "params") for f in paths.params_files()]
        ),
        "parameters": shown,
        "run_date": date,
    }


def fingerprint(record: dict, *, include_run_date: bool) -> str:
    """A key that changes when any input of a report changes (data, params, notebook, code).

    The run date only counts when the user fixed it: a report is not stale because a day
    has passed.
    """
    params = {k: v for k, v in record["parameters"].items() if k != "run_date" or include_run_date}
    key = {
        "version": record["version"],
        "code": cache.code_digest(),
        "notebook": record["notebook"]["sha256"],
        "inputs": [[i["name"], i["sha256"]] for i in record["inputs"]],
        "parameters": params,
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# ------------------------------------------------------------------ the page


def provenance_html(provenance: dict, lang: str) -> str:
    """The page's technical details, in a closed block at its end ("Thông tin kỹ thuật").

    A leader reads the report without them; a statistician opens the block to see what built
    the page: version, run date and report year, the notebook and every input with its
    checksum, and the parameters that were set (one left unset is not listed). The full record
    is also in ``<meta name="bdg-provenance">`` as JSON for tools.
    """

    def file_text(item: dict) -> str:
        return f"{item.get('name', '')} (sha256 {str(item.get('sha256', ''))[:12]})"

    shown = {k: v for k, v in provenance.get("parameters", {}).items() if v not in (None, "")}
    params = "; ".join(f"{_parameter_name(k, lang)}: {v}" for k, v in sorted(shown.items()))
    run_date = str(provenance.get("run_date", "") or "")
    rows = [
        (word("page.provenance_run_date", lang), fmt_date(run_date, lang) if run_date else ""),
        (word("page.provenance_report_year", lang), str(provenance.get("report_year") or "")),
        (word("page.provenance_notebook", lang), file_text(provenance.get("notebook", {}))),
        (
            word("page.provenance_inputs", lang),
            "; ".join(file_text(i) for i in provenance.get("inputs", [])),
        ),
        (word("page.provenance_parameters", lang), params),
    ]
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows if v)
    version = f"{provenance.get('package', PACKAGE)} {provenance.get('version', '')}"
    return (
        '<footer class="provenance" id="technical-details">'
        f"<details><summary>{escape(word('page.technical_details', lang))}</summary>"
        f"<p><strong>{escape(word('page.provenance_heading', lang))}</strong> · "
        f"{escape(version)}</p><dl>{items}</dl></details></footer>"
    )


def _parameter_name(key: str, lang: str) -> str:
    """A notebook parameter named in the page's language (``province`` -> ``tỉnh``)."""
    return word(f"page.parameter_{key}", lang) if has_word(f"page.parameter_{key}") else key


def css_string(text: str) -> str:
    """``text`` as a CSS string literal, safe inside a ``<style>`` element of an HTML page."""
    out = []
    for ch in strip_controls(str(text)):
        if ch in '\\"<>&' or ch == "\n":
            out.append(f"\\{ord(ch):X} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


_PAGE_BOX = "font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 7.5pt; color: #555;"


def print_rules(title: str, lang: str) -> str:
    """``@page`` rules for print and PDF: the page's title and "Trang n/N" in every footer.

    Margin boxes are drawn by Chromium (131 and later) when it prints or makes a PDF
    (``bdg report --pdf``); browsers without them print the page without numbers.
    """
    marker = "\x00"
    words_ = word(
        "page.page_of", lang, page=f"{marker}page{marker}", total=f"{marker}pages{marker}"
    )
    parts = []
    for i, piece in enumerate(words_.split(marker)):
        if i % 2:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(css_string(piece))
    return (
        "<style>@page { "
        f"@bottom-left {{ content: {css_string(title)}; {_PAGE_BOX} }} "
        f"@bottom-right {{ content: {' '.join(parts)}; {_PAGE_BOX} }} "
        "}</style>\n"
    )


def demo_print_rule(text: str) -> str:
    """An ``@page`` rule writing the demonstration-data warning ``text`` at the head of every
    printed page (and of the PDF), for a page built on demonstration values."""
    box = (
        "font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 7.5pt; font-weight: bold; "
        "color: #5c3c00; background: #fff3cd; border: 1px solid #b88a00; padding: 1mm 2mm; "
        "-webkit-print-color-adjust: exact; print-color-adjust: exact;"
    )
    return f"<style>@page {{ @top-center {{ content: {css_string(text)}; {box} }} }}</style>"


def stylesheet(name: str) -> str:
    """One of the package's style sheets (``report.css``, ``index.css``), inlined in pages."""
    return (paths.RESOURCES_DIR / name).read_text(encoding="utf-8")


def shell(
    body: str, *, title: str, lang: str, css: str, main_class: str, head_extra: str = ""
) -> str:
    """The skeleton of every page: ``body`` inside ``<main class=...>``, styles inline.

    ``title`` is escaped here; ``body`` and ``head_extra`` are HTML already.
    """
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="{PACKAGE} {escape(__version__)}">\n'
        f"{head_extra}"
        f"<title>{escape(title)}</title>\n<style>\n{css}\n</style>\n</head>\n"
        f'<body>\n<main class="{escape(main_class)}">\n{body}\n</main>\n</body>\n</html>\n'
    )


def page(body: str, *, title: str, lang: str, provenance: dict | None = None) -> str:
    """Wrap a report body in the house page: print CSS, our own styles, nothing fetched.

    With ``provenance``, the page says what built it: a ``<meta>`` record and a closed block
    of technical details at its end. Printed (or made a PDF), every page carries the title and
    its number (:func:`print_rules`).
    """
    head_extra = footer = ""
    if provenance:
        record = json.dumps(provenance, ensure_ascii=False, sort_keys=True, default=str)
        head_extra = f'<meta name="bdg-provenance" content="{escape(record)}">\n'
        footer = "\n" + provenance_html(provenance, lang)
    head_extra += print_rules(title, lang)
    return shell(
        body + footer,
        title=title,
        lang=lang,
        css=stylesheet("report.css"),
        main_class="report",
        head_extra=head_extra,
    )
