"""Calibration is found without marks, for any strap orientation, and its absence is explained."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from analysis.calibration import CalibrationNotFoundError, find_calibration
from analysis.orientation import estimate_orientation
from sensors.simulator import SimOptions, simulate_session


def _find(sim):
    thigh = sim.thigh
    quat = estimate_orientation(thigh.gyr_radps, thigh.acc_mps2, sim.rate_hz)
    return find_calibration(thigh.time_s, thigh.gyr_radps, thigh.acc_mps2, quat, sim.rate_hz)


@pytest.mark.parametrize("seed", range(8000, 8006))
def test_any_strap_orientation_is_recovered(seed: int) -> None:
    side = "left" if seed % 2 else "right"
    sim = simulate_session("seated_hip_flexion_hold", side, seed)
    calibration = _find(sim)
    truth = Rotation.from_quat(sim.truth.q_sensor_to_thigh_wxyz[[1, 2, 3, 0]])
    error_deg = np.degrees((calibration.sensor_to_thigh * truth.inv()).magnitude())
    assert error_deg < 2.0
    start, end = sim.truth.calibration_s
    assert calibration.start_s == pytest.approx(start, abs=0.5)
    assert calibration.end_s == pytest.approx(end, abs=1.0)
    assert calibration.swings == 3


@pytest.mark.parametrize(("exercise", "options", "message"), [
    ("seated_hip_internal_rotation", SimOptions(calibration_swings=0), "did not come back to the standing"),
    ("ride", SimOptions(calibration_still_s=0, calibration_swings=0), "standing|lasts over"),
    ("hamstring_strap_stretch", SimOptions(calibration_still_s=0), "standing"),
])
def test_missing_parts_of_the_protocol_are_named(exercise: str, options: SimOptions, message: str) -> None:
    with pytest.raises(CalibrationNotFoundError, match=message):
        _find(simulate_session(exercise, "left", 5, options))


def test_too_short_a_recording_is_named() -> None:
    sim = simulate_session("couch_stretch", "left", 5)
    short = sim.thigh.slice(0, 500)
    quat = estimate_orientation(short.gyr_radps, short.acc_mps2, 100.0)
    with pytest.raises(CalibrationNotFoundError, match=r"only 5\.0 s long"):
        find_calibration(short.time_s, short.gyr_radps, short.acc_mps2, quat, 100.0)
