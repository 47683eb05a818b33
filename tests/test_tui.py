"""The Textual app, driven by Textual's own pilot against a real database, plus a snapshot."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Static

from sensors.simulator import Dose, SimOptions
from tracker.domain import Side
from tracker.services import Services, build_services, record_simulated
from tui.app import HiptrackApp

OPTIONS = SimOptions(dose=Dose(sets=1, reps=2, hold_s=4.0))


async def _two_sessions(svc: Services) -> None:
    await record_simulated(svc, "seated_hip_internal_rotation", Side.LEFT, 1, options=OPTIONS,
                           started_at=datetime(2026, 3, 1, 18, 0, tzinfo=UTC))
    await record_simulated(svc, "couch_stretch", Side.RIGHT, 2, options=OPTIONS,
                           started_at=datetime(2026, 3, 2, 18, 0, tzinfo=UTC))


async def test_sessions_table_lists_what_is_stored_and_shows_results(svc: Services) -> None:
    await _two_sessions(svc)
    app = HiptrackApp(svc)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        table = app.query_one(DataTable)
        assert table.row_count == 2
        assert table.get_row_at(0)[2] == "couch_stretch"           # newest first
        assert "2 sessions in hiptrack.db" in str(app.query_one("#status", Static).render())
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert "extension" in str(app.query_one("#detail", Static).render())    # couch: a hold in extension
        await pilot.press("down")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        detail = str(app.query_one("#detail", Static).render())
        assert "seated_hip_internal_rotation" in detail and "internal rotation" in detail
        await pilot.press("q")


async def test_empty_database_says_what_to_do(svc: Services) -> None:
    app = HiptrackApp(svc)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert "hiptrack demo" in str(app.query_one("#status", Static).render())


def test_sessions_screen_snapshot(snap_compare: Any, tmp_path: Path) -> None:
    import asyncio

    services = build_services(f"sqlite:///{tmp_path / 'hiptrack.db'}")
    asyncio.run(_two_sessions(services))

    async def settle(pilot: Any) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(HiptrackApp(services), terminal_size=(120, 30), run_before=settle)
    services.close()
