"""Peaks by prominence, as `scipy.signal.find_peaks(x, prominence=, distance=, wlen=)`, in NumPy alone.

Why not SciPy's: importing `scipy.signal` costs 0.55 s of CPU (it loads scipy.stats and rewrites
hundreds of docstrings), more than the ride's whole parse + VQF floor for a 20-minute ride, and the
batch analysis needs only these three steps of it. Same definitions and the same answer, index for
index (tests/analysis/test_peak_finding.py compares them on random and plateau-rich signals):

- a peak is a sample, or the middle of a flat run (rounded down), with lower neighbours both sides;
  the first and last samples never are;
- `distance`: higher peaks first, each removes the lower ones nearer than `distance` samples
  (SciPy's greedy; here in rounds: a peak that outranks every undecided neighbour is kept);
- prominence: height above the higher of the two lowest points reached, either side, before a
  strictly higher sample (or the window's edge, `wlen` samples centred on the peak).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IndexArray = NDArray[np.intp]


def find_peaks(x: FloatArray, prominence: float, distance: float = 1.0,
               wlen: float | None = None) -> tuple[IndexArray, FloatArray]:
    """Indices of the peaks with at least `prominence`, and those prominences (both ascending by index)."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"x must be one-dimensional, got shape {x.shape}")
    if distance < 1:
        raise ValueError("distance must be at least 1")
    if wlen is not None and wlen <= 1:
        raise ValueError("wlen must be larger than 1")
    maxima = local_maxima(x)
    chosen = np.flatnonzero(select_by_distance(maxima, x[maxima], distance))
    if wlen is None:
        prominences = _prominences_unbounded(x, maxima, chosen)
    else:
        prominences = _prominences_windowed(x, maxima[chosen], math.ceil(wlen))
    keep = prominences >= prominence
    return maxima[chosen][keep], prominences[keep]


