"""Put samples on a uniform time grid: the filters and event detectors assume a constant rate."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def uniform_grid(time_s: FloatArray, rate_hz: float | None = None) -> FloatArray:
    """Grid from the first to the last sample at rate_hz (default: the median rate)."""
    if rate_hz is None:
        rate_hz = float(1.0 / np.median(np.diff(time_s)))
    count = int(np.floor((time_s[-1] - time_s[0]) * rate_hz + 1e-9)) + 1
    return time_s[0] + np.arange(count) / rate_hz


def resample(time_s: FloatArray, values: FloatArray, grid_s: FloatArray) -> FloatArray:
    """Linear interpolation of (N, K) values onto grid_s, one column at a time (vectorised per column)."""
    return np.column_stack([np.interp(grid_s, time_s, values[:, k]) for k in range(values.shape[1])])


def is_uniform(time_s: FloatArray, tolerance: float = 0.01) -> bool:
    """True when every step is within `tolerance` (relative) of the median step."""
    steps = np.diff(time_s)
    median = np.median(steps)
    return bool(np.all(np.abs(steps - median) <= tolerance * median))
