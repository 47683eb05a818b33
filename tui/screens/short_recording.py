"""Asked when `q` would close a recording under a minute old: save it, discard it, or keep recording.

Why: a stray `q` a few seconds in used to store a session at once, and a 4-second 'session' then
sat in every trend, adherence count and alert until deleted by hand.
"""

from __future__ import annotations

from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

ShortAnswer = Literal["save", "discard", "keep"]

SHORT_RECORDING_S = 60.0
"""Closing a recording younger than this asks first; a longer one is saved as before."""


class ShortRecordingScreen(ModalScreen[ShortAnswer]):
    BINDINGS = [Binding("s", "answer('save')", "Save"), Binding("d", "answer('discard')", "Discard"),
                Binding("escape,k", "answer('keep')", "Keep recording")]
    AUTO_FOCUS = "#keep"
    """The safe answer has the focus: Enter on a stray key press keeps recording."""
    DEFAULT_CSS = """
    ShortRecordingScreen { align: center middle; }
    ShortRecordingScreen > #short {
        width: 64; max-width: 100%; height: auto; border: round $warning; background: $surface; padding: 0 1;
    }
    ShortRecordingScreen #question { width: 100%; height: auto; }
    ShortRecordingScreen .buttons { height: auto; margin-top: 1; }
    ShortRecordingScreen .buttons Button { margin-right: 2; }
    """

    def __init__(self, elapsed_s: float) -> None:
        super().__init__()
        self._elapsed_s = elapsed_s

    def compose(self) -> ComposeResult:
        minutes, seconds = divmod(int(self._elapsed_s), 60)
        with Vertical(id="short") as box:
            box.border_title = "Stop after only a few seconds?"
            box.border_subtitle = "s save · d discard · esc keep recording"
            yield Static(Content(f"This recording is {minutes}:{seconds:02d} long. Save it as a session (it will "
                                 "count in your trends and plan), or discard it?"), id="question")
            with Horizontal(classes="buttons"):
                yield Button("Save", id="save", compact=True)
                yield Button("Discard", variant="error", id="discard", compact=True)
                yield Button("Keep recording", id="keep", compact=True)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)  # type: ignore[arg-type]

    def action_answer(self, answer: ShortAnswer) -> None:
        self.dismiss(answer)
