"""OpenSim / OpenSense files: sensor orientations (.sto) for the IMU placer and hip kinematics (.mot).

Why two files: OpenSense fits a model to orientations (it needs every sensor's quaternion, named
after the body it sits on), while a researcher comparing with motion capture wants the joint angles
hiptrack measured, in OpenSim's coordinate names and signs. The .mot is the same numbers as
`hiptrack analyze --angles`, with OpenSim's signs: flexion +, adduction + (ours: abduction +, so
negated), internal rotation + (ours too). The .sto quaternions are sensor → earth with earth z up
(SPEC §6); OpenSim's ground is y up, so OpenSense needs `sensor_to_opensim_rotations` -90° about x,
which the header says.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial.transform import Rotation, Slerp

FloatArray = NDArray[np.float64]

IMU_NAMES = {"left_thigh": "femur_l_imu", "right_thigh": "femur_r_imu", "pelvis": "pelvis_imu"}
"""OpenSense's convention: an IMU is named after the model body it is fixed to, with `_imu`."""

SIDE_SUFFIX = {"left": "l", "right": "r"}
OPENSIM_SIGNS = np.array([1.0, -1.0, 1.0])
"""hiptrack (flexion, abduction, internal rotation) → OpenSim (flexion, adduction, rotation)."""

EARTH_TO_OPENSIM = "-1.5707963267948966 0 0"


@dataclass(frozen=True, slots=True)
class Kinematics:
    """Hip angles of one or both thighs on one time grid, in OpenSim's names and signs (degrees)."""

    time_s: FloatArray
    columns: tuple[str, ...]
    values_deg: FloatArray
    """(N, len(columns))."""


@dataclass(frozen=True, slots=True)
class Orientations:
    """Sensor → earth quaternions (w, x, y, z) per OpenSense IMU name on one time grid."""

    time_s: FloatArray
    names: tuple[str, ...]
    quat_wxyz: FloatArray
    """(N, len(names), 4)."""


def hip_kinematics(time_s: FloatArray, angles_by_side: dict[str, FloatArray]) -> Kinematics:
    """(N, 3) hiptrack angles per side ('left'/'right', all on `time_s`) → OpenSim hip coordinates."""
    columns: list[str] = []
    blocks: list[FloatArray] = []
    for side, angles in angles_by_side.items():
        suffix = SIDE_SUFFIX[side]
        columns += [f"hip_flexion_{suffix}", f"hip_adduction_{suffix}", f"hip_rotation_{suffix}"]
        blocks.append(np.asarray(angles, dtype=float) * OPENSIM_SIGNS)
    values = np.hstack(blocks) if blocks else np.zeros((len(time_s), 0))
    return Kinematics(np.asarray(time_s, dtype=float), tuple(columns), values)


def common_orientations(streams: dict[str, tuple[FloatArray, FloatArray]], rate_hz: float) -> Orientations:
    """Each placement's (time_s, quat_wxyz) slerped onto one uniform grid over the time all sensors share.

    Why slerp: the sensors of a session do not sample at the same instants (or rates); OpenSense
    wants one row per instant, and a linear blend of quaternions is not a rotation.
    """
    if not streams:
        raise ValueError("no sensor to export")
    start = max(float(t[0]) for t, _ in streams.values())
    end = min(float(t[-1]) for t, _ in streams.values())
    if end <= start:
        raise ValueError("the sensors of this session share no stretch of time")
    grid = start + np.arange(int(np.floor((end - start) * rate_hz)) + 1) / rate_hz
    names, quats = [], []
    for placement, (time_s, quat) in streams.items():
        scipy_xyzw = np.asarray(quat, dtype=float)[:, [1, 2, 3, 0]]
        slerped = Slerp(time_s, Rotation.from_quat(scipy_xyzw))(grid).as_quat()
        names.append(IMU_NAMES[placement])
        quats.append(slerped[:, [3, 0, 1, 2]])
    return Orientations(grid, tuple(names), np.stack(quats, axis=1))


def mot_text(kinematics: Kinematics, name: str) -> str:
    """An OpenSim motion file (version 1, tab-separated, inDegrees=yes)."""
    rows, cols = kinematics.values_deg.shape
    header = (f"{name}\nversion=1\nnRows={rows}\nnColumns={cols + 1}\ninDegrees=yes\nendheader\n"
              + "\t".join(("time", *kinematics.columns)) + "\n")
    table = np.column_stack([kinematics.time_s, kinematics.values_deg])
    return header + _rows(table, ["%.6f"] + ["%.4f"] * cols)


def sto_text(orientations: Orientations, rate_hz: float) -> str:
    """An OpenSense orientations file: one `w,x,y,z` cell per sensor, tab-separated."""
    n, sensors, _ = orientations.quat_wxyz.shape
    header = (f"DataRate={rate_hz:.6f}\nDataType=Quaternion\nversion=3\nOpenSimVersion=4.1\n"
              f"hiptrack_earth_frame=z_up (OpenSense sensor_to_opensim_rotations {EARTH_TO_OPENSIM})\n"
              "endheader\n" + "\t".join(("time", *orientations.names)) + "\n")
    cells = np.char.mod("%.7f", orientations.quat_wxyz.reshape(n * sensors, 4))
    joined = np.char.add(np.char.add(np.char.add(cells[:, 0], ","), np.char.add(cells[:, 1], ",")),
                         np.char.add(np.char.add(cells[:, 2], ","), cells[:, 3])).reshape(n, sensors)
    times = np.char.mod("%.6f", orientations.time_s)
    lines = [times, *(joined[:, k] for k in range(sensors))]
    body = lines[0]
    for column in lines[1:]:
        body = np.char.add(np.char.add(body, "\t"), column)
    return header + ("\n".join(body.tolist()) + "\n" if n else "")


def _rows(table: FloatArray, formats: list[str]) -> str:
    columns = [np.char.mod(fmt, table[:, k]) for k, fmt in enumerate(formats)]
    if not len(table):
        return ""
    body = columns[0]
    for column in columns[1:]:
        body = np.char.add(np.char.add(body, "\t"), column)
    return "\n".join(body.tolist()) + "\n"
