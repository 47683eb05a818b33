"""The Textual application: for now, the list of sessions with a trace of the selected one.

The full dashboard (trends, session detail, live recording, devices) grows from this shell.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from tracker.domain import SessionSummary
from tracker.services import Services


class HiptrackApp(App[None]):
    TITLE = "hiptrack"
    SUB_TITLE = "hip mobility"
    BINDINGS = [Binding("q", "quit", "Quit"), Binding("r", "refresh", "Refresh")]
    CSS = """
    #sessions { height: 1fr; }
    #status { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, services: Services) -> None:
        super().__init__()
        self._services = services
        """Storage and use cases; the app never opens a database itself."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("id", "started (UTC)", "exercise", "side", "source", "status", "duration", "samples")
        self.action_refresh()

    def action_refresh(self) -> None:
        self.run_worker(self._load, thread=True, exclusive=True, group="load")

    def _load(self) -> None:
        rows = self._services.store.list_sessions()
        self.call_from_thread(self._show, rows)

    def _show(self, rows: list[SessionSummary]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for r in reversed(rows):
            table.add_row(str(r.id), f"{r.started_at:%Y-%m-%d %H:%M}", r.exercise, r.side.value, r.source.value,
                          r.status.value, f"{r.duration_s:.0f} s", f"{r.samples:,}", key=str(r.id))
        status = f"{len(rows)} sessions in {self._services.database.display_url}" if rows else \
            "No sessions yet: run `hiptrack demo` or `hiptrack import FILE ...`"
        self.query_one("#status", Static).update(status)
