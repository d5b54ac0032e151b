"""The national overview: every target's status in every province on one page, ranks, national
series."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from bdg_analysis import catalogue, charts, geo, plans, scorecard
from bdg_analysis.scorecard import IndicatorView, display_status
from bdg_analysis.text import (
    STATUS_ORDER,
    STATUS_SYMBOLS,
    escape,
    fmt_percent,
    fmt_target,
    fmt_value,
    label,
    status_badge,
    status_word,
)
from bdg_analysis.version import __version__

GOOD = ("achieved", "on_track")


@dataclass
class NationalOverview:
    """Scorecards of the 34 provinces and of the national series at one report year."""

    year: int
    lang: str
    context: scorecard.Context
    provinces: dict[str, list[IndicatorView]]
    national: list[IndicatorView]
    run_date: str
    data_files: list[str] = field(default_factory=list)

    @property
    def demo_count(self) -> int:
        cur = self.context.current
        return int(((cur["status"] == "demo") & (cur["year"] <= self.year)).sum())


def prepare(
    year: int | None = None,
    data: str | list[str] | None = None,
    lang: str = "vi",
    run_date: str | None = None,
    provinces: list[str] | None = None,
) -> NationalOverview:
    """Assess every province (or ``provinces``) and the national series at the report year."""
    context = scorecard.load_context(data)
    report_year = int(year) if year is not None else int(context.current["year"].max())
    names = provinces or [p.name for p in geo.current_provinces()]
    cards = {}
    for name in names:
        place = geo.resolve(name).province
        cards[place.name] = scorecard.cached_scorecard(
            context, place.name, plans.load_plan(place.name), report_year
        )
    national_plan = plans.load_plan(geo.NATIONAL_NAME)
    national = [
        scorecard.indicator_view(context, geo.NATIONAL_NAME, national_plan, ind.id, report_year)
        for ind in catalogue.indicators()
    ]
    return NationalOverview(
        year=report_year,
        lang=lang,
        context=context,
        provinces=cards,
        national=national,
        run_date=run_date or dt.date.today().isoformat(),
        data_files=sorted(context.observations["source_file"].unique()),
    )


def status_frame(ov: NationalOverview) -> pd.DataFrame:
    """Provinces down, catalogue indicators across, headline status keys in the cells."""
    ids = catalogue.ids()
    rows = {}
    for name, views in ov.provinces.items():
        by_id = {v.id: display_status(v.headline) for v in views}
        rows[name] = [by_id.get(i, "no_target") for i in ids]
    return pd.DataFrame.from_dict(rows, orient="index", columns=ids)


def ranking(ov: NationalOverview) -> pd.DataFrame:
    """Provinces ordered by the share of targets achieved or on track (ties: fewer off track)."""
    frame = status_frame(ov)
    assessed = (~frame.isin(["insufficient_data", "no_target"])).sum(axis=1)
    good = frame.isin(list(GOOD)).sum(axis=1)
    bad = frame.isin(["off_track", "moving_away", "not_achieved"]).sum(axis=1)
    out = pd.DataFrame({"good": good, "bad": bad, "assessed": assessed})
    out["share"] = out["good"] / out["assessed"].where(out["assessed"] > 0)
    out = out.sort_values(["share", "bad"], ascending=[False, True])
    out["rank"] = range(1, len(out) + 1)
    return out


def meta(ov: NationalOverview) -> dict:
    """What the runner needs; the counts are the nation's own targets (the index shows them)."""
    return {
        "year": ov.year,
        "title": title(ov),
        "lang": ov.lang,
        "demo_rows": ov.demo_count,
        "status_counts": scorecard.status_counts(ov.national),
    }


def title(ov: NationalOverview) -> str:
    if ov.lang == "en":
        return f"Gender-equality targets in every province, {ov.year}"
    return f"Tiến độ mục tiêu bình đẳng giới của các tỉnh, thành phố, năm {ov.year}"


