"""A small form to add an exercise to the plan: which side, and an optional target angle."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from tracker.catalog import Exercise
from tracker.plans import PLAN_SIDES


@dataclass(frozen=True, slots=True)
class PlanChoice:
    exercise_id: str
    side: str
    target_deg: float | None = None


class PlanFormScreen(ModalScreen[PlanChoice | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, exercise: Exercise) -> None:
        super().__init__()
        self._exercise = exercise

    def compose(self) -> ComposeResult:
        with Vertical(id="form", classes="form"):
            yield Label(f"Add [b]{self._exercise.name}[/b] to the plan, with the source's dose")
            yield Label("Side")
            yield Select([(side, side) for side in PLAN_SIDES], value="both", allow_blank=False, id="side",
                         compact=True)
            yield Label("Target angle (°, optional)")
            yield Input(type="number", placeholder="e.g. 35", id="target", compact=True)
            with Horizontal(classes="buttons"):
                yield Button("Add", variant="primary", id="add", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#form").border_subtitle = "tab next · enter choose · esc cancel"
        self.query_one("#form").border_title = "Add to plan"
        self.query_one("#side").focus()

    @on(Button.Pressed, "#add")
    @on(Input.Submitted, "#target")
    def _add(self) -> None:
        side = self.query_one("#side", Select).value
        text = self.query_one("#target", Input).value.strip()
        try:
            target = float(text) if text else None
        except ValueError:
            self.notify(f"{text!r} is not a number of degrees", severity="error")
            return
        self.dismiss(PlanChoice(self._exercise.id, str(side), target))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
