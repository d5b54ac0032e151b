"""The notebook API's data: observations, one series, a merged province's parts, rankings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bdg_analysis import catalogue as _catalogue
from bdg_analysis import geo, progress, trends, words
from bdg_analysis.dataset import boundaries
from bdg_analysis.errors import BdgInputError
from bdg_analysis.explore.reading import (
    Data,
    check_lang,
    context,
    current_place,
    indicator_rows,
    merged_place,
    part_label,
    parts_rows,
    recorded_rows,
    series_rows,
    to_series,
    with_demo_note,
)
from bdg_analysis.tables import Table, direction_word, table
from bdg_analysis.words import word


def _catalogue_columns(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The frame with the indicator's goal, names, unit, kind and direction beside each row."""
    info = {i.id: i for i in _catalogue.indicators()}

    def col(getter):
        return frame["indicator"].map(lambda k: getter(info[k]) if k in info else None)

    return frame.assign(
        goal=col(lambda i: i.goal).astype("Int64"),
        short=col(lambda i: i.short(lang)),
        indicator_name=col(lambda i: i.name(lang)),
        unit=col(lambda i: i.unit(lang)),
        kind=col(lambda i: i.kind),
        direction=col(lambda i: i.direction),
    )


def load(data: Data = None, *, current: bool = False, lang: str = "vi") -> Table:
    """The observations, with the catalogue joined: one row per value, traced to file and row.

    Parameters
    ----------
    data
        A tidy data file (CSV, Excel, Parquet), a list of files, or None for the embedded
        ``data/observations.csv``. Files are read and checked once and kept until they change.
    current
        False (default): rows as recorded, figures before 2025 under the former province they
        belong to (column ``former``; ``province`` is always today's province). True: one
        series per current province, the former provinces put together (column ``aggregated``
        says which rows were), missing values left out.
    lang
        Language of the joined indicator names and units, ``"vi"`` or ``"en"``.

    Returns
    -------
    Table
        Columns ``province``, ``province_code``, ``former``, ``indicator``, ``year``, ``value``,
        ``sex``, ``source``, ``note``, ``status`` (official, provisional, estimate, demo),
        ``missing_marker``, ``source_file``, ``source_row``, and from the catalogue ``goal``,
        ``short``, ``indicator_name``, ``unit``, ``kind``, ``direction``.

    Raises
    ------
    BdgInputError
        A file is missing or has problems (each named with file, row and column); to look at
        a file with problems use ``quality.read``.

    Examples
    --------
    >>> obs = bdg.load()
    >>> obs[(obs["indicator"] == "M4.CT1") & (obs["status"] != "demo")]
    >>> bdg.load("data/my_data.csv", current=True)
    """
    lang = check_lang(lang)
    ctx = context(data)
    frame = ctx.current if current else ctx.observations
    out = table(_catalogue_columns(frame.reset_index(drop=True), lang), lang=lang)
    files = ", ".join(sorted(frame["source_file"].dropna().astype(str).unique())[:3])
    caption = word("explore.rows_caption", lang, n=words.fmt_number(len(out), lang, 0), files=files)
    out.attrs["caption"] = with_demo_note(
        caption, frame.loc[frame["value"].notna(), "status"], lang
    )
    return out


