"""Sample times for sensors without a clock (WitMotion, Thingy:52): BLE arrival jitter smoothed away, without lag.

Such a sensor's samples can only be timed by when their notification reached the host. Arrival is the true time
of the notification's last sample plus a delay, and that delay is one-sided: the radio holds packets until the next
connection event (7.5-50 ms apart), and the host's Bluetooth stack and scheduler add more, never less. So the true
timeline is the *lower envelope* of ``arrival − index × period``, not its mean:

* within a window (1 s) the intercept follows the running minimum of ``arrival − index × period`` at once, so a
  less-delayed notification pulls the timeline earlier immediately (no lag);
* across windows a line through the last windows' minima (its lowest point, so the line stays under them) tracks
  the sensor's true rate, which differs from the nominal one by its crystal's error (drift);
* a silence longer than the notification's own samples plus `max_delay_s`, or an explicit :meth:`ArrivalClock.restart`
  (link lost, notification skipped), starts a new segment: the sample count since the gap is unknown, so the fit
  starts over; the rate estimate is kept;
* output times always increase by at least half a period, even while the envelope moves earlier.

Everything is vectorised over the notifications of a call; the only Python loop is over (segment, window) runs, at
most a few per second of data. Feeding notifications one by one (live) or all at once (a log) gives the same times.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class ArrivalSmoothingParams:
    """Tunables of :class:`ArrivalClock` (defaults suit 10-200 Hz sensors on ordinary BLE links)."""

    window_s: float = 1.0
    """Length of the windows whose minima the rate is fitted to."""
    fit_windows: int = 10
    """How many past windows' minima the line goes through (10 s: slow enough to ignore a burst, fast for drift)."""
    max_delay_s: float = 0.25
    """Longest delay BLE adds to a notification; a longer silence than expected is a gap (restart)."""
    max_rate_error: float = 0.02
    """Bound on |true rate / nominal rate − 1| the fit may conclude (cheap clocks are within 1 %)."""
    min_step_periods: float = 0.5
    """Smallest spacing of output times, in periods (keeps them strictly increasing)."""


@dataclass
class _Segment:
    """Fit state since the last gap."""

    start_arrival_s: float
    next_index: int = 0
    window: int = -1
    points_index: list[float] = field(default_factory=list)
    points_offset_s: list[float] = field(default_factory=list)
    intercept_s: float = np.inf          # line of the current window: time = intercept + (period + slope) * index
    best_z_s: float = np.inf             # lowest (offset − slope·index) in the current window, and where
    best_index: float = 0.0
    best_offset_s: float = 0.0


