"""Assemble the pieces of a province report (tables, charts, notes) as escaped HTML fragments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from bdg_analysis import __version__, catalogue, charts, dataset, geo, plans
from bdg_analysis.catalogue import Indicator
from bdg_analysis.text import escape, fmt_number, fmt_target, label

FLAGGED_STATUSES = ("demo", "provisional", "estimate")
META_MIME = "application/vnd.bdg.meta+json"


@dataclass
class ProvinceReport:
    """Everything one province report shows, computed once from data and plan."""

    province: geo.Province
    year: int
    lang: str
    observations: pd.DataFrame
    plan: plans.Plan
    run_date: str
    data_files: list[str] = field(default_factory=list)

    def rows_for(self, indicator_id: str) -> pd.DataFrame:
        """The data rows behind one indicator's series, up to the report year."""
        obs = self.observations
        rows = obs[(obs["province"] == self.province.name) & (obs["indicator"] == indicator_id)
                   & (obs["former"] == "") & (obs["year"] <= self.year) & obs["value"].notna()]
        return rows.sort_values("year")

    def national_rows_for(self, indicator_id: str) -> pd.DataFrame:
        obs = self.observations
        rows = obs[(obs["province"] == geo.NATIONAL_NAME) & (obs["indicator"] == indicator_id)
                   & (obs["year"] <= self.year) & obs["value"].notna()]
        return rows.sort_values("year")

    @property
    def used_rows(self) -> pd.DataFrame:
        """Every observation this report shows (province and national series)."""
        ids = catalogue.ids()
        parts = [self.rows_for(i) for i in ids] + [self.national_rows_for(i) for i in ids]
        return pd.concat(parts, ignore_index=True)

    @property
    def demo_count(self) -> int:
        return int((self.used_rows["status"] == "demo").sum())


def prepare(province: str, year: int | None = None, data: str | list[str] | None = None,
            lang: str = "vi", run_date: str | None = None) -> ProvinceReport:
    """Load data and plan for ``province``; ``year`` defaults to the latest year in its data."""
    if lang not in ("vi", "en"):
        raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")
    place = geo.resolve(province).province
    observations = dataset.load(data)
    own = observations[(observations["province"] == place.name) & observations["value"].notna()]
    if own.empty:
        from bdg_analysis.errors import BdgInputError

        raise BdgInputError(f"no data for {place.name} in the data file(s)")
    report_year = int(year) if year is not None else int(own["year"].max())
    files = sorted(observations["source_file"].unique().tolist())
    return ProvinceReport(
        province=place, year=report_year, lang=lang, observations=observations,
        plan=plans.load_plan(place.name), run_date=run_date or dt.date.today().isoformat(),
        data_files=files,
    )


def title(rep: ProvinceReport) -> str:
    return f"{label('report_title', rep.lang)}: {rep.province.name}, {rep.year}"


def meta(rep: ProvinceReport) -> dict:
    """What the runner needs to know: the report year and the page title."""
    return {"year": rep.year, "title": title(rep), "province": rep.province.name,
            "demo_rows": rep.demo_count}


def header_html(rep: ProvinceReport) -> str:
    """Title block, the demonstration-data banner when needed, and what the report is built on."""
    lang = rep.lang
    parts = [f"<h1>{escape(title(rep))}</h1>"]
    if rep.demo_count:
        parts.append(
            f'<div class="demo-banner" role="note"><strong>{escape(label("demo_banner", lang))}'
            f"</strong> {escape(label('demo_share', lang))}: {rep.demo_count}/"
            f"{len(rep.used_rows)}.</div>")
    plan = rep.plan
    doc = plan.document or {}
    plan_text = " ".join(str(x) for x in (doc.get("number", ""), doc.get("title", "")) if x)
    parts.append('<dl class="meta">')
    for key, value in (
        ("province", rep.province.full_name),
        ("report_year", str(rep.year)),
        ("plan", plan_text or plan.jurisdiction),
        ("data_file", ", ".join(rep.data_files)),
        ("generated", f"{rep.run_date} · bdg-analysis {__version__}"),
    ):
        parts.append(f"<dt>{escape(label(key, lang))}</dt><dd>{escape(value)}</dd>")
    parts.append("</dl>")
    return "\n".join(parts)


def _latest(rows: pd.DataFrame) -> pd.Series | None:
    return None if rows.empty else rows.iloc[-1]


def _status_flag(status: str, lang: str) -> str:
    if status in FLAGGED_STATUSES:
        return f' <span class="flag flag-{escape(status)}">({escape(label(status, lang))})</span>'
    return ""


def indicator_row(rep: ProvinceReport, ind: Indicator) -> dict:
    """The figures one table row shows for an indicator (values stay numbers)."""
    rows = rep.rows_for(ind.id)
    last = _latest(rows)
    t25, t30 = rep.plan.target(ind.id, 2025), rep.plan.target(ind.id, 2030)
    met = None
    if last is not None and t25 is not None and int(last["year"]) >= 2025:
        met = t25.is_met(float(last["value"]))
    return {
        "indicator": ind, "latest": None if last is None else float(last["value"]),
        "latest_year": None if last is None else int(last["year"]),
        "status": "" if last is None else str(last["status"]),
        "source_file": None if last is None else last["source_file"],
        "source_row": None if last is None else int(last["source_row"]),
        "target_2025": t25, "target_2030": t30, "met_2025": met,
    }


