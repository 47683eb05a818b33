"""The live preview and the session's analysis agree: same reps, holds and sets on the same recording.

Both run the same definitions (analysis.events; the live hold tracker is their causal variant), so
what the screen counted during the session is what the stored analysis says afterwards. The live
analyser is fed in the 5-sample blocks a sensor sends, as tracker.live feeds it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from analysis.events import HoldEvent, RepEvent, SetEvent
from analysis.live_analyzer import LiveAnalyzer
from analysis.live_events import HoldEnded, HoldStarted, RepCounted, SetEnded
from analysis.pipeline import ThighAnalysis, analyze_thigh
from sensors.simulator import Dose, SimOptions, simulate_session
from tracker import catalog

HOLD_EDGE_S = 0.1
"""Live and batch hold edges agree this closely. The causal tracker waits until the low-pass of a
sample is final, so it sees the very samples the batch detector sees; what remains is the live
angle's heading-drift correction (held since the last rest; batch interpolates it between rests)
moving the rotation angle by a fraction of a degree, against arrival_deg = 0.3°. 0.1 s is also the
resolution hold times are shown and stored at."""

HOLD_ANGLE_DEG = 4.0
"""The held angle is the live angle's mean: during a 2–3 min stretch its heading-drift correction is
the one found at the last rest, while the batch also has the rest after it (up to ~3° of rotation
drift over 2 min in the simulator, less for short holds and for flexion)."""

REP_EDGE_S = 0.2
"""Reps come from the batch detectors re-run on the live history: the same edges up to that
drift correction, on an angle moving ≥ 5 °/s at a rep's edges."""


@dataclass
class Both:
    batch: ThighAnalysis
    reps: list[RepEvent]
    holds: list[HoldEvent]
    started: list[HoldStarted]
    sets: list[SetEvent]
    t0_s: float


def _both(exercise_id: str, side: str, seed: int, options: SimOptions | None = None) -> Both:
    sim = simulate_session(exercise_id, side, seed, options)
    exercise = catalog.get(exercise_id)
    thigh = sim.thigh
    batch = analyze_thigh(thigh.time_s, thigh.acc_mps2, thigh.gyr_radps, side, exercise.primary_motion,
                          exercise.posture.value, exercise.counting)
    live = LiveAnalyzer(sim.rate_hz, side, exercise.primary_motion, exercise.posture.value, exercise.counting)
    events = []
    for start in range(0, len(thigh), 5):
        part = thigh.slice(start, start + 5)
        events += live.feed(part.time_s, part.acc_mps2, part.gyr_radps)
    events += live.finish()
    return Both(batch, [e.rep for e in events if isinstance(e, RepCounted)],
                [e.hold for e in events if isinstance(e, HoldEnded)], [e for e in events if isinstance(e, HoldStarted)],
                [e.set for e in events if isinstance(e, SetEnded)], float(thigh.time_s[0]))


CASES = [
    ("seated_hip_internal_rotation", "left", 8201),
    ("seated_hip_internal_rotation", "right", 8202),
    ("ninety_ninety_ir_stretch", "left", 8203),
    ("ninety_ninety_ir_stretch", "right", 8204),
    ("ninety_ninety_transitions", "left", 8205),
    ("ninety_ninety_transitions", "right", 8206),
    ("hamstring_strap_stretch", "left", 8207),
    ("banded_hip_flexion_march", "right", 8208),
]


REAL_BODIES = SimOptions(dose=Dose(sets=2, reps=5, rep_hold_s=(2.0, 3.0), neutral_s=(0.5, 1.0)), hold_sway_deg=0.3)
"""Issue #12: 2–3 s holds, 0.5–1 s returns to neutral and sway while holding."""


@pytest.mark.parametrize(("exercise", "side", "seed"), CASES)
def test_live_counts_what_the_session_analysis_finds(exercise: str, side: str, seed: int) -> None:
    _assert_agree(_both(exercise, side, seed))


@pytest.mark.parametrize(("exercise", "side", "seed"), [
    ("seated_hip_internal_rotation", "left", 8211),
    ("seated_hip_flexion_hold", "right", 8212),
])
def test_live_and_session_agree_on_short_holds_and_returns_under_sway(exercise: str, side: str, seed: int) -> None:
    both = _both(exercise, side, seed, REAL_BODIES)
    assert len(both.batch.holds) == 10
    _assert_agree(both)


def _assert_agree(both: Both) -> None:
    batch, t0 = both.batch, both.t0_s
    assert batch.reps, "the batch analysis found nothing to compare with"

    assert len(both.reps) == len(batch.reps)
    for live_rep, rep in zip(both.reps, batch.reps, strict=True):
        assert live_rep.motion == rep.motion
        assert live_rep.start_s == pytest.approx(rep.start_s - t0, abs=REP_EDGE_S)
        assert live_rep.end_s == pytest.approx(rep.end_s - t0, abs=REP_EDGE_S)

    assert len(both.holds) == len(both.started) == len(batch.holds)
    for live_hold, started, hold in zip(both.holds, both.started, batch.holds, strict=True):
        assert live_hold.motion == started.motion == hold.motion
        assert started.start_s == live_hold.start_s
        assert live_hold.start_s == pytest.approx(hold.start_s - t0, abs=HOLD_EDGE_S)
        assert live_hold.end_s == pytest.approx(hold.end_s - t0, abs=HOLD_EDGE_S)
        assert live_hold.angle_deg == pytest.approx(hold.angle_deg, abs=HOLD_ANGLE_DEG)

    assert [s.reps for s in both.sets] == [s.reps for s in batch.sets]
    for live_set, batch_set in zip(both.sets, batch.sets, strict=True):
        assert live_set.start_s == pytest.approx(batch_set.start_s - t0, abs=REP_EDGE_S)
        assert live_set.end_s == pytest.approx(batch_set.end_s - t0, abs=REP_EDGE_S)
