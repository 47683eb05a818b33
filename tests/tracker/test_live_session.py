"""A live session end to end against a real database: stored, previewed, stopped, analysed; and `record --no-tui`."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from helpers import start_record_no_tui
from helpers.live_sources import StallingSource
from typer.testing import CliRunner

from analysis.live_events import Calibrated, LiveEvent, RepCounted, SetEnded
from hiptrack.cli import app
from sensors.notification_source import NotificationSource
from sensors.simulator import Dose, SimOptions, simulate_session
from sensors.simulator.source import simulated_source
from sensors.source import SampleBlock, StreamGap
from tracker.domain import Placement, SessionStatus, Side, Source
from tracker.errors import BadInputError
from tracker.live_session import LiveRequest, LiveSession
from tracker.services import Services, record_simulated, simulated_notification_source

OPTIONS = SimOptions(dose=Dose(sets=2, reps=2))
EXERCISE = "seated_hip_internal_rotation"


def _request(seed: int = 8201, options: SimOptions = OPTIONS) -> LiveRequest:
    return LiveRequest(EXERCISE, Side.LEFT, lambda: simulated_notification_source(
        EXERCISE, Side.LEFT, seed, realtime=False, log=None, options=options), Source.SIMULATED)


async def test_a_session_is_stored_analysed_and_previewed(svc: Services) -> None:
    events: list[LiveEvent] = []
    session = LiveSession(svc, _request(), on_event=events.append)
    session_id = await session.run()

    summary = svc.store.sessions.get(session_id)
    assert summary.status is SessionStatus.COMPLETE and summary.exercise == EXERCISE
    stored = svc.store.results.load(session_id)
    assert stored is not None and stored.calibrated
    counted = [e for e in events if isinstance(e, RepCounted)]
    assert len(counted) == len(stored.reps) == 4                     # the preview agrees with the analysis
    assert [e.set.reps for e in events if isinstance(e, SetEnded)] == [s.reps for s in stored.sets]
    assert sum(isinstance(e, Calibrated) for e in events) == 1

    snapshot = session.snapshot
    assert not snapshot.running and snapshot.session_id == session_id
    assert snapshot.state.reps == 4 and snapshot.state.sets_done == 2
    (thigh,) = snapshot.sensors
    assert thigh.placement == "left_thigh" and thigh.samples == summary.samples
    assert thigh.gaps == 0 and thigh.malformed == 0 and thigh.loss_percent < 1.0
    assert thigh.measured_rate_hz == pytest.approx(100.0, rel=0.02)
    assert snapshot.stored_samples == summary.samples


async def test_the_preview_is_never_behind_what_arrived(svc: Services) -> None:
    """The analyzer is fed per batch, not per notification, but reading the state feeds what waits first:
    a redraw shows the newest sample the recorder has seen."""
    inner = simulated_notification_source(EXERCISE, Side.LEFT, 8202, realtime=False, log=None, options=OPTIONS)
    seen: list[tuple[float, float]] = []

    class Watched:
        streams = inner.streams

        async def blocks(self) -> AsyncIterator[SampleBlock | StreamGap]:
            first: float | None = None
            async for block in inner.blocks():
                yield block                              # back here once the session has seen the block
                if isinstance(block, SampleBlock) and block.placement == Placement.LEFT_THIGH:
                    first = float(block.samples.time_s[0]) if first is None else first
                    seen.append((session.state.time_s, float(block.samples.time_s[-1]) - first))

    session = LiveSession(svc, LiveRequest(EXERCISE, Side.LEFT, Watched, Source.SIMULATED))
    await session.run()
    assert len(seen) > 100
    assert [shown for shown, _ in seen] == pytest.approx([arrived for _, arrived in seen])


@pytest.mark.parametrize("cut", ["mid-exercise", "just calibrated"])
async def test_stop_keeps_and_analyses_what_arrived(svc: Services, cut: str) -> None:
    calibration_end_s = simulate_session(EXERCISE, "left", 8202, OPTIONS).truth.calibration_s[1]
    until_s = 30.0 if cut == "mid-exercise" else calibration_end_s - 0.7     # in the still stand that ends it
    source = StallingSource(EXERCISE, "left", 8202, OPTIONS, until_s=until_s)
    session = LiveSession(svc, LiveRequest(EXERCISE, Side.LEFT, lambda: source, Source.SIMULATED))
    task = asyncio.create_task(session.run())
    await source.drained.wait()
    while session.snapshot.session_id is None:            # the recorder's first commit names the session
        await asyncio.sleep(0.05)
    session.stop()
    session_id = await task

    summary = svc.store.sessions.get(session_id)
    assert summary.status is SessionStatus.COMPLETE
    assert until_s - 1.0 < summary.duration_s <= until_s + 0.1
    stored = svc.store.results.load(session_id)
    assert stored is not None and stored.calibrated          # analysed although cut short
    assert session.snapshot.state.time_s == pytest.approx(summary.duration_s, abs=0.1)


async def test_stopped_before_it_started_nothing_is_stored(svc: Services) -> None:
    session = LiveSession(svc, _request())
    session.stop()
    assert await session.run() is None
    assert svc.store.sessions.summaries() == [] and not session.snapshot.running


async def test_context_has_the_personal_best_and_the_plan(svc: Services) -> None:
    first = await record_simulated(svc, EXERCISE, Side.LEFT, 8203, options=OPTIONS)
    await record_simulated(svc, EXERCISE, Side.RIGHT, 8204, options=SimOptions(dose=Dose(sets=1, reps=1)))
    session = LiveSession(svc, _request())
    context = await asyncio.to_thread(session.context)
    earlier = svc.store.results.load(first)
    assert earlier is not None
    assert context.motion == "internal_rotation"
    assert context.best_deg == pytest.approx(max(r.peak_deg for r in earlier.reps), abs=0.01)
    assert context.prescription.hold_s == (2, 5) and context.target_deg is None      # the seed's dose, no plan

    from datetime import UTC, datetime

    from tracker.plans import default_item, edited
    svc.store.plans.add(edited(default_item(EXERCISE, "left", datetime.now(UTC)), hold_s="6-8",
                                   target_deg=40.0))
    planned = await asyncio.to_thread(session.context)
    assert planned.prescription.hold_s == (6, 8) and planned.target_deg == 40.0


async def test_pain_is_logged_against_the_recorded_session(svc: Services) -> None:
    session = LiveSession(svc, _request(options=SimOptions(dose=Dose(sets=1, reps=1))))
    with pytest.raises(BadInputError):
        await session.add_pain(3)
    session_id = await session.run()
    await session.add_pain(4, 0, "tight")
    await session.add_pain(2)
    entries = svc.store.pain.entries(session_id)
    assert [(e.score, e.set_index, e.note) for e in entries] == [(4, 0, "tight"), (2, None, None)]


def test_a_source_without_the_exercised_thigh_is_refused(svc: Services) -> None:
    session = simulate_session(EXERCISE, "right", 8205, OPTIONS)
    source = simulated_source(session)
    request = LiveRequest(EXERCISE, Side.LEFT, lambda: source, Source.SIMULATED)
    with pytest.raises(BadInputError, match="no sensor on the left thigh"):
        asyncio.run(LiveSession(svc, request).run())
    assert svc.store.sessions.summaries() == []


def test_no_tui_prints_calibration_steps_events_and_the_summary(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    result = CliRunner().invoke(app, ["record", "--exercise", EXERCISE, "--side", "left", "--simulate", "--fast",
                                      "--seed", "8206", "--no-tui", "--db", db])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    expected = ["stand still… ok", "swing 1/3…", "swing 2/3…", "swing 3/3…", "calibrated (3 swings, alignment "
                "residual", "hold started at +", "hold ", "rep 1 (set 1): +", "set 1 done: 5 reps", "set 2 done"]
    found = [next((k for k, line in enumerate(lines) if text in line), -1) for text in expected]
    assert -1 not in found and found == sorted(found), lines
    assert sum("internal rotation" in line and "rep " in line for line in lines) == 10
    assert any("samples stored" in line and "rotation" in line for line in lines)
    assert "10 reps in 2 sets: 5, 5" in result.stdout                 # the final summary, as before


def test_record_without_a_terminal_prints_lines_instead_of_the_screen(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    result = CliRunner().invoke(app, ["record", "--exercise", EXERCISE, "--side", "left", "--simulate", "--fast",
                                      "--seed", "8207", "--db", db])
    assert result.exit_code == 0, result.stderr
    assert "calibrated (3 swings" in result.stdout and "Session 1:" in result.stdout


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_analyses(tmp_path: Path) -> None:
    """Real time, a real process, a real SIGINT once the calibration is done."""
    db = f"sqlite:///{tmp_path / 'r.db'}"
    process = start_record_no_tui(db, EXERCISE, 8208)
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if "calibrated" in line:
            process.send_signal(signal.SIGINT)
            break
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Stopping" in out and "Session 1:" in out and "calibration: 0.0" in out, "".join(seen) + out


def test_placements_of_the_simulated_notification_source_are_those_of_the_session() -> None:
    source = simulated_notification_source(EXERCISE, Side.LEFT, 1, realtime=False, log=None, options=OPTIONS)
    assert isinstance(source, NotificationSource)
    assert [s.placement for s in source.streams] == [Placement.LEFT_THIGH]
