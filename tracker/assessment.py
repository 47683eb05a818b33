"""Run the hip analysis on a recording of a catalogue exercise.

The maths is in analysis/ (pure); this module picks the exercise facts from the catalogue and puts
the samples on a uniform grid when they are not. The typed result (`Assessment.session_result`)
is what storage, reports and the dashboard take; JSON is made only at the edges (tracker.result_json).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
from numpy.typing import NDArray

from analysis.pipeline import PelvisSamples, ThighAnalysis, analyze_thigh
from analysis.plausibility import plausibility_warnings
from analysis.resample import is_uniform, resample, uniform_grid
from analysis.results import ALGORITHM_VERSION, CalibrationOutcome, RideResult, SessionResult, SideDifference
from analysis.ride import ride_asymmetry
from analysis.vocabulary import Side
from sensors.samples import ImuSamples
from tracker import catalog


@dataclass(frozen=True, slots=True)
class Assessment:
    exercise_id: str
    side: Side
    result: ThighAnalysis
    other: ThighAnalysis | None = None
    """The other thigh, when both were instrumented (rides: left/right asymmetry)."""
    algorithm_version: str = ALGORITHM_VERSION

    @property
    def calibrated(self) -> bool:
        return self.result.calibration is not None

    def session_result(self) -> SessionResult:
        """The typed result to store, print or serialise (no arrays)."""
        return summarize(self.result, self.exercise_id, self.other)


PELVIS_COVER_S = 0.5
"""The pelvis recording may start or end this much inside the thigh's (sensors start a moment apart)."""


class PelvisCoverageError(ValueError):
    """The pelvis recording does not cover the thigh's: interpolating past its ends would invent a still pelvis."""


def assess(samples: ImuSamples, exercise_id: str, side: Side, other_thigh: ImuSamples | None = None,
           pelvis: ImuSamples | None = None) -> Assessment:
    """Analyse a thigh stream (sensor frame, SI units) for an exercise of the catalogue.

    other_thigh: the other leg's stream, if it was instrumented too; it is analysed the same way
    (its own calibration) and rides report the left/right asymmetry.
    pelvis: a sacrum sensor on the same time base; hip angles are then against the measured pelvis
    (raises PelvisCoverageError when it does not span the thigh's recording).
    """
    exercise = catalog.get(exercise_id)
    if pelvis is not None and (problem := pelvis_coverage_problem(samples, pelvis)) is not None:
        raise PelvisCoverageError(problem)
    start_s = float(samples.time_s[0]) if len(samples) else 0.0
    result = _analyse_one(samples, exercise, side, start_s, pelvis)
    other = None
    if other_thigh is not None:
        other = _analyse_one(other_thigh, exercise, side.other, start_s)
    return Assessment(exercise_id, side, result, other)


def _analyse_one(samples: ImuSamples, exercise: catalog.Exercise, side: Side, start_s: float,
                 pelvis: ImuSamples | None = None) -> ThighAnalysis:
    """Times in results count from the recording's first sample (live recordings use the host clock)."""
    time_s = samples.time_s if start_s == 0.0 else samples.time_s - start_s     # no copy of a day's times if not needed
    # Values in float32 whatever the source (a file read compact, stored chunks, a live recording), so one
    # recording gives one result: `analyze` of the file and `show` after `import` agree to the last digit.
    acc, gyr = _float32(samples.acc_mps2), _float32(samples.gyr_radps)
    mag = None if samples.mag_ut is None else _float32(samples.mag_ut)
    if len(samples) > 1 and not is_uniform(time_s):
        grid = uniform_grid(time_s)
        mag = None if mag is None else resample(time_s, mag, grid)
        acc, gyr, time_s = resample(time_s, acc, grid), resample(time_s, gyr, grid), grid
    on_grid = None if pelvis is None else _pelvis_on(time_s, pelvis, start_s)
    return analyze_thigh(time_s, acc, gyr, side, exercise.primary_motion, exercise.posture, exercise.counting,
                         mag=mag, pelvis=on_grid)


