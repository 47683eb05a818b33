"""How far the leg is now against the personal best and the target, on one bar.

Drawn so that 'further' is to the right whatever the motion's sign (extension is negative).
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

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


class RangeGauge(Static):
    DEFAULT_CSS = "RangeGauge { height: 2; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._values: tuple[float | None, float | None, float | None, float | None] = (None, None, None, None)
        self._sign = 1.0

    def show(self, now_deg: float | None, best_deg: float | None, target_deg: float | None,
             today_deg: float | None, sign: float) -> None:
        """sign: +1 when the motion's 'further' is positive (flexion, IR…), −1 otherwise (extension…)."""
        if (now_deg, best_deg, target_deg, today_deg) != self._values or sign != self._sign:
            self._values, self._sign = (now_deg, best_deg, target_deg, today_deg), sign
            self.refresh()

    def render(self) -> Text:
        now, best, target, today = self._values
        text = Text()
        for char, style in gauge_cells(self.size.width, now, best, target, today, self._sign):
            text.append(char, style)
        text.append("\n")
        text.append(f"{TODAY_MARK} today {_deg(today)}  ", "cyan")
        text.append(f"{BEST_MARK} best {_deg(best)}  ", "yellow")
        text.append(f"{TARGET_MARK} target {_deg(target)}", "green")
        return text


def _deg(value: float | None) -> str:
    return "—" if value is None else f"{value:+.0f}°"
