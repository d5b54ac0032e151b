"""Run report notebooks with papermill and export them to self-contained HTML without code."""

from __future__ import annotations

import logging
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bdg_analysis import __version__
from bdg_analysis.errors import RunError
from bdg_analysis.paths import notebooks_dir, project_root
from bdg_analysis.report import META_MIME

PROVINCE_NOTEBOOK = "province_report.ipynb"
STRIP_TAGS = {"injected-parameters", "parameters", "remove", "bdg-meta"}


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


def execute(notebook: Path, output: Path, parameters: dict, *, timeout: int = 600) -> None:
    """Execute ``notebook`` with papermill into ``output``; a failure becomes RunError."""
    import papermill as pm

    logging.getLogger("papermill").setLevel(logging.WARNING)
    try:
        pm.execute_notebook(
            str(notebook), str(output), parameters=parameters, kernel_name="python3",
            progress_bar=False, log_output=False, cwd=str(project_root()),
            execution_timeout=timeout, request_save_on_cell_execute=False,
            # ipykernel warns "running over TCP without encryption" on every start; only
            # errors from the kernel process itself belong in a scheduled job's log.
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
    except pm.PapermillExecutionError as err:
        raise RunError(f"{notebook.name}: cell {err.exec_count} failed: "
                       f"{err.ename}: {err.evalue}") from None
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


def report_meta(nb) -> dict:
    """What the notebook says about itself (report year, title) in its ``bdg-meta`` cell."""
    for cell in nb.cells:
        if "bdg-meta" in cell.get("metadata", {}).get("tags", []):
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if META_MIME in data:
                    return dict(data[META_MIME])
    return {}


def export_html(executed: Path, *, title: str, lang: str) -> str:
    """The executed notebook as one HTML page: no code, no prompts, no outside requests."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(executed), as_version=4)
    clean_for_readers(nb)
    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    return page(body, title=title, lang=lang)


def page(body: str, *, title: str, lang: str) -> str:
    """Wrap a report body in the house page: print CSS, our own styles, nothing fetched."""
    from bdg_analysis.text import escape

    css = (Path(__file__).parent / "resources" / "report.css").read_text(encoding="utf-8")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="bdg-analysis {escape(__version__)}">\n'
        f"<title>{escape(title)}</title>\n<style>\n{css}\n</style>\n</head>\n"
        f'<body>\n<main class="report">\n{body}\n</main>\n</body>\n</html>\n'
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


def province_report(province: str, *, year: int | None, data: str | None, lang: str,
                    out_dir: Path, run_date: str | None = None, timeout: int = 600,
                    notebook: Path | None = None) -> RunResult:
    """Run the province notebook and write ``<out_dir>/<slug>-<year>-<lang>.html``.

    Bad input (an unknown province, a data file with problems) raises BdgInputError before
    any kernel starts; a failing notebook raises RunError. Either way the last good report
    at the same path is left untouched.
    """
    from bdg_analysis import dataset, geo, paths
    from bdg_analysis.errors import BdgInputError

    resolved = geo.resolve(province).province
    checked = dataset.check_files([data] if data else [paths.default_data_file()])
    if checked.problems:
        raise BdgInputError(checked.problems)
    notebook = notebook or notebooks_dir() / PROVINCE_NOTEBOOK
    parameters = {"province": resolved.name, "year": year, "data": data, "lang": lang,
                  "run_date": run_date}
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bdg-") as tmp:
        executed = Path(tmp) / "executed.ipynb"
        start = time.perf_counter()
        execute(notebook, executed, parameters, timeout=timeout)
        timings["execute"] = time.perf_counter() - start
        start = time.perf_counter()
        import nbformat

        nb = nbformat.read(str(executed), as_version=4)
        meta = report_meta(nb)
        report_year = meta.get("year", year)
        title = meta.get("title", f"{resolved.name} {report_year}")
        html = export_html(executed, title=title, lang=lang)
        timings["export"] = time.perf_counter() - start
    target = Path(out_dir) / f"{slug(resolved.name)}-{report_year}-{lang}.html"
    write_atomic(target, html)
    return RunResult(target, timings)