class ArrivalClock:
    """Turns notification arrival times into smooth sample times for one sensor stream (stateful, causal)."""

    def __init__(self, rate_hz: float, params: ArrivalSmoothingParams | None = None) -> None:
        if not rate_hz > 0:
            raise ValueError(f"rate_hz must be positive, got {rate_hz}")
        self.params = params or ArrivalSmoothingParams()
        self.period_s = 1.0 / rate_hz
        self.slope_s = 0.0
        """Estimated true period minus nominal period (kept across gaps: it is the sensor's clock error)."""
        self._segment: _Segment | None = None
        self._last_arrival_s = -np.inf
        self._last_time_s = -np.inf
        self.segments = 0
        """Segments started so far (1 + gaps and restarts)."""

    def restart(self) -> None:
        """Start a new segment at the next notification (samples were lost: the index no longer counts time)."""
        self._segment = None

    def sample_times(self, arrival_s: ArrayLike, samples_per_notification: ArrayLike) -> FloatArray:
        """Times of every sample of these notifications, in order: shape (sum of samples_per_notification,).

        arrival_s: (M,) host arrival time of each notification, s, non-decreasing.
        samples_per_notification: (M,) how many samples each carries (≥ 1).
        """
        arrival = np.atleast_1d(np.asarray(arrival_s, dtype=np.float64))
        counts = np.atleast_1d(np.asarray(samples_per_notification, dtype=np.int64))
        if arrival.ndim != 1 or arrival.shape != counts.shape:
            raise ValueError(f"arrival_s and samples_per_notification must have the same shape (M,), "
                             f"got {arrival.shape} and {counts.shape}")
        if arrival.size == 0:
            return np.zeros(0)
        if (counts < 1).any():
            raise ValueError("every notification must carry at least one sample")
        starts, windows = self._segments_and_windows(arrival, counts)
        cuts = np.flatnonzero(starts | np.concatenate([[True], windows[1:] != windows[:-1]]))
        edges = [*cuts.tolist(), arrival.size]
        parts = []
        for a, b in itertools.pairwise(edges):
            if starts[a]:
                self._segment = _Segment(start_arrival_s=float(arrival[a]))
                self.segments += 1
            assert self._segment is not None
            if windows[a] != self._segment.window:
                self._enter_window(self._segment, int(windows[a]))
            parts.append(self._times_in_window(self._segment, arrival[a:b], counts[a:b]))
        self._last_arrival_s = float(arrival[-1])
        return self._monotonic(np.concatenate(parts))

    def _segments_and_windows(self, arrival: FloatArray, counts: IntArray) -> tuple[NDArray[np.bool_], IntArray]:
        """Where new segments start (gaps) and each notification's window number within its segment."""
        previous = np.concatenate([[self._last_arrival_s], arrival[:-1]])
        starts = arrival - previous > counts * self.period_s + self.params.max_delay_s
        if self._segment is None:
            starts[0] = True
        ongoing = self._segment.start_arrival_s if self._segment is not None else float(arrival[0])
        origin = np.concatenate([[ongoing], arrival[starts]])[np.cumsum(starts)]
        return starts, np.floor((arrival - origin) / self.params.window_s).astype(np.int64)

    def _enter_window(self, seg: _Segment, window: int) -> None:
        """Close the previous window (its minimum becomes a fit point) and fit the line the new one starts from."""
        if np.isfinite(seg.best_z_s):
            seg.points_index = [*seg.points_index, seg.best_index][-self.params.fit_windows:]
            seg.points_offset_s = [*seg.points_offset_s, seg.best_offset_s][-self.params.fit_windows:]
        seg.window, seg.best_z_s = window, np.inf
        if not seg.points_index:
            seg.intercept_s = np.inf
            return
        index = np.asarray(seg.points_index)
        offset = np.asarray(seg.points_offset_s)
        if index.size >= 2:
            di, do = index - index.mean(), offset - offset.mean()
            bound = self.params.max_rate_error * self.period_s
            self.slope_s = float(np.clip((di @ do) / (di @ di), -bound, bound)) if di @ di > 0 else self.slope_s
        seg.intercept_s = float(np.min(offset - self.slope_s * index))     # the line passes under every minimum

    def _times_in_window(self, seg: _Segment, arrival: FloatArray, counts: IntArray) -> FloatArray:
        """Sample times of notifications within one window of one segment."""
        last_index = seg.next_index + np.cumsum(counts) - 1
        offset = arrival - last_index * self.period_s
        z = offset - self.slope_s * last_index
        running = np.minimum.accumulate(np.minimum(z, seg.best_z_s))
        best = int(np.argmin(z))
        if z[best] < seg.best_z_s:
            seg.best_z_s, seg.best_index = float(z[best]), float(last_index[best])
            seg.best_offset_s = float(offset[best])
        intercept = np.minimum(running, seg.intercept_s)
        n_samples = int(counts.sum())
        index = seg.next_index + np.arange(n_samples)
        seg.next_index += n_samples
        return np.repeat(intercept, counts) + (self.period_s + self.slope_s) * index

    def _monotonic(self, times: FloatArray) -> FloatArray:
        step = self.params.min_step_periods * self.period_s
        ramp = step * np.arange(times.size)
        floor = np.maximum.accumulate(np.concatenate([[self._last_time_s + step], times - ramp]))[1:]
        out = floor + ramp
        self._last_time_s = float(out[-1])
        return out


def smooth_arrival_times(arrival_s: ArrayLike, samples_per_notification: ArrayLike, rate_hz: float,
                         params: ArrivalSmoothingParams | None = None) -> FloatArray:
    """Sample times for a whole recording of arrivals at once (same result as feeding them live)."""
    return ArrivalClock(rate_hz, params).sample_times(arrival_s, samples_per_notification)
