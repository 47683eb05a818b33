"""Every recorded session, newest first, filtered by exercise, side and date; Enter opens one, Del deletes one.

Deleting asks first, then keeps the deletion *pending* for UNDO_S seconds: the row disappears, `u`
brings it back, and the database is only written when the time is up, another session is deleted,
or the screen is left or closed. Why pending rather than delete-then-restore: a restore would have
to rewrite samples, results and pain exactly as they were (ids included), a second copy of
every table's mapping that could drift; a pending deletion changes the database once, or never.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Select, Static
from textual.widgets.data_table import ColumnKey

from tracker import catalog
from tracker.domain import AnalysedSession, SessionSummary, Side
from tracker.errors import HiptrackError
from tracker.reader import best_angle
from tracker.services import Services
from tui.context import DashboardContext
from tui.filters import SessionFilter, parse_days
from tui.labels import clock_time, short_motion
from tui.screens.base import DataScreen, RecordDefault
from tui.screens.confirm import ConfirmScreen
from tui.screens.session_detail import SessionDetailScreen
from tui.widgets.section_bar import SectionBar

COLUMNS = (("id", "id", 4), ("started", "started", 17), ("exercise", "exercise", 0), ("side", "side", 5),
           ("time", "time", 5), ("best", "best", 8), ("status", "status", 7))
"""(label, key, width); the exercise column's width follows the screen."""
STATUS_WORDS = {"complete": "", "recording": "live", "interrupted": "cut off"}
UNDO_S = 10.0
"""How long a deleted session can be brought back with `u` before it is deleted for good."""


def exercise_width(screen_width: int) -> int:
    """What is left for the exercise's name: each column pads 1 a side, the scrollbar takes 2."""
    others = sum(width + 2 for _, key, width in COLUMNS if key != "exercise")
    return max(16, min(40, screen_width - others - 6))


@dataclass(frozen=True, slots=True)
class SessionRow:
    summary: SessionSummary
    best: str
    """The session's best angle in its exercise's motion, e.g. 'IR 34°' ('' if not analysed)."""


class SessionTable(DataTable[str]):
    """The table's own Enter, shown in the footer as what it does here."""

    BINDINGS = [Binding("enter", "select_cursor", "Open")]


