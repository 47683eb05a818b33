"""What a strapped magnetometer reads: the earth's field, the sensor's own iron, and the room.

The earth field has an inclination (it points into the ground at mid latitudes), so only its
horizontal part tells heading. The part's own magnetisation adds a constant offset in the sensor
frame (hard iron) and a small anisotropic gain (soft iron). Indoors, steel (trainer frames,
furniture, rebar) and magnets bend the field: near them the field the sensor sees changes in size
and direction while it moves, which is what a trustworthy-field check must catch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial.transform import Rotation

FloatArray = NDArray[np.float64]

EARTH_FIELD_UT = np.array([0.0, 19.0, -44.0])
"""A mid-latitude field (~48 µT, inclination 67°), north along earth y, pointing down into the ground."""


@dataclass(frozen=True, slots=True)
class MagEnvironment:
    hard_iron_ut: float = 5.0
    """σ per axis of the part's constant offset (sensor frame)."""
    soft_iron: float = 0.02
    """σ of the symmetric soft-iron matrix's deviation from identity."""
    disturbed_share: float = 0.0
    """Share of the recording (0–1) spent near steel or magnets, in stretches of 5–30 s (1: throughout)."""
    disturbance_ut: tuple[float, float] = (10.0, 30.0)
    """Size of the extra field near steel or magnets."""


def magnetometer(rotation: Rotation, time_s: FloatArray, env: MagEnvironment, noise_ut: float,
                 rng: np.random.Generator) -> FloatArray:
    """(N, 3) µT in the sensor frame for sensor-to-earth rotations at time_s."""
    n = time_s.shape[0]
    hard = rng.normal(0.0, env.hard_iron_ut, 3)
    deviation = rng.normal(0.0, env.soft_iron, (3, 3))
    soft = np.eye(3) + 0.5 * (deviation + deviation.T)
    field = EARTH_FIELD_UT[None, :] + _disturbance(time_s, env, rng)
    return rotation.inv().apply(field) @ soft.T + hard + rng.normal(0.0, noise_ut, (n, 3))


def _disturbance(time_s: FloatArray, env: MagEnvironment, rng: np.random.Generator) -> FloatArray:
    """(N, 3) earth-frame extra field: stretches where it waxes and wanes (the body moving near iron)."""
    extra = np.zeros((time_s.shape[0], 3))
    if env.disturbed_share <= 0:
        return extra
    duration = float(time_s[-1] - time_s[0])
    stretches = [(time_s[0], time_s[-1])] if env.disturbed_share >= 1 else []
    budget = env.disturbed_share * duration
    while budget > 0 and env.disturbed_share < 1:
        length = min(budget, rng.uniform(5.0, 30.0))
        start = rng.uniform(time_s[0], max(time_s[0], time_s[-1] - length))
        stretches.append((start, start + length))
        budget -= length
    for a, b in stretches:
        inside = (time_s >= a) & (time_s <= b)
        t = time_s[inside] - a
        ramp = np.clip(np.minimum(t, b - a - t) / 1.0, 0.0, 1.0)             # 1 s in and out
        direction = rng.normal(size=3)
        size = rng.uniform(*env.disturbance_ut)
        wax = 0.6 + 0.4 * np.sin(2 * np.pi * rng.uniform(0.05, 0.3) * t + rng.uniform(0, 2 * np.pi))
        extra[inside] += (size * ramp * wax)[:, None] * (direction / np.linalg.norm(direction))[None, :]
    return extra
