"""The top line: the app's name, its sections with their keys (the current one highlighted), a screen note.

Why not Textual's Header: the section keys (h, s, e, d) would crowd an 80-column footer; shown here, in
place of the title, they cost no extra line and say where you are.
"""

from __future__ import annotations

from textual.app import RenderResult
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from tracker.storage.reading import DEFAULT_PERSON

SECTIONS = (("home", "h", "Home"), ("sessions", "s", "Sessions"), ("exercises", "e", "Exercises"),
            ("devices", "d", "Devices"))
"""(mode, key, label), in the order shown."""


class SectionBar(Widget):
    DEFAULT_CSS = """
    SectionBar {
        height: 1;
        width: 1fr;
        background: $panel;
        color: $text-muted;
    }
    """

    note: reactive[str] = reactive("")
    """Right-aligned text about the current screen (e.g. which session)."""
    person: reactive[str] = reactive(DEFAULT_PERSON)
    """Whose sessions are shown; named on the bar only when it is not the default person."""

    def __init__(self, current: str, note: str = "") -> None:
        super().__init__()
        self._current = current
        self.set_reactive(SectionBar.note, note)

    def render(self) -> RenderResult:
        parts = ["[b $accent] hiptrack [/]"]
        for mode, key, label in SECTIONS:
            style = "reverse $primary" if mode == self._current else "$text"
            parts.append(f"[@click=app.section('{mode}')][b $accent]{key}[/][{style}] {label} [/][/]")
        left = Content.from_markup("  ".join(parts))
        note = Content(self.note if self.person == DEFAULT_PERSON else f"{self.person} · {self.note}".rstrip(" ·"))
        gap = max(1, self.size.width - left.cell_length - note.cell_length - 1)
        return Content.assemble(left, " " * gap, note, " ")
