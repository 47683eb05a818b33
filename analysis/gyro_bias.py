"""A coarse gyro bias from the recording's still spells, removed before VQF sees the gyro.

Why: VQF learns the bias itself, but only within ±biasClip (2 °/s) per axis, and it only counts a
spell as rest while the low-passed gyro stays inside that clip. A part whose bias is near or past
2 °/s on an axis (consumer parts: up to ±3 °/s from the factory) therefore never rests, its
vertical bias is never learnt, and the heading drifts by ~2 °/s through every long hold (seen:
90/90 stretch and standing abduction holds 20–90° off at ±2 °/s). Raising the clip instead lets
slow movements (easing into a stretch at 2–5 °/s) pass as rest and be learnt as bias (abductor
stretch 0.9° → 2.2° rotation error at zero bias). So the bulk of the bias is taken out first,
from spells where the sensor is plainly still, and VQF refines the remainder (sway makes this
estimate 0.1–0.3 °/s off; well inside the clip, where VQF's rest estimate is good).

The mean gyro over a still spell is bias plus the spell's net rotation divided by its length;
sway goes back and forth, so over seconds it mostly cancels. Spells whose gravity direction moved
(a slow turn about a horizontal axis) are left out, and the median over spells, weighted by their
length, keeps one slow turn about the vertical (which gravity cannot see) from moving it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.segments import drop_short, runs

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class GyroBiasParams:
    min_spell_s: float = 2.0
    """Still spells shorter than this average too little sway away."""
    max_tilt_rate_dps: float = 0.3
    """A spell whose gravity direction turned faster than this on average was a slow movement, not rest."""
    min_total_s: float = 2.0
    """Less stillness than this in the whole recording: no estimate (VQF alone, as before)."""


@dataclass(frozen=True, slots=True)
class GyroBias:
    bias_radps: FloatArray
    """(3,) sensor-frame bias to subtract (zeros when there was too little stillness)."""
    still_s: float
    """Seconds of stillness the estimate rests on (0: none)."""


def still_spell_bias(gyr: FloatArray, acc: FloatArray, still: BoolArray, rate_hz: float,
                     params: GyroBiasParams | None = None) -> GyroBias:
    """Weighted median over still spells of the mean gyro (N, 3 rad/s); acc (N, 3) m/s²; still (N,)."""
    params = params or GyroBiasParams()
    spells = drop_short(runs(still), max(2, round(params.min_spell_s * rate_hz)))
    if not len(spells):
        return GyroBias(np.zeros(3), 0.0)
    starts, stops = spells[:, 0], spells[:, 1]
    length = (stops - starts).astype(float)
    means = _segment_means(gyr, starts, stops)
    edge = max(1, round(0.5 * rate_hz))        # gravity over half a second at each end of the spell
    first = _segment_means(acc, starts, starts + edge)
    last_start = stops - 1 - edge // 2 - edge // 2
    last = _segment_means(acc, last_start, last_start + edge)
    cosine = np.sum(first * last, axis=1) / (np.linalg.norm(first, axis=1) * np.linalg.norm(last, axis=1))
    tilt_deg = np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))
    keep = tilt_deg / (length / rate_hz) <= params.max_tilt_rate_dps
    total_s = float(length[keep].sum() / rate_hz)
    if total_s < params.min_total_s:
        return GyroBias(np.zeros(3), 0.0)
    return GyroBias(_weighted_median(means[keep], length[keep]), total_s)


def _segment_means(values: FloatArray, starts: NDArray[np.intp], stops: NDArray[np.intp]) -> FloatArray:
    """(K, 3) float64 mean of values[start:stop] per segment, a segment at a time: a running sum over the
    whole recording would be an (N, 3) float64 copy of a day's samples."""
    sums = np.array([values[a:b].sum(axis=0, dtype=float) for a, b in zip(starts, stops, strict=True)])
    return np.asarray(sums.reshape(len(starts), values.shape[1]) / (stops - starts)[:, None])


def _weighted_median(values: FloatArray, weights: FloatArray) -> FloatArray:
    """(3,) per column: the value at which half the weight lies on either side."""
    order = np.argsort(values, axis=0)
    sorted_values = np.take_along_axis(values, order, axis=0)
    cumulative = np.cumsum(weights[order], axis=0)
    index = np.argmax(cumulative >= 0.5 * cumulative[-1], axis=0)
    return np.asarray(sorted_values[index, np.arange(values.shape[1])], dtype=float)
