"""The state of a collection round (``bdg collection``): per agency, what was received, what is
missing or flagged, and the days left to the deadline, as a table, JSON or a page to forward.

A round is what :func:`bdg_analysis.forms.plan_round` asks. Its answers come from the tidy data
(returns already imported: their ``source`` names this round's form, see
:func:`bdg_analysis.io.form_sources.parse_source`) and from returned workbooks not yet imported
(``--forms DIR``). A row is *received* (a figure), *no figure* (left empty with a reason),
*missing*, or *refused* (a value the reader would not take: out of range, not a number, a moved
row). A received figure is flagged when it is provisional, disagrees with its numerator and
denominator, differs from a figure already held, or jumps far beyond the series' own history
(the robust z-score of :mod:`bdg_analysis.quality`, on real figures only).

It sits beside :mod:`bdg_analysis.quality` (whose outlier rule it reuses) on the exploration
floor: it reads forms, plans and data and writes a page, and nothing below imports it.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from bdg_analysis import forms, geo, quality, words
from bdg_analysis.errors import BdgInputError, Problem
from bdg_analysis.io import forms as fio
from bdg_analysis.io.form_sources import parse_source
from bdg_analysis.paths import RESOURCES_DIR, display_path
from bdg_analysis.version import __version__
from bdg_analysis.words import check_lang, fmt_date, fmt_number, phrase, said, word

STATES = ("received", "no_figure", "missing", "refused")
FLAGS = ("provisional", "mismatch", "jump", "differs", "refused")
FORMATS = ("table", "json", "html")
CSS_FILE = RESOURCES_DIR / "collection.css"

_CELL = re.compile(r":([A-Z]+)(\d+)$")


@dataclass
class Item:
    """One indicator and year an agency is asked for, and where it stands."""

    indicator: str
    name: str
    unit: str
    year: int
    state: str = "missing"
    value: float | None = None
    status: str = ""
    source: str = ""
    note: str = ""
    where: str = ""
    flags: list[tuple[str, str]] = field(default_factory=list)  # (code, text in the language)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@dataclass
class AgencyState:
    """One agency's part of the round: its form, its return, its rows."""

    agency: str
    form_id: str
    items: list[Item]
    returned: dt.date | None = None
    file: str = ""

    def count(self, state: str) -> int:
        return sum(1 for i in self.items if i.state == state)

    @property
    def flagged(self) -> int:
        """Rows taken but to check (a refused row counts as refused, not here)."""
        return sum(1 for i in self.items if i.flagged and i.state != "refused")

    def counts(self) -> dict[str, int]:
        out = {"asked": len(self.items)}
        out.update({s: self.count(s) for s in STATES})
        out["flagged"] = self.flagged
        return out


@dataclass
class RoundState:
    """The whole round: province, year, deadline, days left, every agency."""

    province: geo.Province
    year: int
    deadline: dt.date
    today: dt.date
    return_to: str
    agencies: list[AgencyState]
    lang: str = "vi"
    ignored: list[str] = field(default_factory=list)

    @property
    def days_left(self) -> int:
        """Days from ``today`` to the deadline (negative: overdue)."""
        return (self.deadline - self.today).days

    def to_dict(self) -> dict:
        """The state as JSON-ready data (``--format json``); flag texts in the state's language."""
        return {
            "province": self.province.name,
            "province_code": self.province.code,
            "year": self.year,
            "deadline": self.deadline.isoformat(),
            "today": self.today.isoformat(),
            "days_left": self.days_left,
            "return_to": self.return_to,
            "agencies": [
                {
                    "agency": a.agency,
                    "form_id": a.form_id,
                    "returned": a.returned.isoformat() if a.returned else None,
                    "file": a.file or None,
                    "counts": a.counts(),
                    "items": [
                        {
                            "indicator": i.indicator,
                            "year": i.year,
                            "state": i.state,
                            "value": i.value,
                            "status": i.status or None,
                            "source": i.source or None,
                            "note": i.note or None,
                            "where": i.where or None,
                            "flags": [{"code": c, "text": t} for c, t in i.flags],
                        }
                        for i in a.items
                    ],
                }
                for a in self.agencies
            ],
            "ignored": self.ignored,
        }


