"""From the record form to the live recording screen (which another module owns).

Why a hook of its own: the dashboard only knows what the person chose; how a recording runs and is
shown live belongs to `tui.screens.live_recording`, whose `LiveRecordingScreen(services, request)` gets the
choice as its request. Until that module is present, the hook says so instead of failing.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from textual.app import App

from tracker.domain import Placement, Side
from tracker.sensor_families import simulator_choices
from tui.context import DashboardContext
from tui.screens.base import DataScreen

LIVE_MODULE = "tui.screens.live_recording"

BLUETOOTH = "bluetooth"
"""The record form's choice for the real sensors assigned on the Devices screen."""

SENSOR_CHOICES = tuple(simulator_choices())
"""Sensor profiles the simulator can speak, from the discovered families (real Bluetooth sensors are chosen on the
Devices screen)."""


@dataclass(frozen=True, slots=True)
class RecordingChoice:
    """What the record form asks: the exercise, the side, and which (simulated) sensor to read.

    The live screen's recording request: it reads these fields (`profile` as in
    `services.simulated_notification_source`, `seed` for the simulator).
    """

    exercise_id: str
    side: Side
    profile: str = "simulated"
    seed: int = 1
    sensors: tuple[tuple[Placement, str], ...] = ()
    """With profile BLUETOOTH: where each real sensor is strapped, by address (or a unique part of its name)."""


def open_live_recording(app: App[None], context: DashboardContext, choice: RecordingChoice) -> None:
    """Push the live recording screen for `choice`; reload every screen's data when it closes."""
    try:
        live = importlib.import_module(LIVE_MODULE)
    except ModuleNotFoundError as err:
        if err.name != LIVE_MODULE:          # the module is there but broken: that must not be hidden
            raise
        live = None
    screen_class = getattr(live, "LiveRecordingScreen", None)
    if screen_class is None:
        app.notify("The live recording screen is not in this build yet. Record from the command line: "
                   f"hiptrack record --exercise {choice.exercise_id} --side {choice.side.value} --simulate",
                   title="Record", severity="warning", timeout=8)
        return
    app.push_screen(screen_class(context.services, choice), lambda _result: _recorded(app, context))


def _recorded(app: App[None], context: DashboardContext) -> None:
    context.data.bump()
    if isinstance(app.screen, DataScreen):
        app.screen.reload_if_stale()
