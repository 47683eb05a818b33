"""Cyclic exercises count the swings a physio would count (analysis.events.detect_cycles)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.events import EventParams, detect_cycles
from analysis.swings import swing_peaks
from benchmarks.accuracy import analyse
from sensors.simulator import simulate_session

RATE_HZ = 100.0


def _shifts_then_settle(hesitate_s: float = 0.0) -> np.ndarray:
    """Rest at 20°, 15 shifts of ±6° at 0.5 Hz, then the leg comes up from the last low to 25°,
    settles at 21°, stops for 0.2 s and goes back to 0° (a set's end); optionally the 8th shift
    stops for hesitate_s on its way down."""
    def ease(a: float, b: float, s: float) -> np.ndarray:         # a to b over s seconds, cosine-shaped
        n = round(s * RATE_HZ)
        return np.asarray(a + (b - a) * (1 - np.cos(np.pi * np.arange(n) / n)) / 2)

    t = np.arange(round(30 * RATE_HZ)) / RATE_HZ
    shifts = 20.0 - 6.0 * np.cos(np.pi * t)                   # troughs at 0, 2, …, 30 s; peaks at 1, 3, …, 29 s
    if hesitate_s:
        k = round(15.5 * RATE_HZ)                               # half-way down from the 8th peak
        shifts = np.concatenate([shifts[:k], np.full(round(hesitate_s * RATE_HZ), shifts[k]), shifts[k:]])
    return np.concatenate([np.full(200, 20.0), ease(20.0, 14.0, 1.0), shifts, ease(14.0, 25.0, 0.8),
                           ease(25.0, 21.0, 0.5), np.full(20, 21.0), ease(21.0, 0.0, 1.5), np.zeros(300)])


def test_a_set_that_settles_before_returning_to_neutral_counts_no_extra_shift() -> None:
    signal = _shifts_then_settle()
    time_s = np.arange(len(signal)) / RATE_HZ
    params = EventParams()
    reps = detect_cycles(time_s, signal, "internal_rotation", RATE_HZ, params)
    assert len(reps) == 15
    assert reps[-1].end_s < 2.0 + 1.0 + 30.0 + 0.1           # the last shift ends at the last low
    # what the return's descent did before: the half swing after the last low passed for a 16th shift
    smooth = np.convolve(signal, np.ones(20) / 20, mode="same")
    assert len(swing_peaks(smooth, params.min_cycle_prominence_deg, params.cycle_share)) == 16


@pytest.mark.parametrize("hesitate_s", [0.3, 0.6])
def test_a_shift_that_hesitates_on_its_way_down_still_counts(hesitate_s: float) -> None:
    signal = _shifts_then_settle(hesitate_s)
    time_s = np.arange(len(signal)) / RATE_HZ
    reps = detect_cycles(time_s, signal, "internal_rotation", RATE_HZ, EventParams())
    assert len(reps) == 15
    assert any(r.start_s < 18.0 < r.end_s and r.peak_deg > 25.0 for r in reps)   # the 8th shift's peak, at 18 s


def test_supine_shifts_count_each_set_as_the_truth_does() -> None:
    """Seed 9501, left: the second set ends settling mid-range, then the feet walk back (was 16 of 15)."""
    sim = simulate_session("supine_hip_shift_ir", "left", seed=9501)
    result = analyse(sim)
    assert [s.reps for s in result.sets] == [len(c.peaks_s) for c in sim.truth.cycles] == [15, 15]
    peaks = np.array([p for c in sim.truth.cycles for p in c.peaks_s])
    for rep, peak in zip(result.reps, peaks, strict=True):       # each rep holds its own true peak
        assert rep.start_s < peak < rep.end_s
