"""What a live recording reports as it happens: calibration steps, holds, reps and sets.

Plain frozen dataclasses, so a CLI can print them and a screen can post them as they are.
time_s is always data time (since the first sample) at which the event became known.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.calibration import Calibration
from analysis.events import HoldEvent, RepEvent, SetEvent


@dataclass(frozen=True, slots=True)
class StoodStill:
    time_s: float


@dataclass(frozen=True, slots=True)
class SwingSeen:
    time_s: float
    count: int


@dataclass(frozen=True, slots=True)
class Calibrated:
    time_s: float
    calibration: Calibration
    residual_deg: float
    """See alignment_residual_deg."""


@dataclass(frozen=True, slots=True)
class CalibrationFailed:
    time_s: float
    problem: str


@dataclass(frozen=True, slots=True)
class HoldStarted:
    time_s: float
    start_s: float
    motion: str
    angle_deg: float


@dataclass(frozen=True, slots=True)
class HoldEnded:
    time_s: float
    hold: HoldEvent


@dataclass(frozen=True, slots=True)
class RepCounted:
    time_s: float
    rep: RepEvent
    number: int
    """1-based, over the whole session."""
    set_number: int
    """1-based set the rep belongs to."""


@dataclass(frozen=True, slots=True)
class SetEnded:
    time_s: float
    set: SetEvent
    index: int
    """0-based, as the storage's set_index."""


@dataclass(frozen=True, slots=True)
class PelvisMoved:
    """A rep or hold during which the measured pelvis moved more than the compensation threshold."""

    time_s: float
    of: str
    """'rep' or 'hold'."""
    moved_deg: float
    """The largest of its tilt, obliquity and rotation range."""
    plane: str
    """Which of 'tilt', 'obliquity', 'rotation' that was."""


LiveEvent = (StoodStill | SwingSeen | Calibrated | CalibrationFailed | HoldStarted | HoldEnded | RepCounted | SetEnded
             | PelvisMoved)
"""time_s of every event is the data time (since the first sample) at which it became known."""
