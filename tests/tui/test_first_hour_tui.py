"""Dashboard parts of a new user's first hour (issue 18), through Textual's pilot on a real database:
the record form starts on what the person is looking at, and a wrong side is said on the session.
"""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

from helpers import DATA
from helpers.tui_history import NOW, settle
from textual.widgets import OptionList, Select, Static

from tracker.domain import Side
from tracker.imu_csv import read_imu_csv
from tracker.services import Services, import_samples
from tui.app import HiptrackApp
from tui.labels import even_ticks, time_ticks
from tui.screens.record_form import RecordFormScreen
from tui.screens.session_detail import SessionDetailScreen
from tui.widgets.session_chart import SessionChart


def _app(services: Services, section: str) -> HiptrackApp:
    return HiptrackApp(services, clock=lambda: NOW, section=section)


def _form_choice(app: HiptrackApp) -> tuple[object, object]:
    form = app.screen
    assert isinstance(form, RecordFormScreen)
    return form.query_one("#exercise", Select).value, form.query_one("#side", Select).value


async def test_record_from_the_sessions_list_starts_on_the_selected_session(history: Services) -> None:
    app = _app(history, "sessions")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")                          # the newest session is the right-side ride
        await settle(pilot)
        assert _form_choice(app) == ("ride", Side.RIGHT)
        await pilot.press("escape", "down", "r")        # the one below: the hamstring stretch, left
        await settle(pilot)
        assert _form_choice(app) == ("hamstring_strap_stretch", Side.LEFT)


async def test_record_from_the_catalogue_starts_on_the_highlighted_exercise(history: Services) -> None:
    app = _app(history, "exercises")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        catalogue = app.screen.query_one("#catalogue", OptionList)
        catalogue.highlighted = next(i for i in range(catalogue.option_count)
                                     if catalogue.get_option_at_index(i).id == "couch_stretch")
        await pilot.press("r")
        await settle(pilot)
        assert _form_choice(app) == ("couch_stretch", Side.LEFT)


async def test_record_from_home_starts_on_the_highlighted_motion_elsewhere_on_the_plan(history: Services) -> None:
    app = _app(history, "home")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        home = app.screen
        motions = home.query_one("#motions", OptionList)
        for index in range(motions.option_count):
            motions.highlighted = index
            (exercise, _motion), sides = home._groups[index]  # type: ignore[attr-defined]
            await pilot.press("r")
            await settle(pilot)
            assert _form_choice(app) == (exercise, Side(next(iter(sides))) if len(sides) == 1 else Side.LEFT)
            await pilot.press("escape")
        await pilot.press("d", "r")                     # Devices shows no exercise: the plan's is the default
        await settle(pilot)
        assert _form_choice(app)[0] == "seated_hip_internal_rotation"          # not the catalogue's first (90/90)


async def test_a_session_analysed_as_the_wrong_side_says_so_on_its_page(history: Services) -> None:
    samples = read_imu_csv(DATA / "seated_ir_left.csv")
    session_id = await import_samples(history, samples, "seated_ir_left.csv", "seated_hip_internal_rotation",
                                      Side.RIGHT, NOW - timedelta(hours=1))
    app = _app(history, "sessions")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.push_screen(SessionDetailScreen(app.context, session_id))
        await settle(pilot)
        info = str(app.screen.query_one("#info", Static).render())
        assert "⚠ internal rotation went the wrong way" in info and "other thigh" in info


# -- pictures -------------------------------------------------------------------------------------------------------
def test_time_ticks_read_like_a_clock_and_angle_ticks_step_evenly() -> None:
    assert time_ticks(0.0, 2700.2, 6) == ([0.0, 600.0, 1200.0, 1800.0, 2400.0],
                                          ["0:00", "10:00", "20:00", "30:00", "40:00"])
    assert time_ticks(0.0, 4000.0, 5)[1] == ["0:00", "15:00", "30:00", "45:00", "1:00:00"]
    for low, high, count in ((-3.7, 40.2, 4), (10.0, 90.0, 3), (68.0, 92.0, 2), (28.1, 31.5, 4), (-1.0, 37.0, 2)):
        ticks = even_ticks(low, high, count)
        steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
        assert len(ticks) >= 2 and len(steps) == 1, (low, high, ticks)
        assert low <= ticks[0] and ticks[-1] <= high


def _plot_text(chart: SessionChart) -> list[str]:
    return str(chart.render()).splitlines()


async def test_a_ride_is_drawn_on_a_clock_axis_and_all_its_angles_are_lines_not_a_block(history: Services) -> None:
    ride = next(s for s in history.store.sessions.summaries() if s.exercise == "ride")
    app = _app(history, "sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(SessionDetailScreen(app.context, ride.id))
        await settle(pilot)
        chart = app.screen.query_one(SessionChart)
        axis = _plot_text(chart)[-1]
        assert re.search(r"\b0:[0-5]\d\b", axis) and "." not in axis, axis
        await pilot.press("a")
        await settle(pilot)
        inside = [line[line.index("│") + 1:line.rindex("│")] for line in _plot_text(chart) if line.count("│") >= 2]
        drawn = sum(ch != " " for line in inside for ch in line) / sum(len(line) for line in inside)
        assert drawn < 0.3, f"{drawn:.0%} of the plot inked"        # three lines, not one block
