"""What an analysed session is, once the arrays are gone: the typed result that storage keeps,
reports print, the dashboard draws and the JSON edges (SPEC §5) serialise.

Why one shape end to end: a result that travels as a dict of strings is parsed again by every
reader and quietly loses what one of them forgot (hold stability once vanished on its way into
the database). Every field here is stored and read back, so a stored session says exactly what
the analysis said.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from analysis.peaks import Peaks
from analysis.vocabulary import Side

if TYPE_CHECKING:
    from analysis.ride_result import RIDE_SCALARS, RideResult, SideDifference

ALGORITHM_VERSION = "5"
"""Bumped when a change to the analysis changes results, so stored sessions can be told apart.
2: a recorded pelvis sensor is used (hip angles against the measured pelvis); sessions without one
analyse as in 1.
3: the stated ± of abduction and rotation (confidence) adds a floor for error that is not heading
drift, and 'high' goes up to ±2.5°; rest headings come from the thigh's long axis (raised-leg poses'
abduction and rotation), slow approaches' hold edges from a fitted tail, and on rides the magnetometer
only bounds drift where the pedalling axis is not seen.
4: cyclic exercises: a set's first or last swing, with no trough within a period on one side, ends
there where the leg stops, so a set that settles before going back to neutral counts no extra cycle;
a slow approach's hold start is fitted even when its rep was found to begin late in the approach (the
tail fit looks back 5 s from the hold, not 1 s from the rep's start; it fell back to the crossing).
5: with a pelvis sensor, rests (events' neutral, the relative drift fit) are found on the hip angles
against the measured pelvis with the pelvis in the posture, and events stop where it leaves the
posture after the last rest (lying back under a still thigh was a rest: supine holds were lost);
sessions without one analyse as in 4."""

Span = tuple[float, float]
"""(start_s, end_s) of a stretch of time."""


@dataclass(frozen=True, slots=True)
class MotionConfidence:
    """How far one angle can be trusted (analysis.confidence models it); here so a stored result reads
    without NumPy."""

    level: str
    """'high', 'medium' or 'low'."""
    heading_uncertainty_deg: float
    """The stated ± (0 for flexion): the 95th percentile, over the exercise, of the modelled pelvis
    heading error, with a floor for error heading does not explain (strap, calibration) in quadrature.
    The name is the stored contract's (SPEC): results stored before the floor hold heading alone."""


@dataclass(frozen=True, slots=True)
class PelvisMotion:
    """How far the pelvis moved (max − min, degrees) in each plane during a rep, a hold or a session."""

    tilt_deg: float
    obliquity_deg: float
    rotation_deg: float

    @property
    def largest_deg(self) -> float:
        return max(self.tilt_deg, self.obliquity_deg, self.rotation_deg)


@dataclass(frozen=True, slots=True)
class HoldEvent:
    """A stretch of a rep where the angle stays still away from neutral (analysis.events)."""

    motion: str
    start_s: float
    end_s: float
    angle_deg: float
    """Mean signed angle during the hold (SPEC §2 signs)."""
    stability_deg: float
    """Standard deviation of the angle during the hold."""
    pelvis_deg: PelvisMotion | None = None
    """How far the measured pelvis moved during the hold (None: no pelvis sensor)."""
    compensated: bool | None = None
    """The pelvis moved more than the compensation threshold (None: no pelvis sensor)."""

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True, slots=True)
class RepEvent:
    """One excursion from neutral and back (a cycle, in cyclic exercises)."""

    motion: str
    start_s: float
    end_s: float
    peak_deg: float
    pelvis_deg: PelvisMotion | None = None
    """How far the measured pelvis moved during the rep (None: no pelvis sensor)."""
    compensated: bool | None = None


@dataclass(frozen=True, slots=True)
class SetEvent:
    """Reps grouped between rests."""

    start_s: float
    end_s: float
    reps: int


@dataclass(frozen=True, slots=True)
class CalibrationOutcome:
    """Where the calibration was found and the strap alignment it gave, or why none was found."""

    start_s: float | None = None
    end_s: float | None = None
    q_sensor_to_thigh_wxyz: tuple[float, float, float, float] | None = None
    planarity: float | None = None
    """How planar the calibration swings were (1 = a clean forward swing)."""
    problem: str | None = None
    q_sensor_to_pelvis_wxyz: tuple[float, float, float, float] | None = None
    """The sacrum sensor's alignment, when a pelvis sensor was calibrated in the same stand."""

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True, slots=True)
class SessionResult:
    """One analysed recording (SPEC §5): everything the analysis says, nothing that needs the samples."""

    side: Side
    exercise: str
    duration_s: float
    calibration: CalibrationOutcome
    peaks: Peaks | None = None
    holds: tuple[HoldEvent, ...] = ()
    reps: tuple[RepEvent, ...] = ()
    sets: tuple[SetEvent, ...] = ()
    ride: RideResult | None = None
    algorithm_version: str = ALGORITHM_VERSION
    warnings: tuple[str, ...] = field(default=())
    """Things a reader should know before trusting the numbers."""
    confidence: Mapping[str, MotionConfidence] | None = None
    """Per angle ('flexion', 'abduction', 'rotation'): how well the heading it needs was observed."""
    orientation_source: tuple[str, ...] = ()
    """'6d' and what fixed the heading: 'rests', 'pedalling_axis' (SPEC §5)."""
    pelvis: PelvisMotion | None = None
    """Range of the measured pelvis's tilt, obliquity and rotation during the exercise; None when the
    pelvis was assumed still in the posture's pose (no pelvis sensor)."""

    @property
    def calibrated(self) -> bool:
        return self.calibration.ok

    @classmethod
    def not_analysable(cls, side: Side, exercise: str, duration_s: float, problem: str) -> SessionResult:
        """A session with nothing to analyse (e.g. no samples from the thigh), and why."""
        return cls(side, exercise, duration_s, CalibrationOutcome(problem=problem))


_RIDE_NAMES = ("RIDE_SCALARS", "RideResult", "SideDifference")
"""Defined in analysis.ride_result and loaded on first use (PEP 562).

Why: defining a frozen slotted dataclass costs Python about as much as compiling a small query (it compiles
each generated method), the ride's most of all; `hiptrack show` of a stretch or a hold never needs it.
"""


def __getattr__(name: str) -> object:
    if name not in _RIDE_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from analysis import ride_result

    value = getattr(ride_result, name)
    globals()[name] = value
    return value


__all__ = ["ALGORITHM_VERSION", "RIDE_SCALARS", "CalibrationOutcome", "HoldEvent", "MotionConfidence", "PelvisMotion",
           "RepEvent", "RideResult", "SessionResult", "SetEvent", "SideDifference", "Span"]
