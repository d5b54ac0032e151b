"""Matplotlib figures for reports: a series with its targets (and projection band when given)."""

from __future__ import annotations

import base64
import io as _io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # reports are drawn without a screen
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from bdg_analysis.targets import Target  # noqa: E402
from bdg_analysis.text import fmt_number, label  # noqa: E402

# Okabe-Ito colours: distinguishable by colour-blind readers; shapes carry meaning too.
COLOURS = {"series": "#0072B2", "national": "#7f7f7f", "target": "#D55E00", "band": "#56B4E9"}

plt.rcParams.update({
    "font.family": "DejaVu Sans",  # has every Vietnamese diacritic
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "bdg",  # stable output for identical inputs
})


def trend_chart(series: pd.Series, *, title: str, unit: str, targets: Sequence[Target],
                national: pd.Series | None = None, estimated_years: Sequence[int] = (),
                band: pd.DataFrame | None = None, lang: str = "vi") -> Figure:
    """The province's series (solid), the national series (grey), targets as labelled diamonds.

    ``estimated_years`` are drawn hollow (demo, provisional or estimated values);
    ``band`` (columns year, value, low, high) is a projection drawn dashed with its interval.
    """
    fig, ax = plt.subplots(figsize=(6.4, 2.9), dpi=110, layout="constrained")
    if national is not None and not national.empty:
        ax.plot(national.index, national.values, color=COLOURS["national"], linewidth=1.2,
                linestyle=(0, (4, 2)), marker="s", markersize=3,
                label=label("chart_national", lang))
    if not series.empty:
        ax.plot(series.index, series.values, color=COLOURS["series"], linewidth=2,
                label=label("chart_series", lang))
        solid = [y for y in series.index if y not in set(estimated_years)]
        hollow = [y for y in series.index if y in set(estimated_years)]
        ax.plot(solid, series.loc[solid].values, "o", color=COLOURS["series"], markersize=5)
        ax.plot(hollow, series.loc[hollow].values, "o", markerfacecolor="white",
                markeredgecolor=COLOURS["series"], markersize=5)
    if band is not None and not band.empty:
        ax.fill_between(band["year"], band["low"], band["high"], color=COLOURS["band"], alpha=0.25,
                        linewidth=0)
        ax.plot(band["year"], band["value"], color=COLOURS["series"], linestyle="--", linewidth=1.2)
    for t in targets:
        ax.plot([t.year], [t.value], marker="D", color=COLOURS["target"], markersize=7,
                linestyle="none")
        if t.value_high is not None:
            ax.vlines(t.year, t.value, t.value_high, color=COLOURS["target"], linewidth=3)
        ax.annotate(f"{t.year}: {_target_text(t, lang)}", (t.year, t.value),
                    textcoords="offset points", xytext=(-4, 8), ha="right", fontsize=8,
                    color=COLOURS["target"])
    if targets:
        ax.plot([], [], marker="D", color=COLOURS["target"], linestyle="none",
                label=label("chart_target", lang))
    ax.set_title(title, loc="left", fontsize=10)
    ax.set_ylabel(unit)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_number(v, lang)))
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    years = list(series.index) + [t.year for t in targets]
    if years:
        ax.set_xlim(min(years) - 0.5, max(years) + 0.7)
    ax.legend(loc="best", fontsize=8, frameon=False)
    return fig


def _target_text(t: Target, lang: str) -> str:
    symbols = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}
    if t.op == "between":
        return f"{fmt_number(t.value, lang)}–{fmt_number(t.value_high, lang)}"
    return f"{symbols[t.op]} {fmt_number(t.value, lang)}"


def to_png_base64(fig: Figure) -> str:
    """The figure as base64 PNG (so the HTML opens offline), and close it to free memory."""
    buffer = _io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")
