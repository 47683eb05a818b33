"""Find the calibration protocol (SPEC §3) in a recording and derive the sensor-to-thigh alignment.

Standing still gives the thigh's long axis (the accelerometer then reads gravity along it); the
forward swings give the mediolateral axis (the dominant gyro axis) and its sign (flexion is the
direction of the large excursion). Any strap orientation works, and nothing has to be marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from analysis import quaternions as q
from analysis.chunks import per_chunk
from analysis.frames import circular_mean, heading_of, rotation_from_wxyz
from analysis.segments import drop_short, moving_average, runs

if TYPE_CHECKING:
    from scipy.spatial.transform import Rotation

FloatArray = NDArray[np.float64]

GRAVITY_MPS2 = 9.80665


class CalibrationNotFoundError(ValueError):
    """The recording has no usable calibration; the message says what is missing."""


@dataclass(frozen=True, slots=True)
class CalibrationParams:
    still_gyr_radps: float = np.deg2rad(8.0)
    """Smoothed angular speed below which a person counts as standing still (sway passes)."""
    still_acc_mps2: float = 0.6
    """Allowed deviation of the smoothed |acc| from gravity while still."""
    smooth_s: float = 0.3
    min_stand_s: float = 2.5
    """SPEC asks for 3 s; a little slack for where the detector puts the edges."""
    min_settle_s: float = 0.8
    settle_report_s: float = 2.0
    """The calibration ends this long into the rest after the swings (or when the rest ends)."""
    search_s: float = 60.0
    """The protocol must start within this time of the recording's start."""
    min_swing_deg: float = 35.0
    min_swings: int = 2
    max_swings: int = 6
    max_swing_phase_s: float = 25.0
    max_return_deg: float = 20.0
    """After the swings the thigh must be back where it stood (SPEC §3: return to standing)."""
    min_planarity: float = 0.8
    """Share of swing angular motion about one axis; lower means the swings were not forward swings."""


@dataclass(frozen=True, slots=True)
class Calibration:
    start_s: float
    end_s: float
    q_sensor_to_thigh_wxyz: FloatArray
    """Rotates sensor-frame vectors into the thigh (femur) frame."""
    heading_rad: float
    """Earth heading the person faced while standing (VQF earth frame)."""
    swings: int
    planarity: float
    swings_end_s: float
    """When the leg came to rest after the swings: from here on the person may be in the exercise."""

    @property
    def sensor_to_thigh(self) -> Rotation:
        return rotation_from_wxyz(self.q_sensor_to_thigh_wxyz)


def still_mask(gyr: FloatArray, acc: FloatArray, rate_hz: float, params: CalibrationParams) -> NDArray[np.bool_]:
    window = round(params.smooth_s * rate_hz)
    n = len(gyr)

    def block(s: slice) -> NDArray[np.bool_]:
        # a block at a time, with a window either side so the centred averages see real neighbours:
        # whole-recording float64 norms and running sums were the analysis's peak on a day's recording
        lo, hi = max(0, s.start - window), min(n, s.stop + window)
        inner = slice(s.start - lo, s.stop - lo)
        speed = moving_average(np.linalg.norm(gyr[lo:hi], axis=1), window)[inner]
        acc_dev = np.abs(moving_average(np.linalg.norm(acc[lo:hi], axis=1), window)[inner] - GRAVITY_MPS2)
        return np.asarray((speed < params.still_gyr_radps) & (acc_dev < params.still_acc_mps2))
    return per_chunk(n, block)


def find_calibration(time_s: FloatArray, gyr: FloatArray, acc: FloatArray, quat_wxyz: FloatArray,
                     rate_hz: float, params: CalibrationParams | None = None) -> Calibration:
    """Locate stand → swings → stand near the start; raise CalibrationNotFoundError saying why not.

    time_s (N,) s; gyr (N, 3) rad/s; acc (N, 3) m/s²; quat_wxyz (N, 4) sensor → earth.
    """
    params = params or CalibrationParams()
    if time_s[-1] - time_s[0] < params.min_stand_s + 4.0:
        raise CalibrationNotFoundError(f"recording is only {time_s[-1] - time_s[0]:.1f} s long; the calibration "
                                       "alone takes about 10 s (stand still 3 s, 3 leg swings, stand still 1 s)")
    still, stands = find_stands(time_s, runs(still_mask(gyr, acc, rate_hz, params)), rate_hz, params)
    if len(stands) == 0:
        raise CalibrationNotFoundError(f"no still standing of {params.min_stand_s:.0f}+ s in the first "
                                       f"{params.search_s:.0f} s: start by standing upright and still for 3 s")
    problems = []
    for stand in stands:
        later = still[still[:, 0] > stand[1]]
        if len(later) == 0:
            problems.append("the leg never came to rest after the swings")
            continue
        try:
            return _calibrate(time_s, gyr, acc, quat_wxyz, stand, later[0], params)
        except CalibrationNotFoundError as err:
            problems.append(str(err))
    raise CalibrationNotFoundError(problems[0])


