"""The notebook API (``import bdg_analysis as bdg``): look-ups, series, tables and charts."""

from __future__ import annotations

import io as _io
import math
import os
import textwrap
import weakref
from collections.abc import Sequence
from dataclasses import fields
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from bdg_analysis import (
    cache,
    charts,
    dataset,
    geo,
    plans,
    progress,
    quality,
    scorecard,
    text,
    trends,
    words,
)
from bdg_analysis import catalogue as _catalogue
from bdg_analysis.errors import BdgInputError, Problem

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure
    from pandas.io.formats.style import Styler

__all__ = [
    "IndicatorInfo",
    "PlanInfo",
    "Table",
    "chart",
    "distribution",
    "former_chart",
    "former_series",
    "indicator",
    "indicators",
    "latest",
    "load",
    "movers",
    "outlier_chart",
    "plan",
    "series",
    "small_multiples",
    "status",
    "table",
]

Data = str | Path | Sequence[str | Path] | pd.DataFrame | None
"""What ``data=`` accepts: a file, several files, an observations frame, or None (embedded)."""

# ---------------------------------------------------------------------------------------------
# Words shown in tables (column headers, statuses, kinds)

COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "province": ("Tỉnh, thành phố", "Province"),
    "province_code": ("Mã tỉnh", "Code"),
    "former": ("Tỉnh cũ", "Former province"),
    "place": ("Địa bàn ghi trong tệp", "Place as recorded"),
    "merged_from": ("Gộp từ tỉnh cũ", "Merged from"),
    "id": ("Mã chỉ tiêu", "Id"),
    "indicator": ("Chỉ tiêu", "Indicator"),
    "indicator_name": ("Tên chỉ tiêu", "Indicator name"),
    "name": ("Tên chỉ tiêu", "Name"),
    "short": ("Tên ngắn", "Short name"),
    "goal": ("Mục tiêu", "Goal"),
    "goal_name": ("Lĩnh vực", "Area"),
    "kind": ("Loại", "Kind"),
    "direction": ("Chiều tốt", "Better when"),
    "lower": ("Cận dưới", "Lower bound"),
    "upper": ("Cận trên", "Upper bound"),
    "year": ("Năm", "Year"),
    "value": ("Giá trị", "Value"),
    "unit": ("Đơn vị", "Unit"),
    "sex": ("Giới tính", "Sex"),
    "status": ("Tình trạng", "Status"),
    "data_status": ("Loại số liệu", "Data status"),
    "source": ("Nguồn", "Source"),
    "note": ("Ghi chú", "Note"),
    "missing_marker": ("Ký hiệu thiếu", "Missing marker"),
    "source_file": ("Tệp", "File"),
    "source_row": ("Dòng", "Row"),
    "aggregated": ("Gộp từ tỉnh cũ?", "Put together?"),
    "target": ("Mục tiêu", "Target"),
    "target_2025": ("Mục tiêu 2025", "Target 2025"),
    "target_2030": ("Mục tiêu 2030", "Target 2030"),
    "origin": ("Đặt bởi", "Set by"),
    "agency": ("Cơ quan chủ trì", "Responsible agency"),
    "evidence": ("Mức bằng chứng", "Evidence"),
    "data_source": ("Nguồn số liệu", "Data source"),
    "latest": ("Giá trị mới nhất", "Latest value"),
    "latest_year": ("Năm mới nhất", "Latest year"),
    "latest_value": ("Giá trị cuối", "Last value"),
    "first_year": ("Năm đầu", "First year"),
    "first_value": ("Giá trị đầu", "First value"),
    "headline_year": ("Năm mục tiêu", "Target year"),
    "projection": ("Dự báo", "Projection"),
    "low": ("Cận dưới 80%", "80% low"),
    "high": ("Cận trên 80%", "80% high"),
    "probability": ("Khả năng đạt", "Chance of meeting"),
    "rank": ("Hạng", "Rank"),
    "national": ("Toàn quốc", "National"),
    "gap": ("Chênh lệch với toàn quốc", "Gap to national"),
    "change": ("Thay đổi", "Change"),
    "slope": ("Thay đổi mỗi năm", "Change per year"),
    "improvement": ("Tiến bộ mỗi năm", "Improvement per year"),
    "n_points": ("Số năm có số liệu", "Years with data"),
    "previous_year": ("Năm trước đó", "Previous year"),
    "previous_value": ("Giá trị trước đó", "Previous value"),
    "change_per_year": ("Thay đổi mỗi năm", "Change per year"),
    "median_change": ("Trung vị thay đổi", "Median change"),
    "mad": ("MAD", "MAD"),
    "sigma": ("Độ lệch chuẩn vững σ", "Robust std. dev. σ"),
    "z": ("Điểm z vững", "Robust z"),
    "shared": ("Chuỗi khác cùng năm", "Other series, same year"),
    "pattern": ("Dạng", "Pattern"),
    "across_merger": ("Qua sáp nhập?", "Across the merger?"),
    "rule": ("Quy tắc", "Rule"),
    "reason": ("Lý do", "Reason"),
    "kind_of_issue": ("Loại", "Kind"),
    "value_a": ("Giá trị A", "Value A"),
    "value_b": ("Giá trị B", "Value B"),
    "status_a": ("Loại số liệu A", "Data status A"),
    "status_b": ("Loại số liệu B", "Data status B"),
    "where_a": ("Vị trí A", "Where A"),
    "where_b": ("Vị trí B", "Where B"),
    "source_a": ("Nguồn A", "Source A"),
    "source_b": ("Nguồn B", "Source B"),
    "file": ("Tệp", "File"),
    "row": ("Dòng", "Row"),
    "column": ("Cột", "Column"),
    "message": ("Vấn đề", "Problem"),
    "count": ("Số lượng", "Count"),
    "total": ("Tổng", "Total"),
    "unspecified": ("Không ghi", "Not stated"),
    "field": ("Mục", "Field"),
}
# Columns holding values in the indicator's unit: the header names the unit when one applies.
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
SIGNED_COLUMNS = frozenset(
    {"gap", "change", "slope", "improvement", "change_per_year", "median_change"}
)
PLAIN_INT_COLUMNS = frozenset({"source_row", "row", "rank", "goal", "n_points", "shared"})
PERCENT_COLUMNS = frozenset({"probability"})