def series(
    province: str, indicator: str, *, data: Data = None, up_to: int | None = None
) -> pd.Series:
    """One province's values of one indicator by year, on today's (34-province) boundaries.

    Years before 2025 of a merged province are put together from its former provinces (counts
    summed, rates weighted by their denominator, as in the reports). Every year from the first
    to the last value is in the index: a year without a value is NaN, not dropped (``s.dropna()``
    keeps the values only; ``bdg.project`` skips the gaps itself). A merged province's year in
    which only some former provinces had a value is not a value of the province, so it is NaN
    too (or outside the index), and ``attrs["incomplete"]`` names the parts missing that year.

    ``attrs`` holds the ``indicator``, ``unit``, ``province``, the data ``status`` of each year
    with a value, the ``aggregated`` years (put together from former provinces) and the
    ``incomplete`` years (``{year: [former provinces without a value]}``).

    Parameters
    ----------
    province
        A current province in any spelling, or 'Toàn quốc'. A former province's name (e.g.
        'Hà Giang') is refused with a pointer to :func:`former_series`.
    indicator
        A catalogue id such as ``"M2.CT1"``.
    data
        A data file, files or observations frame; None for the embedded data.
    up_to
        Last year to include (default: all).

    Returns
    -------
    pandas.Series
        Floats indexed by ``year``, ready for ``bdg.project(s, 2030)`` or ``s.plot()``.

    Examples
    --------
    >>> s = bdg.series("Tuyên Quang", "M4.CT1")
    >>> s.attrs["status"][2025], bdg.project(s, 2030).value
    >>> s[s.isna()].index.tolist()       # years without a value
    """
    place = current_place(province)
    ind = _catalogue.get(indicator)
    ctx = context(data)
    rows = series_rows(ctx, place.name, ind.id, up_to)
    out = to_series(rows, place.name)
    if len(out):
        years = pd.Index(range(int(out.index.min()), int(out.index.max()) + 1), name="year")
        out = out.reindex(years)
    left_out = ctx.incomplete(place.name, ind.id, up_to).sort_values("year")
    out.attrs = {
        "indicator": ind.id,
        "unit": ind.unit_vi,
        "province": place.name,
        "status": dict(
            zip(rows["year"].astype(int).tolist(), rows["status"].astype(str), strict=True)
        ),
        "aggregated": [
            int(y) for y, a in zip(rows["year"], rows["aggregated"], strict=True) if bool(a)
        ],
        "incomplete": {
            int(y): list(missing)
            for y, missing in zip(left_out["year"], left_out["parts_missing"], strict=True)
        },
    }
    return out


def former_series(province: str, indicator: str, *, data: Data = None, lang: str = "vi") -> Table:
    """A merged province beside its former provinces: each series' values by year.

    One row per series and year, columns ``province`` (today's), ``series`` (the former
    province, e.g. 'Hà Giang (cũ)', or the province on today's boundaries, 'Tuyên Quang (hiện
    nay)'), ``former`` (the former province's name, '' for today's series), ``year``,
    ``value`` (NaN where a series has no value that year), ``status`` and ``aggregated`` (put
    together from former provinces). It shows wide, one column per series and one row per
    year: the former provinces' own recorded figures (years before 2025), then the province on
    today's boundaries (put together before 2025, its own from 2025). The caption says how the
    parts were put together (weights and their source).

    Parameters
    ----------
    province
        A current province ('Tuyên Quang') or one of its former parts ('Hà Giang').
    indicator
        A catalogue id such as ``"M4.CT1"``.
    data
        A data file, files or observations frame; None for the embedded data.
    lang
        ``"vi"`` or ``"en"``, for the series' names and the caption.

    Examples
    --------
    >>> fs = bdg.former_series("Tuyên Quang", "M4.CT1")  # Hà Giang, Tuyên Quang (cũ), merged
    >>> fs.pivot(index="year", columns="series", values="value").plot()
    """
    lang = check_lang(lang)
    place = merged_place(province)
    ind = _catalogue.get(indicator)
    ctx = context(data)
    rows = series_rows(ctx, place.name, ind.id)
    if not geo.is_merged(place):
        caption = with_demo_note(
            word("explore.not_merged", lang, name=place.name), rows["status"], lang
        )
        frame = _long({place.name: ("", rows)}, place.name)
        return _former_table(frame, ind, lang, caption)
    parts = {
        part_label(part, lang): (part.name if part.changed else "", part_rows)
        for part, part_rows in parts_rows(ctx, place, ind.id).items()
    }
    parts[f"{place.name} ({word('explore.current', lang)})"] = ("", rows)
    frame = _long(parts, place.name)
    caption = f"{ind.id} {ind.short(lang)} ({ind.unit(lang)}). {geo.history_note(place, lang)}"
    method = _method_note(rows, lang)
    if method:
        caption = f"{caption} {ind.id}: {method}."
    statuses = pd.concat([rows["status"], recorded_rows(ctx, place.name, ind.id)["status"]])
    return _former_table(frame, ind, lang, with_demo_note(caption, statuses, lang))


