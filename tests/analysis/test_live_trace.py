"""The live trace buffer: a half-minute window whatever the block sizes, and late calibration filled in."""

from __future__ import annotations

import numpy as np

from analysis.live_trace import RecentTrace


def test_the_trace_keeps_the_last_window_whatever_the_blocks() -> None:
    rate = 60.0
    time_s = np.arange(0, 95, 1 / rate)
    angle = np.sin(time_s)
    trace = RecentTrace(window_s=30.0)
    edges = np.cumsum(np.random.default_rng(4).integers(1, 40, size=400))
    for block in np.split(np.arange(len(time_s)), edges[edges < len(time_s)]):
        trace.append(time_s[block], angle[block])
    kept = trace.snapshot()
    assert kept.time_s[-1] == time_s[-1]
    assert 29.9 < kept.time_s[-1] - kept.time_s[0] <= 30.0
    np.testing.assert_array_equal(kept.angle_deg, angle[-len(kept.time_s):])


def test_angles_found_at_calibration_replace_the_nans_since_its_start() -> None:
    trace = RecentTrace(window_s=10.0)
    time_s = np.arange(0, 20, 0.1)
    trace.append(time_s, np.full(len(time_s), np.nan))
    trace.replace_since(15.0, np.arange(0, 50, dtype=float))       # 5 s of recomputed angles
    kept = trace.snapshot()
    assert np.isnan(kept.angle_deg[kept.time_s < 15.0 - 1e-9]).all()
    np.testing.assert_array_equal(kept.angle_deg[kept.time_s >= 15.0 - 1e-9], np.arange(0, 50))
