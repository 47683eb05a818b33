"""Hip angles of a thigh sensor against the exercise's assumed pelvis (SPEC §2, single sensor).

The pelvis is assumed in the exercise's reference posture facing the heading seen at calibration.
Without a magnetometer that heading is only known through gyro integration, which drifts (about
0.1–0.3 °/s with consumer gyros). Flexion, and rotation about a near-horizontal femur, do not
depend on heading; abduction in seated/supine postures and rotation about a near-vertical femur
do. So the heading reference is re-anchored at every rest in the exercise's neutral pose: there
the leg is back where it started, and any heading change since is drift.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis import quaternions as q
from analysis.calibration import Calibration
from analysis.frames import circular_mean, heading_of, hip_angles_deg, pelvis_reference

FloatArray = NDArray[np.float64]
IntervalArray = NDArray[np.intp]

_LONG_AXIS = np.array([0.0, 1.0, 0.0])
_ANTERIOR = np.array([1.0, 0.0, 0.0])


@dataclass(frozen=True, slots=True)
class HipAngles:
    time_s: FloatArray
    angles_deg: FloatArray
    """(N, 3) flexion, abduction, internal rotation; SPEC §2 signs."""
    heading_correction_deg: FloatArray
    """(N,) drift removed from the pelvis heading at each sample."""

    @property
    def flexion_deg(self) -> FloatArray:
        return self.angles_deg[:, 0]

    @property
    def abduction_deg(self) -> FloatArray:
        return self.angles_deg[:, 1]

    @property
    def rotation_deg(self) -> FloatArray:
        return self.angles_deg[:, 2]


def thigh_quaternions(quat_wxyz: FloatArray, calibration: Calibration) -> FloatArray:
    """Femur → earth (N, 4): the sensor's orientation undone by the strap alignment."""
    return q.multiply(quat_wxyz, q.conjugate(calibration.q_sensor_to_thigh_wxyz))


def thigh_heading_rad(thigh_wxyz: FloatArray) -> FloatArray:
    """Earth heading of the thigh: of its long axis when that lies down, of its front when upright."""
    long_axis = q.rotate(thigh_wxyz, _LONG_AXIS)
    horizontal = np.hypot(long_axis[:, 0], long_axis[:, 1])
    front = heading_of(thigh_wxyz, _ANTERIOR)
    return np.where(horizontal > 0.5, np.arctan2(-long_axis[:, 1], -long_axis[:, 0]), front)


def hip_angles(time_s: FloatArray, thigh_wxyz: FloatArray, calibration: Calibration, side: str, posture: str,
               rests: IntervalArray | None = None, pose_tolerance_deg: float = 2.5,
               extra_correction_rad: FloatArray | None = None) -> HipAngles:
    """Per-sample hip angles of femur → earth quaternions; `rests` (K, 2) in the posture anchor the heading.

    extra_correction_rad: (N,) drift known otherwise (loop closure), added to what the rests show."""
    correction = np.zeros(len(time_s))
    if rests is not None and len(rests) > 1:
        up_in_thigh = q.rotate(q.conjugate(thigh_wxyz), np.array([0.0, 0.0, 1.0]))
        correction = heading_drift(time_s, thigh_heading_rad(thigh_wxyz), up_in_thigh, rests, pose_tolerance_deg)
    if extra_correction_rad is not None:
        correction = correction + extra_correction_rad
    pelvis = pelvis_reference(calibration.heading_rad + correction, posture)
    return HipAngles(time_s, hip_angles_deg(pelvis, thigh_wxyz, side), np.rad2deg(correction))


def same_pose(up_in_thigh: FloatArray, rests: IntervalArray, pose_tolerance_deg: float) -> NDArray[np.bool_]:
    """(K, K) rest i and rest j are in the same pose that shows heading: gravity seen in the thigh
    frame within pose_tolerance_deg, and the thigh not near vertical (gravity cannot tell how a
    vertical thigh is turned)."""
    ups = np.array([up_in_thigh[a:b].mean(axis=0) for a, b in rests]).reshape(-1, 3)
    ups /= np.linalg.norm(ups, axis=1, keepdims=True)
    same = np.degrees(np.arccos(np.clip(ups @ ups.T, -1.0, 1.0))) < pose_tolerance_deg
    same &= (np.abs(ups[:, 1]) < np.cos(np.radians(30)))[:, None]
    return np.asarray(same)


def heading_anchors(thigh_wxyz: FloatArray, rests: IntervalArray, pose_tolerance_deg: float = 2.5
                    ) -> NDArray[np.bool_]:
    """(K,) which rests observe heading drift: those with another rest in the same pose (see heading_drift).

    Why: a rest alone, or with a vertical thigh, anchors nothing, so the confidence must not count it."""
    if len(rests) < 2:
        return np.zeros(len(rests), dtype=bool)
    up_in_thigh = q.rotate(q.conjugate(thigh_wxyz), np.array([0.0, 0.0, 1.0]))
    same = same_pose(up_in_thigh, rests, pose_tolerance_deg)
    np.fill_diagonal(same, False)
    return np.asarray(same.any(axis=0) | same.any(axis=1))


def heading_drift(time_s: FloatArray, heading_rad: FloatArray, up_in_thigh: FloatArray, rests: IntervalArray,
                  pose_tolerance_deg: float, observation_deg: float = 0.5,
                  walk_deg_per_sqrt_s: float = 0.3) -> FloatArray:
    """Heading drift at every sample, from rests in the same pose.

    Two rests with the same thigh inclination (gravity seen in the thigh frame within
    pose_tolerance_deg) are taken as the same pose, so any change of the thigh's heading between
    them is gyro drift. A least-squares drift curve through the rests (pinned at 0 on the first
    rest) explains those changes. Drift is modelled as a random walk (residual gyro bias wanders),
    so where no pair says otherwise it stays put rather than being extrapolated.
    Rests with a near-vertical thigh are left out: gravity cannot tell how such a thigh is turned.
    """
    centres = np.array([time_s[a:b].mean() for a, b in rests])
    headings = np.array([circular_mean(heading_rad[a:b]) for a, b in rests])
    same = same_pose(up_in_thigh, rests, pose_tolerance_deg)
    k = len(rests)
    rows, targets = [], []
    for i in range(k):              # pair each rest with the next one in the same pose
        later = np.flatnonzero(same[i, i + 1:])
        if later.size:
            j = i + 1 + int(later[0])
            row = np.zeros(k)
            row[j], row[i] = 1.0, -1.0
            rows.append(row)
            targets.append(np.angle(np.exp(1j * (headings[j] - headings[i]))))
    if not rows:
        return np.zeros(len(time_s))
    pin = np.zeros(k)
    pin[0] = 10.0
    walk = np.zeros((k - 1, k))
    steps = np.arange(k - 1)
    walk[steps, steps], walk[steps, steps + 1] = -1.0, 1.0
    walk *= (observation_deg / (walk_deg_per_sqrt_s * np.sqrt(np.maximum(np.diff(centres), 1e-3))))[:, None]
    system = np.vstack([*rows, pin, walk])
    rhs = np.concatenate([targets, [0.0], np.zeros(k - 1)])
    drift, *_ = np.linalg.lstsq(system, rhs, rcond=None)
    return np.interp(time_s, centres, drift)
