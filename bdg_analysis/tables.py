"""Notebook tables: a DataFrame that shows itself with translated headers, units and formats."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from bdg_analysis import dataset, text, words
from bdg_analysis.charts import STATUS_COLOURS
from bdg_analysis.words import word

if TYPE_CHECKING:  # pragma: no cover
    from pandas.io.formats.style import Styler

__all__ = [
    "DATA_STATUSES",
    "DATA_STATUS_COLOURS",
    "Table",
    "column_label",
    "direction_word",
    "kind_word",
    "table",
    "z_decimals",
]

# ---------------------------------------------------------------------------------------------
# What each column holds decides how its cells are written

#: Columns holding values in the indicator's unit: the header names the unit when one applies.
VALUE_COLUMNS = frozenset(
    {
        "value",
        "latest",
        "national",
        "gap",
        "first_value",
        "latest_value",
        "change",
        "slope",
        "improvement",
        "previous_value",
        "change_per_year",
        "median_change",
        "mad",
        "sigma",
        "projection",
        "low",
        "high",
        "value_a",
        "value_b",
    }
)
#: Differences: a rise is written with its sign (+1,2).
SIGNED_COLUMNS = frozenset(
    {"gap", "change", "slope", "improvement", "change_per_year", "median_change"}
)
#: Whole numbers written without a thousands separator (row numbers, ranks, counts of years).
PLAIN_INT_COLUMNS = frozenset({"source_row", "row", "rank", "goal", "n_points", "shared"})
#: Shares 0-1 written as percentages.
PERCENT_COLUMNS = frozenset({"probability", "p_met"})
"""Chances of meeting a target: shown as the report shows them, never contradicting the status
word beside them (:func:`bdg_analysis.text.fmt_chance`)."""
#: Years: never 2.025.
YEAR_COLUMNS = frozenset({"year", "first_year", "latest_year", "previous_year", "headline_year"})
#: Catalogue keys kept in tables (to filter on), shown as words.
WORD_COLUMNS = frozenset({"kind", "direction"})

DATA_STATUSES = ("official", "provisional", "estimate", "demo")
DATA_STATUS_COLOURS = {
    "official": "",
    "provisional": "#fff1c1",
    "estimate": "#dcecf9",
    "demo": "#ececec",
}


def column_label(column: object, lang: str = "vi") -> str | None:
    """The header of a known column (``tables.column.<name>``), None for any other."""
    key = f"tables.column.{column}"
    return word(key, lang) if isinstance(column, str) and words.has_word(key) else None


def kind_word(kind: str, lang: str = "vi") -> str:
    """An indicator's kind in words ('tỷ lệ', 'share'); an unknown kind as it is."""
    key = f"tables.kind.{kind}"
    return word(key, lang) if words.has_word(key) else kind


def direction_word(direction: str, lang: str = "vi") -> str:
    """'higher' or 'lower' as the reader's words ('thấp hơn là tốt hơn')."""
    key = f"tables.direction.{direction}"
    return word(key, lang) if words.has_word(key) else direction


def z_decimals(z: float, threshold: float) -> int:
    """Decimals that show a flagged |z| above its threshold (3.52 as '3,52', not '3,5 > 3,5')."""
    for decimals in (1, 2, 3):
        if round(abs(z), decimals) > threshold:
            return decimals
    return 4


# ---------------------------------------------------------------------------------------------
# The table


