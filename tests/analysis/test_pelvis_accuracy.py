"""Hip angles against a measured pelvis, compensation flags and pelvic rocking, against the simulator's truth.

The simulated pelvis hitches, rolls or tilts by 3–12° along with the leg in half of the reps and
rocks once per crank revolution on the bike; its sensor sits on the sacrum turned any way about
its face normal. Seeds here were not used to tune anything.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from analysis.orientation import estimate_orientation
from analysis.pelvis import PelvisCalibrationError, calibrate_pelvis
from benchmarks.pelvis_accuracy import analyse, rotation_rmse
from sensors.samples import Placement
from sensors.simulator import SimOptions, simulate_session
from sensors.simulator.exercises import Dose

COMPENSATING = SimOptions(with_pelvis=True, pelvis_compensation_deg=(3.0, 12.0), dose=Dose(sets=1, reps=6))
SEEDS = (9101, 9102, 9103)


@pytest.mark.parametrize("exercise", ["seated_hip_internal_rotation", "ninety_ninety_transitions"])
def test_hip_rotation_against_the_measured_pelvis_and_compensated_reps_flagged(exercise: str) -> None:
    measured, thigh_only, right, total = [], [], 0, 0
    for seed in SEEDS:
        sim = simulate_session(exercise, ("left", "right")[seed % 2], seed, COMPENSATING)
        result = analyse(sim)
        assert result.pelvis_problem is None and result.pelvis_range is not None
        measured.append(rotation_rmse(sim, result))
        thigh_only.append(rotation_rmse(sim, analyse(sim, with_pelvis=False)))
        for rep, compensation in zip(sim.truth.reps, sim.truth.compensation_deg, strict=True):
            found = [r for r in result.reps if r.start_s < rep.end_s and r.end_s > rep.start_s]
            total += 1
            right += bool(found) and found[0].compensated == (compensation > 0)
            held = [h for h in result.holds if rep.start_s < h.start_s < rep.end_s]     # reached the same way
            total += len(held)
            right += sum(h.compensated == (compensation > 0) for h in held)
    assert max(measured) <= 3.0, f"hip rotation RMSE against the measured pelvis {np.round(measured, 2)}°"
    assert min(thigh_only) >= max(measured) + 1.0, (
        f"the thigh-only angle should be off by the pelvic motion: {np.round(thigh_only, 2)}° "
        f"vs {np.round(measured, 2)}°")
    assert right >= 0.95 * total, f"compensation flags right on {right} of {total} reps and holds"
    assert sum(c > 0 for c in sim.truth.compensation_deg) == len(sim.truth.reps) // 2     # half of them compensated


def test_ride_pelvic_obliquity_range_per_stroke_matches_the_truth() -> None:
    options = SimOptions(with_pelvis=True, pelvis_rocking_deg=(2.0, 10.0), dose=Dose(ride_s=60.0))
    for seed in SEEDS:
        sim = simulate_session("ride", ("left", "right")[seed % 2], seed, options)
        result = analyse(sim)
        assert result.ride is not None
        truth = sim.truth
        assert truth.pelvis_angles_deg is not None
        obliquity, tilt = [], []
        for cycle in truth.cycles:
            peaks = np.searchsorted(truth.time_s, cycle.peaks_s)
            obliquity += [np.ptp(truth.pelvis_angles_deg[a:b, 1]) for a, b in pairwise(peaks)]
            tilt += [np.ptp(truth.pelvis_angles_deg[a:b, 0]) for a, b in pairwise(peaks)]
        summary = result.ride.summary
        assert summary["pelvis_obliquity_range_deg"] == pytest.approx(np.mean(obliquity), abs=1.5)
        assert summary["pelvis_tilt_range_deg"] == pytest.approx(np.mean(tilt), abs=1.5)
        assert np.isfinite(summary["pelvis_obliquity_range_drift_deg"])


def test_without_a_pelvis_sensor_nothing_about_the_pelvis_is_claimed() -> None:
    sim = simulate_session("seated_hip_internal_rotation", "right", 9104, SimOptions(with_pelvis=True))
    result = analyse(sim, with_pelvis=False)
    assert result.pelvis_angles is None and result.pelvis_range is None
    assert result.reps and all(r.pelvis_deg is None and r.compensated is None for r in result.reps)
    assert "pelvis_sensor" not in result.orientation_source


def test_a_still_pelvis_flags_no_rep() -> None:
    sim = simulate_session("seated_hip_flexion_hold", "left", 9105, SimOptions(with_pelvis=True))
    result = analyse(sim)
    assert result.reps and not any(r.compensated for r in result.reps)
    assert result.holds and not any(h.compensated for h in result.holds)


def test_a_pelvis_sensor_not_flat_on_the_sacrum_is_refused_with_the_reason() -> None:
    sim = simulate_session("seated_hip_internal_rotation", "right", 9106, SimOptions(with_pelvis=True))
    result = analyse(sim)
    assert result.calibration is not None
    pelvis = sim.streams[Placement.PELVIS]
    up = pelvis.acc_mps2[:100].mean(axis=0)
    lying_flat, _ = Rotation.align_vectors([[0.0, 0.0, 1.0]], [up])     # the face turned up, as if on a shelf
    acc, gyr = lying_flat.apply(pelvis.acc_mps2), lying_flat.apply(pelvis.gyr_radps)
    quat = estimate_orientation(gyr, acc, sim.rate_hz)
    with pytest.raises(PelvisCalibrationError, match="flat on the sacrum"):
        calibrate_pelvis(pelvis.time_s, acc, quat, result.calibration)
