"""Recording use cases: any source into a new session, the simulator, replayed logs, and the analysis after.

Why a module of its own: these need the recorder, the sensor sources and (on demand) the analysis and the
simulator; commands that only list or show sessions import tracker.services and never pay for them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.results import SessionResult
from sensors import profiles
from sensors.notification_log import LogFormatError
from sensors.notification_source import NotificationSource, replay_log
from sensors.source import SampleBlock, SampleSource, StreamGap
from tracker import catalog
from tracker.domain import Gap, Placement, SessionSummary, Side, Source, StreamInfo, thigh_of
from tracker.errors import BadInputError, ImportFormatError
from tracker.recorder import RecordingStatus
from tracker.storage.session_repository import NewSession

if TYPE_CHECKING:
    from sensors.simulator import SimOptions
    from tracker.services import Services

StatusCallback = Callable[[RecordingStatus], None]
BlockCallback = Callable[[SampleBlock | StreamGap], None]


async def record(services: Services, source: SampleSource, exercise_id: str, side: Side, origin: Source,
                 started_at: datetime | None = None, notes: str | None = None,
                 on_progress: StatusCallback | None = None, on_block: BlockCallback | None = None) -> int:
    """Record any source into a new session (the one recording path); on_block: live displays."""
    catalog.get(exercise_id)
    new = NewSession(exercise_id, side, origin, started_at or datetime.now(UTC), notes)
    session_id = await services.recorder.record(source, new, on_progress, on_block)
    await asyncio.to_thread(analyze_session, services, session_id)
    return session_id


def analyze_session(services: Services, session_id: int, damaged: list[Gap] | None = None) -> SessionResult:
    """(Re-)analyse a stored session from its raw samples and store the result.

    damaged: where to report stored chunks that no longer decode (they are skipped as gaps);
    without it a damaged chunk is an error (see SessionRepository.samples).
    """
    result = _analysis_of(services, session_id, damaged)
    services.store.results.save(session_id, result)
    return result


def _analysis_of(services: Services, session_id: int, damaged: list[Gap] | None = None) -> SessionResult:
    """A stored session's analysis; a failure of the analysis itself is the result's problem, not a crash.

    One consistent read of the session and its samples, then the maths outside any transaction (it
    can take seconds on a long ride, and a write lock would stall a recorder).
    """
    with services.store.read() as stored:
        summary = stored.sessions.get(session_id)
        thigh, other = analysis_streams(summary)
        samples = stored.sessions.samples(thigh.id, damaged, compact=True) if thigh is not None else None
        other_samples = stored.sessions.samples(other.id, damaged, compact=True) if other is not None else None
        pelvis = pelvis_stream(summary)
        pelvis_samples = stored.sessions.samples(pelvis.id, damaged) if pelvis is not None else None
    if samples is not None and len(samples) < 2:
        samples = None                               # every chunk damaged: nothing left to analyse
    if pelvis_samples is not None and len(pelvis_samples) < 2:
        pelvis_samples = None                        # a damaged pelvis stream: the pelvis is assumed
    if samples is None:
        result = SessionResult.not_analysable(summary.side, summary.exercise, summary.duration_s,
                                              "no samples from the thigh sensor")
    else:
        from tracker.assessment import assess  # the analysis stack loads when first needed, not with the dashboard

        try:
            result = assess(samples, summary.exercise, summary.side, other_samples, pelvis_samples).session_result()
        except Exception as err:            # kept visible: 'not analysed: analysis failed …', and reanalyze
            result = SessionResult.not_analysable(summary.side, summary.exercise, summary.duration_s,
                                                  f"analysis failed ({type(err).__name__}: {err})")
    return result


def analysis_streams(summary: SessionSummary) -> tuple[StreamInfo | None, StreamInfo | None]:
    """The session's thigh stream and the other thigh's, each only if it has samples to analyse."""
    thigh_placement = thigh_of(summary.side)
    thigh = next((s for s in summary.streams if s.placement == thigh_placement and s.samples > 1), None)
    other = next((s for s in summary.streams if s.placement in (Placement.LEFT_THIGH, Placement.RIGHT_THIGH)
                  and s.placement != thigh_placement and s.samples > 1), None)
    return thigh, other


def pelvis_stream(summary: SessionSummary) -> StreamInfo | None:
    """The session's pelvis (sacrum) stream, if it has samples: hip angles are then against it."""
    return next((s for s in summary.streams if s.placement == Placement.PELVIS and s.samples > 1), None)


async def record_simulated(services: Services, exercise_id: str, side: Side, seed: int,
                           started_at: datetime | None = None, realtime: bool = False,
                           options: SimOptions | None = None,
                           on_progress: StatusCallback | None = None) -> int:
    catalog.get(exercise_id)
    from sensors.simulator import simulate_session  # the simulator (and SciPy's signal tools) on demand:
    from sensors.simulator.source import simulated_source  # the dashboard opens faster without them

    session = simulate_session(exercise_id, side.value, seed, options)
    return await record(services, simulated_source(session, realtime=realtime), exercise_id, side,
                        Source.SIMULATED, started_at, f"simulated, seed {seed}", on_progress)


def simulated_notification_source(exercise_id: str, side: Side, seed: int, realtime: bool, log: Path | None,
                                  options: SimOptions | None = None, profile: str = "simulated") -> NotificationSource:
    """The simulator speaking `profile`'s bytes (the simulator's own, or a real device family's)."""
    catalog.get(exercise_id)
    profiles.get(profile)
    from sensors.simulator import simulate_session
    from sensors.simulator.notifications import simulated_devices, simulated_notifications

    session = simulate_session(exercise_id, side.value, seed, options)
    return NotificationSource(simulated_devices(session, profile),
                              simulated_notifications(session, realtime, profile), log)


def replay_source(path: Path, realtime: bool, log: Path | None = None) -> NotificationSource:
    try:
        devices, notes = replay_log(path, realtime)
    except (OSError, UnicodeDecodeError) as err:
        raise BadInputError(f"{path}: cannot read the log ({err})") from err
    except LogFormatError as err:
        raise ImportFormatError(err.path, err.line, err.problem) from err
    return NotificationSource(devices, notes, log)
