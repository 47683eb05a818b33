"""How far into the calibration protocol (SPEC §3) a recording is, before the calibration is found.

find_calibration only answers once the whole protocol is there (stand → swings → stand). A person
doing it needs to see each step land: standing still long enough, each forward swing, the rest
after. This reads those steps off the batch calibration's own stand search, swing angle and swing
count (no copy of them here), so what the screen ticks off is what the calibration will accept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from analysis.calibration import (
    Calibration,
    CalibrationParams,
    count_peaks,
    find_stands,
    still_mask,
    swing_angle,
)
from analysis.segments import runs

FloatArray = NDArray[np.float64]

Step = Literal["waiting_still", "swings", "settling"]


@dataclass(frozen=True, slots=True)
class CalibrationProgress:
    step: Step
    still_s: float
    """How long the leg has been still up to the last sample (0 while it moves)."""
    stood: bool
    """A still stand long enough for the calibration has been seen."""
    swings: int
    """Forward swings of min_swing_deg or more since that stand."""


def calibration_progress(time_s: FloatArray, gyr: FloatArray, acc: FloatArray, rate_hz: float,
                         params: CalibrationParams) -> CalibrationProgress:
    """The protocol step a (calibration-less) recording has reached.

    time_s (N,) s; gyr (N, 3) rad/s; acc (N, 3) m/s². The latest qualifying stand counts: a
    person who stands, fidgets and stands again starts over, as find_calibration allows. Stands
    and swings are found by the calibration's own find_stands, swing_angle and count_peaks.
    """
    n = len(time_s)
    if n < 2:
        return CalibrationProgress("waiting_still", 0.0, False, 0)
    spells = runs(still_mask(gyr, acc, rate_hz, params))
    trailing_s = float(time_s[-1] - time_s[spells[-1, 0]]) if len(spells) and spells[-1, 1] == n else 0.0
    _, stands = find_stands(time_s, spells, rate_hz, params)
    if len(stands) == 0:
        return CalibrationProgress("waiting_still", trailing_s, False, 0)
    stand = stands[-1]
    if stand[1] == n:
        return CalibrationProgress("swings", trailing_s, True, 0)
    up = acc[stand[0]:stand[1]].mean(axis=0)
    swing = swing_angle(time_s[stand[1]:], gyr[stand[1]:-1], up / np.linalg.norm(up))
    swings = 0 if swing is None else count_peaks(swing.angle_deg, params.min_swing_deg)
    settling = swings >= params.min_swings and trailing_s > 0.0
    return CalibrationProgress("settling" if settling else "swings", trailing_s if settling else 0.0, True, swings)


def alignment_residual_deg(calibration: Calibration) -> float:
    """RMS angle of the swings' rotation away from the fitted flexion axis.

    planarity is the share of swing motion about that axis; the rest is off-axis, so the angle
    between the typical swing axis and the fitted one is atan(√((1 − p) / p)). A few degrees is a
    clean calibration; near 27° (planarity 0.8) it is barely accepted.
    """
    p = float(np.clip(calibration.planarity, 1e-9, 1.0))
    return float(np.degrees(np.arctan(np.sqrt((1.0 - p) / p))))
