"""The hold timer: how long the current hold has lasted, against the prescribed hold."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tracker.catalog import Span
from tracker.report import span_text


def hold_bar(width: int, hold_s: float | None, prescribed: Span) -> str:
    """Filled in proportion to the prescribed minimum hold (full once it is reached)."""
    if width <= 0:
        return ""
    goal = prescribed[0] if prescribed else 30.0
    filled = 0 if hold_s is None else min(width, round(width * hold_s / goal))
    return "█" * filled + "░" * (width - filled)


class HoldTimer(Static):
    DEFAULT_CSS = "HoldTimer { height: 2; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._hold_s: float | None = None
        self._prescribed: Span = None

    def show(self, hold_s: float | None, prescribed: Span) -> None:
        shown = None if hold_s is None else round(hold_s, 1)
        if (shown, prescribed) != (self._hold_s, self._prescribed):
            self._hold_s, self._prescribed = shown, prescribed
            self.refresh()

    def render(self) -> Text:
        goal = span_text(self._prescribed, " s")
        reached = self._hold_s is not None and self._prescribed is not None and self._hold_s >= self._prescribed[0]
        text = Text("Hold  ", "bold")
        text.append("—" if self._hold_s is None else f"{self._hold_s:.1f} s", "bold green" if reached else "bold")
        text.append(f"  of {goal}" + ("  ✓" if reached else ""), "dim" if not reached else "green")
        text.append("\n" + hold_bar(max(0, self.size.width), self._hold_s, self._prescribed),
                    "green" if reached else "")
        return text
