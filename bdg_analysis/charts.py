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
from bdg_analysis.text import fmt_number, fmt_target, label  # noqa: E402

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
        ax.fill_between(band["year"], band["low"], band["high"], color=COLOURS["band"], alpha=0.3,
                        linewidth=0, hatch="///", edgecolor="#9cc9e6",
                        label=label("chart_projection", lang))
        ax.plot(band["year"], band["value"], color=COLOURS["series"], linestyle="--", linewidth=1.2)
    for t in targets:
        ax.plot([t.year], [t.value], marker="D", color=COLOURS["target"], markersize=7,
                linestyle="none")
        if t.value_high is not None:
            ax.vlines(t.year, t.value, t.value_high, color=COLOURS["target"], linewidth=3)
        ax.annotate(f"{t.year}: {fmt_target(t, lang)}", (t.year, t.value),
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
    if band is not None and not band.empty:
        years += list(band["year"])
    if years:
        ax.set_xlim(min(years) - 0.5, max(years) + 0.7)
    ax.legend(loc="best", fontsize=8, frameon=False)
    return fig


def to_png_base64(fig: Figure) -> str:
    """The figure as base64 PNG (so the HTML opens offline), and close it to free memory."""
    buffer = _io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def rank_strip(rows: Sequence[tuple[str, int | None, int]], *, province: str,
               lang: str = "vi") -> Figure:
    """Where the province ranks among the provinces on each indicator (1 = best, at the right).

    ``rows`` holds (label, rank, n). Every province is a grey tick; the province is a large
    blue dot with its rank written beside it, so the chart reads without colour.
    """
    height = 0.32 * max(len(rows), 1) + 0.9
    fig, ax = plt.subplots(figsize=(6.4, height), dpi=110, layout="constrained")
    for i, (_, rank, n) in enumerate(rows):
        y = len(rows) - 1 - i
        if n:
            xs = [1 - (r - 1) / max(n - 1, 1) for r in range(1, n + 1)]
            ax.plot(xs, [y] * n, "|", color="#b0b0b0", markersize=7)
        if rank is not None and n:
            x = 1 - (rank - 1) / max(n - 1, 1)
            ax.plot([x], [y], "o", color=COLOURS["series"], markersize=8)
            ax.annotate(f"{rank}/{n}", (x, y), textcoords="offset points", xytext=(7, -3),
                        fontsize=7.5)
    ax.set_yticks(range(len(rows)), [r[0] for r in reversed(rows)], fontsize=7.5)
    ax.set_xticks([0, 1], [label("rank_worst", lang), label("rank_best", lang)])
    ax.set_xlim(-0.05, 1.12)
    ax.set_title(f"{label('rank_title', lang)}: {province}", loc="left", fontsize=10)
    ax.spines["left"].set_visible(False)
    return fig


STATUS_COLOURS = {"achieved": "#009E73", "on_track": "#56B4E9", "at_risk": "#E69F00",
                  "off_track": "#D55E00", "moving_away": "#CC79A7", "not_achieved": "#D55E00",
                  "insufficient_data": "#e0e0e0", "no_target": "#ffffff"}


def status_grid(frame: pd.DataFrame, *, symbols: dict[str, str], title: str) -> Figure:
    """A heat map of statuses (rows: provinces, columns: indicators) with a symbol in each cell.

    ``frame`` holds status keys; colours follow the status and the symbol repeats it, so the
    grid reads in grey and for colour-blind readers.
    """
    n_rows, n_cols = frame.shape
    fig, ax = plt.subplots(figsize=(0.34 * n_cols + 2.2, 0.24 * n_rows + 1.3), dpi=110,
                           layout="constrained")
    for i, (_, row) in enumerate(frame.iterrows()):
        for j, status in enumerate(row):
            colour = STATUS_COLOURS.get(status, "#ffffff")
            ax.add_patch(plt.Rectangle((j, n_rows - 1 - i), 1, 1, facecolor=colour,
                                       edgecolor="white", linewidth=0.8))
            ax.text(j + 0.5, n_rows - 0.5 - i, symbols.get(status, ""), ha="center",
                    va="center", fontsize=6.5, color="black")
    ax.set_xlim(0, n_cols)
    ax.set_ylim(0, n_rows)
    ax.set_xticks([j + 0.5 for j in range(n_cols)], list(frame.columns), rotation=90,
                  fontsize=6.5)
    ax.set_yticks([n_rows - 0.5 - i for i in range(n_rows)], list(frame.index), fontsize=6.5)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(title, loc="left", fontsize=10)
    return fig
