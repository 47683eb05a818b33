"""The simulator is only useful as ground truth if its physics is right: check it from first principles."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from sensors.simulator import EXERCISE_SCRIPTS, Dose, ImuErrors, SimOptions, simulate_session
from sensors.simulator.body import hip_rotation
from sensors.simulator.imu_model import GRAVITY_MPS2

CLEAN = SimOptions(errors=ImuErrors.none(), dose=Dose(sets=1, reps=3, hold_s=8.0, ride_s=30.0))


def _rot(q_wxyz: np.ndarray) -> Rotation:
    return Rotation.from_quat(q_wxyz[..., [1, 2, 3, 0]])


@pytest.mark.parametrize("exercise", ["seated_hip_internal_rotation", "single_leg_circles", "ride"])
def test_gyro_integrates_back_to_the_orientation(exercise: str) -> None:
    sim = simulate_session(exercise, "left", seed=3, options=CLEAN)
    truth = sim.truth.thigh
    dt = 1.0 / sim.rate_hz
    gyr = sim.thigh.gyr_radps
    # Trapezoidal rate over each step, composed on the right (body-frame rates).
    steps = Rotation.from_rotvec(0.5 * (gyr[:-1] + gyr[1:]) * dt)
    q = _rot(truth.q_sensor_to_earth_wxyz[0])
    error_deg = []
    for k in range(len(steps)):           # test-only loop: integration is sequential by nature
        q = q * steps[k]
        if k % 50 == 0:
            error_deg.append(np.rad2deg((q.inv() * _rot(truth.q_sensor_to_earth_wxyz[k + 1])).magnitude()))
    assert max(error_deg) < 0.5, f"orientation drifted {max(error_deg):.3f}° over {sim.truth.time_s[-1]:.0f} s"


def test_accelerometer_is_gravity_plus_the_sensors_own_acceleration() -> None:
    sim = simulate_session("banded_hip_flexion_march", "right", seed=5, options=CLEAN)
    truth = sim.truth.thigh
    dt = 1.0 / sim.rate_hz
    # Independent estimate: differentiate the sensor's true path twice, rotate into the sensor frame.
    accel_earth = np.gradient(np.gradient(truth.position_m, dt, axis=0), dt, axis=0)
    expected = _rot(truth.q_sensor_to_earth_wxyz).inv().apply(accel_earth + np.array([0, 0, GRAVITY_MPS2]))
    inner = slice(5, -5)
    residual = np.linalg.norm(sim.thigh.acc_mps2[inner] - expected[inner], axis=1)
    assert np.percentile(residual, 99) < 0.05
    motion = np.linalg.norm(accel_earth[inner], axis=1)
    assert motion.max() > 1.0, "the march should shake the sensor by more than 1 m/s²"


def test_standing_still_measures_only_gravity() -> None:
    sim = simulate_session("standing_hip_abduction_hold", "left", seed=8, options=CLEAN)
    still = sim.truth.time_s < 3.0
    acc = sim.thigh.acc_mps2[still]
    # Sway and tremor are sub-degree and slow: gravity within a few hundredths, rates near zero.
    assert np.allclose(np.linalg.norm(acc, axis=1), GRAVITY_MPS2, atol=0.05)
    assert np.abs(sim.thigh.gyr_radps[still]).max() < np.deg2rad(5)


def test_hip_angle_signs_are_alike_for_both_legs() -> None:
    """SPEC §2: flexion +, abduction +, internal rotation + on either side (ISB pelvis: X fwd, Y up, Z right)."""
    for side, lateral in (("right", 1.0), ("left", -1.0)):
        knee_dir = lambda angles, s=side: hip_rotation(np.array([angles], float), s).apply([0, -1, 0])[0]  # noqa: E731
        foot_fwd = lambda angles, s=side: hip_rotation(np.array([angles], float), s).apply([1, 0, 0])[0]  # noqa: E731
        assert knee_dir([90, 0, 0])[0] == pytest.approx(1.0)                     # flexion: knee forward
        assert np.sign(knee_dir([0, 30, 0])[2]) == lateral                       # abduction: knee outward
        assert np.sign(foot_fwd([0, 0, 30])[2]) == -lateral                      # IR: front of thigh turns in


def test_same_seed_same_data_and_strap_orientation_is_random() -> None:
    a = simulate_session("couch_stretch", "right", seed=21)
    b = simulate_session("couch_stretch", "right", seed=21)
    c = simulate_session("couch_stretch", "right", seed=22)
    np.testing.assert_array_equal(a.thigh.acc_mps2, b.thigh.acc_mps2)
    angle = np.rad2deg((_rot(a.truth.q_sensor_to_thigh_wxyz).inv() * _rot(c.truth.q_sensor_to_thigh_wxyz)).magnitude())
    assert angle > 1.0


def test_sensor_errors_are_present_and_of_the_stated_size() -> None:
    options = SimOptions(dose=Dose(sets=1, reps=2, hold_s=5.0))
    sim = simulate_session("seated_hip_flexion_hold", "left", seed=9, options=options)
    error = sim.thigh.gyr_radps - sim.truth.thigh.gyr_radps
    still = sim.truth.time_s < 3.0
    # During stillness the gyro reads its bias plus noise (scale error × ~0 rate).
    np.testing.assert_allclose(error[still].mean(axis=0), sim.truth.thigh.gyr_bias_radps, atol=np.deg2rad(0.05))
    assert 0.5 * np.deg2rad(0.1) < error[still].std(axis=0).mean() < 2 * np.deg2rad(0.1)
    lsb = 16 * GRAVITY_MPS2 / 32768
    np.testing.assert_allclose(sim.thigh.acc_mps2 / lsb, np.rint(sim.thigh.acc_mps2 / lsb), atol=1e-6)


@pytest.mark.parametrize("exercise", sorted(EXERCISE_SCRIPTS))
def test_every_exercise_has_calibration_and_truth_events(exercise: str) -> None:
    dose = Dose(sets=2, reps=3, hold_s=10.0, ride_s=40.0, cadence_rpm=90.0)
    sim = simulate_session(exercise, "right", seed=1, options=SimOptions(dose=dose))
    truth = sim.truth
    start, end = truth.calibration_s
    assert start == 0.0 and end >= 3.0 + 3 * 2 * 0.9 + 1.0               # SPEC §3: still, 3 swings, still
    calibration = (truth.time_s >= start) & (truth.time_s <= end)
    assert truth.hip_angles_deg[calibration, 0].max() >= 45.0
    assert len(truth.holds) + len(truth.reps) + len(truth.cycles) > 0
    for hold in truth.holds:
        assert hold.duration_s > 1.0
        inside = (truth.time_s >= hold.start_s) & (truth.time_s <= hold.end_s)
        column = {"flexion": 0, "extension": 0, "abduction": 1, "adduction": 1}.get(hold.motion, 2)
        assert np.ptp(truth.hip_angles_deg[inside, column]) < 5.0, "a hold stays within a few degrees"
    for rep in truth.reps:
        assert abs(rep.peak_deg) > 5.0
    assert all(s.reps >= 1 for s in truth.sets)


def test_ride_truth_counts_revolutions_at_the_set_cadence() -> None:
    dose = Dose(ride_s=60.0, cadence_rpm=72.0)
    sim = simulate_session("ride", "left", seed=4, options=SimOptions(dose=dose))
    pedalling = [c for c in sim.truth.cycles if c.motion == "pedalling"]
    assert len(pedalling) == 2
    assert pedalling[0].rate_per_min == pytest.approx(72.0, rel=1e-6)
    assert pedalling[0].cycles == pytest.approx(72.0 * 0.6 * 60.0 / 60.0, rel=1e-6)
    flexion = sim.truth.hip_angles_deg[:, 0]
    inside = (sim.truth.time_s > pedalling[0].start_s) & (sim.truth.time_s < pedalling[0].end_s)
    assert 30.0 < np.ptp(flexion[inside]) < 60.0


def test_real_body_options_sway_holds_and_returns_to_neutral_as_asked() -> None:
    """Issue #12: short holds, short neutral returns and sway while holding; defaults draw nothing new."""
    dose = Dose(sets=1, reps=6, rep_hold_s=(2.0, 3.0), neutral_s=(0.5, 1.0))
    plain = simulate_session("seated_hip_internal_rotation", "left", 7, SimOptions(dose=dose))
    swaying = simulate_session("seated_hip_internal_rotation", "left", 7, SimOptions(dose=dose, hold_sway_deg=0.3))
    holds = plain.truth.holds
    assert len(holds) == 6 and all(1.8 < h.duration_s < 3.3 for h in holds)   # arrival edges: ± a little
    gaps = np.array([b.start_s - a.end_s for a, b in zip(plain.truth.reps, plain.truth.reps[1:], strict=False)])
    assert np.all((gaps >= 0.5) & (gaps <= 1.0))
    # sway is in the true angles (and so in a hold's mean angle), not in the windows the person meant
    assert [(h.start_s, h.end_s) for h in swaying.truth.holds] == [(h.start_s, h.end_s) for h in holds]
    sway = swaying.truth.hip_angles_deg - plain.truth.hip_angles_deg
    inside = (plain.truth.time_s > holds[0].start_s) & (plain.truth.time_s < holds[-1].end_s)
    assert sway[inside].std(axis=0).min() > 0.1 and np.abs(sway[inside]).max() < 2.0
    assert np.all(sway[plain.truth.time_s < plain.truth.exercise_start_s] == 0.0)
    default = simulate_session("seated_hip_internal_rotation", "left", 7)
    assert default.truth.reps == simulate_session("seated_hip_internal_rotation", "left", 7,
                                                  SimOptions(dose=Dose(set_rest_s=12.0))).truth.reps