DATA_STATUSES = ("official", "provisional", "estimate", "demo")
DATA_STATUS_COLOURS = {
    "official": "",
    "provisional": "#fff1c1",
    "estimate": "#dcecf9",
    "demo": "#ececec",
}
KIND_WORDS = {
    "share": ("tỷ lệ", "share"),
    "ratio": ("tỷ số", "ratio"),
    "rate": ("tỷ suất", "rate"),
    "count": ("số lượng", "count"),
    "binary": ("có/không", "yes/no"),
}
DIRECTION_WORDS = {
    "higher": ("cao hơn là tốt hơn", "higher is better"),
    "lower": ("thấp hơn là tốt hơn", "lower is better"),
}
_WORDS = {
    "yes": ("có", "yes"),
    "no": ("không", "no"),
    "rows_note": (
        "{n} dòng; hiển thị {k} dòng đầu và {k} dòng cuối",
        "{n} rows; showing the first {k} and the last {k}",
    ),
    "current": ("hiện nay", "current"),
    "no_rows": ("không có dòng nào", "no rows"),
    "own": ("kế hoạch riêng", "own plan"),
    "inherited": ("mặc định quốc gia", "national default"),
    "latest_caption": (
        "{id} {name}: giá trị mới nhất đến năm {year} của mỗi tỉnh; hạng 1 là "
        "tốt nhất ({direction}). Dòng toàn quốc không được xếp hạng.",
        "{id} {name}: each province's latest value up to {year}; rank 1 is best "
        "({direction}). The national row is not ranked.",
    ),
    "movers_caption": (
        "{id} {name}: tốc độ thay đổi {since}–{year} (độ dốc bình phương nhỏ "
        "nhất, {unit}/năm), xếp theo tiến bộ ({direction}). Dãy trước 2025 của "
        "tỉnh sáp nhập được gộp từ tỉnh cũ.",
        "{id} {name}: pace of change {since}–{year} (least-squares slope, "
        "{unit}/year), ranked by improvement ({direction}). Series of merged "
        "provinces before 2025 are put together from their former provinces.",
    ),
    "not_merged": (
        "{name} không thay đổi địa giới năm 2025: dãy số là của chính tỉnh.",
        "{name} kept its territory in 2025: the series is its own.",
    ),
    "former_only": (
        "{name!r} là tỉnh cũ (thuộc {current} từ 1/7/2025); dãy số theo địa giới "
        "hiện nay là của {current}: dùng series({current!r}, ...) hoặc "
        "former_series({current!r}, ...) để xem từng tỉnh cũ",
        "{name!r} is a former province (part of {current} since 1 July 2025); "
        "the series on current boundaries is {current}'s: use "
        "series({current!r}, ...), or former_series({current!r}, ...) to see "
        "each former province",
    ),
    "small_title": (
        "{id} {name} ({unit}): 34 tỉnh, thành phố",
        "{id} {name} ({unit}): the 34 provinces",
    ),
    "outlier_title": (
        "Giá trị bất thường so với lịch sử của chính chuỗi",
        "Values out of line with their own series' history",
    ),
    "demo_tag": (
        "(có số liệu minh họa, không phải số liệu thống kê đã công bố)",
        "(includes demonstration values, not published statistics)",
    ),
    "demo_short": ("(số liệu minh họa)", "(demonstration data)"),
}
# Raw catalogue keys kept in ``load()`` columns (for filtering), shown as words.
_VALUE_WORDS = {"kind": KIND_WORDS, "direction": DIRECTION_WORDS}


def _w(key: str, lang: str) -> str:
    return _WORDS[key][1 if lang == "en" else 0]


def _check_lang(lang: str) -> str:
    if lang not in text.LANGS:
        raise BdgInputError(
            Problem(
                "<argument>",
                None,
                "lang",
                f"{lang!r} is not a language here (expected 'vi' or 'en')",
            )
        )
    return lang


def _with_demo_note(caption: str, statuses, lang: str) -> str:
    """The caption led by a demonstration-data warning when any of ``statuses`` is demo."""
    note = quality.demo_note(statuses, lang)
    return f"{note} {caption}" if note else caption


def _with_demo_tag(title: str, statuses, lang: str) -> str:
    """A chart title with a second line saying it shows demonstration values, if it does."""
    return f"{title}\n{_w('demo_tag', lang)}" if quality.demo_note(statuses, lang) else title


# ---------------------------------------------------------------------------------------------
# Tables that display well


class Table(pd.DataFrame):
    """A DataFrame that shows itself in a notebook with labels, units and status colours.

    Computations see plain column names (``value``, ``status``, ``year``); only the display
    changes. ``attrs`` may hold ``lang`` ("vi" or "en"), ``caption``, ``unit`` (appended to the
    headers of value columns), ``percent`` (numbers are 0-1 shares), ``heat`` (shade cells by
    value) and ``decimals_from`` (a column shown at the precision of others, e.g. a change at that
    of its values). A column shows all its numbers at one precision. Long tables show their
    first and last rows, like pandas.

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
        lang = _check_lang(lang or self.attrs.get("lang", "vi"))
        return _style(pd.DataFrame(self), dict(self.attrs), lang)


def table(
    frame: pd.DataFrame, *, lang: str = "vi", caption: str | None = None, unit: str | None = None
) -> Table:
    """Show any DataFrame (e.g. a ``quality`` result) the way this module's tables show.

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
    out.attrs = {**dict(frame.attrs), "lang": _check_lang(lang)}
    if caption is not None:
        out.attrs["caption"] = caption
    if unit is not None:
        out.attrs["unit"] = unit
    return out


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
        colour = _tint(charts.STATUS_COLOURS.get(value, ""))
    return f"background-color: {colour}; white-space: nowrap" if colour else ""


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


