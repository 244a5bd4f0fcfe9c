"""The bordered table of the form: text wrapped inside its cell, a row as tall as its longest
cell, and a merged cell for the terms a student was no longer at the school."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from signing.canvas import Canvas


@dataclass(frozen=True)
class Column:
    x: float
    w: float
    title: str


def table(
    c: Canvas,
    y: float,
    cols: Sequence[Column],
    rows: list[list[str]],
    *,
    size: float = 9.0,
    min_height: float = 17.0,
    merge: tuple[int, int, str] | None = None,
) -> tuple[float, list[tuple[float, float]]]:
    """A bordered table from its top edge ``y``: text wraps inside its cell (a row grows with
    its longest cell), and ``merge = (first, last, text)`` joins those columns over every body
    row into one cell holding ``text`` (a term the student was no longer at the school).
    Returns the bottom edge and each body row's (top, bottom)."""
    left, right = cols[0].x, cols[-1].x + cols[-1].w
    all_rows = [[col.title for col in cols], *rows]
    edges = [y]
    wrapped = []
    for i, row in enumerate(all_rows):
        cells = [
            c.wrap(text, size, col.w - 8, bold=i == 0)
            for col, text in zip(cols, row, strict=False)
        ]
        height = max(min_height, max(len(lines) for lines in cells) * size * 1.2 + 6)
        wrapped.append(cells)
        edges.append(edges[-1] - height)
    c.fill_rect(left, edges[1], right - left, edges[0] - edges[1])
    for i, cells in enumerate(wrapped):
        top, bottom = edges[i], edges[i + 1]
        for j, (col, lines) in enumerate(zip(cols, cells, strict=False)):
            if i > 0 and merge and merge[0] <= j <= merge[1]:
                continue
            centred = i == 0 or j > 0
            block = len(lines) * size * 1.2
            ty = (top + bottom) / 2 + block / 2 - size
            for line in lines:
                tx = col.x + col.w / 2 if centred else col.x + 4
                c.text(tx, ty, line, size, bold=i == 0, align="center" if centred else "left")
                ty -= size * 1.2
    bottom = edges[-1]
    span = None
    if merge is not None:
        span = (cols[merge[0]].x, cols[merge[1]].x + cols[merge[1]].w)
    for i, edge in enumerate(edges):
        if span is not None and 1 < i < len(edges) - 1:  # the merged cell has no row lines
            c.line(left, edge, span[0], edge)
            c.line(span[1], edge, right, edge)
        else:
            c.line(left, edge, right, edge)
    for j, col in enumerate(cols):
        inside = merge is not None and merge[0] < j <= merge[1]
        c.line(col.x, y, col.x, edges[1] if inside else bottom)
    c.line(right, y, right, bottom)
    if merge is not None and span is not None and len(edges) > 2:
        lines = c.wrap(merge[2], size, span[1] - span[0] - 12)
        ty = (edges[1] + bottom) / 2 + len(lines) * size * 0.6 - size
        for line in lines:
            c.text(sum(span) / 2, ty, line, size, align="center")
            ty -= size * 1.2
    return bottom, list(zip(edges[1:-1], edges[2:], strict=True))
