"""The dashboard driven by Textual's pilot against a real database with a fixed history (helpers/tui_history.py)."""

from __future__ import annotations

import sys
import types
from collections.abc import Sequence
from pathlib import Path

import pytest
from helpers.tui_history import NOW, no_bluetooth, settle
from textual.screen import Screen
from textual.widgets import DataTable, Input, OptionList, Select, Static

from tracker.domain import Placement, Side
from tracker.norms import typical_band
from tracker.progress import load_report
from tracker.services import Services
from tui.app import HiptrackApp
from tui.context import FoundSensor, Scanner
from tui.recording import RecordingChoice
from tui.screens.devices import DevicesScreen
from tui.screens.exercises import ExercisesScreen
from tui.screens.home import HomeScreen
from tui.screens.plan_form import PlanFormScreen
from tui.screens.record_form import RecordFormScreen
from tui.screens.session_detail import SessionDetailScreen
from tui.screens.sessions import SessionsScreen
from tui.widgets.adherence_calendar import AdherenceCalendar
from tui.widgets.pain_strip import PainStrip
from tui.widgets.session_chart import SessionChart
from tui.widgets.trend_chart import TrendChart

SENSORS = (FoundSensor("C0:11:22:33:44:55", "WT901BLE68", "witmotion", -48, 80),
           FoundSensor("D4:22:CD:00:00:01", "Movella DOT", "movella-dot", -61, None))


async def two_sensors(timeout_s: float) -> Sequence[FoundSensor]:
    return SENSORS


def make_app(services: Services, section: str = "home", scanner: Scanner = no_bluetooth) -> HiptrackApp:
    return HiptrackApp(services, clock=lambda: NOW, scanner=scanner, section=section)


async def test_home_shows_every_tracked_motion_the_calendar_pain_and_alerts(history: Services) -> None:
    report = load_report(history.store, NOW)
    app = make_app(history)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        motions = screen.query_one("#motions", OptionList)
        assert motions.option_count == len({(i.exercise, i.motion) for i in report.items}) == 3
        await pilot.press("end")
        await pilot.pause()
        trend = screen.query_one(TrendChart).trend
        assert trend is not None and trend.title.startswith("Seated hip internal rotation")
        assert [side for side, points in trend.series] == ["left", "right"]
        assert [len(points) for _, points in trend.series] == [5, 5]
        assert trend.band == typical_band("seated_hip_internal_rotation", "internal_rotation")
        assert trend.target_deg == 40.0
        assert screen.query_one(AdherenceCalendar).weeks_shown() >= 5
        assert screen.query_one("#week").border_subtitle == "this wk 1/2 · streak 0 wk"
        assert "Pain 2/10 now · 4.5 first week → 2.5 last" in str(screen.query_one("#pain", Static).render())
        assert screen.query_one(PainStrip).render().plain.endswith("▅▄▄▃▂")
        alerts = str(screen.query_one("#alerts", Static).render())
        assert report.alerts and all(alert.message in alerts for alert in report.alerts)


async def test_section_keys_switch_screens_and_each_keeps_its_state(history: Services) -> None:
    app = make_app(history)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        home = app.screen
        for key, kind in (("s", SessionsScreen), ("e", ExercisesScreen), ("d", DevicesScreen), ("h", HomeScreen)):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, kind)
        assert app.screen is home
        await pilot.press("q")
    assert app.return_code == 0


async def test_sessions_filter_by_exercise_side_and_date(history: Services) -> None:
    app = make_app(history, section="sessions")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 12
        assert table.get_row_at(0)[2] == "Bike ride"                  # newest first
        app.screen.query_one("#exercise", Select).value = "ride"
        await pilot.pause()
        assert table.row_count == 1
        app.screen.query_one("#exercise", Select).clear()
        app.screen.query_one("#side", Select).value = Side.LEFT
        await pilot.pause()
        assert table.row_count == 6 and {table.get_row_at(i)[3] for i in range(6)} == {"left"}
        await pilot.press("slash", *"2026-01-12..2026-01-19")           # typed, as a person would
        await pilot.pause()
        assert [table.get_row_at(i)[1] for i in range(table.row_count)] == ["19 Jan 2026 18:00", "12 Jan 2026 18:00"]
        status = app.screen.query_one("#status", Static)
        assert "2 of 12 sessions in hiptrack.db" in str(status.render())
        await pilot.press("backspace", "backspace", "3")                # 2026-01-13: the range ends before it starts
        await pilot.pause()
        assert "ends before it starts" in str(status.render()) and table.row_count == 2
        await pilot.press("enter", "escape")                            # back to the table, then clear filters
        await pilot.pause()
        assert table.row_count == 12 and app.screen.query_one("#days", Input).value == ""