class Table(pd.DataFrame):
    """A DataFrame that shows itself in a notebook with labels, units and status colours.

    Computations see plain column names (``value``, ``status``, ``year``); only the display
    changes. ``attrs`` may hold ``lang`` ("vi" or "en"), ``caption``, ``unit`` (appended to the
    headers of value columns), ``percent`` (numbers are 0-1 shares), ``heat`` (shade cells by
    value), ``decimals_from`` (a column shown at the precision of others, e.g. a change at that
    of its values), ``headers`` (a column shown under another column's header, e.g. ``value``
    as "Giá trị cuối") and ``pivot`` (``{"index", "columns", "values"}``: a long table shown
    wide, e.g. one column per series). A column shows all its numbers at one precision. Long
    tables show their first and last rows, like pandas.

    Examples
    --------
    >>> t = bdg.latest("M2.CT1")
    >>> t[t["status"] == "provisional"]       # still a Table: displays the same way
    >>> t.styled(lang="en").to_html()        # the styled HTML, e.g. for a web page
    """

    @property
    def _constructor(self):
        return Table

    def _repr_html_(self) -> str | None:
        return self.styled().to_html()

    def styled(self, lang: str | None = None) -> Styler:
        """The pandas Styler a notebook shows: translated headers, formats, colours, caption."""
        lang = words.check_lang(lang or self.attrs.get("lang", "vi"), where="lang")
        attrs = dict(self.attrs)
        return _style(_shown_frame(pd.DataFrame(self), attrs), attrs, lang)


def table(
    frame: pd.DataFrame, *, lang: str = "vi", caption: str | None = None, unit: str | None = None
) -> Table:
    """Show any DataFrame (e.g. a ``quality`` result) the way the notebook API's tables show.

    Parameters
    ----------
    frame
        Any table; known column names (``province``, ``value``, ``status`` ...) get Vietnamese
        or English headers, number formats and status colours.
    lang
        ``"vi"`` (default) or ``"en"``.
    caption
        Text above the table (default: the frame's ``attrs["caption"]``, if any).
    unit
        Unit appended to the headers of value columns, e.g. ``"%"``.

    Examples
    --------
    >>> from bdg_analysis import quality
    >>> bdg.table(quality.outliers(bdg.load()))
    """
    out = Table(frame)
    out.attrs = {**dict(frame.attrs), "lang": words.check_lang(lang, where="lang")}
    if caption is not None:
        out.attrs["caption"] = caption
    if unit is not None:
        out.attrs["unit"] = unit
    return out


def _shown_frame(frame: pd.DataFrame, attrs: dict) -> pd.DataFrame:
    """The frame as displayed: a long table with ``pivot`` attrs spread wide (one column per
    series, in the order they come), else the frame itself."""
    pivot = attrs.get("pivot")
    if not pivot or not {pivot["index"], pivot["columns"], pivot["values"]} <= set(frame.columns):
        return frame
    order = list(dict.fromkeys(frame[pivot["columns"]].tolist()))
    wide = frame.pivot(index=pivot["index"], columns=pivot["columns"], values=pivot["values"])
    wide = wide.reindex(columns=order).sort_index()
    wide.columns.name = None
    return wide


# ---------------------------------------------------------------------------------------------
# Cells


def _tint(colour: str, amount: float = 0.55) -> str:
    """A lighter shade of ``colour`` so black text stays readable on it."""
    if not colour.startswith("#") or len(colour) != 7:
        return colour
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(c + (255 - c) * amount) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def _status_kind(values: pd.Series) -> str | None:
    """'data' or 'target' when every non-empty value of a column is such a status word."""
    present = {v for v in values.dropna().tolist() if v != ""}
    if not present or not all(isinstance(v, str) for v in present):
        return None
    if present <= set(DATA_STATUSES):
        return "data"
    if present <= set(words.namespace("status")):
        return "target"
    return None


def _status_text(value: object, kind: str, lang: str) -> str:
    if not isinstance(value, str) or not value:
        return "–" if kind == "target" else ""
    if kind == "data":
        return text.label(value, lang)
    return f"{text.STATUS_SYMBOLS[value]} {text.status_word(value, lang)}"


def _status_css(value: object, kind: str) -> str:
    if not isinstance(value, str) or not value:
        return ""
    if kind == "data":
        colour = DATA_STATUS_COLOURS.get(value, "")
    else:
        colour = _tint(STATUS_COLOURS.get(value, ""))
    return f"background-color: {colour}; white-space: nowrap" if colour else ""


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _column_decimals(values: list) -> int | None:
    """Decimals for a whole column, so 108,0 stands under 105,8 (not 108): the most any of its
    values needs at its own precision; None when the column holds no finite numbers."""
    numbers = [
        float(v) for v in values if isinstance(v, (float, np.floating)) and math.isfinite(float(v))
    ]
    return dataset.recorded_decimals(round(v, text.sensible_decimals(v)) for v in numbers)


