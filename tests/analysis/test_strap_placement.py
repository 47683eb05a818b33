"""Strap-placement consistency: a strap turned by 20°+ between sessions is noticed, a re-strap within 5° is not.

End to end through the calibration: each simulated session straps the sensors, calibrates in the
stand, and the alignments the analysis found are compared (different seeds: different sessions).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from analysis.placement import STRAP_SHIFT_DEG, strap_shift
from analysis.results import CalibrationOutcome
from analysis.vocabulary import Side
from sensors.samples import Placement
from sensors.simulator import Dose, SimOptions, simulate_session
from tracker.assessment import assess

BASE = Rotation.from_euler("xyz", [20.0, -35.0, 110.0], degrees=True)
"""Where this person's thigh strap usually sits (sensor → thigh)."""


def _calibration(seed: int, thigh_turn_deg: float, pelvis_turn_deg: float) -> CalibrationOutcome:
    turned = Rotation.from_euler("y", thigh_turn_deg, degrees=True) * BASE       # turned around the thigh's long axis
    x, y, z, w = turned.as_quat()
    options = SimOptions(with_pelvis=True, thigh_strap_wxyz=(w, x, y, z), pelvis_strap_turn_deg=40.0 + pelvis_turn_deg,
                         dose=Dose(sets=1, reps=2))
    sim = simulate_session("seated_hip_internal_rotation", "left", seed, options)
    result = assess(sim.thigh, "seated_hip_internal_rotation", Side.LEFT,
                    pelvis=sim.streams[Placement.PELVIS]).session_result()
    assert result.calibration.ok, result.calibration.problem
    return result.calibration


@pytest.fixture(scope="module")
def usual() -> list[CalibrationOutcome]:
    return [_calibration(seed, 0.0, 0.0) for seed in (9301, 9302)]


@pytest.mark.parametrize(("turn_deg", "moved"), [(25.0, True), (-20.0, True), (4.0, False), (0.0, False)])
def test_a_turned_strap_is_noticed_and_a_careful_restrap_is_not(usual: list[CalibrationOutcome], turn_deg: float,
                                                                moved: bool) -> None:
    now = _calibration(9310 + int(turn_deg), turn_deg, turn_deg)
    for segment in ("thigh", "pelvis"):
        previous = [getattr(c, f"q_sensor_to_{segment}_wxyz") for c in usual]
        shift = strap_shift(previous, getattr(now, f"q_sensor_to_{segment}_wxyz"))
        assert shift is not None and shift.compared_with == 2
        assert shift.moved == moved, f"{segment}: {shift.shift_deg:.1f}° after a {turn_deg}° turn"
        assert shift.shift_deg == pytest.approx(abs(turn_deg), abs=min(STRAP_SHIFT_DEG / 2, 5.0))


def test_nothing_to_compare_with_is_no_shift() -> None:
    assert strap_shift([], (1.0, 0.0, 0.0, 0.0)) is None
    same = strap_shift([(1.0, 0.0, 0.0, 0.0)], (np.cos(0.05), 0.0, np.sin(0.05), 0.0))
    assert same is not None and same.shift_deg == pytest.approx(np.degrees(0.1))
