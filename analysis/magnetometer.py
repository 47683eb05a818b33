"""Is the magnetometer's field trustworthy here, and what is the sensor's own hard iron?

Why: with a trustworthy field, 9D orientation has a heading that does not drift, so rotation and
knee tracking need no rests or pedalling to stay anchored. But a magnetometer lies near steel and
magnets (trainers, frames, furniture) and carries the part's own magnetisation (hard iron), and a
9D filter fed a bent field turns heading error into angle error. So the field is checked before it
is used: after removing the hard iron, the earth's field has a constant size and a constant angle
to gravity (its inclination); where either moves, the field is disturbed.

The hard iron is fitted from those two facts with linear least squares: |m − b|² is constant and
up·(m − b) is constant, with `up` the sensor-frame vertical from the 6D orientation (tilt does not
drift). An offset along an axis the sensor never turned away from stays unobservable, but then it
is a constant earth-frame field too and moves no heading.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.segments import moving_average

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class MagParams:
    min_field_ut: float = 15.0
    max_field_ut: float = 90.0
    """The earth's field is 25–65 µT everywhere; outside these the readings are not the earth's."""
    norm_tolerance: float = 0.06
    """A trustworthy sample's field size is within this share of the recording's median."""
    dip_tolerance_deg: float = 3.0
    """...and its angle to gravity within this of the median (a bent field changes both)."""
    smooth_s: float = 0.5
    """Both are judged on running means this long (sensor noise and stroke accelerations average out)."""
    min_trusted_share: float = 0.5
    """Below this share of trustworthy samples the field is not used at all (VQF bridges shorter gaps)."""
    fit_rate_hz: float = 10.0
    """The hard-iron fit samples the recording at this rate (the field changes slowly)."""


@dataclass(frozen=True, slots=True)
class MagField:
    hard_iron_ut: FloatArray
    """(3,) sensor-frame offset to subtract before 9D fusion."""
    field_ut: float
    """Median size of the field after the hard iron is removed."""
    dip_deg: float
    """Median inclination (angle below horizontal)."""
    trusted: BoolArray
    """(N,) where size and inclination agree with the earth's field."""
    problem: str | None
    """Why the field is not used (None: it is)."""

    @property
    def usable(self) -> bool:
        return self.problem is None


def assess_field(mag_ut: FloatArray, up_sensor: FloatArray, rate_hz: float,
                 params: MagParams | None = None) -> MagField:
    """Fit the hard iron and mark where the field is the earth's. mag_ut, up_sensor: (N, 3)."""
    params = params or MagParams()
    stride = max(1, round(rate_hz / params.fit_rate_hz))
    keep = np.ones(len(mag_ut[::stride]), dtype=bool)
    hard = np.zeros(3)
    for _ in range(3):                      # refit without the samples the previous fit found disturbed
        hard = _fit_hard_iron(mag_ut[::stride][keep], up_sensor[::stride][keep])
        size, vertical = _size_and_vertical(mag_ut[::stride] - hard, up_sensor[::stride])
        keep = _agrees(size, vertical, params)
        if keep.sum() < 10:
            keep[:] = True
            break
    window = max(1, round(params.smooth_s * rate_hz))
    size, vertical = _size_and_vertical(mag_ut - hard, up_sensor)
    size_s, vertical_s = moving_average(size, window), moving_average(vertical, window)
    trusted = _agrees(size_s, vertical_s, params)
    field = float(np.median(size_s[trusted])) if trusted.any() else float(np.median(size))
    dip = float(np.degrees(np.arcsin(np.clip(-np.median(vertical_s[trusted] if trusted.any() else vertical)
                                              / field, -1, 1))))
    problem = None
    if not params.min_field_ut <= field <= params.max_field_ut:
        problem = f"field of {field:.0f} µT is not the earth's"
    elif trusted.mean() < params.min_trusted_share:
        problem = f"field disturbed for {100 * (1 - trusted.mean()):.0f}% of the recording"
    return MagField(hard, field, dip, trusted, problem)


def up_in_sensor_frame(quat_wxyz: FloatArray) -> FloatArray:
    """(N, 3) earth-up unit vector in the sensor frame: the third row of the sensor-to-earth matrix."""
    w, x, y, z = quat_wxyz.T
    return np.column_stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)])


def heading_turn(quat_6d: FloatArray, quat_9d: FloatArray) -> FloatArray:
    """(N,) rad, unwrapped: the 6D orientation's heading minus the 9D one's about earth up.

    Why: the 9D heading does not drift, so wherever the field is trusted this is the 6D heading's
    drift plus a constant (the two filters' earth frames differ by a turn about up). It is only
    a measure of drift, not a heading to use directly: without a soft-iron fit the 9D heading is
    off by a few degrees depending on how the thigh is tilted (standing vs on the saddle)."""
    relative = _multiply(quat_6d, quat_9d * np.array([1.0, -1.0, -1.0, -1.0]))
    return np.unwrap(2.0 * np.arctan2(relative[:, 3], relative[:, 0]))


def _multiply(a: FloatArray, b: FloatArray) -> FloatArray:
    w1, x1, y1, z1 = a.T
    w2, x2, y2, z2 = b.T
    return np.column_stack([w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2, w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
                            w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2, w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2])


def _fit_hard_iron(mag: FloatArray, up: FloatArray) -> FloatArray:
    """Least squares for b, k, v in 2 m·b + k = |m|² (sphere) and up·b + v = up·m (constant vertical)."""
    scale = 2.0 * float(np.median(np.linalg.norm(mag, axis=1)))         # sphere rows in µT, like the others
    sphere = np.column_stack([2 * mag, np.ones(len(mag)), np.zeros(len(mag))]) / scale
    vertical = np.column_stack([up, np.zeros(len(mag)), np.ones(len(mag))])
    # A weak pull of b towards zero: an offset along an axis the sensor never turned about is not
    # observable, and without it least squares trades it against k and v and invents one.
    ridge = np.hstack([np.eye(3), np.zeros((3, 2))]) * 0.05 * np.sqrt(len(mag))
    rows = np.vstack([sphere, vertical, ridge])
    rhs = np.concatenate([np.sum(mag**2, axis=1) / scale, np.sum(up * mag, axis=1), np.zeros(3)])
    solution = np.linalg.lstsq(rows, rhs, rcond=None)[0]
    return np.asarray(solution[:3])


def _size_and_vertical(mag: FloatArray, up: FloatArray) -> tuple[FloatArray, FloatArray]:
    return np.linalg.norm(mag, axis=1), np.sum(mag * up, axis=1)


def _agrees(size: FloatArray, vertical: FloatArray, params: MagParams) -> BoolArray:
    """Size within tolerance of the median, and inclination too (robust to a minority disturbed)."""
    median_size = float(np.median(size))
    dip = np.degrees(np.arcsin(np.clip(vertical / np.maximum(size, 1e-9), -1, 1)))
    return (np.abs(size / median_size - 1) <= params.norm_tolerance) & \
        (np.abs(dip - np.median(dip)) <= params.dip_tolerance_deg)
