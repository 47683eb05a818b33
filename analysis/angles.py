"""Hip angles of a thigh sensor against the exercise's assumed pelvis (SPEC §2, single sensor).

The pelvis is assumed in the exercise's reference posture facing the heading seen at calibration.
Without a magnetometer that heading is only known through gyro integration, which drifts (about
0.1–0.3 °/s with consumer gyros). Flexion, and rotation about a near-horizontal femur, do not
depend on heading; abduction in seated/supine postures and rotation about a near-vertical femur
do. So the heading reference is re-anchored at every rest in the exercise's neutral pose: there
the leg is back where it started, and any heading change since is drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from analysis import quaternions as q
from analysis.calibration import Calibration
from analysis.chunks import per_chunk
from analysis.frames import circular_mean, hip_angles_deg, pelvis_reference

FloatArray = NDArray[np.float64]
IntervalArray = NDArray[np.intp]

_LONG_AXIS = np.array([0.0, 1.0, 0.0])


@dataclass(frozen=True, slots=True)
class HipAngles:
    time_s: FloatArray
    angles_deg: FloatArray
    """(N, 3) flexion, abduction, internal rotation; SPEC §2 signs."""
    heading_correction_deg: FloatArray
    """(N,) drift removed from the pelvis heading at each sample."""
    anchor_rests: NDArray[np.intp] = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    """Indices of the rests (hip_angles' `rests`) in a pair the drift fit used: the ones that observed
    heading. A rest alone, with a vertical thigh, or in a pair left out as not drift anchors nothing,
    so the confidence must not count it."""

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
    """Femur → earth (N, 4): the sensor's orientation undone by the strap alignment (in quat_wxyz's dtype)."""
    inverse = q.conjugate(calibration.q_sensor_to_thigh_wxyz)
    return per_chunk(len(quat_wxyz), lambda s: q.multiply(quat_wxyz[s], inverse), quat_wxyz.dtype)


def thigh_heading_rad(thigh_wxyz: FloatArray) -> FloatArray:
    """Earth heading of the thigh's long axis (towards the knee), the axis whose tilt shows_heading checks.

    Why one axis: two rests are compared as one pose when their gravity directions agree, and their
    heading difference is only drift if both headings are of the same axis. Switching to the front
    when the long axis rose past 60° from horizontal flipped the heading by 180° between two rests of
    one raised-leg pose lying on either side of that line (abductor strap stretch: rotation 31–38° off)."""
    long_axis = q.rotate(thigh_wxyz, _LONG_AXIS)
    return np.asarray(np.arctan2(-long_axis[:, 1], -long_axis[:, 0]))


def hip_angles(time_s: FloatArray, thigh_wxyz: FloatArray, calibration: Calibration, side: str, posture: str,
               rests: IntervalArray | None = None, pose_tolerance_deg: float = 2.5) -> HipAngles:
    """Per-sample hip angles of femur → earth quaternions; `rests` (K, 2) in the posture anchor the heading.

    Angles come in thigh_wxyz's dtype (float32 keeps a day-long recording compact), a block at a time."""
    correction, pairs = np.zeros(len(time_s)), np.zeros((0, 2), dtype=np.intp)
    if rests is not None and len(rests) > 1:
        correction, pairs = drift_from_rests(time_s, thigh_wxyz, rests, pose_tolerance_deg)
    return corrected_hip_angles(time_s, thigh_wxyz, calibration, side, posture, correction, np.unique(pairs))


def corrected_hip_angles(time_s: FloatArray, thigh_wxyz: FloatArray, calibration: Calibration, side: str,
                         posture: str, correction_rad: FloatArray,
                         anchor_rests: NDArray[np.intp] | None = None) -> HipAngles:
    """Hip angles with the heading correction already known: a loop closure adds its ramp to the rests'
    drift (HipAngles.heading_correction_deg) instead of fitting the rests a second time."""
    dtype = thigh_wxyz.dtype

    def block(s: slice) -> FloatArray:
        return hip_angles_deg(pelvis_reference(calibration.heading_rad + correction_rad[s], posture),
                              thigh_wxyz[s], side)
    angles = per_chunk(len(time_s), block, dtype)
    return HipAngles(time_s, angles, np.rad2deg(correction_rad, out=np.empty(len(correction_rad), dtype)),
                     np.zeros(0, dtype=np.intp) if anchor_rests is None else anchor_rests)


def drift_from_rests(time_s: FloatArray, thigh_wxyz: FloatArray, rests: IntervalArray,
                     pose_tolerance_deg: float) -> tuple[FloatArray, NDArray[np.intp]]:
    """heading_drift of the thigh's own heading, and (P, 2) the rest pairs it was fitted to; the quaternions
    are read only inside the rests, a rest at a time (whole-recording heading and up arrays would be
    (N, 3) float64 copies)."""
    centres = np.array([time_s[a:b].mean() for a, b in rests])
    pairs, targets = same_pose_pairs(centres, rest_headings(thigh_wxyz, rests), rest_ups(thigh_wxyz, rests),
                                     pose_tolerance_deg)
    return _drift_through(time_s, centres, pairs, targets), pairs


def rest_headings(thigh_wxyz: FloatArray, rests: IntervalArray) -> FloatArray:
    """(K,) mean thigh heading (thigh_heading_rad) per rest, read a rest at a time."""
    return np.array([circular_mean(thigh_heading_rad(np.asarray(thigh_wxyz[a:b], dtype=float))) for a, b in rests])


