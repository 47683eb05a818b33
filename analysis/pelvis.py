"""A measured pelvis (sacrum sensor): its calibration, its angles against the stand, hip = pelvis⁻¹ ⊗ thigh.

Why a second sensor: a single thigh sensor reports whatever the pelvis does as hip motion. People
reach "further" in a rotation stretch by hitching or rolling the pelvis; with the pelvis measured,
the hip angle is the femur against the pelvis itself (ISB, Wu et al. 2002) and the pelvis's own
motion is reported beside it.

Calibration (the same stand as the thigh's, SPEC §3): gravity at the stand gives the pelvis's
superior axis; the sensor lies flat on the sacrum, so its face normal (sensor z) is the
anteroposterior axis whatever way the strap is turned about it. That fixes the sensor → pelvis
alignment. Each 6D filter has its own arbitrary earth heading, so the pelvis's earth frame is
turned onto the thigh's by the heading both share at the stand (the person faces one way).

Pelvis angles use the rotation–obliquity–tilt sequence (Baker 2001): an error of the earth
heading then only shows in rotation, never leaks into tilt or obliquity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis import quaternions as q
from analysis.angles import heading_drift, thigh_heading_rad
from analysis.calibration import Calibration
from analysis.events import low_pass
from analysis.frames import UPRIGHT_WXYZ, circular_mean, heading_of, hip_angles_deg, rotation_from_wxyz
from analysis.results import HoldEvent, PelvisMotion, RepEvent

FloatArray = NDArray[np.float64]
IntervalArray = NDArray[np.intp]

FACE_NORMAL = np.array([0.0, 0.0, 1.0])
"""The sensor axis perpendicular to its face: flat on the sacrum it points straight back."""


class PelvisCalibrationError(ValueError):
    """The pelvis sensor cannot be calibrated; the message says why."""


@dataclass(frozen=True, slots=True)
class PelvisParams:
    stand_s: float = 2.0
    """The first seconds of the thigh's calibration stand: both sensors are still and upright there."""
    compensation_deg: float = 2.0
    """A rep or hold whose pelvis moved more than this in any plane is compensated. Why 2°: with a
    still pelvis the measured pelvis range over a rep is its sway plus the filter's noise: p99 1.4°,
    max 1.5° over the clean reps of 24 simulated sessions (sway 0.5°); the smallest compensation
    worth a cue (a physiotherapist sees 3°+ by eye) stays above it."""
    smooth_hz: float = 1.5
    """Pelvis angles are low-passed before ranges are taken: tremor is not pelvic motion."""
    ride_smooth_hz: float = 6.0
    """Rides: a gentler low-pass, since rocking repeats every crank revolution (1–2 Hz)."""
    min_normal_tilt_deg: float = 50.0
    """The face normal must be this far from vertical at the stand, or the sensor is not on the sacrum."""


@dataclass(frozen=True, slots=True)
class PelvisCalibration:
    q_sensor_to_pelvis_wxyz: FloatArray
    """Rotates pelvis-sensor vectors into the pelvis frame (X anterior, Y superior, Z right)."""
    yaw_to_thigh_earth_rad: float
    """Turns the pelvis filter's earth frame onto the thigh filter's (the heading both share at the stand)."""


@dataclass(frozen=True, slots=True)
class PelvisAngles:
    time_s: FloatArray
    angles_deg: FloatArray
    """(N, 3) tilt (posterior +), obliquity (right side down +), rotation (to the left +), against the stand."""
    pelvis_wxyz: FloatArray
    """(N, 4) pelvis → thigh-earth quaternions, relative heading drift removed."""


def calibrate_pelvis(time_s: FloatArray, acc: FloatArray, quat_wxyz: FloatArray, thigh: Calibration,
                     params: PelvisParams | None = None) -> PelvisCalibration:
    """Sensor → pelvis alignment and the earth-heading offset, from the thigh's calibration stand."""
    params = params or PelvisParams()
    stand = (time_s >= thigh.start_s) & (time_s <= thigh.start_s + params.stand_s)
    if stand.sum() < 2:
        raise PelvisCalibrationError("the pelvis recording does not cover the calibration stand")
    up = acc[stand].mean(axis=0)
    up /= np.linalg.norm(up)
    normal_up_deg = float(np.degrees(np.arccos(np.clip(abs(FACE_NORMAL @ up), 0.0, 1.0))))
    if normal_up_deg < params.min_normal_tilt_deg:
        raise PelvisCalibrationError(f"the pelvis sensor's face points {90 - normal_up_deg:.0f}° up or down at the "
                                     "stand: strap it flat on the sacrum, face out (README: pelvis sensor)")
    posterior = FACE_NORMAL - (FACE_NORMAL @ up) * up
    anterior = -posterior / np.linalg.norm(posterior)
    right = np.cross(anterior, up)
    matrix = np.vstack([anterior, up, right])          # rows: pelvis axes in sensor coordinates
    q_sensor_to_pelvis = q.from_matrix(matrix)
    pelvis = q.multiply(quat_wxyz[stand], q.conjugate(q_sensor_to_pelvis))
    facing = circular_mean(heading_of(pelvis, np.array([1.0, 0.0, 0.0])))
    yaw = float(np.angle(np.exp(1j * (thigh.heading_rad - facing))))
    return PelvisCalibration(q_sensor_to_pelvis, yaw)


def pelvis_quaternions(quat_wxyz: FloatArray, calibration: PelvisCalibration) -> FloatArray:
    """Pelvis → thigh-earth (N, 4), before any drift correction."""
    pelvis = q.multiply(quat_wxyz, q.conjugate(calibration.q_sensor_to_pelvis_wxyz))
    return q.multiply(q.about_z(calibration.yaw_to_thigh_earth_rad), pelvis)


