"""The live screen's compositor: a partial update draws the same cells as Textual's, from fewer widgets."""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

from rich.console import Console
from rich.segment import Segment
from textual._compositor import Compositor
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Digits, Footer, Header, Label, Log, Static

from tui.cropped_compositor import CroppedCompositor


class Live(Screen[None]):
    def __init__(self) -> None:
        super().__init__()
        self._compositor = CroppedCompositor()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("● REC 0:12", id="status")
        with Horizontal():
            with Vertical(id="left"):
                yield Label("flexion, degrees")
                yield Digits("+12.0")
            with Vertical(id="right"):
                yield Label("Hold 3.4 s")
        yield Log(id="log")
        yield Footer()


class LiveApp(App[None]):
    CSS = "#left { border: round $primary; } #log { height: 5; }"

    def on_mount(self) -> None:
        self.push_screen(Live())


def _segments(update: Any, width: int) -> list[Segment]:
    console = Console(width=width, force_terminal=True, color_system="truecolor", legacy_windows=False)
    return list(console.render(update))


ROWS = "rows rendered"
"""Key under which _counting also adds up the rows every render was asked for."""


def _counting(widgets: list[Widget]) -> Counter[str]:
    """Counts each widget's renders by class, and all rendered rows under ROWS (emptied between updates)."""
    counts: Counter[str] = Counter()
    for widget in widgets:
        def render_lines(crop: Any, widget: Widget = widget, original: Any = widget.render_lines) -> Any:
            counts[type(widget).__name__] += 1
            counts[ROWS] += crop.height
            return original(crop)
        widget.render_lines = render_lines  # type: ignore[method-assign]
    return counts


def _compare(screen: Screen[None], changed: set[Widget], counts: Counter[str]) -> tuple[list[Segment], Counter[str]]:
    """Our partial update of `changed` against Textual's own over the same dirty regions; our renders by class."""
    cropped = screen._compositor
    cropped.update_widgets(changed)
    dirty = set(cropped._dirty_regions)
    assert dirty
    stock = copy.copy(cropped)
    stock.__class__ = Compositor
    stock._dirty_regions = set(dirty)
    counts.clear()
    ours = _segments(cropped.render_partial_update(), 60)
    ours_counts = Counter(counts)
    counts.clear()
    theirs = _segments(stock.render_partial_update(), 60)
    assert ours == theirs
    return ours, ours_counts


async def test_a_partial_update_draws_what_textuals_draws_without_the_widgets_outside_it() -> None:
    app = LiveApp()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one(Log).write_lines([f"line {k}" for k in range(8)])
        await pilot.pause()
        assert isinstance(screen._compositor, CroppedCompositor)
        counts, before = _counting(list(screen._compositor.visible_widgets)), None
        digits = screen.query_one(Digits)
        for text in ("+13.5", "-4.0", "+100.2"):
            digits.update(text)
            ours, ours_counts = _compare(screen, {digits}, counts)
            assert ours != before                         # the new number was drawn
            before = ours
            assert ours_counts["Digits"] == 1
            # only the digits' rows: the screen and the containers (as tall as the screen) render no more
            assert ours_counts[ROWS] <= digits.region.height * sum(ours_counts[k] for k in ours_counts if k != ROWS)
            for outside in ("Header", "Footer", "Log", "Static"):      # the rows above and below the digits
                assert ours_counts[outside] == 0
        hold, status = screen.query_one("#right Label", Label), screen.query_one("#status", Static)
        hold.update("Hold 5.0 s")                         # the other column and the top row, with the digits
        status.update("● REC 0:13")
        digits.update("+1.0")
        _, ours_counts = _compare(screen, {hold, status, digits}, counts)
        assert ours_counts["Digits"] == ours_counts["Static"] == 1 and ours_counts["Footer"] == ours_counts["Log"] == 0
        screen.query_one(Log).write_line("line 8")        # the log scrolls: the rows at the bottom
        _compare(screen, {screen.query_one(Log)}, counts)
        full = screen._compositor.render_full_update()
        assert len(full.strips) == 20                     # a full update: every row
