"""Long seated and standing holds with a gyro bias up to ±2 °/s, and a confidence that says so (issue #12).

Before: VQF learns bias only within ±2 °/s and never rests when an axis is near that, so 90/90
stretch and standing abduction holds drifted 20–90° in heading while the confidence said "high".
Seeds here were not used for tuning; `benchmarks/accuracy.py --summary --bias 2` has the matrix.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.gyro_bias import GyroBiasParams, still_spell_bias
from analysis.pipeline import AnalysisParams, ThighAnalysis, analyze_thigh
from benchmarks.accuracy import Score, analyse, score, seated_options
from sensors.simulator import SimulatedSession, simulate_session
from tracker import catalog

LONG_HOLDS = ("ninety_ninety_ir_stretch", "standing_hip_abduction_hold")


def _run(exercise: str, side: str, seed: int, params: AnalysisParams | None = None
         ) -> tuple[SimulatedSession, ThighAnalysis, Score]:
    sim = simulate_session(exercise, side, seed, seated_options(2.0))
    if params is None:
        result = analyse(sim)
    else:
        e, thigh = catalog.get(exercise), sim.thigh
        result = analyze_thigh(thigh.time_s, thigh.acc_mps2, thigh.gyr_radps, side, e.primary_motion,
                               e.posture.value, e.counting, params)
    return sim, result, score(sim, result)


@pytest.mark.parametrize("exercise", LONG_HOLDS)
@pytest.mark.parametrize(("side", "seed"), [("left", 9791), ("right", 9792)])
def test_long_holds_at_2dps_bias_stay_within_3deg_and_the_stated_error_covers_them(
        exercise: str, side: str, seed: int) -> None:
    _, result, s = _run(exercise, side, seed)
    assert s.rmse_deg[1] <= 3.0 and s.rmse_deg[2] <= 3.0, s.rmse_deg
    assert s.holds_found == s.holds_true
    assert result.confidence is not None
    stated = result.confidence["rotation"]
    worst = max(s.rmse_deg[1], s.rmse_deg[2])
    assert worst <= np.hypot(stated.heading_uncertainty_deg, 1.0), (worst, stated)   # 1°: error with no drift
    assert not (stated.level == "high" and worst > 3.0)


@pytest.mark.parametrize(("exercise", "side", "seed"), [
    ("standing_hip_abduction_hold", "right", 9711),      # 89° off, no loop closure possible
    ("ninety_ninety_ir_stretch", "left", 9714),          # 4° off after a loop closure ramp
])
def test_a_bias_nothing_showed_is_never_called_high(exercise: str, side: str, seed: int) -> None:
    """Without the still-spell estimate (as for a recording with no still spell) the bias is unobserved."""
    blind = AnalysisParams(gyro_bias=GyroBiasParams(min_total_s=np.inf))
    _, result, s = _run(exercise, side, seed, blind)
    assert max(s.rmse_deg[1:]) > 3.0, "this seed no longer shows the failure; pick another"
    assert result.confidence is not None and result.confidence["rotation"].level != "high"
    _, fixed, s_fixed = _run(exercise, side, seed)
    assert max(s_fixed.rmse_deg[1:]) <= 3.0, s_fixed.rmse_deg
    assert fixed.confidence is not None and fixed.confidence["rotation"].level == "high"


def test_still_spell_bias_sees_through_sway_and_skips_slow_tilts() -> None:
    rate = 100.0
    t = np.arange(0.0, 30.0, 1.0 / rate)
    bias = np.radians([1.9, -2.3, 2.0])
    rng = np.random.default_rng(5)
    sway = np.radians(0.5) * 2 * np.pi * 0.4 * np.cos(2 * np.pi * 0.4 * t)     # 0.5° at 0.4 Hz, as a rate
    gyr = bias + np.column_stack([sway, 0.5 * sway, sway]) + rng.normal(0, np.radians(0.1), (len(t), 3))
    acc = np.tile([0.0, 9.80665, 0.0], (len(t), 1))
    tilting = (t >= 20.0) & (t < 26.0)                   # a slow 10° turn about x: gravity moves
    gyr[tilting, 0] += np.radians(10.0 / 6.0)
    angle = np.radians(np.clip(t - 20.0, 0.0, 6.0) * 10.0 / 6.0)
    acc[:, 1], acc[:, 2] = 9.80665 * np.cos(angle), -9.80665 * np.sin(angle)
    still = np.ones(len(t), dtype=bool)
    still[[1000, 2000, 2600]] = False                    # spells: 0–10, 10–20, 20–26 (tilting), 26–30 s
    found = still_spell_bias(gyr, acc, still, rate)
    assert found.still_s == pytest.approx(24.0, abs=0.1)
    assert np.degrees(np.abs(found.bias_radps - bias)).max() < 0.1, np.degrees(found.bias_radps)
    none = still_spell_bias(gyr, acc, np.zeros(len(t), dtype=bool), rate)
    assert none.still_s == 0.0 and not none.bias_radps.any()
