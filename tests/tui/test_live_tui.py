"""The live recording screen, driven by Textual's pilot against a real database, plus a snapshot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers.live_sources import StallingSource
from helpers.tui_history import recorded, until
from textual.pilot import Pilot
from textual.widgets import Digits, Label, Log, Static

from analysis.events import EventParams
from sensors.ble.replay_backend import ReplayDevice
from sensors.simulator import Dose, SimOptions
from tracker.domain import Placement, SessionStatus, Side, Source
from tracker.live_session import LiveRequest
from tracker.services import Services, build_services, simulated_notification_source
from tui.record_app import RecordApp
from tui.recording import RecordingChoice
from tui.screens.live_recording import LiveRecordingScreen, request_from_choice
from tui.screens.pain_prompt import PainPromptScreen
from tui.screens.short_recording import ShortRecordingScreen
from tui.widgets.live_trace import LiveTrace
from tui.widgets.rep_counter import RepCounter

EXERCISE = "seated_hip_internal_rotation"
OPTIONS = SimOptions(dose=Dose(sets=2, reps=2))


def _fast_request(seed: int) -> LiveRequest:
    return LiveRequest(EXERCISE, Side.LEFT, lambda: simulated_notification_source(
        EXERCISE, Side.LEFT, seed, realtime=False, log=None, options=OPTIONS), Source.SIMULATED)




def _prompt_ready(screen: object) -> bool:
    """A pain prompt that is composed and focused (pushed is not enough: its widgets come a frame later)."""
    return isinstance(screen, PainPromptScreen) and screen.focused is not None and bool(screen.query(Label))


def _status(screen: LiveRecordingScreen) -> str:
    return str(screen.query_one("#live-status", Static).render())


async def test_a_simulated_recording_ends_in_the_database_with_pain_from_the_prompts(svc: Services) -> None:
    app = RecordApp(svc, _fast_request(8301))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: _prompt_ready(app.screen), "a pain prompt after set 1")
        first = app.screen
        assert "set 1" in str(first.query_one(Label).render())
        assert "saddle area" in str(first.query_one("#red-flags", Static).render())      # the red flags, shown
        await pilot.press("1", "2", "enter")                             # 12 is no pain score: still asking
        assert app.screen is first
        await pilot.press("backspace", "backspace", "3", "enter")
        await until(pilot, lambda: _prompt_ready(app.screen) and app.screen is not first,
                     "a pain prompt after set 2")
        assert "set 2" in str(app.screen.query_one(Label).render())
        await pilot.press("5", "tab")
        await pilot.press(*"stiff", "enter")
        live = app.screen
        assert isinstance(live, LiveRecordingScreen)
        await until(pilot, lambda: "saved as session" in _status(live), "the session saved and analysed")
        session_id = live.session.snapshot.session_id
        assert session_id is not None
        await until(pilot, lambda: len(svc.store.pain.entries(session_id)) == 2, "both pain scores stored")

        log = "\n".join(str(line) for line in live.query_one(Log).lines)
        assert "calibrated (3 swings" in log and "rep 4 (set 2)" in log and "pain 5/10 logged for set 2: stiff" in log
        assert "4 reps in 2 sets: 2, 2" in log                         # the analysis summary, when saved
        assert "Reps  4" in str(live.query_one(RepCounter).render())
        assert live.query_one(Digits).value != "--"
        await pilot.press("q")
    assert app.return_value == session_id
    summary = svc.store.sessions.get(session_id)
    assert summary.status is SessionStatus.COMPLETE
    result = svc.store.results.load(session_id)
    assert result is not None and [s.reps for s in result.sets] == [2, 2]
    entries = svc.store.pain.entries(session_id)
    assert [(p.score, p.set_index, p.note) for p in entries] == [(3, 0, None), (5, 1, "stiff")]


async def test_stop_saves_and_analyses_what_was_recorded(svc: Services) -> None:
    source = StallingSource(EXERCISE, "left", 8302, OPTIONS, until_s=25.0)
    app = RecordApp(svc, LiveRequest(EXERCISE, Side.LEFT, lambda: source, Source.SIMULATED))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await recorded(pilot, app, source)
        await until(pilot, lambda: "● REC 0:25" in _status(screen), "the status showing 25 s recorded")
        await pilot.press("s")
        await until(pilot, lambda: "saved as session" in _status(screen), "the session saved")
        await pilot.press("p", "escape")                                 # a pain prompt can be skipped
        await pilot.press("q")
    session_id = app.return_value
    assert session_id is not None
    summary = svc.store.sessions.get(session_id)
    assert summary.status is SessionStatus.COMPLETE and 24.0 < summary.duration_s <= 25.1
    result = svc.store.results.load(session_id)
    assert result is not None and result.calibrated
    assert svc.store.pain.entries(session_id) == []


async def _short_recording(svc: Services, seed: int) -> tuple[RecordApp, StallingSource]:
    source = StallingSource(EXERCISE, "left", seed, OPTIONS, until_s=15.0)
    return RecordApp(svc, LiveRequest(EXERCISE, Side.LEFT, lambda: source, Source.SIMULATED)), source


async def test_q_under_a_minute_asks_and_save_stops_first_and_returns_the_session(svc: Services) -> None:
    app, source = await _short_recording(svc, 8303)
    async with app.run_test(size=(80, 24)) as pilot:
        await recorded(pilot, app, source)
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, ShortRecordingScreen), "the question")
        assert "0:15 long" in str(app.screen.query_one("#question", Static).render())
        await pilot.press("s")
        await until(pilot, lambda: app.return_value is not None, "the app closed with the session")
    assert svc.store.sessions.get(app.return_value).status is SessionStatus.COMPLETE


async def test_q_under_a_minute_then_discard_stores_nothing(svc: Services) -> None:
    app, source = await _short_recording(svc, 8305)
    async with app.run_test(size=(80, 24)) as pilot:
        await recorded(pilot, app, source)
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, ShortRecordingScreen), "the question")
        await pilot.press("d")
        await until(pilot, lambda: not app.is_running, "the app closed")
    assert app.return_value is None
    assert svc.store.sessions.ids() == []


async def test_q_under_a_minute_then_escape_keeps_recording(svc: Services) -> None:
    app, source = await _short_recording(svc, 8306)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await recorded(pilot, app, source)
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, ShortRecordingScreen), "the question")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, "back on the live screen")
        assert screen.session.snapshot.running and "● REC" in _status(screen)
        await pilot.press("s")
        await until(pilot, lambda: "saved as session" in _status(screen), "the session saved")
        await pilot.press("q")                          # finished: closes at once, no question
    assert app.return_value is not None


def test_the_dashboard_choice_becomes_a_simulated_recording_request() -> None:
    request = request_from_choice(RecordingChoice("couch_stretch", Side.RIGHT, "witmotion", 5))
    assert (request.exercise_id, request.side, request.origin) == ("couch_stretch", Side.RIGHT, Source.SIMULATED)
    (stream,) = request.source_factory().streams
    assert stream.placement == Placement.RIGHT_THIGH and stream.profile == "witmotion"


def test_live_screen_snapshot(snap_compare: Any, tmp_path: Path) -> None:
    """Mid-hold of the second rep, at 80×24, with a frozen clock: calibration done, one rep counted."""
    services = build_services(f"sqlite:///{tmp_path / 'hiptrack.db'}")
    probe = StallingSource(EXERCISE, "left", 8304, OPTIONS, until_s=0.0)
    hold = probe.session.truth.holds[1]
    # a hold shows once it has lasted min_hold_s (the batch definition), plus the low-pass reach and
    # where its still spell begins: 1.2 s leaves this 4.2 s hold mid-way
    source = StallingSource(EXERCISE, "left", 8304, OPTIONS, until_s=hold.start_s + EventParams().min_hold_s + 1.2)
    app = RecordApp(services, LiveRequest(EXERCISE, Side.LEFT, lambda: source, Source.SIMULATED),
                    clock=lambda: 1000.0)

    async def frozen_mid_hold(pilot: Pilot[Any]) -> None:
        screen = app.screen
        assert isinstance(screen, LiveRecordingScreen)
        await until(pilot, lambda: source.drained.is_set() and screen.session.snapshot.session_id is not None
                     and screen.measures is not None, "the samples recorded")
        screen.refresh_view()
        screen.refresh_trace()
        await pilot.pause()
        assert screen.session.snapshot.state.hold_s is not None

    assert snap_compare(app, terminal_size=(80, 24), run_before=frozen_mid_hold)
    services.close()


@pytest.mark.parametrize("seed", [8311, 8312, 8313])
async def test_the_trace_shows_the_last_half_minute_at_the_held_angle(seed: int, svc: Services) -> None:
    """Mid-hold, the trace ends now, spans at most 30 s, is drawn at 80×24, and sits at the simulated hold's angle."""
    probe = StallingSource(EXERCISE, "left", seed, OPTIONS, until_s=0.0)
    hold = probe.session.truth.holds[1]
    until_s = hold.start_s + min(hold.duration_s - 0.5, 3.0)
    source = StallingSource(EXERCISE, "left", seed, OPTIONS, until_s=until_s)
    app = RecordApp(svc, LiveRequest(EXERCISE, Side.LEFT, lambda: source, Source.SIMULATED))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await recorded(pilot, app, source)
        screen.refresh_trace()
        await pilot.pause()
        widget = screen.query_one(LiveTrace)
        trace = screen.session.trace
        assert widget.drawn_samples > 0
        assert trace.time_s[-1] == screen.session.state.time_s
        assert 25.0 < trace.time_s[-1] - trace.time_s[0] <= 30.0
        assert any("\u2800" < ch <= "\u28ff" for line in widget.lines for ch in line)     # the braille line is drawn
        in_hold = (trace.time_s >= hold.start_s + 1.0) & (trace.time_s <= until_s)
        error = abs(float(np.median(trace.angle_deg[in_hold])) - hold.angle_deg)
        assert error < 5.0, f"trace {error:.1f}° off the simulated hold at {hold.angle_deg:+.1f}°"
        screen.session.stop()
        await until(pilot, lambda: not screen.session.snapshot.running, "stopped")


