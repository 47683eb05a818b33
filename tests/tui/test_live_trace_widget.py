"""The seconds-ago axis of the live trace (a pure helper)."""

from __future__ import annotations

from tui.widgets.live_trace import seconds_ago_ticks


def test_seconds_ago_ticks_end_at_now_and_name_the_start() -> None:
    ticks, labels = seconds_ago_ticks(30.0, 7)
    assert ticks == [-30.0, -25.0, -20.0, -15.0, -10.0, -5.0, 0.0]
    assert labels[0] == "30 s ago" and labels[-1] == "now"
    narrow, _ = seconds_ago_ticks(30.0, 3)
    assert narrow == [-30.0, -20.0, -10.0, 0.0]        # count is the number of steps