def _float32(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """The values as float32 (no copy if they are), behind the float64 alias the analysis is typed with:
    every stage takes either, and float32's 1e-7 rounding is far below any IMU's noise."""
    return cast(NDArray[np.float64], np.asarray(values, np.float32))


def pelvis_coverage_problem(thigh: ImuSamples, pelvis: ImuSamples) -> str | None:
    """Why a pelvis recording cannot go with a thigh recording (None: it can): it must span it."""
    if len(pelvis) < 2:
        return "the pelvis recording has fewer than two samples"
    if len(thigh) < 2:
        return None
    p0, p1, t0, t1 = (float(v) for v in (pelvis.time_s[0], pelvis.time_s[-1], thigh.time_s[0], thigh.time_s[-1]))
    if p0 > t0 + PELVIS_COVER_S or p1 < t1 - PELVIS_COVER_S:
        return (f"the pelvis recording spans {p0:.1f}–{p1:.1f} s but the thigh's {t0:.1f}–{t1:.1f} s; "
                "both must be recorded together on the same time base")
    return None


def _pelvis_on(time_s: NDArray[np.float64], pelvis: ImuSamples, start_s: float) -> PelvisSamples:
    """The pelvis samples interpolated onto the thigh's grid (same time base, SPEC §4)."""
    p_time = pelvis.time_s - start_s
    return PelvisSamples(resample(p_time, pelvis.acc_mps2, time_s), resample(p_time, pelvis.gyr_radps, time_s))


def summarize(analysis: ThighAnalysis, exercise: str, other: ThighAnalysis | None = None) -> SessionResult:
    """The storable result of a thigh analysis (other: the other thigh's, for ride asymmetry)."""
    side = Side(analysis.side)
    c = analysis.calibration
    p = analysis.pelvis_calibration
    calibration = CalibrationOutcome(problem=analysis.calibration_problem or "no calibration found") if c is None \
        else CalibrationOutcome(c.start_s, c.end_s, _wxyz(c.q_sensor_to_thigh_wxyz), float(c.planarity),
                                q_sensor_to_pelvis_wxyz=None if p is None else _wxyz(p.q_sensor_to_pelvis_wxyz))
    warnings = () if analysis.pelvis_problem is None else (
        f"pelvis sensor not used ({analysis.pelvis_problem}); the pelvis was assumed still",)
    ride = None
    if analysis.ride is not None:
        ride = RideResult.from_metrics(analysis.ride, _asymmetry(analysis, other, side))
    return SessionResult(side, exercise, analysis.duration_s, calibration, analysis.peaks, analysis.holds,
                         analysis.reps, analysis.sets, ride, warnings=warnings + _warnings(analysis, exercise),
                         confidence=analysis.confidence, orientation_source=analysis.orientation_source,
                         pelvis=analysis.pelvis_range)


def _warnings(analysis: ThighAnalysis, exercise_id: str) -> tuple[str, ...]:
    """The side or exercise looks wrong (analysis.plausibility); nothing to say without a calibration."""
    if analysis.calibration is None:
        return ()
    exercise = catalog.get(exercise_id)
    return plausibility_warnings(exercise.primary_motion, exercise.counting, analysis.peaks,
                                 analysis.duration_s - analysis.calibration.end_s, len(analysis.reps),
                                 len(analysis.holds), len(analysis.ride.revolutions) if analysis.ride else 0)


def _asymmetry(analysis: ThighAnalysis, other: ThighAnalysis | None, side: Side) -> dict[str, SideDifference] | None:
    ride, other_ride = analysis.ride, other.ride if other is not None else None
    if ride is None or other_ride is None or not len(ride.revolutions) or not len(other_ride.revolutions):
        return None
    left, right = (ride, other_ride) if side is Side.LEFT else (other_ride, ride)
    return {k: SideDifference(v["left"], v["right"]) for k, v in ride_asymmetry(left, right).items()}


def _wxyz(quat: NDArray[np.float64]) -> tuple[float, float, float, float]:
    w, x, y, z = (float(v) for v in quat)
    return (w, x, y, z)


def angles_table(assessment: Assessment) -> np.ndarray:
    """(N, 4) time, flexion, abduction, rotation for `--angles OUT.csv`."""
    angles = assessment.result.angles
    if angles is None:
        return np.zeros((0, 4))
    return np.column_stack([angles.time_s, angles.angles_deg])
