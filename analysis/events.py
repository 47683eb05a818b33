"""Holds, reps and sets on the exercise's primary motion (SPEC §5 definitions).

A rep is one excursion from neutral and back; a hold is a stretch of that excursion where the
angle stays still (within a few degrees) away from neutral; sets are reps grouped by rests.
Cyclic exercises (shifts, circles) count each cycle as a rep instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.signal import find_peaks

from analysis.segments import close_gaps, drop_short, moving_average, rolling_range, runs

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class EventParams:
    still_window_s: float = 0.6
    still_range_deg: float = 2.5
    """Rolling range below which the primary angle counts as still: "within a few degrees"."""
    min_hold_s: float = 1.8
    min_excursion_deg: float = 8.0
    enter_fraction: float = 0.5
    """A rep starts counting when the excursion passes this share of the session's typical peak..."""
    leave_fraction: float = 0.25
    """...and ends when it falls back below this share (hysteresis against wobble)."""
    set_gap_s: float = 6.0
    min_cycle_prominence_deg: float = 3.0


@dataclass(frozen=True, slots=True)
class HoldEvent:
    motion: str
    start_s: float
    end_s: float
    angle_deg: float
    """Mean signed angle during the hold (SPEC §2 signs)."""
    stability_deg: float
    """Standard deviation of the angle during the hold."""

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True, slots=True)
class RepEvent:
    motion: str
    start_s: float
    end_s: float
    peak_deg: float


@dataclass(frozen=True, slots=True)
class SetEvent:
    start_s: float
    end_s: float
    reps: int


def detect_excursions(time_s: FloatArray, signed_deg: FloatArray, neutral_deg: float, motions: tuple[str, str],
                      params: EventParams) -> tuple[RepEvent, ...]:
    """Reps as excursions of a signed angle from neutral; motions = (name when above, name when below)."""
    offset = signed_deg - neutral_deg
    reps: list[RepEvent] = []
    for sign, motion in ((1.0, motions[0]), (-1.0, motions[1])):
        if not motion:
            continue
        excursion = sign * offset
        typical = np.percentile(excursion, 99) if excursion.size else 0.0
        enter = max(params.min_excursion_deg, params.enter_fraction * typical)
        leave = max(params.min_excursion_deg / 2, params.leave_fraction * typical)
        for start, stop in runs(excursion > leave):
            segment = excursion[start:stop]
            if segment.max() >= enter:
                peak = start + int(np.argmax(segment))
                reps.append(RepEvent(motion, float(time_s[start]), float(time_s[stop - 1]), float(signed_deg[peak])))
    return tuple(sorted(reps, key=lambda r: r.start_s))


def detect_holds(time_s: FloatArray, signed_deg: FloatArray, reps: tuple[RepEvent, ...], rate_hz: float,
                 params: EventParams) -> tuple[HoldEvent, ...]:
    """Still stretches inside reps; the hold's angle is its mean."""
    window = int(round(params.still_window_s * rate_hz))
    still = rolling_range(signed_deg, window) < params.still_range_deg
    holds: list[HoldEvent] = []
    for rep in reps:
        inside = (time_s >= rep.start_s) & (time_s <= rep.end_s)
        candidates = drop_short(runs(still & inside), int(params.min_hold_s * rate_hz))
        if len(candidates) == 0:
            continue
        # A hold is at the top of the excursion: keep the still run closest to the rep's peak.
        means = np.array([signed_deg[a:b].mean() for a, b in candidates])
        a, b = candidates[int(np.argmin(np.abs(means - rep.peak_deg)))]
        values = signed_deg[a:b]
        holds.append(HoldEvent(rep.motion, float(time_s[a]), float(time_s[b - 1]), float(values.mean()),
                               float(values.std())))
    return tuple(holds)


def detect_cycles(time_s: FloatArray, signal_deg: FloatArray, motion: str, rate_hz: float,
                  params: EventParams) -> tuple[RepEvent, ...]:
    """One rep per oscillation peak (shifts); start/end at the neighbouring troughs."""
    smooth = moving_average(signal_deg, int(round(0.2 * rate_hz)))
    peaks, _ = find_peaks(smooth, prominence=params.min_cycle_prominence_deg)
    troughs, _ = find_peaks(-smooth, prominence=params.min_cycle_prominence_deg)
    reps = []
    for peak in peaks:
        before = troughs[troughs < peak]
        after = troughs[troughs > peak]
        start = before[-1] if len(before) else peak
        stop = after[0] if len(after) else peak
        reps.append(RepEvent(motion, float(time_s[start]), float(time_s[stop]), float(signal_deg[peak])))
    return tuple(reps)


def detect_circles(time_s: FloatArray, flexion_deg: FloatArray, abduction_deg: FloatArray, rate_hz: float,
                   params: EventParams) -> tuple[RepEvent, ...]:
    """One rep per full turn of the leg around the circle's centre, in either direction."""
    window = int(round(4.0 * rate_hz))
    centre_f = moving_average(flexion_deg, window)
    centre_a = moving_average(abduction_deg, window)
    df, da = flexion_deg - centre_f, abduction_deg - centre_a
    radius = np.hypot(df, da)
    moving = radius > params.min_excursion_deg / 2
    reps: list[RepEvent] = []
    for start, stop in close_gaps(runs(moving), int(0.5 * rate_hz)):
        phase = np.unwrap(np.arctan2(da[start:stop], df[start:stop]))
        turns = (phase - phase[0]) / (2 * np.pi)
        direction = np.sign(turns[-1]) or 1.0
        completed = np.floor(direction * turns)
        crossings = np.flatnonzero(np.diff(completed) > 0) + 1
        previous = start
        for index in crossings:
            reps.append(RepEvent("circumduction", float(time_s[previous]), float(time_s[start + index]),
                                 float(radius[previous:start + index].max())))
            previous = start + index
    return tuple(reps)


def group_sets(reps: tuple[RepEvent, ...], params: EventParams) -> tuple[SetEvent, ...]:
    """Consecutive reps closer than set_gap_s belong to one set."""
    if not reps:
        return ()
    starts = np.array([r.start_s for r in reps])
    ends = np.array([r.end_s for r in reps])
    new_set = np.concatenate([[True], starts[1:] - ends[:-1] > params.set_gap_s])
    ids = np.cumsum(new_set) - 1
    return tuple(SetEvent(float(starts[ids == k].min()), float(ends[ids == k].max()), int((ids == k).sum()))
                 for k in range(ids[-1] + 1))
