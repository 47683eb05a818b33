"""The latest pain scores as one bar each, as many as fit the width, on the fixed 0–10 scale."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.labels import pain_bars


class PainStrip(Static):
    DEFAULT_CSS = "PainStrip { height: 1; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._scores: tuple[float, ...] = ()

    def show(self, scores: tuple[float, ...]) -> None:
        """One score per rated session, oldest first."""
        self._scores = scores
        self.refresh()

    def render(self) -> Text:
        return Text(pain_bars(self._scores, self.size.width), style="bold")
