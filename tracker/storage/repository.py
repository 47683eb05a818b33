"""Session storage service: every public method is one transaction (one user-visible action).

Methods take and return domain objects (tracker.domain, sensors.samples), never ORM rows, so
callers cannot lazy-load across a closed session or hold a transaction open by accident.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import selectinload, sessionmaker

from sensors.samples import ImuSamples
from sensors.source import StreamSpec
from tracker.catalog import Prescription
from tracker.domain import Gap, PainEntry, SessionStatus, SessionSummary, Side, Source, StreamInfo
from tracker.errors import BadInputError, SessionNotFoundError
from tracker.plans import PlanItem
from tracker.storage import models as m
from tracker.storage.sample_codec import CODEC_VERSION, decode_chunk, encode_chunk

STALE_AFTER_S = 6.0
"""A recorder commits (and beats) every 0.5 s; twelve missed beats mean it is gone, not slow."""


@dataclass(frozen=True, slots=True)
class NewSession:
    exercise_id: str
    side: Side
    source: Source
    started_at: datetime
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class PendingChunk:
    """Samples of one stream waiting to be committed, with their place in the stream."""

    stream_id: int
    seq: int
    samples: ImuSamples


@dataclass(frozen=True, slots=True)
class ResultRow:
    """What progress analytics needs of one analysed session."""

    session_id: int
    exercise: str
    side: Side
    started_at: datetime
    calibrated: bool
    peaks: dict[str, float | None]
    reps: tuple[tuple[str, float], ...]
    """(motion, signed peak angle)"""
    holds: tuple[tuple[str, float, float], ...]
    """(motion, duration s, signed angle)"""
    sets: tuple[int, ...]
    """reps per set"""


@dataclass(frozen=True, slots=True)
class PendingGap:
    stream_id: int
    start_s: float
    end_s: float
    reason: str


class SessionStore:
    def __init__(self, session_factory: sessionmaker[OrmSession]) -> None:
        self._session_factory = session_factory

    # -- writing a recording -------------------------------------------------------------------
    def create_session(self, new: NewSession, streams: Sequence[StreamSpec], now: datetime) -> dict[str, int]:
        """Insert the session (status recording) and its streams; returns stream ids by placement."""
        with self._session_factory.begin() as orm:
            row = m.Session(exercise_id=new.exercise_id, side=new.side, source=new.source,
                            status=SessionStatus.RECORDING, started_at=new.started_at, notes=new.notes,
                            heartbeat_at=now)
            for spec in streams:
                row.streams.append(m.Stream(placement=spec.placement, rate_hz=spec.rate_hz, has_mag=spec.has_mag,
                                            device=_device(orm, spec)))
            orm.add(row)
            orm.flush()
            ids = {str(s.placement): s.id for s in row.streams}
            ids["session"] = row.id
            return ids

    def append_chunks(self, session_id: int, chunks: Iterable[PendingChunk], duration_s: float,
                      now: datetime, gaps: Iterable[PendingGap] = ()) -> None:
        """Commit chunks, gaps, stream counters and the heartbeat together: all or nothing."""
        with self._session_factory.begin() as orm:
            for gap in gaps:
                orm.add(m.GapRow(stream_id=gap.stream_id, start_s=gap.start_s, end_s=gap.end_s,
                                 reason=gap.reason[:64]))
            for chunk in chunks:
                samples = chunk.samples
                t0 = float(samples.time_s[0])
                orm.add(m.SampleChunk(stream_id=chunk.stream_id, seq=chunk.seq, t0_s=t0, n_samples=len(samples),
                                      codec=CODEC_VERSION, data=encode_chunk(samples, t0)))
                orm.execute(sa.update(m.Stream).where(m.Stream.id == chunk.stream_id).values(
                    sample_count=m.Stream.sample_count + len(samples),
                    first_time_s=sa.func.coalesce(m.Stream.first_time_s, t0),
                    last_time_s=float(samples.time_s[-1])))
            orm.execute(sa.update(m.Session).where(m.Session.id == session_id).values(
                duration_s=duration_s, heartbeat_at=now))

    def compact_stream(self, stream_id: int, target_samples: int = 4096) -> int:
        """Merge the small chunks a live recording commits into big ones; returns the new chunk count.

        Why: 0.5 s chunks keep a crash cheap while recording but deflate worse (see
        benchmarks/bench_storage.py). One transaction, so a crash here changes nothing; one group
        of chunks in memory at a time, so a long ride does not need its whole recording in RAM.
        """
        with self._session_factory.begin() as orm:
            has_mag = bool(orm.scalar(sa.select(m.Stream.has_mag).where(m.Stream.id == stream_id)))
            index = orm.execute(sa.select(m.SampleChunk.id, m.SampleChunk.seq, m.SampleChunk.n_samples).where(
                m.SampleChunk.stream_id == stream_id).order_by(m.SampleChunk.seq)).all()
            groups: list[list[tuple[int, int, int]]] = []
            for chunk_id, seq, n in index:
                if groups and sum(r[2] for r in groups[-1]) + n <= target_samples:
                    groups[-1].append((chunk_id, seq, n))
                else:
                    groups.append([(chunk_id, seq, n)])
            for group in groups:
                if len(group) > 1:
                    self._merge(orm, stream_id, [r[0] for r in group], group[0][1], has_mag)
            return len(groups)

    @staticmethod
    def _merge(orm: OrmSession, stream_id: int, chunk_ids: list[int], seq: int, has_mag: bool) -> None:
        rows = orm.execute(sa.select(m.SampleChunk.t0_s, m.SampleChunk.n_samples, m.SampleChunk.data).where(
            m.SampleChunk.id.in_(chunk_ids)).order_by(m.SampleChunk.seq)).all()
        merged = ImuSamples.concat([decode_chunk(data, t0, n, has_mag) for t0, n, data in rows])
        orm.execute(sa.delete(m.SampleChunk).where(m.SampleChunk.id.in_(chunk_ids)))
        t0 = float(merged.time_s[0])
        orm.add(m.SampleChunk(stream_id=stream_id, seq=seq, t0_s=t0, n_samples=len(merged), codec=CODEC_VERSION,
                              data=encode_chunk(merged, t0)))
        orm.flush()

    def finish_session(self, session_id: int, status: SessionStatus, duration_s: float | None = None) -> None:
        with self._session_factory.begin() as orm:
            values: dict[str, object] = {"status": status}
            if duration_s is not None:
                values["duration_s"] = duration_s
            orm.execute(sa.update(m.Session).where(m.Session.id == session_id).values(**values))

    def mark_stale_recordings_interrupted(self, now: datetime, stale_after_s: float = STALE_AFTER_S) -> list[int]:
        """Sessions still 'recording' whose recorder stopped beating were interrupted (killed, crashed)."""
        cutoff = now - timedelta(seconds=stale_after_s)
        with self._session_factory.begin() as orm:
            stale = orm.scalars(sa.select(m.Session.id).where(
                m.Session.status == SessionStatus.RECORDING, m.Session.heartbeat_at < cutoff)).all()
            if stale:
                orm.execute(sa.update(m.Session).where(m.Session.id.in_(stale)).values(
                    status=SessionStatus.INTERRUPTED))
            return list(stale)

    # -- reading -----------------------------------------------------------------------------------
    def list_sessions(self) -> list[SessionSummary]:
        with self._session_factory() as orm:
            rows = orm.scalars(sa.select(m.Session).options(
                selectinload(m.Session.streams).selectinload(m.Stream.device)).order_by(
                m.Session.started_at, m.Session.id)).all()
            return [_summary(row) for row in rows]

    def get_session(self, session_id: int) -> SessionSummary:
        with self._session_factory() as orm:
            row = orm.get(m.Session, session_id, options=[
                selectinload(m.Session.streams).selectinload(m.Stream.device)])
            if row is None:
                raise SessionNotFoundError(session_id)
            return _summary(row)

    def load_samples(self, stream_id: int) -> ImuSamples:
        """All committed samples of a stream, in order."""
        with self._session_factory() as orm:
            has_mag = orm.scalar(sa.select(m.Stream.has_mag).where(m.Stream.id == stream_id))
            chunks = orm.execute(sa.select(m.SampleChunk.t0_s, m.SampleChunk.n_samples, m.SampleChunk.data).where(
                m.SampleChunk.stream_id == stream_id).order_by(m.SampleChunk.seq)).all()
        return ImuSamples.concat([decode_chunk(data, t0, n, bool(has_mag)) for t0, n, data in chunks]) \
            if chunks else ImuSamples.empty(bool(has_mag))

    # -- analysis results ---------------------------------------------------------------------------
    def store_result(self, session_id: int, document: dict[str, Any], calibration_wxyz: list[float] | None,
                     calibration_quality: float | None) -> None:
        """Replace the session's results with a SPEC §5 document (one transaction)."""
        with self._session_factory.begin() as orm:
            session = orm.get(m.Session, session_id)
            if session is None:
                raise SessionNotFoundError(session_id)
            orm.execute(sa.delete(m.AnalysisResult).where(m.AnalysisResult.session_id == session_id))
            orm.add(_result_row(session_id, document))
            if calibration_wxyz is not None:
                thigh = next((s for s in session.streams if s.placement == session.side.thigh), None)
                orm.execute(sa.delete(m.Calibration).where(m.Calibration.session_id == session_id))
                w, x, y, z = calibration_wxyz
                orm.add(m.Calibration(device_id=thigh.device_id if thigh else None, placement=session.side.thigh,
                                      session_id=session_id, q_sensor_to_segment_w=w, q_sensor_to_segment_x=x,
                                      q_sensor_to_segment_y=y, q_sensor_to_segment_z=z,
                                      quality=calibration_quality))

    def load_result(self, session_id: int) -> dict[str, Any] | None:
        """The stored SPEC §5 document of a session, or None if it was never analysed."""
        with self._session_factory() as orm:
            row = orm.scalar(sa.select(m.AnalysisResult).where(m.AnalysisResult.session_id == session_id).options(
                selectinload(m.AnalysisResult.holds), selectinload(m.AnalysisResult.reps),
                selectinload(m.AnalysisResult.sets), selectinload(m.AnalysisResult.ride)))
            return None if row is None else _result_document(row)

    def load_gaps(self, stream_id: int) -> list[Gap]:
        """The stream's gaps in time order."""
        with self._session_factory() as orm:
            rows = orm.execute(sa.select(m.GapRow.start_s, m.GapRow.end_s, m.GapRow.reason).where(
                m.GapRow.stream_id == stream_id).order_by(m.GapRow.start_s)).all()
        return [Gap(start, end, reason) for start, end, reason in rows]

    # -- pain ------------------------------------------------------------------------------------------
    def add_pain(self, session_id: int, score: int, now: datetime, set_index: int | None = None,
                 note: str | None = None) -> PainEntry:
        """Log pain for a session or one of its sets; scores outside 0–10 are refused, not clipped."""
        if not 0 <= score <= 10:
            raise BadInputError(f"pain score {score} is outside 0–10")
        if set_index is not None and set_index < 0:
            raise BadInputError(f"set number must be 1 or more, got {set_index + 1}")
        with self._session_factory.begin() as orm:
            if orm.get(m.Session, session_id) is None:
                raise SessionNotFoundError(session_id)
            orm.add(m.PainRating(session_id=session_id, score=score, set_index=set_index, note=note,
                                 recorded_at=now))
        return PainEntry(session_id, score, set_index, note, now)

    def list_pain(self, session_id: int | None = None) -> list[PainEntry]:
        """Pain entries of one session, or of all sessions, oldest first."""
        with self._session_factory() as orm:
            query = sa.select(m.PainRating).order_by(m.PainRating.recorded_at, m.PainRating.id)
            if session_id is not None:
                query = query.where(m.PainRating.session_id == session_id)
            return [PainEntry(r.session_id, r.score, r.set_index, r.note, r.recorded_at) for r in orm.scalars(query)]

    # -- plan ------------------------------------------------------------------------------------------
    def add_plan_item(self, item: PlanItem) -> PlanItem:
        p = item.prescription
        with self._session_factory.begin() as orm:
            row = m.PlanItem(exercise_id=item.exercise_id, side=item.side, started_on=item.started_on,
                             target_deg=item.target_deg, active=item.active,
                             **_span_columns("sets", p.sets), **_span_columns("reps", p.reps),
                             **_span_columns("hold_s", p.hold_s),
                             **_span_columns("sessions_per_week", item.sessions_per_week))
            orm.add(row)
            orm.flush()
            return replace(item, id=row.id)

    def list_plan_items(self, include_inactive: bool = False) -> list[PlanItem]:
        with self._session_factory() as orm:
            query = sa.select(m.PlanItem).order_by(m.PlanItem.id)
            if not include_inactive:
                query = query.where(m.PlanItem.active.is_(True))
            return [_plan_item(row) for row in orm.scalars(query)]

    def deactivate_plan_item(self, item_id: int) -> None:
        """Plan items are retired, not deleted: past weeks' adherence still counts them."""
        with self._session_factory.begin() as orm:
            row = orm.get(m.PlanItem, item_id)
            if row is None:
                raise BadInputError(f"no plan item {item_id} (see: hiptrack plan)")
            row.active = False

    # -- progress --------------------------------------------------------------------------------------
    def result_rows(self) -> list[ResultRow]:
        """Every analysed session's headline numbers and events, in a handful of queries (no raw samples).

        Why bulk: the dashboard's trends must open in well under a second on years of sessions.
        """
        peak_columns = [getattr(m.AnalysisResult, column) for column in _PEAK_COLUMNS.values()]
        with self._session_factory() as orm:
            rows = orm.execute(sa.select(m.Session.id, m.Session.exercise_id, m.Session.side, m.Session.started_at,
                                         m.AnalysisResult.id, m.AnalysisResult.calibration_ok, *peak_columns)
                               .join(m.AnalysisResult, m.AnalysisResult.session_id == m.Session.id)
                               .order_by(m.Session.started_at, m.Session.id)).all()
            reps: dict[int, list[tuple[str, float]]] = {}
            for result_id, motion, peak in orm.execute(sa.select(m.RepRow.result_id, m.RepRow.motion,
                                                                 m.RepRow.peak_deg)):
                reps.setdefault(result_id, []).append((motion, peak))
            holds: dict[int, list[tuple[str, float, float]]] = {}
            for result_id, motion, start, end, angle in orm.execute(sa.select(
                    m.HoldRow.result_id, m.HoldRow.motion, m.HoldRow.start_s, m.HoldRow.end_s, m.HoldRow.angle_deg)):
                holds.setdefault(result_id, []).append((motion, end - start, angle))
            sets: dict[int, list[int]] = {}
            for result_id, n in orm.execute(sa.select(m.SetRow.result_id, m.SetRow.reps).order_by(m.SetRow.start_s)):
                sets.setdefault(result_id, []).append(n)
        keys = tuple(_PEAK_COLUMNS)
        return [ResultRow(session_id, exercise, side, started_at, calibrated, dict(zip(keys, peaks, strict=True)),
                          tuple(reps.get(result_id, ())), tuple(holds.get(result_id, ())),
                          tuple(sets.get(result_id, ())))
                for session_id, exercise, side, started_at, result_id, calibrated, *peaks in rows]

    def session_ids(self) -> list[int]:
        with self._session_factory() as orm:
            return list(orm.scalars(sa.select(m.Session.id).order_by(m.Session.id)))

    def delete_session(self, session_id: int) -> None:
        with self._session_factory.begin() as orm:
            row = orm.get(m.Session, session_id)
            if row is None:
                raise SessionNotFoundError(session_id)
            orm.delete(row)