def _long(parts: dict[str, tuple[str, pd.DataFrame]], province: str) -> pd.DataFrame:
    """Each series' rows over every year any of them has (NaN where one has no value)."""
    years = sorted({int(y) for _, rows in parts.values() for y in rows["year"]})
    records = []
    for name, (former, rows) in parts.items():
        by_year = {int(r["year"]): r for r in rows.to_dict("records")}
        for year in years:
            row = by_year.get(year, {})
            records.append(
                {
                    "province": province,
                    "series": name,
                    "former": former,
                    "year": year,
                    "value": float(row.get("value", np.nan)),
                    "status": str(row.get("status", "")),
                    "aggregated": bool(row.get("aggregated", False)),
                }
            )
    columns = ["province", "series", "former", "year", "value", "status", "aggregated"]
    frame = pd.DataFrame(records, columns=columns)
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    return frame


def _former_table(frame: pd.DataFrame, ind: _catalogue.Indicator, lang: str, caption: str):
    out = table(frame, lang=lang, unit=ind.unit(lang), caption=caption)
    out.attrs["pivot"] = {"index": "year", "columns": "series", "values": "value"}
    return out


def _method_note(rows: pd.DataFrame, lang: str = "vi") -> str:
    """How the latest put-together year was made (weights, source), from its columns."""
    agg = rows[rows["aggregated"].astype(bool)] if "aggregated" in rows else rows.iloc[0:0]
    if agg.empty:
        return ""
    return boundaries.method_note(agg.iloc[-1], lang)


# ---------------------------------------------------------------------------------------------
# One indicator, every province


def latest(
    indicator: str, year: int | None = None, *, data: Data = None, lang: str = "vi"
) -> Table:
    """Every province's latest value of one indicator, ranked (1 = best), beside the nation.

    Parameters
    ----------
    indicator
        A catalogue id such as ``"M2.CT1"``.
    year
        Take each province's latest value up to this year (default: the latest year in the
        data); ``year`` in the table says which year each value is from.
    data
        A data file, files or observations frame; None for the embedded data.
    lang
        ``"vi"`` or ``"en"``.

    Returns
    -------
    Table
        One row for each of the 34 provinces (those without a value last, rank empty):
        ``rank``, ``province``, ``value``, ``year``, ``status``, ``national`` (the national value
        that year), ``gap``, ``merged_from`` (former provinces of a merged province).

    Examples
    --------
    >>> top = bdg.latest("M2.CT1", 2025)
    >>> top.head(5)
    """
    lang = check_lang(lang)
    ind = _catalogue.get(indicator)
    rows, year = indicator_rows(context(data), ind, year)
    frame = latest_frame(rows, ind)
    caption = word(
        "explore.latest_caption",
        lang,
        id=ind.id,
        name=ind.short(lang),
        year=year,
        direction=direction_word(ind.direction, lang),
    )
    caption = with_demo_note(caption, frame["status"], lang)
    return table(frame, lang=lang, unit=ind.unit(lang), caption=caption)


def latest_frame(rows: pd.DataFrame, ind: _catalogue.Indicator) -> pd.DataFrame:
    """Each province's latest row of ``rows`` (one indicator), ranked, beside the nation."""
    national = rows[rows["province_code"] == geo.NATIONAL_CODE].set_index("year")["value"]
    prov = rows[rows["province_code"] != geo.NATIONAL_CODE].sort_values("year")
    last = prov.groupby("province", sort=False).tail(1).set_index("province")
    records = []
    for p in geo.current_provinces():
        parts = geo.former_parts(p)
        merged_from = ", ".join(x.name for x in parts) if len(parts) > 1 else ""
        record = {
            "province": p.name,
            "value": np.nan,
            "year": None,
            "status": "",
            "national": np.nan,
            "gap": np.nan,
            "merged_from": merged_from,
        }
        if p.name in last.index:
            r = last.loc[p.name]
            y = int(r["year"])
            nat = float(national.get(y, np.nan))
            value = float(r["value"])
            record.update(value=value, year=y, status=str(r["status"]), national=nat)
            record["gap"] = value - nat
        records.append(record)
    frame = pd.DataFrame(records)
    frame["year"] = frame["year"].astype("Int64")
    frame.insert(
        0,
        "rank",
        frame["value"].rank(method="min", ascending=ind.direction == "lower").astype("Int64"),
    )
    return frame.sort_values(["rank", "province"], na_position="last", kind="stable").reset_index(
        drop=True
    )


