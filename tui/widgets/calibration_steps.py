"""The calibration wizard (SPEC §3): the three steps, each ticked off as the recording shows it done."""

from __future__ import annotations

from rich.text import Text

from analysis.live_analyzer import LiveState
from tracker.live_report import PROTOCOL_SWINGS
from tui.widgets.quiet_static import QuietStatic


def step_lines(state: LiveState, residual_deg: float | None) -> list[tuple[str, str, str]]:
    """(mark, words, style) per step: ✓ done, ▸ now, · later."""
    done = {"waiting_still": 0, "swings": 1, "settling": 2, "exercising": 3}.get(state.phase, 0)
    words = [f"Stand upright and still  {min(state.still_s, 3.0):.1f}/3 s" if done == 0 else "Stand upright and still",
             f"Swing the leg forward  {state.swings}/{PROTOCOL_SWINGS}",
             "Stand still again"]
    lines = [("✓" if k < done else "▸" if k == done else "·", text, "green" if k < done else "bold" if k == done
              else "dim") for k, text in enumerate(words)]
    if state.phase == "exercising":
        residual = "" if residual_deg is None else f", alignment residual {residual_deg:.1f}°"
        lines.append(("✓", f"Calibrated{residual}: start the exercise", "green"))
    elif state.phase == "uncalibrated":
        lines.append(("✗", f"No calibration: {state.problem}", "red"))
    return lines


class CalibrationSteps(QuietStatic):
    DEFAULT_CSS = "CalibrationSteps { height: auto; }"

    def show(self, state: LiveState, residual_deg: float | None) -> None:
        text = Text()
        for k, (mark, words, style) in enumerate(step_lines(state, residual_deg)):
            text.append(("\n" if k else "") + f"{mark} {words}", style)
        self.show_content(text)
