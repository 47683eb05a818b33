"""The live screen's widgets repaint only when what they show changes (issue 17: a light live screen)."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Digits, Label

from tui.widgets.angle_readout import AngleDigits, AngleReadout
from tui.widgets.hold_timer import HoldTimer
from tui.widgets.range_gauge import RangeGauge


class CountingGauge(RangeGauge):
    repaints = 0

    def refresh(self, *args: Any, **kwargs: Any) -> Any:
        self.repaints += 1
        return super().refresh(*args, **kwargs)


class Widgets(App[None]):
    def compose(self) -> ComposeResult:
        yield CountingGauge()
        yield AngleReadout()


async def test_the_gauge_repaints_only_when_a_cell_or_a_label_changes() -> None:
    app = Widgets()
    async with app.run_test(size=(42, 8)) as pilot:
        gauge = app.query_one(CountingGauge)
        gauge.show(30.0, 40.0, 50.0, 30.0, 1.0)
        await pilot.pause()
        before = gauge.repaints
        assert "today +30°" in gauge.text and "━" in gauge.text
        gauge.show(30.1, 40.0, 50.0, 30.1, 1.0)            # a tremor: the same cells, the same rounded labels
        gauge.show(29.9, 40.0, 50.0, 30.1, 1.0)
        assert gauge.repaints == before
        gauge.show(45.0, 40.0, 50.0, 45.0, 1.0)            # a real move: the fill and today's label change
        assert gauge.repaints == before + 1
        await pilot.pause()
        assert "today +45°" in gauge.text


async def test_the_small_angles_wait_for_the_slower_redraw() -> None:
    app = Widgets()
    async with app.run_test(size=(42, 8)) as pilot:
        readout = app.query_one(AngleReadout)
        readout.show((80.0, 1.0, 30.0), 2)
        others = readout.query_one("#other-angles", Label)
        assert str(others.render()) == "flexion +80.0°   abduction +1.0°"
        readout.show((82.0, 2.0, 31.0), 2, others=False)     # the 30 Hz redraw: the big digits only
        await pilot.pause()
        assert str(others.render()) == "flexion +80.0°   abduction +1.0°"
        readout.show((82.0, 2.0, 31.0), 2)                    # the 10 Hz redraw brings them up to date
        assert str(others.render()) == "flexion +82.0°   abduction +2.0°"


class Timer(App[None]):
    def compose(self) -> ComposeResult:
        yield HoldTimer()


async def test_the_hold_timer_keeps_the_last_hold_until_the_next_starts() -> None:
    """The log says "hold 3.4 s" when a hold ends; the timer beside it says the same, not a blank dash."""
    app = Timer()
    async with app.run_test(size=(40, 4)) as pilot:
        timer = app.query_one(HoldTimer)
        timer.show(None, (5.0, 10.0))
        await pilot.pause()
        assert "Hold  —" in str(timer.render())
        timer.show(3.41, (5.0, 10.0))
        assert str(timer.render()).startswith("Hold  3.4 s  of 5–10 s")
        timer.show(None, (5.0, 10.0), 3.41)
        assert str(timer.render()).startswith("Hold  last 3.4 s  of 5–10 s")
        timer.show(None, (5.0, 10.0), 6.0)
        assert "last 6.0 s" in str(timer.render()) and "✓" in str(timer.render())
        timer.show(0.5, (5.0, 10.0), 6.0)                  # the next hold: its own time, not the last
        assert str(timer.render()).startswith("Hold  0.5 s")


class BothDigits(App[None]):
    CSS = "Digits { width: auto; color: $accent; } .bold { text-style: bold; }"

    def compose(self) -> ComposeResult:
        yield Digits("--", id="theirs")
        yield AngleDigits("--", id="ours")


async def test_the_big_digits_draw_the_rows_textuals_digits_draw() -> None:
    """Cut from the glyph table, not drawn through Rich: the same cells in the same style, bold too."""
    app = BothDigits()
    async with app.run_test(size=(40, 8)) as pilot:
        theirs, ours = app.query_one("#theirs", Digits), app.query_one("#ours", AngleDigits)
        for bold in (False, True):
            theirs.set_class(bold, "bold")
            ours.set_class(bold, "bold")
            for value in ("--", "+0.0", "-12.3", "+104.9", "7°", "1e3"):
                theirs.update(value)
                ours.update(value)
                await pilot.pause()
                assert ours.size == theirs.size
                lines = [ours.render_lines(ours.size.region), theirs.render_lines(theirs.size.region)]
                assert [[(s.text, s.style) for s in strip] for strip in lines[0]] == \
                    [[(s.text, s.style) for s in strip] for strip in lines[1]]
                assert "".join(strip.text for strip in lines[0]).strip()          # something was drawn
