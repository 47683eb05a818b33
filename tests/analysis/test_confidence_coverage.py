"""The stated ± for rotation and knee tracking covers the actual error (issue #12, deliverable 5).

Before the floor for error that is not heading drift, a stated ±0.2–0.8° covered 79% of runs that
were 0.4–2.0° off. The floor was tuned on seeds 9500–9509 and 9550–9599; the seeds here were not
used for tuning (`benchmarks/accuracy.py --summary` and `--rides` print the same table on more seeds).
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.confidence import ConfidenceParams, motion_confidence
from benchmarks.accuracy import RIDE_CONDITIONS, analyse, score, score_ride, seated_options
from sensors.simulator import simulate_session
from tracker import catalog

EXERCISES = [e.id for e in catalog.EXERCISES if e.id != "ride"]


def _covered(error_deg: float, stated_deg: float) -> bool:
    """The benchmark's rule: within the stated ±, or within 1° (what no ± under 1° claims to beat)."""
    return error_deg <= max(stated_deg, 1.0)


@pytest.fixture(scope="module")
def runs() -> list[tuple[str, float, str, float]]:
    """(exercise, actual error °, level, stated ±) for every exercise, one side each, at the simulator's
    default bias and at ±2 °/s: the worse of abduction and rotation RMSE, as the benchmark scores it."""
    out = []
    for i, exercise in enumerate(EXERCISES):
        for bias, seed in ((None, 9900 + i), (2.0, 9920 + i)):
            sim = simulate_session(exercise, ("left", "right")[i % 2], seed, seated_options(bias))
            s = score(sim, analyse(sim))
            out.append((exercise, max(s.rmse_deg[1], s.rmse_deg[2]), *s.confidence))
    return out


def test_the_stated_error_covers_nine_in_ten_runs(runs: list[tuple[str, float, str, float]]) -> None:
    covered = [_covered(error, stated) for _, error, _, stated in runs]
    missed = [r for r, ok in zip(runs, covered, strict=True) if not ok]
    assert np.mean(covered) >= 0.9, missed


def test_high_means_within_3deg_and_the_stated_error_stays_informative(
        runs: list[tuple[str, float, str, float]]) -> None:
    assert all(error <= 3.0 for _, error, level, _ in runs if level == "high"), runs
    assert np.median([stated for *_, stated in runs]) < 2.5, runs        # not inflated to say nothing


@pytest.mark.parametrize("name", ["3 min, 4 turns", "3 min, mag disturbed"])
def test_a_ride_states_an_error_that_covers_its_knee_tracking_and_rotation(name: str) -> None:
    """A magnetometer trusted throughout left no heading uncertainty: ±0.0° for a ride 1.4–1.6° off."""
    condition = next(c for c in RIDE_CONDITIONS if c.name == name)
    sim = simulate_session("ride", "left", 9940, condition.options())
    s = score_ride(name, sim, analyse(sim))
    assert _covered(max(s.rmse_deg[1], s.rmse_deg[2]), s.confidence[1]), s


def test_a_heading_observed_throughout_still_states_the_floor() -> None:
    """Strap and calibration axes leave error no heading observation removes."""
    params = ConfidenceParams()
    stated = motion_confidence(np.zeros(100), params)
    assert stated["rotation"].heading_uncertainty_deg == pytest.approx(params.floor_deg)
    assert stated["rotation"].level == "high" and stated["flexion"].heading_uncertainty_deg == 0.0
    drifted = motion_confidence(np.full(100, 4.0), params)["abduction"]
    assert drifted.heading_uncertainty_deg == pytest.approx(np.hypot(4.0, params.floor_deg), abs=0.01)
    assert drifted.level == "medium"
