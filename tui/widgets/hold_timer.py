"""The hold timer: how long the current hold has lasted, against the prescribed hold.

Between holds it keeps the last one ("last 3.4 s"), dimmed: a blank "—" the moment a hold ended read as if
the hold had not counted, while the log beside it said it had."""

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
        self._last_s: float | None = None
        self._prescribed: Span = None

    def show(self, hold_s: float | None, prescribed: Span, last_hold_s: float | None = None) -> None:
        shown = None if hold_s is None else round(hold_s, 1)
        last = None if last_hold_s is None or shown is not None else round(last_hold_s, 1)
        if (shown, last, prescribed) != (self._hold_s, self._last_s, self._prescribed):
            self._hold_s, self._last_s, self._prescribed = shown, last, prescribed
            self.refresh()

    def render(self) -> Text:
        goal = span_text(self._prescribed, " s")
        held = self._hold_s if self._hold_s is not None else self._last_s
        reached = held is not None and self._prescribed is not None and held >= self._prescribed[0]
        current = self._hold_s is not None
        text = Text("Hold  ", "bold")
        if held is None:
            text.append("—", "bold")
        else:
            text.append(f"{'' if current else 'last '}{held:.1f} s",
                        ("bold green" if reached else "bold") if current else ("green" if reached else "dim"))
        text.append(f"  of {goal}" + ("  ✓" if reached else ""), "dim" if not reached else "green")
        text.append("\n" + hold_bar(max(0, self.size.width), held, self._prescribed),
                    ("green" if reached else "") if current else "dim")
        return text
