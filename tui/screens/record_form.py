"""Before a live recording: which exercise, which side, which sensor (simulated, or those assigned on Devices)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select

from tracker import catalog
from tracker.domain import Placement, Side, thigh_of
from tui.context import DashboardContext
from tui.recording import BLUETOOTH, SENSOR_CHOICES, RecordingChoice
from tui.screens.base import RecordDefault


class RecordFormScreen(ModalScreen[RecordingChoice | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, context: DashboardContext, default: RecordDefault | None = None) -> None:
        super().__init__()
        self._dashboard = context
        self._default = default
        """The exercise and side to start on: what the person had selected, or their plan's."""

    def compose(self) -> ComposeResult:
        with Vertical(id="form", classes="form"):
            yield Label("Exercise")
            exercise, side = self._default if self._default is not None else (catalog.EXERCISES[0].id, None)
            yield Select([(e.name, e.id) for e in catalog.EXERCISES], value=exercise,
                         allow_blank=False, id="exercise",
                         compact=True)
            yield Label("Side")
            yield Select([("left", Side.LEFT), ("right", Side.RIGHT)], value=side or Side.LEFT, allow_blank=False,
                         id="side", compact=True)
            yield Label("Sensor")
            choices = [(label, name) for name, label in SENSOR_CHOICES]
            if self._dashboard.placements:
                choices.insert(0, (f"Bluetooth: {self._assigned()}", BLUETOOTH))
            yield Select(choices, value=choices[0][1], allow_blank=False, id="sensor", compact=True)
            with Horizontal(classes="buttons"):
                yield Button("Start", variant="primary", id="start", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#form").border_subtitle = "tab next · enter choose · esc cancel"
        self.query_one("#form").border_title = "Record a session"
        self.query_one("#exercise").focus()

    @on(Button.Pressed, "#start")
    def _start(self) -> None:
        exercise = self.query_one("#exercise", Select).value
        side = self.query_one("#side", Select).value
        sensor = self.query_one("#sensor", Select).value
        seed = int(self._dashboard.clock().timestamp()) % 100_000     # a new simulated session each time
        sensors = tuple((placement, address) for address, placement in self._dashboard.placements.items())
        if sensor == BLUETOOTH and thigh_of(Side(str(side))) not in {placement for placement, _ in sensors}:
            self.notify(f"No sensor is assigned to the {side} thigh: assign one on Devices (d), or pick the other "
                        "side.", severity="warning")
            return
        self.dismiss(RecordingChoice(str(exercise), Side(str(side)), str(sensor), seed,
                                     sensors if sensor == BLUETOOTH else ()))

    def _assigned(self) -> str:
        words = {Placement.LEFT_THIGH: "left thigh", Placement.RIGHT_THIGH: "right thigh", Placement.PELVIS: "pelvis"}
        return ", ".join(f"{words[placement]} {address}" for address, placement in self._dashboard.placements.items())

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
