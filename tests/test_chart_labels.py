"""Label placement: a label never covers a line drawn through its point, and one that cannot
be placed is returned to the caller (which then makes room)."""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.path import Path as MplPath

from bdg_analysis import chart_labels


def _figure():
    fig = Figure(figsize=(4, 2.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    return fig, ax


def _crosses(fig, ax, text) -> bool:
    fig.canvas.draw()
    box = text.get_window_extent(fig.canvas.get_renderer())
    line = ax.lines[0]
    xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
    pairs = zip(xy[:-1], xy[1:], strict=True)
    return any(MplPath([a, b]).intersects_bbox(box, filled=False) for a, b in pairs)


def test_a_label_placed_at_first_on_a_line_is_moved_off_it():
    fig, ax = _figure()
    ax.plot([2020, 2025, 2030], [10, 20, 10], color="k")  # a peak under the label's point
    ax.set_xlim(2019, 2031)
    ax.set_ylim(0, 40)
    label = ax.annotate("2025: ≥ 20", (2025, 20), textcoords="offset points", xytext=(0, 0))
    assert _crosses(fig, ax, label)  # where it was put first, it sits on the line
    stuck = chart_labels.place_labels(fig, ax, [label], chart_labels.places())
    assert stuck == [] and not _crosses(fig, ax, label)


def test_a_label_with_no_free_place_is_returned():
    fig, ax = _figure()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    for y in np.linspace(0, 1, 60):  # lines everywhere: no place is clear
        ax.plot([0, 1], [y, y], color="k", linewidth=2)
    label = ax.annotate("a long label", (0.5, 0.5), textcoords="offset points", xytext=(0, 0))
    assert chart_labels.place_labels(fig, ax, [label], chart_labels.places()) == [label]