class SessionsScreen(DataScreen):
    BINDINGS = [
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear", "Clear filters"),
        Binding("delete,x", "delete", "Delete"),
        Binding("u", "undo", "Undo", show=False),
    ]

    def __init__(self, context: DashboardContext) -> None:
        super().__init__(context)
        self._rows: list[SessionRow] = []
        self._pending: SessionRow | None = None
        """A deleted session that `u` can still bring back (not yet deleted in the database)."""
        self._pending_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield SectionBar("sessions")
        with Horizontal(id="filters"):
            yield Select([(e.name, e.id) for e in catalog.EXERCISES], prompt="All exercises", id="exercise",
                         compact=True)
            yield Select([("left", Side.LEFT), ("right", Side.RIGHT)], prompt="Both sides", id="side", compact=True)
            yield Input(placeholder="date: 2026-03, A..B", id="days", compact=True)
        yield SessionTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Static("Loading sessions…", id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def on_resize(self) -> None:
        """Columns have fixed widths (auto widths are settled late and can draw stale); the exercise takes the rest."""
        width = exercise_width(self.size.width)
        table = self.query_one(DataTable)
        current = table.columns.get(ColumnKey("exercise"))
        if current is None or current.width != width:
            table.clear(columns=True)
            for label, key, column_width in COLUMNS:
                table.add_column(label, width=width if key == "exercise" else column_width, key=key)
            self._apply_filter()

    @work(thread=True, exclusive=True, group="sessions")
    def load(self) -> None:
        store = self._dashboard.services.store
        try:
            results = {row.session_id: row for row in store.results.analysed()}
            rows = [SessionRow(s, best_label(results.get(s.id))) for s in reversed(store.sessions.summaries())]
        except HiptrackError as err:
            self.app.call_from_thread(self.query_one("#status", Static).update, str(err))
            return
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[SessionRow]) -> None:
        pending = self._pending.summary.id if self._pending is not None else None
        self._rows = [row for row in rows if row.summary.id != pending]
        self._apply_filter()

    def current_filter(self) -> SessionFilter:
        """The filter the widgets describe; raises ValueError for a date the person is still typing."""
        exercise = self.query_one("#exercise", Select).value
        side = self.query_one("#side", Select).value
        first, last = parse_days(self.query_one("#days", Input).value)
        return SessionFilter(exercise if isinstance(exercise, str) else None,
                             side if isinstance(side, Side) else None, first, last)

    @on(Select.Changed)
    @on(Input.Changed, "#days")
    def _apply_filter(self) -> None:
        status = self.query_one("#status", Static)
        try:
            wanted = self.current_filter()
        except ValueError as err:
            status.update(Content(str(err)))
            return
        shown = [row for row in self._rows if wanted.matches(row.summary)]
        table = self.query_one(DataTable)
        if not table.columns:                # laid out on the first resize, which fills the table
            return
        table.clear()
        for row in shown:
            s = row.summary
            table.add_row(str(s.id), f"{s.started_at.astimezone():%d %b %Y %H:%M}", catalog.display_name(s.exercise),
                          s.side.value, clock_time(s.duration_s), row.best, STATUS_WORDS.get(s.status.value, ""),
                          key=str(s.id))
        status.update(_status_line(len(shown), len(self._rows), database_label(self._dashboard.services)))
        if self._pending is not None:
            status.update(Content(f"Deleted {_described(self._pending.summary)}. Press u to undo."))

    @on(Input.Submitted, "#days")
    def _days_submitted(self) -> None:
        self.query_one(DataTable).focus()

    @on(DataTable.RowSelected, "#sessions")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(SessionDetailScreen(self._dashboard, int(event.row_key.value)))

    def record_default(self) -> RecordDefault | None:
        """Another session like the selected one: same exercise, same side."""
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        row = next((r for r in self._rows if str(r.summary.id) == key), None)
        return None if row is None else (row.summary.exercise, row.summary.side)

    def action_delete(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        row = next((r for r in self._rows if str(r.summary.id) == key), None)
        if row is None:
            return
        if row.summary.status.value == "recording":
            self.notify("This session is still being recorded.", severity="warning", timeout=4)
            return
        self.app.push_screen(ConfirmScreen("Delete session", f"Delete {_described(row.summary)}, with its "
                                           "samples, results and pain ratings?", "Delete"),
                             lambda yes: self._deleted(row) if yes else None)

    def _deleted(self, row: SessionRow) -> None:
        """Hide the row at once; the database follows after UNDO_S seconds (or sooner, see the module)."""
        self.commit_pending()
        self._pending = row
        self._rows = [r for r in self._rows if r is not row]
        self._pending_timer = self.set_timer(UNDO_S, self.commit_pending)
        self._apply_filter()

    def action_undo(self) -> None:
        if self._pending is None:
            return
        row, self._pending = self._pending, None
        if self._pending_timer is not None:
            self._pending_timer.stop()
        self._rows = sorted([*self._rows, row], key=lambda r: (r.summary.started_at, r.summary.id), reverse=True)
        self._apply_filter()
        self.notify(f"Kept {_described(row.summary)}.", timeout=3)

    def commit_pending(self, redraw: bool = True) -> None:
        """Delete the pending session in the database now.

        On the UI thread on purpose: it is one indexed DELETE (the database cascades to samples and
        results), and it must be done before another screen reloads, or the session would show there.
        """
        row, self._pending = self._pending, None
        if self._pending_timer is not None:
            self._pending_timer.stop()
            self._pending_timer = None
        if row is None:
            return
        with suppress(HiptrackError):                   # deleted meanwhile (the CLI, another workstation)
            self._dashboard.services.store.sessions.delete(row.summary.id)
        self._dashboard.data.bump()
        self._loaded_version = self._dashboard.data.value
        if redraw:
            self._apply_filter()

    def on_screen_suspend(self) -> None:
        self.commit_pending(redraw=False)

    def on_unmount(self) -> None:
        self.commit_pending(redraw=False)           # the app is closing: its widgets are gone

    def action_filter(self) -> None:
        self.query_one("#days", Input).focus()

    def action_clear(self) -> None:
        self.query_one("#exercise", Select).clear()
        self.query_one("#side", Select).clear()
        self.query_one("#days", Input).value = ""
        self.query_one(DataTable).focus()


def best_label(row: AnalysedSession | None) -> str:
    """'IR 34°': the session's extreme in its exercise's first tracked motion, positive = more range."""
    if row is None or not row.calibrated:
        return "" if row is None else "no calib."
    best = best_angle(row)
    return "" if best is None else f"{short_motion(best[0].motion)} {best[1]:.0f}°"


def _described(summary: SessionSummary) -> str:
    """'session 5 (Seated hip internal rotation, left, 03 Dec 2026 18:30)'."""
    return (f"session {summary.id} ({catalog.display_name(summary.exercise)}, {summary.side.value}, "
            f"{summary.started_at.astimezone():%d %b %Y %H:%M})")


def _status_line(shown: int, total: int, where: str) -> str:
    if total == 0:
        return "No sessions yet: press r to record one, or run `hiptrack demo` or `hiptrack import FILE ...`."
    noun = "session" if total == 1 else "sessions"
    what = f"{total} {noun}" if shown == total else f"{shown} of {total} {noun}"
    return f"{what} in {where}"


def database_label(services: Services) -> str:
    """The SQLite file's name (the full path is long and private), else the URL without its password."""
    url = services.database.engine.url
    if url.get_backend_name() == "sqlite" and url.database:
        return url.database.rsplit("/", 1)[-1]
    return services.database.display_url
