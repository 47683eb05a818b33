"""Side and exercise warnings against the simulator's ground truth, over fresh seeds.

Every exercise whose primary motion changes sign with the side: analysed as the side it was
recorded on, no warning; analysed as the other side, the wrong-way warning. A seated IR recording
analysed as a ride says that no pedalling was found; a ride analysed as a ride does not.
"""

from __future__ import annotations

import pytest

from analysis.vocabulary import MOTIONS, Axis, Side
from sensors.simulator import simulate_session
from tracker import catalog
from tracker.assessment import assess

MIRRORED = [e.id for e in catalog.EXERCISES
            if MOTIONS[e.primary_motion].axis in (Axis.ABDUCTION, Axis.ROTATION)
            and sum(m is not None for m in MOTIONS[e.primary_motion].events) == 1]
"""Exercises whose one counted direction flips with the side (rotation and abduction ones)."""


def test_the_mirrored_exercises_are_the_rotation_and_abduction_ones() -> None:
    assert {"seated_hip_internal_rotation", "adductor_strap_stretch", "abductor_strap_stretch"} <= set(MIRRORED)


@pytest.mark.parametrize("seed", [8101, 8102, 8103])
@pytest.mark.parametrize("exercise", MIRRORED)
def test_the_wrong_side_is_told_and_the_right_side_is_not(exercise: str, seed: int) -> None:
    side = Side.LEFT if seed % 2 else Side.RIGHT
    thigh = simulate_session(exercise, side.value, seed).thigh
    right = assess(thigh, exercise, side).session_result()
    wrong = assess(thigh, exercise, side.other).session_result()
    assert right.warnings == ()
    assert len(wrong.warnings) == 1 and "other thigh" in wrong.warnings[0], wrong.warnings


@pytest.mark.parametrize("seed", [8201, 8202])
def test_an_exercise_that_was_not_done_is_told(seed: int) -> None:
    seated = simulate_session("seated_hip_internal_rotation", "left", seed).thigh
    as_ride = assess(seated, "ride", Side.LEFT).session_result()
    assert any("no pedalling" in w for w in as_ride.warnings), as_ride.warnings
    ride = simulate_session("ride", "right", seed).thigh
    assert assess(ride, "ride", Side.RIGHT).session_result().warnings == ()