YEAR_COLUMNS = frozenset({"year", "first_year", "latest_year", "previous_year", "headline_year"})


def _year_like(name: object) -> bool:
    return name in YEAR_COLUMNS


def _column_decimals(values: list) -> int | None:
    """Decimals for a whole column, so 108,0 stands under 105,8 (not 108): the most any of its
    values needs at its own precision; None when the column holds no finite numbers."""
    numbers = [
        float(v) for v in values if isinstance(v, (float, np.floating)) and math.isfinite(float(v))
    ]
    return text.recorded_decimals(round(v, text.sensible_decimals(v)) for v in numbers)


def _cell_text(value: object, column: object, attrs: dict, lang: str) -> str:
    """One cell as a reader sees it: '–' for missing, local number format, yes/no words."""
    if _is_missing(value):
        return "–"
    if column in _VALUE_WORDS and isinstance(value, str) and value in _VALUE_WORDS[column]:
        return _VALUE_WORDS[column][value][1 if lang == "en" else 0]
    if isinstance(value, (bool, np.bool_)):
        return _w("yes" if value else "no", lang)
    if isinstance(value, (int, np.integer)):
        if _year_like(column) or column in PLAIN_INT_COLUMNS:
            return str(int(value))
        if attrs.get("percent"):
            return text.fmt_percent(float(value), lang)
        return text.fmt_number(int(value), lang, decimals=0)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if not math.isfinite(number):
            return "∞" if number > 0 else ("-∞" if number < 0 else "–")
        if attrs.get("percent") or column in PERCENT_COLUMNS:
            return text.fmt_percent(number, lang)
        if _year_like(column) and number.is_integer():
            return str(int(number))
        if column in PLAIN_INT_COLUMNS and number.is_integer():
            return str(int(number))
        if column == "z":
            decimals = (
                quality.z_decimals(number, float(attrs["threshold"])) if "threshold" in attrs else 1
            )
            shown = text.fmt_number(number, lang, decimals=decimals)
        else:
            shown = text.fmt_value(number, lang, attrs.get("_decimals", {}).get(column))
        if column in SIGNED_COLUMNS and number > 0:
            shown = "+" + shown
        return shown
    return str(value)


def _header(column: object, attrs: dict, lang: str) -> str:
    """A column's header: its label, with the unit for value columns."""
    if isinstance(column, str) and column in COLUMN_LABELS:
        head = COLUMN_LABELS[column][1 if lang == "en" else 0]
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
        note = _w("rows_note", lang).format(n=text.fmt_number(len(frame), lang, 0), k=k)
        caption = f"{caption} ({note})" if caption else note
        frame = pd.concat([frame.iloc[:k], frame.iloc[-k:]])
        cut = k
    elif frame.empty:
        caption = f"{caption} ({_w('no_rows', lang)})" if caption else _w("no_rows", lang)
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
            headers.append(COLUMN_LABELS["data_status"][1 if lang == "en" else 0])
        else:
            headers.append(_header(c, attrs, lang))
    shown.columns = _unique(headers)
    if not plain_index:
        index_column = "year" if frame.index.name == "year" else frame.index.name
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
    return styler.set_table_styles(
        [
            {
                "selector": "caption",
                "props": "caption-side: top; text-align: left; "
                "font-weight: normal; color: #333; padding: 4px 0;",
            },
            {"selector": "th", "props": "text-align: left; vertical-align: bottom;"},
            {"selector": "td", "props": "padding: 2px 8px; text-align: left;"},
        ]
    )


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


# ---------------------------------------------------------------------------------------------
# Data: read once per file version, shared by every call


def _files(data: str | Path | Sequence[str | Path] | None) -> list[Path]:
    return quality.data_files(data)


def _signature(path: Path) -> tuple[str, int | None, int | None]:
    try:
        stat = path.stat()
    except OSError:
        return str(path), None, None
    return str(path.resolve()), stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=8)
def _context_for(key: tuple) -> scorecard.Context:
    files = [Path(k[0]) for k in key]
    return scorecard.Context(dataset.load(files), cache_dir=cache.default_dir())


_FRAME_CONTEXTS: dict[int, tuple[weakref.ref, scorecard.Context]] = {}


def _context(data: Data) -> scorecard.Context:
    """The observations of ``data`` on both boundaries, cached until a file changes (a frame:
    while it lives, so calls on the same frame put former provinces together once)."""
    if isinstance(data, pd.DataFrame):
        held = _FRAME_CONTEXTS.get(id(data))
        if held is not None and held[0]() is data:
            return held[1]
        ctx = scorecard.Context(_observations_from_frame(data), cache_dir=cache.default_dir())
        for key in [k for k, (ref, _) in _FRAME_CONTEXTS.items() if ref() is None]:
            del _FRAME_CONTEXTS[key]
        _FRAME_CONTEXTS[id(data)] = (weakref.ref(data), ctx)
        return ctx
    return _context_for(tuple(_signature(p) for p in _files(data)))


