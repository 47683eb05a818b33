"""The big live angle: the exercise's angle in large digits, the other two small beneath."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.renderables.digits import DIGITS, DIGITS3X3, DIGITS3X3_BOLD
from textual.renderables.digits import Digits as DigitsRenderable
from textual.strip import Strip
from textual.widgets import Digits, Label

from tracker.live_report import ANGLE_NAMES


class AngleDigits(Digits):
    """Textual's Digits, its three rows cut straight from the glyph table.

    Why: the big angle changes on nearly every redraw (forty a second, a tenth of a degree is a new value), and
    Digits draws through Rich's console (a renderable, aligned, split into lines), which was most of a frame's
    rendering. The rows are the same characters in the same style; a selection falls back to Digits' own drawing.
    """

    _drawn: tuple[str, int] | None = None
    """The value and width the rows were cut for (the style is looked up only then: it costs as much as a row)."""
    _rows: tuple[Strip, ...] = ()

    def render_line(self, y: int) -> Strip:
        if self.text_selection:
            return super().render_line(y)
        key = (self.value, self.size.width)
        if key != self._drawn:
            self._rows, self._drawn = _digit_rows(*key, self.rich_style), key
        return self._rows[y] if y < len(self._rows) else Strip.blank(self.size.width, self.rich_style)

    def notify_style_update(self) -> None:
        """New styles (a theme, a class): cut the rows again, as Textual drops its own style caches here."""
        super().notify_style_update()
        self._drawn = None


def _digit_rows(value: str, width: int, style: Style) -> tuple[Strip, ...]:
    """The three rows Digits draws for `value` (textual.renderables.digits), padded to `width` in `style`."""
    table, cells = (DIGITS3X3_BOLD if style.bold else DIGITS3X3), style + _OFFSET   # Digits' segments carry it
    rows: tuple[list[str], list[str], list[str]] = ([], [], [])
    for character in value.translate(DigitsRenderable.REPLACEMENTS):
        position = DIGITS.find(character) * 3
        pieces = (" ", " ", character) if position < 0 else \
            (table[position].ljust(3), table[position + 1].ljust(3), table[position + 2].ljust(3))
        for row, piece in zip(rows, pieces, strict=True):
            row.append(piece)
    return tuple(Strip([Segment("".join(row), cells)]).adjust_cell_length(width, style) for row in rows)


_OFFSET = Style(meta={"offset": (0, 0)})


class AngleReadout(Vertical):
    DEFAULT_CSS = """
    AngleReadout { height: auto; width: 1fr; }
    AngleReadout > Label { width: 1fr; height: 1; text-wrap: nowrap; text-overflow: ellipsis; color: $text-muted; }
    AngleReadout > Digits { width: auto; color: $accent; }
    """

    def compose(self) -> ComposeResult:
        yield Label("waiting for the calibration", id="angle-name")
        yield AngleDigits("--", id="angle")
        yield Label(" ", id="other-angles")

    _shown: tuple[str, str, str] | None = None

    def show(self, angles_deg: tuple[float, float, float] | None, primary: int, *, others: bool = True) -> None:
        """angles_deg: flexion, abduction, rotation (SPEC §2 signs), None before the calibration.

        Only what changed is updated, and without a layout pass: the big digits run forty times a second
        (the angle being moved); the two small angles beneath only with `others` (ten a second is what the
        eye reads), and the labels have a fixed size (the digits re-lay-out themselves only when their
        width changes).
        """
        if angles_deg is None:
            texts = ("waiting for the calibration", "--", " ")
        else:
            texts = (f"{ANGLE_NAMES[primary]}, degrees", f"{angles_deg[primary]:+.1f}", "   ".join(
                f"{ANGLE_NAMES[k]} {angles_deg[k]:+.1f}°" for k in range(3) if k != primary))
        shown = self._shown or ("waiting for the calibration", "--", " ")
        if not others:
            texts = (*texts[:2], shown[2])
        widgets: tuple[Label | Digits, ...] = (self.query_one("#angle-name", Label), self.query_one(Digits),
                                               self.query_one("#other-angles", Label))
        for widget, text, before in zip(widgets, texts, shown, strict=True):
            if text != before:
                if isinstance(widget, Label):
                    widget.update(text, layout=False)
                else:
                    widget.update(text)
        self._shown = texts
