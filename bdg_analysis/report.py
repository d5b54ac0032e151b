"""Assemble a province report (summary, goals, comparison, accountability, notes) as HTML."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd

from bdg_analysis import catalogue, charts, geo, page, plans, scorecard
from bdg_analysis.scorecard import FLAGGED_STATUSES, IndicatorView, display_status
from bdg_analysis.text import (
    STATUS_ORDER,
    escape,
    fmt_percent,
    fmt_target,
    fmt_value,
    label,
    sentence_change,
    sentence_latest,
    sentence_projection,
    status_badge,
    status_word,
)
from bdg_analysis.words import fmt_date

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
) -> ProvinceReport:
    """Load data and plan for ``province`` and assess every target at the report year.

    ``year`` defaults to the latest year with data for the province.
    """
    from bdg_analysis.errors import BdgInputError

    if lang not in ("vi", "en"):
        raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")
    place = geo.resolve(province).province
    context = scorecard.load_context(data)
    own = context.current[context.current["province"] == place.name]
    if own.empty:
        raise BdgInputError(f"no data for {place.name} in the data file(s)")
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


def status_records(rep: ProvinceReport) -> list[dict]:
    """One row per indicator: latest value, targets, projection, chance, status (plain values)."""
    lang = rep.lang
    out = []
    for view in rep.views:
        last = view.latest_row
        head = view.headline
        proj = head.projection if head is not None else None
        t25 = next((t for t in view.targets if t.year == 2025), None)
        t30 = next((t for t in view.targets if t.year == 2030), None)
        future = proj is not None and head is not None and head.target.year > rep.year
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
                "headline_year": None if head is None else head.target.year,
                "projection": proj.value if future and _finite(proj.value) else None,
                "low": proj.low if future and _finite(proj.low) else None,
                "high": proj.high if future and _finite(proj.high) else None,
                "probability": None
                if head is None or head.probability is None
                else float(head.probability),
                "status": display_status(head),
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
    """The status table as the Excel annex shows it (headers in the report's language)."""
    lang = rep.lang
    heads = {
        "id": "Mã" if lang == "vi" else "Id",
        "indicator": label("indicator", lang),
        "unit": label("unit", lang),
        "latest": label("latest", lang),
        "latest_year": label("latest_year", lang),
        "data_status": label("source", lang) + " (status)",
        "target_2025": label("target_2025", lang),
        "target_2030": label("target_2030", lang),
        "headline_year": label("target", lang) + (" (năm)" if lang == "vi" else " (year)"),
        "projection": label("projection", lang),
        "low": "80% –",
        "high": "80% +",
        "probability": label("probability", lang),
        "status": label("status", lang),
        "agency": label("agency", lang),
        "source": label("data_file", lang),
    }
    records = status_records(rep)
    for r in records:
        r["status"] = status_word(r["status"], lang)
        r["data_status"] = (
            label(r["data_status"], lang)
            if r["data_status"] in ("official", "provisional", "estimate", "demo")
            else r["data_status"]
        )
    return pd.DataFrame(records).rename(columns=heads)


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
    from bdg_analysis.words import word

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
    """Counts by status, the biggest risks in words, and the status table of every target."""
    lang = rep.lang
    counts = scorecard.status_counts(rep.views)
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
    lang = rep.lang
    total = sum(counts.values())
    pieces = [f"{counts[k]} {status_word(k, lang).lower()}" for k in STATUS_ORDER if counts.get(k)]
    if lang == "en":
        return (
            f"Of {total} indicators of the plan, judged on the target ahead of {rep.year} "
            f"(or the last one): " + ", ".join(pieces) + "."
        )
    return (
        f"Trong {total} chỉ tiêu của kế hoạch, xét theo mục tiêu gần nhất sau năm "
        f"{rep.year} (hoặc mục tiêu cuối cùng): " + ", ".join(pieces) + "."
    )


def risk_sentences(rep: ProvinceReport, limit: int = 5) -> list[str]:
    """Three to five plain sentences on the targets most at risk, worst first."""
    lang = rep.lang
    severity = {s: i for i, s in enumerate(RISK_STATUSES)}
    risky = [v for v in rep.views if display_status(v.headline) in severity]
    risky.sort(
        key=lambda v: (severity[display_status(v.headline)], scorecard.probability(v.headline))
    )
    out = []
    for view in risky[:limit]:
        head = view.headline
        status = status_word(display_status(head), lang)
        name = _name(view, lang, short=True)
        proj = head.projection
        target = fmt_target(head.target, lang)
        if proj is not None and _finite(proj.value) and head.target.year > rep.year:
            detail = sentence_projection(
                head.target.year,
                proj.value,
                proj.low,
                proj.high,
                target,
                head.probability,
                lang,
                view.decimals,
            )
        else:
            latest = (
                fmt_value(head.latest_value, lang, view.decimals)
                if _finite(head.latest_value)
                else label("no_data", lang)
            )
            detail = (
                f"latest value {latest}, target {head.target.year}: {target}."
                if lang == "en"
                else f"giá trị mới nhất {latest}, mục tiêu năm {head.target.year}: {target}."
            )
        out.append(f"{name} — {status}: {detail}")
    return out


def status_table_html(rep: ProvinceReport) -> str:
    """Every target on one screen: latest value, targets, projection, chance, status."""
    lang = rep.lang
    heads = [
        label("indicator", lang),
        label("latest", lang),
        label("target", lang),
        label("projection", lang),
        label("probability", lang),
        label("status", lang),
    ]
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in heads)
    body = []
    for rec, view in zip(status_records(rep), rep.views, strict=True):
        latest = (
            label("no_data", lang)
            if rec["latest"] is None
            else (
                f"{fmt_value(rec['latest'], lang, view.decimals)}<br>"
                f'<span class="year">{rec["latest_year"]}'
                f"</span>{_flag(rec['data_status'], lang)}"
            )
        )
        targets = (
            "<br>".join(
                f"{y}: {escape(rec[k])}"
                for y, k in ((2025, "target_2025"), (2030, "target_2030"))
                if rec[k]
            )
            or "–"
        )
        proj = "–"
        if rec["projection"] is not None:
            dec = view.decimals
            proj = (
                f"{rec['headline_year']}: {fmt_value(rec['projection'], lang, dec)}<br>"
                f'<span class="range">({fmt_value(rec["low"], lang, dec)}–'
                f"{fmt_value(rec['high'], lang, dec)})</span>"
            )
        body.append(
            f'<tr><td><a href="#ind-{escape(view.id)}"><span class="id">{escape(view.id)}'
            f"</span></a> {escape(_name(view, lang, short=True))} "
            f'<span class="unit">({escape(rec["unit"])})</span></td>'
            f'<td class="num"{_trace(view)}>{latest}</td>'
            f'<td class="num">{targets}</td>'
            f'<td class="num">{proj}</td>'
            f'<td class="num">{escape(fmt_percent(rec["probability"], lang))}</td>'
            f"<td>{status_badge(rec['status'], lang)}</td></tr>"
        )
    return (
        f'<table class="status"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
        f'<p class="table-note">{escape(label("status_table_note", lang))}</p>'
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
    """Two or three sentences: the latest value, the change, and the projection or verdict."""
    lang = rep.lang
    last = view.latest_row
    name = _name(view, lang, short=True)
    if last is None:
        return [f"{name}: {label('no_data', lang)}."]
    unit = _unit(view, lang)
    flag = label(str(last["status"]), lang) if str(last["status"]) in FLAGGED_STATUSES else ""
    out = [
        sentence_latest(
            name, int(last["year"]), float(last["value"]), unit, lang, flag, view.decimals
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
    for a in view.assessments:
        target = fmt_target(a.target, lang)
        if a.target.year > rep.year and a.projection is not None and _finite(a.projection.value):
            out.append(
                sentence_projection(
                    a.target.year,
                    a.projection.value,
                    a.projection.low,
                    a.projection.high,
                    target,
                    a.probability,
                    lang,
                    view.decimals,
                )
            )
        else:
            status = status_word(display_status(a), lang)
            out.append(f"{label('target', lang)} {a.target.year} ({target}): {status}.")
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
    """The province against the national value and its rank among the provinces."""
    lang = rep.lang
    heads = ("indicator", "latest", "national_value", "gap", "rank")
    head = "".join(f'<th scope="col">{escape(label(k, lang))}</th>' for k in heads)
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
            f'<td class="num">{"–" if rank is None else f"{rank}/{n}"}</td></tr>'
        )
        if comparable:
            strip.append((f"{view.id} {_name(view, lang, short=True)}"[:48], rank, n))
    parts = [
        f'<section id="comparison"><h2>{escape(label("comparison", lang))}</h2>',
        f'<table class="comparison"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>",
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


def data_notes_html(rep: ProvinceReport) -> str:
    """Sources, flagged values, former provinces, gaps, projection methods, deadlines."""
    lang = rep.lang
    used = rep.used_rows
    parts = [f'<section id="data-notes"><h2>{escape(label("data_notes", lang))}</h2><ul>']
    counts = used["status"].replace("", "official").value_counts() if len(used) else {}
    parts.append(
        f"<li>{escape(label('rows_used', lang))}: {len(used)} ("
        + ", ".join(
            f"{escape(label(k, lang) if k in _STATUSES else k)}: {int(v)}"
            for k, v in counts.items()
        )
        + ")</li>"
    )
    note = geo.history_note(rep.province, lang)
    if note:
        parts.append(f"<li>{escape(note)}</li>")
    gaps = []
    for view in rep.views:
        if len(view.series) >= 2:
            years = set(view.series.index)
            missing = [y for y in range(min(years), max(years) + 1) if y not in years]
            if missing:
                gaps.append(f"{view.id}: {', '.join(str(y) for y in missing)}")
    if gaps:
        parts.append(f"<li>{escape(label('gaps', lang))}: {escape('; '.join(gaps))}</li>")
    methods: dict[str, int] = {}
    for view in rep.views:
        if view.path:
            methods[view.path[0].method] = methods.get(view.path[0].method, 0) + 1
    if methods:
        text = ", ".join(f"{m}: {n}" for m, n in sorted(methods.items()))
        parts.append(
            f"<li>{escape(label('method', lang))}: {escape(method_note(lang))} "
            f"({escape(text)})</li>"
        )
    parts.append(f"<li>{escape(label('deadline', lang))}: {escape(deadline_text(rep))}</li>")
    parts.append("</ul>")
    if len(used):
        sources = (
            used.groupby("source", dropna=False)
            .agg(rows=("value", "size"), files=("source_file", lambda s: ", ".join(sorted(set(s)))))
            .reset_index()
        )
        rows = "".join(
            f'<tr><td>{escape(s)}</td><td>{escape(f)}</td><td class="num">{n}</td></tr>'
            for s, f, n in zip(sources["source"], sources["files"], sources["rows"], strict=True)
        )
        parts.append(
            f'<table class="sources"><thead><tr><th>{escape(label("source", lang))}'
            f"</th><th>{escape(label('data_file', lang))}</th><th>n</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    parts.append("</section>")
    return "\n".join(parts)


_STATUSES = ("official", "provisional", "estimate", "demo")


def method_note(lang: str) -> str:
    if lang == "en":
        return (
            "projections choose, per series, among a linear trend, damped exponential "
            "smoothing, a random walk with drift and the last value by a rolling-origin "
            "backtest; shares stay within 0-100; the 80% ranges are calibrated on "
            "out-of-sample errors; status = the chance the target is met (on track from "
            "2/3, off track at 1/3 or below)"
        )
    return (
        "dự báo chọn cho từng chuỗi số liệu giữa xu hướng tuyến tính, san bằng mũ có giảm "
        "dần, bước ngẫu nhiên có độ trôi và giá trị cuối, bằng kiểm định quá khứ; tỷ lệ luôn "
        "trong khoảng 0-100; khoảng 80% được hiệu chỉnh theo sai số dự báo thực tế; tình "
        "trạng = khả năng đạt mục tiêu (đúng tiến độ từ 2/3, chậm tiến độ từ 1/3 trở xuống)"
    )
