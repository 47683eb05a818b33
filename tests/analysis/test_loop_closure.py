"""Loop closure: a recording that ends standing as it began removes the heading drift left over.

Seated exercises at a gyro bias up to ±2 °/s (the case where drift shows in knee tracking), the
same recording analysed with and without the closure; seeds not tuned on.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.loop_closure import LoopClosureParams, find_loop_closure
from analysis.pipeline import AnalysisParams, analyze_thigh
from benchmarks.accuracy import analyse, score, seated_options
from sensors.simulator import simulate_session
from tracker import catalog

NO_CLOSURE = AnalysisParams(loop_closure=LoopClosureParams(max_drift_deg=-1.0))


@pytest.mark.parametrize(("exercise", "seed"), [("seated_hip_internal_rotation", 9501),
                                                ("seated_hip_flexion_hold", 9502)])
def test_ending_standing_removes_the_drift_rests_leave(exercise: str, seed: int) -> None:
    sim = simulate_session(exercise, ("left", "right")[seed % 2], seed, seated_options(2.0))
    thigh, e = sim.thigh, catalog.get(exercise)
    closed = analyse(sim)
    open_ = analyze_thigh(thigh.time_s, thigh.acc_mps2, thigh.gyr_radps, sim.side, e.primary_motion, e.posture.value,
                          e.counting, NO_CLOSURE)
    assert closed.orientation_source == ("6d", "rests", "loop_closure")
    assert open_.orientation_source == ("6d", "rests")
    with_closure, without = score(sim, closed).rmse_deg, score(sim, open_).rmse_deg
    assert with_closure[0] == pytest.approx(without[0], abs=0.05)                 # flexion needs no heading
    assert with_closure[1] <= 3.0 and with_closure[2] <= 3.0, with_closure
    assert with_closure[1] + with_closure[2] <= without[1] + without[2] + 0.3, (with_closure, without)
    assert len(closed.reps) == len(open_.reps) and len(closed.holds) == len(open_.holds)


def test_no_closure_when_the_recording_does_not_end_standing_or_the_person_turned() -> None:
    sim = simulate_session("seated_hip_internal_rotation", "left", 9503, seated_options(0.5))
    thigh = sim.thigh
    result = analyse(sim)
    assert result.calibration is not None and result.angles is not None
    from analysis.angles import thigh_quaternions
    from analysis.calibration import CalibrationParams, still_mask
    from analysis.orientation import estimate_orientation
    rate = sim.rate_hz
    quat = estimate_orientation(thigh.gyr_radps, thigh.acc_mps2, rate, params=AnalysisParams().vqf)
    femur = thigh_quaternions(quat, result.calibration)
    still = still_mask(thigh.gyr_radps, thigh.acc_mps2, rate, CalibrationParams())
    zero = np.zeros(len(thigh))
    found = find_loop_closure(thigh.time_s, still, femur, result.calibration, zero)
    assert found is not None and abs(np.degrees(found.drift_rad)) < 25.0
    seated_end = int(np.searchsorted(thigh.time_s, sim.truth.time_s[-1] - 8.0))       # stopped before standing up
    assert find_loop_closure(thigh.time_s[:seated_end], still[:seated_end], femur[:seated_end], result.calibration,
                             zero[:seated_end]) is None
    turned = np.full(len(thigh), np.radians(90.0))       # as if facing a quarter turn away at the end
    assert find_loop_closure(thigh.time_s, still, femur, result.calibration, turned) is None
