"""Charts: figures on their own Agg canvas (no pyplot, no global backend); exploration charts."""

import base64
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

import bdg_analysis as bdg
from bdg_analysis import charts, plans, text
from bdg_analysis.targets import Target

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "fixtures" / "explore_small.csv"


def _texts(fig: Figure) -> list[str]:
    """Every string drawn: figure texts, titles, axis texts, legend entries."""
    out = [t.get_text() for t in fig.texts]
    if fig._suptitle is not None:
        out.append(fig._suptitle.get_text())
    for ax in fig.axes:
        out += [ax.get_title(loc=loc) for loc in ("left", "center", "right")]
        out += [t.get_text() for t in ax.texts]
        if ax.get_legend() is not None:
            out += [t.get_text() for t in ax.get_legend().get_texts()]
    for legend in fig.legends:
        out += [t.get_text() for t in legend.get_texts()]
    return out


def _series(values: dict[int, float], name: str = "x") -> pd.Series:
    return pd.Series(list(values.values()), index=list(values), name=name, dtype="float64")


# ------------------------------------------------------------------ no pyplot, no backend


def test_drawing_never_touches_pyplot_or_the_backend():
    """A report (or a notebook) imports charts and draws every kind of chart: the backend the
    process chose stays, and pyplot is never imported (so nothing is kept or shown twice)."""
    code = """
import sys, matplotlib
import pandas as pd
from bdg_analysis import charts, text
s = pd.Series([1.0, 2.0, 1.5], index=[2020, 2021, 2022], name="A")
figs = [
    charts.trend_chart(s, title="t", unit="%", targets=[]),
    charts.rank_strip([("a", 1, 3)], province="P"),
    charts.status_grid(pd.DataFrame([["achieved"]]), symbols=text.STATUS_SYMBOLS, title="g"),
    charts.small_multiples([charts.Panel(title="p", series=s)], title="t"),
    charts.distribution_chart(s, title="d", unit="%"),
    charts.parts_chart({"B": s}, s, title="p", unit="%"),
    charts.coverage_chart(pd.DataFrame({"a": [0.5]}), title="c"),
]
for fig in figs:
    charts.to_png_base64(fig)
assert matplotlib.get_backend() == "svg", matplotlib.get_backend()
assert "matplotlib.pyplot" not in sys.modules
print(len(figs))
"""
    env = {**os.environ, "MPLBACKEND": "svg"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "7"


def test_a_chart_is_a_figure_that_shows_itself_as_png():
    fig = charts.distribution_chart(_series({2020: 1.0}), title="d", unit="%")
    assert isinstance(fig, charts.ChartFigure) and isinstance(fig, Figure)
    png = fig._repr_png_()
    assert png[:4] == b"\x89PNG" and png == charts.png_bytes(fig)
    assert base64.b64decode(charts.to_png_base64(fig)) == png


def test_report_charts_give_the_same_bytes_for_the_same_input():
    """Reports compare byte for byte: two drawings of one chart are the same PNG."""
    s = _series({2019: 110.0, 2020: 111.5, 2021: 112.0})
    targets = plans.load_plan("Lạng Sơn").targets_for("M4.CT1")
    grid = pd.DataFrame([["achieved", "off_track"]], index=["P"], columns=["M1", "M2"])
    for draw in (
        lambda: charts.trend_chart(s, title="t", unit="u", targets=targets, national=s + 1),
        lambda: charts.rank_strip([("a", 3, 34), ("b", None, 34)], province="P"),
        lambda: charts.status_grid(grid, symbols=text.STATUS_SYMBOLS, title="g"),
    ):
        assert charts.to_png_base64(draw()) == charts.to_png_base64(draw())


# ------------------------------------------------------------------ exploration charts


def test_small_multiples_draw_each_panel_and_say_what_the_marks_mean():
    a = _series({2020: 1.0, 2021: 2.0, 2022: 9.0}, "A")
    part = _series({2020: 1.5, 2021: 2.5}, "A (cũ)")
    panels = [
        charts.Panel(title="A", series=a, flagged_years=[2022], parts={"A (cũ)": part}),
        charts.Panel(title="B", series=_series({}), marked_years=[2021]),
    ]
    fig = charts.small_multiples(panels, title="Title", national=a, ncols=2, lang="en")
    drawn = _texts(fig)
    assert "Title" in drawn and "no data" in drawn  # B has no values
    for legend in ("current boundaries", "demo, provisional or estimated", "former provinces"):
        assert any(legend in t for t in drawn), legend
    assert "flagged value" not in drawn  # no marked year has a value to ring
    vi = _texts(charts.small_multiples(panels, title="T", lang="vi"))
    assert "địa giới hiện nay" in vi and "không có số liệu" in vi
    empty = charts.small_multiples([], title="T", lang="en")
    assert "No series to draw" in _texts(empty)


def test_distribution_names_the_extremes_the_nation_and_the_targets():
    values = pd.Series({"P1": 105.0, "P2": 110.0, "P3": 118.0})
    target = Target(indicator="M4.CT1", year=2030, op="le", value=109.0)
    fig = charts.distribution_chart(
        values, title="D", unit="u", national=111.2, targets=[target], direction="lower"
    )
    drawn = _texts(fig)
    assert {"P1", "P3"} <= set(drawn) and "P2" not in drawn
    assert "Toàn quốc: 111,2" in drawn and "2030: ≤ 109" in drawn
    assert fig.axes[0].get_xlabel() == "u    (← tốt hơn)"
    nothing = charts.distribution_chart(pd.Series(dtype="float64"), title="D", unit="u")
    assert "không có số liệu" in _texts(nothing)


def test_parts_chart_marks_the_merger_and_the_current_series():
    merged = _series({2023: 1.0, 2024: 2.0, 2025: 3.0}, "Tuyên Quang")
    parts = {"Hà Giang (former)": _series({2023: 1.2, 2024: 2.2})}
    drawn = _texts(charts.parts_chart(parts, merged, title="T", unit="u", lang="en"))
    assert "Tuyên Quang (current boundaries)" in drawn and "merger 1 July 2025" in drawn
    alone = _texts(charts.parts_chart({}, merged, title="T", unit="u"))
    assert "Tuyên Quang" in alone and "sáp nhập 1/7/2025" not in alone


def test_coverage_chart_writes_each_share_as_a_percentage():
    matrix = pd.DataFrame({"M1": [0.5, None], "M2": [1.0, 0.123]}, index=["A", "B"])
    drawn = _texts(charts.coverage_chart(matrix, title="C"))
    assert ["50", "100", "–", "12"] == [t for t in drawn if t not in ("C", "")]


# ------------------------------------------------------------------ the notebook API's charts


@pytest.mark.parametrize(
    ("draw", "demo"),
    [
        (lambda: bdg.chart("Cao Bằng", "M4.CT1", data=SMALL), "(số liệu minh họa)"),
        (lambda: bdg.former_chart("Cao Bằng", "M4.CT1", data=SMALL), "có số liệu minh họa"),
        (lambda: bdg.distribution("M4.CT1", data=SMALL), "có số liệu minh họa"),
        (lambda: bdg.small_multiples("M4.CT1", data=SMALL), "có số liệu minh họa"),
    ],
)
def test_the_notebook_charts_are_figures_whose_titles_say_demo(draw, demo):
    fig = draw()
    assert isinstance(fig, charts.ChartFigure)
    assert any(demo in t for t in _texts(fig))


def test_charts_of_real_figures_do_not_say_demo():
    real = bdg.load(SMALL)
    real = real[real["status"] != "demo"]
    for fig in (
        bdg.chart("Lạng Sơn", "M4.CT1", data=real),
        bdg.former_chart("Tuyên Quang", "M4.CT1", data=real),
        bdg.distribution("M4.CT1", data=real),
        bdg.small_multiples("M4.CT1", data=real),
    ):
        assert isinstance(fig, charts.ChartFigure)
        assert not [t for t in _texts(fig) if "số liệu minh họa" in t]


def test_the_outlier_chart_rings_the_flagged_years_and_says_demo_only_of_demo():
    from bdg_analysis import quality

    obs = quality.read(SMALL).observations  # Cao Bằng's wage-employment spike is official
    fig = bdg.outlier_chart(quality.outliers(obs), data=obs, lang="en")
    assert isinstance(fig, charts.ChartFigure)
    drawn = _texts(fig)
    assert "Cao Bằng · M2.CT1 (%)" in drawn and "flagged value" in drawn
    assert not [t for t in drawn if "demonstration" in t]
    demo = obs.assign(status="demo")
    drawn = _texts(bdg.outlier_chart(quality.outliers(demo), data=demo, lang="en"))
    assert any("includes demonstration values" in t for t in drawn)
