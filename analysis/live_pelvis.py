"""The pelvis sensor during a live recording: calibrated with the thigh, asked how far it moved in each rep.

Why its own small class: the live thigh preview already finds reps and holds; the pelvis only has
to answer "how far did you move between these two times" for each, with the batch functions of
analysis.pelvis on a window of its recent samples (vectorised, once per rep).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from analysis.calibration import Calibration
from analysis.live_history import History
from analysis.orientation import LiveOrientation
from analysis.pelvis import (
    PelvisCalibration,
    PelvisCalibrationError,
    PelvisParams,
    calibrate_pelvis,
    motion_in,
    pelvis_angles,
    pelvis_quaternions,
    smoothed,
)
from analysis.results import PelvisMotion

FloatArray = NDArray[np.float64]


class LivePelvis:
    """Pelvis samples in (times on the thigh preview's clock), pelvis motion of a span out."""

    def __init__(self, rate_hz: float, params: PelvisParams | None = None, vqf: dict[str, float] | None = None,
                 keep_s: float = 300.0) -> None:
        self._rate_hz, self._p, self._keep_s = rate_hz, params or PelvisParams(), keep_s
        self._orientation = LiveOrientation(rate_hz, vqf)
        self._history = History()
        self._calibration: PelvisCalibration | None = None
        self._heading_rad = 0.0
        self.problem: str | None = None

    @property
    def calibrated(self) -> bool:
        return self._calibration is not None

    def feed(self, time_s: FloatArray, acc: FloatArray, gyr: FloatArray) -> None:
        if len(time_s) == 0:
            return
        h = self._history
        if h.size and time_s[0] <= h.time_s[-1]:
            keep = time_s > h.time_s[-1]
            time_s, acc, gyr = time_s[keep], acc[keep], gyr[keep]
            if len(time_s) == 0:
                return
        quat = self._orientation.update(gyr, acc)
        h.append(time_s, acc, gyr, quat, np.zeros((len(time_s), 3)), 0.0)
        if self._calibration is not None:              # keep what a rep may still ask about
            h.trim(int(np.searchsorted(h.time_s, h.time_s[-1] - self._keep_s)))

    def calibrate(self, thigh: Calibration) -> str | None:
        """Calibrate in the thigh's stand; returns why not (the preview then says nothing about the pelvis)."""
        h = self._history
        try:
            self._calibration = calibrate_pelvis(h.time_s, h.acc, h.quat, thigh, self._p)
        except PelvisCalibrationError as err:
            self.problem = str(err)
            return self.problem
        self._heading_rad = thigh.heading_rad
        return None

    def moved(self, start_s: float, end_s: float) -> PelvisMotion | None:
        """How far the pelvis moved (range per plane) between two times; None before calibration or without samples."""
        h = self._history
        if self._calibration is None or not h.size:
            return None
        margin = 1.0                                    # the low-pass needs a little either side
        a, b = np.searchsorted(h.time_s, [start_s - margin, end_s + margin])
        if b - a < 2:
            return None
        window = slice(int(a), int(b))
        angles = pelvis_angles(h.time_s[window], pelvis_quaternions(h.quat[window], self._calibration),
                               self._heading_rad)
        return motion_in(h.time_s[window], smoothed(angles, self._rate_hz, self._p), start_s, end_s)

    def compensated(self, moved: PelvisMotion) -> bool:
        return moved.largest_deg > self._p.compensation_deg
