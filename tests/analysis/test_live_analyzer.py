"""The live preview against the simulator's truth: phases, angles, holds, reps and sets, and how soon they show.

Samples are fed in the blocks a sensor sends (5 samples), as the recorder's on_block sees them. Times
are data times, so "how soon" is measured in the recording's seconds, never the machine's.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest

from analysis.calibration import count_peaks, swing_angle
from analysis.events import EventParams
from analysis.live_analyzer import LiveAnalyzer, LiveParams, LiveState
from analysis.live_calibration import alignment_residual_deg
from analysis.live_events import (
    Calibrated,
    CalibrationFailed,
    HoldEnded,
    HoldStarted,
    LiveEvent,
    RepCounted,
    SetEnded,
    StoodStill,
    SwingSeen,
)
from analysis.live_history import History
from analysis.pipeline import analyze_thigh
from sensors.simulator import Dose, SimOptions, SimulatedSession, simulate_session
from tracker import catalog

EVENT_DELAY_S = 2.0
"""Events must show no later than this after they happen (in data time)."""

HOLD_CONFIRM_S = EventParams().min_hold_s + 0.5
"""A hold is one once it has lasted min_hold_s (the batch definition: shorter stillness is no hold),
so the timer shows from then on, backdated to the hold's start; 0.5 s covers the low-pass reach
(0.27 s at 100 Hz) and a block."""


@dataclass
class Run:
    sim: SimulatedSession
    events: list[LiveEvent]
    states: list[LiveState]
    """The state after every block."""
    final: LiveState


def _run(exercise_id: str, side: str, seed: int, options: SimOptions | None = None, block: int = 5,
         params: LiveParams | None = None) -> Run:
    sim = simulate_session(exercise_id, side, seed, options)
    exercise = catalog.get(exercise_id)
    live = LiveAnalyzer(sim.rate_hz, side, exercise.primary_motion, exercise.posture.value, exercise.counting,
                        params)
    thigh = sim.thigh
    events: list[LiveEvent] = []
    states = []
    for start in range(0, len(thigh), block):
        part = thigh.slice(start, start + block)
        events += live.feed(part.time_s, part.acc_mps2, part.gyr_radps)
        states.append(live.state)
    events += live.finish()
    return Run(sim, events, states, live.state)


def _of(run: Run, kind: type) -> list:
    return [e for e in run.events if isinstance(e, kind)]


@pytest.fixture(scope="module")
def seated() -> Run:
    return _run("seated_hip_internal_rotation", "left", 8101)


def test_the_calibration_steps_show_in_order_then_the_exercise(seated: Run) -> None:
    phases = [s.phase for s in seated.states]
    firsts = [phases.index(p) for p in ("waiting_still", "swings", "settling", "exercising")]
    assert firsts == sorted(firsts)
    assert phases[-1] == "exercising" and "uncalibrated" not in phases
    steps = [e for e in seated.events if isinstance(e, StoodStill | SwingSeen | Calibrated)]
    assert [type(e).__name__ for e in steps] == ["StoodStill", "SwingSeen", "SwingSeen", "SwingSeen", "Calibrated"]
    assert [e.count for e in steps if isinstance(e, SwingSeen)] == [1, 2, 3]
    calibrated = _of(seated, Calibrated)[0]
    assert calibrated.calibration.swings == 3
    assert 0.0 <= calibrated.residual_deg < 10.0
    _, cal_end = seated.sim.truth.calibration_s
    assert calibrated.time_s <= cal_end + EVENT_DELAY_S


def test_the_live_angle_follows_the_truth_once_calibrated(seated: Run) -> None:
    truth = seated.sim.truth
    column = 2                                                    # internal rotation
    errors = []
    for hold in truth.holds:
        for state in seated.states:
            if hold.start_s + 0.5 <= state.time_s <= hold.end_s - 0.5:
                assert state.angles_deg is not None and state.primary_index == column
                k = int(np.searchsorted(truth.time_s, state.time_s))
                errors.append(state.angles_deg[column] - truth.hip_angles_deg[k, column])
    assert len(errors) > 100
    assert float(np.sqrt(np.mean(np.square(errors)))) < 3.0


def test_reps_holds_and_sets_are_counted_as_they_happen(seated: Run) -> None:
    truth = seated.sim.truth
    reps = _of(seated, RepCounted)
    assert len(reps) == len(truth.reps) == seated.final.reps
    for counted, rep in zip(reps, truth.reps, strict=True):
        assert counted.rep.motion == "internal_rotation"
        assert abs(counted.rep.peak_deg - rep.peak_deg) < 4.0
        assert counted.time_s <= rep.end_s + EVENT_DELAY_S
    assert [r.number for r in reps] == list(range(1, len(reps) + 1))

    started, ended = _of(seated, HoldStarted), _of(seated, HoldEnded)
    assert len(started) == len(ended) == len(truth.holds)
    for start, end, hold in zip(started, ended, truth.holds, strict=True):
        assert start.time_s <= hold.start_s + HOLD_CONFIRM_S
        assert abs(start.start_s - hold.start_s) < 1.0
        assert end.time_s <= hold.end_s + EVENT_DELAY_S
        assert abs(end.hold.duration_s - hold.duration_s) < 1.0
        assert abs(end.hold.angle_deg - hold.angle_deg) < 3.0

    sets = _of(seated, SetEnded)
    assert [s.set.reps for s in sets] == [s.reps for s in truth.sets]
    assert [s.index for s in sets] == list(range(len(truth.sets)))
    gap_s = LiveParams().analysis.events.set_gap_s
    for done, truth_set in zip(sets, truth.sets, strict=True):
        assert done.time_s <= truth_set.end_s + gap_s + EVENT_DELAY_S
    assert [r.set_number for r in reps] == [k + 1 for k, s in enumerate(truth.sets) for _ in range(s.reps)]
    assert seated.final.sets_done == len(truth.sets)


def test_the_hold_timer_runs_during_each_hold(seated: Run) -> None:
    for hold in seated.sim.truth.holds:
        during = [s for s in seated.states if hold.start_s + HOLD_CONFIRM_S <= s.time_s <= hold.end_s - 0.2]
        assert during and all(s.hold_s is not None and s.hold_motion == "internal_rotation" for s in during)
        last = during[-1]
        assert last.hold_s is not None
        assert abs(last.hold_s - (last.time_s - hold.start_s)) < 1.0
    between = [s for s in seated.states if s.phase == "exercising" and not any(
        h.start_s - 1.0 <= s.time_s <= h.end_s + 1.0 for h in seated.sim.truth.holds)]
    assert between and sum(s.hold_s is not None for s in between) < 0.02 * len(between)


def test_between_holds_the_state_keeps_the_last_hold_the_log_announced() -> None:
    """After a hold ends, the timer shows that hold's duration (the HoldEnded's), not a blank, until the next."""
    sim = simulate_session("seated_hip_internal_rotation", "left", 8111)
    exercise = catalog.get("seated_hip_internal_rotation")
    live = LiveAnalyzer(sim.rate_hz, "left", exercise.primary_motion, exercise.posture.value, exercise.counting)
    announced: float | None = None
    checked = 0
    for start in range(0, len(sim.thigh), 10):
        part = sim.thigh.slice(start, start + 10)
        ended = [e for e in live.feed(part.time_s, part.acc_mps2, part.gyr_radps) if isinstance(e, HoldEnded)]
        announced = ended[-1].hold.duration_s if ended else announced
        state = live.state
        if state.hold_s is None:
            assert state.last_hold_s == announced
            checked += announced is not None
        if ended:
            assert state.hold_s is None and state.last_hold_s == pytest.approx(ended[-1].hold.duration_s)
    assert checked > 100 and announced is not None and announced > 1.0


@pytest.mark.parametrize(("exercise", "side", "seed"), [
    ("hamstring_strap_stretch", "right", 8102),
    ("standing_hip_abduction_hold", "left", 8103),
    ("banded_hip_flexion_march", "right", 8104),
    ("adductor_strap_stretch", "left", 8105),
])
def test_holds_and_reps_of_other_exercises(exercise: str, side: str, seed: int) -> None:
    run = _run(exercise, side, seed)
    truth = run.sim.truth
    reps = _of(run, RepCounted)
    assert len(reps) == len(truth.reps)
    for counted, rep in zip(reps, truth.reps, strict=True):
        assert counted.time_s <= rep.end_s + EVENT_DELAY_S
    ended = _of(run, HoldEnded)
    for hold in truth.holds:                 # every true hold is shown, at its length, no later than 2 s
        match = [e for e in ended if abs(e.hold.end_s - hold.end_s) < 1.5]
        assert match, f"no live hold ending near {hold.end_s:.1f} s"
        assert abs(match[0].hold.duration_s - hold.duration_s) < 1.5
        assert match[0].time_s <= hold.end_s + EVENT_DELAY_S


@pytest.mark.parametrize(("exercise", "seed"), [("supine_hip_shift_ir", 8106), ("single_leg_circles", 8107)])
def test_cycles_are_counted_once_the_typical_swing_is_known(exercise: str, seed: int) -> None:
    run = _run(exercise, "left", seed)
    truth = run.sim.truth
    peaks = np.array([p for c in truth.cycles for p in c.peaks_s])
    reps = _of(run, RepCounted)
    assert len(reps) == len(peaks)
    thigh = run.sim.thigh
    batch = analyze_thigh(thigh.time_s, thigh.acc_mps2, thigh.gyr_radps, "left", catalog.get(exercise).primary_motion,
                          catalog.get(exercise).posture.value, "cycles")     # circles have no sets in the truth
    assert [s.set.reps for s in _of(run, SetEnded)] == [s.reps for s in batch.sets]
    period_s = float(np.median(np.diff(peaks)))
    first = LiveParams().min_cycles
    for counted in reps[first:]:             # a cycle is over half a period after its peak
        peak = peaks[np.argmin(np.abs(peaks - 0.5 * (counted.rep.start_s + counted.rep.end_s)))]
        assert counted.time_s <= peak + period_s / 2 + LiveParams().cycle_margin_s + EVENT_DELAY_S


def test_a_ride_shows_the_thigh_angle_and_counts_nothing() -> None:
    run = _run("ride", "right", 8112, SimOptions(dose=Dose(ride_s=40.0)))
    truth = run.sim.truth
    pedalling = truth.cycles[0]
    errors = [s.angles_deg[0] - truth.hip_angles_deg[int(np.searchsorted(truth.time_s, s.time_s)), 0]
              for s in run.states if pedalling.start_s <= s.time_s <= pedalling.end_s and s.angles_deg is not None]
    assert len(errors) > 100 and float(np.sqrt(np.mean(np.square(errors)))) < 3.0
    assert run.final.reps == 0 and not _of(run, RepCounted) and not _of(run, HoldStarted)


def test_big_blocks_give_the_same_counts_and_every_step() -> None:
    """An import-sized block may complete several protocol steps at once: none is skipped."""
    options = SimOptions(dose=Dose(sets=1, reps=3))
    small = _run("seated_hip_flexion_hold", "right", 8108, options)
    big = _run("seated_hip_flexion_hold", "right", 8108, options, block=300)
    assert big.final.reps == small.final.reps == len(small.sim.truth.reps)
    assert [e.count for e in _of(big, SwingSeen)] == [1, 2, 3]
    assert len(_of(big, StoodStill)) == len(_of(big, Calibrated)) == 1


def test_the_preview_does_not_depend_on_how_samples_are_batched() -> None:
    """The live session feeds whatever arrived since the last redraw (1 to ~10 samples, by timing): the
    same samples in other batches give the same events and the very same angles and counts at every
    common time (only when an event is announced moves, to the end of the batch that completes it)."""
    options = SimOptions(dose=Dose(sets=2, reps=2))
    sensor = _run("seated_hip_internal_rotation", "left", 8131, options)
    exercise, thigh = catalog.get("seated_hip_internal_rotation"), sensor.sim.thigh
    sizes = np.random.default_rng(8131).integers(1, 12, size=len(thigh))
    edges = [0, *np.cumsum(sizes)[:int(np.searchsorted(np.cumsum(sizes), len(thigh))) + 1]]
    live = LiveAnalyzer(sensor.sim.rate_hz, "left", exercise.primary_motion, exercise.posture.value,
                        exercise.counting)
    events: list[LiveEvent] = []
    shown = {}
    for start, stop in itertools.pairwise(edges):
        part = thigh.slice(int(start), int(stop))
        events += live.feed(part.time_s, part.acc_mps2, part.gyr_radps)
        shown[live.state.time_s] = live.state
    events += live.finish()

    def what(event: LiveEvent) -> object:
        return type(event), getattr(event, "rep", None), getattr(event, "set", None), getattr(event, "count", None)

    assert [what(e) for e in events] == [what(e) for e in sensor.events]
    assert len(_of(sensor, RepCounted)) == 4
    common = [state for state in sensor.states if state.time_s in shown]
    assert len(common) > len(sensor.states) // 10
    assert all((s.angles_deg, s.reps, s.sets_done, s.phase) == (shown[s.time_s].angles_deg, shown[s.time_s].reps,
               shown[s.time_s].sets_done, shown[s.time_s].phase) for s in common)


def test_a_recording_without_the_swings_says_so_and_shows_no_angles() -> None:
    run = _run("seated_hip_internal_rotation", "left", 8109, SimOptions(calibration_swings=0))
    assert run.final.phase == "uncalibrated"
    assert run.final.angles_deg is None and run.final.reps == 0
    failed = _of(run, CalibrationFailed)
    assert len(failed) == 1 and "standing" in failed[0].problem
    assert not _of(run, Calibrated) and not _of(run, RepCounted)


def test_a_long_session_keeps_counting_past_the_history_window() -> None:
    """Holds longer than the window the rep detectors see (cost bound) still count."""
    params = LiveParams(events_window_s=120.0)
    run = _run("ninety_ninety_ir_stretch", "left", 8110, SimOptions(dose=Dose(sets=3, hold_s=100.0)), block=25,
               params=params)                           # 0.25 s blocks: a third less time than 0.05 s ones
    assert run.final.reps == len(run.sim.truth.reps) == 3


def test_repeated_samples_are_ignored() -> None:
    sim = simulate_session("seated_hip_internal_rotation", "left", 8111, SimOptions(dose=Dose(sets=1, reps=1)))
    live = LiveAnalyzer(sim.rate_hz, "left", "internal_rotation", "seated")
    thigh = sim.thigh
    for start in range(0, len(thigh), 50):
        part = thigh.slice(max(0, start - 10), start + 50)        # every block repeats the last 10 samples
        live.feed(part.time_s, part.acc_mps2, part.gyr_radps)
    live.finish()
    assert live.state.reps == 1
    assert live.state.time_s == pytest.approx(float(thigh.time_s[-1] - thigh.time_s[0]))


def test_unknown_motion_or_posture_is_refused() -> None:
    with pytest.raises(ValueError, match="primary motion"):
        LiveAnalyzer(100.0, "left", "jumping", "seated")
    with pytest.raises(ValueError, match="posture"):
        LiveAnalyzer(100.0, "left", "flexion", "upside_down")


def test_swings_are_counted_with_hysteresis() -> None:
    rate = 100.0
    t = np.arange(0, 6.0, 1 / rate)
    angle = np.radians(np.concatenate([60 * np.sin(np.pi * t[:300] / 1.5) ** 2, 30 * np.ones(300)]))
    rate_radps = np.gradient(angle, t)
    gyr = np.zeros((len(t), 3))
    gyr[:, 2] = rate_radps                                         # swings about the sensor's z axis
    up = np.array([0.0, 1.0, 0.0])
    swing = swing_angle(np.concatenate([[t[0] - 0.01], t]), gyr, up)
    assert swing is not None and swing.axis == pytest.approx([0.0, 0.0, 1.0])
    assert swing.planarity == pytest.approx(1.0)
    assert count_peaks(swing.angle_deg, 35.0) == 2                 # the 30° plateau is no swing
    assert count_peaks(-swing.angle_deg, 35.0) == 0                # extension is not a forward swing
    assert swing_angle(np.concatenate([[t[0] - 0.01], t]), np.tile([0.0, 1.0, 0.0], (len(t), 1)), up) is None


def test_alignment_residual_grows_as_the_swings_leave_their_plane(seated: Run) -> None:
    calibration = _of(seated, Calibrated)[0].calibration
    clean = alignment_residual_deg(calibration)
    from dataclasses import replace

    assert 0.0 < clean < 10.0                               # a simulated calibration is clean, not perfect
    assert alignment_residual_deg(replace(calibration, planarity=0.8)) == pytest.approx(26.565, abs=1e-3)
    assert alignment_residual_deg(replace(calibration, planarity=0.5)) == pytest.approx(45.0)
    assert alignment_residual_deg(replace(calibration, planarity=1.0)) == 0.0


def test_history_grows_trims_and_keeps_order() -> None:
    history = History(capacity=8)
    for k in range(50):
        t = np.array([2.0 * k, 2.0 * k + 1])
        history.append(t, np.zeros((2, 3)), np.zeros((2, 3)), np.tile([1.0, 0, 0, 0], (2, 1)), np.zeros((2, 3)),
                       0.1 * k)
        if k % 7 == 6:
            history.trim(history.size - 4)
    assert np.all(np.diff(history.time_s) == 1.0)
    assert history.time_s[-1] == 99.0 and history.size >= 4
    assert history.heading[-1] == pytest.approx(4.9)
