"""Asked when `q` would close a recording under a minute old: save it, discard it, or keep recording.

Why: a stray `q` a few seconds in used to store a session at once, and a 4-second 'session' then
sat in every trend, adherence count and alert until deleted by hand.
"""

from __future__ import annotations

from typing import Literal

from textual.binding import Binding

from tui.screens.question import Answer, QuestionScreen

ShortAnswer = Literal["save", "discard", "keep"]

SHORT_RECORDING_S = 60.0
"""Closing a recording younger than this asks first; a longer one is saved as before."""


class ShortRecordingScreen(QuestionScreen[ShortAnswer]):
    BINDINGS = [Binding("s", "answer('save')", "Save"), Binding("d", "answer('discard')", "Discard"),
                Binding("escape,k", "answer('keep')", "Keep recording")]
    AUTO_FOCUS = "#keep"
    """The safe answer has the focus: Enter on a stray key press keeps recording."""

    def __init__(self, elapsed_s: float) -> None:
        minutes, seconds = divmod(int(elapsed_s), 60)
        answers: list[Answer[ShortAnswer]] = [
            Answer("save", "Save", "save"), Answer("discard", "Discard", "discard", destructive=True),
            Answer("keep", "Keep recording", "keep")]
        super().__init__(
            "Stop after only a few seconds?", "s save · d discard · esc keep recording",
            f"This recording is {minutes}:{seconds:02d} long. Save it as a session (it will count in your trends "
            "and plan), or discard it?", answers)
