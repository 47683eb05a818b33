"""Sample times for clock-less sensors from BLE arrival times (sensors.timing), against known true times.

The arrival model is what a BLE link does to a sensor sampling on its own crystal: each notification (1-3 samples)
is ready when its last sample is taken, waits for the next connection event (every `ci_s`, one-sided delay) and then
for the host's stack and scheduler (exponential, mean 1 ms). The sensor's clock runs `drift` fast.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from sensors.timing import ArrivalClock, ArrivalSmoothingParams, smooth_arrival_times

RATE_HZ = 100.0
PERIOD_S = 1 / RATE_HZ
HOST_START_S = 1_800_000_000.0


def _arrivals(seed: int, duration_s: float = 60.0, ci_s: float = 0.02875, drift: float = 300e-6,
              per_note: tuple[int, ...] = (1, 2, 3)) -> tuple[NDArray[np.float64], NDArray[np.float64],
                                                              NDArray[np.int64]]:
    """(true sample times, notification arrival times, samples per notification)."""
    rng = np.random.default_rng(seed)
    n = int(duration_s * RATE_HZ)
    true_s = HOST_START_S + np.arange(n) * PERIOD_S * (1 + drift)
    counts = rng.choice(per_note, size=n)
    counts = counts[np.cumsum(counts) <= n]
    counts = np.append(counts, n - counts.sum()) if counts.sum() < n else counts
    ready_s = true_s[np.cumsum(counts) - 1]
    phase_s = rng.uniform(0, ci_s)
    event_s = HOST_START_S + phase_s + np.ceil((ready_s - HOST_START_S - phase_s) / ci_s) * ci_s
    arrival_s = np.maximum.accumulate(event_s + rng.exponential(0.001, size=event_s.size))
    return true_s.astype(np.float64), arrival_s.astype(np.float64), counts.astype(np.int64)


@pytest.mark.parametrize("seed", range(5))
def test_smoothed_times_follow_the_true_clock_not_the_radio(seed: int) -> None:
    """Bound: within 5 ms of the truth once 2 s are seen (RMS under 1.5 ms), within one connection interval plus
    jitter before that; the raw arrival times are off by ~25 ms RMS."""
    true_s, arrival_s, counts = _arrivals(seed)
    times = smooth_arrival_times(arrival_s, counts, RATE_HZ)
    error_s = times - true_s
    naive_s = np.repeat(arrival_s, counts) - true_s
    settled = error_s[int(2 * RATE_HZ):]
    assert np.abs(settled).max() < 0.005
    assert np.sqrt(np.mean(settled**2)) < 0.0015
    assert np.sqrt(np.mean(naive_s**2)) > 10 * np.sqrt(np.mean(settled**2))
    assert np.abs(error_s).max() < 0.02875 + 0.01
    assert np.all(np.diff(times) > 0)


@pytest.mark.parametrize("drift", [-0.01, 0.01])
def test_a_cheap_clock_one_percent_off_is_tracked(drift: float) -> None:
    true_s, arrival_s, counts = _arrivals(7, drift=drift)
    clock = ArrivalClock(RATE_HZ)
    error_s = clock.sample_times(arrival_s, counts) - true_s
    assert np.abs(error_s[int(15 * RATE_HZ):]).max() < 0.005
    assert clock.slope_s / PERIOD_S == pytest.approx(drift, abs=0.001)


def test_commensurate_connection_interval_costs_at_most_a_period() -> None:
    """30 ms events and 10 ms samples: for long stretches no notification arrives right after its sample, so the
    envelope can sit up to a period (plus host jitter) late; that error is a slowly varying offset, the spacing
    between samples stays right."""
    true_s, arrival_s, counts = _arrivals(2, ci_s=0.030, drift=50e-6)
    times = smooth_arrival_times(arrival_s, counts, RATE_HZ)
    settled = (times - true_s)[int(2 * RATE_HZ):]
    assert np.abs(settled).max() < 1.5 * PERIOD_S
    assert np.sqrt(np.mean((np.diff(times) - np.diff(true_s))[int(2 * RATE_HZ):] ** 2)) < 0.0005


def test_live_one_notification_at_a_time_equals_batch() -> None:
    _, arrival_s, counts = _arrivals(1, duration_s=20.0)
    batch = smooth_arrival_times(arrival_s, counts, RATE_HZ)
    clock = ArrivalClock(RATE_HZ)
    live = np.concatenate([clock.sample_times(a, k) for a, k in zip(arrival_s, counts, strict=True)])
    np.testing.assert_allclose(live, batch, rtol=0, atol=1e-6)
    chunked_clock = ArrivalClock(RATE_HZ)
    chunked = np.concatenate([chunked_clock.sample_times(arrival_s[i:i + 37], counts[i:i + 37])
                              for i in range(0, arrival_s.size, 37)])
    np.testing.assert_allclose(chunked, batch, rtol=0, atol=1e-6)


def test_a_silent_second_restarts_the_fit_and_keeps_the_gap() -> None:
    true_s, arrival_s, counts = _arrivals(3)
    last_sample = np.cumsum(counts) - 1
    lost = (true_s[last_sample] - HOST_START_S >= 20.0) & (true_s[last_sample] - HOST_START_S < 21.0)
    clock = ArrivalClock(RATE_HZ)
    times = clock.sample_times(arrival_s[~lost], counts[~lost])
    kept_true_s = true_s[~np.repeat(lost, counts)]
    error_s = times - kept_true_s
    assert clock.segments == 2
    jump = int(np.argmax(np.diff(times)))
    assert np.diff(times)[jump] == pytest.approx(np.diff(kept_true_s)[jump], abs=0.04)   # the gap, not smeared
    assert np.all(np.diff(times) > 0)
    assert np.abs(error_s).max() < 0.04
    after = kept_true_s - HOST_START_S > 23.0
    assert np.abs(error_s[after]).max() < 0.005


def test_an_explicit_restart_starts_a_new_segment() -> None:
    clock = ArrivalClock(RATE_HZ)
    first = clock.sample_times([HOST_START_S + 0.01, HOST_START_S + 0.02], [1, 1])
    clock.restart()
    second = clock.sample_times([HOST_START_S + 0.10], [3])
    assert clock.segments == 2
    np.testing.assert_allclose(first, [HOST_START_S + 0.01, HOST_START_S + 0.02])
    np.testing.assert_allclose(second, HOST_START_S + np.array([0.08, 0.09, 0.10]))


def test_times_never_go_back_when_the_envelope_moves_earlier() -> None:
    """A first notification 30 ms late, then three samples at once: the envelope moves 30 ms earlier, the times
    do not reverse (at least half a period apart) and join the envelope again within a few samples."""
    clock = ArrivalClock(RATE_HZ, ArrivalSmoothingParams())
    arrival = HOST_START_S + np.array([0.030, 0.031, *(0.040 + PERIOD_S * np.arange(1, 11))])
    times = clock.sample_times(arrival, [1, 3, *[1] * 10])
    assert np.all(np.diff(times) >= 0.5 * PERIOD_S - 1e-6)
    np.testing.assert_allclose(times[-3:] - HOST_START_S, [0.111, 0.121, 0.131], atol=1e-6)   # 0.031 − 3 periods


@pytest.mark.parametrize(("arrival", "counts", "problem"), [
    ([1.0, 2.0], [1], "same shape"),
    ([1.0], [0], "at least one sample"),
])
def test_bad_input_is_refused(arrival: list[float], counts: list[int], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        ArrivalClock(RATE_HZ).sample_times(arrival, counts)


def test_empty_input_gives_no_times() -> None:
    assert ArrivalClock(RATE_HZ).sample_times([], []).shape == (0,)
