"""Strap-placement consistency: is the sensor strapped the way it was in the person's previous sessions?

Why: every session calibrates its own sensor-to-segment alignment, so any strap orientation gives
right angles, but a strap rotated around the thigh or slid onto other soft tissue moves with the
muscle differently and changes what is measured; trends across sessions are only comparable when
the strap sits alike. Comparing this session's calibration with the previous ones shows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.frames import rotation_from_wxyz

FloatArray = NDArray[np.float64]

STRAP_SHIFT_DEG = 12.0
"""A calibration this far from the previous sessions' means the strap sits differently. Why 12°:
re-calibrating the same strap scatters the alignment by 1–4° (swing plane and stand posture, on
the simulator: under 3° for 3 s stands and 3 swings), while a strap visibly turned around the thigh
is 20° or more; 12° sits between with margin on both sides."""

PREVIOUS_SESSIONS = 5
"""The placement is compared with the mean of up to this many previous sessions (one odd session
does not set the reference)."""


@dataclass(frozen=True, slots=True)
class StrapShift:
    shift_deg: float
    """Rotation between this session's sensor-to-segment alignment and the previous sessions' mean."""
    compared_with: int
    """How many previous sessions the mean is of."""

    @property
    def moved(self) -> bool:
        return self.shift_deg >= STRAP_SHIFT_DEG


def strap_shift(previous_wxyz: Sequence[Sequence[float]], current_wxyz: Sequence[float]) -> StrapShift | None:
    """How differently the strap sits now than in the previous sessions (None: nothing to compare with)."""
    if not len(previous_wxyz):
        return None
    recent = np.asarray(previous_wxyz[-PREVIOUS_SESSIONS:], dtype=float)
    reference = rotation_from_wxyz(recent).mean()
    shift = rotation_from_wxyz(np.asarray(current_wxyz, dtype=float)) * reference.inv()
    return StrapShift(float(np.degrees(shift.magnitude())), len(recent))