# ---------------------------------------------------------------- the state


def of_this_round(source: object, province_code: str, year: int) -> bool:
    """True when ``source`` names a form of this province and report year."""
    parsed = parse_source(str(source or ""))
    return parsed is not None and parsed.form_id.startswith(f"BDG-{province_code}-{year}-")


def round_state(
    province: str,
    year: int,
    observations: pd.DataFrame,
    *,
    returns: list[fio.FormRead] | None = None,
    today: dt.date | None = None,
    deadline: dt.date | None = None,
    back: int = forms.DEFAULT_BACK,
    lang: str = "vi",
    ignored: list[str] | None = None,
    params_dir: str | Path | None = None,
) -> RoundState:
    """Where a province's round stands.

    Parameters
    ----------
    observations
        Checked observations (``dataset.load``): the tidy data, with imported returns.
    returns
        Returned forms not yet imported (:func:`bdg_analysis.io.forms.read_form`); a later
        return of the same agency wins over an earlier one.
    today, deadline
        Injectable dates (tests, ``--today``); the deadline defaults to the forms' own (those
        returned, else those named in imported rows' sources), else the plan's next one
        (:func:`bdg_analysis.forms.deadline_for`).
    """
    lang = check_lang(lang)
    place = geo.resolve(province).province
    today = today or dt.date.today()
    returns = sorted(returns or [], key=lambda f: (f.returned or dt.date.min, f.file))
    for form in returns:
        fio.expect(form.meta, form.file, province=place.name, year=year)
    code = place.code
    ours = observations["source"].map(lambda s: of_this_round(s, code, year)).astype(bool)
    if deadline is None:  # the forms' own: returned ones, else those named in imported rows
        dates = [f.meta.deadline for f in returns if f.meta.deadline]
        dates += _form_deadlines(observations.loc[ours, "source"])
        deadline = max(dates) if dates else None
    before = observations[~ours]
    asked = forms.plan_round(
        place.name, year, before, today=today, deadline=deadline, back=back, params_dir=params_dir
    )
    held = forms.held_series(observations, place)
    real = held[(held["status"] != "demo") & held["sex"].fillna("").isin(["", "total"])]
    gaps = observations[
        ours & observations["value"].isna() & (observations["province"] == place.name)
    ]
    answers, refusals, cell_flags, latest = _answers(returns)
    rows = [(r.agency, r.indicator, r.year) for r in asked.rows]
    seen = {(a, i.id, y) for a, i, y in rows}
    for form in returns:  # rows a returned form asked that the data now holds
        for spec in form.meta.rows:
            if (form.meta.agency, spec.indicator, spec.year) not in seen:
                seen.add((form.meta.agency, spec.indicator, spec.year))
                rows.append((form.meta.agency, asked.plan.indicator(spec.indicator), spec.year))
    agencies: dict[str, AgencyState] = {}
    for agency, ind, year_ in rows:
        state = agencies.get(agency)
        if state is None:
            form = latest.get(agency)
            state = agencies[agency] = AgencyState(
                agency,
                form.meta.form_id if form else asked.form_id(agency),
                [],
                form.returned if form else None,
                form.file if form else "",
            )
        key = (ind.id, int(year_))
        item = Item(ind.id, ind.short(lang), ind.unit(lang), int(year_))
        if key in refusals:
            item.state = "refused"
            item.where, why = refusals[key]
            why = said(why, lang)  # the reader's words, in the page's language
            item.flags.append(("refused", word("collection.flag_refused", lang, why=why)))
        elif key in answers:
            _from_form(item, answers[key])
        else:
            _from_data(item, real, gaps)
        if item.state == "received":
            _flag(item, real, cell_flags.get(key, []), lang)
        state.items.append(item)
    return RoundState(
        province=place,
        year=int(year),
        deadline=asked.deadline,
        today=today,
        return_to=asked.return_to,
        agencies=list(agencies.values()),
        lang=lang,
        ignored=list(ignored or []),
    )


def _form_deadlines(sources: pd.Series) -> list[dt.date]:
    """The deadlines in form ids (``BDG-..-YYYYMMDD``) of imported rows' sources."""
    out = set()
    for text in sources.unique().tolist():
        parsed = parse_source(str(text))
        match = re.search(r"-(\d{8})$", parsed.form_id) if parsed else None
        if match:
            try:
                out.add(dt.datetime.strptime(match.group(1), "%Y%m%d").date())
            except ValueError:
                continue
    return sorted(out)


