"""One session: what was done (range, reps, sets, holds or the ride), pain and notes, and its angle trace."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tracker import catalog
from tracker.domain import SessionResult
from tracker.errors import HiptrackError
from tracker.report import SOURCE_WORDS, motion_words
from tracker.session_view import SessionView, load_session_view
from tui.context import DashboardContext
from tui.labels import duration_words
from tui.widgets.fixed_columns import add_fixed_columns
from tui.widgets.section_bar import SectionBar
from tui.widgets.session_chart import SessionChart

EVENT_COLUMNS = (("event", 5), ("motion", 18), ("start s", 7), ("end s", 7), ("time s", 6), ("angle °", 7))


class SessionDetailScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,backspace", "app.pop_screen", "Back"),
        Binding("a", "toggle_angles", "All angles"),
    ]

    def __init__(self, context: DashboardContext, session_id: int) -> None:
        super().__init__()
        self._dashboard = context
        self.session_id = session_id
        """Which stored session this screen shows."""

    def compose(self) -> ComposeResult:
        yield SectionBar("sessions", note=f"Session {self.session_id}")
        yield Static("Loading…", id="info")
        yield SessionChart(id="chart")
        yield DataTable(id="events", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        add_fixed_columns(self.query_one(DataTable), EVENT_COLUMNS)
        self.load()

    @work(thread=True, exclusive=True, group="detail")
    def load(self) -> None:
        """Raw samples are loaded and re-assessed: milliseconds for an exercise, seconds for a long ride."""
        try:
            view = load_session_view(self._dashboard.services, self.session_id)
        except HiptrackError as err:                 # e.g. deleted meanwhile, or the database went away
            self.app.call_from_thread(self.query_one("#info", Static).update, Content(str(err)))
            return
        self.app.call_from_thread(self._show, view)

    def _show(self, view: SessionView) -> None:
        self.query_one("#info", Static).update(Content(describe(view)))   # notes and file names are text, not markup
        self.query_one(SessionChart).show(view)
        table = self.query_one(DataTable)
        table.clear()
        for event in view.events:
            table.add_row(event.kind, motion_words(event.motion), f"{event.start_s:.1f}", f"{event.end_s:.1f}",
                          f"{event.end_s - event.start_s:.1f}", f"{event.angle_deg:+.1f}")
        table.display = bool(view.events)

    def action_toggle_angles(self) -> None:
        chart = self.query_one(SessionChart)
        chart.all_angles = not chart.all_angles


def describe(view: SessionView) -> str:
    """The few lines above the chart: identity, range, what was done, pain and notes."""
    s = view.summary
    name = catalog.display_name(s.exercise)
    lines = [f"{name} · {s.side.value} · {s.started_at.astimezone():%a %d %b %Y %H:%M} · "
             f"{duration_words(s.duration_s)} · {s.status.value} · {s.source.value}"]
    result = view.result
    peaks = result.peaks if result is not None else None
    if peaks is not None:
        lines.append("Range: " + ", ".join(f"{label} {low:+.0f}…{high:+.0f}°" for label, low, high in peaks.ranges()))
    elif view.problem:
        lines.append(f"Not analysed: {view.problem}.")
    ride = result.ride if result is not None else None
    if ride is not None and ride.revolutions:
        lines.append(f"Ride: {ride.revolutions} strokes at {ride.cadence_rpm_mean:.0f} rpm, "
                     f"{duration_words(ride.pedaling_time_s)} pedalling · thigh {ride.flexion_min_deg:+.0f}…"
                     f"{ride.flexion_max_deg:+.0f}° (range {ride.flexion_range_deg:.0f}°) · knee tracking "
                     f"{ride.abduction_mean_deg:+.1f}° · {len(ride.coasting)} coasting, {len(ride.stops)} stops")
    elif peaks is not None and result is not None:
        lines.append(_work_line(result))
    heading = (result.confidence or {}).get("rotation") if result is not None else None
    if peaks is not None and result is not None and heading is not None:
        sources = " + ".join(SOURCE_WORDS.get(s, s) for s in result.orientation_source if s not in ("6d", "9d"))
        lines.append(f"Confidence: abduction, rotation {heading.level} (±{heading.heading_uncertainty_deg:.1f}°"
                     + (f"; {sources})" if sources else ")"))
    extras = [_pain_words(view)] + ([f"notes: {s.notes}"] if s.notes else [])
    lines.append(" · ".join(e for e in extras if e))
    return "\n".join(line for line in lines if line)


def _work_line(result: SessionResult) -> str:
    reps, sets, holds = result.reps, result.sets, result.holds
    parts = []
    if sets:
        parts.append(f"{len(reps)} reps in {len(sets)} set(s): " + ", ".join(str(x.reps) for x in sets))
    elif reps:
        parts.append(f"{len(reps)} reps")
    if holds:
        longest = max(holds, key=lambda h: h.duration_s)
        parts.append(f"{len(holds)} holds, longest {longest.duration_s:.1f} s at {longest.angle_deg:+.0f}°")
    return " · ".join(parts) or "No reps or holds found."


def _pain_words(view: SessionView) -> str:
    if not view.pain:
        return "pain not rated"
    whole = [p for p in view.pain if p.set_index is None]
    sets = [p for p in view.pain if p.set_index is not None]
    parts = [f"pain {whole[-1].score}/10"] if whole else []
    parts += [f"set {p.set_index + 1}: {p.score}/10" for p in sets if p.set_index is not None]
    return ", ".join(parts)
