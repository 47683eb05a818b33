"""Smooth, analytic motion channels: keyframes joined by minimum-jerk moves, plus oscillators.

Why analytic: the IMU model differentiates positions twice and orientations once. Evaluating the
trajectory at arbitrary times (t ± h) makes those derivatives exact to rounding instead of
inheriting interpolation corners. Minimum-jerk moves (Flash & Hogan 1985) start and stop with zero
velocity and acceleration, like unhurried human movement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

CHANNELS = ("flex", "abd", "rot", "pelvis_pitch", "pelvis_height", "osc_flex", "osc_abd", "osc_rot",
            "osc_rate_hz", "pelvis_tilt", "pelvis_obliquity", "pelvis_rotation", "osc_pelvis_tilt",
            "osc_pelvis_obliquity")
"""Pose channels: hip angles in degrees, pelvis pitch (0 upright, 90 lying on the back) in degrees,
pelvis height in metres, oscillation amplitudes in degrees and the oscillation rate in cycles/s;
then the pelvis's own movement away from the posture (tilt about its Z, obliquity about its X,
rotation about its Y axis, degrees: hitching, rolling, rocking) and its rocking amplitudes while
pedalling (once per crank revolution)."""


def _min_jerk(tau: FloatArray) -> FloatArray:
    return tau**3 * (10.0 - 15.0 * tau + 6.0 * tau**2)


def _min_jerk_integral(tau: FloatArray) -> FloatArray:
    """∫₀^τ of the min-jerk profile, so oscillator phase can be integrated in closed form."""
    return tau**4 * (2.5 - 3.0 * tau + tau**2)


@dataclass(frozen=True, slots=True)
class Keyframes:
    """Channel values at keyframe times; in between, a minimum-jerk move; after the last, constant."""

    time_s: FloatArray          # (K,) strictly increasing, first is 0
    values: FloatArray          # (K, C)

    def _locate(self, t: FloatArray) -> tuple[NDArray[np.intp], FloatArray, FloatArray]:
        t = np.clip(np.asarray(t, dtype=float), self.time_s[0], None)
        k = np.clip(np.searchsorted(self.time_s, t, side="right") - 1, 0, len(self.time_s) - 1)
        nxt = np.minimum(k + 1, len(self.time_s) - 1)
        span = np.where(nxt > k, self.time_s[nxt] - self.time_s[k], 1.0)
        tau = np.where(nxt > k, (t - self.time_s[k]) / span, 0.0)
        return k, np.clip(tau, 0.0, 1.0), span

    def evaluate(self, t: FloatArray) -> FloatArray:
        """(N, C) channel values at times t (N,)."""
        k, tau, _ = self._locate(t)
        nxt = np.minimum(k + 1, len(self.time_s) - 1)
        start, end = self.values[k], self.values[nxt]
        return start + (end - start) * _min_jerk(tau)[:, None]

    def integral(self, t: FloatArray, channel: int) -> FloatArray:
        """∫₀ᵗ of one channel, exact for the minimum-jerk profile."""
        t = np.asarray(t, dtype=float)
        v = self.values[:, channel]
        seg = np.diff(self.time_s) * (v[:-1] + 0.5 * (v[1:] - v[:-1]))     # ∫ over a whole move
        cumulative = np.concatenate([[0.0], np.cumsum(seg)])
        k, tau, span = self._locate(t)
        nxt = np.minimum(k + 1, len(self.time_s) - 1)
        inside = span * (v[k] * tau + (v[nxt] - v[k]) * _min_jerk_integral(tau))
        after_last = np.where(k == len(self.time_s) - 1, (t - self.time_s[-1]) * v[-1], 0.0)
        return cumulative[k] + inside + after_last


@dataclass(frozen=True, slots=True)
class SmoothNoise:
    """Band-limited random wobble: a sum of sinusoids, analytic so it can be differentiated."""

    amplitude: FloatArray       # (M, D)
    freq_hz: FloatArray         # (M, D)
    phase: FloatArray           # (M, D)

    @staticmethod
    def random(rng: np.random.Generator, dims: int, scale: float, band_hz: tuple[float, float],
               terms: int = 3) -> SmoothNoise:
        amplitude = scale * rng.uniform(0.3, 1.0, (terms, dims)) / np.sqrt(terms)
        return SmoothNoise(amplitude, rng.uniform(*band_hz, (terms, dims)), rng.uniform(0, 2 * np.pi, (terms, dims)))

    def evaluate(self, t: FloatArray) -> FloatArray:
        """(N, D) values at times t (N,)."""
        arg = 2 * np.pi * self.freq_hz[None] * np.asarray(t, dtype=float)[:, None, None] + self.phase[None]
        return (self.amplitude[None] * np.sin(arg)).sum(axis=1)