def _answers(returns: list[fio.FormRead]):
    """Rows, refusals and flags of the returned forms, keyed (indicator, year); later wins."""
    answers: dict[tuple[str, int], dict] = {}
    refusals: dict[tuple[str, int], tuple[str, str]] = {}
    flags: dict[tuple[str, int], list[str]] = {}
    latest: dict[str, fio.FormRead] = {}
    for form in returns:
        latest[form.meta.agency] = form
        by_row = {spec.row: (spec.indicator, spec.year) for spec in form.meta.rows}
        for record in form.rows.to_dict("records"):
            key = (record["indicator"], int(record["year"]))
            answers[key] = {**record, "returned": form.returned}
            refusals.pop(key, None)
        for problem in form.problems:
            key = _row_key(problem, by_row)
            if key is not None:
                why = phrase("collection.refusal", column=problem.column, message=problem.message)
                refusals[key] = (problem.file, why)
                answers.pop(key, None)
        for problem in form.flags:
            key = _row_key(problem, by_row)
            if key is not None:
                flags.setdefault(key, []).append(problem)
    return answers, refusals, flags, latest


def _row_key(problem: Problem, by_row: dict[int, tuple[str, int]]) -> tuple[str, int] | None:
    match = _CELL.search(problem.file)
    return by_row.get(int(match.group(2))) if match else None


def _from_form(item: Item, record: dict) -> None:
    value = record["value"]
    item.value = float(value) if value not in ("", None) else None
    item.state = "received" if item.value is not None else "no_figure"
    item.status = record["status"]
    item.source = record["source"]
    item.note = record["note"]
    item.where = f"{record['source_file']}:{record['source_cell']}"


def _from_data(item: Item, real: pd.DataFrame, gaps: pd.DataFrame) -> None:
    rows = real[(real["indicator"] == item.indicator) & (real["year"] == item.year)]
    if not rows.empty:
        row = rows.iloc[-1]
        item.state = "received"
        item.value = float(row["value"])
        item.status = str(row["status"] or "official")
        item.source = str(row["source"] or "")
        item.note = str(row["note"] or "")
        item.where = _trace(row)
        return
    empty = gaps[(gaps["indicator"] == item.indicator) & (gaps["year"] == item.year)]
    if not empty.empty and str(empty.iloc[-1]["note"] or "").strip():
        row = empty.iloc[-1]
        item.state = "no_figure"
        item.source = str(row["source"] or "")
        item.note = str(row["note"] or "")
        item.where = _trace(row)


def _trace(row: pd.Series) -> str:
    number = row.get("source_row")
    if number is None or pd.isna(number):
        return str(row.get("source_file") or "")
    return f"{row.get('source_file')}:{int(number)}"


def _flag(item: Item, real: pd.DataFrame, cell_flags: list[Problem], lang: str) -> None:
    """Provisional, numerator/denominator, a figure held elsewhere, a jump."""
    assert item.value is not None
    if item.status == "provisional":
        item.flags.append(("provisional", word("collection.flag_provisional", lang)))
    mismatch = any(p.code == "forms.flag_mismatch" for p in cell_flags)
    if fio.MISMATCH_NOTE in item.note or mismatch:
        item.flags.append(("mismatch", word("collection.flag_mismatch", lang)))
    series = real[real["indicator"] == item.indicator]
    same_year = series[series["year"] == item.year]
    other = same_year[~same_year["source"].astype(str).eq(item.source)]
    if not other.empty and not math.isclose(float(other.iloc[-1]["value"]), item.value):
        held = fmt_number(float(other.iloc[-1]["value"]), lang)
        item.flags.append(("differs", word("collection.flag_differs", lang, held=held)))
    z = jump_z(series[series["year"] != item.year], item.year, item.value)
    if z is not None:
        shown = fmt_number(abs(z), lang, decimals=quality.z_decimals(z, quality.Z_THRESHOLD))
        item.flags.append(("jump", word("collection.flag_jump", lang, z=shown)))


