"""The Textual application: sessions on the left, the selected session's results beside them.

The full dashboard (trends, live recording, devices) grows from this shell. The app never opens a
database itself; storage work runs in thread workers so the UI never blocks.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from tracker.domain import SessionSummary
from tracker.report import render_assessment
from tracker.services import Services, session_result


class HiptrackApp(App[None]):
    TITLE = "hiptrack"
    SUB_TITLE = "hip mobility"
    BINDINGS = [Binding("q", "quit", "Quit"), Binding("r", "refresh", "Refresh")]
    CSS = """
    #body { height: 1fr; }
    #sessions { width: 1fr; }
    #detail-pane { width: 46; border-left: solid $primary; padding: 0 1; }
    #status { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, services: Services) -> None:
        super().__init__()
        self._services = services
        """Storage and use cases; the app never opens a database itself."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="detail-pane"):
                yield Static("Select a session to see its results.", id="detail")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("id", "started (UTC)", "exercise", "side", "status", "time")
        self.action_refresh()

    def action_refresh(self) -> None:
        self._load_sessions()

    @work(thread=True, exclusive=True, group="load")
    def _load_sessions(self) -> None:
        rows = self._services.store.list_sessions()
        self.call_from_thread(self._show_sessions, rows)

    def _show_sessions(self, rows: list[SessionSummary]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for r in reversed(rows):
            table.add_row(str(r.id), f"{r.started_at:%y-%m-%d %H:%M}", r.exercise, r.side.value, r.status.value,
                          f"{r.duration_s:.0f} s", key=str(r.id))
        where = self._services.database.engine.url
        label = where.database.rsplit("/", 1)[-1] if where.get_backend_name() == "sqlite" and where.database \
            else self._services.database.display_url
        self.query_one("#status", Static).update(
            f"{len(rows)} sessions in {label}" if rows else
            "No sessions yet: run `hiptrack demo`, `hiptrack record --simulate ...` or `hiptrack import FILE ...`")

    @on(DataTable.RowHighlighted, "#sessions")
    def _session_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self._load_detail(int(event.row_key.value))

    @work(thread=True, exclusive=True, group="detail")
    def _load_detail(self, session_id: int) -> None:
        document: dict[str, Any] | None = session_result(self._services, session_id)
        text = render_assessment(document) if document else f"Session {session_id} has not been analysed yet."
        self.call_from_thread(self.query_one("#detail", Static).update, text)
