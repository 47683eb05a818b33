"""Peaks of a cyclic movement (shifts, leg circles, crank revolutions) that a person would count."""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def swing_peaks(signal: FloatArray, min_prominence: float, share: float, distance: int = 1) -> NDArray[np.intp]:
    """Indices of peaks that stand out by min_prominence and by `share` of the typical peak.

    Prominence is measured within about one period of each peak (its own neighbourhood), not
    against the whole recording, so a swing right after a posture change is not inflated and the
    tentative first and last swings of a set fall below `share` of the typical swing.
    """
    from scipy.signal import find_peaks  # deferred: costs 0.4 s to import

    peaks, _ = find_peaks(signal, prominence=min_prominence, distance=distance)
    if len(peaks) < 2:
        return peaks
    window = int(1.2 * np.median(np.diff(peaks))) | 1
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="some peaks have a prominence of 0")   # such peaks drop out
        peaks, info = find_peaks(signal, prominence=min_prominence, distance=distance, wlen=window)
    return peaks[info["prominences"] >= share * np.median(info["prominences"])]


def troughs_of(signal: FloatArray, min_prominence: float) -> NDArray[np.intp]:
    from scipy.signal import find_peaks

    troughs, _ = find_peaks(-signal, prominence=min_prominence)
    return troughs
