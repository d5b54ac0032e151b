"""Run report notebooks with papermill and export them to self-contained HTML without code."""

from __future__ import annotations

import functools
import logging
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bdg_analysis.errors import RunError
from bdg_analysis.paths import notebooks_dir, project_root
from bdg_analysis.version import __version__

PROVINCE_NOTEBOOK = "province_report.ipynb"
STRIP_TAGS = {"injected-parameters", "parameters", "remove", "bdg-meta"}
# The same as report.META_MIME (a test checks it); not imported from report, because that
# loads pandas, matplotlib and statsmodels into every batch worker, which needs none of them.
META_MIME = "application/vnd.bdg.meta+json"


@dataclass
class RunResult:
    """Where the report went and how long each stage took (seconds)."""

    html: Path
    timings: dict[str, float] = field(default_factory=dict)


def slug(name: str) -> str:
    """A file-name-safe ASCII form of a province name: 'Lạng Sơn' -> 'lang-son'."""
    import unicodedata

    text = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "report"


def execute(
    notebook: Path,
    output: Path,
    parameters: dict,
    *,
    timeout: int = 600,
    start_timeout: int = 60,
    engine_options: dict | None = None,
) -> None:
    """Execute ``notebook`` with papermill into ``output``; a failure becomes RunError.

    ``timeout`` is per cell; ``engine_options`` go to nbclient (e.g. a kernel manager class
    or ``shutdown_kernel="immediate"``), so batch runs can tune kernel start and stop.
    """
    import papermill as pm

    logging.getLogger("papermill").setLevel(logging.WARNING)
    try:
        pm.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            cwd=str(project_root()),
            execution_timeout=timeout,
            request_save_on_cell_execute=False,
            start_timeout=start_timeout,
            **(engine_options or {}),
            # ipykernel warns "running over TCP without encryption" on every start; only
            # errors from the kernel process itself belong in a scheduled job's log.
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
    except pm.PapermillExecutionError as err:
        raise RunError(
            f"{notebook.name}: cell {err.exec_count} failed: {err.ename}: {err.evalue}"
        ) from None
    except Exception as err:  # kernel died, timeout, missing kernel
        raise RunError(f"{notebook.name}: run failed: {type(err).__name__}: {err}") from None


def clean_for_readers(nb) -> None:
    """Drop parameters cells, code and anything a reader must not see (stderr, warnings)."""
    kept = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & STRIP_TAGS:
            continue
        if cell.cell_type == "code":
            outputs = []
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    continue
                if out.get("output_type") == "error":
                    raise RunError(f"cell raised {out.get('ename')}: {out.get('evalue')}")
                outputs.append(out)
            cell["outputs"] = outputs
            cell["source"] = ""
        kept.append(cell)
    nb.cells = kept


def cell_timings(nb, execute_seconds: float) -> dict[str, float]:
    """Split a papermill run into kernel start and overhead, analysis, and report sections.

    papermill records each cell's duration in its metadata; the cell that calls
    ``report.prepare`` is the analysis, the cells that draw sections are the charts and tables.
    """
    analysis = sections = other = 0.0
    for cell in nb.cells:
        seconds = cell.get("metadata", {}).get("papermill", {}).get("duration") or 0.0
        source = cell.get("source", "")
        if "prepare(" in source:
            analysis += seconds
        elif "_html(" in source:
            sections += seconds
        else:
            other += seconds
    cells = analysis + sections + other
    return {
        "kernel_start_and_overhead": max(execute_seconds - cells, 0.0),
        "analysis": analysis,
        "sections_and_charts": sections,
        "other_cells": other,
    }


def report_meta(nb) -> dict:
    """What the notebook says about itself (report year, title) in its ``bdg-meta`` cell."""
    for cell in nb.cells:
        if "bdg-meta" in cell.get("metadata", {}).get("tags", []):
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if META_MIME in data:
                    return dict(data[META_MIME])
    return {}