_PEAK_COLUMNS = {"flexion_deg": "flexion_max_deg", "extension_deg": "extension_max_deg",
                 "abduction_deg": "abduction_max_deg", "adduction_deg": "adduction_max_deg",
                 "internal_rotation_deg": "internal_rotation_max_deg",
                 "external_rotation_deg": "external_rotation_max_deg"}


def _result_row(session_id: int, document: dict[str, Any]) -> m.AnalysisResult:
    calibration = document["calibration"]
    peaks = document.get("peaks") or {}
    row = m.AnalysisResult(
        session_id=session_id, algorithm_version=str(document.get("algorithm_version", "?")),
        calibration_ok=bool(calibration["ok"]), calibration_start_s=calibration.get("start_s"),
        calibration_end_s=calibration.get("end_s"), calibration_problem=calibration.get("problem"),
        **{column: peaks.get(key) for key, column in _PEAK_COLUMNS.items()})
    row.holds = [m.HoldRow(motion=h["motion"], start_s=h["start_s"], end_s=h["end_s"], angle_deg=h["angle_deg"])
                 for h in document["holds"]]
    row.reps = [m.RepRow(motion=r["motion"], start_s=r["start_s"], end_s=r["end_s"], peak_deg=r["peak_deg"])
                for r in document["reps"]]
    row.sets = [m.SetRow(start_s=s["start_s"], end_s=s["end_s"], reps=s["reps"]) for s in document["sets"]]
    ride = document.get("ride")
    if ride and ride.get("revolutions"):          # a ride with no pedalling has nothing to store
        known = {c.key for c in m.RideRow.__table__.columns} - {"id", "result_id", "details"}
        row.ride = m.RideRow(**{k: ride[k] for k in known}, details={k: v for k, v in ride.items() if k not in known})
    return row


