"""The recent samples of a live recording in one growing array (amortised appends, cheap trims)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

_COLUMNS = {"time_s": slice(0, 1), "acc": slice(1, 4), "gyr": slice(4, 7), "quat": slice(7, 11),
            "angles": slice(11, 14), "heading": slice(14, 15)}
_WIDTH = 15


class History:
    """time_s (N,), acc (N, 3), gyr (N, 3), quat (N, 4), angles (N, 3) and heading (N,) of the kept samples.

    Why one array: a block is a few samples; appending to five arrays each time would copy the
    whole history. Capacity doubles when full, and trimmed samples are only dropped (by one copy)
    once they fill half the array, so both cost O(1) per sample on average. The properties are
    views: writing to `angles` writes the history.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self._data = np.zeros((capacity, _WIDTH))
        self._start = 0
        self._stop = 0

    @property
    def size(self) -> int:
        return self._stop - self._start

    def append(self, time_s: FloatArray, acc: FloatArray, gyr: FloatArray, quat: FloatArray,
               angles: FloatArray, heading_rad: float) -> None:
        block = np.column_stack([time_s, acc, gyr, quat, angles, np.full(len(time_s), heading_rad)])
        if self._stop + len(block) > len(self._data):
            self._make_room(len(block))
        self._data[self._stop:self._stop + len(block)] = block
        self._stop += len(block)

    def trim(self, first: int) -> None:
        """Forget the samples before index `first` of the current view."""
        self._start += max(0, min(first, self.size))

    def _make_room(self, extra: int) -> None:
        kept = self._data[self._start:self._stop]
        capacity = len(self._data)
        while len(kept) + extra > capacity // 2:
            capacity *= 2
        data = np.zeros((capacity, _WIDTH)) if capacity != len(self._data) else self._data
        data[:len(kept)] = kept.copy() if data is self._data else kept
        self._data, self._start, self._stop = data, 0, len(kept)

    def _view(self, name: str) -> FloatArray:
        return self._data[self._start:self._stop, _COLUMNS[name]]

    @property
    def time_s(self) -> FloatArray:
        return self._view("time_s")[:, 0]

    @property
    def acc(self) -> FloatArray:
        return self._view("acc")

    @property
    def gyr(self) -> FloatArray:
        return self._view("gyr")

    @property
    def quat(self) -> FloatArray:
        return self._view("quat")

    @property
    def angles(self) -> FloatArray:
        return self._view("angles")

    @property
    def heading(self) -> FloatArray:
        """Heading-drift correction (rad) the angles were computed with."""
        return self._view("heading")[:, 0]
