"""Assemble a province report (summary, goals, comparison, accountability) as HTML; its data
notes are in ``report_notes``."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd

from bdg_analysis import catalogue, charts, geo, page, plans, scorecard, words
from bdg_analysis.scorecard import FLAGGED_STATUSES, IndicatorView, display_status
from bdg_analysis.tables import DATA_STATUSES
from bdg_analysis.targets import Target
from bdg_analysis.text import (
    BOUND_RUN,
    BOUND_TOLERANCE_POINTS,
    STALE_YEARS,
    STATUS_ORDER,
    escape,
    fmt_chance,
    fmt_target,
    fmt_value,
    fmt_value_against,
    label,
    method_words,
    sentence_change,
    sentence_latest,
    sentence_projection,
    status_badge,
    status_note,
    status_word,
)
from bdg_analysis.words import fmt_date, word

META_MIME = "application/vnd.bdg.meta+json"
DEFAULT_DEADLINES = ("06-10", "12-10")  # Bộ LĐTBXH/Bộ Nội vụ: 6-month and annual reports
RISK_STATUSES = ("moving_away", "off_track", "not_achieved", "at_risk")


@dataclass
class ProvinceReport:
    """Everything one province report shows, computed once from data and plan."""

    province: geo.Province
    year: int
    lang: str
    plan: plans.Plan
    context: scorecard.Context
    views: list[IndicatorView]
    run_date: str
    data_files: list[str] = field(default_factory=list)
    # the files the data were laid from, lowest layer first, as shown (empty: the embedded
    # dataset alone)
    data_layers: list[str] = field(default_factory=list)

    @property
    def observations(self) -> pd.DataFrame:
        return self.context.observations

    @property
    def used_rows(self) -> pd.DataFrame:
        """Every observation this report shows (province and national series)."""
        parts = [v.rows for v in self.views if len(v.rows)]
        parts += [
            self.context.rows(geo.NATIONAL_NAME, v.id, self.year)
            for v in self.views
            if catalogue.is_known(v.id)
        ]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    @property
    def demo_count(self) -> int:
        used = self.used_rows
        return int((used["status"] == "demo").sum()) if len(used) else 0


def prepare(
    province: str,
    year: int | None = None,
    data: str | list[str] | None = None,
    lang: str = "vi",
    run_date: str | None = None,
    embedded: bool = False,
) -> ProvinceReport:
    """Load data and plan for ``province`` and assess every target at the report year.

    ``year`` defaults to the latest year with data for the province. ``data``: None for the
    embedded dataset, or one file, or several laid over each other in order (the later file
    winning for the same province, indicator, year and sex; an empty value never erases a
    figure beneath it unless its note withdraws it: :func:`bdg_analysis.dataset.load_layers`).
    ``embedded`` lays the embedded dataset under them, so a province bringing its own figures
    keeps the national series, the other provinces, ranks and comparison (``bdg report
    --data`` does this unless ``--no-embedded``).
    """
    from bdg_analysis import dataset, paths
    from bdg_analysis.errors import BdgInputError

    if lang not in ("vi", "en"):
        raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")
    place = geo.resolve(province).province
    layers = dataset.layer_files(data, embedded=embedded)
    context = scorecard.load_context(layers)
    own = context.current[context.current["province"] == place.name]
    if own.empty:
        raise BdgInputError(
            words.problem("<input>", None, None, "report.no_data", place=place.name)
        )
    report_year = int(year) if year is not None else int(own["year"].max())
    plan = plans.load_plan(place.name)
    views = scorecard.cached_scorecard(context, place.name, plan, report_year)
    files = sorted(context.observations["source_file"].unique().tolist())
    return ProvinceReport(
        province=place,
        year=report_year,
        lang=lang,
        plan=plan,
        context=context,
        views=views,
        run_date=run_date or dt.date.today().isoformat(),
        data_files=files,
        data_layers=[paths.display_path(f) for f in layers or []],
    )


def title(rep: ProvinceReport) -> str:
    return f"{label('report_title', rep.lang)}: {rep.province.name}, {rep.year}"


def _name(view: IndicatorView, lang: str, short: bool = False) -> str:
    ind = view.indicator
    if short and hasattr(ind, "short"):
        return ind.short(lang)
    return ind.name(lang) if hasattr(ind, "name") else str(ind.id)


def _unit(view: IndicatorView, lang: str) -> str:
    return view.indicator.unit(lang)


# ---------------------------------------------------------------------------------------------
# The status table: shared by the summary and the Excel annex


def _statuses(rep: ProvinceReport) -> list[scorecard.TargetStatus]:
    """Every target's status: :func:`bdg_analysis.scorecard.target_statuses`, the function
    ``bdg status`` prints, so the report and the command cannot disagree."""
    return scorecard.target_statuses(
        rep.context, rep.province.name, rep.year, plan=rep.plan, views=rep.views
    )


def _by_indicator(rep: ProvinceReport) -> dict[str, list[scorecard.TargetStatus]]:
    out: dict[str, list[scorecard.TargetStatus]] = {}
    for entry in _statuses(rep):
        out.setdefault(entry.id, []).append(entry)
    return out


def _target(entry: scorecard.TargetStatus) -> Target:
    return Target(entry.id, entry.target_year, entry.op, entry.target, entry.target_high)


def _judged(entry: scorecard.TargetStatus) -> Target:
    """The target a value is judged against (band by direction, tolerance at a bound)."""
    op = entry.judged_op or entry.op
    value = entry.target if entry.judged_value is None else entry.judged_value
    high = entry.judged_high if op == "between" else None
    return Target(entry.id, entry.target_year, op, value, high)


def status_records(rep: ProvinceReport) -> list[dict]:
    """One row per indicator, its headline target's status (the next target after the report
    year, else the last) as :func:`bdg_analysis.scorecard.target_statuses` gives it: latest
    value, targets, projection, chance, status (plain values; the notebook's ``status``)."""
    lang = rep.lang
    heads = scorecard.headline_statuses(_statuses(rep))
    out = []
    for view in rep.views:
        last = view.latest_row
        head = heads.get(view.id)
        t25 = next((t for t in view.targets if t.year == 2025), None)
        t30 = next((t for t in view.targets if t.year == 2030), None)
        out.append(
            {
                "id": view.id,
                "indicator": _name(view, lang),
                "unit": _unit(view, lang),
                "latest": None if last is None else float(last["value"]),
                "latest_year": None if last is None else int(last["year"]),
                "data_status": "" if last is None else str(last["status"]),
                "target_2025": fmt_target(t25, lang) if t25 else "",
                "target_2030": fmt_target(t30, lang) if t30 else "",
                "headline_year": None if head is None else head.target_year,
                "projection": None if head is None else head.projection,
                "low": None if head is None else head.low,
                "high": None if head is None else head.high,
                "probability": None if head is None else head.p_met,
                "status": "no_target" if head is None else head.status,
                "agency": _agency(rep, view.id),
                "source": "" if last is None else _where(last),
            }
        )
    return out


def _finite(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def _agency(rep: ProvinceReport, indicator_id: str) -> str:
    agency = rep.plan.agency_for(indicator_id) if hasattr(rep.plan, "agency_for") else None
    if isinstance(agency, dict):
        names = agency.get("responsible") or []
        return ", ".join(names) if isinstance(names, list) else str(names)
    if agency:
        return str(agency)
    return catalogue.get(indicator_id).agency if catalogue.is_known(indicator_id) else ""


def annex_frame(rep: ProvinceReport) -> pd.DataFrame:
    """The status table of the Excel annex: one row per target and year, exactly the statuses
    of ``bdg status``, in columns named by key (``annex.COLUMNS``); the annex gives each key its
    header, format and definition in the report's language. Texts are in that language too:
    the kind of value, the method in words, the chance as the page shows it (beside the exact
    probability, a number)."""
    lang = rep.lang
    views = {v.id: v for v in rep.views}
    rows = []
    for entry in _statuses(rep):
        view = views[entry.id]
        last = view.latest_row
        flag = "" if last is None else str(last["status"])
        rows.append(
            {
                "id": entry.id,
                "indicator": _name(view, lang),
                "unit": _unit(view, lang),
                "headline_year": entry.target_year,
                "target": fmt_target(_target(entry), lang),
                "latest": entry.latest_value,
                "latest_year": entry.latest_year,
                "data_status": label(flag, lang) if flag in DATA_STATUSES else flag,
                "projection": entry.projection,
                "low": entry.low,
                "high": entry.high,
                "method": method_words(entry.method, lang) if entry.method else "",
                "probability": fmt_chance(entry.p_met, lang) if entry.p_met is not None else "",
                "p_met": entry.p_met,
                "status": status_word(entry.status, lang),
                "note": status_note(entry, lang, _value_text(entry, view, lang)),
                "agency": _agency(rep, entry.id),
                "source": "" if last is None else _where(last),
            }
        )
    return pd.DataFrame(rows)


def _value_text(entry: scorecard.TargetStatus, view: IndicatorView, lang: str) -> str | None:
    """The observed value of the target year, told apart from its target."""
    if entry.observed_value is None:
        return None
    return fmt_value_against(entry.observed_value, [_judged(entry)], lang, view.decimals)


def meta(rep: ProvinceReport) -> dict:
    """What the runner needs: report year, title, counts, and the annex table."""
    frame = annex_frame(rep)
    return {
        "year": rep.year,
        "title": title(rep),
        "province": rep.province.name,
        "lang": rep.lang,
        "demo_rows": rep.demo_count,
        "status_counts": scorecard.status_counts(rep.views),
        "annex": {
            "columns": list(frame.columns),
            "rows": [[_jsonable(v) for v in row] for row in frame.itertuples(index=False)],
        },
    }


def _jsonable(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


# ---------------------------------------------------------------------------------------------
# Sections


def header_html(rep: ProvinceReport) -> str:
    """Title block, the demonstration-data banner when needed, and what the report applies.

    A leader's words only: the province, the report year, the plan named as its document names
    itself (``plan.heading``), the reporting deadlines and the date of the report. Files,
    checksums, parameters and versions are in the page's closed "Technical details" block.
    """
    lang = rep.lang
    parts = [f"<h1>{escape(title(rep))}</h1>"]
    if rep.demo_count:
        parts.append(
            f'<div class="demo-banner" role="note"><strong>{escape(label("demo_banner", lang))}'
            f"</strong> {escape(label('demo_share', lang))}: {rep.demo_count}/"
            f"{len(rep.used_rows)}.</div>"
        )
        parts.append(page.demo_print_rule(label("demo_banner", lang)))
    parts.append('<dl class="meta">')
    items = [
        ("province", _place_name(rep.province, lang)),
        ("report_year", str(rep.year)),
        ("plan", _plan_heading(rep.plan, lang)),
        ("deadline", deadline_text(rep)),
        ("generated", fmt_date(rep.run_date, lang)),
    ]
    note = geo.history_note(rep.province, lang)
    if note:
        items.insert(1, ("history_from", note))
    for key, value in items:
        parts.append(f"<dt>{escape(label(key, lang))}</dt><dd>{escape(value)}</dd>")
    parts.append("</dl>")
    return "\n".join(parts)


def _place_name(place: geo.Province, lang: str) -> str:
    """The province as the page's language names it: ``Tỉnh Lạng Sơn``, ``Lạng Sơn Province``,
    ``Hà Nội City``."""
    for prefix, key in (("Thành phố ", "place_city"), ("Tỉnh ", "place_province")):
        if place.full_name.startswith(prefix):
            return word(f"report.{key}", lang, name=place.name)
    return place.full_name


def _plan_heading(plan: plans.Plan, lang: str) -> str:
    """The plan as its document names itself (``Kế hoạch số 82/KH-UBND ngày ...``)."""
    if hasattr(plan, "heading"):
        return plan.heading(lang)
    return plan.title(lang) if hasattr(plan, "title") else str(plan.jurisdiction)


def deadline_text(rep: ProvinceReport) -> str:
    """The reporting deadlines of the plan, or the usual 10 June / 10 December."""
    lang = rep.lang
    dues = []
    for d in getattr(rep.plan, "deadlines", []) or []:
        due = str(d.get("due", "")) if isinstance(d, dict) else str(d)
        if len(due) == 5 and due[2] == "-":
            dues.append(due)
    dues = dues or list(DEFAULT_DEADLINES)
    words = []
    for due in sorted(set(dues)):
        month, day = int(due[:2]), int(due[3:])
        words.append(
            f"{day}/{month}" if lang == "vi" else dt.date(2000, month, day).strftime("%-d %B")
        )
    return (" và " if lang == "vi" else " and ").join(words) + (
        " hằng năm" if lang == "vi" else " each year"
    )


def contents_html(rep: ProvinceReport) -> str:
    lang = rep.lang
    entries = [("summary", label("summary", lang))]
    entries += [
        (f"goal-{g}", f"{label('goal', lang)} {g}: {n}") for g, n in catalogue.goals(lang).items()
    ]
    entries += [
        ("comparison", label("comparison", lang)),
        ("accountability", label("accountability", lang)),
        ("data-notes", label("data_notes", lang)),
    ]
    items = "".join(f'<li><a href="#{a}">{escape(t)}</a></li>' for a, t in entries)
    return f'<nav class="toc"><h2>{escape(label("contents", lang))}</h2><ol>{items}</ol></nav>'


def summary_html(rep: ProvinceReport) -> str:
    """Counts by status (every target and year), the biggest risks in words, and the status
    table of every target."""
    lang = rep.lang
    counts: dict[str, int] = {}
    for entry in _statuses(rep):
        counts[entry.status] = counts.get(entry.status, 0) + 1
    chips = "".join(
        f"<li>{status_badge(k, lang)} <strong>{counts[k]}</strong></li>"
        for k in STATUS_ORDER
        if counts.get(k)
    )
    parts = [
        f'<section id="summary"><h2>{escape(label("summary", lang))}</h2>',
        f'<ul class="counts" aria-label="{escape(label("targets_total", lang))}">{chips}</ul>',
        f"<p>{escape(overview_sentence(rep, counts))}</p>",
    ]
    risks = risk_sentences(rep)
    if risks:
        parts.append(
            f'<h3>{escape(label("biggest_risks", lang))}</h3><ul class="risks">'
            + "".join(f"<li>{escape(s)}</li>" for s in risks)
            + "</ul>"
        )
    parts.append(status_table_html(rep))
    parts.append("</section>")
    return "\n".join(parts)


def overview_sentence(rep: ProvinceReport, counts: dict[str, int]) -> str:
    """How many of the plan's targets (one per indicator and year) are in each status."""
    lang = rep.lang
    pieces = [f"{counts[k]} {status_word(k, lang).lower()}" for k in STATUS_ORDER if counts.get(k)]
    return word(
        "statuses.targets_sentence",
        lang,
        targets=sum(counts.values()),
        indicators=len(rep.views),
        year=rep.year,
        pieces=", ".join(pieces),
    )


def risk_sentences(rep: ProvinceReport, limit: int = 5) -> list[str]:
    """Three to five plain sentences on the targets most at risk (each indicator's headline
    target), worst first; each names how its figure was obtained."""
    lang = rep.lang
    severity = {s: i for i, s in enumerate(RISK_STATUSES)}
    heads = scorecard.headline_statuses(_statuses(rep))
    risky = [
        (v, heads[v.id]) for v in rep.views if v.id in heads and heads[v.id].status in severity
    ]
    risky.sort(key=lambda vh: (severity[vh[1].status], _chance_key(vh[1].p_met)))
    out = []
    for view, head in risky[:limit]:
        status = status_word(head.status, lang)
        name = _name(view, lang, short=True)
        target = fmt_target(_target(head), lang)
        if head.projection is not None:
            detail = sentence_projection(
                head.target_year,
                head.projection,
                head.low,
                head.high,
                target,
                head.p_met,
                lang,
                view.decimals,
                head.method,
            )
            if "not_observed" in head.flags:
                detail = (
                    word(
                        "statuses.not_observed_sentence",
                        lang,
                        year=head.target_year,
                        latest_year=head.latest_year,
                    )
                    + " "
                    + detail
                )
        else:
            latest = (
                fmt_value_against(head.latest_value, [_judged(head)], lang, view.decimals)
                if head.latest_value is not None
                else label("no_data", lang)
            )
            note = status_note(head, lang, _value_text(head, view, lang))
            detail = word(
                "statuses.latest_sentence",
                lang,
                value=latest,
                latest_year=head.latest_year,
                year=head.target_year,
                target=target,
                note=f" ({note})" if note else "",
            )
        out.append(f"{name} — {status}: {detail}")
    return out


def _chance_key(p: float | None) -> float:
    return math.nan if p is None else float(p)


def status_table_html(rep: ProvinceReport) -> str:
    """Every target on one screen, one row per target and year (``data-target="ID YEAR"``):
    latest value, target, projection for the target year, chance, status and why, exactly as
    ``bdg status`` gives them. The note under the table states the cut-offs."""
    lang = rep.lang
    heads = [
        label("indicator", lang),
        label("latest", lang),
        word("statuses.target_column", lang),
        word("statuses.projection_column", lang),
        label("probability", lang),
        label("status", lang),
    ]
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in heads)
    by_id = _by_indicator(rep)
    body = []
    for view in rep.views:
        entries = by_id.get(view.id, [])
        last = view.latest_row
        judged = [_judged(e) for e in entries]
        latest = (
            label("no_data", lang)
            if last is None
            else (
                f"{fmt_value_against(float(last['value']), judged, lang, view.decimals)}<br>"
                f'<span class="year">{int(last["year"])}'
                f"</span>{_flag(str(last['status']), lang)}"
            )
        )
        span = f' rowspan="{len(entries)}"' if len(entries) > 1 else ""
        lead = (
            f'<th scope="row"{span}><a href="#ind-{escape(view.id)}"><span class="id">'
            f"{escape(view.id)}</span></a> {escape(_name(view, lang, short=True))} "
            f'<span class="unit">({escape(_unit(view, lang))})</span></th>'
            f'<td class="num"{span}{_trace(view)}>{latest}</td>'
        )
        if not entries:
            body.append(
                f'<tr data-target="{escape(view.id)}">{lead}<td>–</td><td>–</td><td>–</td>'
                f"<td>{status_badge('no_target', lang)}</td></tr>"
            )
            continue
        for i, entry in enumerate(entries):
            proj = "–"
            if entry.projection is not None:
                dec = view.decimals
                proj = (
                    f"{fmt_value(entry.projection, lang, dec)}<br>"
                    f'<span class="range">({fmt_value(entry.low, lang, dec)}–'
                    f"{fmt_value(entry.high, lang, dec)})</span>"
                )
            note = status_note(entry, lang, _value_text(entry, view, lang))
            note_html = f'<br><span class="note">{escape(note)}</span>' if note else ""
            body.append(
                f'<tr data-target="{escape(entry.id)} {entry.target_year}">'
                + (lead if i == 0 else "")
                + f'<td class="num">{entry.target_year}: '
                f"{escape(fmt_target(_target(entry), lang))}</td>"
                f'<td class="num">{proj}</td>'
                f'<td class="num">{escape(fmt_chance(entry.p_met, lang))}</td>'
                f"<td>{status_badge(entry.status, lang)}{note_html}</td></tr>"
            )
    note = word(
        "statuses.table_note",
        lang,
        tolerance=fmt_value(BOUND_TOLERANCE_POINTS, lang),
        run=BOUND_RUN,
        years=STALE_YEARS,
    )
    return (
        f'<table class="status"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
        f'<p class="table-note">{escape(note)}</p>'
    )


def _flag(status: str, lang: str) -> str:
    if status in FLAGGED_STATUSES:
        return f' <span class="flag flag-{escape(status)}">{escape(label(status, lang))}</span>'
    return ""


def _where(row: pd.Series) -> str:
    """file:row of a value; a value put together from former provinces names the rows it was
    built from (its ``source_rows`` column)."""
    from bdg_analysis.dataset import boundaries

    return boundaries.sources(row)


def _trace(view: IndicatorView) -> str:
    last = view.latest_row
    if last is None:
        return ""
    return f' title="{escape(_where(last))}"'


def indicator_sentences(rep: ProvinceReport, view: IndicatorView) -> list[str]:
    """The latest value, the change, then each target: how its figure was obtained (the
    method named) and its status, as ``bdg status`` gives it."""
    lang = rep.lang
    last = view.latest_row
    name = _name(view, lang, short=True)
    if last is None:
        return [f"{name}: {label('no_data', lang)}."]
    unit = _unit(view, lang)
    entries = _by_indicator(rep).get(view.id, [])
    flag = label(str(last["status"]), lang) if str(last["status"]) in FLAGGED_STATUSES else ""
    out = [
        sentence_latest(
            name,
            int(last["year"]),
            float(last["value"]),
            unit,
            lang,
            flag,
            view.decimals,
            targets=[_judged(e) for e in entries],
        )
    ]
    trend = view.trend
    if trend.get("change_5y_from") is not None and _finite(trend.get("change_5y")):
        out.append(
            sentence_change(
                trend["change_5y_from"],
                trend["change_5y"],
                unit,
                view.indicator.direction == "higher",
                lang,
                view.decimals,
            )
        )
    for entry in entries:
        target = fmt_target(_target(entry), lang)
        note = ""
        if entry.projection is not None:
            if "not_observed" in entry.flags:
                out.append(
                    word(
                        "statuses.not_observed_sentence",
                        lang,
                        year=entry.target_year,
                        latest_year=entry.latest_year,
                    )
                )
            out.append(
                sentence_projection(
                    entry.target_year,
                    entry.projection,
                    entry.low,
                    entry.high,
                    target,
                    entry.p_met,
                    lang,
                    view.decimals,
                    entry.method,
                )
            )
        else:
            note = status_note(entry, lang, _value_text(entry, view, lang))
        out.append(
            word(
                "statuses.target_sentence",
                lang,
                year=entry.target_year,
                target=target,
                status=status_word(entry.status, lang),
                note=f" ({note})" if note else "",
            )
        )
    return out


def chart_figure(rep: ProvinceReport, view: IndicatorView):
    """One indicator's chart as a matplotlib Figure: series, national, projection band, targets.

    Values that are demonstration, provisional or estimated are drawn hollow.
    """
    lang = rep.lang
    band = None
    if view.path and len(view.series):
        last_year, last_value = int(view.series.index[-1]), float(view.series.iloc[-1])
        band = pd.DataFrame(
            [{"year": last_year, "value": last_value, "low": last_value, "high": last_value}]
            + [
                {"year": p.to_year, "value": p.value, "low": p.low, "high": p.high}
                for p in view.path
                if _finite(p.value)
            ]
        )
    nat = view.national
    if len(view.series) and len(nat):
        nat = nat[nat.index >= view.series.index.min()]
    flagged = (
        view.rows.loc[view.rows["status"].isin(FLAGGED_STATUSES), "year"].tolist()
        if len(view.rows)
        else []
    )
    return charts.trend_chart(
        view.series,
        title=_name(view, lang, short=True),
        unit=_unit(view, lang),
        targets=view.targets,
        national=nat,
        estimated_years=flagged,
        band=band,
        lang=lang,
    )


def chart_html(rep: ProvinceReport, view: IndicatorView) -> str:
    """One indicator's chart (:func:`chart_figure`) as an image, with its alt text and caption."""
    png = charts.to_png_base64(chart_figure(rep, view))
    alt = chart_alt_text(rep, view)
    return (
        f'<figure class="chart"><img src="data:image/png;base64,{png}" alt="{escape(alt)}">'
        f"<figcaption>{escape(alt)}</figcaption></figure>"
    )


def chart_alt_text(rep: ProvinceReport, view: IndicatorView) -> str:
    """Words that say what the chart shows, for screen readers and for print."""
    lang = rep.lang
    series = view.series
    name = f"{_name(view, lang, short=True)} ({_unit(view, lang)}), {rep.province.name}"
    if series.empty:
        data = label("no_data", lang)
    else:
        first, last = int(series.index[0]), int(series.index[-1])
        year_word = "" if lang == "en" else "năm "
        data = (
            f"{year_word}{first}: {fmt_value(series.iloc[0], lang, view.decimals)}; "
            f"{year_word}{last}: {fmt_value(series.iloc[-1], lang, view.decimals)}"
        )
    goals = "; ".join(
        f"{label('target', lang)} {t.year}: {fmt_target(t, lang)}" for t in view.targets
    )
    return ". ".join(x for x in (name, data, goals) if x) + "."


def goal_section_html(rep: ProvinceReport, goal: int) -> str:
    """A goal's heading, then for each indicator: sentences, status and chart."""
    lang = rep.lang
    parts = [
        f'<section class="goal" id="goal-{goal}">',
        f"<h2>{escape(label('goal', lang))} {goal}: {escape(catalogue.goals(lang)[goal])}</h2>",
    ]
    for view in rep.views:
        if view.indicator.goal != goal:
            continue
        badge = status_badge(display_status(view.headline), lang)
        parts.append(
            f'<article class="indicator" id="ind-{escape(view.id)}">'
            f'<h3><span class="id">{escape(view.id)}</span> '
            f"{escape(_name(view, lang))} {badge}</h3>"
        )
        parts.append("<p>" + " ".join(escape(s) for s in indicator_sentences(rep, view)) + "</p>")
        if len(view.series):
            parts.append(chart_html(rep, view))
        parts.append("</article>")
    parts.append("</section>")
    return "\n".join(parts)


def comparison_html(rep: ProvinceReport) -> str:
    """The province against the national value and its rank among the provinces: every rank on
    one common year (:func:`bdg_analysis.scorecard.rank_year`), with how many provinces have a
    figure that year, equal values sharing a rank, none below the stated coverage."""
    lang = rep.lang
    heads = ("indicator", "latest", "national_value", "gap", "rank")
    head = "".join(f'<th scope="col">{escape(label(k, lang))}</th>' for k in heads)
    share = f"{scorecard.RANK_MIN_SHARE:.0%}" if lang == "en" else "một nửa"
    body, strip = [], []
    for view in rep.views:
        last = view.latest_row
        if last is None:
            continue
        year = int(last["year"])
        nat = view.national.get(year, math.nan) if len(view.national) else math.nan
        comparable = view.indicator.kind not in ("count", "binary")  # a sum or yes/no: no gap
        gap = float(last["value"]) - nat if _finite(nat) and comparable else math.nan
        rank, n = view.rank if comparable else (None, 0)
        body.append(
            f'<tr><td><span class="id">{escape(view.id)}</span> '
            f"{escape(_name(view, lang, short=True))}</td>"
            f'<td class="num">{fmt_value(float(last["value"]), lang, view.decimals)} '
            f"({year})</td>"
            f'<td class="num">{fmt_value(nat, lang, view.decimals) if comparable else "–"}</td>'
            f'<td class="num">{_signed(gap, lang, view.decimals)}</td>'
            f'<td class="num">{_rank_cell(view, lang, share) if comparable else "–"}</td></tr>'
        )
        if comparable and rank is not None:
            strip.append((f"{view.id} {_name(view, lang, short=True)}"[:48], rank, n))
    note = word("statuses.rank_note", lang, share=share)
    parts = [
        f'<section id="comparison"><h2>{escape(label("comparison", lang))}</h2>',
        f'<table class="comparison"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>",
        f'<p class="table-note">{escape(note)}</p>',
    ]
    if strip:
        fig = charts.rank_strip(strip, province=rep.province.name, lang=lang)
        alt = "; ".join(f"{lbl}: {r}/{n}" for lbl, r, n in strip if r is not None)
        parts.append(
            f'<figure class="chart"><img src="data:image/png;base64,'
            f'{charts.to_png_base64(fig)}" alt="{escape(alt)}"></figure>'
        )
    parts.append("</section>")
    return "\n".join(parts)


def _rank_cell(view: IndicatorView, lang: str, share: str) -> str:
    """'3<br>28/34 tỉnh có số liệu năm 2025', or why there is no rank."""
    rank, n = view.rank
    if view.rank_year is None:
        return "–"
    coverage = word("statuses.rank_coverage", lang, n=n, total=view.rank_total, year=view.rank_year)
    if n < scorecard.RANK_MIN_SHARE * view.rank_total:
        why = word("statuses.rank_none", lang, share=share)
    elif rank is None:
        why = word("statuses.rank_no_value", lang, year=view.rank_year)
    else:
        return f'{rank}<br><span class="coverage">{escape(coverage)}</span>'
    return f'–<br><span class="coverage">{escape(coverage)}; {escape(why)}</span>'


def _signed(value: float, lang: str, decimals: int | None = None) -> str:
    if not _finite(value):
        return "–"
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return sign + fmt_value(abs(value), lang, decimals)


def accountability_html(rep: ProvinceReport) -> str:
    """Targets grouped by the agency responsible in the plan, with counts by status."""
    lang = rep.lang
    groups: dict[str, list[IndicatorView]] = {}
    for view in rep.views:
        groups.setdefault(_agency(rep, view.id) or "–", []).append(view)
    statuses = [s for s in STATUS_ORDER if any(display_status(v.headline) == s for v in rep.views)]
    head = (
        f'<th scope="col">{escape(label("agency", lang))}</th>'
        + "".join(f'<th scope="col">{status_badge(s, lang)}</th>' for s in statuses)
        + f'<th scope="col">{escape(label("indicator", lang))}</th>'
    )
    body = []
    for agency in sorted(groups):
        views = groups[agency]
        cells = "".join(
            f'<td class="num">{sum(display_status(v.headline) == s for v in views) or ""}</td>'
            for s in statuses
        )
        ids = ", ".join(escape(v.id) for v in views)
        body.append(f"<tr><td>{escape(agency)}</td>{cells}<td>{ids}</td></tr>")
    return (
        f'<section id="accountability"><h2>{escape(label("accountability", lang))}</h2>'
        f'<table class="accountability"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></section>"
    )
