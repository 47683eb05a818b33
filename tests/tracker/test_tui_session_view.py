"""tracker.session_view: what the session detail screen draws, checked against the full-resolution analysis."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from sensors.simulator import Dose, SimOptions
from tracker.assessment import angles_table, assess
from tracker.domain import SessionStatus, Side, Source
from tracker.services import Services, record_simulated
from tracker.session_view import envelope_indices, load_session_view
from tracker.storage.session_repository import NewSession

AT = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)


def test_envelope_keeps_every_bucket_extreme_in_time_order() -> None:
    rng = np.random.default_rng(3)
    values = np.cumsum(rng.normal(size=100_000))
    keep = envelope_indices(values, 1000)
    assert len(keep) <= 1000 and np.all(np.diff(keep) > 0)
    assert values[keep].max() == values.max() and values[keep].min() == values.min()
    assert np.array_equal(envelope_indices(values[:500], 1000), np.arange(500))


async def test_view_of_an_exercise_matches_its_analysis(svc: Services) -> None:
    session_id = await record_simulated(svc, "seated_hip_internal_rotation", Side.LEFT, 5, started_at=AT,
                                        options=SimOptions(dose=Dose(sets=2, reps=3, hold_s=4.0)))
    svc.store.pain.add(session_id, 3, AT)
    view = load_session_view(svc, session_id, max_points=300)
    assert view.problem is None and view.traces is not None and view.result is not None
    assert view.primary_motion == "internal_rotation" and view.primary_column == 2
    summary = svc.store.sessions.get(session_id)
    full = angles_table(assess(svc.store.sessions.samples(summary.streams[0].id), summary.exercise, summary.side))
    assert len(view.traces.time_s) <= 300 < len(full)
    assert view.traces.angles_deg[:, 2].max() == full[:, 3].max()     # the peak survives decimation
    reps = [e for e in view.events if e.kind == "rep"]
    holds = [e for e in view.events if e.kind == "hold"]
    assert [r.angle_deg for r in reps] == [r.peak_deg for r in view.result.reps]
    assert len(holds) == len(view.result.holds) and len(reps) == 6
    for rep in reps:
        assert rep.start_s <= rep.at_s <= rep.end_s
        at = int(np.searchsorted(full[:, 0], rep.at_s))
        assert abs(full[at, 3] - rep.angle_deg) < 0.5                   # the marker sits on the peak
    assert [p.score for p in view.pain] == [3] and view.strokes is None


async def test_view_of_a_ride_has_strokes_over_time(svc: Services) -> None:
    session_id = await record_simulated(svc, "ride", Side.RIGHT, 2, started_at=AT,
                                        options=SimOptions(dose=Dose(ride_s=60.0, cadence_rpm=80.0)))
    view = load_session_view(svc, session_id, max_points=40)
    assert view.strokes is not None and 0 < len(view.strokes.time_s) <= 20     # averaged to max_points // 2
    assert np.all(np.diff(view.strokes.time_s) > 0)
    assert abs(float(np.median(view.strokes.cadence_rpm)) - 80.0) < 3.0
    assert view.events == ()


def test_a_session_without_samples_shows_its_stored_results_and_says_why_there_is_no_trace(svc: Services) -> None:
    new = NewSession("couch_stretch", Side.LEFT, Source.IMPORTED, AT)
    session_id = svc.store.sessions.create(new, (), AT)["session"]
    svc.store.sessions.finish(session_id, SessionStatus.COMPLETE, 60.0)
    view = load_session_view(svc, session_id)
    assert view.traces is None and view.problem == "no samples from the thigh sensor" and view.result is None
