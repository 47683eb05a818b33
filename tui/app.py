"""The Textual dashboard: one mode per section (home, sessions, exercises, devices), keyboard first.

Each section is a Textual *mode* with its own screen stack, so a section keeps its state (filters,
selection, an opened session) while another is shown. The app never opens a database itself and
never touches it on the UI thread: screens load in thread workers.

Why only the home screen is imported here: the dashboard paints its frame as soon as Textual and the
home screen's widgets are loaded. The other sections, the record form, the person picker and the live
screen import when first opened; the home screen reads its data in workers, the sessions' headlines first
and the progress report (with the progress maths) once those are drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from tracker.errors import HiptrackError
from tracker.services import Services, for_person
from tracker.storage.database import is_demo_database
from tui.context import DashboardContext, Scanner, utc_now
from tui.scanning import default_scanner
from tui.screens.base import DataScreen, RecordDefault, planned_side
from tui.screens.home import HomeScreen

if TYPE_CHECKING:
    from tui.recording import RecordingChoice


def _sessions(context: DashboardContext) -> Screen[None]:
    from tui.screens.sessions import SessionsScreen

    return SessionsScreen(context)


def _exercises(context: DashboardContext) -> Screen[None]:
    from tui.screens.exercises import ExercisesScreen

    return ExercisesScreen(context)


def _devices(context: DashboardContext) -> Screen[None]:
    from tui.screens.devices import DevicesScreen

    return DevicesScreen(context)


SECTIONS: dict[str, Callable[[DashboardContext], Screen[None]]] = {
    "home": HomeScreen, "sessions": _sessions, "exercises": _exercises, "devices": _devices}
"""Each section's screen, built (and its module imported) when the section is first shown."""


def open_live_recording(app: App[None], context: DashboardContext, choice: RecordingChoice) -> None:
    """The live screen for `choice`; the recording stack (profiles, live analysis) loads here, not at start."""
    from tui.recording import open_live_recording as open_screen

    open_screen(app, context, choice)

LIGHT_THEME, DARK_THEME = "textual-light", "textual-dark"


class HiptrackApp(App[None]):
    TITLE = "hiptrack"
    CSS_PATH = "hiptrack.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    BINDINGS = [
        Binding("h", "section('home')", "Home", show=False),
        Binding("s", "section('sessions')", "Sessions", show=False),
        Binding("e", "section('exercises')", "Exercises", show=False),
        Binding("d", "section('devices')", "Devices", show=False),
        Binding("r", "record", "Record"),
        Binding("p", "pick_person", "Person", show=False),
        Binding("t", "toggle_theme", "Theme"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, services: Services, *, clock: Callable[[], datetime] = utc_now,
                 scanner: Scanner | None = None, section: str = "home") -> None:
        super().__init__()
        self.context = DashboardContext(services, scanner or default_scanner, clock,
                                        demo=is_demo_database(services.database))
        """Services, clock, scanner and change counter shared by every screen."""
        self._first_section = section
        for name, screen in SECTIONS.items():
            self.add_mode(name, partial(screen, self.context))

    def on_mount(self) -> None:
        self.switch_mode(self._first_section)

    def action_section(self, name: str) -> None:
        self.switch_mode(name)

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.current_theme.dark else DARK_THEME

    def action_record(self) -> None:
        from tui.screens.record_form import RecordFormScreen

        self.push_screen(RecordFormScreen(self.context, self._record_default()), self._start_recording)

    def _record_default(self) -> RecordDefault | None:
        """What the screen shows (an exercise, a session, a tracked motion), else the plan's first item."""
        screen = self.screen
        chosen = screen.record_default() if isinstance(screen, DataScreen) else None
        if chosen is not None:
            return chosen
        try:
            first = next(iter(self.context.services.store.plans.items()), None)     # one small indexed query
        except HiptrackError:
            return None
        return None if first is None else (first.exercise_id, planned_side(first.side))

    def _start_recording(self, choice: RecordingChoice | None) -> None:
        if choice is not None:
            open_live_recording(self, self.context, choice)

    def action_pick_person(self) -> None:
        from tui.screens.person_picker import PersonPickerScreen

        self.push_screen(PersonPickerScreen(self.context), self._switch_person)

    def _switch_person(self, person: str | None) -> None:
        if person is not None and person != self.context.services.person:
            self._open_person(person)

    @work(thread=True, exclusive=True, group="person")
    def _open_person(self, person: str) -> None:
        """Look the person up off the UI thread (it asks the database), then show them."""
        try:
            services = for_person(self.context.services, person)
        except HiptrackError as err:
            self.call_from_thread(self.notify, str(err), title="Cannot switch person", severity="error")
            return
        self.call_from_thread(self._show_person, services)

    def _show_person(self, services: Services) -> None:
        """Every section reloads: the current one now, the others when next shown."""
        person = services.person
        self.context.services = services
        self.context.data.bump()
        self.notify(f"Showing {person}'s sessions", title="Person")
        if isinstance(self.screen, DataScreen):
            self.screen.reload_if_stale()
