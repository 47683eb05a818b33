"""The Textual app, driven by Textual's own pilot against a real database."""

from __future__ import annotations

import asyncio

from textual.widgets import DataTable, Static

from tracker.domain import Side
from tracker.services import Services, record_simulated
from tui.app import HiptrackApp


async def test_sessions_table_lists_what_is_stored(svc: Services) -> None:
    from sensors.simulator import Dose, SimOptions

    options = SimOptions(dose=Dose(sets=1, reps=2, hold_s=4.0))
    await record_simulated(svc, "seated_hip_internal_rotation", Side.LEFT, 1, options=options)
    await record_simulated(svc, "couch_stretch", Side.RIGHT, 2, options=options)
    app = HiptrackApp(svc)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        table = app.query_one(DataTable)
        assert table.row_count == 2
        assert table.get_row_at(0)[2] == "couch_stretch"           # newest first
        assert "2 sessions" in str(app.query_one("#status", Static).render())
        await pilot.press("q")
    await asyncio.sleep(0)


async def test_empty_database_says_what_to_do(svc: Services) -> None:
    app = HiptrackApp(svc)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert "hiptrack demo" in str(app.query_one("#status", Static).render())
