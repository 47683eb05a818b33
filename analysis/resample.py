"""Put samples on a uniform time grid: the filters and event detectors assume a constant rate.

A hole longer than `MAX_BRIDGED_GAP_S` stays a hole: the grid resumes at the first sample after
it. Why: a dropped link is bridged by interpolation, but a clock that jumps by 1e6 s must not be
filled with 1e8 made-up samples (memory and time grow with the jump, not the recording).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

MAX_BRIDGED_GAP_S = 5.0
"""Longer holes in time are kept as holes (a reconnecting sensor is back within a few seconds)."""


def uniform_grid(time_s: FloatArray, rate_hz: float | None = None,
                 max_gap_s: float = MAX_BRIDGED_GAP_S) -> FloatArray:
    """Grid at rate_hz (default: the median rate) over each stretch of samples without a long hole.

    Its size is about the number of samples whatever the times: at most one grid step per sample
    of median spacing, plus one per stretch.
    """
    if rate_hz is None:
        rate_hz = float(1.0 / np.median(np.diff(time_s)))
    breaks = np.flatnonzero(np.diff(time_s) > max(max_gap_s, 2.0 / rate_hz))
    starts = time_s[np.concatenate(([0], breaks + 1))]
    ends = time_s[np.append(breaks, len(time_s) - 1)]
    counts = np.floor((ends - starts) * rate_hz + 1e-6).astype(np.int64) + 1
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + offsets / rate_hz


def resample(time_s: FloatArray, values: FloatArray, grid_s: FloatArray) -> FloatArray:
    """Linear interpolation of (N, K) values onto grid_s, one column at a time (vectorised per column)."""
    return np.column_stack([np.interp(grid_s, time_s, values[:, k]) for k in range(values.shape[1])])


def is_uniform(time_s: FloatArray, tolerance: float = 0.01) -> bool:
    """True when every step is within `tolerance` (relative) of the median step."""
    steps = np.diff(time_s)
    median = np.median(steps)
    return bool(np.all(np.abs(steps - median) <= tolerance * median))
