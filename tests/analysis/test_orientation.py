"""Orientation wrapper: unit quaternions, live equals causal batch, tilt matches the truth."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from analysis.frames import rotation_from_wxyz
from analysis.orientation import LiveOrientation, estimate_orientation
from sensors.simulator import simulate_session


@settings(max_examples=30, deadline=None)
@given(gyr=hnp.arrays(np.float64, (50, 3), elements=st.floats(-20, 20)),
       acc=hnp.arrays(np.float64, (50, 3), elements=st.floats(-60, 60)), offline=st.booleans())
def test_quaternions_are_unit_whatever_the_input(gyr: np.ndarray, acc: np.ndarray, offline: bool) -> None:
    quat = estimate_orientation(gyr, acc, 100.0, offline=offline)
    assert quat.shape == (50, 4)
    np.testing.assert_allclose(np.linalg.norm(quat, axis=1), 1.0, atol=1e-9)


def test_live_blocks_equal_the_causal_batch() -> None:
    thigh = simulate_session("banded_hip_flexion_march", "left", 3).thigh
    batch = estimate_orientation(thigh.gyr_radps, thigh.acc_mps2, 100.0, offline=False)
    live = LiveOrientation(100.0)
    blocks = [live.update(thigh.gyr_radps[i:i + 7], thigh.acc_mps2[i:i + 7]) for i in range(0, len(thigh), 7)]
    np.testing.assert_allclose(np.concatenate(blocks), batch, atol=1e-12)


def test_tilt_follows_the_true_orientation() -> None:
    sim = simulate_session("seated_hip_internal_rotation", "right", 4)
    quat = estimate_orientation(sim.thigh.gyr_radps, sim.thigh.acc_mps2, 100.0)
    up_est = rotation_from_wxyz(quat).inv().apply([0, 0, 1])
    up_true = rotation_from_wxyz(sim.truth.thigh.q_sensor_to_earth_wxyz).inv().apply([0, 0, 1])
    tilt_error = np.degrees(np.arccos(np.clip(np.sum(up_est * up_true, axis=1), -1, 1)))
    assert np.sqrt(np.mean(tilt_error**2)) < 1.0
    assert np.percentile(tilt_error, 99) < 2.0


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="shape"):
        estimate_orientation(np.zeros((5, 2)), np.zeros((5, 3)), 100.0)
    with pytest.raises(ValueError, match="NaN"):
        estimate_orientation(np.full((5, 3), np.nan), np.zeros((5, 3)), 100.0)
