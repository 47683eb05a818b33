"""What `hiptrack demo` records: a short mobility session on both sides and a ride, done as prescribed.

Why as prescribed: the demo's dashboard is a new user's first look at hiptrack. Sessions simulated
below the seeds' dose, or with the strap turned between sessions, fill it with alerts ("2 sets,
prescribed 3", "the sensor sat 140° differently") that read as if the new user were doing it wrong.
"""

from __future__ import annotations

from sensors.simulator import Dose, SimOptions
from tracker import catalog
from tracker.domain import Side

DEMO_PROGRAM: tuple[tuple[str, Side, int], ...] = (
    ("seated_hip_internal_rotation", Side.LEFT, 11),
    ("seated_hip_internal_rotation", Side.RIGHT, 12),
    ("hamstring_strap_stretch", Side.LEFT, 13),
    ("ride", Side.RIGHT, 14),
)
"""(exercise, side, simulator seed) per demo session, in recording order."""

HOLD_MARGIN = 1.15
"""Stretch holds a little past the prescribed minimum, as a person counting to sixty does."""


def demo_options(exercise_id: str) -> SimOptions:
    """The exercise's prescribed sets, reps and hold, the thigh strapped the same tidy way every session."""
    prescription, default = catalog.get(exercise_id).prescription, Dose()
    dose = Dose(sets=round(prescription.sets[0]) if prescription.sets else default.sets,
                reps=max(default.reps, round(prescription.reps[0])) if prescription.reps else default.reps,
                hold_s=prescription.hold_s[0] * HOLD_MARGIN if prescription.hold_s and prescription.hold_s[0] > 10
                else default.hold_s)
    return SimOptions(dose=dose, strap="lateral")
