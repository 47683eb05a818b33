"""Measured-pelvis accuracy on the simulator (README numbers): hip rotation RMSE against the measured
pelvis and thigh-only, compensation flags, ride rocking range. Median / p90 / max over fresh seeds.

    python benchmarks/pelvis_accuracy.py
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from analysis.pipeline import PelvisSamples, ThighAnalysis, analyze_thigh
from sensors.samples import Placement
from sensors.simulator import Dose, SimOptions, SimulatedSession, simulate_session
from tracker import catalog

EXERCISES = ("seated_hip_internal_rotation", "ninety_ninety_transitions", "ninety_ninety_ir_stretch")


def analyse(sim: SimulatedSession, with_pelvis: bool = True) -> ThighAnalysis:
    exercise = catalog.get(sim.exercise_id)
    thigh, pelvis = sim.thigh, sim.streams[Placement.PELVIS]
    return analyze_thigh(thigh.time_s, thigh.acc_mps2, thigh.gyr_radps, sim.side, exercise.primary_motion,
                         exercise.posture.value, exercise.counting,
                         pelvis=PelvisSamples(pelvis.acc_mps2, pelvis.gyr_radps) if with_pelvis else None)


def rotation_rmse(sim: SimulatedSession, result: ThighAnalysis) -> float:
    assert result.angles is not None and result.window_s is not None, result.calibration_problem
    t = sim.truth
    inside = (t.time_s >= result.window_s[0]) & (t.time_s <= result.window_s[1])
    return float(np.sqrt(np.mean((result.angles.rotation_deg[inside] - t.hip_angles_deg[inside, 2]) ** 2)))


def spread(values: list[float]) -> str:
    return f"median {np.median(values):.2f} / p90 {np.percentile(values, 90):.2f} / max {np.max(values):.2f}"


def main() -> None:
    measured, thigh_only, right, total = [], [], 0, 0
    for exercise in EXERCISES:
        for seed in range(500, 508):
            sim = simulate_session(exercise, ("right", "left")[seed % 2], seed,
                                   SimOptions(with_pelvis=True, pelvis_compensation_deg=(3.0, 12.0)))
            result = analyse(sim)
            measured.append(rotation_rmse(sim, result))
            thigh_only.append(rotation_rmse(sim, analyse(sim, with_pelvis=False)))
            for rep, compensation in zip(sim.truth.reps, sim.truth.compensation_deg, strict=True):
                found = [r for r in result.reps if r.start_s < rep.end_s and r.end_s > rep.start_s]
                held = [h for h in result.holds if rep.start_s < h.start_s < rep.end_s]
                total += 1 + len(held)
                right += bool(found) and found[0].compensated == (compensation > 0)
                right += sum(h.compensated == (compensation > 0) for h in held)
    print(f"hip rotation RMSE against the measured pelvis (°): {spread(measured)} ({len(measured)} runs)")
    print(f"hip rotation RMSE thigh only (°):                   {spread(thigh_only)}")
    print(f"compensation flags right: {right} of {total} reps and holds ({100 * right / total:.1f}%)")
    errors = []
    for seed in range(600, 608):
        sim = simulate_session("ride", ("right", "left")[seed % 2], seed,
                               SimOptions(with_pelvis=True, pelvis_rocking_deg=(2.0, 10.0), dose=Dose(ride_s=60.0)))
        ride = analyse(sim).ride
        assert ride is not None and sim.truth.pelvis_angles_deg is not None
        truth = []
        for cycle in sim.truth.cycles:
            peaks = np.searchsorted(sim.truth.time_s, cycle.peaks_s)
            truth += [np.ptp(sim.truth.pelvis_angles_deg[a:b, 1]) for a, b in pairwise(peaks)]
        errors.append(abs(ride.summary["pelvis_obliquity_range_deg"] - float(np.mean(truth))))
    print(f"ride per-stroke obliquity range |error| (°): {spread(errors)} ({len(errors)} runs)")


if __name__ == "__main__":
    main()
