"""Every dashboard screen as SVG snapshots at 80×24 (home also at 140×40), on the fixed history.

Deterministic: fixed seeds and start times, a frozen 'now', local time pinned to UTC, no Bluetooth
(a fake scanner). Update after an intended UI change with `pytest tests/test_tui_snapshots.py --snapshot-update`
and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from helpers.tui_history import NOW, no_bluetooth, settle
from textual.pilot import Pilot
from textual.widgets import Input, Select

from tracker.domain import Side
from tracker.services import Services
from tui.app import HiptrackApp
from tui.screens.session_detail import SessionDetailScreen

NARROW = (80, 24)
WIDE = (140, 40)

Snap = Callable[..., bool]


def app_for(services: Services, section: str = "home") -> HiptrackApp:
    return HiptrackApp(services, clock=lambda: NOW, scanner=no_bluetooth, section=section)


def then(*steps: Callable[[Pilot[Any]], Awaitable[None]]) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Settle, run each step, settle again: what to do before the screenshot."""
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for step in steps:
            await step(pilot)
            await settle(pilot)
    return run


async def press_end(pilot: Pilot[Any]) -> None:
    await pilot.press("end")                      # the motions list: internal rotation, left and right


def test_home_narrow(snap_compare: Snap, history: Services) -> None:
    assert snap_compare(app_for(history), terminal_size=NARROW, run_before=then(press_end))


def test_home_wide(snap_compare: Snap, history: Services) -> None:
    assert snap_compare(app_for(history), terminal_size=WIDE, run_before=then(press_end))


def test_home_light_theme(snap_compare: Snap, history: Services) -> None:
    async def light(pilot: Pilot[Any]) -> None:
        await pilot.press("t")

    assert snap_compare(app_for(history), terminal_size=NARROW, run_before=then(press_end, light))


def test_home_empty(snap_compare: Snap, svc: Services) -> None:
    assert snap_compare(app_for(svc), terminal_size=NARROW, run_before=then())


def test_sessions(snap_compare: Snap, history: Services) -> None:
    assert snap_compare(app_for(history, "sessions"), terminal_size=NARROW, run_before=then())


def test_sessions_filtered(snap_compare: Snap, history: Services) -> None:
    async def filtered(pilot: Pilot[Any]) -> None:
        pilot.app.screen.query_one("#side", Select).value = Side.RIGHT
        pilot.app.screen.query_one("#days", Input).value = "2026-01"

    assert snap_compare(app_for(history, "sessions"), terminal_size=NARROW, run_before=then(filtered))


def test_session_detail(snap_compare: Snap, history: Services) -> None:
    first = history.store.sessions.summaries()[0]

    async def open_first(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, HiptrackApp)
        await app.push_screen(SessionDetailScreen(app.context, first.id))

    assert snap_compare(app_for(history, "sessions"), terminal_size=NARROW, run_before=then(open_first))


def test_ride_detail(snap_compare: Snap, history: Services) -> None:
    ride = next(s for s in history.store.sessions.summaries() if s.exercise == "ride")

    async def open_ride(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, HiptrackApp)
        await app.push_screen(SessionDetailScreen(app.context, ride.id))

    assert snap_compare(app_for(history, "sessions"), terminal_size=NARROW, run_before=then(open_ride))


def test_exercises_and_plan(snap_compare: Snap, history: Services) -> None:
    assert snap_compare(app_for(history, "exercises"), terminal_size=NARROW, run_before=then())


def test_add_to_plan_form(snap_compare: Snap, history: Services) -> None:
    async def add(pilot: Pilot[Any]) -> None:
        await pilot.press("down", "a")

    assert snap_compare(app_for(history, "exercises"), terminal_size=NARROW, run_before=then(add))


def test_devices_without_bluetooth(snap_compare: Snap, history: Services) -> None:
    assert snap_compare(app_for(history, "devices"), terminal_size=NARROW, run_before=then())


def test_record_form(snap_compare: Snap, history: Services) -> None:
    async def record(pilot: Pilot[Any]) -> None:
        await pilot.press("r")

    assert snap_compare(app_for(history), terminal_size=NARROW, run_before=then(record))
