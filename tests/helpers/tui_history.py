"""A small, fixed history for the dashboard's tests: simulated sessions with fixed seeds and start times.

Built once per test run (about 4 s, tests/tui/conftest.py) and copied for each test, so every test starts from the same
database and snapshots only change when the UI does.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from helpers.live_sources import StallingSource
from sensors.simulator import Dose, SimOptions
from tracker.domain import Side
from tracker.plans import default_item, edited
from tracker.services import Services, build_services, record_simulated
from tui.context import BluetoothUnavailableError, FoundSensor
from tui.screens.live_recording import LiveRecordingScreen

NOW = datetime(2026, 2, 5, 20, 0, tzinfo=UTC)
"""'Now' for every dashboard test: the Thursday evening of the history's last week."""
FIRST_DAY = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)

IR_LEFT_GAINS = (0.8, 0.9, 1.0, 1.1, 1.2)
IR_RIGHT_GAINS = (0.75, 0.8, 0.85, 0.9, 0.95)
PAIN_LEFT = (5, 4, 4, 3, 2)


async def record_history(services: Services) -> None:
    """Weekly seated internal rotation on both sides (left improving faster), a hamstring stretch, a ride."""
    for week, (left_gain, right_gain, pain) in enumerate(zip(IR_LEFT_GAINS, IR_RIGHT_GAINS, PAIN_LEFT,
                                                             strict=True)):
        day = FIRST_DAY + timedelta(days=7 * week)
        for side, gain, minutes in ((Side.LEFT, left_gain, 0), (Side.RIGHT, right_gain, 5)):
            options = SimOptions(dose=Dose(sets=1, reps=3, hold_s=4.0, range_gain=gain))
            session_id = await record_simulated(services, "seated_hip_internal_rotation", side, 100 + week + minutes,
                                                started_at=day + timedelta(minutes=minutes), options=options)
            if side is Side.LEFT:
                services.store.pain.add(session_id, pain, day + timedelta(minutes=4))
    await record_simulated(services, "hamstring_strap_stretch", Side.LEFT, 7, started_at=FIRST_DAY + timedelta(days=30),
                           options=SimOptions(dose=Dose(sets=1, reps=1, hold_s=15.0)))
    await record_simulated(services, "ride", Side.RIGHT, 3, started_at=FIRST_DAY + timedelta(days=31),
                           options=SimOptions(dose=Dose(ride_s=40.0)))
    services.store.plans.add(edited(default_item("seated_hip_internal_rotation", "both", FIRST_DAY),
                                        target_deg=40.0))


def build_template(path: Path) -> Path:
    services = build_services(f"sqlite:///{path}")
    asyncio.run(record_history(services))
    services.close()
    return path


def copy_of(template: Path, folder: Path) -> str:
    """A private copy of the template database; returns its URL."""
    target = folder / "hiptrack.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@contextmanager
def local_time_utc() -> Iterator[None]:
    """Calendar days and shown times are local: pin the zone so results do not depend on the machine."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers started by mounting, resuming or a key press finish, and their results be drawn."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def no_bluetooth(timeout_s: float) -> Sequence[FoundSensor]:
    """The dashboard's scanner on a machine without Bluetooth."""
    raise BluetoothUnavailableError("no Bluetooth adapter found. Linux: is bluetoothd running?")


async def recorded(pilot: Pilot[Any], app: App[Any], source: StallingSource) -> LiveRecordingScreen:
    """The live screen once the source has sent all it will and the session is stored."""
    screen = app.screen
    assert isinstance(screen, LiveRecordingScreen)
    await until(pilot, lambda: source.drained.is_set() and screen.session.snapshot.session_id is not None,
                "the samples recorded")
    return screen


async def until(pilot: Pilot[Any], condition: Callable[[], bool], what: str) -> None:
    """Let the app run until the condition holds (a bound on steps, not a timing assertion)."""
    for _ in range(3000):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")
