"""The notebook API's charts: it picks the rows and words, :mod:`bdg_analysis.charts` draws.

Every chart is a :class:`bdg_analysis.charts.ChartFigure` on its own Agg canvas: returned to a
notebook it shows itself as a PNG, and the notebook's own matplotlib backend is left alone.
"""

from __future__ import annotations

import textwrap

import pandas as pd

from bdg_analysis import catalogue as _catalogue
from bdg_analysis import charts, dataset, geo, plans, quality
from bdg_analysis.charts import ChartFigure
from bdg_analysis.explore.data import latest_frame
from bdg_analysis.explore.reading import (
    Data,
    check_lang,
    context,
    current_place,
    flagged_years,
    indicator_rows,
    merged_place,
    parts_series,
    recorded_rows,
    series_rows,
    to_series,
    with_demo_tag,
)
from bdg_analysis.words import word


def chart(province: str, indicator: str, *, data: Data = None, lang: str = "vi") -> ChartFigure:
    """The report's chart of one series: the province, the nation in grey, the plan's targets.

    Hollow points are demonstration, provisional or estimated values, so a reader sees which
    figures are not final; the title says when the series holds demonstration values.

    Parameters
    ----------
    province
        Any current province name, or 'Toàn quốc'.
    indicator
        A catalogue id such as ``"M4.CT1"``.
    data
        A data file, files or observations frame; None for the embedded data.
    lang
        ``"vi"`` or ``"en"``.

    Returns
    -------
    matplotlib.figure.Figure
        Shown as an image in a notebook; ``fig.savefig("x.png")`` keeps it.

    Examples
    --------
    >>> bdg.chart("Lạng Sơn", "M4.CT1")
    """
    lang = check_lang(lang)
    place = current_place(province)
    ind = _catalogue.get(indicator)
    ctx = context(data)
    rows = series_rows(ctx, place.name, ind.id)
    national = None
    if not place.is_national:
        national = to_series(series_rows(ctx, geo.NATIONAL_NAME, ind.id), geo.NATIONAL_NAME)
    targets = plans.load_plan(place.name).targets_for(ind.id)
    title = f"{place.name}: {ind.short(lang)}"
    if quality.demo_note(rows["status"], lang):  # one line: the report's chart has room for one
        title = f"{title} {word('explore.demo_short', lang)}"
    return charts.trend_chart(
        to_series(rows, place.name),
        title=title,
        unit=ind.unit(lang),
        targets=targets,
        national=national,
        estimated_years=flagged_years(rows),
        lang=lang,
    )


def former_chart(
    province: str, indicator: str, *, data: Data = None, lang: str = "vi"
) -> ChartFigure:
    """A merged province's series (bold) with each former province's own series behind it.

    Parameters
    ----------
    province
        A current province ('Tuyên Quang') or one of its former parts ('Hà Giang').
    indicator
        A catalogue id such as ``"M4.CT1"``.
    data
        A data file, files or observations frame; None for the embedded data.
    lang
        ``"vi"`` or ``"en"``.

    Returns
    -------
    matplotlib.figure.Figure
        Shown as an image in a notebook; ``fig.savefig("x.png")`` keeps it.

    Examples
    --------
    >>> bdg.former_chart("Tuyên Quang", "M4.CT1")
    """
    lang = check_lang(lang)
    place = merged_place(province)
    ind = _catalogue.get(indicator)
    ctx = context(data)
    rows = series_rows(ctx, place.name, ind.id)
    parts = parts_series(ctx, place, ind.id, lang) if geo.is_merged(place) else {}
    national = to_series(series_rows(ctx, geo.NATIONAL_NAME, ind.id), geo.NATIONAL_NAME)
    statuses = pd.concat([rows["status"], recorded_rows(ctx, place.name, ind.id)["status"]])
    return charts.parts_chart(
        parts,
        to_series(rows, place.name),
        title=with_demo_tag(f"{place.name}: {ind.short(lang)}", statuses, lang),
        unit=ind.unit(lang),
        national=national,
        flagged_years=flagged_years(rows),
        merger_year=geo.MERGER_YEAR,
        lang=lang,
    )


def distribution(
    indicator: str, year: int | None = None, *, data: Data = None, lang: str = "vi"
) -> ChartFigure:
    """How the provinces' latest values spread: one dot each, the box of the middle half,
    the national value and the national targets.

    The values drawn are those of :func:`latest` (its ``value`` and ``year`` columns).

    Parameters
    ----------
    indicator
        A catalogue id such as ``"M2.CT1"``.
    year
        Each province's latest value up to this year (default: the latest year in the data).
    data
        A data file, files or observations frame; None for the embedded data.
    lang
        ``"vi"`` or ``"en"``.

    Returns
    -------
    matplotlib.figure.Figure
        Shown as an image in a notebook; ``fig.savefig("x.png")`` keeps it.

    Examples
    --------
    >>> bdg.distribution("M4.CT1", 2025)
    """
    lang = check_lang(lang)
    ind = _catalogue.get(indicator)
    rows, year = indicator_rows(context(data), ind, year)
    frame = latest_frame(rows, ind)
    values = frame.set_index("province")["value"].dropna()
    nat_rows = rows[(rows["province_code"] == geo.NATIONAL_CODE) & (rows["year"] == year)]
    national = float(nat_rows["value"].iloc[-1]) if len(nat_rows) else None
    targets = [t for t in ind.national_targets if t.year >= year] or list(ind.national_targets)
    return charts.distribution_chart(
        values,
        title=with_demo_tag(f"{ind.id} {ind.short(lang)}, {year}", frame["status"], lang),
        unit=ind.unit(lang),
        national=national,
        targets=targets[:2],
        direction=ind.direction,
        lang=lang,
    )