def local_maxima(x: FloatArray) -> IndexArray:
    """Indices of local maxima; a flat top gives its middle sample (rounded down); edges never count."""
    if x.size < 3:
        return np.zeros(0, dtype=np.intp)
    starts = np.flatnonzero(np.concatenate([[True], x[1:] != x[:-1]]))     # runs of equal values
    ends = np.append(starts[1:] - 1, x.size - 1)
    level = x[starts]
    inner = np.arange(1, starts.size - 1)
    top = inner[(level[inner - 1] < level[inner]) & (level[inner + 1] < level[inner])]
    return np.asarray((starts[top] + ends[top]) // 2, dtype=np.intp)


def select_by_distance(peaks: IndexArray, priority: FloatArray, distance: float) -> NDArray[np.bool_]:
    """Which peaks survive SciPy's greedy: by descending priority, each kept peak removes the
    undecided ones closer than ceil(distance) samples.

    In rounds, each vectorised: a peak that outranks every undecided peak within reach is kept
    (nothing processed before it can remove it), and its neighbours within reach are removed. This
    is the sequential greedy's answer exactly; ties are ranked as SciPy's argsort ranks them.
    """
    n = peaks.size
    reach = math.ceil(distance)
    keep = np.ones(n, dtype=bool)
    if n < 2 or reach <= 1:
        return keep
    rank = np.empty(n, dtype=np.intp)
    rank[np.argsort(priority)] = np.arange(n)
    # How many later peaks lie within reach of each peak (the conflicts are those index offsets).
    span = np.searchsorted(peaks, peaks + reach, side="left") - np.arange(n) - 1
    width = int(span.max())
    if width == 0:
        return keep
    undecided = np.ones(n, dtype=bool)
    while undecided.any():
        best = np.where(undecided, rank, -1)
        outranks = undecided.copy()
        for offset in range(1, width + 1):      # one pass per neighbour offset, vectorised over peaks
            near = peaks[offset:] - peaks[:-offset] < reach
            outranks[:-offset] &= ~near | (best[offset:] < rank[:-offset])
            outranks[offset:] &= ~near | (best[:-offset] < rank[offset:])
        removed = np.zeros(n, dtype=bool)
        for offset in range(1, width + 1):
            near = peaks[offset:] - peaks[:-offset] < reach
            removed[offset:] |= near & outranks[:-offset]
            removed[:-offset] |= near & outranks[offset:]
        removed &= undecided & ~outranks
        keep[removed] = False
        undecided &= ~(outranks | removed)
    return keep


def _prominences_windowed(x: FloatArray, peaks: IndexArray, wlen: int) -> FloatArray:
    """Prominences within a window of wlen samples centred on each peak (SciPy's `wlen`).

    The window is short (about one stroke), so each peak's neighbourhood is gathered as a row
    and searched with array operations; rows are taken in blocks to bound memory.
    """
    half = wlen // 2
    out = np.empty(peaks.size)
    offsets = np.arange(half + 1)
    block = max(1, (1 << 20) // (half + 1))
    for a in range(0, peaks.size, block):
        p = peaks[a:a + block]
        height = x[p][:, None]
        lows = []
        for sign in (-1, 1):
            index = p[:, None] + sign * offsets
            inside = (index >= 0) & (index < x.size)
            values = x[np.clip(index, 0, x.size - 1)]
            # The search stops at the first strictly higher sample; the window's edge stops it too.
            passed = np.logical_or.accumulate(~inside | (values > height), axis=1)
            lows.append(np.where(passed, np.inf, values).min(axis=1))
        out[a:a + block] = x[p] - np.maximum(lows[0], lows[1])
    return out


def _prominences_unbounded(x: FloatArray, maxima: IndexArray, chosen: IndexArray) -> FloatArray:
    """Prominences of maxima[chosen] with no window, from the local maxima alone.

    Between two neighbouring local maxima the signal only falls then rises, so the first strictly
    higher sample on either side lies on the flank of the nearest strictly higher local maximum (or,
    without one, the search runs to the signal's end), and the lowest point on the way is the lowest
    of the valleys between. Nearest higher maxima come from pointer jumping, valley minima from a
    sparse table: O(M log M) for M maxima, with no search per sample.
    """
    if chosen.size == 0:
        return np.zeros(0)
    height = x[maxima]
    # valley[k]: min over [maxima[k-1], maxima[k]) (valley[0] from the start, valley[M] to the end).
    valley = np.minimum.reduceat(x, np.concatenate([[0], maxima]))
    table = _min_table(valley)
    left = _nearest_higher(height, forward=False)[chosen]     # -1: none
    right = _nearest_higher(height, forward=True)[chosen]     # M: none
    low_left = _range_min(table, left + 1, chosen)
    low_right = _range_min(table, chosen + 1, right)
    return np.asarray(height[chosen] - np.maximum(np.minimum(low_left, height[chosen]), low_right))


def _nearest_higher(height: FloatArray, forward: bool) -> IndexArray:
    """For each element, the index of the nearest strictly higher one after it (forward) or before
    it; M or -1 when there is none. Pointer jumping: every element between a pointer and its
    element is no higher than the element, so a pointer to a no-higher element may jump on to that
    element's own pointer."""
    m = height.size
    step, none = (1, m) if forward else (-1, -1)
    pointer = np.arange(m) + step
    while True:
        inside = (pointer >= 0) & (pointer < m)
        pending = np.flatnonzero(inside)
        pending = pending[height[pointer[pending]] <= height[pending]]
        if pending.size == 0:
            break
        pointer[pending] = pointer[pointer[pending]]
    pointer[(pointer < 0) | (pointer >= m)] = none
    return pointer


def _min_table(values: FloatArray) -> list[FloatArray]:
    """Sparse table: level j holds the minimum over each run of 2**j consecutive values."""
    table = [values]
    while (1 << len(table)) <= len(values):
        size = 1 << (len(table) - 1)
        table.append(np.minimum(table[-1][:-size], table[-1][size:]))
    return table


def _range_min(table: list[FloatArray], lo: IndexArray, hi: IndexArray) -> FloatArray:
    """min(values[lo..hi]) inclusive, per pair (lo <= hi), from two overlapping power-of-two windows."""
    length = hi - lo + 1
    level = np.floor(np.log2(np.maximum(length, 1))).astype(np.intp)
    out = np.empty(lo.size)
    for j in np.unique(level):
        rows = np.flatnonzero(level == j)
        values = table[j]
        out[rows] = np.minimum(values[lo[rows]], values[hi[rows] - (1 << j) + 1])
    return out
