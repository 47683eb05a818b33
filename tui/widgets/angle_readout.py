"""The big live angle: the exercise's angle in large digits, the other two small beneath."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Digits, Label

from tracker.live_report import ANGLE_NAMES


class AngleReadout(Vertical):
    DEFAULT_CSS = """
    AngleReadout { height: auto; width: 1fr; }
    AngleReadout > #angle-name { color: $text-muted; }
    AngleReadout > Digits { width: auto; color: $accent; }
    AngleReadout > #other-angles { color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Label("waiting for the calibration", id="angle-name")
        yield Digits("--", id="angle")
        yield Label(" ", id="other-angles")

    def show(self, angles_deg: tuple[float, float, float] | None, primary: int) -> None:
        """angles_deg: flexion, abduction, rotation (SPEC §2 signs), None before the calibration."""
        if angles_deg is None:
            self.query_one(Digits).update("--")
            return
        self.query_one("#angle-name", Label).update(f"{ANGLE_NAMES[primary]}, degrees")
        self.query_one(Digits).update(f"{angles_deg[primary]:+.1f}")
        self.query_one("#other-angles", Label).update("   ".join(
            f"{ANGLE_NAMES[k]} {angles_deg[k]:+.1f}°" for k in range(3) if k != primary))
