"""The seconds-ago axis of the live trace (a pure helper)."""

from __future__ import annotations

import numpy as np

from tui.widgets.live_trace import envelope, seconds_ago_ticks


def test_seconds_ago_ticks_end_at_now_and_name_the_start() -> None:
    ticks, labels = seconds_ago_ticks(30.0, 7)
    assert ticks == [-30.0, -25.0, -20.0, -15.0, -10.0, -5.0, 0.0]
    assert labels[0] == "30 s ago" and labels[-1] == "now"
    narrow, _ = seconds_ago_ticks(30.0, 3)
    assert narrow == [-30.0, -20.0, -10.0, 0.0]        # count is the number of steps


def test_the_envelope_keeps_every_peak_in_two_points_per_column() -> None:
    ago = np.linspace(-30.0, 0.0, 6000)
    angle = np.sin(ago * 2.0) * 40.0
    angle[1234] = 95.0                                   # a one-sample spike must survive
    x, y = envelope(ago, angle, 150)
    assert len(x) <= 300 and y.max() == 95.0 and y.min() == angle.min()
    assert np.all(np.diff(x) >= 0)
