"""Body frames and the ISB hip joint angles (SPEC §2).

Pelvis and femur frames: X anterior, Y superior, Z right (Wu et al. 2002). Hip angles are the
Grood & Suntay Z-X-Y sequence of femur relative to pelvis: flexion about pelvis Z, ab/adduction
about the floating axis, rotation about the femur's Y axis. The left leg is the mirror image, so
flexion, abduction and internal rotation are positive on both sides. Earth: z up (VQF's frame).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from analysis import quaternions as q
from analysis.vocabulary import POSTURES

if TYPE_CHECKING:
    from scipy.spatial.transform import Rotation

FloatArray = NDArray[np.float64]

UPRIGHT_WXYZ = np.array([np.cos(np.pi / 4), np.sin(np.pi / 4), 0.0, 0.0])
"""Pelvis → earth for an upright person facing earth x: superior → z, right → −y."""

POSTURE_PITCH_DEG = {posture.value: facts.pelvis_pitch_deg for posture, facts in POSTURES.items()}
"""How far the pelvis is tipped back from upright in each reference posture (SPEC §2)."""


def rotation_from_wxyz(quat_wxyz: FloatArray) -> Rotation:
    """SciPy's Rotation of w, x, y, z quaternions (imported here: analysing a ride needs no scipy.spatial)."""
    from scipy.spatial.transform import Rotation

    return Rotation.from_quat(np.asarray(quat_wxyz)[..., [1, 2, 3, 0]])


def side_sign(side: str) -> float:
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    return 1.0 if side == "right" else -1.0


def pelvis_reference(heading_rad: FloatArray | float, posture: str) -> FloatArray:
    """Assumed pelvis → earth quaternions: reference posture, facing heading_rad (per sample or one)."""
    try:
        pitch = POSTURE_PITCH_DEG[posture]
    except KeyError:
        raise ValueError(f"unknown posture {posture!r}; known: {', '.join(POSTURE_PITCH_DEG)}") from None
    tipped = q.multiply(UPRIGHT_WXYZ, q.about_z(np.radians(pitch)))
    return q.multiply(q.about_z(np.atleast_1d(heading_rad)), tipped)


def hip_angles_deg(pelvis_to_earth: FloatArray, femur_to_earth: FloatArray, side: str) -> FloatArray:
    """(N, 3) flexion, abduction, internal rotation in degrees, from (N, 4) quaternions."""
    zxy = q.euler_zxy_deg(q.multiply(q.conjugate(pelvis_to_earth), femur_to_earth))
    m = side_sign(side)
    return np.column_stack([zxy[:, 0], -m * zxy[:, 1], m * zxy[:, 2]])


def circular_mean(angles_rad: FloatArray) -> float:
    """Mean direction of angles (rad): headings wrap at ±π, so an arithmetic mean would not do."""
    return float(np.angle(np.mean(np.exp(1j * np.asarray(angles_rad)))))


def heading_of(quat_wxyz: FloatArray, axis: FloatArray) -> FloatArray:
    """Earth heading (rad) of a body axis, from its horizontal projection."""
    v = q.rotate(quat_wxyz, axis)
    return np.arctan2(v[..., 1], v[..., 0])
