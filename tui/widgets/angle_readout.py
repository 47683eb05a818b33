"""The big live angle: the exercise's angle in large digits, the other two small beneath."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Digits, Label

from tracker.live_report import ANGLE_NAMES


class AngleReadout(Vertical):
    DEFAULT_CSS = """
    AngleReadout { height: auto; width: 1fr; }
    AngleReadout > Label { width: 1fr; height: 1; text-wrap: nowrap; text-overflow: ellipsis; color: $text-muted; }
    AngleReadout > Digits { width: auto; color: $accent; }
    """

    def compose(self) -> ComposeResult:
        yield Label("waiting for the calibration", id="angle-name")
        yield Digits("--", id="angle")
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