@pytest.mark.extended       # ~45 s; the default run covers the dashboard's (simulated) and the CLI's BLE recording
async def test_the_dashboards_bluetooth_choice_records_from_the_assigned_sensor(
        svc: Services, tmp_path: Path, monkeypatch: Any, replay_devices: dict[str, ReplayDevice]) -> None:
    """Record form → Bluetooth sensors assigned on Devices → live screen, over a replayed Movella DOT."""
    from tracker import ble_recording

    log = tmp_path / "dot.log"
    logged = simulated_notification_source(EXERCISE, Side.LEFT, 8304, realtime=False, log=log, options=OPTIONS,
                                           profile="movella-dot")
    sent = sum([len(block.samples) async for block in logged.blocks() if hasattr(block, "samples")])
    monkeypatch.setenv("HIPTRACK_BLE_REPLAY", str(log))
    fast = ble_recording.env_backends
    monkeypatch.setattr(ble_recording, "env_backends", lambda realtime=True: fast(realtime=False))
    choice = RecordingChoice(EXERCISE, Side.LEFT, "bluetooth", 1, ((Placement.LEFT_THIGH, "Movella DOT"),))
    app = RecordApp(svc, request_from_choice(choice))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LiveRecordingScreen)
        await until(pilot, lambda: sum(s.samples for s in screen.session.snapshot.sensors) >= sent,
                     "every logged sample received")
        while isinstance(app.screen, PainPromptScreen):   # the second set's prompt may be up already
            await pilot.press("escape")
        await pilot.press("s")                        # the replayed sensor stays connected, like a real one
        await until(pilot, lambda: "saved as session" in _status(screen), "the session saved")
        while isinstance(app.screen, PainPromptScreen):
            await pilot.press("escape")
        await pilot.press("q")
    session_id = app.return_value
    assert session_id is not None
    summary = svc.store.sessions.get(session_id)
    assert summary.source is Source.BLE and summary.status is SessionStatus.COMPLETE
    assert summary.samples == sent
    device = next(iter(replay_devices.values()))
    assert device.writes and device.writes[-1][1] == bytes.fromhex("01001a")     # the DOT's stop command
