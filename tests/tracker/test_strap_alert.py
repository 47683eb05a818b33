"""The progress report warns when the latest session's strap sits very differently from the ones before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from analysis.peaks import Peaks
from analysis.results import CalibrationOutcome, SessionResult
from tracker.domain import AnalysedSession, Side
from tracker.progress import build_report

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


def _about_y(deg: float) -> tuple[float, float, float, float]:
    half = np.radians(deg) / 2
    return (float(np.cos(half)), 0.0, float(np.sin(half)), 0.0)


def _session(i: int, thigh_deg: float, pelvis_deg: float | None) -> AnalysedSession:
    calibration = CalibrationOutcome(0.0, 10.0, _about_y(thigh_deg), 0.95,
                                     q_sensor_to_pelvis_wxyz=None if pelvis_deg is None else _about_y(pelvis_deg))
    result = SessionResult(Side.RIGHT, "seated_hip_internal_rotation", 60.0, calibration,
                           Peaks(80.0, 0.0, 2.0, -2.0, 30.0, -5.0))
    return AnalysedSession(i, "seated_hip_internal_rotation", Side.RIGHT, NOW - timedelta(days=7 * (4 - i)), result)


@pytest.mark.parametrize(("thigh", "pelvis", "warned"), [
    (25.0, 1.0, ["right thigh"]), (2.0, -22.0, ["pelvis (sacrum)"]), (4.0, 4.0, []), (30.0, None, ["right thigh"])])
def test_a_strap_turned_20_degrees_warns_and_a_restrap_within_5_does_not(thigh: float, pelvis: float | None,
                                                                         warned: list[str]) -> None:
    history = [_session(i, jitter, jitter) for i, jitter in enumerate((0.0, 1.5, -1.0))]
    report = build_report([*history, _session(3, thigh, pelvis)], [], [], NOW)
    strap = [a for a in report.alerts if a.kind == "strap_moved"]
    assert [next(w for w in ("right thigh", "pelvis (sacrum)") if w in a.message) for a in strap] == warned
    assert all(a.side == "right" and "strap it the same way" in a.message for a in strap)


def test_a_first_session_has_nothing_to_compare_with() -> None:
    report = build_report([_session(0, 40.0, 40.0)], [], [], NOW)
    assert not [a for a in report.alerts if a.kind == "strap_moved"]


def test_mostly_compensated_reps_in_the_latest_session_get_a_keep_still_cue() -> None:
    from analysis.results import PelvisMotion, RepEvent

    def with_reps(i: int, flags: tuple[bool, ...]) -> AnalysedSession:
        row = _session(i, 0.0, 0.0)
        reps = tuple(RepEvent("internal_rotation", 10.0 * k, 10.0 * k + 5, 30.0,
                              PelvisMotion(0.5, 6.0 if f else 0.8, 1.0), f) for k, f in enumerate(flags))
        return AnalysedSession(row.session_id, row.exercise, row.side, row.started_at,
                               SessionResult(Side.RIGHT, row.exercise, 60.0, row.result.calibration, row.result.peaks,
                                             reps=reps))

    def cues(*sessions: AnalysedSession) -> list[str]:
        return [a.message for a in build_report(list(sessions), [], [], NOW).alerts if a.kind == "pelvis_compensation"]

    (cue,) = cues(with_reps(0, (False,) * 4), with_reps(1, (True, True, False, True)))
    assert "3 of 4 reps were reached by moving the pelvis" in cue and "Keep the pelvis and low back still" in cue
    assert cues(with_reps(0, (True,) * 4), with_reps(1, (False, True, False, False))) == []   # the latest counts
    assert cues(_session(0, 0.0, None)) == []                      # no pelvis sensor: nothing is claimed
