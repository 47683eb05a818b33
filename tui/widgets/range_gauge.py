"""How far the leg is now against the personal best and the target, on one bar.

Drawn so that 'further' is to the right whatever the motion's sign (extension is negative).
"""

from __future__ import annotations

from functools import lru_cache
from itertools import groupby
from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

BEST_MARK, TARGET_MARK, TODAY_MARK = "│", "◆", "▲"


def gauge_cells(width: int, now_deg: float | None, best_deg: float | None, target_deg: float | None,
                today_deg: float | None, sign: float) -> list[tuple[str, str]]:
    """(character, style) per cell: filled up to now, marks at today's best, the best and the target."""
    if width <= 0:
        return []
    further = [sign * v for v in (now_deg, best_deg, target_deg, today_deg) if v is not None]
    scale = max([10.0, *further]) * 1.15

    def cell(value: float | None) -> int | None:
        return None if value is None else min(width - 1, max(0, round(sign * value / scale * (width - 1))))

    now = cell(now_deg)
    cells = [("━" if now is not None and k <= now else "─", "bold" if now is not None and k <= now else "dim")
             for k in range(width)]
    for value, mark, style in ((today_deg, TODAY_MARK, "cyan"), (best_deg, BEST_MARK, "yellow"),
                               (target_deg, TARGET_MARK, "green")):
        at = cell(value)
        if at is not None:
            cells[at] = (mark, f"bold {style}")
    return cells


class _Shown(NamedTuple):
    cells: tuple[tuple[str, str], ...]
    today: str
    best: str
    target: str
    width: int


class RangeGauge(Widget):
    """Repainted only when a cell or a label would change: the screen offers it every angle (forty a
    second), but the fill moves one cell per few degrees, and a held angle changes nothing at all."""

    DEFAULT_CSS = "RangeGauge { height: 2; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._values: tuple[float | None, float | None, float | None, float | None] = (None, None, None, None)
        self._sign = 1.0
        self._lines: tuple[Strip, Strip] | None = None
        self._drawn: _Shown | None = None

    def show(self, now_deg: float | None, best_deg: float | None, target_deg: float | None,
             today_deg: float | None, sign: float) -> None:
        """sign: +1 when the motion's 'further' is positive (flexion, IR…), −1 otherwise (extension…)."""
        self._values, self._sign = (now_deg, best_deg, target_deg, today_deg), sign
        if self._key() != self._drawn:
            self.refresh()

    def _key(self) -> _Shown:
        """What the two lines show: the cells and the rounded labels (a repaint only when these change)."""
        now, best, target, today = self._values
        return _Shown(tuple(gauge_cells(self.size.width, now, best, target, today, self._sign)),
                      _deg(today), _deg(best), _deg(target), self.size.width)

    @property
    def text(self) -> str:
        """Both lines as plain text (what the tests read)."""
        return "\n".join(line.text for line in self._draw())

    def render_line(self, y: int) -> Strip:
        lines = self._draw()
        return lines[y] if y < len(lines) else Strip.blank(self.size.width)

    def _draw(self) -> tuple[Strip, Strip]:
        key = self._key()
        if self._lines is None or key != self._drawn:
            bar = [Segment("".join(char for char, _ in group), _style(style))
                   for style, group in groupby(key.cells, key=lambda cell: cell[1])]
            legend = [Segment(f"{TODAY_MARK} today {key.today}  ", _style("cyan")),
                      Segment(f"{BEST_MARK} best {key.best}  ", _style("yellow")),
                      Segment(f"{TARGET_MARK} target {key.target}", _style("green"))]
            self._lines = (Strip(bar, key.width), Strip(legend).crop_extend(0, key.width, None))
            self._drawn = key
        return self._lines


@lru_cache(maxsize=16)
def _style(definition: str) -> Style:
    return Style.parse(definition)


def _deg(value: float | None) -> str:
    return "—" if value is None else f"{value:+.0f}°"