def _observations_from_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """An in-memory frame as checked observations: taken as is when already checked, else
    validated like a file (BdgInputError naming the row and column of every problem)."""
    from bdg_analysis import validate

    checked_columns = {"province", "province_code", "former", "indicator", "year", "value"}
    if checked_columns <= set(frame.columns):
        out = frame.copy()
        for column in validate.OBSERVATION_COLUMNS:
            if column not in out.columns:
                out[column] = "" if column not in ("source_row",) else range(2, len(out) + 2)
        return out[list(validate.OBSERVATION_COLUMNS)].reset_index(drop=True)
    raw = frame.reset_index(drop=True).astype(object)
    raw = raw.where(raw.notna(), "").astype(str)
    raw["source_file"] = "<DataFrame>"
    raw["source_row"] = range(2, len(raw) + 2)
    checked = validate.check(raw)
    if checked.problems:
        raise BdgInputError(checked.problems)
    return checked.observations


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
    lang = _check_lang(lang)
    ctx = _context(data)
    frame = ctx.current if current else ctx.observations
    out = table(_catalogue_columns(frame.reset_index(drop=True), lang), lang=lang)
    files = ", ".join(sorted(frame["source_file"].dropna().astype(str).unique())[:3])
    out.attrs["caption"] = _with_demo_note(
        f"{text.fmt_number(len(out), lang, 0)} {'rows' if lang == 'en' else 'dòng'}: {files}",
        frame.loc[frame["value"].notna(), "status"],
        lang,
    )
    return out


# ---------------------------------------------------------------------------------------------
# The catalogue and plans


class IndicatorInfo(_catalogue.Indicator):
    """A catalogue indicator that shows its metadata as a table in a notebook.

    It is the catalogue's :class:`~bdg_analysis.catalogue.Indicator` (``id``, ``name_vi``,
    ``unit_vi``, ``direction``, ``national_targets`` ...) with :meth:`table` added.
    """

    def table(self, lang: str = "vi") -> Table:
        """Every field a reader needs, one per row."""
        lang = _check_lang(lang)
        goals = _catalogue.goals(lang)
        en = lang == "en"
        rows = [
            ("id", self.id),
            ("goal", f"{self.goal}: {goals.get(self.goal, '')}"),
            ("name", self.name(lang)),
            ("short", self.short(lang)),
            ("unit", self.unit(lang)),
            ("kind", KIND_WORDS.get(self.kind, (self.kind, self.kind))[1 if en else 0]),
            ("direction", DIRECTION_WORDS[self.direction][1 if en else 0]),
            ("lower", _bound_text(self.lower, lang)),
            ("upper", _bound_text(self.upper, lang)),
            ("target_2025", _target_text(self.national_target(2025), lang)),
            ("target_2030", _target_text(self.national_target(2030), lang)),
            ("data_source", self.data_source_en if en else self.data_source_vi),
            ("agency", self.agency),
            ("evidence", self.evidence),
        ]
        note = self.national_note_en if en else self.national_note_vi
        if note:
            rows.append(("note", note))
        labels = [COLUMN_LABELS[k][1 if en else 0] for k, _ in rows]
        out = table(
            pd.DataFrame({"value": [v for _, v in rows]}, index=pd.Index(labels, name="field")),
            lang=lang,
            caption=f"{self.id}: {self.short(lang)}",
        )
        return out

    def _repr_html_(self) -> str:
        return self.table().styled().to_html()

    def __repr__(self) -> str:
        return (
            f"<Indicator {self.id}: {self.short_en} ({self.unit_en}), "
            f"{DIRECTION_WORDS[self.direction][1]}>"
        )