def _result_document(row: m.AnalysisResult) -> dict[str, Any]:
    calibration: dict[str, Any] = {"ok": row.calibration_ok}
    if row.calibration_ok:
        calibration |= {"start_s": row.calibration_start_s, "end_s": row.calibration_end_s}
    else:
        calibration["problem"] = row.calibration_problem
    peaks = {key: getattr(row, column) for key, column in _PEAK_COLUMNS.items()} if row.calibration_ok else None
    ride = None
    if row.ride is not None:
        ride = {c.key: getattr(row.ride, c.key) for c in m.RideRow.__table__.columns
                if c.key not in ("id", "result_id", "details")} | (row.ride.details or {})
    return {
        "calibration": calibration, "peaks": peaks,
        "holds": [{"start_s": h.start_s, "end_s": h.end_s, "duration_s": round(h.end_s - h.start_s, 3),
                   "angle_deg": h.angle_deg, "motion": h.motion} for h in sorted(row.holds, key=lambda h: h.start_s)],
        "reps": [{"start_s": r.start_s, "end_s": r.end_s, "peak_deg": r.peak_deg, "motion": r.motion}
                 for r in sorted(row.reps, key=lambda r: r.start_s)],
        "sets": [{"start_s": s.start_s, "end_s": s.end_s, "reps": s.reps}
                 for s in sorted(row.sets, key=lambda s: s.start_s)],
        "ride": ride, "algorithm_version": row.algorithm_version,
    }


