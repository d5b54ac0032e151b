"""The national overview: every target's status in every province on one page, ranks, national
series."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from bdg_analysis import catalogue, charts, geo, plans, scorecard
from bdg_analysis.scorecard import IndicatorView, TargetStatus, display_status
from bdg_analysis.text import (
    STATUS_ORDER,
    STATUS_SYMBOLS,
    escape,
    fmt_chance,
    fmt_target,
    fmt_value,
    label,
    status_badge,
    status_word,
)
from bdg_analysis.version import __version__
from bdg_analysis.words import word

GOOD = ("achieved", "on_track")
BAD = ("off_track", "moving_away", "not_achieved")
RANK_MIN_COVERAGE = 2 / 3
"""A province is ranked only when at least this share of the national targets is assessed
(status other than insufficient data): one assessed target of four never outranks three."""


@dataclass
class NationalOverview:
    """Every province's target statuses and the national series at one report year.

    ``provinces`` holds each province's :func:`bdg_analysis.scorecard.target_statuses` on its
    own plan (the grid), ``on_national`` on the national targets (the ranking), ``national``
    the national series' scorecard, ``differ`` the provinces whose own plans set other targets.
    """

    year: int
    lang: str
    context: scorecard.Context
    provinces: dict[str, list[TargetStatus]]
    national: list[IndicatorView]
    run_date: str
    data_files: list[str] = field(default_factory=list)
    on_national: dict[str, list[TargetStatus]] = field(default_factory=dict)
    differ: list[str] = field(default_factory=list)

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
    """Every province's (or ``provinces``') statuses and the national series at the report year.

    The statuses come from :func:`bdg_analysis.scorecard.target_statuses`, read from the cache
    the province reports of the same run wrote, or assessed now. A province whose own plan
    sets other targets than the national ones is assessed a second time on the national
    targets, for the ranking.
    """
    context = scorecard.load_context(data)
    report_year = int(year) if year is not None else int(context.current["year"].max())
    names = provinces or [p.name for p in geo.current_provinces()]
    national_plan = plans.load_plan(geo.NATIONAL_NAME)
    national_keys = {_key(t) for t in national_plan.targets}
    cards, on_national, differ = {}, {}, []
    for name in names:
        place = geo.resolve(name).province
        own = scorecard.target_statuses(
            context, place.name, report_year, plan=plans.load_plan(place.name)
        )
        cards[place.name] = own
        kept = [s for s in own if s.target_key in national_keys]
        if len(kept) < len(national_keys):
            differ.append(place.name)
            kept = scorecard.target_statuses(context, place.name, report_year, plan=national_plan)
        on_national[place.name] = kept
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
        on_national=on_national,
        differ=differ,
    )


def _key(t) -> tuple:
    return (t.indicator, t.year, t.op, float(t.value), t.value_high, bool(t.two_sided))


def status_frame(ov: NationalOverview) -> pd.DataFrame:
    """Provinces down, catalogue indicators across, each indicator's headline status (its next
    target after the report year, else its last) on the province's own plan."""
    ids = catalogue.ids()
    rows = {}
    for name, statuses in ov.provinces.items():
        heads = scorecard.headline_statuses(statuses)
        rows[name] = [heads[i].status if i in heads else "no_target" for i in ids]
    return pd.DataFrame.from_dict(rows, orient="index", columns=ids)


def ranking(ov: NationalOverview) -> pd.DataFrame:
    """Provinces ranked on the national targets (every indicator and year), best first.

    ``score`` is the share of all national targets achieved or on track (a target without data
    counts as not met, so assessing fewer targets never helps); equal scores: fewer targets off
    track, moving away or not achieved first; exact ties share a rank (1, 2, 2, 4). Provinces
    with fewer than :data:`RANK_MIN_COVERAGE` of the targets assessed get no rank (listed
    last). Columns ``good``, ``bad``, ``assessed``, ``total``, ``score``, ``rank`` (nullable).
    """
    rows = {}
    for name, statuses in ov.on_national.items():
        found = [s.status for s in statuses]
        rows[name] = {
            "good": sum(s in GOOD for s in found),
            "bad": sum(s in BAD for s in found),
            "assessed": sum(s != "insufficient_data" for s in found),
            "total": len(found),
        }
    out = pd.DataFrame.from_dict(
        rows, orient="index", columns=["good", "bad", "assessed", "total"]
    ).astype(int)
    out["score"] = out["good"] / out["total"].where(out["total"] > 0)
    out["ranked"] = out["assessed"] >= RANK_MIN_COVERAGE * out["total"]
    out = out.sort_values(["ranked", "score", "bad"], ascending=[False, False, True], kind="stable")
    ranks: list[int | None] = []
    previous, rank = None, 0
    for i, (_name, row) in enumerate(out.iterrows(), start=1):
        if not row["ranked"]:
            ranks.append(None)
            continue
        key = (row["score"], row["bad"])
        if key != previous:
            rank, previous = i, key
        ranks.append(rank)
    out["rank"] = pd.array(ranks, dtype="Int64")
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
    order = [n for n in ranking(ov).index if n in frame.index]
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
    note = word("statuses.grid_note", lang, year=ov.year)
    return (
        f'<section id="grid"><h2>{escape(label("status", lang))}</h2>'
        f'<p class="legend">{legend}</p><p class="table-note">{escape(note)}</p>'
        f'<figure class="chart wide"><img src="data:image/png;base64,{png}" '
        f'alt="{escape(alt)}"></figure></section>'
    )


def ranking_html(ov: NationalOverview) -> str:
    """The ranking on the national targets, the number of targets assessed beside each rank,
    the counts by status, and the rule in words (and which provinces' own plans differ)."""
    lang = ov.lang
    rank = ranking(ov)
    heads = [
        label("rank", lang),
        label("province", lang),
        word("statuses.assessed", lang),
        word("statuses.score", lang),
    ] + [status_word(s, lang) for s in STATUS_ORDER if s != "no_target"]
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in heads)
    body = []
    for name, row in rank.iterrows():
        counts: dict[str, int] = {}
        for s in ov.on_national.get(name, []):
            counts[s.status] = counts.get(s.status, 0) + 1
        cells = "".join(
            f'<td class="num">{counts.get(s, 0) or ""}</td>'
            for s in STATUS_ORDER
            if s != "no_target"
        )
        shown = (
            escape(word("statuses.not_ranked", lang)) if pd.isna(row["rank"]) else int(row["rank"])
        )
        body.append(
            f'<tr><td class="num">{shown}</td><td>{escape(name)}</td>'
            f'<td class="num">{int(row["assessed"])}/{int(row["total"])}</td>'
            f'<td class="num">{int(row["good"])}/{int(row["total"])}</td>{cells}</tr>'
        )
    total = int(rank["total"].max()) if len(rank) else 0
    plans_text = (
        word("statuses.overview_plans_differ", lang, names=", ".join(ov.differ))
        if ov.differ
        else ""
    )
    rule = word(
        "statuses.overview_rank_rule",
        lang,
        targets=total,
        coverage="2/3",
        plans=plans_text,
    ).strip()
    return (
        f'<section id="ranking"><h2>{escape(word("statuses.overview_rank_title", lang))}</h2>'
        f'<p class="table-note">{escape(rule)}</p>'
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
            f'<td class="num">{escape(fmt_chance(scorecard.probability(head_a), lang))}</td>'
            f"<td>{status_badge(display_status(head_a), lang)}</td></tr>"
        )
    name = "Toàn quốc" if lang == "vi" else "National series"
    return (
        f'<section id="national"><h2>{escape(name)}</h2>'
        f'<table class="status"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></section>"
    )
