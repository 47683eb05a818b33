"""Does the recording look like the side and exercise it was analysed as? Warnings, never silence.

Why: a left-thigh file analysed as the right thigh mirrors abduction and rotation, and the numbers
that come out (negative internal rotation, "holds" at 0°) look as plausible as real ones; an
exercise that is not the one performed just prints ranges. Both are cheap to notice from the
result itself, so the result says so instead of letting a wrong number reach a trend.
"""

from __future__ import annotations

from analysis.peaks import Peaks
from analysis.vocabulary import AXIS_NAMES, MOTIONS, Axis, Motion

MIRROR_MIN_DEG = 10.0
"""An excursion the wrong way must reach this far before the side is doubted (sway stays under it)."""

MIRROR_RATIO = 2.0
"""...and be this many times the excursion the right way (a true session rarely goes the wrong way at all)."""

MIN_EXERCISE_S = 20.0
"""After calibration, this much recording at least before a missing exercise is worth a warning."""


def plausibility_warnings(primary_motion: str, counting: str, peaks: Peaks | None, exercise_s: float,
                          reps: int, holds: int, revolutions: int) -> tuple[str, ...]:
    """Warnings when the side or the exercise look wrong (empty when they look right or cannot be told).

    primary_motion, counting: the exercise's (catalogue) facts; peaks: the signed extremes over the
    exercise; exercise_s: seconds after calibration; reps, holds, revolutions: what was counted.
    """
    warnings: list[str] = []
    side = _side_warning(primary_motion, peaks)
    if side:                                   # the wrong side also explains any missing reps: one warning
        return (side,)
    if exercise_s >= MIN_EXERCISE_S:
        if counting == "ride" and revolutions == 0:
            warnings.append("no pedalling found: was this a ride? Check the exercise.")
        elif counting != "ride" and reps == 0 and holds == 0:
            words = Motion(primary_motion).words
            warnings.append(f"no {words} repetitions or holds found: was the exercise right?")
    return tuple(warnings)


def _side_warning(primary_motion: str, peaks: Peaks | None) -> str | None:
    """Abduction and rotation change sign with the side: a mostly-backwards primary motion means the other side."""
    facts = MOTIONS[Motion(primary_motion)]
    if peaks is None or facts.axis not in (Axis.ABDUCTION, Axis.ROTATION):
        return None
    above, below = facts.events
    if (above is None) == (below is None):            # counted both ways (e.g. 'rotation'): no expected sign
        return None
    low, high = next((lo, hi) for name, lo, hi in peaks.ranges() if name == AXIS_NAMES[facts.axis])
    right_way, wrong_way = (high, low) if above is not None else (low, high)
    reached = max(right_way if above is not None else -right_way, 0.0)
    if abs(wrong_way) < MIRROR_MIN_DEG or abs(wrong_way) < MIRROR_RATIO * reached:
        return None
    motion = above or below
    assert motion is not None
    return (f"{motion.words} went the wrong way ({wrong_way:+.1f}°, against {right_way:+.1f}° the right way): "
            "was the sensor on the other thigh? Check the side.")
