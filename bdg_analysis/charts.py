"""Matplotlib figures for reports and notebooks, drawn on their own Agg canvas (no pyplot).

Every chart is a :class:`ChartFigure` with its own ``FigureCanvasAgg``: nothing goes through
pyplot or a global backend, so reports draw without a screen and a notebook's own backend
(JupyterLab's inline one) is never switched; a returned figure shows itself as a PNG.
"""

from __future__ import annotations

import base64
import io as _io
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib import rcParams
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from bdg_analysis import chart_labels
from bdg_analysis.targets import Target
from bdg_analysis.text import fmt_number, fmt_target, label
from bdg_analysis.words import word

# Okabe-Ito colours: distinguishable by colour-blind readers; shapes carry meaning too.
COLOURS = {"series": "#0072B2", "national": "#7f7f7f", "target": "#D55E00", "band": "#56B4E9"}

rcParams.update(
    {
        "font.family": "DejaVu Sans",  # has every Vietnamese diacritic
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.hashsalt": "bdg",  # stable output for identical inputs
    }
)


# Report charts are laid out with margins measured from their own tick labels, not with
# matplotlib's constrained layout: that draws every chart twice and was about 40 % of a report's
# chart time. Title and legend sit above the axes in fixed places, so nothing is searched for.
_TITLE_IN = 0.30  # inches above the axes for the title line
_LEGEND_IN = 0.24  # and for each legend line under it
_BOTTOM_IN = 0.30  # x tick labels (years)
_RIGHT_IN = 0.12
_PAD_IN = 0.10
_LABEL_SIZE = 8  # target and rank labels, in points


def _text_width_in(fig: Figure, texts: Sequence[str], size: float, *, total: bool = False) -> float:
    """The widest of ``texts`` (or, with ``total``, all together) at font ``size``, in inches
    (measured with the figure's fonts)."""
    from matplotlib.font_manager import FontProperties

    if not texts:
        return 0.0
    renderer = fig.canvas.get_renderer()
    props = FontProperties(family=rcParams["font.family"], size=size)
    widths = [renderer.get_text_width_height_descent(t, props, ismath=False)[0] for t in texts]
    return (sum(widths) if total else max(widths)) / fig.dpi


def _set_margins(fig: Figure, *, left_in: float, top_in: float) -> None:
    width, height = fig.get_size_inches()
    fig.subplots_adjust(
        left=min(left_in / width, 0.6),
        right=1 - _RIGHT_IN / width,
        bottom=_BOTTOM_IN / height,
        top=1 - top_in / height,
    )


class ChartFigure(Figure):
    """A figure that shows itself as a PNG in a notebook (IPython asks ``_repr_png_``).

    It lives outside pyplot's registry, so nothing needs closing and nothing is shown twice; a
    kernel whose own pyplot has registered a figure formatter uses that one instead.
    """

    def _repr_png_(self) -> bytes:
        return png_bytes(self)


def new_canvas(width: float, height: float, dpi: int = 110, layout: str | None = None):
    """A :class:`ChartFigure` on its own Agg canvas: drawn without a screen or pyplot, so no
    global backend is set and a notebook keeps its own."""
    fig = ChartFigure(figsize=(width, height), dpi=dpi, layout=layout)
    FigureCanvasAgg(fig)
    return fig


