"""The seconds-ago axis of the live trace (a pure helper)."""

from __future__ import annotations

import numpy as np

from tui.braille import braille_frame, cells, runs
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


def test_the_braille_line_is_unbroken_keeps_a_spike_and_draws_the_levels_where_the_line_is_not() -> None:
    ago = np.linspace(-30.0, 0.0, 6000)
    angle = np.sin(ago) * 30.0
    angle[3000] = 39.0                                   # one sample at the top of the chart
    frame = braille_frame(ago, angle, (-30.0, 0.0), (-40.0, 40.0), 60, 8, (20.0,))
    assert len(frame.rows) == 8 and all(len(row) == 60 for row in frame.rows)
    line = frame.layer == 1
    assert line.any(axis=0).all()                        # every column has the line: joined, no holes
    assert line[0, 30]                                   # the spike's column reaches the top row
    level_row = int((40.0 - 20.0) / 80.0 * 8)
    assert (frame.layer[level_row] == 2).sum() > 30 and not (frame.layer[level_row + 2] == 2).any()
    assert all(frame.rows[r][c] == " " for r, c in zip(*np.nonzero(frame.layer == 0), strict=True))


def test_the_braille_dots_of_a_cell_map_to_their_unicode_bits() -> None:
    dots = np.zeros((4, 2), dtype=bool)
    dots[0, 0] = dots[3, 1] = True                       # dots 1 and 8
    assert cells(dots)[0, 0] == 0x01 | 0x80
    assert runs(np.array([0, 0, 1, 1, 2], dtype=np.int8)) == [(0, 2, 0), (2, 4, 1), (4, 5, 2)]


async def test_the_waiting_line_wraps_instead_of_being_cut_off() -> None:
    """Before calibration the trace explains itself; at 80×24 its box is about 40 columns wide."""
    from textual.app import App, ComposeResult

    from tui.widgets.live_trace import WAITING, LiveTrace

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield LiveTrace()

    app = One()
    async with app.run_test(size=(36, 6)) as pilot:
        await pilot.pause()
        shown = [line.strip() for line in app.query_one(LiveTrace).lines if line.strip()]
        assert len(shown) >= 2 and " ".join(shown) == WAITING
