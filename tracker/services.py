"""Use cases shared by the CLI, the TUI and the tests: each takes plain arguments, returns results."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from analysis.results import SessionResult
from sensors import profiles
from sensors.notification_log import LogFormatError
from sensors.notification_source import NotificationSource, replay_log
from sensors.samples import ImuSamples
from sensors.source import ArraySource, SampleBlock, SampleSource, StreamGap, StreamSpec
from tracker import __version__, catalog
from tracker.domain import Gap, Placement, SessionStatus, SessionSummary, Side, Source, StreamInfo, thigh_of
from tracker.errors import BadInputError, ImportFormatError
from tracker.imu_csv import read_imu_csv, write_imu_csv
from tracker.private_files import private_folder, private_text_file, write_private_bytes
from tracker.recorder import Recorder, RecordingStatus
from tracker.storage.database import Database, open_database
from tracker.storage.people_repository import DEFAULT_PERSON, PersonSummary
from tracker.storage.session_repository import NewSession
from tracker.storage.store import Store

if TYPE_CHECKING:
    from sensors.simulator import SimOptions

StatusCallback = Callable[[RecordingStatus], None]
BlockCallback = Callable[[SampleBlock | StreamGap], None]

T = TypeVar("T")

IMPORT_BLOCK_S = 30.0
"""Imports are not live: feed the recorder big blocks (it still cuts ≤ 4096-sample chunks)."""


@dataclass(frozen=True, slots=True)
class Services:
    database: Database
    store: Store
    recorder: Recorder
    person: str = DEFAULT_PERSON
    """Whose sessions, results, pain and plan `store` sees and records."""

    def close(self) -> None:
        self.database.dispose()


def build_services(db_url: str | None = None, *, recover: bool = True, person: str | None = None) -> Services:
    """Open (and migrate) the database for `person` (None: the default person); sessions whose recorder died
    are marked interrupted. An unknown person is refused (`hiptrack people add NAME` first)."""
    database = open_database(db_url)
    try:
        services = _as_person(database, person)
    except BaseException:
        database.dispose()
        raise
    if recover:
        services.store.sessions.mark_stale_interrupted(datetime.now(UTC))
    return services


def for_person(services: Services, person: str | None) -> Services:
    """The same database seen as `person` (the dashboard's person picker; --person on every command)."""
    return _as_person(services.database, person)


def _as_person(database: Database, person: str | None) -> Services:
    store = Store(database.sessions, Store(database.sessions).people.id_of(person))
    return Services(database, store, Recorder(store.sessions), person or DEFAULT_PERSON)


def people(services: Services) -> list[PersonSummary]:
    return services.store.people.summaries()


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
        samples = stored.sessions.samples(thigh.id, damaged) if thigh is not None else None
        other_samples = stored.sessions.samples(other.id, damaged) if other is not None else None
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


def session_result(services: Services, session_id: int) -> SessionResult | None:
    """The stored result of a session (None if never analysed)."""
    with services.store.read() as stored:
        stored.sessions.get(session_id)          # an unknown id is an error, not "not analysed"
        return stored.results.load(session_id)


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


async def import_csv(services: Services, path: Path, exercise_id: str, side: Side,
                     started_at: datetime | None = None) -> int:
    """Validate the whole file first (nothing is written for a bad file), then import it."""
    catalog.get(exercise_id)
    samples = read_imu_csv(path)
    started_at = started_at or datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return await import_samples(services, samples, path.name, exercise_id, side, started_at)


async def import_samples(services: Services, samples: ImuSamples, name: str, exercise_id: str, side: Side,
                         started_at: datetime, *, device_name: str = "Imported CSV", profile: str = "csv",
                         details: Sequence[str] = (), pelvis: ImuSamples | None = None) -> int:
    """Store validated samples as a session that appears whole, analysed, or not at all.

    Why publish at the end: a reader (the dashboard, another workstation) must never see half an
    import, and a killed import must not leave a session that looks recorded. The rows are written
    unpublished, analysed while the import keeps beating, then the result and the 'complete'
    status commit together; any failure removes what was written. `device_name`, `profile` and
    `details` say what the samples came from (a vendor export: its device, format and gaps).
    """
    catalog.get(exercise_id)
    # one device row per import format, so a DOT import is not listed under the plain CSV's name
    address = f"imported:{thigh_of(side)}" if profile == "csv" else f"imported:{profile}:{thigh_of(side)}"
    spec = StreamSpec(placement=thigh_of(side), rate_hz=samples.rate_hz, device_address=address,
                      device_name=device_name, profile=profile, has_mag=samples.has_mag)
    specs: tuple[StreamSpec, ...] = (spec,)
    streams: dict[Placement, ImuSamples] = {thigh_of(side): samples}
    if pelvis is not None:                       # the sacrum sensor, same time base (SPEC §4 per file)
        specs += (StreamSpec(placement=Placement.PELVIS, rate_hz=pelvis.rate_hz, device_address="imported:pelvis",
                             device_name="Imported CSV", profile="csv", has_mag=pelvis.has_mag),)
        streams[Placement.PELVIS] = pelvis
    source = ArraySource(specs, streams, block_s=IMPORT_BLOCK_S)
    new = NewSession(exercise_id, side, Source.IMPORTED, started_at, "; ".join([f"imported from {name}", *details]))
    session_id: int | None = None

    def created(status: RecordingStatus) -> None:
        nonlocal session_id
        session_id = status.session_id

    try:
        session_id = await services.recorder.record(source, new, on_progress=created, finish=False)
        result = await _while_beating(services, session_id, asyncio.to_thread(_analysis_of, services, session_id))
        with services.store.write() as work:
            work.results.save(session_id, result)
            work.sessions.finish(session_id, SessionStatus.COMPLETE)
    except BaseException:
        if session_id is not None:
            with contextlib.suppress(Exception):
                services.store.sessions.delete(session_id)
        raise
    return session_id


async def _while_beating(services: Services, session_id: int, work: Awaitable[T]) -> T:
    """Await `work` while telling other processes every second that this session's writer is alive."""
    async def beat() -> None:
        while True:
            await asyncio.to_thread(services.store.sessions.beat, session_id, datetime.now(UTC))
            await asyncio.sleep(1.0)

    beating = asyncio.create_task(beat())
    try:
        return await work
    finally:
        beating.cancel()


def delete_sessions(services: Services, session_ids: list[int]) -> list[SessionSummary]:
    """Delete sessions with their samples, results and pain ratings: all of them, or none if one id is unknown."""
    with services.store.write() as work:
        doomed = [work.sessions.get(session_id) for session_id in dict.fromkeys(session_ids)]
        for summary in doomed:
            work.sessions.delete(summary.id)
    return doomed


def export_session(services: Services, session_id: int, out_dir: Path,
                   formats: tuple[str, ...] = ("csv",), damaged: list[Gap] | None = None) -> list[Path]:
    """Write the session in each format; all files private (0600), folders 0700, never through a link.

    csv: one SPEC §4 CSV per stream plus a JSON sidecar; opensim: .sto orientations + .mot hip angles;
    fit: a FIT activity (rides). Everything that needs the analysis is built before the first write.
    damaged: where to report stored chunks that no longer decode; they are left out (a gap) and the
    CSV sidecar lists them under "damaged", so the export says what it could not save. Without
    it a damaged chunk is an error (SessionRepository.samples).
    """
    from tracker.exports import analysed_files, export_formats  # the analysis stack only when exporting

    formats = export_formats(formats)
    holes: dict[Placement, list[Gap]] = {}
    with services.store.read() as stored:
        summary = stored.sessions.get(session_id)
        samples = {}
        for stream in summary.streams:
            found: list[Gap] | None = holes.setdefault(stream.placement, []) if damaged is not None else None
            samples[stream.placement] = stored.sessions.samples(stream.id, found)
    if damaged is not None:
        damaged.extend(gap for found in holes.values() for gap in found)
    built = analysed_files(summary, samples, formats)
    private_folder(out_dir)
    written: list[Path] = []
    if "csv" in formats:
        written += _export_csv(summary, samples, out_dir, holes)
    for name, contents in built.items():
        path = out_dir / name
        if isinstance(contents, bytes):
            write_private_bytes(path, contents)
        else:
            with private_text_file(path, encoding="ascii") as handle:
                handle.write(contents)
        written.append(path)
    return written


def _export_csv(summary: SessionSummary, samples: dict[Placement, ImuSamples], out_dir: Path,
                holes: dict[Placement, list[Gap]]) -> list[Path]:
    written: list[Path] = []
    files: dict[str, str] = {}
    lost: dict[str, list[dict[str, object]]] = {}
    for stream in summary.streams:
        path = out_dir / f"session-{summary.id}-{stream.placement}.csv"
        write_imu_csv(path, samples[stream.placement])
        files[str(stream.placement)] = path.name
        written.append(path)
        if holes.get(stream.placement):
            lost[str(stream.placement)] = [{"start_s": g.start_s, "end_s": g.end_s, "reason": g.reason}
                                           for g in holes[stream.placement]]
    sidecar = out_dir / f"session-{summary.id}.json"
    document = _sidecar(summary, files)
    if lost:
        document["damaged"] = lost
    with private_text_file(sidecar) as handle:
        handle.write(json.dumps(document, indent=2) + "\n")
    written.append(sidecar)
    return written


def _sidecar(summary: SessionSummary, files: dict[str, str]) -> dict[str, object]:
    document = summary.to_json()
    document["files"] = files
    document["format"] = "hiptrack plain IMU CSV (time s, acc m/s², gyr rad/s, mag µT)"
    document["hiptrack_version"] = __version__
    return document
