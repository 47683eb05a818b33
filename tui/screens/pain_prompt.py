"""After a set: how much pain, 0–10, with an optional note — and the red flags beside it (SPEC §7).

The red flags are shown wherever pain is logged because seed 004 names signs that need a doctor
soon whatever the score; hiptrack informs, it never diagnoses.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.validation import Integer
from textual.widgets import Button, Input, Label, Static

from tracker.catalog import RED_FLAGS


@dataclass(frozen=True, slots=True)
class PainAnswer:
    score: int
    """0 no pain … 10 worst imaginable."""
    note: str | None


class PainPromptScreen(ModalScreen[PainAnswer | None]):
    BINDINGS = [Binding("escape", "skip", "Skip")]
    AUTO_FOCUS = "#pain-score"
    """Textual focuses it once the screen is composed (a query in on_mount could run before that under load)."""
    DEFAULT_CSS = """
    PainPromptScreen { align: center middle; }
    PainPromptScreen > #pain-form {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    PainPromptScreen #pain-score { width: 12; }
    PainPromptScreen #pain-note { width: 1fr; }
    PainPromptScreen #red-flags { color: $text-warning; margin-top: 1; }
    PainPromptScreen .buttons { height: auto; margin-top: 1; }
    PainPromptScreen .buttons Button { margin-right: 2; }
    """

    def __init__(self, set_number: int | None = None) -> None:
        super().__init__()
        self._set_number = set_number
        """1-based set the score is for; None for the session as a whole."""

    def compose(self) -> ComposeResult:
        with Vertical(id="pain-form") as form:
            form.border_title = "How is the hip?"
            form.border_subtitle = "enter save · tab next · esc skip"
            yield Label(f"Pain during set {self._set_number}, 0 (none) to 10 (worst)?" if self._set_number
                        else "Pain during this session, 0 (none) to 10 (worst)?")
            with Horizontal(classes="buttons"):
                yield Input(placeholder="0–10", type="integer", max_length=2, id="pain-score",
                            validators=[Integer(minimum=0, maximum=10)])
                yield Input(placeholder="note (optional)", id="pain-note")
            yield Static("See a doctor soon if you notice any of these:\n"
                         + "\n".join(f"• {flag}" for flag in RED_FLAGS), id="red-flags")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save", compact=True)
                yield Button("Skip", id="skip", compact=True)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        score = self.query_one("#pain-score", Input)
        result = score.validate(score.value)
        if not score.value or (result is not None and not result.is_valid):
            score.focus()
            self.notify("Type a whole number from 0 to 10.", severity="warning", timeout=3)
            return
        note = self.query_one("#pain-note", Input).value.strip()
        self.dismiss(PainAnswer(int(score.value), note or None))

    @on(Button.Pressed, "#skip")
    def action_skip(self) -> None:
        self.dismiss(None)
