"""One recorded session drawn: the exercise's angle with holds and rep peaks marked, or a ride's strokes."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from rich.text import Text
from textual.app import RenderResult
from textual.reactive import reactive
from textual_plotext import PlotextPlot

from tracker.session_view import ANGLE_NAMES, SessionView
from tui.labels import even_ticks, time_ticks

FloatArray = NDArray[np.float64]

ANGLE_COLORS = ((86, 180, 233), (0, 158, 115), (204, 121, 167))
"""Flexion, abduction, rotation (Okabe–Ito sky blue, bluish green, reddish purple)."""
HOLD_COLOR = (230, 159, 0)
REP_COLOR = (213, 94, 0)

MIN_CADENCE_SPAN_RPM = 30.0
MIN_RANGE_SPAN_DEG = 20.0
"""Smallest axis spans on the ride chart: changes smaller than a few rpm or degrees look small."""


class SessionChart(PlotextPlot):
    DEFAULT_CSS = """
    SessionChart { height: 1fr; min-height: 8; }
    """

    all_angles: reactive[bool] = reactive(False)
    """Draw all three angles instead of the exercise's own (rides: the hip angles instead of strokes)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._view: SessionView | None = None
        self._message = "Loading the recording…"

    def show(self, view: SessionView | None, message: str | None = None) -> None:
        self._view = view
        if message is not None:
            self._message = message
        self.refresh()

    def watch_all_angles(self) -> None:
        self.refresh()

    def render(self) -> RenderResult:
        view = self._view
        if view is None or view.traces is None:
            return Text(self._message if view is None else f"No angles to draw: {view.problem}.", style="italic")
        self.plt.clear_figure()
        if view.strokes is not None and not self.all_angles:
            self._draw_strokes(view)
        else:
            self._draw_angles(view)
        return super().render()

    def _draw_angles(self, view: SessionView) -> None:
        plt = self.plt
        traces = view.traces
        assert traces is not None
        columns = range(3) if self.all_angles else (view.primary_column,)
        time_s, angles = traces.time_s, traces.angles_deg
        if view.strokes is not None:           # a ride's angles swing every stroke: draw their middle per column
            time_s, angles = binned_medians(time_s, angles, max(self.size.width - 10, 10))
        for column in columns:
            plt.plot(time_s.tolist(), angles[:, column].tolist(), marker="braille", color=ANGLE_COLORS[column],
                     label=ANGLE_NAMES[column] if self.all_angles else None)
        holds = [e for e in view.events if e.kind == "hold"]
        for hold in holds:
            plt.plot([hold.start_s, hold.end_s], [hold.angle_deg] * 2, marker="━", color=HOLD_COLOR)
        reps = [e for e in view.events if e.kind == "rep"]
        if reps:
            plt.scatter([r.at_s for r in reps], [r.angle_deg for r in reps], marker="▲", color=REP_COLOR)
        what = "angles" if self.all_angles else f"{ANGLE_NAMES[view.primary_column]}"
        plt.title(f"{what} (°), the middle of each stroke, over the ride" if view.strokes is not None else
                  f"{what} (°) over time · ━ holds {len(holds)} · ▲ reps {len(reps)}")
        shown = angles[:, list(columns)]
        self._axes(float(time_s[0]), float(time_s[-1]), float(shown.min()), float(shown.max()))

    def _draw_strokes(self, view: SessionView) -> None:
        plt = self.plt
        strokes = view.strokes
        assert strokes is not None
        seconds = strokes.time_s.tolist()
        plt.plot(seconds, strokes.cadence_rpm.tolist(), marker="braille", color=ANGLE_COLORS[0], label="cadence rpm")
        plt.plot(seconds, strokes.range_deg.tolist(), marker="braille", color=HOLD_COLOR, label="stroke range °",
                 yside="right")
        cadence = at_least(strokes.cadence_rpm.tolist(), MIN_CADENCE_SPAN_RPM)
        stroke_range = at_least(strokes.range_deg.tolist(), MIN_RANGE_SPAN_DEG)
        plt.ylim(*cadence, yside=1)                                                        # 1 left, 2 right
        plt.ylim(*stroke_range, yside=2)
        plt.title("cadence (left axis) and thigh range per stroke (right) over the ride")
        self._axes(seconds[0], seconds[-1], *cadence)
        self._y_ticks(*stroke_range, yside=2)

    def _axes(self, start_s: float, end_s: float, low: float, high: float) -> None:
        """Time as a clock reads (m:ss, h:mm:ss) and angle ticks at a round step, whatever the size."""
        ticks, labels = time_ticks(start_s, end_s, max(2, (self.size.width - 10) // 9))
        self.plt.xticks(ticks, labels)
        self._y_ticks(low, high, yside=1)

    def _y_ticks(self, low: float, high: float, yside: int) -> None:
        y_ticks = even_ticks(low, high, max(2, (self.size.height - 5) // 3))
        self.plt.yticks(y_ticks, [f"{t:g}" for t in y_ticks], yside=yside)


def binned_medians(time_s: FloatArray, angles_deg: FloatArray, bins: int) -> tuple[FloatArray, FloatArray]:
    """Each column's median within `bins` equal spans of time (empty spans dropped), vectorised.

    Why: thirty strokes a minute drawn in one character column each fill the ride's plot solid;
    the middle of each column's swing shows how the angles drift over the ride.
    """
    edges = np.linspace(time_s[0], time_s[-1], bins + 1)
    which = np.clip(np.searchsorted(edges, time_s, side="right") - 1, 0, bins - 1)
    order = np.argsort(which, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(which[order]) != 0])
    groups = np.split(angles_deg[order], starts[1:])
    middles = np.array([np.median(g, axis=0) for g in groups])        # one per character column, not per sample
    centres = edges[which[order][starts]] + (edges[1] - edges[0]) / 2
    return centres, middles


def at_least(values: list[float], span: float) -> tuple[float, float]:
    """Axis limits showing `values` over at least `span`, centred on them.

    Why: an axis fitted to the data draws a 1° wobble in stroke range as big as a 20° change.
    """
    low, high = min(values), max(values)
    middle, half = (low + high) / 2, max(high - low, span) / 2 * 1.05
    return middle - half, middle + half
