"""Holds and reps of supine stretches with a sacrum sensor worn, against the simulator's truth.

Why: with a pelvis sensor the hip angles are the femur against the measured pelvis, and rests
must be found on those. The thigh alone stays still while the person lies back, so its "rest"
spanned the pelvis turning 90° (hip flexion 90° → 0°) and the neutral level it gave paired with
nothing: strapping on a second sensor silently lost the holds (seeds 9951, 9952 before the fix).
"""

from __future__ import annotations

import pytest

from benchmarks.accuracy import analyse
from sensors.simulator import SimOptions, simulate_session

SEEDS = (9951, 9952)


@pytest.mark.parametrize("exercise", ["figure_four_stretch", "hamstring_strap_stretch"])
def test_supine_stretch_holds_found_with_a_pelvis_sensor(exercise: str) -> None:
    for i, seed in enumerate(SEEDS):
        sim = simulate_session(exercise, ("left", "right")[i % 2], seed, SimOptions(with_pelvis=True))
        result = analyse(sim, pelvis=True)
        assert result.pelvis_problem is None
        truth = sim.truth
        assert truth.holds, "the stretch is scripted with holds"
        where = f"{exercise} seed {seed}"
        assert len(result.reps) == len(truth.reps), f"{where}: {len(result.reps)} reps found, {len(truth.reps)} true"
        assert len(result.holds) == len(truth.holds), f"{where}: {len(result.holds)} holds, {len(truth.holds)} true"
        for hold in truth.holds:
            found = [h for h in result.holds if h.start_s < hold.end_s and h.end_s > hold.start_s]
            assert len(found) == 1, f"{where}: true hold {hold.start_s:.1f}-{hold.end_s:.1f} s found {len(found)}×"
            assert abs(found[0].duration_s - hold.duration_s) <= 0.5, (
                f"{where}: hold lasted {hold.duration_s:.2f} s, found {found[0].duration_s:.2f} s")
