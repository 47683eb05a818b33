"""Run-length helpers: boolean masks ↔ index intervals, vectorised (no loop per sample)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import maximum_filter1d, minimum_filter1d, uniform_filter1d

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]


def runs(mask: BoolArray) -> NDArray[np.intp]:
    """(K, 2) [start, stop) index pairs of the True runs of a 1-D mask."""
    padded = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return edges.reshape(-1, 2)


def moving_average(values: FloatArray, window: int) -> FloatArray:
    """Centred moving average along axis 0 (edges use the available samples)."""
    return uniform_filter1d(np.asarray(values, dtype=float), max(1, int(window)), axis=0, mode="nearest")


def rolling_range(values: FloatArray, window: int) -> FloatArray:
    """max − min over a centred window: how much a signal moves, insensitive to its slope sign."""
    window = max(1, int(window))
    return maximum_filter1d(values, window, mode="nearest") - minimum_filter1d(values, window, mode="nearest")


def drop_short(intervals: NDArray[np.intp], min_len: int) -> NDArray[np.intp]:
    return intervals[(intervals[:, 1] - intervals[:, 0]) >= min_len]


def close_gaps(intervals: NDArray[np.intp], max_gap: int) -> NDArray[np.intp]:
    """Merge intervals separated by fewer than max_gap samples."""
    if len(intervals) < 2:
        return intervals
    gaps = intervals[1:, 0] - intervals[:-1, 1]
    keep = np.concatenate([[True], gaps >= max_gap])
    last_of_group = np.append(keep[1:], True)
    return np.column_stack([intervals[keep, 0], intervals[last_of_group, 1]])
