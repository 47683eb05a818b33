"""Run the hip analysis on a recording and shape its result as SPEC §5's JSON document.

The maths is in analysis/ (pure); this module picks the exercise facts from the catalogue, puts
the samples on a uniform grid when they are not, and turns results into plain data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.pipeline import ALGORITHM_VERSION, ThighAnalysis, analyze_thigh
from analysis.resample import is_uniform, resample, uniform_grid
from analysis.ride import ride_asymmetry
from sensors.samples import ImuSamples
from tracker import catalog
from tracker.domain import Side


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

    def to_json(self) -> dict[str, object]:
        """SPEC §5 document (keys at least as specified)."""
        r = self.result
        calibration: dict[str, object] = {"ok": r.calibration is not None}
        if r.calibration is not None:
            calibration |= {"start_s": _round(r.calibration.start_s), "end_s": _round(r.calibration.end_s)}
        else:
            calibration["problem"] = r.calibration_problem
        return {
            "side": self.side.value,
            "exercise": self.exercise_id,
            "duration_s": _round(r.duration_s),
            "calibration": calibration,
            "peaks": None if r.peaks is None else {k: _round(v) for k, v in r.peaks.items()},
            "holds": [{"start_s": _round(h.start_s), "end_s": _round(h.end_s), "duration_s": _round(h.duration_s),
                       "angle_deg": _round(h.angle_deg), "stability_deg": _round(h.stability_deg),
                       "motion": h.motion} for h in r.holds],
            "reps": [{"start_s": _round(p.start_s), "end_s": _round(p.end_s), "peak_deg": _round(p.peak_deg),
                      "motion": p.motion} for p in r.reps],
            "sets": [{"start_s": _round(s.start_s), "end_s": _round(s.end_s), "reps": s.reps} for s in r.sets],
            "ride": self._ride_json(),
            "algorithm_version": self.algorithm_version,
        }


    def _ride_json(self) -> dict[str, object] | None:
        ride = self.result.ride
        if ride is None:
            return None
        document = ride.to_json()
        other = self.other.ride if self.other is not None else None
        if other is not None and len(ride.revolutions) and len(other.revolutions):
            left, right = (ride, other) if self.side is Side.LEFT else (other, ride)
            document["asymmetry"] = {k: {name: round(v, 3) for name, v in values.items()}
                                     for k, values in ride_asymmetry(left, right).items()}
        return document


def assess(samples: ImuSamples, exercise_id: str, side: Side, other_thigh: ImuSamples | None = None) -> Assessment:
    """Analyse a thigh stream (sensor frame, SI units) for an exercise of the catalogue.

    other_thigh: the other leg's stream, if it was instrumented too; it is analysed the same way
    (its own calibration) and rides report the left/right asymmetry.
    """
    exercise = catalog.get(exercise_id)
    start_s = float(samples.time_s[0]) if len(samples) else 0.0
    result = _analyse_one(samples, exercise, side, start_s)
    other = None
    if other_thigh is not None:
        other = _analyse_one(other_thigh, exercise, Side.RIGHT if side is Side.LEFT else Side.LEFT, start_s)
    return Assessment(exercise_id, side, result, other)


def _analyse_one(samples: ImuSamples, exercise: catalog.Exercise, side: Side, start_s: float) -> ThighAnalysis:
    """Times in results count from the recording's first sample (live recordings use the host clock)."""
    time_s, acc, gyr = samples.time_s - start_s, samples.acc_mps2, samples.gyr_radps
    if len(samples) > 1 and not is_uniform(time_s):
        grid = uniform_grid(time_s)
        acc, gyr, time_s = resample(time_s, acc, grid), resample(time_s, gyr, grid), grid
    return analyze_thigh(time_s, acc, gyr, side.value, exercise.primary_motion, exercise.posture.value,
                         exercise.counting)


def angles_table(assessment: Assessment) -> np.ndarray:
    """(N, 4) time, flexion, abduction, rotation for `--angles OUT.csv`."""
    angles = assessment.result.angles
    if angles is None:
        return np.zeros((0, 4))
    return np.column_stack([angles.time_s, angles.angles_deg])


def _round(value: float) -> float:
    return round(float(value), 3)
