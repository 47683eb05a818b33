"""The live screen's scrolling trace: the exercise's angle over the last half minute, now at the right."""

from __future__ import annotations

import math

import numpy as np
from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from analysis.live_trace import TRACE_WINDOW_S, FloatArray, Trace
from tui.labels import even_ticks

TRACE_COLOR = (86, 180, 233)
TARGET_COLOR = (230, 159, 0)
BEST_COLOR = (0, 158, 115)
MIN_SPAN_DEG = 20.0
"""Smallest angle span drawn: a 2° tremor while holding should look small, not fill the chart."""
MIN_HEIGHT = 3
"""Rows below which a line says nothing: the trace hides instead."""
FRAMED_HEIGHT = 8
"""Rows from which the frame and the seconds-ago axis fit; below, a bare line with its angle ticks."""


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

    Why: 30 s at 200 Hz is 6 000 points, and plotext handles each in Python (at five frames a second
    that starves the recorder); two per braille dot column draw the same picture, peaks included.
    """
    if len(ago_s) <= 2 * bins:
        return ago_s, angle_deg
    edges = np.linspace(-TRACE_WINDOW_S, 0.0, bins + 1)
    which = np.clip(np.searchsorted(edges, ago_s, side="right") - 1, 0, bins - 1)
    starts = np.flatnonzero(np.r_[True, np.diff(which) != 0])            # time is sorted: spans are runs
    low, high = np.minimum.reduceat(angle_deg, starts), np.maximum.reduceat(angle_deg, starts)
    centres = edges[which[starts]] + (edges[1] - edges[0]) / 2
    return np.repeat(centres, 2), np.column_stack([low, high]).ravel()


class LiveTrace(PlotextPlot):
    """Redrawn only when `show` is given newer data (the screen calls it a few times a second)."""

    DEFAULT_CSS = """
    LiveTrace { height: 1fr; min-height: 0; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._trace: Trace | None = None
        self._target_deg: float | None = None
        self._best_deg: float | None = None

    def show(self, trace: Trace, target_deg: float | None, best_deg: float | None) -> None:
        """New samples, or a new target or best: repaint (the size never changes, so no layout pass)."""
        same = self._trace is not None and len(trace.time_s) == len(self._trace.time_s) and \
            (len(trace.time_s) == 0 or trace.time_s[-1] == self._trace.time_s[-1]) and \
            (target_deg, best_deg) == (self._target_deg, self._best_deg)
        self._trace, self._target_deg, self._best_deg = trace, target_deg, best_deg
        if not same:
            self.refresh()

    @property
    def drawn_samples(self) -> int:
        """How many calibrated samples the trace holds (what the tests look for)."""
        return 0 if self._trace is None else int(np.count_nonzero(np.isfinite(self._trace.angle_deg)))

    def render(self) -> RenderResult:
        trace = self._trace
        if self.size.height < MIN_HEIGHT:                 # a short terminal: the numbers matter more
            return Text("")
        if trace is None or self.drawn_samples == 0:
            return Text("The angle over the last 30 s appears here once calibrated.", style="italic dim")
        plt = self.plt
        plt.clear_figure()
        now = float(trace.time_s[-1])
        ago = trace.time_s - now
        finite = np.isfinite(trace.angle_deg)
        x, y = envelope(ago[finite], trace.angle_deg[finite], max(2 * self.size.width, 20))
        plt.plot(x.tolist(), y.tolist(), marker="braille", color=TRACE_COLOR)
        shown = [float(y.min()), float(y.max())]
        for value, color in ((self._target_deg, TARGET_COLOR), (self._best_deg, BEST_COLOR)):
            if value is not None and math.isfinite(value):
                plt.hline(value, color=color)
                shown.append(value)
        low, high = min(shown), max(shown)
        middle, half = (low + high) / 2, max(high - low, MIN_SPAN_DEG) / 2 * 1.05
        plt.ylim(middle - half, middle + half)
        plt.xlim(-TRACE_WINDOW_S, 0.0)
        framed = self.size.height >= FRAMED_HEIGHT
        if framed:
            plt.xticks(*seconds_ago_ticks(TRACE_WINDOW_S, max(2, (self.size.width - 10) // 9)))
        else:                                        # 80×24: four rows; the last 30 s, now at the right edge
            plt.frame(False)
            plt.xticks([], [])
            plt.xaxes(False, False)
        y_ticks = even_ticks(middle - half, middle + half, max(2, (self.size.height - (3 if framed else 0)) // 2))
        plt.yticks(y_ticks, [f"{t:g}" for t in y_ticks])
        return super().render()
