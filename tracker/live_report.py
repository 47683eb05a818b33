"""Words for a live recording: one line per event and a status line, shared by `record --no-tui` and the screen."""

from __future__ import annotations

from analysis.live_analyzer import LiveState
from analysis.live_events import (
    Calibrated,
    CalibrationFailed,
    HoldEnded,
    HoldStarted,
    LiveEvent,
    PelvisMoved,
    RepCounted,
    SetEnded,
    StoodStill,
    SwingSeen,
)
from tracker.report import motion_words

PROTOCOL_SWINGS = 3
"""SPEC §3 asks for three swings (the calibration accepts 2 to 6)."""

ANGLE_NAMES = ("flexion", "abduction", "rotation")
"""The three hip angles in LiveState.angles_deg order (SPEC §2 signs: flexion, abduction, internal rotation +)."""


def describe_event(event: LiveEvent) -> str:
    """One line, as it happens."""
    match event:
        case StoodStill():
            return "stand still… ok"
        case SwingSeen(count=count):
            return f"swing {count}/{max(PROTOCOL_SWINGS, count)}…"
        case Calibrated(calibration=calibration, residual_deg=residual):
            return f"calibrated ({calibration.swings} swings, alignment residual {residual:.1f}°)"
        case CalibrationFailed(problem=problem):
            return f"no calibration: {problem}"
        case HoldStarted(motion=motion, angle_deg=angle):
            return f"hold started at {angle:+.1f}° {motion_words(motion)}"
        case HoldEnded(hold=hold):
            return f"hold {hold.duration_s:.1f} s at {hold.angle_deg:+.1f}° {motion_words(hold.motion)}"
        case RepCounted(rep=rep, number=number, set_number=set_number):
            return f"rep {number} (set {set_number}): {rep.peak_deg:+.1f}° {motion_words(rep.motion)}"
        case SetEnded(set=done, index=index):
            return f"set {index + 1} done: {done.reps} rep{'s' if done.reps != 1 else ''}"
        case PelvisMoved(moved_deg=moved, plane=plane, of=of):
            return f"pelvis moved {moved:.0f}° ({plane}) in that {of}: keep it still"
    raise TypeError(f"not a live event: {event!r}")


def phase_text(state: LiveState) -> str:
    """Where the recording is, in the person's terms."""
    match state.phase:
        case "waiting_still":
            return f"stand upright and still ({state.still_s:.1f} s of 3 s)"
        case "swings":
            return f"swing the leg forward ({state.swings}/{PROTOCOL_SWINGS})"
        case "settling":
            return "stand still again"
        case "uncalibrated":
            return f"no calibration: {state.problem}"
    return "exercising"


def angle_text(state: LiveState) -> str:
    """The exercise's angle first, e.g. 'rotation +33.4° (flexion +85.0°, abduction -1.2°)'."""
    if state.angles_deg is None:
        return phase_text(state)
    first = state.primary_index
    others = ", ".join(f"{ANGLE_NAMES[k]} {state.angles_deg[k]:+.1f}°" for k in range(3) if k != first)
    return f"{ANGLE_NAMES[first]} {state.angles_deg[first]:+.1f}° ({others})"
