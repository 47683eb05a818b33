"""The home screen in two steps (issue 17): the sessions' headlines first, then the progress report.

The first step must show the same sessions and numbers the report later shows (nothing moves when it
arrives), and say what is still loading; the second must replace every placeholder.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import astuple, replace
from datetime import timedelta

import pytest
from helpers.tui_history import NOW, no_bluetooth, settle
from rich.text import Text
from textual.widgets import OptionList, Static

from analysis.results import SessionResult
from tracker.adherence import adherence
from tracker.domain import SessionStatus, Side, Source
from tracker.errors import DatabaseError
from tracker.glance import PeakPoint, best_angles
from tracker.progress import build_report
from tracker.reader import Reader
from tracker.services import Services
from tracker.storage.session_repository import NewSession
from tui.app import HiptrackApp
from tui.screens.home import LOADING_ALERTS, LOADING_ARROW, LOADING_PAIN, NOT_LOADED, TREND_LOADING, HomeScreen
from tui.widgets.adherence_calendar import AdherenceCalendar
from tui.widgets.trend_chart import DRAW_LATER_POINTS, DRAWING, TrendChart


def _not_calibrated(services: Services) -> int:
    """A session whose calibration failed: analysed, but with no angles to chart."""
    at = NOW - timedelta(days=1)
    store = services.store
    session_id = store.sessions.create(NewSession("seated_hip_internal_rotation", Side.LEFT, Source.SIMULATED, at,
                                                  "no calibration"), (), at)["session"]
    store.results.save(session_id, SessionResult.not_analysable(Side.LEFT, "seated_hip_internal_rotation", 30.0,
                                                                "the thigh never stood still"))
    store.sessions.finish(session_id, SessionStatus.COMPLETE, 30.0)
    return session_id


def test_headlines_are_the_analysed_sessions_with_their_peaks(history: Services) -> None:
    failed = _not_calibrated(history)
    reader = history.reader
    analysed, headlines = reader.analysed(), reader.headlines()
    assert len(headlines) == len(analysed) >= 13
    for row, headline in zip(analysed, headlines, strict=True):
        assert (headline.session_id, headline.exercise, headline.side, headline.started_at) == \
            (row.session_id, row.exercise, row.side, row.started_at)
        assert headline.peaks == row.result.peaks
        assert (headline.peaks is None) == (not row.calibrated) == (row.session_id == failed)
    plan = reader.plan(include_inactive=True)
    assert adherence(headlines, plan, NOW) == adherence(analysed, plan, NOW)


def test_best_angles_are_the_reports_points_in_its_order(history: Services) -> None:
    _not_calibrated(history)
    reader = history.reader
    report = build_report(reader.analysed(), reader.pain(), reader.plan(include_inactive=True), NOW)
    expected = {(i.exercise, i.motion, i.side): [(p.session_id, p.started_at, p.best_deg) for p in i.points]
                for i in report.items}
    found = best_angles(reader.headlines())
    assert list(found) == list(expected) and len(found) == 4          # ride, hamstring, internal rotation L/R
    assert {key: [astuple(p) for p in points] for key, points in found.items()} == expected


async def test_first_step_draws_the_sessions_and_says_what_is_loading(history: Services,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """With the report held back, the screen shows the charts and the week, and says the rest is loading."""
    monkeypatch.setattr(HomeScreen, "_load_report", lambda self: None)
    app = HiptrackApp(history, clock=lambda: NOW, scanner=no_bluetooth)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        motions = screen.query_one("#motions", OptionList)
        assert motions.option_count == 3
        prompts = [str(motions.get_option_at_index(i).prompt) for i in range(3)]
        assert all(LOADING_ARROW in prompt for prompt in prompts), prompts
        await pilot.press("end")
        await pilot.pause()
        trend = screen.query_one(TrendChart).trend
        assert trend is not None and trend.title.startswith("Seated hip internal rotation")
        assert [(side, len(points)) for side, points in trend.series] == [("left", 5), ("right", 5)]
        assert trend.target_deg == 40.0 and trend.note == TREND_LOADING
        assert screen.query_one(AdherenceCalendar).weeks_shown() >= 5
        assert screen.query_one("#week").border_subtitle == "this wk 1/2 · streak 0 wk"
        assert str(screen.query_one("#pain", Static).render()) == LOADING_PAIN
        assert str(screen.query_one("#alerts", Static).render()) == LOADING_ALERTS


async def test_the_report_replaces_every_placeholder_and_keeps_the_highlighted_motion(history: Services) -> None:
    app = HiptrackApp(history, clock=lambda: NOW, scanner=no_bluetooth)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        motions = screen.query_one("#motions", OptionList)
        prompts = [str(motions.get_option_at_index(i).prompt) for i in range(motions.option_count)]
        assert prompts and not any(LOADING_ARROW in prompt for prompt in prompts), prompts
        assert "loading" not in str(screen.query_one("#pain", Static).render())
        assert "loading" not in str(screen.query_one("#alerts", Static).render())
        await pilot.press("end")
        await pilot.pause()
        screen.reload_if_stale()                       # nothing changed: no reload
        app.context.data.bump()                        # something was written: both steps run again
        screen.reload_if_stale()
        await settle(pilot)
        assert motions.highlighted == 2                # still internal rotation, not back to the first
        trend = screen.query_one(TrendChart).trend
        assert trend is not None and trend.title.startswith("Seated hip internal rotation")
        assert trend.note != TREND_LOADING


async def test_the_chart_redraws_for_another_motion_and_another_size_not_for_the_same_numbers(
        history: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """The chart keeps its last plot: the report's points after the headlines' are the same numbers."""
    app = HiptrackApp(history, clock=lambda: NOW, scanner=no_bluetooth)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        chart = app.screen.query_one(TrendChart)
        first = chart.render()
        assert isinstance(first, Text) and "┤" in first.plain
        builds: list[int] = []
        draw = TrendChart._draw
        monkeypatch.setattr(TrendChart, "_draw", lambda self, trend: builds.append(1) or draw(self, trend))
        trend = chart.trend
        assert trend is not None
        chart.show(replace(trend, series=tuple((side, tuple(replace(p) for p in points))
                                               for side, points in trend.series)))
        again = chart.render()
        assert isinstance(again, Text) and again.plain == first.plain and not builds
        await pilot.press("end")
        await pilot.pause()
        other = chart.render()
        assert isinstance(other, Text) and other.plain != first.plain and len(builds) == 1
        await pilot.resize_terminal(120, 30)
        await settle(pilot)
        wider = chart.render()
        assert isinstance(wider, Text) and max(map(len, wider.plain.splitlines())) > \
            max(map(len, other.plain.splitlines())) and len(builds) >= 2


async def test_a_failed_read_takes_the_loading_placeholders_down(history: Services,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def unreadable(self: object) -> None:
        raise DatabaseError("the database is locked by another program")

    monkeypatch.setattr(Reader, "headlines", unreadable)
    app = HiptrackApp(history, clock=lambda: NOW, scanner=no_bluetooth)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        for placeholder in ("#pain", "#alerts"):
            assert str(screen.query_one(placeholder, Static).render()) == NOT_LOADED
        chart = screen.query_one(TrendChart)
        assert chart.trend is None and str(chart.render()) == NOT_LOADED
        assert any("locked" in str(n.message) for n in app._notifications)


async def test_a_chart_of_years_says_it_is_drawing_for_one_frame_then_draws(history: Services) -> None:
    """Years of daily sessions take plotext a tenth of a second: the rest of the screen is drawn first, and the
    chart says it is drawing rather than showing an empty or stale plot."""
    app = HiptrackApp(history, clock=lambda: NOW, scanner=no_bluetooth)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        chart = app.screen.query_one(TrendChart)
        trend = chart.trend
        assert trend is not None
        days = DRAW_LATER_POINTS + 1                  # on each side the chart has
        years = tuple((side, tuple(PeakPoint(i, NOW - timedelta(days=days - i), 20.0 + (i % 7)) for i in range(days)))
                      for side, _ in trend.series)
        chart.show(replace(trend, series=years))
        assert not chart.plotted
        waiting = chart.render()
        assert isinstance(waiting, Text) and waiting.plain == DRAWING and not chart.plotted
        await pilot.pause()
        await pilot.pause()
        assert chart.plotted
        drawn = chart.render()
        assert isinstance(drawn, Text) and "┤" in drawn.plain and DRAWING not in drawn.plain
        chart.show(replace(trend, series=tuple((side, tuple(replace(p, best_deg=p.best_deg + 1) for p in points))
                                               for side, points in years)))
        assert isinstance(chart.render(), Text) and not chart.plotted       # says it is drawing, again
        chart.plot_now()                                                    # what the home screen asks for first
        assert chart.plotted and "┤" in chart.render().plain


def test_the_dashboard_starts_without_plotext() -> None:
    """The home screen's chart loads plotext when it first plots, after the screen's data are drawn."""
    code = "import json, sys, tui.app; print(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                       check=True).stdout)
    assert "textual" in loaded and not [m for m in loaded if "plotext" in m]