def jump_z(history: pd.DataFrame, year: int, value: float) -> float | None:
    """The robust z of the change per year leading to ``value`` in ``year``, when it lies
    beyond :data:`bdg_analysis.quality.Z_THRESHOLD` and the series has at least
    :data:`~bdg_analysis.quality.MIN_CHANGES` changes; else None.

    ``history`` holds the series' other real figures (``year``, ``value``); the yardstick is
    the series itself, as in :func:`bdg_analysis.quality.outliers`.
    """
    points = history[["year", "value"]].dropna()
    points = pd.concat(
        [points, pd.DataFrame({"year": [year], "value": [value]})], ignore_index=True
    )
    points = points.drop_duplicates("year", keep="last").sort_values("year")
    years = points["year"].to_numpy(dtype="float64")
    values = points["value"].to_numpy(dtype="float64")
    if len(values) < 2:
        return None
    changes = np.diff(values) / np.diff(years)
    if int(np.isfinite(changes).sum()) < quality.MIN_CHANGES:
        return None
    z = quality.robust_z(changes, floor=quality.precision(values))
    at = int(np.where(years == year)[0][0])
    # the change into this year, or for the first year the change out of it
    judged = z[at - 1] if at > 0 else z[0]
    if np.isfinite(judged) and abs(judged) > quality.Z_THRESHOLD:
        return float(judged)
    return None


# ---------------------------------------------------------------- output


def render(state: RoundState, fmt: str = "table") -> str:
    """The state as ``table`` (plain text), ``json`` or ``html`` (a page to forward)."""
    if fmt == "json":
        return json.dumps(state.to_dict(), ensure_ascii=False, indent=2)
    if fmt == "html":
        return render_html(state)
    if fmt == "table":
        return render_table(state)
    raise BdgInputError(
        words.problem(
            "--format",
            None,
            "format",
            "collection.bad_format",
            format=fmt,
            allowed=", ".join(FORMATS),
        )
    )


def _w(key: str, state: RoundState, **fields) -> str:
    return word(f"collection.{key}", state.lang, **fields)


def _days(state: RoundState) -> str:
    n = state.days_left
    if n > 0:
        return _w("days_left", state, n=n)
    if n == 0:
        return _w("due_today", state)
    return _w("overdue", state, n=-n)


def _years(years: list[int]) -> str:
    return ", ".join(str(y) for y in sorted(years))


def _grouped_missing(agency: AgencyState) -> list[tuple[str, str, list[int]]]:
    """Missing rows grouped by indicator: (id, short name, years)."""
    out: dict[str, tuple[str, list[int]]] = {}
    for item in agency.items:
        if item.state == "missing":
            out.setdefault(item.indicator, (item.name, []))[1].append(item.year)
    return [(k, name, years) for k, (name, years) in out.items()]


def _detail(item: Item, state: RoundState) -> str:
    parts = [text for _, text in item.flags]
    if item.state == "no_figure" and item.note:
        parts.append(_w("reason", state, note=item.note))
    return "; ".join(parts)


def render_table(state: RoundState) -> str:
    """Plain text: a line per agency with its counts, then what is missing and what to check."""
    lines = [
        f"{_w('title', state)}: {_w('lead', state, province=state.province.name, year=state.year)}",
        f"{_w('deadline', state)}: {fmt_date(state.deadline, state.lang)} ({_days(state)}; "
        f"{_w('as_of', state).lower()} {fmt_date(state.today, state.lang)})",
        f"{_w('return_to', state)}: {state.return_to}",
        "",
    ]
    heads = ["agency", "asked", "received", "no_figure", "missing", "refused", "flagged"]
    labels = [_w(h, state) for h in heads] + [_w("returned", state)]
    table = []
    for a in state.agencies:
        c = a.counts()
        returned = fmt_date(a.returned, state.lang) if a.returned else _w("not_returned", state)
        table.append([a.agency, *[str(c[h]) for h in heads[1:]], returned])
    widths = [max(len(r[i]) for r in [labels, *table]) for i in range(len(labels))]
    for row in [labels, *table]:
        cells = [row[0].ljust(widths[0])]
        cells += [v.rjust(w) for v, w in zip(row[1:-1], widths[1:-1], strict=True)]
        cells.append(row[-1])
        lines.append("  ".join(cells).rstrip())
    for a in state.agencies:
        missing = _grouped_missing(a)
        notable = [i for i in a.items if i.flagged or i.state == "no_figure"]
        if not missing and not notable:
            continue
        lines += ["", f"{a.agency} ({a.form_id})"]
        for ind, name, years in missing:
            lines.append(f"  {_w('state_missing', state)}: {ind} {name}: {_years(years)}")
        for item in notable:
            value = "" if item.value is None else f" = {fmt_number(item.value, state.lang)}"
            lines.append(
                f"  {_w('state_' + item.state, state)}: {item.indicator} {item.year}{value}: "
                f"{_detail(item, state)}" + (f" [{item.where}]" if item.where else "")
            )
    if state.ignored:
        lines += ["", _w("ignored", state, files=", ".join(state.ignored))]
    return "\n".join(lines)