def _cell_text(value: object, column: object, attrs: dict, lang: str) -> str:
    """One cell as a reader sees it: '–' for missing, local number format, yes/no words."""
    if _is_missing(value):
        return "–"
    if column == "kind" and isinstance(value, str):
        return kind_word(value, lang)
    if column == "direction" and isinstance(value, str):
        return direction_word(value, lang)
    if isinstance(value, (bool, np.bool_)):
        return word("tables.yes" if value else "tables.no", lang)
    if isinstance(value, (int, np.integer)):
        if column in YEAR_COLUMNS or column in PLAIN_INT_COLUMNS:
            return str(int(value))
        if attrs.get("percent"):
            return words.fmt_percent(float(value), lang)
        return words.fmt_number(int(value), lang, decimals=0)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if not math.isfinite(number):
            return "∞" if number > 0 else ("-∞" if number < 0 else "–")
        if column in PERCENT_COLUMNS:
            return text.fmt_chance(number, lang)
        if attrs.get("percent"):
            return words.fmt_percent(number, lang)
        if (column in YEAR_COLUMNS or column in PLAIN_INT_COLUMNS) and number.is_integer():
            return str(int(number))
        if column == "z":
            threshold = attrs.get("threshold")
            decimals = z_decimals(number, float(threshold)) if threshold is not None else 1
            shown = words.fmt_number(number, lang, decimals=decimals)
        else:
            shown = text.fmt_value(number, lang, attrs.get("_decimals", {}).get(column))
        if column in SIGNED_COLUMNS and number > 0:
            shown = "+" + shown
        return shown
    return str(value)


def _header(column: object, attrs: dict, lang: str) -> str:
    """A column's header: its label (or that of the column ``headers`` names), with the unit
    for value columns."""
    shown_as = attrs.get("headers", {}).get(column, column)
    label = column_label(shown_as, lang)
    if label is not None:
        head = label
    elif isinstance(column, str) and column in DATA_STATUSES:
        head = text.label(column, lang)
    elif isinstance(column, str) and words.has_word(f"status.{column}"):
        head = f"{text.STATUS_SYMBOLS[column]} {text.status_word(column, lang)}"
    else:
        head = str(column)
    unit = attrs.get("unit")
    if unit and column in VALUE_COLUMNS:
        head = f"{head} ({unit})"
    return head


# ---------------------------------------------------------------------------------------------
# The whole table


_TABLE_STYLES = [
    {
        "selector": "caption",
        "props": "caption-side: top; text-align: left; "
        "font-weight: normal; color: #333; padding: 4px 0;",
    },
    {"selector": "th", "props": "text-align: left; vertical-align: bottom;"},
    {"selector": "td", "props": "padding: 2px 8px; text-align: left;"},
]