def pelvis_heading_rad(pelvis_wxyz: FloatArray) -> FloatArray:
    """Earth heading of the pelvis: of its front when upright, of its head end when lying back."""
    anterior = q.rotate(pelvis_wxyz, np.array([1.0, 0.0, 0.0]))
    superior = q.rotate(pelvis_wxyz, np.array([0.0, 1.0, 0.0]))
    return np.where(np.hypot(anterior[:, 0], anterior[:, 1]) > 0.5, np.arctan2(anterior[:, 1], anterior[:, 0]),
                    np.arctan2(-superior[:, 1], -superior[:, 0]))


def relative_drift_rad(time_s: FloatArray, thigh_wxyz: FloatArray, pelvis_wxyz: FloatArray, rests: IntervalArray,
                       pose_tolerance_deg: float = 2.5) -> FloatArray:
    """How far the two filters' headings drifted apart, from rests in the same pose.

    At two rests with the same thigh inclination the femur sits the same way on the pelvis, so a
    change of the thigh's heading relative to the pelvis's is the two gyros drifting apart (a
    whole-body turn moves both and cancels)."""
    if len(rests) < 2:
        return np.zeros(len(time_s))
    relative = np.angle(np.exp(1j * (thigh_heading_rad(thigh_wxyz) - pelvis_heading_rad(pelvis_wxyz))))
    up_in_thigh = q.rotate(q.conjugate(thigh_wxyz), np.array([0.0, 0.0, 1.0]))
    return heading_drift(time_s, relative, up_in_thigh, rests, pose_tolerance_deg)


def measured_hip_angles(pelvis_wxyz: FloatArray, thigh_wxyz: FloatArray, side: str) -> FloatArray:
    """(N, 3) flexion, abduction, internal rotation of the femur against the measured pelvis (ISB)."""
    return hip_angles_deg(pelvis_wxyz, thigh_wxyz, side)


def pelvis_angles(time_s: FloatArray, pelvis_wxyz: FloatArray, heading_rad: float) -> PelvisAngles:
    """Pelvis tilt, obliquity and rotation against the upright stand facing heading_rad."""
    stand = q.multiply(q.about_z(heading_rad), UPRIGHT_WXYZ)
    relative = q.multiply(q.conjugate(stand), pelvis_wxyz)
    rotation, obliquity, tilt = rotation_from_wxyz(relative).as_euler("YXZ", degrees=True).T
    return PelvisAngles(time_s, np.column_stack([tilt, obliquity, rotation]), pelvis_wxyz)


def smoothed(angles: PelvisAngles, rate_hz: float, params: PelvisParams) -> FloatArray:
    """Pelvis angles with tremor removed (unwrapped rotation, so a turn through ±180° stays continuous)."""
    values = angles.angles_deg.copy()
    values[:, 2] = np.degrees(np.unwrap(np.radians(values[:, 2])))
    return low_pass(values, params.smooth_hz, rate_hz)


def motion_in(time_s: FloatArray, smooth_deg: FloatArray, start_s: float, end_s: float) -> PelvisMotion:
    """How far the pelvis moved (max − min per plane) between two times."""
    a, b = np.searchsorted(time_s, [start_s, end_s], side="left"), np.searchsorted(time_s, end_s, side="right")
    window = smooth_deg[int(a[0]):max(int(b), int(a[0]) + 1)]
    tilt, obliquity, rotation = np.ptp(window, axis=0)
    return PelvisMotion(float(tilt), float(obliquity), float(rotation))


def offset_in(time_s: FloatArray, smooth_deg: FloatArray, since_s: float, start_s: float,
              end_s: float) -> PelvisMotion:
    """How far the pelvis sat from where it was at since_s (largest |offset| per plane) between two times."""
    reference = smooth_deg[min(int(np.searchsorted(time_s, since_s)), len(time_s) - 1)]
    a = int(np.searchsorted(time_s, start_s))
    b = max(int(np.searchsorted(time_s, end_s, side="right")), a + 1)
    tilt, obliquity, rotation = np.abs(smooth_deg[a:b] - reference).max(axis=0)
    return PelvisMotion(float(tilt), float(obliquity), float(rotation))


def with_pelvis(time_s: FloatArray, smooth_deg: FloatArray, reps: tuple[RepEvent, ...],
                holds: tuple[HoldEvent, ...], params: PelvisParams
                ) -> tuple[tuple[RepEvent, ...], tuple[HoldEvent, ...]]:
    """Every rep and hold with how far the pelvis moved and whether that was compensation.

    A rep: the pelvis's range over the rep. A hold: how far the pelvis sits from where it was when
    the rep began (a hold reached by hitching the pelvis is held with the pelvis still, but away)."""
    marked_reps = []
    for rep in reps:                                 # one step per rep (a handful), not per sample
        moved = motion_in(time_s, smooth_deg, rep.start_s, rep.end_s)
        marked_reps.append(RepEvent(rep.motion, rep.start_s, rep.end_s, rep.peak_deg, moved,
                                    moved.largest_deg > params.compensation_deg))
    marked_holds = []
    for hold in holds:
        since = next((r.start_s for r in reps if r.start_s <= hold.start_s <= r.end_s), None)
        moved = motion_in(time_s, smooth_deg, hold.start_s, hold.end_s) if since is None else \
            offset_in(time_s, smooth_deg, since, hold.start_s, hold.end_s)
        marked_holds.append(HoldEvent(hold.motion, hold.start_s, hold.end_s, hold.angle_deg, hold.stability_deg,
                                      moved, moved.largest_deg > params.compensation_deg))
    return tuple(marked_reps), tuple(marked_holds)