async def test_enter_opens_a_session_with_its_trace_holds_and_reps(history: Services) -> None:
    first = next(s for s in history.store.sessions.summaries() if s.side is Side.LEFT)
    app = make_app(history, section="sessions")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.screen.query_one("#days", Input).value = "2026-01-05"
        app.screen.query_one("#side", Select).value = Side.LEFT
        await pilot.pause()
        await pilot.press("enter")                                     # the table has focus
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, SessionDetailScreen) and detail.session_id == first.id
        info = str(detail.query_one("#info", Static).render())
        assert "Seated hip internal rotation · left · Mon 05 Jan 2026 18:00" in info
        assert "3 reps in 1 set: 3" in info and "pain 5/10" in info and "notes: simulated, seed 100" in info
        chart = detail.query_one(SessionChart)
        view = chart._view
        assert view is not None and view.traces is not None and len(view.traces.time_s) <= 2000
        events = detail.query_one(DataTable)
        assert events.row_count == len(view.events) >= 4
        assert {events.get_row_at(i)[0] for i in range(events.row_count)} == {"rep", "hold"}
        await pilot.press("a")
        assert chart.all_angles
        await pilot.press("escape")
        assert isinstance(app.screen, SessionsScreen)


async def test_a_ride_shows_cadence_and_stroke_range(history: Services) -> None:
    ride = next(s for s in history.store.sessions.summaries() if s.exercise == "ride")
    app = make_app(history)
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(SessionDetailScreen(app.context, ride.id))
        await settle(pilot)
        view = app.screen.query_one(SessionChart)._view
        assert view is not None and view.strokes is not None and len(view.strokes.time_s) > 20
        assert 70 < float(view.strokes.cadence_rpm.mean()) < 100
        assert "Ride: " in str(app.screen.query_one("#info", Static).render())
        assert not app.screen.query_one(DataTable).display                # no holds or reps on a ride


async def test_adding_and_removing_plan_items(history: Services) -> None:
    app = make_app(history, section="exercises")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        catalogue = app.screen.query_one("#catalogue", OptionList)
        catalogue.highlighted = next(i for i in range(catalogue.option_count)
                                     if catalogue.get_option_at_index(i).id == "couch_stretch")
        await pilot.pause()
        assert "Couch stretch" in str(app.screen.query_one("#exercise", Static).render())
        await pilot.press("a")
        assert isinstance(app.screen, PlanFormScreen)
        app.screen.query_one("#side", Select).value = "left"
        app.screen.query_one("#target", Input).focus()
        await pilot.press("2", "0", "enter")
        await settle(pilot)
        items = history.store.plans.items()
        added = next(i for i in items if i.exercise_id == "couch_stretch")
        assert (added.side, added.target_deg, added.started_on) == ("left", 20.0, NOW)
        plan = app.screen.query_one("#plan", DataTable)
        assert plan.row_count == 2 and plan.get_row_at(1)[:2] == ["Couch stretch", "left"]

        await pilot.press("h")                                          # home follows the change
        await settle(pilot)
        assert app.screen.query_one("#week").border_subtitle == "this wk 1/5 · streak 0 wk"

        await pilot.press("e")
        await settle(pilot)
        plan.focus()
        plan.move_cursor(row=1)
        await pilot.press("x")
        await settle(pilot)
        assert [i.exercise_id for i in history.store.plans.items()] == ["seated_hip_internal_rotation"]
        assert plan.row_count == 1


async def test_devices_without_bluetooth_say_so_and_do_not_crash(history: Services) -> None:
    app = make_app(history, section="devices", scanner=no_bluetooth)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = str(app.screen.query_one("#bluetooth", Static).render())
        assert "Bluetooth unavailable" in text and "no Bluetooth adapter found" in text
        await pilot.press("1")                                          # nothing to assign: a warning, no crash
        await pilot.pause()
        assert app.context.placements == {}


async def test_devices_list_sensors_and_assign_one_per_placement(history: Services) -> None:
    app = make_app(history, section="devices", scanner=two_sensors)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert [table.get_row_at(i)[:5] for i in range(2)] == [
            ["WT901BLE68", "C0:11:22:33:44:55", "witmotion", "-48 dBm", "80 %"],
            ["Movella DOT", "D4:22:CD:00:00:01", "movella-dot", "-61 dBm", "?"]]
        await pilot.press("1", "down", "2")
        assert app.context.placements == {SENSORS[0].address: Placement.LEFT_THIGH,
                                          SENSORS[1].address: Placement.RIGHT_THIGH}
        await pilot.press("1")                                          # the left thigh moves to the DOT
        assert app.context.placements == {SENSORS[1].address: Placement.LEFT_THIGH}
        assert table.get_row_at(1)[5] == "left thigh" and table.get_row_at(0)[5] == ""
        assert "left thigh: Movella DOT · right thigh: – · pelvis: –" in str(
            app.screen.query_one("#placements", Static).render())


