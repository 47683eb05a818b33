"""A yes/no question before something that cannot be taken back: y or Enter answers yes, n or Esc no."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]
    AUTO_FOCUS = "#no"
    """The safe answer has the focus: Enter on a stray key press keeps the data."""
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > #confirm {
        width: 64; max-width: 100%; height: auto; border: round $warning; background: $surface; padding: 0 1;
    }
    ConfirmScreen #question { width: 100%; height: auto; }
    ConfirmScreen .buttons { height: auto; margin-top: 1; }
    ConfirmScreen .buttons Button { margin-right: 2; }
    """

    def __init__(self, title: str, question: str, yes: str) -> None:
        super().__init__()
        self._title = title
        self._question = question
        self._yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm") as box:
            box.border_title = self._title
            box.border_subtitle = "y yes · n/esc no"
            yield Static(Content(self._question), id="question")
            with Horizontal(classes="buttons"):
                yield Button(self._yes, variant="error", id="yes", compact=True)
                yield Button("Keep", id="no", compact=True)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