def _style(frame: pd.DataFrame, attrs: dict, lang: str) -> Styler:
    """Translate headers and cells, colour statuses, shade heat maps, truncate long tables."""
    caption = attrs.get("caption") or ""
    limit = int(pd.get_option("display.max_rows") or 60)
    # row numbers (a RangeIndex, or what is left of one after filtering) are not shown
    plain_index = isinstance(frame.index, pd.RangeIndex) or (
        frame.index.name is None
        and pd.api.types.is_integer_dtype(frame.index)
        and not isinstance(frame.index, pd.MultiIndex)
    )
    cut = None  # where the rows left out would be (an ellipsis row is shown there)
    if len(frame) > limit:
        k = max(int(pd.get_option("display.min_rows") or 10) // 2, 1)
        note = word("tables.rows_note", lang, n=words.fmt_number(len(frame), lang, 0), k=k)
        caption = f"{caption} ({note})" if caption else note
        frame = pd.concat([frame.iloc[:k], frame.iloc[-k:]])
        cut = k
    elif frame.empty:
        empty = word("tables.no_rows", lang)
        caption = f"{caption} ({empty})" if caption else empty
    kinds = {
        c: _status_kind(frame[c]) if not pd.api.types.is_numeric_dtype(frame[c]) else None
        for c in frame.columns
    }
    decimals = {c: _column_decimals(frame[c].tolist()) for c in frame.columns if not kinds[c]}
    for column, sources in attrs.get("decimals_from", {}).items():  # e.g. a change: as values
        found = [decimals[c] for c in sources if decimals.get(c) is not None]
        if column in decimals and found:
            decimals[column] = max(found)
    attrs = {**attrs, "_decimals": decimals}
    cells = {}
    for i, c in enumerate(frame.columns):
        values = frame[c].tolist()
        if kinds[c]:
            cells[i] = [_status_text(v, kinds[c], lang) for v in values]
        else:
            cells[i] = [_cell_text(v, c, attrs, lang) for v in values]
    shown = pd.DataFrame(cells, index=range(len(frame)))
    headers = []
    for c in frame.columns:
        if c == "status" and kinds[c] == "data":
            headers.append(word("tables.column.data_status", lang))
        else:
            headers.append(_header(c, attrs, lang))
    shown.columns = _unique(headers)
    if not plain_index:
        index_column = frame.index.name
        shown.index = _unique(
            [
                str(int(v))
                if isinstance(v, (int, np.integer))
                else _cell_text(v, index_column, attrs, lang)
                for v in frame.index
            ]
        )
        if frame.index.name:
            shown.index.name = _header(frame.index.name, attrs, lang)
    css = pd.DataFrame("", index=shown.index, columns=shown.columns)
    for i, c in enumerate(frame.columns):
        if max(map(len, shown.iloc[:, i].astype(str)), default=0) > 40:  # prose stays legible
            css.iloc[:, i] = "min-width: 16em"
        if kinds[c]:
            css.iloc[:, i] = [_status_css(v, kinds[c]) for v in frame[c].tolist()]
        elif pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]):
            css.iloc[:, i] = "text-align: right; white-space: nowrap"
    if cut is not None:
        shown, css = _with_gap_row(shown, cut, "…"), _with_gap_row(css, cut, "")
    styler = shown.style.apply(lambda _: css, axis=None)
    if attrs.get("heat"):
        numbers = frame.apply(pd.to_numeric, errors="coerce").astype("float64").fillna(0.0)
        if cut is not None:
            numbers = _with_gap_row(numbers, cut, 0.0)
        numbers.index, numbers.columns = shown.index, shown.columns
        finite = numbers.to_numpy()[np.isfinite(numbers.to_numpy())]
        high = 1.0 if attrs.get("percent") or not finite.size else max(float(finite.max()), 1.0)
        styler = styler.background_gradient(
            cmap="Blues", gmap=numbers, axis=None, vmin=0, vmax=1.7 * high
        )
    if plain_index:
        styler = styler.hide(axis="index")
    if caption:
        styler = styler.set_caption(caption)
    return styler.set_table_styles(_TABLE_STYLES)


def _with_gap_row(frame: pd.DataFrame, at: int, fill: object) -> pd.DataFrame:
    """``frame`` with a row of ``fill`` after its first ``at`` rows, where rows were left out;
    the index becomes unique labels ('…' for the gap)."""
    gap = pd.DataFrame([[fill] * frame.shape[1]], columns=frame.columns, index=["…"])
    out = pd.concat([frame.iloc[:at], gap, frame.iloc[at:]])
    out.index = pd.Index(_unique([str(v) for v in out.index]), name=frame.index.name)
    return out


def _unique(names: list[str]) -> list[str]:
    """Headers made unique (a Styler needs them so): a repeated label gets a counter."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out