def rest_ups(thigh_wxyz: FloatArray, rests: IntervalArray) -> FloatArray:
    """(K, 3) unit gravity direction in the thigh frame per rest, read a rest at a time (a whole-recording
    (N, 3) float64 array would be GBs for a day)."""
    ups = np.empty((len(rests), 3))
    for i, (a, b) in enumerate(rests):
        ups[i] = q.rotate(q.conjugate(np.asarray(thigh_wxyz[a:b], dtype=float)), np.array([0.0, 0.0, 1.0])).mean(axis=0)
    return np.asarray(ups / np.linalg.norm(ups, axis=1, keepdims=True))


def shows_heading(ups: FloatArray) -> NDArray[np.bool_]:
    """(K,) the thigh is far enough from vertical for gravity to tell how it is turned."""
    return np.asarray(np.abs(ups[:, 1]) < np.cos(np.radians(30)))


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
    ups = np.array([up_in_thigh[a:b].mean(axis=0) for a, b in rests])
    return drift_between(time_s, centres, headings, ups, pose_tolerance_deg, observation_deg, walk_deg_per_sqrt_s)


def drift_between(time_s: FloatArray, centres: FloatArray, headings: FloatArray, ups: FloatArray,
                  pose_tolerance_deg: float, observation_deg: float = 0.5,
                  walk_deg_per_sqrt_s: float = 0.3) -> FloatArray:
    """heading_drift from each rest's centre time, mean heading and mean up vector (thigh frame)."""
    pairs, targets = same_pose_pairs(centres, headings, ups, pose_tolerance_deg, walk_deg_per_sqrt_s)
    return _drift_through(time_s, centres, pairs, targets, observation_deg, walk_deg_per_sqrt_s)


def _drift_through(time_s: FloatArray, centres: FloatArray, pairs: NDArray[np.intp], targets: FloatArray,
                   observation_deg: float = 0.5, walk_deg_per_sqrt_s: float = 0.3) -> FloatArray:
    """(N,) the least-squares drift curve through the rests' centres that explains each pair's change."""
    if not len(pairs):
        return np.zeros(len(time_s))
    weights = observation_deg / (walk_deg_per_sqrt_s * np.sqrt(np.maximum(np.diff(centres), 1e-3)))
    drift = _sparse_least_squares(len(centres), pairs, targets, weights)
    return np.interp(time_s, centres, drift)


MAX_DRIFT_DPS = 2.0
"""The fastest a heading can drift once the gyro bias is removed: a consumer part's whole bias
(ConfidenceParams.part_bias_dps). Pairs in one pose drifted at most 0.6 °/s in the simulator at ±2 °/s."""


def same_pose_pairs(centres: FloatArray, headings: FloatArray, ups: FloatArray, pose_tolerance_deg: float,
                    walk_deg_per_sqrt_s: float = 0.3, max_drift_dps: float = MAX_DRIFT_DPS
                    ) -> tuple[NDArray[np.intp], FloatArray]:
    """(P, 2) pairs of rests in one pose, and (P,) each pair's heading change (rad): what the drift fit explains.

    Each rest whose thigh shows heading is paired with the next rest in the same pose. A heading
    change larger than drift could make in the time between (max_drift_dps, plus three sigmas of
    the walk) is not drift: gravity cannot tell the leg turned about the vertical, or a heading read
    off another axis, from the same pose. Such a pair is left out; one of them pulled a whole fit
    30–80° off (a 180° heading flip between two rests of one raised-leg pose)."""
    ups = ups / np.linalg.norm(ups, axis=1, keepdims=True)
    pairs, targets = [], []
    for i in np.flatnonzero(shows_heading(ups)):    # one row of K at a time: a day has thousands of rests
        angle = np.degrees(np.arccos(np.clip(ups[i + 1:] @ ups[i], -1.0, 1.0)))
        later = np.flatnonzero(angle < pose_tolerance_deg)
        if not later.size:
            continue
        j = i + 1 + int(later[0])
        change = float(np.angle(np.exp(1j * (headings[j] - headings[i]))))
        gap_s = float(centres[j] - centres[i])
        if abs(np.degrees(change)) <= max_drift_dps * gap_s + 3.0 * walk_deg_per_sqrt_s * np.sqrt(gap_s):
            pairs.append((i, j))
            targets.append(change)
    return np.array(pairs, dtype=np.intp).reshape(-1, 2), np.array(targets, dtype=float)


def _sparse_least_squares(k: int, pairs: NDArray[np.intp], targets: FloatArray, walk_weights: FloatArray) -> FloatArray:
    """Drift at k rests: drift[j] − drift[i] = target per pair, drift[0] = 0 (weight 10), and each step
    between neighbours ≈ 0 (walk_weights). Every row has one or two entries, so the system is sparse:
    a dense (2K × K) matrix was quadratic in the number of rests (GBs for a day-long recording)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.linalg import spsolve

    n_pairs, steps = len(pairs), np.arange(k - 1)
    rows = np.concatenate([np.repeat(np.arange(n_pairs), 2), [n_pairs], np.repeat(n_pairs + 1 + steps, 2)])
    cols = np.concatenate([pairs[:, ::-1].ravel(), [0], np.column_stack([steps, steps + 1]).ravel()])
    values = np.concatenate([np.tile([1.0, -1.0], n_pairs), [10.0],
                             (walk_weights[:, None] * np.array([-1.0, 1.0])).ravel()])
    system = coo_matrix((values, (rows, cols)), shape=(n_pairs + k, k)).tocsc()
    rhs = np.concatenate([targets, np.zeros(k)])
    return np.asarray(spsolve((system.T @ system).tocsc(), system.T @ rhs), dtype=float).reshape(k)