async def test_theme_key_switches_light_and_dark(history: Services) -> None:
    app = make_app(history)
    async with app.run_test(size=(100, 30)) as pilot:
        dark = app.current_theme.dark
        await pilot.press("t")
        assert app.current_theme.dark is not dark
        await pilot.press("t")
        assert app.current_theme.dark is dark


async def test_record_key_asks_what_to_record_and_hands_it_to_the_live_screen(
        history: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen: list[RecordingChoice] = []
    monkeypatch.setattr("tui.app.open_live_recording", lambda app, context, choice: chosen.append(choice))
    app = make_app(history)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        form = app.screen
        assert isinstance(form, RecordFormScreen)
        form.query_one("#exercise", Select).value = "couch_stretch"
        form.query_one("#side", Select).value = Side.RIGHT
        form.query_one("#sensor", Select).value = "witmotion"
        await pilot.click("#start")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert [(c.exercise_id, c.side, c.profile) for c in chosen] == [("couch_stretch", Side.RIGHT, "witmotion")]
        await pilot.press("r", "escape")                                # cancelling records nothing
        await pilot.pause()
        assert len(chosen) == 1 and isinstance(app.screen, HomeScreen)


async def test_empty_database_says_what_to_do(svc: Services) -> None:
    app = make_app(svc)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "No analysed sessions yet" in str(app.screen.query_one(TrendChart).render())
        await pilot.press("s")
        await settle(pilot)
        assert "hiptrack demo" in str(app.screen.query_one("#status", Static).render())


async def test_without_the_live_screen_the_record_form_says_how_to_record(
        history: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tui.recording.LIVE_MODULE", "tui.screens.no_such_live_screen")
    app = make_app(history)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        app.screen.query_one("#exercise", Select).value = "couch_stretch"
        await pilot.click("#start")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("hiptrack record --exercise couch_stretch --side left --simulate" in m for m in messages)


class FakeLiveScreen(Screen[None]):
    """Stands in for tui.screens.live_recording: takes the services and the request, as the real one does."""

    def __init__(self, services: Services, request: RecordingChoice) -> None:
        super().__init__()
        self.services = services
        self.request = request


async def test_the_live_screen_gets_the_choice_and_home_reloads_after_it(
        history: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    live = types.ModuleType("fake_live")
    live.LiveRecordingScreen = FakeLiveScreen  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_live", live)
    monkeypatch.setattr("tui.recording.LIVE_MODULE", "fake_live")
    app = make_app(history)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        app.screen.query_one("#side", Select).value = Side.RIGHT
        await pilot.click("#start")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FakeLiveScreen) and screen.services is history
        # the form starts on home's highlighted motion (the first: the hamstring stretch)
        assert (screen.request.exercise_id, screen.request.side) == ("hamstring_strap_stretch", Side.RIGHT)
        last = history.store.sessions.summaries()[-1]
        history.store.pain.add(last.id, 9, NOW)                          # what the recording wrote
        screen.dismiss(None)
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "Pain 9/10 now" in str(app.screen.query_one("#pain", Static).render())


async def test_a_session_deleted_meanwhile_is_reported_not_a_crash(history: Services) -> None:
    gone = history.store.sessions.summaries()[0].id
    history.store.sessions.delete(gone)
    app = make_app(history)
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(SessionDetailScreen(app.context, gone))
        await settle(pilot)
        assert f"no session with id {gone}" in str(app.screen.query_one("#info", Static).render())
        assert app.is_running


async def test_user_text_is_shown_as_text_never_as_markup(svc: Services, tmp_path: Path) -> None:
    """A file name like b[link="http:]x.csv is kept in the notes; it must not crash the screen or become an action."""
    from sensors.simulator import simulate_session
    from tracker.imu_csv import write_imu_csv
    from tracker.services import import_csv

    name = 'b[link="http:]x[@click=app.quit]y.csv'
    path = tmp_path / name
    write_imu_csv(path, simulate_session("couch_stretch", "left", 3).thigh)
    session_id = await import_csv(svc, path, "couch_stretch", Side.LEFT)
    app = make_app(svc, section="sessions")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.push_screen(SessionDetailScreen(app.context, session_id))
        await settle(pilot)
        assert app.is_running
        info = str(app.screen.query_one("#info", Static).render())
        assert f"notes: imported from {name}" in info
        await pilot.click("#info")
        assert app.is_running