def _new_figure(width: float, height: float, dpi: int = 110, layout: str | None = None):
    """A figure with one axes, outside pyplot's registry (nothing to close, nothing kept)."""
    fig = new_canvas(width, height, dpi, layout)
    return fig, fig.add_subplot()


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes (no software tag, so identical charts give identical bytes)."""
    buffer = _io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _with_gaps(series: pd.Series) -> pd.Series:
    """``series`` over every year from its first to its last, NaN where a year has no value:
    matplotlib breaks a line at NaN, so a missing year is never drawn as if it had a value."""
    if series.empty:
        return series.astype(float)
    years = [int(y) for y in series.index]
    full = range(min(years), max(years) + 1)
    values = pd.Series(series.to_numpy(dtype=float), index=years)
    return values.groupby(level=0).last().reindex(full)


def _gap_links(series: pd.Series) -> tuple[list[float], list[float]]:
    """x, y of dotted links across the missing years of ``series`` (NaN-separated pieces)."""
    years = sorted(int(y) for y in series.index)
    values = {int(y): float(v) for y, v in series.items()}
    xs: list[float] = []
    ys: list[float] = []
    for a, b in zip(years, years[1:], strict=False):
        if b - a > 1:
            xs += [a, b, np.nan]
            ys += [values[a], values[b], np.nan]
    return xs, ys


def _legend_width_in(fig: Figure, handles: list) -> float:
    """The width of the legend on one line, in inches: its texts (measured) and, per entry, a
    handle and the spaces matplotlib puts around it (in font sizes, as :func:`_legend` sets)."""
    texts = _text_width_in(fig, [h.get_label() for h in handles], 8, total=True)
    per_entry = 1.8 + 0.8  # handle length, handle-text pad
    between = 1.2  # column spacing
    return texts + (per_entry * len(handles) + between * (len(handles) - 1) + 0.8) * 8 / 72


def _legend(fig: Figure, handles: list, x0: float, rows: int):
    """The legend under the title line, left-aligned with the axes, on ``rows`` lines."""
    height = fig.get_size_inches()[1]
    cols = -(-len(handles) // rows)
    # matplotlib fills a legend column by column: reorder so that it reads line by line
    order = [
        handles[r * cols + c]
        for c in range(cols)
        for r in range(rows)
        if r * cols + c < len(handles)
    ]
    return fig.legend(
        handles=order,
        loc="upper left",
        ncols=cols,
        fontsize=8,
        frameon=False,
        bbox_to_anchor=(x0 - 0.01, 1 - (_TITLE_IN - 0.02) / height),
        borderaxespad=0,
        handlelength=1.8,
        columnspacing=1.2,
    )


def trend_chart(
    series: pd.Series,
    *,
    title: str,
    unit: str,
    targets: Sequence[Target],
    national: pd.Series | None = None,
    estimated_years: Sequence[int] = (),
    band: pd.DataFrame | None = None,
    lang: str = "vi",
) -> Figure:
    """The province's series (solid), the national series (grey), targets as labelled diamonds.

    ``estimated_years`` are drawn hollow (demo, provisional or estimated values);
    ``band`` (columns year, value, low, high) is a projection drawn dashed with its interval.
    A year without a value breaks the line: the province's line is joined across it by a thin
    dotted link (named in the legend), the national line is left open. Target labels are placed
    where they cover no line, no point and no other label (:func:`_place_labels`).
    """
    width, height = 6.4, 2.9
    fig, ax = _new_figure(width, height)
    handles = []
    flagged = {int(y) for y in estimated_years}
    if national is not None and not national.empty:
        full = _with_gaps(national)
        handles += ax.plot(
            full.index,
            full.to_numpy(),
            color=COLOURS["national"],
            linewidth=1.2,
            linestyle=(0, (4, 2)),
            marker="s",
            markersize=3,
            label=label("chart_national", lang),
            gid="national",
        )
    if not series.empty:
        full = _with_gaps(series)
        handles += ax.plot(
            full.index,
            full.to_numpy(),
            color=COLOURS["series"],
            linewidth=2,
            label=label("chart_series", lang),
            gid="series",
        )
        link_x, link_y = _gap_links(series)
        if link_x:
            ax.plot(
                link_x,
                link_y,
                color=COLOURS["series"],
                linewidth=1.1,
                linestyle=(0, (1, 2)),
                gid="series-gap",
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    color=COLOURS["series"],
                    linewidth=1.1,
                    linestyle=(0, (1, 2)),
                    label=label("chart_gap", lang),
                )
            )
        observed = full.dropna()
        solid = [y for y in observed.index if y not in flagged]
        hollow = [y for y in observed.index if y in flagged]
        ax.plot(
            solid,
            observed.loc[solid].to_numpy(),
            "o",
            color=COLOURS["series"],
            markersize=5,
            gid="series-points",
        )
        ax.plot(
            hollow,
            observed.loc[hollow].to_numpy(),
            "o",
            markerfacecolor="white",
            markeredgecolor=COLOURS["series"],
            markersize=5,
            gid="series-hollow",
        )
        if hollow:  # say what a hollow point is
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markerfacecolor="white",
                    markeredgecolor=COLOURS["series"],
                    markersize=5,
                    label=label("chart_flagged", lang),
                )
            )
    if band is not None and not band.empty:
        handles.append(
            ax.fill_between(
                band["year"],
                band["low"],
                band["high"],
                color=COLOURS["band"],
                alpha=0.3,
                linewidth=0,
                hatch="///",
                edgecolor="#9cc9e6",
                label=label("chart_projection", lang),
                gid="band",
            )
        )
        ax.plot(
            band["year"],
            band["value"],
            color=COLOURS["series"],
            linestyle="--",
            linewidth=1.2,
            gid="projection",
        )
    texts = []
    for t in targets:
        ax.plot(
            [t.year],
            [t.value],
            marker="D",
            color=COLOURS["target"],
            markersize=7,
            linestyle="none",
            gid="target",
        )
        if t.value_high is not None:
            ax.vlines(t.year, t.value, t.value_high, color=COLOURS["target"], linewidth=3)
        texts.append(
            ax.annotate(
                f"{t.year}: {fmt_target(t, lang)}",
                (t.year, t.value),
                textcoords="offset points",
                xytext=(-6, 6),
                fontsize=_LABEL_SIZE,
                color=COLOURS["target"],
                gid="target-label",
            )
        )
    if targets:
        handles.append(
            Line2D(
                [],
                [],
                marker="D",
                color=COLOURS["target"],
                linestyle="none",
                label=label("chart_target", lang),
            )
        )
    ax.set_ylabel(unit)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_number(v, lang)))
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    years = [int(y) for y in series.index] + [t.year for t in targets]
    if series.empty and national is not None:
        years += [int(y) for y in national.index]
    if band is not None and not band.empty:
        years += [int(y) for y in band["year"]]
    if years:
        first, last = min(years), max(years)
        ax.set_xlim(first - 0.5, last + 0.7)
        lo, hi = first - 0.5, last + 0.7
        ticks = MaxNLocator(integer=True).tick_values(lo, hi)
        ax.xaxis.set_major_locator(FixedLocator([y for y in ticks if lo <= y <= hi]))
    rows = 1
    if handles:  # one legend line if it fits beside the axes, else two
        rows = 1 if _legend_width_in(fig, handles) <= width - 0.75 else 2
    top_in = _TITLE_IN + _LEGEND_IN * rows if handles else _TITLE_IN
    low, high = ax.get_ylim()
    floor = 0.0 if _all_at_least_zero(series, national, band) else None
    for _ in range(8):
        ax.set_ylim(low, high)
        _set_margins(fig, left_in=0.6, top_in=top_in)  # the y ticks depend on the height
        shown = [v for v in ax.get_yticks() if low <= v <= high]
        ticks = [fmt_number(v, lang) for v in shown]
        left_in = _PAD_IN + 0.22 + _text_width_in(fig, ticks, rcParams["font.size"]) + 0.08
        _set_margins(fig, left_in=left_in, top_in=top_in)
        stuck = chart_labels.place_labels(fig, ax, texts, chart_labels.places()) if texts else []
        if not stuck:
            break
        low, high = _more_room(stuck[0].xy[1], low, high, floor)
    if floor is not None:
        shown = [v for v in shown if v >= floor]  # no "-20 %" under data that cannot be negative
    ax.yaxis.set_major_locator(FixedLocator(shown))  # the ticks measured for the margin
    x0 = ax.get_position().x0
    fig.text(0.01, 1 - 0.06 / height, title, ha="left", va="top", fontsize=10)
    if handles:
        _legend(fig, handles, x0, rows)
    return fig


def _all_at_least_zero(*parts) -> bool:
    """True when every value drawn is 0 or more: the axis then never goes below 0."""
    for part in parts:
        if part is None or len(part) == 0:
            continue
        frame = part.drop(columns="year") if isinstance(part, pd.DataFrame) else part
        values = np.asarray(frame, dtype=float)
        if (values[np.isfinite(values)] < 0).any():
            return False
    return True


def _more_room(y: float, low: float, high: float, floor: float | None) -> tuple[float, float]:
    """The y range widened by a fifth on the side of a label that found no place (above the
    middle: the top; below it: the bottom, down to ``floor`` first, past it only when needed;
    ticks below the floor are not labelled)."""
    span = high - low
    if y >= (low + high) / 2:
        return low, high + 0.2 * span
    if floor is not None and low > floor:
        return max(low - 0.2 * span, floor), high
    return low - 0.2 * span, high  # below 0 only when the room above 0 is used up


def to_png_base64(fig: Figure) -> str:
    """The figure as base64 PNG, so the HTML opens offline."""
    return base64.b64encode(png_bytes(fig)).decode("ascii")


_ROW_IN = 0.34  # inches per indicator of the rank strip: its ticks and its rank above them


def rank_strip(
    rows: Sequence[tuple[str, int | None, int]], *, province: str, lang: str = "vi"
) -> Figure:
    """Where the province ranks among the provinces on each indicator (1 = best, at the right).

    ``rows`` holds (label, rank, n). Every province is a grey tick; the province is a large
    blue dot with its rank written beside it (above the row of ticks, never on a tick), so the
    chart reads without colour.
    """
    count = max(len(rows), 1)
    height = _ROW_IN * count + 0.95
    fig, ax = _new_figure(6.4, height)
    texts = []
    for i, (_, rank, n) in enumerate(rows):
        y = len(rows) - 1 - i
        if n:
            xs = [1 - (r - 1) / max(n - 1, 1) for r in range(1, n + 1)]
            ax.plot(xs, [y] * n, "|", color="#b0b0b0", markersize=7, gid="rank-ticks")
        if rank is not None and n:
            x = 1 - (rank - 1) / max(n - 1, 1)
            ax.plot([x], [y], "o", color=COLOURS["series"], markersize=8, gid="rank-dot")
            texts.append(
                ax.annotate(
                    f"{rank}/{n}",
                    (x, y),
                    textcoords="offset points",
                    xytext=(0, 6),
                    fontsize=7.5,
                    gid="rank-label",
                )
            )
    names = [r[0] for r in reversed(rows)]
    ax.set_yticks(range(len(rows)), names, fontsize=7.5)
    ax.set_ylim(-0.6, count - 1 + 0.85)
    ax.set_xticks([0, 1], [label("rank_worst", lang), label("rank_best", lang)])
    ax.set_xlim(-0.06, 1.08)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    left_in = _PAD_IN + _text_width_in(fig, names, 7.5) + 0.08
    _set_margins(fig, left_in=left_in, top_in=_TITLE_IN + 0.05)
    above = [
        (0.0, 5.5, "center", "bottom"),
        (-3, 5.5, "right", "bottom"),
        (3, 5.5, "left", "bottom"),
    ]
    if texts:
        chart_labels.place_labels(fig, ax, texts, [above, *chart_labels.places(7)])
    fig.text(
        0.01,
        1 - 0.06 / height,
        f"{label('rank_title', lang)}: {province}",
        ha="left",
        va="top",
        fontsize=10,
    )
    return fig


STATUS_COLOURS = {
    "achieved": "#009E73",
    "on_track": "#56B4E9",
    "at_risk": "#E69F00",
    "off_track": "#D55E00",
    "moving_away": "#CC79A7",
    "not_achieved": "#D55E00",
    "insufficient_data": "#e0e0e0",
    "no_target": "#ffffff",
}


def status_grid(frame: pd.DataFrame, *, symbols: dict[str, str], title: str) -> Figure:
    """A heat map of statuses (rows: provinces, columns: indicators) with a symbol in each cell.

    ``frame`` holds status keys; colours follow the status and the symbol repeats it, so the
    grid reads in grey and for colour-blind readers.
    """
    n_rows, n_cols = frame.shape
    fig, ax = _new_figure(0.34 * n_cols + 2.2, 0.24 * n_rows + 1.3, dpi=110, layout="constrained")
    for i, (_, row) in enumerate(frame.iterrows()):
        for j, status in enumerate(row):
            colour = STATUS_COLOURS.get(status, "#ffffff")
            ax.add_patch(
                Rectangle(
                    (j, n_rows - 1 - i), 1, 1, facecolor=colour, edgecolor="white", linewidth=0.8
                )
            )
            ax.text(
                j + 0.5,
                n_rows - 0.5 - i,
                symbols.get(status, ""),
                ha="center",
                va="center",
                fontsize=6.5,
                color="black",
            )
    ax.set_xlim(0, n_cols)
    ax.set_ylim(0, n_rows)
    ax.set_xticks([j + 0.5 for j in range(n_cols)], list(frame.columns), rotation=90, fontsize=6.5)
    ax.set_yticks([n_rows - 0.5 - i for i in range(n_rows)], list(frame.index), fontsize=6.5)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(title, loc="left", fontsize=10)
    return fig


# ---------------------------------------------------------------------------------------------
# Exploration charts (notebooks/explore_indicator.ipynb, notebooks/data_quality.ipynb)

PART_COLOURS = ("#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
PART_MARKERS = ("s", "^", "v", "D", "P", "X")


def _word(key: str, lang: str) -> str:
    """A word drawn on an exploration chart (``resources/words/charts.yaml``)."""
    return word(f"charts.{key}", lang)


@dataclass
class Panel:
    """One panel of :func:`small_multiples`: a series, its former parts, flagged/marked years."""

    title: str
    series: pd.Series
    flagged_years: Sequence[int] = ()  # drawn hollow (demo, provisional, estimate)
    parts: dict[str, pd.Series] = field(default_factory=dict)  # thin lines behind the series
    marked_years: Sequence[int] = ()  # ringed (e.g. values flagged by a quality rule)


def _series_points(ax, series: pd.Series, flagged: Sequence[int], size: float) -> None:
    """Filled points for ordinary values, hollow ones for flagged years."""
    hollow_set = set(int(y) for y in flagged)
    solid = [y for y in series.index if int(y) not in hollow_set]
    hollow = [y for y in series.index if int(y) in hollow_set]
    ax.plot(solid, series.loc[solid].values, "o", color=COLOURS["series"], markersize=size)
    ax.plot(
        hollow,
        series.loc[hollow].values,
        "o",
        markerfacecolor="white",
        markeredgecolor=COLOURS["series"],
        markersize=size,
        markeredgewidth=0.8,
    )


def small_multiples(
    panels: Sequence[Panel],
    *,
    title: str,
    national: pd.Series | None = None,
    ncols: int = 7,
    sharey: bool = True,
    merger_year: int | None = 2025,
    lang: str = "vi",
) -> Figure:
    """A grid of small panels, one series each, on shared axes so levels compare at a glance.

    Each panel: the national series (grey, dashed), former parts (thin coloured lines), the
    series (blue; hollow points are flagged years), marked years ringed in orange, and a dotted
    line at the merger where the panel has parts. Shapes and line styles carry the meaning, so
    the grid reads in grey too.
    """
    from matplotlib.lines import Line2D

    if not panels:
        fig, ax = _new_figure(6.4, 1.2, dpi=100, layout="constrained")
        ax.axis("off")
        ax.text(0.0, 0.5, _word("nothing", lang), transform=ax.transAxes, fontsize=9)
        ax.set_title(title, loc="left", fontsize=10)
        return fig
    ncols = max(1, min(ncols, len(panels)))
    nrows = -(-len(panels) // ncols)
    fig = new_canvas(1.85 * ncols + 0.4, 1.4 * nrows + 1.1, dpi=100, layout="constrained")
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=sharey, squeeze=False)
    any_parts = any_marked = any_national = False
    for ax, panel in zip(axes.flat, panels, strict=False):
        if national is not None and not national.empty:
            any_national = True
            ax.plot(
                national.index,
                national.values,
                color=COLOURS["national"],
                linewidth=0.9,
                linestyle=(0, (3, 2)),
            )
        for i, part in enumerate(panel.parts.values()):
            if not part.empty:
                any_parts = True
                ax.plot(
                    part.index,
                    part.values,
                    color=PART_COLOURS[i % len(PART_COLOURS)],
                    linewidth=0.9,
                    marker=PART_MARKERS[i % len(PART_MARKERS)],
                    markersize=2,
                )
        s = panel.series
        if not s.empty:
            ax.plot(s.index, s.values, color=COLOURS["series"], linewidth=1.6)
            _series_points(ax, s, panel.flagged_years, 2.6)
            marked = [y for y in s.index if int(y) in {int(m) for m in panel.marked_years}]
            if marked:
                any_marked = True
                ax.plot(
                    marked,
                    s.loc[marked].values,
                    "o",
                    markersize=8,
                    markerfacecolor="none",
                    markeredgecolor=COLOURS["target"],
                    markeredgewidth=1.6,
                )
        else:
            ax.text(
                0.5,
                0.5,
                _word("no_data", lang),
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=7,
                color="#888888",
            )
        if panel.parts and merger_year is not None:
            ax.axvline(merger_year - 0.5, color="#bbbbbb", linewidth=0.8, linestyle=":")
        ax.set_title(panel.title, fontsize=7.5, loc="left", pad=2)
        ax.tick_params(labelsize=6.5, length=2, labelbottom=True)
        ax.xaxis.set_major_locator(MaxNLocator(3, integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(4))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_number(v, lang)))
        ax.grid(axis="y", color="#eeeeee", linewidth=0.5)
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    handles = [
        Line2D(
            [],
            [],
            color=COLOURS["series"],
            linewidth=1.6,
            marker="o",
            markersize=3,
            label=_word("current", lang),
        ),
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markerfacecolor="white",
            markeredgecolor=COLOURS["series"],
            markersize=4,
            label=_word("flagged", lang),
        ),
    ]
    if any_parts:
        handles.append(
            Line2D(
                [],
                [],
                color=PART_COLOURS[0],
                linewidth=0.9,
                marker="s",
                markersize=2,
                label=_word("former", lang),
            )
        )
    if any_national:
        handles.append(
            Line2D(
                [],
                [],
                color=COLOURS["national"],
                linewidth=0.9,
                linestyle=(0, (3, 2)),
                label=label("chart_national", lang),
            )
        )
    if any_marked:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=7,
                markerfacecolor="none",
                markeredgecolor=COLOURS["target"],
                markeredgewidth=1.6,
                label=_word("marked", lang),
            )
        )
    fig.legend(
        handles=handles, loc="outside lower center", ncols=len(handles), fontsize=7.5, frameon=False
    )
    fig.suptitle(title, x=0.01, ha="left", fontsize=10)
    return fig


def distribution_chart(
    values: pd.Series,
    *,
    title: str,
    unit: str,
    national: float | None = None,
    targets: Sequence[Target] = (),
    direction: str | None = None,
    lang: str = "vi",
) -> Figure:
    """Where the provinces' values lie: one dot each, the middle half as a box, the median,
    the national value (grey, dashed) and the targets (orange); the extremes are named.

    ``values`` is indexed by province name.
    """
    fig, ax = _new_figure(6.4, 2.4, dpi=110, layout="constrained")
    v = pd.to_numeric(values, errors="coerce").dropna().sort_values()
    ax.set_title(title, loc="left", fontsize=10)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    if v.empty:
        ax.text(0.5, 0.5, _word("no_data", lang), transform=ax.transAxes, ha="center")
        return fig
    q1, med, q3 = np.percentile(v.to_numpy(), [25, 50, 75])
    blue = COLOURS["series"]
    ax.add_patch(
        Rectangle(
            (q1, -0.3), q3 - q1, 0.6, facecolor="#dcecf9", edgecolor=blue, linewidth=1, zorder=1
        )
    )
    ax.plot([med, med], [-0.3, 0.3], color=blue, linewidth=2.2, zorder=2)
    ax.plot([v.iloc[0], q1], [0, 0], color=blue, linewidth=1, zorder=1)
    ax.plot([q3, v.iloc[-1]], [0, 0], color=blue, linewidth=1, zorder=1)
    offsets = ((np.arange(len(v)) % 5) - 2) * 0.1
    ax.plot(v.to_numpy(), offsets, "o", color=blue, alpha=0.75, markersize=4.5, zorder=3)
    ax.annotate(
        str(v.index[0]),
        (v.iloc[0], offsets[0]),
        textcoords="offset points",
        xytext=(0, -12),
        ha="center",
        fontsize=7.5,
    )
    if len(v) > 1:
        ax.annotate(
            str(v.index[-1]),
            (v.iloc[-1], offsets[-1]),
            textcoords="offset points",
            xytext=(0, 8),
            ha="center",
            fontsize=7.5,
        )
    xs = list(v.to_numpy())
    top = 0.62
    if national is not None and np.isfinite(national):
        ax.axvline(national, color=COLOURS["national"], linestyle=(0, (4, 2)), linewidth=1.2)
        ax.text(
            national,
            top,
            f"{label('chart_national', lang)}: {fmt_number(national, lang)}",
            fontsize=7.5,
            color="#555555",
            ha="center",
            zorder=4,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6},
        )
        xs.append(national)
    for i, t in enumerate(targets):
        ax.axvline(t.value, color=COLOURS["target"], linewidth=1.2)
        if t.value_high is not None:
            ax.axvspan(t.value, t.value_high, color=COLOURS["target"], alpha=0.12, linewidth=0)
            xs.append(t.value_high)
        ax.plot([t.value], [-0.55], marker="D", color=COLOURS["target"], markersize=6)
        ax.text(
            t.value,
            -0.78 - 0.17 * i,
            f"{t.year}: {fmt_target(t, lang)}",
            fontsize=7.5,
            color=COLOURS["target"],
            ha="center",
            zorder=4,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6},
        )
        xs.append(t.value)
    span = (max(xs) - min(xs)) or 1.0
    ax.set_xlim(min(xs) - 0.08 * span, max(xs) + 0.08 * span)
    ax.set_ylim(-1.15, 0.85)
    better = {"higher": "better_up", "lower": "better_down"}.get(direction or "")
    ax.set_xlabel(f"{unit}    ({_word(better, lang)})" if better else unit)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt_number(x, lang)))
    return fig


def parts_chart(
    parts: dict[str, pd.Series],
    merged: pd.Series,
    *,
    title: str,
    unit: str,
    national: pd.Series | None = None,
    flagged_years: Sequence[int] = (),
    merger_year: int | None = 2025,
    lang: str = "vi",
) -> Figure:
    """A merged province (bold blue) with each former province's own series (coloured lines,
    a different marker each) and the nation (grey); a dotted line marks the merger."""
    fig, ax = _new_figure(6.4, 2.9, dpi=110, layout="constrained")
    if national is not None and not national.empty:
        ax.plot(
            national.index,
            national.values,
            color=COLOURS["national"],
            linewidth=1.1,
            linestyle=(0, (4, 2)),
            label=label("chart_national", lang),
        )
    for i, (name, s) in enumerate(parts.items()):
        if s.empty:
            continue
        ax.plot(
            s.index,
            s.values,
            color=PART_COLOURS[i % len(PART_COLOURS)],
            linewidth=1.2,
            marker=PART_MARKERS[i % len(PART_MARKERS)],
            markersize=4,
            label=name,
        )
    if not merged.empty:
        name = f"{merged.name} ({_word('current', lang)})" if parts else str(merged.name)
        ax.plot(merged.index, merged.values, color=COLOURS["series"], linewidth=2.2, label=name)
        _series_points(ax, merged, flagged_years, 4.5)
    if parts and merger_year is not None:
        ax.axvline(merger_year - 0.5, color="#999999", linewidth=0.9, linestyle=":")
        ax.text(
            merger_year - 0.45,
            1.0,
            _word("merger", lang),
            transform=ax.get_xaxis_transform(),
            fontsize=7,
            color="#666666",
            va="top",
        )
    ax.set_title(title, loc="left", fontsize=10)
    ax.set_ylabel(unit)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_number(v, lang)))
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize=7.5, frameon=False)
    else:
        ax.text(0.5, 0.5, _word("no_data", lang), transform=ax.transAxes, ha="center")
    return fig


def coverage_chart(matrix: pd.DataFrame, *, title: str, lang: str = "vi") -> Figure:
    """A heat map of shares 0-1 (rows by columns), each cell's percentage written in it."""
    values = matrix.apply(pd.to_numeric, errors="coerce").astype("float64").to_numpy()
    n_rows, n_cols = values.shape
    fig, ax = _new_figure(0.34 * n_cols + 2.6, 0.24 * n_rows + 1.3, dpi=100, layout="constrained")
    ax.imshow(np.where(np.isnan(values), 0, values), cmap="Blues", vmin=0, vmax=1.6, aspect="auto")
    for i in range(n_rows):
        for j in range(n_cols):
            cell = values[i, j]
            shown = "–" if np.isnan(cell) else fmt_number(round(100 * cell), lang, decimals=0)
            ax.text(
                j,
                i,
                shown,
                ha="center",
                va="center",
                fontsize=6,
                color="white" if (not np.isnan(cell) and cell > 0.85) else "black",
            )
    ax.set_xticks(range(n_cols), [str(c) for c in matrix.columns], rotation=90, fontsize=6.5)
    ax.set_yticks(range(n_rows), [str(r) for r in matrix.index], fontsize=6.5)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(title, loc="left", fontsize=9)
    return fig
