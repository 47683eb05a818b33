"""Run-length helpers: boolean masks ↔ index intervals, and sliding-window filters, vectorised (no loop per sample).

The filters are scipy.ndimage's `uniform_filter1d`, `maximum/minimum_filter1d` and `median_filter`
with mode="nearest" and the same window centring (tests/analysis/test_segments_filters.py compares
them): importing scipy.ndimage and the scipy core it needs costs more CPU than a short ride's
whole parse + orientation, and these are a few lines of NumPy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]


def runs(mask: BoolArray) -> NDArray[np.intp]:
    """(K, 2) [start, stop) index pairs of the True runs of a 1-D mask."""
    padded = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return edges.reshape(-1, 2)


def moving_average(values: FloatArray, window: int) -> FloatArray:
    """Centred moving average along axis 0 (the end samples repeat past the edges)."""
    values = np.asarray(values, dtype=float)
    window = max(1, int(window))
    if window == 1 or len(values) == 0:
        return values.copy()
    padded = _edge_padded(values, window)
    sums = np.empty((len(padded) + 1, *values.shape[1:]))
    sums[0] = 0.0
    np.cumsum(padded, axis=0, out=sums[1:])
    return np.asarray((sums[window:] - sums[:-window]) / window)


def rolling_range(values: FloatArray, window: int) -> FloatArray:
    """max − min over a centred window: how much a signal moves, insensitive to its slope sign."""
    return np.asarray(window_max(values, window) - window_min(values, window))


def window_max(values: NDArray[Any], window: int) -> NDArray[Any]:
    """Maximum over a centred window along axis 0 (the end samples repeat past the edges)."""
    return _window_extreme(np.asarray(values), max(1, int(window)), np.maximum)


def window_min(values: NDArray[Any], window: int) -> NDArray[Any]:
    """Minimum over a centred window along axis 0 (the end samples repeat past the edges)."""
    return _window_extreme(np.asarray(values), max(1, int(window)), np.minimum)


def window_median(values: FloatArray, window: int) -> FloatArray:
    """Median over a centred window (odd: the middle value is a sample) of a 1-D signal; the end samples
    repeat past the edges."""
    values = np.asarray(values, dtype=float)
    window = max(1, int(window))
    if window % 2 == 0:
        raise ValueError(f"window_median needs an odd window, got {window}")
    if window == 1 or len(values) == 0:
        return values.copy()
    return np.asarray(np.median(sliding_window_view(_edge_padded(values, window), window), axis=-1))


def _edge_padded(values: NDArray[Any], window: int) -> NDArray[Any]:
    """values with window // 2 copies of the first sample before and the rest of a window of the last after
    (ndimage's centring: sample i sees i − window//2 … i − window//2 + window − 1)."""
    before = window // 2
    return np.concatenate([np.repeat(values[:1], before, axis=0), values,
                           np.repeat(values[-1:], window - 1 - before, axis=0)])


def _window_extreme(values: NDArray[Any], window: int,
                    op: Callable[[NDArray[Any], NDArray[Any]], NDArray[Any]]
                    ) -> NDArray[Any]:
    """op (np.maximum or np.minimum) over each centred window, by doubling: O(n log window), exact."""
    if window == 1 or len(values) == 0:
        return values.copy()
    n = len(values)
    extreme = _edge_padded(values, window)
    size = 1
    while 2 * size <= window:                  # extreme[i] = op over padded[i : i + size]
        extreme = op(extreme[:-size], extreme[size:])
        size *= 2
    return op(extreme[:n], extreme[window - size:window - size + n])


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
