"""A Static that redraws only when its content changed."""

from __future__ import annotations

from rich.console import RenderableType
from textual.widgets import Static


class QuietStatic(Static):
    """Why: the live screen asks its widgets to show the newest state many times a second, and
    `Static.update` always re-lays-out and repaints, even for content that did not change."""

    _shown: RenderableType | None = None

    def show_content(self, content: RenderableType) -> None:
        if content != self._shown:
            self._shown = content
            self.update(content)
