"""Vectorised unit-quaternion arithmetic, (N, 4) arrays in w, x, y, z order.

Why not scipy's Rotation here: on hundreds of thousands of samples its composition costs about
0.15 s per product in this environment, more than the whole VQF run; these few NumPy lines take
milliseconds and keep the hour-long analysis within SPEC §10's budget.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def multiply(a: FloatArray, b: FloatArray) -> FloatArray:
    """Hamilton product a ⊗ b (apply b first, then a), broadcasting over leading axes."""
    aw, ax, ay, az = np.moveaxis(np.asarray(a, dtype=float), -1, 0)
    bw, bx, by, bz = np.moveaxis(np.asarray(b, dtype=float), -1, 0)
    out = np.empty((*np.broadcast_shapes(aw.shape, bw.shape), 4))    # written in place: no stacking copy
    out[..., 0] = aw * bw - ax * bx - ay * by - az * bz
    out[..., 1] = aw * bx + ax * bw + ay * bz - az * by
    out[..., 2] = aw * by - ax * bz + ay * bw + az * bx
    out[..., 3] = aw * bz + ax * by - ay * bx + az * bw
    return out


def conjugate(q: FloatArray) -> FloatArray:
    return np.asarray(q, dtype=float) * np.array([1.0, -1.0, -1.0, -1.0])


def about_z(angle_rad: FloatArray | float) -> FloatArray:
    """Rotation(s) by angle about the z axis."""
    half = 0.5 * np.asarray(angle_rad, dtype=float)
    zero = np.zeros_like(half)
    return np.stack([np.cos(half), zero, zero, np.sin(half)], axis=-1)


def rotate(q: FloatArray, v: FloatArray) -> FloatArray:
    """Rotate vector(s) v (…, 3) by q (…, 4): v + 2w(u × v) + u × 2(u × v), u the vector part.

    The cross products are written out (the same operations, in the same order, as np.cross, so
    the same bits): np.cross copies and moves axes, and cost a quarter of a ride's analysis."""
    q = np.asarray(q, dtype=float)
    v = np.asarray(v, dtype=float)
    w, x, y, z = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    v0, v1, v2 = v[..., 0], v[..., 1], v[..., 2]
    t0, t1, t2 = 2.0 * (y * v2 - z * v1), 2.0 * (z * v0 - x * v2), 2.0 * (x * v1 - y * v0)
    out = np.empty((*np.broadcast_shapes(w.shape, v0.shape), 3))
    out[..., 0] = v0 + w * t0 + (y * t2 - z * t1)
    out[..., 1] = v1 + w * t1 + (z * t0 - x * t2)
    out[..., 2] = v2 + w * t2 + (x * t1 - y * t0)
    return out


def euler_zxy_deg(q: FloatArray) -> FloatArray:
    """Intrinsic Z-X'-Y'' angles (N, 3) in degrees of rotation(s) q (Grood & Suntay order)."""
    w, x, y, z = np.moveaxis(np.asarray(q, dtype=float), -1, 0)
    # Matrix elements needed for R = Rz(a) Rx(b) Ry(c).
    r21 = 2 * (y * z + w * x)                       # sin b
    r01 = 2 * (x * y - w * z)                       # -sin a cos b
    r11 = 1 - 2 * (x * x + z * z)                   # cos a cos b
    r20 = 2 * (x * z - w * y)                       # -cos b sin c
    r22 = 1 - 2 * (x * x + y * y)                   # cos b cos c
    b = np.arcsin(np.clip(r21, -1.0, 1.0))
    a = np.arctan2(-r01, r11)
    c = np.arctan2(-r20, r22)
    return np.degrees(np.stack([a, b, c], axis=-1))


def from_matrix(matrix: FloatArray) -> FloatArray:
    """(4,) w, x, y, z of a 3×3 rotation matrix (nearest rotation, by SVD, if it is not quite orthogonal).

    As scipy's Rotation.from_matrix (Markley's branch on the largest of the diagonal and the trace),
    which the calibration used; written here so that analysing a file does not import scipy.spatial
    (0.35 s of CPU, a third of a short ride's floor)."""
    m = np.asarray(matrix, dtype=float)
    if not np.allclose(m @ m.T, np.eye(3), atol=1e-12):
        u, _, vt = np.linalg.svd(m)
        m = u @ vt
    trace = m[0, 0] + m[1, 1] + m[2, 2]
    choice = int(np.argmax([m[0, 0], m[1, 1], m[2, 2], trace]))
    if choice == 3:
        xyzw = [m[2, 1] - m[1, 2], m[0, 2] - m[2, 0], m[1, 0] - m[0, 1], 1 + trace]
    else:
        i, j, k = choice, (choice + 1) % 3, (choice + 2) % 3
        xyzw = [0.0, 0.0, 0.0, m[k, j] - m[j, k]]
        xyzw[i] = 1 - trace + 2 * m[i, i]
        xyzw[j] = m[j, i] + m[i, j]
        xyzw[k] = m[k, i] + m[i, k]
    out = np.array([xyzw[3], xyzw[0], xyzw[1], xyzw[2]])
    return np.asarray(out / np.linalg.norm(out))
