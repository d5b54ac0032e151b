"""The notebook API's status table: where a province stands on every target of its plan.

The statuses are the reports' (:func:`status_rows` asks the report layer for them); that is the
one place to switch when one status function serves ``bdg status``, the report and the
overview alike.
"""

from __future__ import annotations

import pandas as pd

from bdg_analysis import geo, plans, scorecard
from bdg_analysis.errors import BdgInputError, Problem
from bdg_analysis.explore.reading import (
    Data,
    check_lang,
    context,
    current_place,
    with_demo_note,
)
from bdg_analysis.tables import Table, table
from bdg_analysis.words import word

#: The report's names of the status columns -> the notebook API's plain ones.
_PLAIN_NAMES = {"latest": "value", "latest_year": "year"}


def status_rows(
    ctx: scorecard.Context, place: geo.Province, plan: plans.Plan, year: int, lang: str
) -> pd.DataFrame:
    """One row per target as the province's report shows it, in the report's column names.

    The only place the notebook API reaches the report layer: today it builds the report's
    scorecard and asks ``report.status_records`` for the rows; switch it here to the shared
    status function.
    """
    from bdg_analysis import report

    views = scorecard.province_scorecard(ctx, place.name, plan, year)
    rep = report.ProvinceReport(
        province=place,
        year=year,
        lang=lang,
        plan=plan,
        context=ctx,
        views=views,
        run_date="",
        data_files=sorted(ctx.observations["source_file"].unique()),
    )
    return pd.DataFrame(report.status_records(rep))


def status(province: str, year: int | None = None, *, data: Data = None, lang: str = "vi") -> Table:
    """Where a province stands on every target of its plan, as in its report's summary table.

    Latest value and year, the 2025 and 2030 targets, the projection for the next target year
    with its 80% range, the chance of meeting it, and the status as a word, a symbol and a
    colour (achieved, on track, at risk, off track, moving away, not achieved, insufficient
    data). The first call on a dataset takes a few seconds (backtests); later ones are quick.

    Parameters
    ----------
    province
        Any current province name, or 'Toàn quốc'.
    year
        Report year (default: the latest year with data for the province).
    data
        A data file, files or observations frame; None for the embedded data.
    lang
        ``"vi"`` or ``"en"``.

    Returns
    -------
    Table
        Columns ``id``, ``indicator``, ``unit``, ``value`` and ``year`` (the latest value and
        its year, shown as "latest"), ``data_status``, ``target_2025``, ``target_2030``,
        ``headline_year``, ``projection``, ``low``, ``high``, ``probability`` (0-1),
        ``status``, ``agency``, ``source``.

    Examples
    --------
    >>> st = bdg.status("Cao Bằng")
    >>> st[st["status"].isin(["off_track", "moving_away"])]
    """
    lang = check_lang(lang)
    place = current_place(province)
    ctx = context(data)
    own = ctx.current[ctx.current["province"] == place.name]
    if own.empty:
        message = word("explore.no_data_for", "en", name=place.name)
        raise BdgInputError(Problem("<data>", None, "province", message))
    report_year = int(year) if year is not None else int(own["year"].max())
    the_plan = plans.load_plan(place.name)
    frame = status_rows(ctx, place, the_plan, report_year, lang).rename(columns=_PLAIN_NAMES)
    frame["indicator"] = [the_plan.indicator(i).short(lang) for i in frame["id"]]
    for column in ("year", "headline_year"):
        frame[column] = frame[column].astype("Int64")
    caption = with_demo_note(
        f"{place.name}, {report_year}: {the_plan.title(lang)}",
        frame["data_status"] if "data_status" in frame else [],
        lang,
    )
    out = table(frame, lang=lang, caption=caption)
    out.attrs["headers"] = {name: old for old, name in _PLAIN_NAMES.items()}  # "latest ..."
    return out