def goal_table_html(rep: ProvinceReport, goal: int) -> str:
    """Latest value of each indicator of ``goal`` against its 2025 and 2030 targets."""
    lang = rep.lang
    head = "".join(f"<th>{escape(label(k, lang))}</th>" for k in
                   ("indicator", "unit", "latest", "latest_year", "target_2025", "target_2030",
                    "met_2025"))
    body = []
    for ind in catalogue.indicators():
        if ind.goal != goal:
            continue
        r = indicator_row(rep, ind)
        if r["latest"] is None:
            value, year, trace = label("no_data", lang), "", ""
        else:
            value = fmt_number(r["latest"], lang) + _status_flag(r["status"], lang)
            year = str(r["latest_year"])
            trace = f' title="{escape(r["source_file"])}:{r["source_row"]}"'
        met = {None: "–", True: f"✔ {label('yes', lang)}", False: f"✘ {label('no', lang)}"}[
            r["met_2025"]]
        body.append(
            f"<tr><td><span class=\"id\">{escape(ind.id)}</span> {escape(ind.name(lang))}</td>"
            f"<td>{escape(ind.unit(lang))}</td><td class=\"num\"{trace}>{value}</td>"
            f"<td class=\"num\">{year}</td>"
            f"<td class=\"num\">{escape(fmt_target(r['target_2025'], lang))}</td>"
            f"<td class=\"num\">{escape(fmt_target(r['target_2030'], lang))}</td>"
            f"<td>{escape(met)}</td></tr>")
    return (f'<table class="targets"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def chart_html(rep: ProvinceReport, ind: Indicator) -> str:
    """One indicator's trend chart as an embedded PNG with alt text."""
    lang = rep.lang
    rows = rep.rows_for(ind.id)
    national = rep.national_rows_for(ind.id)
    series = pd.Series(rows["value"].to_numpy(), index=rows["year"].to_numpy(), dtype="float64")
    nat = pd.Series(national["value"].to_numpy(), index=national["year"].to_numpy(),
                    dtype="float64")
    targets = rep.plan.targets_for(ind.id)
    flagged = rows.loc[rows["status"].isin(FLAGGED_STATUSES), "year"].tolist()
    fig = charts.trend_chart(series, title=ind.short(lang), unit=ind.unit(lang), targets=targets,
                             national=nat, estimated_years=flagged, lang=lang)
    png = charts.to_png_base64(fig)
    alt = chart_alt_text(rep, ind, series, targets)
    return (f'<figure class="chart"><img src="data:image/png;base64,{png}" alt="{escape(alt)}">'
            f"<figcaption>{escape(alt)}</figcaption></figure>")


def chart_alt_text(rep: ProvinceReport, ind: Indicator, series: pd.Series, targets) -> str:
    """Words that say what the chart shows, for screen readers and for print."""
    lang = rep.lang
    name = f"{ind.short(lang)} ({ind.unit(lang)}), {rep.province.name}"
    if series.empty:
        data = label("no_data", lang)
    else:
        first, last = series.index[0], series.index[-1]
        if lang == "en":
            data = (f"{first}: {fmt_number(series.iloc[0], lang)}; "
                    f"{last}: {fmt_number(series.iloc[-1], lang)}")
        else:
            data = (f"năm {first}: {fmt_number(series.iloc[0], lang)}; "
                    f"năm {last}: {fmt_number(series.iloc[-1], lang)}")
    goals = "; ".join(f"{label('target', lang)} {t.year}: {fmt_target(t, lang)}" for t in targets)
    return ". ".join(x for x in (name, data, goals) if x) + "."


def goal_section_html(rep: ProvinceReport, goal: int) -> str:
    """A goal's heading, its table and one chart per indicator."""
    lang = rep.lang
    name = catalogue.goals(lang)[goal]
    parts = [f'<section class="goal" id="goal-{goal}">',
             f"<h2>{escape(label('goal', lang))} {goal}: {escape(name)}</h2>",
             goal_table_html(rep, goal)]
    for ind in catalogue.indicators():
        if ind.goal == goal:
            parts.append(chart_html(rep, ind))
    parts.append("</section>")
    return "\n".join(parts)


def contents_html(rep: ProvinceReport) -> str:
    lang = rep.lang
    items = "".join(
        f'<li><a href="#goal-{g}">{escape(label("goal", lang))} {g}: {escape(n)}</a></li>'
        for g, n in catalogue.goals(lang).items())
    items += f'<li><a href="#data-notes">{escape(label("data_notes", lang))}</a></li>'
    return f'<nav class="toc"><h2>{escape(label("contents", lang))}</h2><ol>{items}</ol></nav>'


def data_notes_html(rep: ProvinceReport) -> str:
    """Sources of every series shown and how many values are demo, provisional or estimated."""
    lang = rep.lang
    used = rep.used_rows
    parts = [f'<section id="data-notes"><h2>{escape(label("data_notes", lang))}</h2>']
    counts = used["status"].replace("", "official").value_counts()
    items = "".join(f"<li>{escape(label(k, lang) if k in LABEL_STATUSES else k)}: {int(v)}</li>"
                    for k, v in counts.items())
    parts.append(f"<p>{escape(label('rows_used', lang))}: {len(used)}</p><ul>{items}</ul>")
    sources = (used.groupby(["source"], dropna=False)
               .agg(rows=("value", "size"),
                    files=("source_file", lambda s: ", ".join(sorted(set(s)))))
               .reset_index())
    rows = "".join(f"<tr><td>{escape(s)}</td><td>{escape(f)}</td><td class=\"num\">{n}</td></tr>"
                   for s, f, n in zip(sources["source"], sources["files"], sources["rows"],
                                      strict=True))
    parts.append(f'<table class="sources"><thead><tr><th>{escape(label("source", lang))}</th>'
                 f"<th>{escape(label('data_file', lang))}</th><th>n</th></tr></thead>"
                 f"<tbody>{rows}</tbody></table></section>")
    return "\n".join(parts)


LABEL_STATUSES = ("official", "provisional", "estimate", "demo")