def _css() -> str:
    return CSS_FILE.read_text(encoding="utf-8")


def render_html(state: RoundState) -> str:
    """A self-contained page (inline style, nothing fetched, every text escaped) that a Home
    Affairs officer can forward or print: the deadline, a table by agency, then per agency
    what is missing and what to check."""
    e = html.escape
    lang = state.lang
    heads = ["asked", "received", "no_figure", "missing", "refused", "flagged"]
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(_w('title', state))}: {e(state.province.name)} {state.year}</title>",
        f"<style>\n{_css()}</style>",
        "</head>",
        '<body><main class="collection">',
        f"<h1>{e(_w('title', state))}</h1>",
        f'<p class="lead">{e(_w("lead", state, province=state.province.name, year=state.year))}'
        "</p>",
        '<dl class="meta">',
        f"<dt>{e(_w('deadline', state))}</dt><dd><strong>"
        f"{e(fmt_date(state.deadline, lang))}</strong> "
        f'<span class="{"late" if state.days_left < 0 else "left"}">({e(_days(state))})</span>'
        "</dd>",
        f"<dt>{e(_w('as_of', state))}</dt><dd>{e(fmt_date(state.today, lang))}</dd>",
        f"<dt>{e(_w('return_to', state))}</dt><dd>{e(state.return_to)}</dd>",
        "</dl>",
        f"<h2>{e(_w('summary_title', state))}</h2>",
        '<table class="summary"><thead><tr>',
        f"<th>{e(_w('agency', state))}</th>",
        *[f'<th class="num">{e(_w(h, state))}</th>' for h in heads],
        f"<th>{e(_w('returned', state))}</th>",
        "</tr></thead><tbody>",
    ]
    totals = dict.fromkeys(heads, 0)
    for a in state.agencies:
        c = a.counts()
        returned = fmt_date(a.returned, lang) if a.returned else _w("not_returned", state)
        cells = []
        for h in heads:
            totals[h] += c[h]
            css = "num" + (" warn" if h in ("missing", "refused", "flagged") and c[h] else "")
            cells.append(f'<td class="{css}">{c[h]}</td>')
        out.append(
            f'<tr><td><a href="#{_anchor(a.agency)}">{e(a.agency)}</a></td>{"".join(cells)}'
            f'<td class="{"" if a.returned else "warn"}">{e(returned)}</td></tr>'
        )
    out.append(
        f'<tr class="total"><td>{e(_w("total", state))}</td>'
        + "".join(f'<td class="num">{totals[h]}</td>' for h in heads)
        + "<td></td></tr>"
    )
    out.append("</tbody></table>")
    for a in state.agencies:
        out += _agency_html(a, state)
    if state.ignored:
        out.append(f'<p class="note">{e(_w("ignored", state, files=", ".join(state.ignored)))}</p>')
    out += [
        f"<h2>{e(_w('rules_title', state))}</h2>",
        '<ul class="rules">',
        f"<li>{e(word('forms.tolerance_rule', lang))}</li>",
        "<li>"
        + e(
            _w(
                "rule_jump",
                state,
                threshold=fmt_number(quality.Z_THRESHOLD, lang),
                min_changes=quality.MIN_CHANGES,
            )
        )
        + "</li>",
        f"<li>{e(_w('rule_refused', state))}</li>",
        "</ul>",
        f'<p class="generated">'
        f"{e(_w('generated', state, version=__version__, date=fmt_date(state.today, lang)))}</p>",
        "</main></body></html>",
    ]
    return "\n".join(out) + "\n"