def small_multiples(
    indicator: str, year: int | None = None, *, data: Data = None, lang: str = "vi"
) -> ChartFigure:
    """All 34 provinces' series of one indicator on a grid, former provinces behind merged ones.

    Each panel shares the y axis, so levels compare at a glance: the province on today's
    boundaries (blue; hollow points are demonstration, provisional or estimated values), its
    former provinces' own series (thin lines) and the nation (grey, dashed). Panels in GSO code
    order (north to south).

    Parameters
    ----------
    indicator
        A catalogue id such as ``"M2.CT1"``.
    year
        Last year drawn (default: the latest year in the data).
    data
        A data file, files or observations frame; None for the embedded data.
    lang
        ``"vi"`` or ``"en"``.

    Returns
    -------
    matplotlib.figure.Figure
        Shown as an image in a notebook; ``fig.savefig("x.png")`` keeps it.

    Examples
    --------
    >>> bdg.small_multiples("M2.CT1")
    """
    lang = check_lang(lang)
    ind = _catalogue.get(indicator)
    ctx = context(data)
    rows, year = indicator_rows(ctx, ind, year)
    national = to_series(
        rows[rows["province_code"] == geo.NATIONAL_CODE].sort_values("year"), geo.NATIONAL_NAME
    )
    panels = []
    for p in geo.current_provinces():
        mine = rows[rows["province"] == p.name].sort_values("year")
        parts = {}
        if geo.is_merged(p):
            parts = {name: s[s.index <= year] for name, s in parts_series(ctx, p, ind.id).items()}
        panels.append(
            charts.Panel(
                title=p.name,
                series=to_series(mine, p.name),
                flagged_years=flagged_years(mine),
                parts=parts,
            )
        )
    title = word("explore.small_title", lang, id=ind.id, name=ind.short(lang), unit=ind.unit(lang))
    shown = ctx.observations
    shown = shown[(shown["indicator"] == ind.id) & (shown["year"] <= year) & shown["value"].notna()]
    title = with_demo_tag(
        title, pd.concat([rows.loc[rows["value"].notna(), "status"], shown["status"]]), lang
    )
    return charts.small_multiples(
        panels, title=title, national=national, merger_year=geo.MERGER_YEAR, lang=lang
    )


def outlier_chart(
    outliers: pd.DataFrame, *, data: Data = None, lang: str = "vi", max_panels: int = 12
) -> ChartFigure:
    """The series behind flagged values, the flagged years ringed (``quality.outliers`` output).

    Parameters
    ----------
    outliers
        The table ``quality.outliers`` returns (columns ``province``, ``indicator``, ``year``;
        ``former`` when it was run on recorded boundaries).
    data
        The observations the outliers came from (a file, files, or ``quality.read(...)
        .observations``); None for the embedded data.
    lang
        ``"vi"`` or ``"en"``.
    max_panels
        At most this many series are drawn (the first ones in the table).

    Returns
    -------
    matplotlib.figure.Figure
        Shown as an image in a notebook; ``fig.savefig("x.png")`` keeps it.

    Examples
    --------
    >>> from bdg_analysis import quality
    >>> obs = quality.read().observations
    >>> bdg.outlier_chart(quality.outliers(obs), data=obs)
    """
    lang = check_lang(lang)
    ctx = context(data)
    recorded = outliers.attrs.get("boundaries") == "recorded"
    keys = ["province", "former", "indicator"] if recorded else ["province", "indicator"]
    panels, statuses = [], []
    if len(outliers):
        for key, group in outliers.groupby(keys, sort=False):
            if len(panels) >= max_panels:
                break
            key = dict(zip(keys, key, strict=True))
            ind = _catalogue.get(key["indicator"])
            if recorded:
                rows = recorded_rows(ctx, key["province"], ind.id)
                rows = dataset.series_rows(rows[rows["former"] == key["former"]])
                rows = rows.sort_values("year")
                name = key["former"] or key["province"]
            else:
                rows = series_rows(ctx, key["province"], ind.id)
                name = key["province"]
            statuses.append(rows["status"])
            panels.append(
                charts.Panel(
                    title=textwrap.fill(f"{name} · {ind.id} ({ind.unit(lang)})", width=34),
                    series=to_series(rows, name),
                    flagged_years=flagged_years(rows),
                    marked_years=[int(y) for y in group["year"]],
                )
            )
    title = with_demo_tag(
        word("explore.outlier_title", lang), pd.concat(statuses) if statuses else [], lang
    )
    return charts.small_multiples(
        panels, title=title, sharey=False, ncols=4, merger_year=None, lang=lang
    )
