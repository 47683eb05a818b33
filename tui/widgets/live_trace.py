"""The live screen's scrolling trace: the exercise's angle over the last half minute, now at the right."""

from __future__ import annotations

import math

import numpy as np
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from analysis.live_trace import TRACE_WINDOW_S, FloatArray, Trace
from tui.braille import braille_frame, runs
from tui.labels import even_ticks

TRACE_COLOR = (86, 180, 233)
TARGET_COLOR = (230, 159, 0)
BEST_COLOR = (0, 158, 115)
MIN_SPAN_DEG = 20.0
"""Smallest angle span drawn: a 2° tremor while holding should look small, not fill the chart."""
MIN_HEIGHT = 3
"""Rows below which a line says nothing: the trace hides instead."""
FRAMED_HEIGHT = 8
"""Rows from which the seconds-ago axis fits (two rows); below, a bare line with its angle ticks."""
WAITING = "The angle over the last 30 s appears here once calibrated."

LAYER_STYLES = tuple(Style(color=f"rgb{color}") if color else Style() for color in (None, TRACE_COLOR, TARGET_COLOR,
                                                                                   BEST_COLOR))
"""Per braille layer: empty, the trace, the target line, the best line."""
AXIS_STYLE = Style(dim=True)


def seconds_ago_ticks(window_s: float, count: int) -> tuple[list[float], list[str]]:
    """Ticks on a seconds-ago axis (−window … 0) at a round step, labelled '30 s ago' … 'now'.

    Why seconds ago: a person stretching asks "how was my last rep", not "what happened at 4:37".
    """
    step = next((s for s in (5.0, 10.0, 15.0, 30.0) if window_s / s <= max(count, 1)), window_s)
    ticks = [-k * step for k in range(int(window_s // step), -1, -1)]
    labels = ["now" if t == 0 else f"{-t:g} s ago" if t == -window_s else f"{-t:g} s" for t in ticks]
    return ticks, labels


def envelope(ago_s: FloatArray, angle_deg: FloatArray, bins: int) -> tuple[FloatArray, FloatArray]:
    """Each of `bins` equal spans of time as its lowest then highest angle (empty spans dropped), vectorised.

    Why: a chart library that handles each point in Python wants few points; two per dot column draw the
    same picture, peaks included.
    """
    if len(ago_s) <= 2 * bins:
        return ago_s, angle_deg
    edges = np.linspace(-TRACE_WINDOW_S, 0.0, bins + 1)
    which = np.clip(np.searchsorted(edges, ago_s, side="right") - 1, 0, bins - 1)
    starts = np.flatnonzero(np.r_[True, np.diff(which) != 0])            # time is sorted: spans are runs
    low, high = np.minimum.reduceat(angle_deg, starts), np.maximum.reduceat(angle_deg, starts)
    centres = edges[which[starts]] + (edges[1] - edges[0]) / 2
    return np.repeat(centres, 2), np.column_stack([low, high]).ravel()


def angle_range(low: float, high: float) -> tuple[float, float]:
    """The y range shown: the data and the lines, at least MIN_SPAN_DEG, with a little air."""
    middle, half = (low + high) / 2, max(high - low, MIN_SPAN_DEG) / 2 * 1.05
    return middle - half, middle + half


def tick_rows(ticks: list[float], y_range: tuple[float, float], height: int) -> dict[int, str]:
    """Text row → label of each angle tick."""
    y0, y1 = y_range
    rows: dict[int, str] = {}
    for tick in ticks:
        row = min(height - 1, max(0, int((y1 - tick) / (y1 - y0) * height)))
        rows.setdefault(row, f"{tick:g}")
    return rows


def axis_rows(width: int, gutter: int, ticks: list[float], labels: list[str]) -> tuple[str, str]:
    """The seconds-ago axis under the plot: a rule with a mark per tick, and the labels under the marks."""
    plot = width - gutter
    rule, words = ["─"] * plot, [" "] * width
    taken = -1
    for tick, label in zip(ticks, labels, strict=True):
        at = min(plot - 1, max(0, round((tick + TRACE_WINDOW_S) / TRACE_WINDOW_S * (plot - 1))))
        rule[at] = "┬"
        start = min(width - len(label), max(0, gutter + at - len(label) // 2))
        if start > taken:                                     # a label that would overlap the last is left out
            words[start:start + len(label)] = label
            taken = start + len(label)
    return " " * (gutter - 1) + "└" + "".join(rule), "".join(words)


class LiveTrace(Widget):
    """Drawn only when `show` is given newer data (the screen calls it a few times a second); between
    redraws Textual asks for lines, which are served from the last frame."""

    DEFAULT_CSS = """
    LiveTrace { height: 1fr; min-height: 0; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._trace: Trace | None = None
        self._target_deg: float | None = None
        self._best_deg: float | None = None
        self._strips: list[Strip] | None = None
        self._drawn_size: tuple[int, int] | None = None

    def show(self, trace: Trace, target_deg: float | None, best_deg: float | None) -> None:
        """New samples, or a new target or best: repaint (the size never changes, so no layout pass)."""
        same = self._trace is not None and len(trace.time_s) == len(self._trace.time_s) and \
            (len(trace.time_s) == 0 or trace.time_s[-1] == self._trace.time_s[-1]) and \
            (target_deg, best_deg) == (self._target_deg, self._best_deg)
        self._trace, self._target_deg, self._best_deg = trace, target_deg, best_deg
        if not same:
            self._strips = None
            self.refresh()

    @property
    def drawn_samples(self) -> int:
        """How many calibrated samples the trace holds (what the tests look for)."""
        return 0 if self._trace is None else int(np.count_nonzero(np.isfinite(self._trace.angle_deg)))

    @property
    def lines(self) -> list[str]:
        """The frame as plain text, one string per row (what the tests read)."""
        return [strip.text for strip in self._frame()]

    def render_line(self, y: int) -> Strip:
        strips = self._frame()
        return strips[y] if y < len(strips) else Strip.blank(self.size.width)

    def _frame(self) -> list[Strip]:
        size = (self.size.width, self.size.height)
        if self._strips is None or self._drawn_size != size:
            self._strips, self._drawn_size = self._draw(*size), size
        return self._strips

    def _draw(self, width: int, height: int) -> list[Strip]:
        trace = self._trace
        if height < MIN_HEIGHT or width < 12:                 # a short terminal: the numbers matter more
            return []
        if trace is None or self.drawn_samples == 0:
            wrapped = Text(WAITING, style="italic dim").wrap(self.app.console, width)   # 80 columns: 2 lines
            return [Strip(line.render(self.app.console)).crop_extend(0, width, None) for line in wrapped][:height]
        finite = np.isfinite(trace.angle_deg)
        ago, angle = trace.time_s[finite] - float(trace.time_s[-1]), trace.angle_deg[finite]
        levels = tuple(v for v in (self._target_deg, self._best_deg) if v is not None and math.isfinite(v))
        y_range = angle_range(min([float(angle.min()), *levels]), max([float(angle.max()), *levels]))
        framed = height >= FRAMED_HEIGHT
        plot_height = height - 2 if framed else height
        ticks = even_ticks(*y_range, max(2, plot_height // 2))
        labels = tick_rows(ticks, y_range, plot_height)
        gutter = max(len(label) for label in labels.values()) + 2
        plot_width = width - gutter
        lines = (self._target_deg, self._best_deg)
        frame = braille_frame(ago, angle, (-TRACE_WINDOW_S, 0.0), y_range, plot_width, plot_height,
                              tuple(v if v is not None and math.isfinite(v) else math.nan for v in lines))
        strips = []
        for row, dots in enumerate(frame.rows):
            label = labels.get(row)
            mark = f"{label:>{gutter - 2}} ┤" if label is not None else " " * (gutter - 1) + "│"
            segments = [Segment(mark, AXIS_STYLE)]
            segments += [Segment(dots[start:end], LAYER_STYLES[min(layer, 3)]) for start, end, layer
                         in runs(frame.layer[row])]
            strips.append(Strip(segments, width))
        if framed:
            seconds = seconds_ago_ticks(TRACE_WINDOW_S, max(2, plot_width // 9))
            strips += [Strip([Segment(line, AXIS_STYLE)], width) for line in axis_rows(width, gutter, *seconds)]
        return strips
