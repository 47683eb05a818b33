"""Forward kinematics of pelvis and thigh: pose channels → segment orientations and positions.

Frames follow ISB (Wu et al. 2002): pelvis and femur X anterior, Y superior, Z to the right.
The hip angles are a Z-X-Y (Grood & Suntay) sequence: flexion about the pelvis Z axis, then
ab/adduction about the floating X axis, then rotation about the femur's long Y axis. For the
right leg a positive X turn is adduction and a positive Y turn is internal rotation; the left leg
is the mirror image, so both report flexion, abduction and internal rotation as positive (SPEC §2).
Earth: z up; the person faces `heading_rad` from the earth x axis.

This module is deliberately independent of ``analysis/``: tests compare the two.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial.transform import Rotation

FloatArray = NDArray[np.float64]

HIP_HALF_WIDTH_M = 0.09
"""Pelvis origin (mid-hips) to each hip joint centre."""

_UPRIGHT = Rotation.from_euler("x", 90, degrees=True)
"""Pelvis frame → earth for an upright person facing earth x: Y (superior) → z, Z (right) → −y."""


def side_sign(side: str) -> float:
    """+1 for the right leg, −1 for the left (mirror image across the sagittal plane)."""
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    return 1.0 if side == "right" else -1.0


def hip_rotation(angles_deg: FloatArray, side: str) -> Rotation:
    """Femur → pelvis rotation for (N, 3) [flexion, abduction, internal rotation] in degrees."""
    m = side_sign(side)
    flex, abd, rot = angles_deg[:, 0], angles_deg[:, 1], angles_deg[:, 2]
    zxy = np.stack([flex, -m * abd, m * rot], axis=1)
    return Rotation.from_euler("ZXY", zxy, degrees=True)


def pelvis_rotation(heading_rad: FloatArray | float, pitch_deg: FloatArray, sway_deg: FloatArray) -> Rotation:
    """Pelvis → earth: facing `heading_rad` (one, or per sample), tipped back by `pitch_deg` (90 = supine), plus sway.

    sway_deg: (N, 3) small extra turns about the pelvis Z, X, Y axes.
    """
    heading = Rotation.from_euler("z", heading_rad if np.ndim(heading_rad) == 0 else np.asarray(heading_rad)[:, None])
    tilt = Rotation.from_euler("ZXY", np.column_stack([pitch_deg + sway_deg[:, 0], sway_deg[:, 1:]]),
                               degrees=True)
    return heading * _UPRIGHT * tilt


@dataclass(frozen=True, slots=True)
class Placement:
    """Where and how a sensor sits on its segment (segment frame)."""

    rotation_sensor_to_segment: Rotation
    position_m: FloatArray          # (3,) from the segment origin (hip joint centre / mid-pelvis)


def thigh_placement(side: str, rng: np.random.Generator, strap: str = "random") -> Placement:
    """A thigh sensor on the lateral thigh, 15–22 cm below the hip; any strap orientation.

    strap="random" draws a uniformly random orientation (SPEC §3: any orientation must work);
    strap="lateral" is a tidy mount (x forward, z out of the thigh) with a few degrees of misalignment.
    """
    m = side_sign(side)
    position = np.array([rng.uniform(0.0, 0.04), -rng.uniform(0.15, 0.22), m * rng.uniform(0.06, 0.08)])
    if strap == "random":
        rotation = Rotation.random(random_state=rng)
    elif strap == "lateral":
        tidy = Rotation.from_matrix(np.diag([1.0, m, m]))       # x forward, z out of the thigh
        rotation = Rotation.from_rotvec(rng.normal(0, np.deg2rad(4), 3)) * tidy
    else:
        raise ValueError(f"strap must be 'random' or 'lateral', got {strap!r}")
    return Placement(rotation, position)


def pelvis_placement(rng: np.random.Generator, turn_deg: float | None = None) -> Placement:
    """A sensor flat on the sacrum, face (sensor z) out, strap turned at random about that normal
    (README's sacrum convention); a few degrees of tilt as the sacrum is not flat.

    turn_deg: the strap's turn about the normal instead of a random one, on one person's sacrum
    (the same tilt every session: re-strapping tests)."""
    turn = rng.uniform(0, 360)
    normal_turn = Rotation.from_euler("z", turn if turn_deg is None else turn_deg, degrees=True)
    onto_back = Rotation.from_euler("y", -90, degrees=True)      # sensor z → pelvis −X (posterior)
    tilt_deg = rng.normal(0, np.deg2rad(5), 3)
    tilt = Rotation.from_rotvec(tilt_deg if turn_deg is None else np.deg2rad([3.0, -2.0, 4.0]))
    return Placement(tilt * onto_back * normal_turn, np.array([-0.1, 0.02, 0.0]))