def _calibrate(time_s: FloatArray, gyr: FloatArray, acc: FloatArray, quat_wxyz: FloatArray,
               stand: NDArray[np.intp], settle: NDArray[np.intp], params: CalibrationParams) -> Calibration:
    up = acc[stand[0]:stand[1]].mean(axis=0)
    up /= np.linalg.norm(up)
    span = f"{time_s[stand[0]]:.1f}–{time_s[settle[0]]:.1f} s"
    if time_s[settle[0]] - time_s[stand[1] - 1] > params.max_swing_phase_s:
        raise CalibrationNotFoundError(f"the movement after standing still lasts over {params.max_swing_phase_s:.0f} s "
                                       f"({span}); the calibration is 3 leg swings, then standing still")
    back = acc[settle[0]:settle[1]].mean(axis=0)
    returned_deg = np.degrees(np.arccos(np.clip(np.dot(up, back / np.linalg.norm(back)), -1.0, 1.0)))
    if returned_deg > params.max_return_deg:
        raise CalibrationNotFoundError(f"the leg did not come back to the standing position after the swings "
                                       f"({span}, {returned_deg:.0f}° off); stand still again for a second")
    swing = swing_angle(time_s[stand[1]:settle[0] + 1], gyr[stand[1]:settle[0]], up)
    swings = 0 if swing is None else count_peaks(swing.angle_deg, params.min_swing_deg)
    if swings > params.max_swings:
        raise CalibrationNotFoundError(f"found {swings} swings in {span}: that is exercise, not the calibration")
    if swing is None or swings < params.min_swings:
        raise CalibrationNotFoundError(
            f"found {swings} forward leg swing(s) of {params.min_swing_deg:.0f}°+ after standing still at "
            f"{time_s[stand[0]]:.1f}–{time_s[stand[1] - 1]:.1f} s; swing the leg forward 3 times, 45° or more")
    axis, planarity = swing.axis, swing.planarity
    if planarity < params.min_planarity:
        raise CalibrationNotFoundError(f"the leg swings were not in one plane ({planarity:.0%} about one axis); "
                                       "swing straight forward and back")
    anterior = np.cross(up, axis)
    sensor_to_thigh = q.from_matrix(np.stack([anterior, up, axis]))
    thigh_to_earth = q.multiply(quat_wxyz[stand[0]:stand[1]], q.conjugate(sensor_to_thigh))
    headings = heading_of(thigh_to_earth, np.array([1.0, 0.0, 0.0]))
    heading = circular_mean(headings)
    end = min(int(settle[1]), int(np.searchsorted(time_s, time_s[settle[0]] + params.settle_report_s))) - 1
    return Calibration(float(time_s[stand[0]]), float(time_s[end]), sensor_to_thigh, heading, swings, planarity,
                       float(time_s[settle[0]]))


@dataclass(frozen=True, slots=True)
class Swing:
    axis: FloatArray
    """Unit (3,) sensor-frame flexion axis: the dominant gyro axis made horizontal, signed so that
    the larger excursion about it is positive (flexion)."""
    angle_deg: FloatArray
    """(M,) angle swept about that axis since the swings began."""
    planarity: float
    """Share of the angular motion about the dominant axis (1: perfectly planar swings)."""


def find_stands(time_s: FloatArray, still_runs: NDArray[np.intp], rate_hz: float,
                params: CalibrationParams) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """(still spells long enough to settle, stands long enough to calibrate from) among still_runs.

    still_runs: (K, 2) index runs of still_mask. Stands must begin within search_s of the start.
    The one stand search of the batch calibration and the live progress of its steps.
    """
    still = drop_short(still_runs, max(1, round(params.min_settle_s * rate_hz)))
    search_end = np.searchsorted(time_s, time_s[0] + params.search_s)
    stands = still[(still[:, 1] - still[:, 0] >= params.min_stand_s * rate_hz) & (still[:, 0] < search_end)]
    return still, stands


def swing_angle(time_s: FloatArray, gyr: FloatArray, up: FloatArray) -> Swing | None:
    """The forward-swing angle from gyr (M, 3) rad/s; time_s (M + 1,) s, gyr[i] spans time_s[i:i + 2].

    up: unit (3,) sensor-frame thigh axis while standing. None when there is too little motion to
    have an axis (fewer than 3 samples, or rotation only about the thigh's own axis).
    """
    if len(gyr) < 3:
        return None
    _, singular, axes = np.linalg.svd(gyr, full_matrices=False)
    total = float(np.sum(singular**2))
    axis = axes[0] - np.dot(axes[0], up) * up
    norm = float(np.linalg.norm(axis))
    if norm < 1e-9 or total == 0.0:
        return None
    axis /= norm
    angle_deg = np.rad2deg(np.cumsum(gyr @ axis * np.diff(time_s)))
    if angle_deg.max() < -angle_deg.min():           # flexion is the larger excursion
        axis, angle_deg = -axis, -angle_deg
    return Swing(axis, angle_deg, float(singular[0] ** 2 / total))


def count_peaks(angle_deg: FloatArray, min_height_deg: float) -> int:
    """Excursions that rise above min_height and fall back below half of it (hysteresis)."""
    high = angle_deg > min_height_deg
    low = angle_deg < min_height_deg / 2
    state = np.where(high, 1, np.where(low, -1, 0))
    changes = state[state != 0]
    if changes.size == 0:
        return 0
    return int(np.sum((changes[1:] == 1) & (changes[:-1] == -1)) + (changes[0] == 1))
