"""Progress on synthetic histories: simulated sessions with known range, imported with `hiptrack import --at`.

Each history is what a person would produce (one CSV per session, real analysis on import); the
truth of every session comes from the simulator, so the expected trend is computed from the truth,
not written down.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from analysis.trends import range_trend
from hiptrack.cli import app
from sensors.simulator import Dose, SimOptions, simulate_session
from tracker.imu_csv import write_imu_csv

EXERCISE = "seated_hip_internal_rotation"
DOSE = dict(sets=1, reps=3)
RUNNER = CliRunner()


@dataclass(frozen=True)
class Recording:
    path: Path
    true_best_deg: float


def _recording(folder: Path, seed: int, gain: float, side: str = "left") -> Recording:
    sim = simulate_session(EXERCISE, side, seed, SimOptions(dose=Dose(**DOSE, range_gain=gain)))
    path = folder / f"{side}-{seed}-{gain:.3f}.csv"
    write_imu_csv(path, sim.thigh)
    return Recording(path, max(r.peak_deg for r in sim.truth.reps))


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Recording]]:
    folder = tmp_path_factory.mktemp("histories")
    return {
        "rising": [_recording(folder, 100 + i, g) for i, g in enumerate(np.linspace(0.75, 1.3, 8))],
        "rising_right": [_recording(folder, 300 + i, g, "right") for i, g in enumerate(np.linspace(0.75, 1.3, 8))],
        "flat": [_flat_recording(folder, 200 + i, 34.0 + 1.5 * np.sin(i * 2.1)) for i in range(8)],
    }


def _true_best(seed: int, gain: float) -> float:
    sim = simulate_session(EXERCISE, "left", seed, SimOptions(dose=Dose(**DOSE, range_gain=gain)))
    return max(r.peak_deg for r in sim.truth.reps)


def _flat_recording(folder: Path, seed: int, target_deg: float) -> Recording:
    """A session whose true best is `target_deg`: a seed's own range varies by several degrees, so a
    history of plain seeds can drift by about the MDC and stop being 'noise within the MDC'. The
    simulator scales range linearly with the gain, so two probes give the gain that hits the target."""
    at_one, at_half = _true_best(seed, 1.0), _true_best(seed, 0.5)
    per_gain = 2 * (at_one - at_half)
    return _recording(folder, seed, 1.0 + (target_deg - at_one) / per_gain)


def _hiptrack(*args: str) -> str:
    result = RUNNER.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _import(db: str, recording: Recording, at: datetime, side: str = "left") -> int:
    out = _hiptrack("import", str(recording.path), "--side", side, "--exercise", EXERCISE, "--at", at.isoformat(),
                    "--db", db)
    return int(out.split(" as session ")[1].split(":")[0])


def _progress(db: str, *extra: str) -> dict:
    return json.loads(_hiptrack("progress", "--json", "--db", db, *extra))


def _item(document: dict, side: str) -> dict:
    return next(i for i in document["items"] if i["side"] == side and i["motion"] == "internal_rotation")


def _kinds(alerts: list[dict]) -> set[str]:
    return {a["kind"] for a in alerts}


NOW = datetime.now(UTC).replace(microsecond=0)
WEEKLY = [NOW - timedelta(weeks=7 - i) for i in range(8)]


@pytest.fixture(scope="module")
def rising_and_falling(recordings: dict[str, list[Recording]], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Left side gains range week by week, the right side loses it; pain on the left creeps up."""
    db = f"sqlite:///{tmp_path_factory.mktemp('db') / 'a.db'}"
    rising = recordings["rising"]
    for week, (at, recording) in enumerate(zip(WEEKLY, rising, strict=True)):
        session = _import(db, recording, at, "left")
        _import(db, recordings["rising_right"][-1 - week], at - timedelta(hours=1), "right")  # never in the future
        _hiptrack("pain", str(session), str(2 + week // 2), "--db", db)
    return {"document": _progress(db), "db": db}


@pytest.mark.slow
def test_a_rising_history_is_improving_like_its_truth(rising_and_falling: dict,
                                                      recordings: dict[str, list[Recording]]) -> None:
    item = _item(rising_and_falling["document"], "left")
    truth = range_trend(np.array([(t - WEEKLY[0]).total_seconds() / 86400 for t in WEEKLY]),
                        np.array([r.true_best_deg for r in recordings["rising"]]))
    assert truth.direction == "improving"
    assert item["trend"] == "improving" and item["sessions"] == 8
    assert truth.slope is not None
    assert item["slope_deg_per_week"] == pytest.approx(truth.slope.per_week, abs=0.5)
    assert item["best_deg"] == pytest.approx(truth.best_deg, abs=2.0)
    assert not _kinds(item["alerts"]) & {"range_decreasing", "plateau"}


@pytest.mark.slow
def test_a_falling_history_raises_range_decreasing(rising_and_falling: dict) -> None:
    item = _item(rising_and_falling["document"], "right")
    assert item["trend"] == "declining" and item["slope_deg_per_week"] < 0
    alert = next(a for a in item["alerts"] if a["kind"] == "range_decreasing")
    assert "use it or lose it" in alert["message"]


@pytest.mark.slow
def test_left_right_difference_beyond_the_mdc_is_an_asymmetry(rising_and_falling: dict) -> None:
    document = rising_and_falling["document"]
    left, right = _item(document, "left")["typical_deg"], _item(document, "right")["typical_deg"]
    assert abs(left - right) > 5.0
    assert "asymmetry" in _kinds(document["alerts"])


@pytest.mark.slow
def test_pain_creeping_up_for_weeks_says_see_a_professional(rising_and_falling: dict) -> None:
    document = rising_and_falling["document"]
    alert = next(a for a in document["alerts"] if a["kind"] == "pain_increasing")
    assert "professional" in alert["message"]
    assert document["pain"]["latest"] == 5
    assert len(document["red_flags"]) == 6


@pytest.mark.slow
def test_a_bigger_mdc_makes_the_same_history_stable(rising_and_falling: dict) -> None:
    document = _progress(rising_and_falling["db"], "--mdc", "30")
    assert _item(document, "left")["trend"] == "stable"
    assert "asymmetry" not in _kinds(document["alerts"])


OFFSETS = [0, 3, 7, 10, 14, 21, 24, 27.5]
"""Days from the plan's start: twice a week, except a single session in the third week."""


@pytest.fixture(scope="module")
def flat_with_plan(recordings: dict[str, list[Recording]], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Twice a week for four weeks (one week missed once), noise within the MDC, pain stuck at 4."""
    db = f"sqlite:///{tmp_path_factory.mktemp('db') / 'b.db'}"
    start = NOW - timedelta(weeks=4)
    _hiptrack("plan", "add", EXERCISE, "--side", "left", "--sets", "1", "--reps", "3", "--per-week", "2",
              "--since", start.isoformat(), "--db", db)
    for offset, recording in zip(OFFSETS, recordings["flat"], strict=True):
        session = _import(db, recording, start + timedelta(days=offset), "left")
        _hiptrack("pain", str(session), "4", "--set", "1", "--db", db)
    return {"document": _progress(db), "db": db, "start": start}


@pytest.mark.slow
def test_noise_within_the_mdc_is_a_plateau_not_a_loss(flat_with_plan: dict,
                                                      recordings: dict[str, list[Recording]]) -> None:
    truths = [r.true_best_deg for r in recordings["flat"]]
    assert np.ptp(truths) < 5.0                         # the history really is noise within the MDC
    assert range_trend(np.array(OFFSETS), np.array(truths)).direction == "stable"
    item = _item(flat_with_plan["document"], "left")
    assert item["trend"] == "stable" and item["plateau"]
    assert _kinds(item["alerts"]) == {"plateau"}          # the plan's dose (1 set of 3) was met
    assert item["prescription"]["sets"] == [1, 1]
    assert all(p["sets"] == 1 and p["best_set_reps"] == 3 and 2.0 < p["longest_hold_s"] < 6.0
               for p in item["history"])


@pytest.mark.slow
def test_pain_not_improving_after_weeks_of_regular_work(flat_with_plan: dict) -> None:
    kinds = _kinds(flat_with_plan["document"]["alerts"])
    assert "pain_not_improving" in kinds and "pain_increasing" not in kinds


@pytest.mark.slow
def test_adherence_counts_weeks_against_the_plan(flat_with_plan: dict) -> None:
    adherence = flat_with_plan["document"]["adherence"]
    by_start = {w["start"]: w for w in adherence["weeks"]}
    assert all(w["planned"] == 2 for w in adherence["weeks"])
    days = [(flat_with_plan["start"] + timedelta(days=d)).astimezone().date() for d in OFFSETS]
    per_week: dict[str, int] = {}
    for day in days:
        monday = (day - timedelta(days=day.weekday())).isoformat()
        per_week[monday] = per_week.get(monday, 0) + 1
    assert {start: min(n, 2) for start, n in per_week.items()} == \
        {start: w["done"] for start, w in by_start.items() if w["done"]}
    assert sum(adherence["days"].values()) == 8
    assert adherence["plan"][0]["prescription"]["sets"] == [1, 1]


@pytest.mark.slow
def test_the_seed_dose_flags_a_short_session(flat_with_plan: dict) -> None:
    db = flat_with_plan["db"]
    _hiptrack("plan", "remove", "1", "--db", db)
    item = _item(_progress(db), "left")
    alert = next(a for a in item["alerts"] if a["kind"] == "below_prescription")
    assert "1 set, prescribed 3" in alert["message"]
    assert "3 reps in the best set, prescribed 4–8" in alert["message"]


@pytest.mark.parametrize(("args", "message"), [
    (["plan", "add", "no_such_exercise"], "unknown exercise"),
    (["plan", "add", EXERCISE, "--side", "middle"], "side must be one of"),
    (["plan", "add", EXERCISE, "--hold", "ten"], "--hold 'ten': give a number or a range"),
    (["plan", "add", EXERCISE, "--sets", "5-2"], "need 0 < min <= max"),
    (["plan", "add", EXERCISE, "--per-week", "20"], "max <= 14"),
    (["plan", "add", EXERCISE, "--since", "last tuesday"], "--since 'last tuesday' is not an ISO date-time"),
    (["plan", "remove", "99"], "no plan item 99"),
    (["pain", "1", "11"], "outside 0–10"),
    (["pain", "1", "3", "--set", "0"], "sets are numbered from 1"),
    (["pain", "42", "3"], "no session with id 42"),
])
def test_bad_plan_and_pain_input_is_refused_and_nothing_is_stored(tmp_path: Path, args: list[str], message: str,
                                                                   recordings: dict[str, list[Recording]]) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    if args[0] == "pain":                       # a session that pain could wrongly be stored against
        assert _import(db, recordings["flat"][0], NOW) == 1
    result = RUNNER.invoke(app, [*args, "--db", db])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert json.loads(_hiptrack("plan", "--json", "--db", db)) == []
    assert _progress(db)["pain"] is None


def test_logging_pain_shows_the_red_flags(tmp_path: Path, recordings: dict[str, list[Recording]]) -> None:
    db = f"sqlite:///{tmp_path / 'd.db'}"
    session = _import(db, recordings["flat"][0], NOW, "left")
    out = _hiptrack("pain", str(session), "6", "--set", "1", "--note", "sharp, front of hip", "--db", db)
    assert "Pain 6/10 logged for set 1" in out                     # the session has one set (DOSE)
    assert "night" in out and "bladder or bowel" in out
    document = _progress(db)
    assert document["pain"]["latest"] == 6


def test_a_session_of_an_exercise_no_longer_in_the_catalogue_does_not_break_progress() -> None:
    from analysis.peaks import Peaks
    from analysis.results import CalibrationOutcome, RepEvent, SessionResult, SetEvent
    from tracker.domain import AnalysedSession, Side
    from tracker.progress import build_report
    from tui.screens.sessions import best_label

    peaks = Peaks(0.0, 0.0, 0.0, 0.0, 30.0, 0.0)
    calibrated = CalibrationOutcome(0.0, 10.0)
    retired = AnalysedSession(1, "retired_exercise", Side.LEFT, NOW,
                              SessionResult(Side.LEFT, "retired_exercise", 60.0, calibrated, peaks))
    kept = AnalysedSession(2, EXERCISE, Side.LEFT, NOW, SessionResult(
        Side.LEFT, EXERCISE, 60.0, calibrated, peaks, reps=(RepEvent("internal_rotation", 20.0, 25.0, 30.0),),
        sets=(SetEvent(20.0, 25.0, 1),)))
    report = build_report([retired, kept], [], [], NOW)
    assert [(i.exercise, i.motion) for i in report.items] == [(EXERCISE, "internal_rotation")]
    assert best_label(retired) == "" and best_label(kept) == "IR 30°"


def test_a_trend_that_mixes_low_confidence_sessions_says_so() -> None:
    from analysis.confidence import MotionConfidence
    from analysis.peaks import Peaks
    from analysis.results import CalibrationOutcome, SessionResult
    from tracker.domain import AnalysedSession, Side
    from tracker.progress import build_report
    from tracker.report import render_progress

    def session(i: int, level: str) -> AnalysedSession:
        sure = MotionConfidence("high", 0.0)
        result = SessionResult(Side.LEFT, EXERCISE, 60.0, CalibrationOutcome(0.0, 10.0),
                               Peaks(80.0, 0.0, 2.0, -2.0, 30.0 + i, -5.0),
                               confidence={"flexion": sure, "abduction": MotionConfidence(level, 7.0),
                                           "rotation": MotionConfidence(level, 7.0)})
        return AnalysedSession(i, EXERCISE, Side.LEFT, NOW - timedelta(days=7 * (5 - i)), result)

    report = build_report([session(i, "low" if i in (1, 3) else "high") for i in range(5)], [], [], NOW)
    (item,) = report.items
    assert item.low_confidence_sessions == 2
    assert item.to_json()["low_confidence_sessions"] == 2
    assert "2 of 5 sessions have low confidence" in render_progress(report.to_json())
    from tui.screens.home import motion_groups, motion_trend
    (group,) = motion_groups(report)
    assert motion_trend(group, report).note == "2 of 5 sessions low confidence"       # the dashboard's trend too


def test_an_item_removed_weeks_ago_counts_only_in_the_weeks_it_was_planned(tmp_path: Path) -> None:
    """Removal is stored with its date: the weeks after it are not 'missed', the weeks before it still count."""
    from dataclasses import replace

    from tracker.plans import default_item
    from tracker.progress import adherence
    from tracker.services import build_services

    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    kept = default_item(EXERCISE, "left", now - timedelta(weeks=6))
    svc = build_services(f"sqlite:///{tmp_path / 'plan.db'}")
    stored = svc.store.plans.add(default_item("couch_stretch", "left", now - timedelta(weeks=6)))
    svc.store.plans.add(kept)
    assert stored.id is not None
    svc.store.plans.deactivate(stored.id)
    (removed,) = [p for p in svc.store.plans.items(include_inactive=True) if not p.active]
    svc.close()
    assert removed.ended_on is not None                   # the date of removal is kept
    removed = replace(removed, ended_on=now - timedelta(weeks=3))
    weeks = adherence([], [removed, kept_item := replace(kept, id=2)], now).weeks
    per_week = {w.start: w.planned for w in weeks}
    want_kept = int(np.ceil(kept_item.sessions_per_week[0]))
    want_removed = int(np.ceil(removed.sessions_per_week[0]))
    removal_monday = (now - timedelta(weeks=3)).astimezone().date()
    removal_monday -= timedelta(days=removal_monday.weekday())
    assert all(planned == want_kept + (want_removed if start < removal_monday else 0)
               for start, planned in per_week.items())
    assert len(per_week) >= 6 and min(per_week) < removal_monday <= max(per_week)
