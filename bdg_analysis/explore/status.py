"""The notebook API's status table: where a province stands on every target of its plan.

The statuses are those of ``bdg status`` and the report: one function,
:func:`bdg_analysis.scorecard.target_statuses`, serves them all.
"""

from __future__ import annotations

import pandas as pd

from bdg_analysis import geo, plans, scorecard, words
from bdg_analysis.errors import BdgInputError
from bdg_analysis.explore.reading import (
    Data,
    check_lang,
    context,
    current_place,
    with_demo_note,
)
from bdg_analysis.tables import Table, table

#: ``bdg status``'s names of the latest value and year -> the notebook API's plain ones.
_PLAIN_NAMES = {"latest_value": "value", "latest_year": "year"}


def status_rows(ctx: scorecard.Context, place: geo.Province, year: int) -> pd.DataFrame:
    """One row per target and year, with the keys of ``bdg status --format json``."""
    statuses = scorecard.target_statuses(ctx, place.name, year)
    return pd.DataFrame([s.as_dict() for s in statuses], columns=list(scorecard.STATUS_KEYS))


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
        One row per target and year, with the columns of ``bdg status --format json``
        (``id``, ``target_year``, ``op``, ``target``, ``target_high``, ``status``, ``p_met``,
        ``projection``, ``low``, ``high``, ``method``), the latest value and its year as
        ``value`` and ``year`` (shown as "latest"), and the indicator's short name.

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
        problem = words.problem("<data>", None, "province", "explore.no_data_for", name=place.name)
        raise BdgInputError(problem)
    report_year = int(year) if year is not None else int(own["year"].max())
    the_plan = plans.load_plan(place)
    frame = status_rows(ctx, place, report_year).rename(columns=_PLAIN_NAMES)
    frame.insert(1, "indicator", [the_plan.indicator(i).short(lang) for i in frame["id"]])
    for column in ("year", "target_year"):
        frame[column] = frame[column].astype("Int64")
    shown = own[own["year"] <= report_year]
    caption = with_demo_note(
        f"{place.name}, {report_year}: {the_plan.heading(lang)}", shown["status"], lang
    )
    out = table(frame, lang=lang, caption=caption)
    out.attrs["headers"] = {"value": "latest", "year": "latest_year"}
    return out
