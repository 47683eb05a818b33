"""The live screen's 'pelvis moved N°: keep it still' after each rep reached by moving the pelvis."""

from __future__ import annotations

from analysis.live_events import LiveEvent, PelvisMoved, RepCounted
from sensors.simulator import Dose, SimOptions, simulate_session
from tracker.domain import Side, Source
from tracker.live_report import describe_event
from tracker.live_session import LiveRequest, LiveSession
from tracker.services import Services, simulated_notification_source

EXERCISE = "seated_hip_internal_rotation"
OPTIONS = SimOptions(with_pelvis=True, pelvis_compensation_deg=(4.0, 12.0), dose=Dose(sets=1, reps=4))
SEED = 9401


async def test_each_compensated_rep_says_the_pelvis_moved_and_clean_ones_do_not(svc: Services) -> None:
    events: list[LiveEvent] = []
    request = LiveRequest(EXERCISE, Side.LEFT, lambda: simulated_notification_source(
        EXERCISE, Side.LEFT, SEED, realtime=False, log=None, options=OPTIONS), Source.SIMULATED)
    await LiveSession(svc, request, on_event=events.append).run()

    truth = simulate_session(EXERCISE, "left", SEED, OPTIONS).truth
    reps = [e for e in events if isinstance(e, RepCounted)]
    assert len(reps) == len(truth.reps) == 4
    flagged = {i for i, e in enumerate(events) if isinstance(e, PelvisMoved) and e.of == "rep"}
    said = [i + 1 in flagged for i, e in enumerate(events) if isinstance(e, RepCounted)]   # right after its rep
    assert said == [c > 0 for c in truth.compensation_deg]
    moved = [e for e in events if isinstance(e, PelvisMoved)]
    assert moved and all(e.plane == "obliquity" for e in moved)
    assert describe_event(moved[0]).startswith(f"pelvis moved {moved[0].moved_deg:.0f}° (obliquity)")
    assert describe_event(moved[0]).endswith("keep it still")