def _anchor(agency: str) -> str:
    return "agency-" + forms.slug(agency)


def _agency_html(a: AgencyState, state: RoundState) -> list[str]:
    e = html.escape
    lang = state.lang
    if a.returned:
        said = _w(
            "form_returned",
            state,
            form=a.form_id,
            date=fmt_date(a.returned, lang),
            file=a.file or "–",
        )
    else:
        said = _w("form_not_returned", state, form=a.form_id)
    out = [
        f'<section class="agency" id="{_anchor(a.agency)}">',
        f"<h2>{e(a.agency)}</h2>",
        f"<p>{e(said)}</p>",
    ]
    missing = _grouped_missing(a)
    notable = [i for i in a.items if i.flagged or i.state == "no_figure"]
    if not missing and not notable:
        out.append(f'<p class="ok">{e(_w("all_received", state, n=len(a.items)))}</p>')
        out.append("</section>")
        return out
    out += [
        "<table><thead><tr>",
        f"<th>{e(_w('col_id', state))}</th><th>{e(_w('col_indicator', state))}</th>",
        f"<th>{e(_w('col_year', state))}</th><th>{e(_w('col_state', state))}</th>",
        f'<th class="num">{e(_w("col_value", state))}</th>',
        f"<th>{e(_w('col_detail', state))}</th>",
        "</tr></thead><tbody>",
    ]
    for ind, name, years in missing:
        out.append(
            f'<tr class="missing"><td class="id">{e(ind)}</td><td>{e(name)}</td>'
            f"<td>{e(_years(years))}</td><td>{e(_w('state_missing', state))}</td>"
            "<td></td><td></td></tr>"
        )
    for item in notable:
        value = "" if item.value is None else fmt_number(item.value, lang)
        where = f' <span class="where">[{e(item.where)}]</span>' if item.where else ""
        out.append(
            f'<tr class="{e(item.state)}"><td class="id">{e(item.indicator)}</td>'
            f"<td>{e(item.name)}</td><td>{item.year}</td>"
            f"<td>{e(_w('state_' + item.state, state))}</td>"
            f'<td class="num">{e(value)}</td><td>{e(_detail(item, state))}{where}</td></tr>'
        )
    out.append("</tbody></table>")
    ok = sum(1 for i in a.items if i.state == "received" and not i.flagged)
    if ok:
        out.append(f'<p class="ok">{e(_w("received_ok", state, n=ok))}</p>')
    out.append("</section>")
    return out


# ---------------------------------------------------------------- the command's work


def collect(
    province: str,
    year: int,
    data: list[str | Path],
    *,
    forms_dir: list[str | Path] | None = None,
    today: dt.date | None = None,
    deadline: dt.date | None = None,
    lang: str = "vi",
) -> RoundState:
    """Load the data and the returned forms and say where the round stands (``bdg collection``).

    A workbook in ``forms_dir`` that is not one of our forms, or belongs to another province or
    year, is left out and named in ``ignored``; a form of this round with a damaged hidden
    block is an error.
    """
    from bdg_analysis import dataset

    observations = dataset.load(list(data))
    place = geo.resolve(province).province
    returns: list[fio.FormRead] = []
    ignored: list[str] = []
    files: list[Path] = []
    for item in forms_dir or []:
        item = Path(item)
        if not item.exists():
            raise BdgInputError(
                words.problem(display_path(item), None, "--forms", "collection.not_found")
            )
        if item.is_dir():
            files += sorted(p for p in item.rglob("*.xlsx") if not p.name.startswith(("~$", ".")))
        else:
            files.append(item)
    for file in files:
        form = fio.read_form(file, today=today)
        if form is None:
            ignored.append(display_path(file))
            continue
        if form.meta.province_code != place.code or form.meta.year != int(year):
            ignored.append(f"{form.file} ({form.meta.province} {form.meta.year})")
            continue
        returns.append(form)
    return round_state(
        province,
        year,
        observations,
        returns=returns,
        today=today,
        deadline=deadline,
        lang=lang,
        ignored=ignored,
    )
