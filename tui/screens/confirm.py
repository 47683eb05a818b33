"""A yes/no question before something that cannot be taken back: y or Enter answers yes, n or Esc no."""

from __future__ import annotations

from textual.binding import Binding

from tui.screens.question import Answer, QuestionScreen


class ConfirmScreen(QuestionScreen[bool]):
    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]
    AUTO_FOCUS = "#no"
    """The safe answer has the focus: Enter on a stray key press keeps the data."""

    def __init__(self, title: str, question: str, yes: str) -> None:
        super().__init__(title, "y yes · n/esc no", question,
                         [Answer(True, yes, "yes", destructive=True), Answer(False, "Keep", "no")])