@functools.cache
def _html_exporter():
    """One exporter per process: building it loads the templates, which a batch pays once."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def export_html(executed: Path, *, title: str, lang: str, provenance: dict | None = None) -> str:
    """The executed notebook as one HTML page: no code, no prompts, no outside requests.

    Cell ids are renumbered: a notebook saved without ids gets random ones on reading, and
    identical inputs must give identical pages.
    """
    import nbformat

    nb = nbformat.read(str(executed), as_version=4)
    clean_for_readers(nb)
    for number, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{number}"
    body, _ = _html_exporter().from_notebook_node(nb)
    return page(body, title=title, lang=lang, provenance=provenance)


PROVENANCE_LABELS = {
    "vi": {
        "heading": "Nguồn gốc báo cáo",
        "run_date": "Ngày lập",
        "notebook": "Sổ tính",
        "inputs": "Tệp đầu vào",
        "parameters": "Tham số",
    },
    "en": {
        "heading": "How this report was made",
        "run_date": "Run date",
        "notebook": "Notebook",
        "inputs": "Input files",
        "parameters": "Parameters",
    },
}


def provenance_html(provenance: dict, lang: str) -> str:
    """A small footer naming the version, inputs (with checksums) and parameters of a page.

    The full record is also in ``<meta name="bdg-provenance">`` as JSON for tools.
    """
    from bdg_analysis.text import escape

    words = PROVENANCE_LABELS.get(lang, PROVENANCE_LABELS["en"])

    def file_text(item: dict) -> str:
        return f"{item.get('name', '')} (sha256 {str(item.get('sha256', ''))[:12]})"

    params = ", ".join(
        f"{k}: {'–' if v is None else v}"
        for k, v in sorted(provenance.get("parameters", {}).items())
    )
    rows = [
        (words["run_date"], str(provenance.get("run_date", ""))),
        (words["notebook"], file_text(provenance.get("notebook", {}))),
        (words["inputs"], "; ".join(file_text(i) for i in provenance.get("inputs", []))),
        (words["parameters"], params),
    ]
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    version = f"{provenance.get('package', 'bdg-analysis')} {provenance.get('version', '')}"
    return (
        '<footer class="provenance" style="margin-top:2em;border-top:1px solid #ccc;'
        'font-size:0.8em;color:#555">'
        f"<p><strong>{escape(words['heading'])}</strong> · {escape(version)}</p>"
        f"<dl>{items}</dl></footer>"
    )


def page(body: str, *, title: str, lang: str, provenance: dict | None = None) -> str:
    """Wrap a report body in the house page: print CSS, our own styles, nothing fetched.

    With ``provenance``, the page says what built it: a ``<meta>`` record and a footer.
    """
    import json

    from bdg_analysis.text import escape

    css = (Path(__file__).parent / "resources" / "report.css").read_text(encoding="utf-8")
    head_extra = footer = ""
    if provenance:
        record = json.dumps(provenance, ensure_ascii=False, sort_keys=True, default=str)
        head_extra = f'<meta name="bdg-provenance" content="{escape(record)}">\n'
        footer = "\n" + provenance_html(provenance, lang)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="bdg-analysis {escape(__version__)}">\n'
        f"{head_extra}"
        f"<title>{escape(title)}</title>\n<style>\n{css}\n</style>\n</head>\n"
        f'<body>\n<main class="report">\n{body}{footer}\n</main>\n</body>\n</html>\n'
    )


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` only when complete, so a failed run keeps the old report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; reports are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def province_report(
    province: str,
    *,
    year: int | None,
    data: str | None,
    lang: str,
    out_dir: Path,
    run_date: str | None = None,
    timeout: int = 600,
    notebook: Path | None = None,
    provenance: dict | None = None,
) -> RunResult:
    """Run the province notebook and write ``<out_dir>/<slug>-<year>-<lang>.html``.

    Bad input (an unknown province, a data file with problems) raises BdgInputError before
    any kernel starts; a failing notebook raises RunError. Either way the last good report
    at the same path is left untouched. The page records its ``provenance`` (by default:
    version, input checksums, parameters, run date; see ``batch.provenance``).
    """
    from bdg_analysis import dataset, geo, paths
    from bdg_analysis.errors import BdgInputError

    resolved = geo.resolve(province).province
    checked = dataset.check_files([data] if data else [paths.default_data_file()])
    if checked.problems:
        raise BdgInputError(checked.problems)
    notebook = notebook or notebooks_dir() / PROVINCE_NOTEBOOK
    parameters = {
        "province": resolved.name,
        "year": year,
        "data": data,
        "lang": lang,
        "run_date": run_date,
    }
    if provenance is None:
        from bdg_analysis import batch

        provenance = batch.provenance(
            notebook, parameters, data_files=[data or paths.default_data_file()]
        )
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bdg-") as tmp:
        executed = Path(tmp) / "executed.ipynb"
        start = time.perf_counter()
        execute(notebook, executed, parameters, timeout=timeout)
        timings["execute"] = time.perf_counter() - start
        start = time.perf_counter()
        import nbformat

        nb = nbformat.read(str(executed), as_version=4)
        timings.update(cell_timings(nb, timings["execute"]))
        meta = report_meta(nb)
        report_year = meta.get("year", year)
        title = meta.get("title", f"{resolved.name} {report_year}")
        html = export_html(
            executed, title=title, lang=lang, provenance={**provenance, "report_year": report_year}
        )
        timings["export"] = time.perf_counter() - start
    target = Path(out_dir) / f"{slug(resolved.name)}-{report_year}-{lang}.html"
    write_atomic(target, html)
    write_annex(meta, target.with_suffix(".xlsx"), title=title, run_date=run_date)
    return RunResult(target, timings)


def write_annex(meta: dict, path: Path, *, title: str, run_date: str | None) -> Path | None:
    """The Excel annex (status table) beside the report, from the notebook's meta cell."""
    annex = meta.get("annex")
    if not annex:
        return None
    import datetime as dt

    import pandas as pd

    from bdg_analysis.annex import write_status_annex

    frame = pd.DataFrame(annex["rows"], columns=annex["columns"])
    notes = []
    if meta.get("demo_rows"):
        notes.append(
            "DỮ LIỆU MINH HỌA / DEMONSTRATION DATA: "
            f"{meta['demo_rows']} giá trị minh họa (demo values) trong báo cáo."
        )
    created = dt.datetime.fromisoformat(run_date) if run_date else None
    return write_status_annex(frame, path, title=title, notes=notes, created=created)
