"""Report charts: no label on a line or on another label, a missing year breaks the line, demo
values hollow, Vietnamese diacritics drawn (checked on real and on crafted worst-case charts)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from bdg_analysis import charts, report
from bdg_analysis.targets import Target
from bdg_analysis.text import label

REAL = ("M2.CT3", "M3.CT1", "M4.CT1")


def _hidden(style) -> bool:
    return style in (None, "None", "none", "", " ")


def collisions(fig) -> list[tuple[str, str, str]]:
    """Every (what, line or text, text) where a text's box meets a drawn line, a marker or
    another text, measured after a full draw in display coordinates."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    boxes = [(t, t.get_window_extent(renderer)) for t in texts]
    found = []
    for ax in fig.axes:
        clip = ax.get_window_extent(renderer)  # lines are drawn inside the axes only
        for line in ax.lines:
            xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
            name = str(line.get_gid() or line.get_label())
            half = line.get_markersize() * fig.dpi / 72 / 2
            for text, whole in boxes:
                box = Bbox.intersection(whole, clip)
                if box is None:
                    continue
                if not _hidden(line.get_linestyle()):
                    for a, b in zip(xy[:-1], xy[1:], strict=True):
                        finite = np.isfinite(a).all() and np.isfinite(b).all()
                        if finite and MplPath([a, b]).intersects_bbox(box, filled=False):
                            found.append(("line", name, text.get_text()))
                if not _hidden(line.get_marker()):
                    for x, y in xy[np.isfinite(xy).all(axis=1)]:
                        if box.x0 < x + half and x - half < box.x1:
                            if box.y0 < y + half and y - half < box.y1:
                                found.append(("marker", name, text.get_text()))
        for coll in ax.collections:
            for seg in getattr(coll, "get_segments", list)():
                xy = coll.get_transform().transform(np.asarray(seg, dtype=float))
                for text, box in boxes:
                    if MplPath(xy).intersects_bbox(box, filled=False):
                        found.append(("range", "vlines", text.get_text()))
    page = fig.bbox
    for text, box in boxes:  # every text is on the image, none cut at its edge
        if box.x0 < page.x0 - 0.5 or box.x1 > page.x1 + 0.5 or box.y0 < page.y0 - 0.5:
            found.append(("outside", "figure", text.get_text()))
        if box.y1 > page.y1 + 0.5:
            found.append(("outside", "figure", text.get_text()))
    for i, (text, box) in enumerate(boxes):
        for other, other_box in boxes[i + 1 :]:
            if box.overlaps(other_box):
                found.append(("text", other.get_text(), text.get_text()))
    return sorted(set(found))


def labels_of(fig, gid: str) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_gid() == gid]


# ------------------------------------------------------------------ real charts


@pytest.fixture(scope="module")
def lang_son():
    return {
        lang: report.prepare("Lạng Sơn", lang=lang, run_date="2026-11-30") for lang in ("vi", "en")
    }


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_real_charts_have_no_label_on_a_line_or_a_label(lang_son, lang):
    rep = lang_son[lang]
    views = [v for v in rep.views if len(v.series)]
    assert {v.id for v in views} >= set(REAL)
    for view in views if lang == "vi" else [v for v in views if v.id in REAL]:
        fig = report.chart_figure(rep, view)
        assert len(labels_of(fig, "target-label")) == len(view.targets)
        assert collisions(fig) == [], view.id


def test_the_rank_strip_writes_ranks_off_the_ticks(lang_son):
    rows = [("M1.CT1 x", 1, 32), ("M2.CT1 y", 28, 34), ("M4.CT2 z", 33, 34), ("M5 w", None, 0)]
    rows += [(f"M6.CT{i}", i, i + 2) for i in range(1, 8)]
    fig = charts.rank_strip(rows, province="Lạng Sơn")
    assert len(labels_of(fig, "rank-label")) == 10
    assert collisions(fig) == []


# ------------------------------------------------------------------ crafted worst cases

YEARS = list(range(2015, 2026))


def _band(last_year: int, last: float, to: float, spread: float) -> pd.DataFrame:
    years = list(range(last_year, 2031))
    values = np.linspace(last, to, len(years))
    widths = np.linspace(0, spread, len(years))
    return pd.DataFrame(
        {"year": years, "value": values, "low": values - widths, "high": values + widths}
    )


WORST = {
    # the national line and the province's line both pass through the 2025 target
    "through the target": dict(
        series=pd.Series(np.linspace(20, 30, 11), index=YEARS),
        national=pd.Series(np.linspace(40, 30, 11), index=YEARS),
        targets=[Target("X", 2025, "ge", 30.0), Target("X", 2030, "ge", 30.0)],
        band=_band(2025, 30, 30, 4),
    ),
    # targets a year apart with the same value, under a flat series at the same level
    "crowded targets": dict(
        series=pd.Series([50.0] * 11, index=YEARS),
        national=pd.Series([50.5] * 11, index=YEARS),
        targets=[Target("X", y, "ge", 50.0) for y in (2025, 2026, 2027, 2030)],
        band=_band(2025, 50, 50, 1),
    ),
    # a two-sided target drawn as a range, negative values, a long label
    "range and negatives": dict(
        series=pd.Series(np.sin(np.arange(11)) * 5 - 2, index=YEARS),
        national=pd.Series(np.cos(np.arange(11)) * 5 - 2, index=YEARS),
        targets=[Target("X", 2025, "between", -3.0, 3.0), Target("X", 2030, "between", -1.0, 1.0)],
        band=_band(2025, np.sin(10) * 5 - 2, 0, 6),
    ),
    # the target at the top of everything, the series zigzagging over the whole range
    "zigzag to the edges": dict(
        series=pd.Series([0.0, 100.0] * 5 + [0.0], index=YEARS),
        national=pd.Series([100.0, 0.0] * 5 + [100.0], index=YEARS),
        targets=[Target("X", 2025, "ge", 100.0), Target("X", 2025, "le", 0.0)],
        band=None,
    ),
    # gaps, a single value, no national line
    "gaps and one value": dict(
        series=pd.Series([10.0, 12.0, 30.0], index=[2015, 2019, 2025]),
        national=None,
        targets=[Target("X", 2025, "ge", 30.0), Target("X", 2030, "ge", 40.0)],
        band=None,
    ),
    "no series, targets only": dict(
        series=pd.Series([], dtype=float),
        national=pd.Series([5.0, 6.0], index=[2024, 2025]),
        targets=[Target("X", 2025, "le", 6.0), Target("X", 2030, "le", 5.0)],
        band=None,
    ),
}


