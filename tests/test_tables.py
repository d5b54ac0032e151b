"""Notebook tables: headers, units, number formats, status colours, long and wide display."""

import math

import numpy as np
import pandas as pd
import pytest

from bdg_analysis import tables, text
from bdg_analysis.errors import BdgInputError


def _cells(frame: pd.DataFrame, lang: str = "vi", **attrs) -> pd.DataFrame:
    """The cells and headers as a reader sees them."""
    table = tables.table(frame, lang=lang)
    table.attrs.update(attrs)
    return table.styled().data


def test_a_column_of_values_is_shown_at_one_precision():
    frame = pd.DataFrame({"value": [105.8, 108.0, 112.0], "change": [-1.04, -0.6, 2.0]})
    html_text = tables.table(frame)._repr_html_()
    for shown in ("105,8", "108,0", "112,0", "-1,04", "-0,60", "+2,00"):
        assert f">{shown}<" in html_text, shown
    counts = tables.table(pd.DataFrame({"value": [2.0, 3.0]}))._repr_html_()
    assert ">2<" in counts and ">3<" in counts  # whole numbers stay whole


def test_a_column_can_take_the_precision_of_others():
    frame = pd.DataFrame({"first_value": [107.3], "value": [111.3], "change": [4.0]})
    assert _cells(frame)["Thay đổi"].tolist() == ["+4"]  # on its own: a whole number
    shown = _cells(frame, decimals_from={"change": ["first_value", "value"]})
    assert shown["Thay đổi"].tolist() == ["+4,0"]  # as precise as the values it is made of


def test_numbers_years_shares_and_missing_in_each_language():
    frame = pd.DataFrame(
        {
            "year": [2024, 2025],
            "source_row": [1234, 5],
            "value": [1234.5, float("nan")],
            "probability": [0.183, None],
            "gap": [1.5, -2.0],
        }
    )
    vi = _cells(frame)
    assert vi["Năm"].tolist() == ["2024", "2025"]  # a year is never 2.024
    assert vi["Dòng"].tolist() == ["1234", "5"]
    assert vi["Giá trị"].tolist() == ["1.234,5", "–"]
    assert vi["Khả năng đạt"].tolist() == ["18%", "–"]
    assert vi["Chênh lệch với toàn quốc"].tolist() == ["+1,5", "-2,0"]
    en = _cells(frame, "en")
    assert en["Value"].tolist() == ["1,234.5", "–"] and en["Chance of meeting"][0] == "18%"
    infinite = _cells(pd.DataFrame({"z": [math.inf, -math.inf]}))
    assert infinite.iloc[:, 0].tolist() == ["∞", "-∞"]


def test_headers_name_the_unit_and_can_show_a_plain_column_under_another_name():
    frame = pd.DataFrame({"year": [2025], "value": [110.3], "province": ["Lạng Sơn"]})
    shown = _cells(frame, unit="%", headers={"value": "latest_value", "year": "latest_year"})
    assert list(shown.columns) == ["Năm mới nhất", "Giá trị cuối (%)", "Tỉnh, thành phố"]
    assert list(_cells(frame, "en", unit="%").columns) == ["Year", "Value (%)", "Province"]
    assert list(_cells(pd.DataFrame({"something": [1]})).columns) == ["something"]


def test_statuses_are_words_with_colours_and_symbols():
    frame = pd.DataFrame(
        {"status": ["provisional", "demo", ""], "target": ["on_track", "off_track", None]}
    )
    frame = frame.rename(columns={"target": "goal_status"})
    html = tables.table(frame).styled().to_html()
    assert "sơ bộ" in html and tables.DATA_STATUS_COLOURS["provisional"] in html
    assert "Loại số liệu" in html  # a column of data statuses is headed as such
    for key in ("on_track", "off_track"):
        assert f"{text.STATUS_SYMBOLS[key]} {text.status_word(key)}" in html


def test_kinds_directions_and_booleans_are_words_but_stay_keys():
    frame = pd.DataFrame(
        {"kind": ["share", "odd"], "direction": ["lower", "higher"], "aggregated": [True, False]}
    )
    shown = _cells(frame)
    assert shown["Loại"].tolist() == ["tỷ lệ", "odd"]  # an unknown key is shown as it is
    assert shown["Chiều tốt"].tolist() == ["thấp hơn là tốt hơn", "cao hơn là tốt hơn"]
    assert shown["Gộp từ tỉnh cũ?"].tolist() == ["có", "không"]
    assert _cells(frame, "en")["Put together?"].tolist() == ["yes", "no"]
    assert tables.kind_word("ratio", "en") == "ratio" and tables.direction_word("x") == "x"


def test_z_is_shown_above_its_threshold():
    assert tables.z_decimals(35.07, 3.5) == 1
    assert tables.z_decimals(3.52, 3.5) == 2
    assert tables.z_decimals(-3.5004, 3.5) == 4
    shown = _cells(pd.DataFrame({"z": [3.52, -40.0]}), threshold=3.5)
    assert shown.iloc[:, 0].tolist() == ["3,52", "-40,0"]


def test_a_long_table_with_pivot_attrs_is_shown_wide():
    long = pd.DataFrame(
        {
            "series": ["B", "B", "A"],
            "year": [2021, 2020, 2020],
            "value": [2.5, 1.0, 3.0],
        }
    )
    shown = _cells(long, pivot={"index": "year", "columns": "series", "values": "value"})
    assert list(shown.columns) == ["B", "A"]  # in the order they come, not sorted
    assert shown.index.tolist() == ["2020", "2021"] and shown.index.name == "Năm"
    assert shown.loc["2021", "A"] == "–" and shown.loc["2020", "B"] == "1,0"
    pivot = {"index": "year", "columns": "series", "values": "value"}
    plain = _cells(long.drop(columns="series"), pivot=pivot)
    assert "Năm" in plain.columns  # without the columns it needs, shown long


def test_long_and_empty_tables_say_so():
    frame = pd.DataFrame({"value": np.arange(100, dtype="float64")})
    html = tables.table(frame)._repr_html_()
    assert "100 dòng; hiển thị 5 dòng đầu và 5 dòng cuối" in html
    assert html.count("<tr") == 1 + 5 + 1 + 5
    empty = tables.table(pd.DataFrame({"province": []}), caption="Xung đột", lang="en")
    assert "Xung đột (no rows)" in empty._repr_html_()


def test_a_filtered_table_is_still_a_table_and_the_language_is_checked():
    table = tables.table(pd.DataFrame({"value": [1.0, 2.0]}), unit="%", caption="c")
    assert isinstance(table[table["value"] > 1], tables.Table)
    assert table.head(1).attrs["unit"] == "%"
    with pytest.raises(BdgInputError, match="lang"):
        tables.table(table, lang="fr")
    with pytest.raises(BdgInputError, match="lang"):
        table.styled(lang="de")
