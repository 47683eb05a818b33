"""The text summary's pelvis lines: compensation counted, ride rocking with non-diagnostic advice."""

from __future__ import annotations

import pytest

from analysis.results import CalibrationOutcome, PelvisMotion, RepEvent, RideResult, SessionResult
from analysis.vocabulary import Side
from tracker.report import RIDE_ROCKING_DEG, render_assessment


def _ride(obliquity_deg: float, drift_deg: float) -> SessionResult:
    ride = RideResult(120, 85.0, 85.0, 80.0, 40.0, 40.0, 2.0, -5.0, pelvis_obliquity_range_deg=obliquity_deg,
                      pelvis_tilt_range_deg=obliquity_deg / 3, pelvis_obliquity_range_drift_deg=drift_deg,
                      pelvis_tilt_range_drift_deg=0.0)
    return SessionResult(Side.RIGHT, "ride", 100.0, CalibrationOutcome(0.0, 10.0), ride=ride,
                         pelvis=PelvisMotion(obliquity_deg / 3, obliquity_deg, 2.0))


@pytest.mark.parametrize(("obliquity", "drift", "advice"), [
    (RIDE_ROCKING_DEG + 1, 0.0, "saddle set too high: have your bike fit checked"),
    (3.0, 2.5, "rocking grew as the ride went on"),
    (3.0, 0.0, None)])
def test_ride_rocking_advice_is_non_diagnostic(obliquity: float, drift: float, advice: str | None) -> None:
    text = render_assessment(_ride(obliquity, drift))
    assert f"side-to-side rocking {obliquity:.1f}°" in text
    if advice is None:
        assert "saddle" not in text and "grew" not in text
    else:
        assert advice in text
    assert "diagnos" not in text and "injur" not in text


def test_compensated_reps_are_counted_and_nothing_is_said_without_a_pelvis() -> None:
    moved, still = PelvisMotion(0.5, 7.0, 1.0), PelvisMotion(0.5, 0.8, 1.0)
    reps = (RepEvent("internal_rotation", 10.0, 15.0, 30.0, moved, True),
            RepEvent("internal_rotation", 20.0, 25.0, 30.0, still, False))
    with_pelvis = SessionResult(Side.LEFT, "seated_hip_internal_rotation", 60.0, CalibrationOutcome(0.0, 10.0),
                                reps=reps, pelvis=PelvisMotion(0.6, 7.2, 1.1))
    assert "1 of 2 reps reached by moving the pelvis: keep the pelvis and low back still" in \
        render_assessment(with_pelvis)
    without = SessionResult(Side.LEFT, "seated_hip_internal_rotation", 60.0, CalibrationOutcome(0.0, 10.0),
                            reps=tuple(RepEvent(r.motion, r.start_s, r.end_s, r.peak_deg) for r in reps))
    assert "pelvis" not in render_assessment(without)
