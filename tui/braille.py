"""A line chart in braille cells, rasterised with NumPy: the live trace's drawing, a few arrays per frame.

Why not plotext (which the session charts use): it builds every frame cell by cell in Python and hands back
ANSI text that Textual parses again; at five frames a second that was a third of the live screen's CPU
(bench_load). Here a frame is a handful of vectorised passes over the dot grid, whatever the sample count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

DOT_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.int64)
"""Unicode braille: the bit of each of a cell's 4 × 2 dots (row, column)."""
CELL_CHARS = np.array([" ", *(chr(0x2800 + code) for code in range(1, 256))])
"""Character per 8-bit dot pattern (the empty pattern as a space, so blank cells copy and compare cheaply)."""


@dataclass(frozen=True, slots=True)
class BrailleFrame:
    """rows: one string per text row, `width` characters; layer (rows, width): 0 empty, 1 the line,
    2 + k the k-th level line (drawn where the line is not)."""

    rows: tuple[str, ...]
    layer: NDArray[np.int8]


def line_dots(x: FloatArray, y: FloatArray, x_range: tuple[float, float], y_range: tuple[float, float],
              cols: int, rows: int) -> NDArray[np.bool_]:
    """Dots (rows, cols), row 0 at the top, of the polyline through (x, y) sorted by x.

    Each dot column is filled from its lowest to its highest sample and joined to the column before it, so
    a one-sample spike and a steep rise both show, and 6 000 samples cost the same as 300.
    """
    dots = np.zeros((rows, cols), dtype=bool)
    if len(x) == 0 or cols <= 0 or rows <= 0:
        return dots
    (x0, x1), (y0, y1) = x_range, y_range
    col = np.clip(np.floor((x - x0) / (x1 - x0) * cols), 0, cols - 1).astype(np.int64)
    row = np.clip(np.floor((y1 - y) / (y1 - y0) * rows), 0, rows - 1).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, np.diff(col) != 0])
    ends = np.r_[starts[1:], len(col)] - 1
    low, high = np.minimum.reduceat(row, starts), np.maximum.reduceat(row, starts)
    used = col[starts]
    joined = np.r_[False, np.diff(used) == 1]                     # a neighbour on the left: join to its last dot
    before = np.r_[0, row[ends[:-1]]]
    low = np.where(joined, np.minimum(low, before), low)
    high = np.where(joined, np.maximum(high, before), high)
    top, bottom = np.full(cols, rows, dtype=np.int64), np.full(cols, -1, dtype=np.int64)
    top[used], bottom[used] = low, high
    rows_at = np.arange(rows)[:, None]
    result: NDArray[np.bool_] = (rows_at >= top[None, :]) & (rows_at <= bottom[None, :])
    return result


def level_dots(value: float, y_range: tuple[float, float], cols: int, rows: int) -> NDArray[np.bool_]:
    """A horizontal line of dots at `value` (none when it is off the chart)."""
    dots = np.zeros((rows, cols), dtype=bool)
    y0, y1 = y_range
    if y0 <= value <= y1 and rows > 0:
        dots[min(rows - 1, int((y1 - value) / (y1 - y0) * rows)), :] = True
    return dots


def cells(dots: NDArray[np.bool_]) -> IntArray:
    """(4·rows, 2·cols) dots → (rows, cols) braille codes."""
    rows, cols = dots.shape[0] // 4, dots.shape[1] // 2
    grouped = dots[: rows * 4, : cols * 2].reshape(rows, 4, cols, 2)
    codes: IntArray = np.einsum("rack,ak->rc", grouped.astype(np.int64), DOT_BITS)
    return codes


def braille_frame(x: FloatArray, y: FloatArray, x_range: tuple[float, float], y_range: tuple[float, float],
                  width: int, height: int, levels: tuple[float, ...] = ()) -> BrailleFrame:
    """The line through (x, y) and horizontal lines at `levels`, in `width` × `height` character cells."""
    cols, rows = 2 * max(width, 0), 4 * max(height, 0)
    codes = cells(line_dots(x, y, x_range, y_range, cols, rows))
    layer = (codes > 0).astype(np.int8)
    for k, value in enumerate(levels):
        level = cells(level_dots(value, y_range, cols, rows))
        free = (layer == 0) & (level > 0)
        codes = np.where(free, level, codes)
        layer[free] = 2 + k
    chars = np.ascontiguousarray(CELL_CHARS[codes], dtype="<U1")
    text = chars.view(f"<U{width}").ravel() if width > 0 else np.array([""] * height)
    return BrailleFrame(tuple(str(row) for row in text), layer)


def runs(layer_row: NDArray[np.int8]) -> list[tuple[int, int, int]]:
    """(start, end, layer) of each stretch of one layer along a row: one styled segment each."""
    if len(layer_row) == 0:
        return []
    starts = np.flatnonzero(np.r_[True, np.diff(layer_row) != 0])
    ends = np.r_[starts[1:], len(layer_row)]
    return [(int(s), int(e), int(layer_row[s])) for s, e in zip(starts, ends, strict=True)]