def _span_columns(name: str, span: tuple[float, float] | None) -> dict[str, float | None]:
    return {f"{name}_min": None if span is None else span[0], f"{name}_max": None if span is None else span[1]}


def _span(low: float | None, high: float | None) -> tuple[float, float] | None:
    return None if low is None or high is None else (low, high)


def _plan_item(row: m.PlanItem) -> PlanItem:
    prescription = Prescription(sets=_span(row.sets_min, row.sets_max), reps=_span(row.reps_min, row.reps_max),
                                hold_s=_span(row.hold_s_min, row.hold_s_max),
                                sessions_per_week=(row.sessions_per_week_min, row.sessions_per_week_max))
    return PlanItem(row.exercise_id, row.side, prescription, row.started_on, row.target_deg, row.id, row.active)


def _device(orm: OrmSession, spec: StreamSpec) -> m.Device:
    """The device row for the stream's address, created if new.

    Why an upsert and not select-then-insert: two workstations (or processes) starting with the
    same sensor both see no row and both insert; the second insert then breaks the unique address
    and loses its recording. "Insert unless present" waits for the other transaction instead.
    """
    dialect = orm.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        orm.execute(insert(m.Device).values(address=spec.device_address, name=spec.device_name,
                                            profile=spec.profile, created_at=m.utc_now())
                    .on_conflict_do_nothing(index_elements=["address"]))
    device = orm.scalar(sa.select(m.Device).where(m.Device.address == spec.device_address))
    if device is None:
        device = m.Device(address=spec.device_address, name=spec.device_name, profile=spec.profile)
        orm.add(device)
    return device


def _summary(row: m.Session) -> SessionSummary:
    streams = tuple(StreamInfo(s.id, s.placement, s.rate_hz, s.sample_count, s.has_mag,
                               s.device.name if s.device else None) for s in row.streams)
    thigh = next((s for s in streams if s.placement == row.side.thigh), streams[0] if streams else None)
    return SessionSummary(
        id=row.id, exercise=row.exercise_id, side=row.side, source=row.source, status=row.status,
        started_at=row.started_at, duration_s=row.duration_s, samples=sum(s.samples for s in streams),
        rate_hz=thigh.rate_hz if thigh else 0.0, notes=row.notes, streams=streams)
