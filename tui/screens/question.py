"""A modal question with a few labelled answers, the safe one focused.

Why one base: every question the app asks before losing or keeping data looks and behaves the same way
(a warning box in the middle, one key per answer, Enter on the focused safe answer), so a person learns it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

AnswerT = TypeVar("AnswerT")


@dataclass(frozen=True)
class Answer(Generic[AnswerT]):
    value: AnswerT
    label: str
    button_id: str
    """Also the id AUTO_FOCUS names for the safe answer."""
    destructive: bool = False


class QuestionScreen(ModalScreen[AnswerT]):
    DEFAULT_CSS = """
    QuestionScreen { align: center middle; }
    QuestionScreen > #question-box {
        width: 64; max-width: 100%; height: auto; border: round $warning; background: $surface; padding: 0 1;
    }
    QuestionScreen #question { width: 100%; height: auto; }
    QuestionScreen .buttons { height: auto; margin-top: 1; }
    QuestionScreen .buttons Button { margin-right: 2; }
    """

    def __init__(self, title: str, keys_hint: str, question: str, answers: list[Answer[AnswerT]]) -> None:
        super().__init__()
        self._title = title
        self._keys_hint = keys_hint
        self._question = question
        self._answers = {answer.button_id: answer for answer in answers}

    def compose(self) -> ComposeResult:
        with Vertical(id="question-box") as box:
            box.border_title = self._title
            box.border_subtitle = self._keys_hint
            yield Static(Content(self._question), id="question")
            with Horizontal(classes="buttons"):
                for answer in self._answers.values():
                    yield Button(answer.label, variant="error" if answer.destructive else "default",
                                 id=answer.button_id, compact=True)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id in self._answers:
            self.dismiss(self._answers[event.button.id].value)

    def action_answer(self, value: AnswerT) -> None:
        self.dismiss(value)
