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

from analysis.calibration import Calibration
from analysis.frames import heading_of, hip_angles_deg, pelvis_reference, rotation_from_wxyz

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


def thigh_heading_rad(quat_wxyz: FloatArray, calibration: Calibration) -> FloatArray:
    """Earth heading of the thigh: of its long axis when that lies down, of its front when upright."""
    thigh = rotation_from_wxyz(quat_wxyz) * calibration.sensor_to_thigh.inv()
    long_axis = thigh.apply(_LONG_AXIS)
    horizontal = np.hypot(long_axis[:, 0], long_axis[:, 1])
    front = heading_of(thigh, _ANTERIOR)
    return np.where(horizontal > 0.5, np.arctan2(-long_axis[:, 1], -long_axis[:, 0]), front)


def hip_angles(time_s: FloatArray, quat_wxyz: FloatArray, calibration: Calibration, side: str, posture: str,
               anchors: IntervalArray | None = None) -> HipAngles:
    """Per-sample hip angles; `anchors` are (K, 2) index runs of rests in the exercise's neutral pose."""
    thigh = rotation_from_wxyz(quat_wxyz) * calibration.sensor_to_thigh.inv()
    correction = np.zeros(len(time_s))
    if anchors is not None and len(anchors) > 1:
        correction = _heading_drift(time_s, thigh_heading_rad(quat_wxyz, calibration), anchors)
    pelvis = pelvis_reference(calibration.heading_rad + correction, posture)
    return HipAngles(time_s, hip_angles_deg(pelvis, thigh, side), np.rad2deg(correction))


def _heading_drift(time_s: FloatArray, heading: FloatArray, anchors: IntervalArray) -> FloatArray:
    """Heading change at each anchor rest relative to the first, interpolated in between."""
    mids = np.array([np.angle(np.mean(np.exp(1j * heading[a:b]))) for a, b in anchors])
    drift = np.unwrap(mids - mids[0])
    centres = np.array([time_s[a:b].mean() for a, b in anchors])
    return np.interp(time_s, centres, drift)
