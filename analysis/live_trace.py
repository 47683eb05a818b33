"""The last stretch of one angle over time, kept for the live screen's scrolling trace."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

TRACE_WINDOW_S = 30.0
"""What a person watches while stretching: the current hold and the rep before it."""


@dataclass(frozen=True, slots=True)
class Trace:
    """time_s (N,) increasing, data time since the first sample; angle_deg (N,), NaN before calibration."""

    time_s: FloatArray
    angle_deg: FloatArray


class RecentTrace:
    """Keeps the samples of the last `window_s` seconds (plus one block): appends are vectorised, and
    the copy per block is bounded by the window (~2 000 samples at 60 Hz), not by the recording."""

    def __init__(self, window_s: float = TRACE_WINDOW_S) -> None:
        self._window_s = window_s
        self._time_s: FloatArray = np.zeros(0)
        self._angle_deg: FloatArray = np.zeros(0)

    def append(self, time_s: FloatArray, angle_deg: FloatArray) -> None:
        """A block of samples, newer than those kept."""
        if len(time_s) == 0:
            return
        time_all = np.concatenate([self._time_s, np.asarray(time_s, dtype=float)])
        angle_all = np.concatenate([self._angle_deg, np.asarray(angle_deg, dtype=float)])
        first = int(np.searchsorted(time_all, time_all[-1] - self._window_s, side="left"))
        self._time_s, self._angle_deg = time_all[first:], angle_all[first:]

    def replace_since(self, start_s: float, angle_deg: FloatArray) -> None:
        """Angles recomputed for the kept samples at or after `start_s` (calibration found late)."""
        first = int(np.searchsorted(self._time_s, start_s, side="left"))
        count = min(len(self._time_s) - first, len(angle_deg))
        if count > 0:                                     # both end at the newest sample: align the tails
            self._angle_deg = self._angle_deg.copy()
            self._angle_deg[-count:] = np.asarray(angle_deg, dtype=float)[-count:]

    def snapshot(self) -> Trace:
        """The kept samples (the arrays are never written again, so the caller may keep them)."""
        return Trace(self._time_s, self._angle_deg)
