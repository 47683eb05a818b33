"""Whose sessions the dashboard shows: a list of the database's people (p opens it; Enter picks, Esc keeps).

Why a modal and no always-visible control: a single user has only the default person and should
never see people at all; a physiotherapist presses p to change patient.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tracker.errors import HiptrackError
from tracker.storage.people_repository import PersonSummary
from tui.context import DashboardContext


class PersonPickerScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Keep")]
    DEFAULT_CSS = """
    PersonPickerScreen { align: center middle; }
    PersonPickerScreen > #people-box {
        width: 48; max-width: 100%; height: auto; max-height: 80%; border: round $primary; background: $surface;
    }
    PersonPickerScreen OptionList { height: auto; max-height: 20; }
    """

    def __init__(self, context: DashboardContext) -> None:
        super().__init__()
        self._dashboard = context

    def compose(self) -> ComposeResult:
        with Vertical(id="people-box") as box:
            box.border_title = "Whose sessions"
            box.border_subtitle = "enter pick · esc keep"
            yield OptionList(id="people")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="people")
    def load(self) -> None:
        try:
            people = self._dashboard.services.store.people.summaries()
        except HiptrackError as err:
            self.app.call_from_thread(self.notify, str(err), title="Cannot list people", severity="error")
            return
        self.app.call_from_thread(self._show, people)

    def _show(self, people: list[PersonSummary]) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        current = self._dashboard.services.person
        options.add_options([Option(Content(f"{'●' if p.name == current else ' '} {p.name}  ({p.sessions} "
                                            f"session{'' if p.sessions == 1 else 's'})"), id=p.name)
                             for p in people])
        options.highlighted = next((k for k, p in enumerate(people) if p.name == current), 0)
        options.focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
