"""The exercise catalogue (SPEC §7): what each exercise measures and in which posture.

Facts come from the seed articles in shared/seeds/; prescriptions, cues and common mistakes are
added with the catalogue issue. Analysis reads the primary motion and reference posture from here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from tracker.errors import UnknownExerciseError


class Posture(enum.StrEnum):
    """Reference posture of the pelvis during the exercise (SPEC §2)."""

    STANDING = "standing"
    SEATED = "seated"
    FLOOR_SITTING = "floor_sitting"
    SUPINE = "supine"
    KNEELING = "kneeling"
    CYCLING = "cycling"


@dataclass(frozen=True, slots=True)
class Exercise:
    id: str
    name: str
    source: str
    """Seed file the facts come from."""
    primary_motion: str
    posture: Posture
    counting: str = "excursions"
    """How reps are counted: 'excursions' (out from rest and back) or 'cycles' (shifts, circles)."""


_SEED_CYCLING = "000_09a037b40f323262.txt"
_SEED_MOBILITY = "001_a5cf285771b240ea.txt"
_SEED_IR = "002_5d85a1633ab92600.txt"
_SEED_RUNNERS = "003_3a27a0681c50d210.txt"

EXERCISES: tuple[Exercise, ...] = (
    Exercise("ninety_ninety_ir_stretch", "90/90 internal rotation stretch", _SEED_IR, "internal_rotation",
             Posture.FLOOR_SITTING),
    Exercise("seated_hip_internal_rotation", "Seated hip internal rotation", _SEED_IR, "internal_rotation",
             Posture.SEATED),
    Exercise("ninety_ninety_transitions", "90/90 transitions", _SEED_IR, "rotation", Posture.FLOOR_SITTING),
    Exercise("seated_hip_flexion_hold", "Seated hip flexion hold", _SEED_CYCLING, "flexion", Posture.SEATED),
    Exercise("supine_hip_shift_ir", "Supine hip shift (internal rotation)", _SEED_MOBILITY, "internal_rotation",
             Posture.SUPINE, counting="cycles"),
    Exercise("hamstring_strap_stretch", "Hamstring stretch with strap", _SEED_MOBILITY, "flexion", Posture.SUPINE),
    Exercise("adductor_strap_stretch", "Adductor stretch with strap", _SEED_MOBILITY, "abduction", Posture.SUPINE),
    Exercise("abductor_strap_stretch", "Abductor stretch with strap", _SEED_MOBILITY, "adduction", Posture.SUPINE),
    Exercise("single_leg_circles", "Single-leg circles", _SEED_MOBILITY, "circumduction", Posture.SUPINE,
             counting="cycles"),
    Exercise("couch_stretch", "Couch stretch", _SEED_MOBILITY, "extension", Posture.KNEELING),
    Exercise("figure_four_stretch", "Supine figure-four stretch", _SEED_MOBILITY, "flexion", Posture.SUPINE),
    Exercise("thomas_stretch", "Thomas stretch", _SEED_RUNNERS, "extension", Posture.SUPINE),
    Exercise("standing_hip_abduction_hold", "Standing hip abduction hold", _SEED_RUNNERS, "abduction",
             Posture.STANDING),
    Exercise("banded_hip_flexion_march", "Banded hip flexion march", _SEED_RUNNERS, "flexion", Posture.STANDING),
    Exercise("ride", "Bike ride", _SEED_CYCLING, "cycling", Posture.CYCLING, counting="ride"),
)

_BY_ID = {e.id: e for e in EXERCISES}


def get(exercise_id: str) -> Exercise:
    try:
        return _BY_ID[exercise_id]
    except KeyError:
        raise UnknownExerciseError(exercise_id, list(_BY_ID)) from None


def ids() -> list[str]:
    return [e.id for e in EXERCISES]
