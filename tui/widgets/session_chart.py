"""One recorded session drawn: the exercise's angle with holds and rep peaks marked, or a ride's strokes."""

from __future__ import annotations

from rich.text import Text
from textual.app import RenderResult
from textual.reactive import reactive
from textual_plotext import PlotextPlot

from tracker.session_view import ANGLE_NAMES, SessionView

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
        time_s = traces.time_s.tolist()
        columns = range(3) if self.all_angles else (view.primary_column,)
        for column in columns:
            plt.plot(time_s, traces.angles_deg[:, column].tolist(), marker="braille", color=ANGLE_COLORS[column],
                     label=ANGLE_NAMES[column] if self.all_angles else None)
        holds = [e for e in view.events if e.kind == "hold"]
        for hold in holds:
            plt.plot([hold.start_s, hold.end_s], [hold.angle_deg] * 2, marker="━", color=HOLD_COLOR)
        reps = [e for e in view.events if e.kind == "rep"]
        if reps:
            plt.scatter([r.at_s for r in reps], [r.angle_deg for r in reps], marker="▲", color=REP_COLOR)
        what = "angles" if self.all_angles else f"{ANGLE_NAMES[view.primary_column]}"
        plt.title(f"{what} (°) over time (s) · ━ holds {len(holds)} · ▲ reps {len(reps)}")

    def _draw_strokes(self, view: SessionView) -> None:
        plt = self.plt
        strokes = view.strokes
        assert strokes is not None
        minutes = (strokes.time_s / 60.0).tolist()
        plt.plot(minutes, strokes.cadence_rpm.tolist(), marker="braille", color=ANGLE_COLORS[0], label="cadence rpm")
        plt.plot(minutes, strokes.range_deg.tolist(), marker="braille", color=HOLD_COLOR, label="stroke range °",
                 yside="right")
        plt.ylim(*at_least(strokes.cadence_rpm.tolist(), MIN_CADENCE_SPAN_RPM), yside=1)   # 1 left, 2 right
        plt.ylim(*at_least(strokes.range_deg.tolist(), MIN_RANGE_SPAN_DEG), yside=2)
        plt.title("cadence (left axis) and thigh range per stroke (right) over the ride (min)")


def at_least(values: list[float], span: float) -> tuple[float, float]:
    """Axis limits showing `values` over at least `span`, centred on them.

    Why: an axis fitted to the data draws a 1° wobble in stroke range as big as a 20° change.
    """
    low, high = min(values), max(values)
    middle, half = (low + high) / 2, max(high - low, span) / 2 * 1.05
    return middle - half, middle + half