def _bound_text(value: float | None, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return text.fmt_number(value, lang)


def _target_text(target, lang: str) -> str:
    return text.fmt_target(target, lang) if target is not None else text.label("no_target", lang)


def indicator(indicator_id: str) -> IndicatorInfo:
    """One indicator of Resolution 28/NQ-CP with its metadata (shown as a table).

    Parameters
    ----------
    indicator_id
        A catalogue id such as ``"M4.CT1"`` (case and spaces are forgiven).

    Returns
    -------
    IndicatorInfo
        The catalogue's Indicator: ``name_vi``, ``name_en``, ``unit_vi``, ``kind``,
        ``direction`` ('higher' or 'lower' is better), ``lower``/``upper`` bounds,
        ``national_targets``; ``.table(lang)`` lists them.

    Raises
    ------
    UnknownNameError
        For an id the catalogue does not know, with the closest ids.

    Examples
    --------
    >>> srb = bdg.indicator("M4.CT1")
    >>> srb.unit_vi, srb.direction, srb.national_target(2030)
    """
    ind = _catalogue.get(indicator_id)
    return IndicatorInfo(**{f.name: getattr(ind, f.name) for f in fields(ind)})


def indicators(lang: str = "vi") -> Table:
    """The catalogue: every indicator with its unit, direction and national targets.

    (``bdg.catalogue`` is the catalogue module itself; this is its table.)

    Parameters
    ----------
    lang
        ``"vi"`` (default) or ``"en"``, for names, units and words.

    Examples
    --------
    >>> cat = bdg.indicators()
    >>> cat[cat["goal"] == 4]
    """
    lang = _check_lang(lang)
    en = lang == "en"
    goals = _catalogue.goals(lang)
    rows = [
        {
            "id": i.id,
            "goal": i.goal,
            "goal_name": goals.get(i.goal, ""),
            "short": i.short(lang),
            "unit": i.unit(lang),
            "kind": KIND_WORDS.get(i.kind, (i.kind, i.kind))[1 if en else 0],
            "direction": DIRECTION_WORDS[i.direction][1 if en else 0],
            "target_2025": _target_text(i.national_target(2025), lang),
            "target_2030": _target_text(i.national_target(2030), lang),
            "agency": i.agency,
            "evidence": i.evidence,
        }
        for i in _catalogue.indicators()
    ]
    doc = _catalogue.document()
    caption = (
        f"{len(rows)} indicators of Resolution {doc['number']}"
        if en
        else f"{len(rows)} chỉ tiêu của Nghị quyết {doc['number']}"
    )
    return table(pd.DataFrame(rows), lang=lang, caption=caption)


class PlanInfo(plans.Plan):
    """A jurisdiction's plan that shows its targets as a table in a notebook.

    It is the :class:`~bdg_analysis.plans.Plan` reports use (``targets``, ``target(id, year)``,
    ``targets_for(id)``, ``agency_for(id)``, ``deadlines`` ...) with :meth:`table` added.
    """

    def table(self, lang: str = "vi") -> Table:
        """Every target: indicator, year, value as written, unit, own or national, source."""
        lang = _check_lang(lang)
        rows = []
        for t in sorted(self.targets, key=lambda t: (_order(self, t.indicator), t.year)):
            ind = self.indicator(t.indicator)
            rows.append(
                {
                    "id": t.indicator,
                    "short": ind.short(lang),
                    "year": t.year,
                    "target": text.fmt_target(t, lang),
                    "unit": ind.unit(lang),
                    "origin": _w("own" if self.is_own(t.indicator, t.year) else "inherited", lang),
                    "source": t.source,
                }
            )
        return table(pd.DataFrame(rows), lang=lang, caption=self.title(lang))

    def _repr_html_(self) -> str:
        return self.table().styled().to_html()

    def __repr__(self) -> str:
        own = "own plan" if self.has_own_file else "national targets"
        return f"<Plan {self.jurisdiction} ({own}): {len(self.targets)} targets>"


def _order(plan: plans.Plan, indicator_id: str) -> int:
    ids = plan.indicator_ids()
    return ids.index(indicator_id) if indicator_id in ids else len(ids)


def plan(name: str) -> PlanInfo:
    """The targets a province (or district, or the nation) tracks, shown as a table.

    Parameters
    ----------
    name
        A jurisdiction with a params file ('Quảng Ninh', 'Hiệp Hòa'), any province name in any
        spelling ('Lang Son', 'TP.HCM'), or 'Toàn quốc'. A province without its own file gets the
        national targets, and says so.

    Returns
    -------
    PlanInfo
        The Plan reports use: ``targets``, ``target(id, year)``, ``targets_for(id)``,
        ``agency_for(id)``, ``deadlines``, ``document_label()``; ``.table(lang)`` lists targets.

    Examples
    --------
    >>> ls = bdg.plan("Lạng Sơn")
    >>> ls.target("M4.CT1", 2030)
    """
    base = plans.load_plan(name)
    return PlanInfo(**{f.name: getattr(base, f.name) for f in fields(base)})


# ---------------------------------------------------------------------------------------------
# Series


def _current_place(province: str, *, allow_former: bool = False) -> geo.Province:
    """The current province (or the nation) a name denotes; a former-only name is refused
    unless ``allow_former`` (then its successor is meant)."""
    res = geo.resolve(province)
    if res.former is not None and not allow_former:
        raise BdgInputError(
            Problem(
                "<argument>",
                None,
                "province",
                _w("former_only", "en").format(name=province, current=res.province.name),
            )
        )
    return res.province


def _one_sex(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows of one sex: each series' total rows, complete years only, as the reports read them
    (:func:`bdg_analysis.dataset.series_rows`)."""
    return dataset.series_rows(rows)


def _series_rows(
    ctx: scorecard.Context, place: str, indicator_id: str, up_to: int | None = None
) -> pd.DataFrame:
    cur = ctx.current
    rows = cur[(cur["province"] == place) & (cur["indicator"] == indicator_id)]
    if up_to is not None:
        rows = rows[rows["year"] <= up_to]
    return _one_sex(rows).sort_values("year")


def _to_series(rows: pd.DataFrame, name: str) -> pd.Series:
    return pd.Series(
        rows["value"].to_numpy(dtype="float64"),
        index=pd.Index(rows["year"].to_numpy(dtype=int), name="year"),
        name=name,
    )


def series(
    province: str, indicator: str, *, data: Data = None, up_to: int | None = None
) -> pd.Series:
    """One province's values of one indicator by year, on today's (34-province) boundaries.

    Years before 2025 of a merged province are put together from its former provinces (counts
    summed, rates weighted by their denominator, as in the reports). ``attrs`` holds the
    ``indicator``, ``unit``, the data ``status`` of each year, and the ``aggregated`` years.

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
        Floats indexed by year, ready for ``bdg.project(s, 2030)`` or ``s.plot()``.

    Examples
    --------
    >>> s = bdg.series("Tuyên Quang", "M4.CT1")
    >>> s.attrs["status"][2025], bdg.project(s, 2030).value
    """
    place = _current_place(province)
    ind = _catalogue.get(indicator)
    rows = _series_rows(_context(data), place.name, ind.id, up_to)
    out = _to_series(rows, place.name)
    out.attrs = {
        "indicator": ind.id,
        "unit": ind.unit_vi,
        "province": place.name,
        "status": dict(zip(out.index.tolist(), rows["status"].astype(str).tolist(), strict=True)),
        "aggregated": [
            int(y) for y, a in zip(rows["year"], rows["aggregated"], strict=True) if bool(a)
        ],
    }
    return out


def _merged_place(province: str) -> geo.Province:
    """The current province a name denotes, former names allowed; the nation is refused."""
    place = _current_place(province, allow_former=True)
    if place.is_national:
        raise BdgInputError(
            Problem(
                "<argument>",
                None,
                "province",
                f"{province!r} is the whole country, not a merged province; "
                "latest() and small_multiples() show every province",
            )
        )
    return place


def _part_label(part: geo.Province, lang: str) -> str:
    """A former province's name marked as such ('Hà Giang (cũ)', 'Hà Giang (former)')."""
    if part.era == "former" and part.changed:
        return f"{part.name} ({'former' if lang == 'en' else 'cũ'})"
    return part.name


def _parts_frame(
    ctx: scorecard.Context, place: geo.Province, indicator_id: str, lang: str = "vi"
) -> dict[geo.Province, pd.Series]:
    """The recorded series of each former part of a current province (years before 2025)."""
    obs = ctx.observations
    rows = obs[
        (obs["indicator"] == indicator_id)
        & (obs["province"] == place.name)
        & (obs["year"] < geo.MERGER_YEAR)
        & obs["value"].notna()
    ]
    rows = _one_sex(rows)
    parts = geo.former_parts(place)
    out: dict[geo.Province, pd.Series] = {}
    for part in parts:
        mine = rows[rows["former"] == part.name] if part.changed else rows[rows["former"] == ""]
        out[part] = _to_series(mine.sort_values("year"), _part_label(part, lang))
    return out


def former_series(province: str, indicator: str, *, data: Data = None, lang: str = "vi") -> Table:
    """A merged province beside its former provinces: one column each, one row per year.

    The former provinces' columns hold their own recorded figures (years before 2025); the last
    column is the province on today's boundaries (put together before 2025, its own from 2025).
    The caption says how the parts were put together (weights and their source).

    Parameters
    ----------
    province
        A current province ('Tuyên Quang') or one of its former parts ('Hà Giang').
    indicator
        A catalogue id such as ``"M4.CT1"``.
    data
        A data file, files or observations frame; None for the embedded data.
    lang
        ``"vi"`` or ``"en"``, for the headers and caption.

    Examples
    --------
    >>> bdg.former_series("Tuyên Quang", "M4.CT1")        # Hà Giang, Tuyên Quang (cũ), merged
    """
    lang = _check_lang(lang)
    place = _merged_place(province)
    ind = _catalogue.get(indicator)
    ctx = _context(data)
    merged = _to_series(_series_rows(ctx, place.name, ind.id), place.name)
    if not geo.is_merged(place):
        caption = _with_demo_note(
            _w("not_merged", lang).format(name=place.name),
            _series_rows(ctx, place.name, ind.id)["status"],
            lang,
        )
        return table(merged.to_frame(), lang=lang, unit=ind.unit(lang), caption=caption)
    columns = {s.name: s for s in _parts_frame(ctx, place, ind.id, lang).values()}
    current_label = f"{place.name} ({_w('current', lang)})"
    columns[current_label] = merged
    wide = pd.DataFrame(columns)
    wide.index.name = "year"
    caption = f"{ind.id} {ind.short(lang)} ({ind.unit(lang)}). {geo.history_note(place, lang)}"
    rows = _series_rows(ctx, place.name, ind.id)
    method = _method_note(rows, lang)
    if method:
        caption = f"{caption} {ind.id}: {method}."
    parts = ctx.observations
    parts = parts[
        (parts["province"] == place.name) & (parts["indicator"] == ind.id) & parts["value"].notna()
    ]
    caption = _with_demo_note(caption, pd.concat([rows["status"], parts["status"]]), lang)
    return table(wide.sort_index(), lang=lang, unit=ind.unit(lang), caption=caption)


def _method_note(rows: pd.DataFrame, lang: str = "vi") -> str:
    """How the latest put-together year was made (weights, source), from its columns."""
    from bdg_analysis.dataset import boundaries

    agg = rows[rows["aggregated"].astype(bool)] if "aggregated" in rows else rows.iloc[0:0]
    if agg.empty:
        return ""
    return boundaries.method_note(agg.iloc[-1], lang)


# ---------------------------------------------------------------------------------------------
# One province, every target


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
        Columns ``id``, ``indicator``, ``unit``, ``latest``, ``latest_year``, ``data_status``,
        ``target_2025``, ``target_2030``, ``headline_year``, ``projection``, ``low``, ``high``,
        ``probability`` (0-1), ``status``, ``agency``, ``source``.

    Examples
    --------
    >>> st = bdg.status("Cao Bằng")
    >>> st[st["status"].isin(["off_track", "moving_away"])]
    """
    from bdg_analysis import report

    lang = _check_lang(lang)
    place = _current_place(province)
    ctx = _context(data)
    own = ctx.current[ctx.current["province"] == place.name]
    if own.empty:
        raise BdgInputError(Problem("<data>", None, "province", f"no data for {place.name}"))
    report_year = int(year) if year is not None else int(own["year"].max())
    the_plan = plans.load_plan(place.name)
    views = scorecard.province_scorecard(ctx, place.name, the_plan, report_year)
    rep = report.ProvinceReport(
        province=place,
        year=report_year,
        lang=lang,
        plan=the_plan,
        context=ctx,
        views=views,
        run_date="",
        data_files=sorted(ctx.observations["source_file"].unique()),
    )
    frame = pd.DataFrame(report.status_records(rep))
    frame["indicator"] = [the_plan.indicator(i).short(lang) for i in frame["id"]]
    for column in ("latest_year", "headline_year"):
        frame[column] = frame[column].astype("Int64")
    caption = _with_demo_note(
        f"{place.name}, {report_year}: {the_plan.title(lang)}",
        frame["data_status"] if "data_status" in frame else [],
        lang,
    )
    return table(frame, lang=lang, caption=caption)


# ---------------------------------------------------------------------------------------------
# One indicator, every province


def _indicator_year(
    ctx: scorecard.Context, ind: _catalogue.Indicator, year: int | None
) -> tuple[pd.DataFrame, int]:
    """Current-boundary rows of one indicator up to ``year`` (default: latest provincial year)."""
    cur = ctx.current
    rows = _one_sex(cur[cur["indicator"] == ind.id])
    provincial = rows[rows["province_code"] != geo.NATIONAL_CODE]
    last = (
        int(provincial["year"].max())
        if len(provincial)
        else (int(rows["year"].max()) if len(rows) else None)
    )
    if year is None:
        if last is None:
            raise BdgInputError(
                Problem("<data>", None, "indicator", f"no values of {ind.id} in the data")
            )
        year = last
    return rows[rows["year"] <= int(year)], int(year)


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
    lang = _check_lang(lang)
    ind = _catalogue.get(indicator)
    ctx = _context(data)
    rows, year = _indicator_year(ctx, ind, year)
    frame = _latest_frame(rows, ind)
    caption = _w("latest_caption", lang).format(
        id=ind.id,
        name=ind.short(lang),
        year=year,
        direction=DIRECTION_WORDS[ind.direction][1 if lang == "en" else 0],
    )
    caption = _with_demo_note(caption, frame["status"], lang)
    return table(frame, lang=lang, unit=ind.unit(lang), caption=caption)


def _latest_frame(rows: pd.DataFrame, ind: _catalogue.Indicator) -> pd.DataFrame:
    national = rows[rows["province_code"] == geo.NATIONAL_CODE].set_index("year")["value"]
    prov = rows[rows["province_code"] != geo.NATIONAL_CODE].sort_values("year")
    last = prov.groupby("province", sort=False).tail(1).set_index("province")
    records = []
    for p in geo.current_provinces():
        parts = geo.former_parts(p)
        merged_from = ", ".join(x.name for x in parts) if len(parts) > 1 else ""
        if p.name in last.index:
            r = last.loc[p.name]
            y = int(r["year"])
            nat = float(national.get(y, np.nan))
            records.append(
                {
                    "province": p.name,
                    "value": float(r["value"]),
                    "year": y,
                    "status": str(r["status"]),
                    "national": nat,
                    "gap": float(r["value"]) - nat,
                    "merged_from": merged_from,
                }
            )
        else:
            records.append(
                {
                    "province": p.name,
                    "value": np.nan,
                    "year": None,
                    "status": "",
                    "national": np.nan,
                    "gap": np.nan,
                    "merged_from": merged_from,
                }
            )
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
        ``latest_year``, ``latest_value``, ``change``, ``slope`` (per year), ``improvement``
        (per year, positive = better), ``n_points``. ``.head(5)`` are the fastest movers,
        ``.tail(5)`` the slowest (provinces with fewer than two values come last).

    Examples
    --------
    >>> m = bdg.movers("M2.CT1", since=2020)
    >>> m.head(5), m.tail(5)
    """
    lang = _check_lang(lang)
    ind = _catalogue.get(indicator)
    ctx = _context(data)
    rows, year = _indicator_year(ctx, ind, year)
    since = progress.BASE_YEAR if since is None else int(since)
    if since >= year:
        raise BdgInputError(
            Problem("<argument>", None, "since", f"{since} is not before the last year {year}")
        )
    rows = rows[rows["year"] >= since]
    sign = 1.0 if ind.direction == "higher" else -1.0
    records = []
    for p in geo.current_provinces():
        mine = rows[rows["province"] == p.name].sort_values("year")
        summ = trends.summary(_to_series(mine, p.name))
        first, last_value = summ["first_value"], summ["latest_value"]
        records.append(
            {
                "province": p.name,
                "first_year": summ["first_year"],
                "first_value": first,
                "latest_year": summ["latest_year"],
                "latest_value": last_value,
                "change": last_value - first if summ["n_points"] >= 2 else np.nan,
                "slope": summ["slope"],
                "improvement": sign * summ["slope"],
                "n_points": summ["n_points"],
            }
        )
    frame = pd.DataFrame(records)
    for column in ("first_year", "latest_year"):
        frame[column] = frame[column].astype("Int64")
    frame.insert(
        0, "rank", frame["improvement"].rank(method="min", ascending=False).astype("Int64")
    )
    frame = frame.sort_values(["rank", "province"], na_position="last", kind="stable")
    caption = _w("movers_caption", lang).format(
        id=ind.id,
        name=ind.short(lang),
        since=since,
        year=year,
        unit=ind.unit(lang),
        direction=DIRECTION_WORDS[ind.direction][1 if lang == "en" else 0],
    )
    provincial = rows[rows["province_code"] != geo.NATIONAL_CODE]
    caption = _with_demo_note(caption, provincial.loc[provincial["value"].notna(), "status"], lang)
    out = table(frame.reset_index(drop=True), lang=lang, unit=ind.unit(lang), caption=caption)
    out.attrs["decimals_from"] = {"change": ["first_value", "latest_value"]}  # 107,3 - 111,6
    return out


# ---------------------------------------------------------------------------------------------
# Charts (drawn by bdg_analysis.charts; shown in a notebook as PNG)


def _figure_png(fig) -> bytes:
    """A figure as PNG for the notebook, closed afterwards so pyplot does not pile them up."""
    import matplotlib.pyplot as plt

    buffer = _io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _show_figures_in_notebooks() -> None:
    """In a notebook: show a returned Figure as an image, and give pyplot back to the notebook.

    ``charts`` draws with the Agg backend (reports need no screen), which on its own shows a
    returned figure as '<Figure size ...>' and stops the user's own ``s.plot()`` from showing;
    in a Jupyter kernel the kernel's inline backend is put back and figures render as PNG.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    import matplotlib
    from matplotlib.figure import Figure

    inline = os.environ.get("MPLBACKEND", "")
    backend = matplotlib.get_backend().lower()
    if inline.startswith("module://matplotlib_inline") and backend == "agg":
        shell.enable_matplotlib("inline")  # what %matplotlib inline does
    shell.display_formatter.formatters["image/png"].for_type(Figure, _figure_png)


def _flagged_years(rows: pd.DataFrame) -> list[int]:
    return [int(y) for y in rows.loc[rows["status"].isin(scorecard.FLAGGED_STATUSES), "year"]]


def chart(province: str, indicator: str, *, data: Data = None, lang: str = "vi") -> Figure:
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
    lang = _check_lang(lang)
    place = _current_place(province)
    ind = _catalogue.get(indicator)
    ctx = _context(data)
    rows = _series_rows(ctx, place.name, ind.id)
    national = None
    if not place.is_national:
        national = _to_series(_series_rows(ctx, geo.NATIONAL_NAME, ind.id), geo.NATIONAL_NAME)
    targets = plans.load_plan(place.name).targets_for(ind.id)
    _show_figures_in_notebooks()
    title = f"{place.name}: {ind.short(lang)}"
    if quality.demo_note(rows["status"], lang):  # one line: the report's chart has room for one
        title = f"{title} {_w('demo_short', lang)}"
    return charts.trend_chart(
        _to_series(rows, place.name),
        title=title,
        unit=ind.unit(lang),
        targets=targets,
        national=national,
        estimated_years=_flagged_years(rows),
        lang=lang,
    )


def former_chart(province: str, indicator: str, *, data: Data = None, lang: str = "vi") -> Figure:
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
    lang = _check_lang(lang)
    place = _merged_place(province)
    ind = _catalogue.get(indicator)
    ctx = _context(data)
    rows = _series_rows(ctx, place.name, ind.id)
    parts = _parts_frame(ctx, place, ind.id, lang) if geo.is_merged(place) else {}
    national = _to_series(_series_rows(ctx, geo.NATIONAL_NAME, ind.id), geo.NATIONAL_NAME)
    _show_figures_in_notebooks()
    recorded = ctx.observations
    recorded = recorded[
        (recorded["province"] == place.name)
        & (recorded["indicator"] == ind.id)
        & recorded["value"].notna()
    ]
    title = _with_demo_tag(
        f"{place.name}: {ind.short(lang)}", pd.concat([rows["status"], recorded["status"]]), lang
    )
    return charts.parts_chart(
        {s.name: s for s in parts.values()},
        _to_series(rows, place.name),
        title=title,
        unit=ind.unit(lang),
        national=national,
        flagged_years=_flagged_years(rows),
        merger_year=geo.MERGER_YEAR,
        lang=lang,
    )


def distribution(
    indicator: str, year: int | None = None, *, data: Data = None, lang: str = "vi"
) -> Figure:
    """How the provinces' latest values spread: one dot each, the box of the middle half,
    the national value and the national targets.

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
    lang = _check_lang(lang)
    ind = _catalogue.get(indicator)
    ctx = _context(data)
    rows, year = _indicator_year(ctx, ind, year)
    frame = _latest_frame(rows, ind)
    values = frame.set_index("province")["value"].dropna()
    nat_rows = rows[(rows["province_code"] == geo.NATIONAL_CODE) & (rows["year"] == year)]
    national = float(nat_rows["value"].iloc[-1]) if len(nat_rows) else None
    targets = [t for t in ind.national_targets if t.year >= year] or list(ind.national_targets)
    _show_figures_in_notebooks()
    title = _with_demo_tag(f"{ind.id} {ind.short(lang)}, {year}", frame["status"], lang)
    return charts.distribution_chart(
        values,
        title=title,
        unit=ind.unit(lang),
        national=national,
        targets=targets[:2],
        direction=ind.direction,
        lang=lang,
    )


def small_multiples(
    indicator: str, year: int | None = None, *, data: Data = None, lang: str = "vi"
) -> Figure:
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
    lang = _check_lang(lang)
    ind = _catalogue.get(indicator)
    ctx = _context(data)
    rows, year = _indicator_year(ctx, ind, year)
    national = _to_series(
        rows[rows["province_code"] == geo.NATIONAL_CODE].sort_values("year"), geo.NATIONAL_NAME
    )
    panels = []
    for p in geo.current_provinces():
        mine = rows[rows["province"] == p.name].sort_values("year")
        parts = {}
        if geo.is_merged(p):
            parts = {s.name: s[s.index <= year] for s in _parts_frame(ctx, p, ind.id).values()}
        panels.append(
            charts.Panel(
                title=p.name,
                series=_to_series(mine, p.name),
                flagged_years=_flagged_years(mine),
                parts=parts,
            )
        )
    title = _w("small_title", lang).format(id=ind.id, name=ind.short(lang), unit=ind.unit(lang))
    shown = ctx.observations
    shown = shown[(shown["indicator"] == ind.id) & (shown["year"] <= year) & shown["value"].notna()]
    title = _with_demo_tag(
        title, pd.concat([rows.loc[rows["value"].notna(), "status"], shown["status"]]), lang
    )
    _show_figures_in_notebooks()
    return charts.small_multiples(
        panels, title=title, national=national, merger_year=geo.MERGER_YEAR, lang=lang
    )


def outlier_chart(
    outliers: pd.DataFrame, *, data: Data = None, lang: str = "vi", max_panels: int = 12
) -> Figure:
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
    lang = _check_lang(lang)
    ctx = _context(data)
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
                obs = ctx.observations
                rows = obs[
                    (obs["province"] == key["province"])
                    & (obs["former"] == key["former"])
                    & (obs["indicator"] == ind.id)
                    & obs["value"].notna()
                ]
                rows = _one_sex(rows).sort_values("year")
                name = key["former"] or key["province"]
            else:
                rows = _series_rows(ctx, key["province"], ind.id)
                name = key["province"]
            statuses.append(rows["status"])
            panels.append(
                charts.Panel(
                    title=textwrap.fill(f"{name} · {ind.id} ({ind.unit(lang)})", width=34),
                    series=_to_series(rows, name),
                    flagged_years=_flagged_years(rows),
                    marked_years=[int(y) for y in group["year"]],
                )
            )
    _show_figures_in_notebooks()
    title = _with_demo_tag(_w("outlier_title", lang), pd.concat(statuses) if statuses else [], lang)
    return charts.small_multiples(
        panels, title=title, sharey=False, ncols=4, merger_year=None, lang=lang
    )


_show_figures_in_notebooks()
