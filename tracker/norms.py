"""Typical adult hip range, for orientation on trend charts — never a diagnosis or a target.

Active range of healthy adults, rounded to a band around the mean (Roach & Miles 1991, Phys Ther
71:656, NHANES I; adduction from the AAOS guide; straight-leg raise from Kendall's muscle-length
tests). Angles are positive in the motion's direction, like the progress points they sit beside.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RangeBand:
    low_deg: float
    high_deg: float
    label: str


_BY_MOTION: dict[str, RangeBand] = {
    "flexion": RangeBand(110.0, 130.0, "typical adults"),
    "extension": RangeBand(15.0, 25.0, "typical adults"),
    "abduction": RangeBand(35.0, 50.0, "typical adults"),
    "adduction": RangeBand(20.0, 30.0, "typical adults"),
    "internal_rotation": RangeBand(25.0, 40.0, "typical adults"),
    "external_rotation": RangeBand(25.0, 40.0, "typical adults"),
}

_BY_EXERCISE: dict[tuple[str, str], RangeBand | None] = {
    ("hamstring_strap_stretch", "flexion"): RangeBand(70.0, 90.0, "typical straight-leg raise"),
    ("ride", "flexion"): None,                 # a pedal stroke is not an end-range measurement
    ("single_leg_circles", "flexion"): None,
}
"""Exercises whose angle is not the joint's end range in that motion (or is measured differently)."""


def typical_band(exercise_id: str, motion: str) -> RangeBand | None:
    """The band to draw behind an exercise's trend of `motion`, or None where no norm applies."""
    if (exercise_id, motion) in _BY_EXERCISE:
        return _BY_EXERCISE[(exercise_id, motion)]
    return _BY_MOTION.get(motion)
