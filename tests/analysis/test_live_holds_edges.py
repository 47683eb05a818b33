"""A hold whose end edge has scrolled out of the live window still ends where the angle leaves its level,
without a "Mean of empty slice" warning leaking to the user (issue #13): warnings are errors here."""

from __future__ import annotations

import warnings

import numpy as np

from analysis.live_holds import HoldTracker

RATE_HZ = 100.0


def _trace() -> tuple[np.ndarray, np.ndarray, float]:
    """Seated, rotation: rest, turn to 30°, hold still 10 s, then the thigh rocks in flexion (±5° at 2 Hz:
    not still) for 10 s while rotation stays at the held level (the hold is not over), then back to rest.
    Returns the time rotation leaves the held level too."""
    rotation = np.concatenate([np.zeros(300), np.linspace(0, 30, 200), np.full(2000, 30.0), np.linspace(30, 0, 200),
                               np.zeros(500)])
    time_s = np.arange(len(rotation)) / RATE_HZ
    flexion = 90.0 + np.where((time_s >= 15.0) & (time_s < 25.0), 5.0 * np.sin(2 * np.pi * 2.0 * (time_s - 15.0)), 0.0)
    angles = np.column_stack([flexion, np.zeros(len(rotation)), rotation])
    return time_s, angles, 25.0


def test_a_hold_that_sways_past_the_window_ends_where_it_leaves_without_warnings() -> None:
    time_s, angles, leaves_s = _trace()
    tracker = HoldTracker(2, ("internal_rotation", "external_rotation"), RATE_HZ, (60.0, 120.0))
    window = round(tracker.params.window_s * RATE_HZ)
    reports = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for end in range(5, len(time_s) + 1, 5):              # 50 ms batches, as the live analyzer feeds it
            start = max(0, end - max(5, window))
            reports += tracker.update(time_s[start:end], angles[start:end], 5)
        reports += tracker.finish()
    ended = [hold for kind, hold in reports if kind == "ended"]
    assert len(ended) == 1
    assert ended[0].angle_deg == np.float64(ended[0].angle_deg) and abs(ended[0].angle_deg - 30.0) < 0.5
    assert abs(ended[0].end_s - leaves_s) < 0.5, ended[0]
