"""Session storage service: every public method is one transaction (one user-visible action).

Methods take and return domain objects (tracker.domain, sensors.samples), never ORM rows, so
callers cannot lazy-load across a closed session or hold a transaction open by accident.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import selectinload, sessionmaker

from analysis.results import SessionResult
from sensors.samples import ImuSamples
from sensors.source import StreamSpec
from tracker.catalog import Prescription
from tracker.domain import (
    AnalysedSession,
    Gap,
    PainEntry,
    SessionStatus,
    SessionSummary,
    Side,
    Source,
    StreamInfo,
    thigh_of,
)
from tracker.errors import BadInputError, SessionNotFoundError
from tracker.plans import PlanItem
from tracker.storage import models as m
from tracker.storage.result_rows import calibrations as _calibrations
from tracker.storage.result_rows import result_children as _result_children
from tracker.storage.result_rows import result_from_rows, result_row
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
    def store_result(self, session_id: int, result: SessionResult) -> None:
        """Replace the session's results (and its strap calibration) with `result`, in one transaction."""
        with self._session_factory.begin() as orm:
            session = orm.get(m.Session, session_id)
            if session is None:
                raise SessionNotFoundError(session_id)
            orm.execute(sa.delete(m.AnalysisResult).where(m.AnalysisResult.session_id == session_id))
            orm.execute(sa.delete(m.Calibration).where(m.Calibration.session_id == session_id))
            orm.add(result_row(session_id, result))
            calibration = result.calibration
            if calibration.q_sensor_to_thigh_wxyz is not None:
                placement = thigh_of(session.side)
                thigh = next((s for s in session.streams if s.placement == placement), None)
                w, x, y, z = calibration.q_sensor_to_thigh_wxyz
                orm.add(m.Calibration(device_id=thigh.device_id if thigh else None, placement=placement,
                                      session_id=session_id, q_sensor_to_segment_w=w, q_sensor_to_segment_x=x,
                                      q_sensor_to_segment_y=y, q_sensor_to_segment_z=z,
                                      quality=calibration.planarity))

    def load_result(self, session_id: int) -> SessionResult | None:
        """The stored result of a session, or None if it was never analysed."""
        with self._session_factory() as orm:
            found = self._analysed(orm, m.Session.id == session_id)
        return found[0].result if found else None

    def analysed_sessions(self) -> list[AnalysedSession]:
        """Every analysed session with its result, oldest first, in a handful of queries (no raw samples).

        Why bulk: the dashboard's trends must open in well under a second on years of sessions.
        """
        with self._session_factory() as orm:
            return self._analysed(orm, sa.true())

    @staticmethod
    def _analysed(orm: OrmSession, where: sa.ColumnElement[bool]) -> list[AnalysedSession]:
        rows = orm.execute(sa.select(m.Session, m.AnalysisResult).join(
            m.AnalysisResult, m.AnalysisResult.session_id == m.Session.id).where(where).order_by(
            m.Session.started_at, m.Session.id)).all()
        ids = [result.id for _, result in rows]
        children = _result_children(orm, ids, len(rows) == 1)
        calibrations = _calibrations(orm, [session.id for session, _ in rows])
        return [AnalysedSession(session.id, session.exercise_id, session.side, session.started_at,
                                result_from_rows(session, result, children, calibrations.get(session.id)))
                for session, result in rows]

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

    def session_ids(self) -> list[int]:
        with self._session_factory() as orm:
            return list(orm.scalars(sa.select(m.Session.id).order_by(m.Session.id)))

    def delete_session(self, session_id: int) -> None:
        with self._session_factory.begin() as orm:
            row = orm.get(m.Session, session_id)
            if row is None:
                raise SessionNotFoundError(session_id)
            orm.delete(row)


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
    thigh = next((s for s in streams if s.placement == thigh_of(row.side)), streams[0] if streams else None)
    return SessionSummary(
        id=row.id, exercise=row.exercise_id, side=row.side, source=row.source, status=row.status,
        started_at=row.started_at, duration_s=row.duration_s, samples=sum(s.samples for s in streams),
        rate_hz=thigh.rate_hz if thigh else 0.0, notes=row.notes, streams=streams)
