"""The run-all index page: every report of the run with its status, a legend and the demo warning.

The page is what a provincial office opens first, so it reads without hovering: each target
status is listed with its symbol and its word, a banner says how many reports are built on
demonstration values, and dates and times are written as the page's language writes them
(``30/11/2026 19:23 (UTC+07:00)``), the time zone stated. With a run date given
(``--run-date``), the page shows that date and not the clock, so a rerun gives the same words.
"""

from __future__ import annotations

import datetime as dt

from bdg_analysis import page
from bdg_analysis.text import STATUS_ORDER, STATUS_SYMBOLS, escape, status_word
from bdg_analysis.version import __version__
from bdg_analysis.words import fmt_date, fmt_datetime, fmt_number, has_word, word

# the run statuses of a report (batch.OK, ...), in the order the summary counts them
RUN_STATUSES = ("ok", "current", "failed", "missing", "kept")
COLUMNS = ("place", "status", "report", "year", "targets", "built", "seconds", "note")


def _w(key: str, lang: str, **fields: object) -> str:
    return word(f"index.{key}", lang, **fields)


def legend_html(lang: str) -> str:
    """Every target status with its symbol and its word, so the counts read without hovering."""
    items = "".join(
        f'<li><span class="symbol" aria-hidden="true">{escape(STATUS_SYMBOLS[s])}</span> '
        f"{escape(status_word(s, lang))}</li>"
        for s in STATUS_ORDER
    )
    heading = escape(_w("legend", lang))
    return f'<div class="legend"><p>{heading}:</p><ul>{items}</ul></div>'


def demo_banner_html(rows: list[dict], lang: str) -> str:
    """The demonstration-data warning with counts, when any listed report shows demo values."""
    listed = [r for r in rows if r.get("file")]
    demo = [r for r in listed if int(r.get("demo_rows") or 0) > 0]
    if not demo:
        return ""
    values = sum(int(r["demo_rows"]) for r in demo)
    counts = _w(
        "demo_counts",
        lang,
        reports=len(demo),
        total=len(listed),
        values=fmt_number(values, lang, decimals=0),
    )
    return (
        f'<div class="demo-banner" role="note"><strong>{escape(_w("demo_banner", lang))}'
        f"</strong> {escape(counts)}</div>\n"
    )


def when_html(*, started: dt.datetime, run_date: str | None, lang: str) -> str:
    """When the run was: the run date it was given, else its start time with the time zone."""
    if run_date:
        return f"{escape(_w('run_date', lang))}: {escape(fmt_date(run_date, lang))}"
    return f"{escape(_w('run', lang))}: {escape(fmt_datetime(started, lang))}"


def _counts_cells(counts: dict, lang: str) -> tuple[str, str]:
    ordered = sorted(
        counts.items(),
        key=lambda kv: STATUS_ORDER.index(kv[0]) if kv[0] in STATUS_ORDER else 99,
    )
    text = " ".join(f"{STATUS_SYMBOLS.get(k, '')} {v}" for k, v in ordered)
    title = ", ".join(
        f"{status_word(k, lang)}: {v}" for k, v in counts.items() if has_word(f"status.{k}")
    )
    return text, title


def _row_html(r: dict, lang: str) -> str:
    link = escape(_w("none", lang))
    if r.get("file"):
        link = f'<a href="{escape(r["file"])}">{escape(r["file"])}</a>'
    note = escape(r.get("reason", ""))
    if r["status"] == "failed" and r.get("file"):
        note = f"{escape(_w('previous', lang))}. {note}"
    seconds = fmt_number(r["seconds"], lang, decimals=1) if r.get("seconds") else ""
    counts, counts_title = _counts_cells(r.get("counts") or {}, lang)
    built = fmt_date(r["built"], lang) if r.get("built") else ""
    return (
        f'<tr class="status-{escape(r["status"])}"><td>{escape(r["name"])}</td>'
        f'<td class="status">{escape(_w("run_" + r["status"], lang))}</td><td>{link}</td>'
        f'<td class="num">{escape(r.get("report_year") or "")}</td>'
        f'<td class="counts" title="{escape(counts_title)}">{escape(counts)}</td>'
        f'<td>{escape(built)}</td><td class="num">{seconds}</td>'
        f'<td class="note">{note}</td></tr>'
    )


def index_html(
    rows: list[dict],
    *,
    lang: str,
    started: dt.datetime,
    seconds: float,
    jobs: int,
    data_record: dict | None,
    run_date: str | None = None,
) -> str:
    """The index page: status counts, the demo banner, when and from what it was built, a row per
    report with its link and its targets by status, and the legend of the status symbols.

    ``rows`` are dicts with ``name``, ``status`` (a run status: ok, current, failed, missing,
    kept), ``file``, ``report_year``, ``built`` (ISO date), ``seconds``, ``reason``, ``counts``
    (target status -> number) and ``demo_rows``.
    """
    counts = {s: sum(r["status"] == s for r in rows) for s in RUN_STATUSES}
    summary = " · ".join(
        f'<span class="count status-{s}">{escape(_w("run_" + s, lang))}: {n}</span>'
        for s, n in counts.items()
        if n
    )
    data_text = ""
    if data_record:
        data_text = (
            f" · {escape(_w('data', lang))}: {escape(data_record['name'])} "
            f"(sha256 {escape(data_record['sha256'][:12])})"
        )
    head = "".join(f"<th>{escape(_w(k, lang))}</th>" for k in COLUMNS)
    body = (
        f"<h1>{escape(_w('title', lang))}</h1>\n"
        f"{demo_banner_html(rows, lang)}"
        f'<p class="summary">{summary}</p>\n'
        f'<p class="build">{when_html(started=started, run_date=run_date, lang=lang)} · '
        f"{escape(_w('duration', lang))} {fmt_number(seconds, lang, decimals=0)} s "
        f"(jobs: {jobs}) · "
        f"bdg-analysis {escape(_w('version', lang))} {escape(__version__)}{data_text}</p>\n"
        f"{legend_html(lang)}\n"
        f'<table class="reports"><thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(_row_html(r, lang) for r in rows)
        + "\n</tbody></table>"
    )
    return page.shell(
        body,
        title=_w("title", lang),
        lang=lang,
        css=page.stylesheet("index.css"),
        main_class="index",
    )
