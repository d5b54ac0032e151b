"""Labels placed on a chart so that they never sit on a line, a point or another label.

Every label is tried at a list of places around the point it names (above left first, then the
other corners and sides, then farther out). A place is taken when the label's box, in display
coordinates, stays inside the axes and crosses no drawn line segment, no marker and no label
placed before it; a place over the shaded projection band is taken only when no clear place is
left. A label that finds no place is returned, so that the chart can give the y axis more room
on its side and try again (``charts.trend_chart``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

_HIDDEN = ("None", "none", "", " ")


def _is_visible_style(style) -> bool:
    return style not in _HIDDEN and style is not None


class _Obstacles:
    """What a label must not cover: line segments, marker boxes (display pixels), and soft areas
    (filled bands) it should avoid when it can."""

    def __init__(self, fig: Figure, ax) -> None:
        px_per_pt = fig.dpi / 72.0
        segments, boxes = [], []
        for line in ax.lines:
            if not line.get_visible():
                continue
            xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
            ok = np.isfinite(xy).all(axis=1)
            if _is_visible_style(line.get_linestyle()) and len(xy) > 1:
                pair = ok[:-1] & ok[1:]
                half = line.get_linewidth() * px_per_pt / 2
                seg = np.column_stack([xy[:-1][pair], xy[1:][pair]])
                segments.append(np.column_stack([seg, np.full(len(seg), half)]))
            if _is_visible_style(line.get_marker()):
                size = (line.get_markersize() + line.get_markeredgewidth()) * px_per_pt / 2
                pts = xy[ok]
                boxes.append(np.column_stack([pts - size, pts + size]))
        for coll in ax.collections:  # vertical ranges of "between" targets (LineCollection)
            if hasattr(coll, "get_segments") and coll.get_visible():
                half = float(np.max(coll.get_linewidth() or [1.0])) * px_per_pt / 2
                for seg in coll.get_segments():
                    xy = coll.get_transform().transform(np.asarray(seg, dtype=float))
                    segments.append(np.column_stack([xy[:-1], xy[1:], np.full(len(xy) - 1, half)]))
        self.segments = np.vstack(segments) if segments else np.zeros((0, 5))
        self.boxes = np.vstack(boxes) if boxes else np.zeros((0, 4))
        self.soft = [
            p.get_transform().transform_path(path)
            for p in ax.collections
            if not hasattr(p, "get_segments") and p.get_visible()
            for path in p.get_paths()
        ]
        self.placed: list[np.ndarray] = []

    def hits(self, box: np.ndarray, pad: float = 1.5) -> bool:
        """True when ``box`` (x0, y0, x1, y1 in pixels, padded) meets a line, marker or label."""
        x0, y0, x1, y1 = box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad
        for other in [*self.placed, *self.boxes]:
            if x0 < other[2] and other[0] < x1 and y0 < other[3] and other[1] < y1:
                return True
        if not len(self.segments):
            return False
        s = self.segments
        h = s[:, 4]
        ax0, ay0, ax1, ay1 = x0 - h, y0 - h, x1 + h, y1 + h
        near = (
            (np.minimum(s[:, 0], s[:, 2]) <= ax1)
            & (np.maximum(s[:, 0], s[:, 2]) >= ax0)
            & (np.minimum(s[:, 1], s[:, 3]) <= ay1)
            & (np.maximum(s[:, 1], s[:, 3]) >= ay0)
        )
        if not near.any():
            return False
        s, ax0, ay0, ax1, ay1 = s[near], ax0[near], ay0[near], ax1[near], ay1[near]
        dx, dy = s[:, 2] - s[:, 0], s[:, 3] - s[:, 1]
        sides = np.stack(
            [
                dx * (cy - s[:, 1]) - dy * (cx - s[:, 0])
                for cx, cy in ((ax0, ay0), (ax1, ay0), (ax0, ay1), (ax1, ay1))
            ]
        )
        return bool((~((sides > 0).all(axis=0) | (sides < 0).all(axis=0))).any())

    def soft_hits(self, box: np.ndarray) -> bool:
        from matplotlib.transforms import Bbox

        bbox = Bbox.from_extents(*box)
        return any(path.intersects_bbox(bbox, filled=True) for path in self.soft)


Place = tuple[float, float, str, str]  # offset x, y (points), horizontal and vertical alignment


def places(near: float = 6.0) -> list[list[Place]]:
    """Places to try around a point, in rings from nearest to farthest: the four corners
    (above left first), above and below, left and right."""
    rings = []
    for d in (near, 2 * near, 3.5 * near, 5.5 * near):
        rings.append(
            [
                (-d, d, "right", "bottom"),
                (d, d, "left", "bottom"),
                (-d, -d, "right", "top"),
                (d, -d, "left", "top"),
                (0.0, d + 2, "center", "bottom"),
                (0.0, -d - 2, "center", "top"),
                (-d - 3, 0.0, "right", "center"),
                (d + 3, 0.0, "left", "center"),
            ]
        )
    return rings


def _extent(text, renderer) -> np.ndarray:
    return np.asarray(text.get_window_extent(renderer).extents, dtype=float)


_SOFT_COST = 1.5  # a place over the band counts as one and a half rings farther out


def place_labels(fig: Figure, ax, labels: Sequence, rings: Sequence[Sequence[Place]]) -> list:
    """Move each annotation of ``labels`` to its best free place among ``rings``.

    A free place keeps the label inside the axes, off every line, marker and label placed
    before it. The best is the nearest ring, a place over the projection band costing half a
    ring more than a clear one farther out: near its point, and readable. Returns the labels
    that found no free place (each is left at its first place)."""
    renderer = fig.canvas.get_renderer()
    room = np.asarray(ax.get_window_extent(renderer).extents, dtype=float)
    obstacles = _Obstacles(fig, ax)
    px_per_pt = fig.dpi / 72.0
    stuck = []
    for text in labels:
        # The text's size is measured once; each place's box follows from its offset and
        # alignment (as matplotlib aligns a one-line text's box), which is exact and cheap.
        _put(text, (0.0, 0.0, "left", "bottom"))
        x0, y0, x1, y1 = _extent(text, renderer)
        size = np.array([x1 - x0, y1 - y0])
        anchor = np.array([x0, y0])
        best: tuple[float, Place] | None = None
        for ring, places in enumerate(rings):
            if best is not None and best[0] <= ring:
                break  # nothing farther out can do better
            for place in places:
                box = _box(anchor, size, place, px_per_pt)
                inside = (
                    box[0] >= room[0]
                    and box[2] <= room[2]
                    and box[1] >= room[1]
                    and box[3] <= room[3]
                )
                if not inside or obstacles.hits(box):
                    continue
                cost = ring + (_SOFT_COST if obstacles.soft_hits(box) else 0.0)
                if best is None or cost < best[0]:
                    best = (cost, place)
                if cost == ring:
                    break  # a clear place in this ring: the first is the preferred one
        if best is None:
            stuck.append(text)
        _put(text, best[1] if best is not None else rings[0][0])
        obstacles.placed.append(_extent(text, renderer))
    return stuck


_SHIFT = {"left": 0.0, "center": 0.5, "right": 1.0, "bottom": 0.0, "top": 1.0}


def _box(anchor: np.ndarray, size: np.ndarray, place: Place, px_per_pt: float):
    """The box (x0, y0, x1, y1, pixels) of a text of ``size`` put at ``place`` from ``anchor``."""
    dx, dy, ha, va = place
    x = anchor[0] + dx * px_per_pt - _SHIFT[ha] * size[0]
    y = anchor[1] + dy * px_per_pt - _SHIFT[va] * size[1]
    return np.array([x, y, x + size[0], y + size[1]])


def _put(text, place: tuple[float, float, str, str]) -> None:
    dx, dy, ha, va = place
    text.set_position((dx, dy))
    text.set_horizontalalignment(ha)
    text.set_verticalalignment(va)
