"""The one recording path: any sample source → durable chunks in the database → analysis → results.

`demo`, `import` and (with the BLE issue) `record` all go through :class:`Recorder`, so durability,
interruption handling and analysis behave the same whatever the samples came from.

Durability (SPEC §9): samples are committed at least every ``flush_interval_s`` of wall-clock time
(0.5 s by default), together with a heartbeat. A killed process therefore loses at most the samples
that arrived since the last commit, and the stale heartbeat tells the next start that the session
was interrupted rather than still recording. SQLite commits are synced (synchronous=FULL) and the
write-ahead log is copied into the main file every ``checkpoint_interval_s`` and at the end, so a
power loss keeps what was committed and a crash image without its `-wal` file still holds the
schema and all but the last half minute.

Nothing fails silently: the source and the heartbeat are one unit; when either fails the recording
stops and says why (RecordingFailedError).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from sqlalchemy.exc import DBAPIError

from sensors.samples import ImuSamples
from sensors.source import SampleBlock, SampleSource, StreamGap
from tracker.domain import SessionStatus
from tracker.errors import HiptrackError, RecordingFailedError, SessionTakenError
from tracker.storage.session_repository import NewSession, PendingChunk, PendingGap, SessionRepository


@dataclass(frozen=True, slots=True)
class RecordingStatus:
    """Posted after each commit; cheap enough for a once-a-second progress line."""

    session_id: int
    duration_s: float
    samples_by_placement: dict[str, int]


_LOGGER = logging.getLogger(__name__)

CHECKPOINT_INTERVAL_S = 30.0
"""How often (wall clock) the recorder copies the write-ahead log into the main database file."""

MAX_CHUNK_BREAK_S = 60.0
"""A longer break in a stream's time starts a new chunk (a chunk's time offsets must stay small)."""


@dataclass
class _StreamBuffer:
    stream_id: int
    next_seq: int = 0
    pending: list[ImuSamples] = field(default_factory=list)
    pending_samples: int = 0

    def take(self, max_samples: int) -> list[PendingChunk]:
        """Cut the pending samples into chunks of at most max_samples, and at every long break in time.

        Why cut at breaks: a chunk stores times relative to its first sample in a bounded format, so a
        clock that jumps (a sensor's counter, a suspended laptop) must start a new chunk, not overflow one.
        """
        if not self.pending:
            return []
        joined = ImuSamples.concat(self.pending)
        self.pending, self.pending_samples = [], 0
        breaks = np.flatnonzero(np.diff(joined.time_s) > MAX_CHUNK_BREAK_S) + 1
        edges = np.union1d(np.arange(0, len(joined), max_samples), breaks)
        chunks = []
        for start, stop in zip(edges, [*edges[1:], len(joined)], strict=True):
            chunks.append(PendingChunk(self.stream_id, self.next_seq, joined.slice(int(start), int(stop))))
            self.next_seq += 1
        return chunks


class Recorder:
    def __init__(self, sessions: SessionRepository, *, flush_interval_s: float = 0.5,
                 max_chunk_samples: int = 4096, checkpoint_interval_s: float = CHECKPOINT_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._sessions = sessions
        self._flush_interval_s = flush_interval_s
        self._max_chunk_samples = max_chunk_samples
        self._checkpoint_interval_s = checkpoint_interval_s
        self._clock = clock

    async def record(self, source: SampleSource, new: NewSession,
                     on_progress: Callable[[RecordingStatus], None] | None = None,
                     on_block: Callable[[SampleBlock | StreamGap], None] | None = None,
                     finish: bool = True) -> int:
        """Record until the source ends (complete) or the task is cancelled (complete, cut short).

        Returns the session id. If the process dies instead, the session stays 'recording' with a
        stale heartbeat until :meth:`SessionRepository.mark_stale_interrupted` runs.
        `on_block` sees every block and gap as it arrives (live displays); it must be quick.
        finish=False leaves the session 'recording' for the caller to publish (imports: with its result).

        The source and the heartbeat are supervised together: if either fails (a database write,
        the sensor, a callback), the other is stopped at once, what was committed stays, the session
        is marked interrupted (if the database still takes that write) and RecordingFailedError
        says what happened. With finish=False the original error is raised instead: the caller owns
        the session.
        """
        now = _now()
        ids = await asyncio.to_thread(self._sessions.create, new, source.streams, now)
        run = _Run(ids["session"], {spec.placement: _StreamBuffer(ids[str(spec.placement)])
                                    for spec in source.streams}, on_progress, last_beat=now,
                   checkpointed_at=self._clock())
        await asyncio.to_thread(self._sessions.checkpoint)       # the schema and the session in the main file
        tasks = (asyncio.create_task(self._consume(source, run, on_block)), asyncio.create_task(self._beat(run)))
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            await asyncio.shield(self._wind_up(run, tasks, finish))
        return run.session_id

    async def _consume(self, source: SampleSource, run: _Run,
                       on_block: Callable[[SampleBlock | StreamGap], None] | None) -> None:
        async for block in source.blocks():
            if on_block is not None:
                on_block(block)
            if isinstance(block, StreamGap):
                run.gaps.append(PendingGap(run.buffers[block.placement].stream_id, block.start_s, block.end_s,
                                           block.reason))
                continue
            buffer = run.buffers[block.placement]
            buffer.pending.append(block.samples)
            buffer.pending_samples += len(block.samples)
            run.observe(block.samples)
            if buffer.pending_samples >= self._max_chunk_samples:
                await self._flush(run)

    async def _beat(self, run: _Run) -> None:
        """Commit whatever arrived (and the heartbeat) every flush interval, even when nothing did."""
        while True:
            await asyncio.sleep(self._flush_interval_s)
            await self._flush(run)

    async def _wind_up(self, run: _Run, tasks: tuple[asyncio.Task[None], ...], finish: bool) -> None:
        """Stop the source and the heartbeat together; then finish, or fail loudly if either failed."""
        for task in tasks:
            task.cancel()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        failure = next((o for o in outcomes if isinstance(o, Exception)), None)
        if failure is None:
            try:
                await self._finish(run, finish)
                return
            except Exception as err:            # the last commit, the status or the compaction
                failure = err
        if not finish:
            raise failure
        raise await self._failed(run, failure) from failure

    async def _failed(self, run: _Run, failure: Exception) -> RecordingFailedError:
        """Keep what can be kept and mark the session interrupted, as far as the database lets us."""
        _LOGGER.debug("session %s: recording failed", run.session_id, exc_info=failure)
        kept = sum(run.committed.values())
        if isinstance(failure, SessionTakenError):            # not ours any more: touch nothing
            return RecordingFailedError(run.session_id, str(failure), kept, "left as the other process left it")
        with contextlib.suppress(Exception):   # samples received but not committed (the source failed, not the disk)
            await self._flush(run)
            kept = sum(run.committed.values())
        try:
            await asyncio.to_thread(self._sessions.finish, run.session_id, SessionStatus.INTERRUPTED,
                                    run.committed_duration_s)
            state = "marked interrupted"
        except Exception as err:                # the next start marks it, from its stale heartbeat
            _LOGGER.debug("session %s: could not mark it interrupted", run.session_id, exc_info=err)
            state = "to be marked interrupted at the next start"
        return RecordingFailedError(run.session_id, _problem(failure), kept, state,
                                    exit_code=getattr(failure, "exit_code", RecordingFailedError.exit_code))

    async def _flush(self, run: _Run) -> None:
        """Commit what arrived, with the heartbeat.

        Shielded: a stop that lands mid-commit must not forget a commit the database made (the next
        one would then take the session for another writer's); the lock keeps commits in order.
        """
        await asyncio.shield(self._commit(run))

    async def _commit(self, run: _Run) -> None:
        async with run.lock:
            chunks = [c for b in run.buffers.values() for c in b.take(self._max_chunk_samples)]
            gaps, run.gaps = run.gaps, []
            now, duration_s = _now(), run.duration_s
            await asyncio.to_thread(self._sessions.append, run.session_id, chunks, duration_s, now, gaps,
                                    last_beat=run.last_beat)
            run.last_beat, run.committed_duration_s = now, duration_s
            for chunk in chunks:
                run.committed[chunk.stream_id] = run.committed.get(chunk.stream_id, 0) + len(chunk.samples)
            if self._clock() - run.checkpointed_at >= self._checkpoint_interval_s:
                await asyncio.to_thread(self._sessions.checkpoint)
                run.checkpointed_at = self._clock()
        if run.on_progress is not None:
            counts = {str(p): run.committed.get(b.stream_id, 0) for p, b in run.buffers.items()}
            # what was committed, not what arrived meanwhile: "3.1 s recorded" must be in the database
            run.on_progress(RecordingStatus(run.session_id, run.committed_duration_s, counts))

    async def _finish(self, run: _Run, finish: bool) -> None:
        await self._flush(run)
        if finish:
            await asyncio.to_thread(self._sessions.finish, run.session_id, SessionStatus.COMPLETE, run.duration_s)
        try:            # housekeeping: the session is whole without it (compaction is one transaction)
            for buffer in run.buffers.values():
                await asyncio.to_thread(self._sessions.compact_stream, buffer.stream_id, self._max_chunk_samples)
            await asyncio.to_thread(self._sessions.checkpoint)
        except Exception as err:                # e.g. no room left for the merged chunks: keep the small ones
            _LOGGER.warning("session %s: stored whole, but not compacted (%s)", run.session_id, _problem(err))


def _problem(err: Exception) -> str:
    """What failed, in words a user can act on (one line)."""
    orig = err.orig if isinstance(err, DBAPIError) else err
    message = " ".join(str(orig).split()) or type(orig).__name__
    if isinstance(orig, sqlite3.Error) or isinstance(err, DBAPIError):
        return f"the database refused a write ({message})"
    if isinstance(err, HiptrackError):
        return message
    return f"{type(err).__name__}: {message}"


@dataclass
class _Run:
    """State of one recording in progress."""

    session_id: int
    buffers: dict[object, _StreamBuffer]
    on_progress: Callable[[RecordingStatus], None] | None
    committed: dict[int, int] = field(default_factory=dict)
    gaps: list[PendingGap] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_beat: datetime | None = None
    """The heartbeat this recorder committed last (the session is ours while it is still there)."""
    committed_duration_s: float = 0.0
    checkpointed_at: float = 0.0
    first_sample_s: float | None = None
    last_sample_s: float | None = None

    def observe(self, samples: ImuSamples) -> None:
        if len(samples) == 0:
            return
        first, last = float(samples.time_s[0]), float(samples.time_s[-1])
        self.first_sample_s = first if self.first_sample_s is None else min(self.first_sample_s, first)
        self.last_sample_s = last if self.last_sample_s is None else max(self.last_sample_s, last)

    @property
    def duration_s(self) -> float:
        if self.first_sample_s is None or self.last_sample_s is None:
            return 0.0
        return self.last_sample_s - self.first_sample_s


def _now() -> datetime:
    return datetime.now(UTC)
