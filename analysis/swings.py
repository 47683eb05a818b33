"""Peaks of a cyclic movement (shifts, leg circles, crank revolutions) that a person would count."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from analysis.peak_finding import find_peaks

FloatArray = NDArray[np.float64]


def swing_peaks(signal: FloatArray, min_prominence: float, share: float, distance: int = 1,
                pause_deg: float | None = None, pause_n: int = 1) -> NDArray[np.intp]:
    """Indices of peaks that stand out by min_prominence and by `share` of the typical peak.

    Prominence is measured within about one period of each peak (its own neighbourhood), not
    against the whole recording, so a swing right after a posture change is not inflated and the
    tentative first and last swings of a set fall below `share` of the typical swing.

    pause_deg: where no trough lies within a period of a peak on one side (a set's first or last
    swing), its swing on that side ends where the leg stops (swing_depths). Without this, a set
    that ended by settling mid-range and then returning to neutral lent the return's descent to
    its last half swing, which then passed for one more shift (supine shifts: 31 of 30).
    """
    peaks, _ = find_peaks(signal, min_prominence, distance)
    if len(peaks) < 2:
        return peaks
    period = int(np.median(np.diff(peaks)))
    window = int(1.2 * period) | 1
    peaks, prominences = find_peaks(signal, min_prominence, distance, wlen=window)
    if pause_deg is not None and len(peaks):
        # a trough up to a period away: a swing that hesitates on its way down still reaches one
        open_sides = ~troughs_near(peaks, troughs_of(signal, min_prominence), period)
        prominences = swing_depths(signal, peaks, window // 2, min_prominence, pause_deg, pause_n, open_sides)
        peaks, prominences = peaks[prominences >= min_prominence], prominences[prominences >= min_prominence]
        if not len(peaks):
            return peaks
    return peaks[prominences >= share * np.median(prominences)]


def troughs_near(peaks: NDArray[np.intp], troughs: NDArray[np.intp], reach: int) -> NDArray[np.bool_]:
    """(P, 2) whether a trough lies within reach before (column 0) and after (column 1) each peak."""
    if not len(troughs):
        return np.zeros((len(peaks), 2), dtype=bool)
    after = np.searchsorted(troughs, peaks, side="right")
    before = troughs[np.maximum(after - 1, 0)]
    later = troughs[np.minimum(after, len(troughs) - 1)]
    return np.column_stack([(after > 0) & (before < peaks) & (peaks - before <= reach),
                            (after < len(troughs)) & (later > peaks) & (later - peaks <= reach)])


def swing_depths(signal: FloatArray, peaks: NDArray[np.intp], half: int, drop_deg: float, pause_deg: float,
                 pause_n: int, open_sides: NDArray[np.bool_]) -> FloatArray:
    """(P,) how far each peak's swing goes down on its shallower side, within `half` samples.

    Each side's search stops where a windowed prominence's does (a higher sample, the window's
    edge); on an open side (open_sides (P, 2): no trough there) it also stops where the leg
    stops: at least drop_deg below the peak, the signal falls less than pause_deg over the next
    pause_n samples. What follows such a pause is another movement (back to neutral), not this
    swing. A side with a trough keeps the whole descent, so a swing that hesitates on its way
    down into the next trough still counts in full. Rows of the window per peak, as
    peak_finding's windowed prominences, in blocks to bound memory."""
    x = np.asarray(signal, dtype=float)
    out = np.empty(peaks.size)
    offsets = np.arange(half + 1)
    block = max(1, (1 << 20) // (half + pause_n + 1))
    for a in range(0, peaks.size, block):
        p = peaks[a:a + block]
        height = x[p][:, None]
        lows = []
        for column, sign in enumerate((-1, 1)):
            index = p[:, None] + sign * offsets
            inside = (index >= 0) & (index < x.size)
            values = x[np.clip(index, 0, x.size - 1)]
            ahead_index = index + sign * pause_n
            ahead = x[np.clip(ahead_index, 0, x.size - 1)]
            # past the data's end the leg is not known to have stopped (the newest live swing, a set at the end)
            paused = (height - values >= drop_deg) & (values - ahead < pause_deg) \
                & (ahead_index >= 0) & (ahead_index < x.size)
            paused &= open_sides[a:a + block, column, None]
            after_pause = np.zeros_like(paused)
            after_pause[:, 1:] = np.logical_or.accumulate(paused, axis=1)[:, :-1]
            stopped = np.logical_or.accumulate(~inside | (values > height), axis=1) | after_pause
            lows.append(np.where(stopped, np.inf, values).min(axis=1))
        out[a:a + block] = x[p] - np.maximum(lows[0], lows[1])
    return out


def troughs_of(signal: FloatArray, min_prominence: float) -> NDArray[np.intp]:
    troughs, _ = find_peaks(-np.asarray(signal, dtype=float), min_prominence)
    return troughs
