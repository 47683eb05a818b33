"""Run the hip analysis on a recording and shape its result as SPEC §5's JSON document.

The maths is in analysis/ (pure); this module picks the exercise facts from the catalogue, puts
the samples on a uniform grid when they are not, and turns results into plain data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.pipeline import ALGORITHM_VERSION, ThighAnalysis, analyze_thigh
from analysis.resample import is_uniform, resample, uniform_grid
from sensors.samples import ImuSamples
from tracker import catalog
from tracker.domain import Side


@dataclass(frozen=True, slots=True)
class Assessment:
    exercise_id: str
    side: Side
    result: ThighAnalysis
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
            "ride": None if r.ride is None else r.ride.to_json(),
            "algorithm_version": self.algorithm_version,
        }


def assess(samples: ImuSamples, exercise_id: str, side: Side) -> Assessment:
    """Analyse one thigh stream (sensor frame, SI units) for an exercise of the catalogue."""
    exercise = catalog.get(exercise_id)
    time_s, acc, gyr = samples.time_s, samples.acc_mps2, samples.gyr_radps
    if len(samples) > 1 and not is_uniform(time_s):
        grid = uniform_grid(time_s)
        acc, gyr, time_s = resample(time_s, acc, grid), resample(time_s, gyr, grid), grid
    result = analyze_thigh(time_s, acc, gyr, side.value, exercise.primary_motion, exercise.posture.value,
                           exercise.counting)
    return Assessment(exercise_id, side, result)


def angles_table(assessment: Assessment) -> np.ndarray:
    """(N, 4) time, flexion, abduction, rotation for `--angles OUT.csv`."""
    angles = assessment.result.angles
    if angles is None:
        return np.zeros((0, 4))
    return np.column_stack([angles.time_s, angles.angles_deg])


def _round(value: float) -> float:
    return round(float(value), 3)