def movers(
    indicator: str,
    year: int | None = None,
    *,
    since: int | None = None,
    data: Data = None,
    lang: str = "vi",
) -> Table:
    """Which provinces moved fastest (and slowest) on one indicator, best improvement first.

    The pace is the least-squares slope of each province's series over ``since``..``year`` (a
    noisy single year moves it less than first-to-last change); ``improvement`` is that slope
    in the indicator's good direction (a falling sex ratio at birth is an improvement).

    Parameters
    ----------
    indicator
        A catalogue id such as ``"M2.CT1"``.
    year
        Last year of the window (default: the latest year in the data).
    since
        First year of the window (default: 2020, the strategy's baseline year).
    data
        A data file, files or observations frame; None for the embedded data.
    lang
        ``"vi"`` or ``"en"``.

    Returns
    -------
    Table
        ``rank`` (1 = fastest improvement), ``province``, ``first_year``, ``first_value``,
        ``year`` and ``value`` (the last year of the window with a value, and that value;
        shown as "last"), ``change``, ``slope`` (per year), ``improvement`` (per year,
        positive = better), ``n_points``. ``.head(5)`` are the fastest movers, ``.tail(5)``
        the slowest (provinces with fewer than two values come last).

    Examples
    --------
    >>> m = bdg.movers("M2.CT1", since=2020)
    >>> m.head(5), m.tail(5)
    """
    lang = check_lang(lang)
    ind = _catalogue.get(indicator)
    rows, year = indicator_rows(context(data), ind, year)
    since = progress.BASE_YEAR if since is None else int(since)
    if since >= year:
        problem = words.problem(
            "<argument>", None, "since", "explore.since_not_before", since=since, year=year
        )
        raise BdgInputError(problem)
    rows = rows[rows["year"] >= since]
    sign = 1.0 if ind.direction == "higher" else -1.0
    records = []
    for p in geo.current_provinces():
        mine = rows[rows["province"] == p.name].sort_values("year")
        summ = trends.summary(to_series(mine, p.name))
        first, last_value = summ["first_value"], summ["latest_value"]
        records.append(
            {
                "province": p.name,
                "first_year": summ["first_year"],
                "first_value": first,
                "year": summ["latest_year"],
                "value": last_value,
                "change": last_value - first if summ["n_points"] >= 2 else np.nan,
                "slope": summ["slope"],
                "improvement": sign * summ["slope"],
                "n_points": summ["n_points"],
            }
        )
    frame = pd.DataFrame(records)
    for column in ("first_year", "year"):
        frame[column] = frame[column].astype("Int64")
    frame.insert(
        0, "rank", frame["improvement"].rank(method="min", ascending=False).astype("Int64")
    )
    frame = frame.sort_values(["rank", "province"], na_position="last", kind="stable")
    caption = word(
        "explore.movers_caption",
        lang,
        id=ind.id,
        name=ind.short(lang),
        since=since,
        year=year,
        unit=ind.unit(lang),
        direction=direction_word(ind.direction, lang),
    )
    provincial = rows[rows["province_code"] != geo.NATIONAL_CODE]
    caption = with_demo_note(caption, provincial.loc[provincial["value"].notna(), "status"], lang)
    out = table(frame.reset_index(drop=True), lang=lang, unit=ind.unit(lang), caption=caption)
    out.attrs["decimals_from"] = {"change": ["first_value", "value"]}  # 107,3 - 111,6
    out.attrs["headers"] = {"year": "latest_year", "value": "latest_value"}  # "last ..."
    return out
