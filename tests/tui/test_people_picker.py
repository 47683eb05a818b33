"""The dashboard's person picker (p): each person's sessions and progress, never another's, via Textual's pilot."""

from __future__ import annotations

from pathlib import Path

from helpers.tui_history import NOW, no_bluetooth, settle
from textual.widgets import DataTable, OptionList

from tracker.domain import Side
from tracker.services import Services, for_person, import_csv
from tui.app import HiptrackApp
from tui.screens.person_picker import PersonPickerScreen
from tui.widgets.section_bar import SectionBar

DATA = Path(__file__).parents[1] / "data"


async def test_the_picker_shows_one_person_at_a_time(history: Services) -> None:
    history.store.people.add("p07")
    theirs = await import_csv(for_person(history, "p07"), DATA / "ride_right.csv", "ride", Side.RIGHT, NOW)
    mine = {s.id for s in history.store.sessions.summaries()}
    assert theirs not in mine and len(mine) == 12

    app = HiptrackApp(history, clock=lambda: NOW, scanner=no_bluetooth, section="sessions")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 12 and "p07" not in app.screen.query_one(SectionBar).render().plain

        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PersonPickerScreen)
        assert app.screen.query_one(OptionList).option_count == 2           # default and p07
        await pilot.press("down", "enter")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert [int(str(table.get_row_at(i)[0])) for i in range(table.row_count)] == [theirs]
        assert "p07" in app.screen.query_one(SectionBar).render().plain

        await pilot.press("h")                                               # home: p07's progress only
        await settle(pilot)
        motions = app.screen.query_one("#motions", OptionList)
        assert motions.option_count == 1 and "Bike ride" in str(motions.get_option_at_index(0).prompt)

        await pilot.press("p")
        await settle(pilot)
        await pilot.press("up", "enter")                                     # back to the default person
        await settle(pilot)
        assert app.screen.query_one("#motions", OptionList).option_count == 3
        await pilot.press("s")
        await settle(pilot)
        assert app.screen.query_one(DataTable).row_count == 12
