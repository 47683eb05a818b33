"""A Static that redraws only when its content changed."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import RenderableType
from rich.text import Text
from textual.widgets import Static


class QuietStatic(Static):
    """Why: the live screen asks its widgets to show the newest state many times a second, and
    `Static.update` always re-lays-out and repaints, even for content that did not change. New content
    with as many lines as before, none wrapped, keeps the widget's size: it is repainted without a layout pass."""

    _shown: RenderableType | None = None

    def show_content(self, content: RenderableType) -> None:
        if content != self._shown:
            before, self._shown = self._shown, content
            self.update(content, layout=not (isinstance(before, Text) and self._same_height(before, content)))

    def _same_height(self, before: Text, content: RenderableType) -> bool:
        if not isinstance(content, Text):
            return False
        width = None if self.styles.text_wrap == "nowrap" else self.content_size.width
        lines = _unwrapped_lines(content, width)
        return lines is not None and lines == _unwrapped_lines(before, width)


def _unwrapped_lines(text: Text, width: int | None) -> int | None:
    """How many lines `text` takes at `width` cells (None: it never wraps), or None if one of them would wrap
    (its height is then up to the layout)."""
    lines = text.plain.split("\n")
    if width is None:
        return len(lines)
    return len(lines) if width > 0 and all(cell_len(line) <= width for line in lines) else None
