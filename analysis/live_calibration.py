"""How far into the calibration protocol (SPEC §3) a recording is, before the calibration is found.

find_calibration only answers once the whole protocol is there (stand → swings → stand). A person
doing it needs to see each step land: standing still long enough, each forward swing, the rest
after. This reads those steps off the same still detector and swing integration the batch
calibration uses, so what the screen ticks off is what the calibration will accept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from analysis.calibration import Calibration, CalibrationParams, still_mask
from analysis.segments import drop_short, runs

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
    person who stands, fidgets and stands again starts over, as find_calibration allows.
    """
    n = len(time_s)
    if n < 2:
        return CalibrationProgress("waiting_still", 0.0, False, 0)
    spells = runs(still_mask(gyr, acc, rate_hz, params))
    trailing_s = float(time_s[-1] - time_s[spells[-1, 0]]) if len(spells) and spells[-1, 1] == n else 0.0
    still = drop_short(spells, max(1, round(params.min_settle_s * rate_hz)))
    search_end = np.searchsorted(time_s, time_s[0] + params.search_s)
    stands = still[(still[:, 1] - still[:, 0] >= params.min_stand_s * rate_hz) & (still[:, 0] < search_end)]
    if len(stands) == 0:
        return CalibrationProgress("waiting_still", trailing_s, False, 0)
    stand = stands[-1]
    if stand[1] == n:
        return CalibrationProgress("swings", trailing_s, True, 0)
    up = acc[stand[0]:stand[1]].mean(axis=0)
    swings = count_swings(time_s[stand[1] - 1:], gyr[stand[1]:], up / np.linalg.norm(up), params.min_swing_deg)
    settling = swings >= params.min_swings and trailing_s > 0.0
    return CalibrationProgress("settling" if settling else "swings", trailing_s if settling else 0.0, True, swings)


def count_swings(time_s: FloatArray, gyr: FloatArray, up: FloatArray, min_swing_deg: float) -> int:
    """Forward swings in gyr (M, 3) rad/s, time_s (M + 1,) s starting one sample before gyr.

    Like the calibration: the swing axis is the dominant gyro axis made horizontal (normal to the
    standing `up`, unit (3,) sensor frame); the larger excursion about it is flexion; a swing is
    a rise above min_swing_deg that falls back below half of it (hysteresis against wobble).
    """
    if len(gyr) < 3:
        return 0
    _, _, axes = np.linalg.svd(gyr, full_matrices=False)
    axis = axes[0] - np.dot(axes[0], up) * up
    norm = np.linalg.norm(axis)
    if norm < 1e-9:
        return 0
    angle_deg = np.rad2deg(np.cumsum(gyr @ (axis / norm) * np.diff(time_s)))
    if angle_deg.max() < -angle_deg.min():
        angle_deg = -angle_deg
    state = np.where(angle_deg > min_swing_deg, 1, np.where(angle_deg < min_swing_deg / 2, -1, 0))
    changes = state[state != 0]
    if changes.size == 0:
        return 0
    return int(np.sum((changes[1:] == 1) & (changes[:-1] == -1)) + (changes[0] == 1))


def alignment_residual_deg(calibration: Calibration) -> float:
    """RMS angle of the swings' rotation away from the fitted flexion axis.

    planarity is the share of swing motion about that axis; the rest is off-axis, so the angle
    between the typical swing axis and the fitted one is atan(√((1 − p) / p)). A few degrees is a
    clean calibration; near 27° (planarity 0.8) it is barely accepted.
    """
    p = float(np.clip(calibration.planarity, 1e-9, 1.0))
    return float(np.degrees(np.arctan(np.sqrt((1.0 - p) / p))))
