"""Peaks of a cyclic movement (shifts, leg circles, crank revolutions) that a person would count."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from analysis.peak_finding import find_peaks

FloatArray = NDArray[np.float64]


def swing_peaks(signal: FloatArray, min_prominence: float, share: float, distance: int = 1) -> NDArray[np.intp]:
    """Indices of peaks that stand out by min_prominence and by `share` of the typical peak.

    Prominence is measured within about one period of each peak (its own neighbourhood), not
    against the whole recording, so a swing right after a posture change is not inflated and the
    tentative first and last swings of a set fall below `share` of the typical swing.
    """
    peaks, _ = find_peaks(signal, min_prominence, distance)
    if len(peaks) < 2:
        return peaks
    window = int(1.2 * np.median(np.diff(peaks))) | 1
    peaks, prominences = find_peaks(signal, min_prominence, distance, wlen=window)
    return peaks[prominences >= share * np.median(prominences)]


def troughs_of(signal: FloatArray, min_prominence: float) -> NDArray[np.intp]:
    troughs, _ = find_peaks(-np.asarray(signal, dtype=float), min_prominence)
    return troughs