def header_html(ov: NationalOverview) -> str:
    lang = ov.lang
    parts = [f"<h1>{escape(title(ov))}</h1>"]
    if ov.demo_count:
        parts.append(
            f'<div class="demo-banner" role="note"><strong>'
            f"{escape(label('demo_banner', lang))}</strong></div>"
        )
    parts.append('<dl class="meta">')
    for key, value in (
        ("report_year", str(ov.year)),
        ("data_file", ", ".join(ov.data_files)),
        ("generated", f"{ov.run_date} · bdg-analysis {__version__}"),
    ):
        parts.append(f"<dt>{escape(label(key, lang))}</dt><dd>{escape(value)}</dd>")
    parts.append("</dl>")
    return "\n".join(parts)


def grid_html(ov: NationalOverview) -> str:
    """The heat map (symbols in the cells) and, for reading and printing, its legend."""
    lang = ov.lang
    frame = status_frame(ov)
    order = ranking(ov).index
    frame = frame.loc[order]
    fig = charts.status_grid(
        frame, symbols=STATUS_SYMBOLS, title=label("status", lang) + f" · {ov.year}"
    )
    png = charts.to_png_base64(fig)
    legend = " ".join(status_badge(s, lang) for s in STATUS_ORDER if (frame == s).any().any())
    alt = "; ".join(
        f"{name}: " + ", ".join(f"{i} {status_word(s, lang)}" for i, s in row.items())
        for name, row in frame.iterrows()
    )
    return (
        f'<section id="grid"><h2>{escape(label("status", lang))}</h2>'
        f'<p class="legend">{legend}</p>'
        f'<figure class="chart wide"><img src="data:image/png;base64,{png}" '
        f'alt="{escape(alt)}"></figure></section>'
    )


def ranking_html(ov: NationalOverview) -> str:
    lang = ov.lang
    rank = ranking(ov)
    frame = status_frame(ov)
    heads = [label("rank", lang), label("province", lang)] + [
        status_word(s, lang) for s in STATUS_ORDER
    ]
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in heads)
    body = []
    for name, row in rank.iterrows():
        counts = frame.loc[name].value_counts()
        cells = "".join(f'<td class="num">{int(counts.get(s, 0)) or ""}</td>' for s in STATUS_ORDER)
        body.append(
            f'<tr><td class="num">{int(row["rank"])}</td><td>{escape(name)}</td>{cells}</tr>'
        )
    return (
        f'<section id="ranking"><h2>{escape(label("rank", lang))}</h2>'
        f'<table class="ranking"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></section>"
    )


def national_html(ov: NationalOverview) -> str:
    """The national series: latest value, national targets, projection, chance, status."""
    lang = ov.lang
    heads = [
        label("indicator", lang),
        label("latest", lang),
        label("target", lang),
        label("probability", lang),
        label("status", lang),
    ]
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in heads)
    body = []
    for view in ov.national:
        last = view.latest_row
        latest = (
            label("no_data", lang)
            if last is None
            else (f"{fmt_value(float(last['value']), lang, view.decimals)} ({int(last['year'])})")
        )
        targets = "<br>".join(f"{t.year}: {escape(fmt_target(t, lang))}" for t in view.targets)
        head_a = view.headline
        body.append(
            f'<tr><td><span class="id">{escape(view.id)}</span> '
            f'{escape(view.indicator.short(lang))}</td><td class="num">{latest}</td>'
            f'<td class="num">{targets or "–"}</td>'
            f'<td class="num">{escape(fmt_percent(scorecard.probability(head_a), lang))}</td>'
            f"<td>{status_badge(display_status(head_a), lang)}</td></tr>"
        )
    name = "Toàn quốc" if lang == "vi" else "National series"
    return (
        f'<section id="national"><h2>{escape(name)}</h2>'
        f'<table class="status"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></section>"
    )
