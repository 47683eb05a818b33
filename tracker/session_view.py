"""A stored session ready to look at: decimated angle traces with its holds and reps, ride strokes over time.

Why a use case of its own: the stored results say *what* happened, but drawing it needs the angles,
which are not stored — they are recomputed from the raw samples (the same assessment the results
came from). That is I/O plus seconds of maths on a long ride, so front ends call this in a worker,
and get back at most a few thousand points whatever the recording's length.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from analysis.results import SessionResult
from analysis.vocabulary import AXIS_NAMES, Motion
from tracker import catalog
from tracker.domain import PainEntry, SessionSummary
from tracker.services import Services, analysis_streams, pelvis_stream, session_result

if TYPE_CHECKING:
    from analysis.ride import Revolutions
    from tracker.assessment import Assessment

FloatArray = NDArray[np.float64]

MAX_TRACE_POINTS = 2000
"""Enough for a 300-column chart at braille resolution (2 dots a cell), small enough to redraw at once."""

ANGLE_NAMES = AXIS_NAMES


@dataclass(frozen=True, slots=True)
class AngleTraces:
    time_s: FloatArray
    """(M,) seconds from the recording's first sample."""
    angles_deg: FloatArray
    """(M, 3) flexion, abduction, internal rotation (SPEC §2 signs)."""


@dataclass(frozen=True, slots=True)
class MarkedEvent:
    """A hold or a rep, placed on the trace."""

    kind: str
    """'hold' or 'rep'."""
    motion: str
    start_s: float
    end_s: float
    angle_deg: float
    """Hold: mean angle; rep: signed peak angle."""
    at_s: float
    """Where to put the marker: a rep's peak time, a hold's middle."""


@dataclass(frozen=True, slots=True)
class StrokeSeries:
    """Per pedal stroke over the ride (decimated by averaging neighbouring strokes)."""

    time_s: FloatArray
    cadence_rpm: FloatArray
    range_deg: FloatArray
    """Thigh flexion range of the stroke (highest minus lowest)."""


@dataclass(frozen=True, slots=True)
class SessionView:
    summary: SessionSummary
    primary_motion: Motion
    primary_column: int
    """Which column of the traces the exercise is about (0 flexion, 1 abduction, 2 rotation)."""
    result: SessionResult | None
    """The analysis of this session (the stored one when the thigh stream has no samples to re-run)."""
    traces: AngleTraces | None
    events: tuple[MarkedEvent, ...]
    strokes: StrokeSeries | None
    pain: tuple[PainEntry, ...]
    problem: str | None
    """Why there are no traces (no samples, no calibration), else None."""


def load_session_view(services: Services, session_id: int, max_points: int = MAX_TRACE_POINTS) -> SessionView:
    """Load a session's samples, re-run its assessment and shape what a detail view draws."""
    with services.store.read() as stored:             # one snapshot: the summary, pain and samples agree
        summary = stored.sessions.get(session_id)
        pain = tuple(stored.pain.entries(session_id))
        thigh, other = analysis_streams(summary)
        samples = stored.sessions.samples(thigh.id) if thigh is not None else None
        other_samples = stored.sessions.samples(other.id) if other is not None else None
        pelvis = pelvis_stream(summary)
        pelvis_samples = stored.sessions.samples(pelvis.id) if pelvis is not None else None
    exercise = catalog.get(summary.exercise)
    from tracker.assessment import assess  # the analysis stack loads in the worker that needs it, not at start-up

    motion = exercise.primary_motion
    column = int(motion.facts.axis)
    if samples is None:                    # e.g. results kept from elsewhere: show them, with nothing to draw
        return SessionView(summary, motion, column, session_result(services, session_id), None, (), None, pain,
                           "no samples from the thigh sensor")
    assessment = assess(samples, summary.exercise, summary.side, other_samples, pelvis_samples)
    result = assessment.result
    if result.angles is None:
        return SessionView(summary, motion, column, assessment.session_result(), None, (), None, pain,
                           f"no calibration found: {result.calibration_problem}")
    time_s, angles_deg = result.angles.time_s, result.angles.angles_deg
    keep = envelope_indices(angles_deg[:, column], max_points)
    return SessionView(summary, motion, column, assessment.session_result(),
                       AngleTraces(time_s[keep], angles_deg[keep]), _events(assessment, column), _strokes(
                           result.ride.revolutions if result.ride is not None else None, max_points // 2), pain, None)


def envelope_indices(values: FloatArray, max_points: int) -> NDArray[np.intp]:
    """Indices keeping each bucket's lowest and highest sample, in time order (≤ max_points of them).

    Why not every k-th sample: a 2-hour ride at 100 Hz has 720 000 samples; striding would drop the
    very peaks the chart is for, while a min/max envelope keeps every extreme the screen can show.
    """
    n = len(values)
    if n <= max_points:
        return np.arange(n)
    buckets = max(max_points // 2, 1)
    edges = np.linspace(0, n, buckets + 1).astype(np.intp)
    starts = edges[:-1]
    lows = np.array([a + int(np.argmin(values[a:b])) for a, b in zip(starts, edges[1:], strict=True)])
    highs = np.array([a + int(np.argmax(values[a:b])) for a, b in zip(starts, edges[1:], strict=True)])
    return np.unique(np.concatenate([lows, highs]))


def _events(assessment: Assessment, column: int) -> tuple[MarkedEvent, ...]:
    result = assessment.result
    assert result.angles is not None
    time_s, primary = result.angles.time_s, result.angles.angles_deg[:, column]
    holds = [MarkedEvent("hold", h.motion, h.start_s, h.end_s, h.angle_deg, (h.start_s + h.end_s) / 2)
             for h in result.holds]
    reps = [MarkedEvent("rep", r.motion, r.start_s, r.end_s, r.peak_deg, _peak_time(time_s, primary, r.start_s,
                                                                                    r.end_s, r.peak_deg))
            for r in result.reps]
    return tuple(sorted(holds + reps, key=lambda e: (e.start_s, e.kind)))


def _peak_time(time_s: FloatArray, values: FloatArray, start_s: float, end_s: float, peak_deg: float) -> float:
    """When, within the rep, the angle came closest to its peak."""
    a, b = np.searchsorted(time_s, [start_s, end_s])
    if b <= a:
        return (start_s + end_s) / 2
    return float(time_s[a + int(np.argmin(np.abs(values[a:b] - peak_deg)))])


def _strokes(revolutions: Revolutions | None, max_points: int) -> StrokeSeries | None:
    if revolutions is None or len(revolutions) == 0:
        return None
    time_s = (revolutions.start_s + revolutions.end_s) / 2
    stroke_range = revolutions.flexion_range_deg
    group = int(np.ceil(len(time_s) / max(max_points, 1)))
    if group <= 1:
        return StrokeSeries(time_s, revolutions.cadence_rpm, stroke_range)
    return StrokeSeries(_mean_groups(time_s, group), _mean_groups(revolutions.cadence_rpm, group),
                        _mean_groups(stroke_range, group))


def _mean_groups(values: FloatArray, group: int) -> FloatArray:
    """Means of consecutive groups of `group` values (the last group may be shorter)."""
    starts = np.arange(0, len(values), group)
    return np.add.reduceat(values, starts) / np.diff(np.append(starts, len(values)))
