"""Import and export use cases: plain IMU CSV in (published whole, analysed, or not at all) and out."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sensors.samples import ImuSamples
from sensors.source import ArraySource, StreamSpec
from tracker import __version__, catalog
from tracker.domain import Gap, Placement, SessionStatus, SessionSummary, Side, Source, thigh_of
from tracker.imu_csv import read_imu_csv, write_imu_csv
from tracker.private_files import private_folder, private_text_file, write_private_bytes
from tracker.recorder import RecordingStatus
from tracker.services_recording import _analysis_of
from tracker.storage.session_repository import NewSession

if TYPE_CHECKING:
    from tracker.services import Services

T = TypeVar("T")

IMPORT_BLOCK_S = 30.0
"""Imports are not live: feed the recorder big blocks (it still cuts ≤ 4096-sample chunks)."""


async def import_csv(services: Services, path: Path, exercise_id: str, side: Side,
                     started_at: datetime | None = None) -> int:
    """Validate the whole file first (nothing is written for a bad file), then import it."""
    catalog.get(exercise_id)
    started_at = started_at or datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return await import_samples(services, read_imu_csv(path), path.name, exercise_id, side, started_at)


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
        del source, streams, samples, pelvis     # stored: the analysis reads its own compact copy (memory)
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
