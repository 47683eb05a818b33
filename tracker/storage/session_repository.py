"""The session aggregate: a recording, its streams, their raw sample chunks and gaps.

A recorder writes through it while recording (chunks and heartbeat, all or nothing per commit),
readers list and load sessions; results, pain and plans have repositories of their own.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session as OrmSession

from sensors.samples import ImuSamples
from sensors.source import StreamSpec
from tracker.domain import Gap, SessionStatus, SessionSummary, Side, Source
from tracker.errors import DamagedStorageError, SessionNotFoundError, SessionTakenError
from tracker.storage import models as m
from tracker.storage import reading
from tracker.storage.reading import STALE_AFTER_S
from tracker.storage.repository_base import Repository
from tracker.storage.sample_codec import CODEC_VERSION, decode_chunk, encode_chunk

_LOGGER = logging.getLogger(__name__)

MAX_MERGED_SPAN_S = 600.0
"""Compaction keeps a chunk's times within this of its first (the codec holds offsets up to ~1000 s)."""



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


class SessionRepository(Repository):
    def create(self, new: NewSession, streams: Sequence[StreamSpec], now: datetime) -> dict[str, int]:
        """Insert the session (status recording) and its streams; returns stream ids by placement."""
        with self._write() as orm:
            row = m.Session(person_id=self.person_id, exercise_id=new.exercise_id, side=new.side, source=new.source,
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

    def append(self, session_id: int, chunks: Iterable[PendingChunk], duration_s: float, now: datetime,
               gaps: Iterable[PendingGap] = (), *, last_beat: datetime | None = None) -> bool:
        """Commit chunks, gaps, stream counters and the heartbeat together: all or nothing.

        `last_beat` is the heartbeat this writer committed last. A session another process marked
        interrupted while this writer was paused (a suspended laptop, SIGSTOP) is taken back to
        'recording' in the same transaction, but only while it is still this writer's: unfinished,
        and with no heartbeat but ours since. Returns True when it was taken back; raises
        SessionTakenError when the session is no longer this writer's.
        Why the heartbeat update comes first: it takes the write lock before anything is read, so
        no other writer can slip in between the check and the writes.
        """
        with self._write() as orm:
            reclaimed = self._beat_as_writer(orm, session_id, duration_s, now, last_beat)
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
            return reclaimed

    @staticmethod
    def _beat_as_writer(orm: OrmSession, session_id: int, duration_s: float, now: datetime,
                        last_beat: datetime | None) -> bool:
        """Write the heartbeat if the session is still this writer's; True if it had been marked interrupted."""
        mine = sa.and_(m.Session.id == session_id,
                       m.Session.status.in_([SessionStatus.RECORDING, SessionStatus.INTERRUPTED]))
        if last_beat is not None:
            mine = sa.and_(mine, m.Session.heartbeat_at == last_beat)
        status = orm.execute(sa.update(m.Session).where(mine).values(duration_s=duration_s, heartbeat_at=now)
                             .returning(m.Session.status)).scalar_one_or_none()
        if status is None:
            raise SessionTakenError(session_id)
        if status is not SessionStatus.INTERRUPTED:
            return False
        orm.execute(sa.update(m.Session).where(m.Session.id == session_id).values(status=SessionStatus.RECORDING))
        _LOGGER.warning("session %s: marked interrupted while its recorder was paused (no commit since %s); "
                        "the recorder is back and the session is recording again", session_id,
                        last_beat.isoformat(timespec="seconds") if last_beat else "?")
        return True

    def checkpoint(self) -> None:
        """Copy what the write-ahead log holds into the main file (SQLite; other databases: nothing).

        Why: until a checkpoint, committed data lives only in the `-wal` file beside the database;
        a crash image without it (a backup copying only the main file, a lost WAL) would be empty.
        PASSIVE never waits for readers: what they still hold goes in at the next checkpoint.
        """
        with self._session_factory() as orm:
            connection = orm.connection()
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def compact_stream(self, stream_id: int, target_samples: int = 4096) -> int:
        """Merge the small chunks a live recording commits into big ones; returns the new chunk count.

        Why: 0.5 s chunks keep a crash cheap while recording but deflate worse (see
        benchmarks/bench_storage.py). One transaction, so a crash here changes nothing; one group
        of chunks in memory at a time, so a long ride does not need its whole recording in RAM.
        Chunks far apart in time (a clock jump) stay apart, and a damaged chunk is left as it is.
        """
        with self._write() as orm:
            has_mag = bool(orm.scalar(sa.select(m.Stream.has_mag).where(m.Stream.id == stream_id)))
            index = orm.execute(sa.select(m.SampleChunk.id, m.SampleChunk.seq, m.SampleChunk.n_samples,
                                          m.SampleChunk.t0_s).where(
                m.SampleChunk.stream_id == stream_id).order_by(m.SampleChunk.seq)).all()
            groups: list[list[tuple[int, int, int, float]]] = []
            for chunk_id, seq, n, t0 in index:
                if groups and sum(r[2] for r in groups[-1]) + n <= target_samples \
                        and t0 - groups[-1][0][3] <= MAX_MERGED_SPAN_S:
                    groups[-1].append((chunk_id, seq, n, t0))
                else:
                    groups.append([(chunk_id, seq, n, t0)])
            for group in groups:
                if len(group) > 1:
                    self._merge(orm, stream_id, [r[0] for r in group], group[0][1], has_mag)
            return len(groups)

    @staticmethod
    def _merge(orm: OrmSession, stream_id: int, chunk_ids: list[int], seq: int, has_mag: bool) -> None:
        rows = orm.execute(sa.select(m.SampleChunk.t0_s, m.SampleChunk.n_samples, m.SampleChunk.data).where(
            m.SampleChunk.id.in_(chunk_ids)).order_by(m.SampleChunk.seq)).all()
        try:
            merged = ImuSamples.concat([decode_chunk(data, t0, n, has_mag) for t0, n, data in rows])
            t0 = float(merged.time_s[0])
            data = encode_chunk(merged, t0)
        except (zlib.error, ValueError) as err:     # damaged, or too long a span: keep the chunks as they are
            _LOGGER.warning("stream %s: chunks %s left unmerged (%s)", stream_id, chunk_ids, err)
            return
        orm.execute(sa.delete(m.SampleChunk).where(m.SampleChunk.id.in_(chunk_ids)))
        orm.add(m.SampleChunk(stream_id=stream_id, seq=seq, t0_s=t0, n_samples=len(merged), codec=CODEC_VERSION,
                              data=data))
        orm.flush()

    def finish(self, session_id: int, status: SessionStatus, duration_s: float | None = None) -> None:
        with self._write() as orm:
            values: dict[str, object] = {"status": status}
            if duration_s is not None:
                values["duration_s"] = duration_s
            orm.execute(sa.update(m.Session).where(m.Session.id == session_id).values(**values))

    def beat(self, session_id: int, now: datetime) -> None:
        """The writer of an unfinished session is alive (it is busy, e.g. analysing an import)."""
        with self._write() as orm:
            orm.execute(sa.update(m.Session).where(m.Session.id == session_id).values(heartbeat_at=now))

    def mark_stale_interrupted(self, now: datetime, stale_after_s: float = STALE_AFTER_S) -> list[int]:
        """Sessions still 'recording' whose recorder stopped beating were interrupted (killed, crashed).

        An import that stopped beating was never published: it is removed, not kept half-written.
        """
        with self._write() as orm:
            return reading.mark_stale_interrupted(orm.connection(), now, stale_after_s)

    def summaries(self) -> list[SessionSummary]:
        """Every published session, oldest first (an import in progress is not a session yet)."""
        with self._connection() as connection:
            return reading.summaries(connection, self.person_id)

    def get(self, session_id: int) -> SessionSummary:
        with self._connection() as connection:
            return reading.summary(connection, session_id, self.person_id)

    def samples(self, stream_id: int, damaged: list[Gap] | None = None, *, compact: bool = False) -> ImuSamples:
        """All committed samples of a stream, in order.

        A chunk that no longer decodes (a damaged disk or file) is skipped as a gap appended to
        `damaged`, so the rest of the session stays usable; without a list to report it to, it
        raises DamagedStorageError: a caller must choose to accept a hole, never get one silently.
        compact: values (not times) as float32, for analysis: a day at 100 Hz is then ~280 MB, not ~480.
        Chunks are decoded into arrays sized once, so there is never a second copy of the whole stream.
        """
        with self._read() as orm:
            has_mag, rate_hz = orm.execute(sa.select(m.Stream.has_mag, m.Stream.rate_hz).where(
                m.Stream.id == stream_id)).one_or_none() or (False, 0.0)
            chunks = orm.execute(sa.select(m.SampleChunk.seq, m.SampleChunk.t0_s, m.SampleChunk.n_samples,
                                           m.SampleChunk.data).where(
                m.SampleChunk.stream_id == stream_id).order_by(m.SampleChunk.seq)).all()
        total = sum(int(n) for _, _, n, _ in chunks)
        dtype = np.float32 if compact else np.float64
        time_s, acc, gyr = np.empty(total), np.empty((total, 3), dtype), np.empty((total, 3), dtype)
        mag = np.empty((total, 3), dtype) if has_mag else None
        filled = 0
        for index, (seq, t0, n, data) in enumerate(chunks):
            try:
                part = decode_chunk(data, t0, n, bool(has_mag))
            except (zlib.error, ValueError) as err:
                end = chunks[index + 1][1] if index + 1 < len(chunks) else t0 + n / (rate_hz or 1.0)
                if damaged is None:
                    raise DamagedStorageError(stream_id, seq, str(err)) from err
                damaged.append(Gap(float(t0), float(end), f"damaged chunk {seq}: {n} samples unreadable"))
                continue
            rows = slice(filled, filled + len(part))
            time_s[rows], acc[rows], gyr[rows] = part.time_s, part.acc_mps2, part.gyr_radps
            if mag is not None and part.mag_ut is not None:
                mag[rows] = part.mag_ut
            filled += len(part)
        return ImuSamples(time_s[:filled], acc[:filled], gyr[:filled], None if mag is None else mag[:filled])

    def gaps(self, stream_id: int) -> list[Gap]:
        """The stream's gaps in time order."""
        with self._read() as orm:
            rows = orm.execute(sa.select(m.GapRow.start_s, m.GapRow.end_s, m.GapRow.reason).where(
                m.GapRow.stream_id == stream_id).order_by(m.GapRow.start_s)).all()
        return [Gap(start, end, reason) for start, end, reason in rows]

    def ids(self) -> list[int]:
        """Ids of the published sessions."""
        with self._connection() as connection:
            return list(reading.session_ids(connection, self.person_id))

    def delete(self, session_id: int) -> None:
        with self._write() as orm:
            _delete(orm, session_id, self.person_id)


def _delete(orm: OrmSession, session_id: int, person_id: int | None) -> None:
    """Delete the session if it is `person_id`'s: nobody deletes another person's session by its id."""
    row = orm.get(m.Session, session_id)
    if row is None or row.person_id != person_id:
        raise SessionNotFoundError(session_id, another_persons=row is not None)
    orm.delete(row)


def _device(orm: OrmSession, spec: StreamSpec) -> m.Device:
    """The device row for the stream's address, created if new.

    Why an upsert and not select-then-insert: two workstations (or processes) starting with the
    same sensor both see no row and both insert; the second insert then breaks the unique address
    and loses its recording. "Insert unless present" waits for the other transaction instead.
    """
    dialect = orm.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        # The dialect's insert, imported here: listing sessions on SQLite need not load PostgreSQL's dialect.
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        orm.execute(insert(m.Device).values(address=spec.device_address, name=spec.device_name,
                                            profile=spec.profile, created_at=m.utc_now())
                    .on_conflict_do_nothing(index_elements=["address"]))
    device = orm.scalar(sa.select(m.Device).where(m.Device.address == spec.device_address))
    if device is None:
        device = m.Device(address=spec.device_address, name=spec.device_name, profile=spec.profile)
        orm.add(device)
    return device