@pytest.mark.parametrize("case", sorted(WORST))
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_worst_cases_have_no_label_on_a_line_or_a_label(case, lang):
    spec = WORST[case]
    fig = charts.trend_chart(
        spec["series"],
        title="Tỷ lệ nữ đại biểu Hội đồng nhân dân các cấp",
        unit="%",
        targets=spec["targets"],
        national=spec["national"],
        estimated_years=[2016, 2024],
        band=spec["band"],
        lang=lang,
    )
    assert len(labels_of(fig, "target-label")) == len(spec["targets"])
    assert collisions(fig) == []


# ------------------------------------------------------------------ lines and points


def _line(fig, gid: str):
    found = [ln for ln in fig.axes[0].lines if ln.get_gid() == gid]
    assert len(found) == 1, gid
    return found[0]


def test_a_missing_year_breaks_the_line_and_the_legend_names_the_dotted_link():
    series = pd.Series([10.0, 11.0, 14.0, 15.0], index=[2015, 2016, 2019, 2020])
    national = pd.Series([20.0, 21.0, 22.0], index=[2015, 2017, 2018])
    fig = charts.trend_chart(series, title="T", unit="%", targets=[], national=national, lang="vi")
    solid = _line(fig, "series")
    xs, ys = (np.asarray(a, dtype=float) for a in solid.get_data())
    assert xs.tolist() == list(range(2015, 2021))
    # the solid line holds no value for 2017 and 2018: no piece of it spans them
    assert np.isnan(ys[2:4]).all() and np.isfinite(ys[[0, 1, 4, 5]]).all()
    link = _line(fig, "series-gap")
    lx, ly = (np.asarray(a, dtype=float) for a in link.get_data())
    assert lx[:2].tolist() == [2016, 2019] and ly[:2].tolist() == [11.0, 14.0]
    offset, dashes = link._unscaled_dash_pattern
    assert dashes is not None and dashes[0] < dashes[1]  # dots: short marks, longer spaces
    legend = fig.legends[0]
    assert label("chart_gap", "vi") in [t.get_text() for t in legend.get_texts()]
    nat = _line(fig, "national")
    nx, ny = (np.asarray(a, dtype=float) for a in nat.get_data())
    assert nx.tolist() == [2015, 2016, 2017, 2018] and np.isnan(ny[1])


def test_without_a_gap_there_is_no_link_and_no_legend_entry():
    series = pd.Series([10.0, 11.0, 12.0], index=[2020, 2021, 2022])
    fig = charts.trend_chart(series, title="T", unit="%", targets=[], lang="en")
    assert not [ln for ln in fig.axes[0].lines if ln.get_gid() == "series-gap"]
    assert label("chart_gap", "en") not in [t.get_text() for t in fig.legends[0].get_texts()]


def test_demonstration_and_estimated_values_stay_hollow():
    series = pd.Series([1.0, 2.0, 3.0, 4.0], index=[2020, 2021, 2022, 2023])
    fig = charts.trend_chart(
        series, title="T", unit="%", targets=[], estimated_years=[2021, 2023], lang="vi"
    )
    hollow, solid = _line(fig, "series-hollow"), _line(fig, "series-points")
    assert list(hollow.get_xdata()) == [2021, 2023] and hollow.get_markerfacecolor() == "white"
    assert list(solid.get_xdata()) == [2020, 2022]
    assert solid.get_markerfacecolor() == charts.COLOURS["series"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert label("chart_flagged", "vi") in legend  # the legend says what a hollow point is
    plain = charts.trend_chart(series, title="T", unit="%", targets=[], lang="vi")
    assert label("chart_flagged", "vi") not in [t.get_text() for t in plain.legends[0].get_texts()]


def test_vietnamese_diacritics_are_drawn_with_dejavu_sans():
    from matplotlib.font_manager import FontProperties, findfont

    assert "DejaVuSans" in findfont(FontProperties(family="DejaVu Sans")).replace(" ", "")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would raise
        fig = charts.trend_chart(
            pd.Series([1.0, 2.0], index=[2024, 2025]),
            title="Tỷ lệ nữ đại biểu Hội đồng nhân dân; Nạn nhân bạo lực giới được hỗ trợ",
            unit="bé trai/100 bé gái",
            targets=[Target("X", 2030, "le", 1.0)],
            lang="vi",
        )
        fig.canvas.draw()
    texts = [t.get_text() for t in fig.findobj(Text)]
    assert any("Hội đồng" in t for t in texts)
