"""A live recording: the recorder stores every sample, the live analyzer previews, one snapshot shows both.

`hiptrack record` (printed lines or the live screen) and the dashboard's live screen all run a
LiveSession, so they store, preview, stop and analyse the same way. It runs on the caller's
event loop; database work goes through the recorder and asyncio.to_thread, never on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

import numpy as np

from analysis.live_analyzer import LiveAnalyzer, LiveState
from analysis.live_events import Calibrated, HoldEnded, LiveEvent, PelvisMoved, RepCounted
from analysis.live_pelvis import LivePelvis
from analysis.live_trace import Trace
from analysis.results import SessionResult
from sensors.notification_source import DecodeStats
from sensors.samples import ImuSamples, Placement
from sensors.source import SampleBlock, SampleSource, StreamGap, StreamSpec
from tracker import catalog
from tracker.catalog import Prescription
from tracker.domain import PainEntry, Side, Source, thigh_of
from tracker.errors import BadInputError
from tracker.recorder import RecordingStatus
from tracker.services import Services, analyze_session, record, session_result

EventCallback = Callable[[LiveEvent], None]

FEED_EVERY_S = 0.05
"""The thigh's samples reach the live analyzer in batches of this much data, or sooner whenever a view reads
the snapshot. Why: a sensor sends one to a few samples per notification, and each analyzer pass has a fixed
cost (the filter call, the hold detector's smoothing window) that per-notification feeding pays 200 times a
second; batched, the screen still sees every sample the moment it redraws."""

@dataclass(frozen=True, slots=True)
class LiveContext:
    """What a live view measures against."""

    motion: str
    """The motion the exercise is about (the gauge's direction)."""
    prescription: Prescription
    """The plan's dose, else the seed's."""
    target_deg: float | None
    best_deg: float | None
    """Personal best: the furthest signed angle of earlier sessions (same exercise and side)."""


SourceFactory = Callable[[], SampleSource | Awaitable[SampleSource]]


@dataclass(frozen=True, slots=True)
class LiveRequest:
    """What to record. The source is made when the recording starts (a Bluetooth sensor connects then)."""

    exercise_id: str
    side: Side
    source_factory: SourceFactory
    """Plain, or a coroutine function (Bluetooth: scan and connect on the recording's event loop)."""
    origin: Source
    target_deg: float | None = None
    """The angle aimed for (a plan's target), if there is one."""
    stop_source: Callable[[], Awaitable[None]] | None = None
    """Ends the source gracefully (Bluetooth: stop commands, disconnect), so the recording ends by
    itself with everything already received; without it, stop() cancels the recording."""


@runtime_checkable
class ReportsBattery(Protocol):
    """A source that knows its sensors' battery levels (BLE battery service)."""

    def battery_percent(self, placement: Placement) -> int | None: ...


@dataclass(frozen=True, slots=True)
class SensorStatus:
    placement: str
    device: str
    rate_hz: float
    """What the sensor should send."""
    samples: int
    measured_rate_hz: float | None
    gaps: int
    gap_s: float
    malformed: int
    """Notifications that could not be decoded (skipped)."""
    battery_percent: int | None
    silent_s: float | None
    """Wall-clock seconds since this sensor's last block (None before the first)."""

    @property
    def loss_percent(self) -> float:
        """Samples missing against the nominal rate over the time received (gaps included)."""
        if self.measured_rate_hz is None or self.samples < 2:
            return 0.0
        expected = self.samples * self.rate_hz / self.measured_rate_hz
        return max(0.0, 100.0 * (1.0 - self.samples / expected))


@dataclass(frozen=True, slots=True)
class LiveSnapshot:
    """Everything a live view shows, as one value: redraw from the newest, skip the rest."""

    state: LiveState
    session_id: int | None
    sensors: tuple[SensorStatus, ...]
    stored_samples: int
    running: bool
    events: tuple[LiveEvent, ...]
    """The most recent events, oldest first."""


@dataclass
class _Link:
    spec: StreamSpec
    samples: int = 0
    first_s: float | None = None
    last_s: float | None = None
    gaps: int = 0
    gap_s: float = 0.0
    arrived_at: float | None = None


@dataclass
class _Run:
    links: dict[str, _Link] = field(default_factory=dict)
    session_id: int | None = None
    stored: int = 0
    events: deque[LiveEvent] = field(default_factory=lambda: deque(maxlen=50))
    running: bool = False
    source: SampleSource | None = None
    unfed: list[ImuSamples] = field(default_factory=list)
    """Thigh samples the live analyzer has not seen yet (fed per batch: FEED_EVERY_S)."""


class LiveSession:
    """Record a request into a new session with a live preview; `run()` once, `stop()` any time."""

    def __init__(self, services: Services, request: LiveRequest, *, on_event: EventCallback | None = None,
                 on_progress: Callable[[RecordingStatus], None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.services = services
        self.request = request
        self.exercise = catalog.get(request.exercise_id)
        self._on_event = on_event
        self._on_progress = on_progress
        self._clock = clock
        self._analyzer: LiveAnalyzer | None = None
        self._pelvis: LivePelvis | None = None
        """The sacrum sensor's preview, when one is recorded: each rep and hold says if the pelvis moved."""
        self._run = _Run()
        self._task: asyncio.Task[int] | None = None
        """The recording itself (services.record), cancelled by stop()."""
        self._stopping = False
        self._stopper: asyncio.Future[None] | None = None
        """The source's graceful stop, once asked for (kept so it is not garbage-collected mid-way)."""

    @property
    def state(self) -> LiveState:
        """The newest preview alone (what the angle redraws need, thirty times a second): samples still
        waiting for the analyzer are fed first, so nothing shown is stale."""
        self._feed()
        return self._analyzer.state if self._analyzer is not None else LiveState()

    @property
    def trace(self) -> Trace:
        """The primary angle over the last half minute (see `state`; empty before any sample)."""
        self._feed()
        return self._analyzer.trace if self._analyzer is not None else Trace(np.zeros(0), np.zeros(0))

    @property
    def snapshot(self) -> LiveSnapshot:
        """The newest state of everything (see `state`)."""
        state, run = self.state, self._run
        return LiveSnapshot(state, run.session_id, tuple(self._status(link) for link in run.links.values()),
                            run.stored, run.running, tuple(run.events))

    async def run(self) -> int | None:
        """Record until the source ends or stop() is called; then analyse.

        Returns the session id (None if stopped before the session was even created).
        """
        made = self.request.source_factory()
        source = await made if inspect.isawaitable(made) else made
        if self._stopping:                                   # stopped while the sensors were connecting
            await self._stop_source()
            return None
        thigh = thigh_stream(source, self.request.side)
        self._analyzer = LiveAnalyzer(thigh.rate_hz, self.request.side.value, self.exercise.primary_motion,
                                      self.exercise.posture.value, self.exercise.counting)
        pelvis = next((s for s in source.streams if s.placement == Placement.PELVIS), None)
        self._pelvis = None if pelvis is None or self.exercise.counting == "ride" else LivePelvis(pelvis.rate_hz)
        self._run = _Run(links={str(s.placement): _Link(s) for s in source.streams}, running=True, source=source)
        self._task = asyncio.create_task(record(
            self.services, _Ending(source, self._ended), self.request.exercise_id, self.request.side,
            self.request.origin, on_progress=self._progressed, on_block=self._arrived))
        if self._stopping:                                   # stopped before it started
            self._task.cancel()
        try:
            return await self._task
        except asyncio.CancelledError:
            if not self._stopping:
                raise
            self._ended()
            if self._run.session_id is not None:
                await asyncio.to_thread(analyze_session, self.services, self._run.session_id)
            return self._run.session_id
        except Exception:                                   # the recording failed: the sensors stop streaming too
            with contextlib.suppress(Exception):
                await self._stop_source()
            raise
        finally:
            self._run.running = False

    def stop(self) -> None:
        """End the recording cleanly: what arrived is stored and analysed (Ctrl-C, the Stop key)."""
        self._stopping = True
        if self._task is None or self._task.done():
            return
        if self.request.stop_source is None:
            self._task.cancel()
        elif self._stopper is None:
            self._stopper = asyncio.ensure_future(self._stop_source())

    async def _stop_source(self) -> None:
        if self.request.stop_source is not None:
            await self.request.stop_source()

    def result(self) -> SessionResult | None:
        """The stored analysis of the recorded session (blocking: call in a thread)."""
        session_id = self._run.session_id
        return None if session_id is None else session_result(self.services, session_id)

    def context(self) -> LiveContext:
        """Dose, target and personal best for this exercise and side (blocking: call in a thread).

        The active plan item's dose and target where there is one, else the seed's dose. The best is
        the furthest rep peak (or, without reps, session peak) of earlier analysed sessions.
        """
        side = self.request.side.value
        plan = next((item for item in self.services.store.plans.items()
                     if item.exercise_id == self.request.exercise_id and item.covers(side)), None)
        direction = self.exercise.primary_motion.facts.tracked[0]
        motion, sign = direction.motion, direction.sign
        best: float | None = None
        for row in self.services.store.results.analysed():
            if row.exercise != self.request.exercise_id or row.side != self.request.side or not row.calibrated \
                    or row.session_id == self._run.session_id:
                continue
            peaks = row.result.peaks
            values = [sign * r.peak_deg for r in row.result.reps if r.motion == motion] or \
                ([sign * peaks.of(direction)] if peaks is not None else [])
            if values:
                best = max(values) if best is None else max(best, *values)
        target = self.request.target_deg if self.request.target_deg is not None else \
            plan.target_deg if plan is not None else None
        return LiveContext(motion, plan.prescription if plan is not None else self.exercise.prescription, target,
                           None if best is None else sign * best)

    async def add_pain(self, score: int, set_index: int | None = None, note: str | None = None) -> PainEntry:
        """Log pain for this session (one of its sets, 0-based, or the whole session)."""
        session_id = self._run.session_id
        if session_id is None:
            raise BadInputError("nothing is recorded yet: pain is logged against a session")
        return await asyncio.to_thread(self.services.store.pain.add, session_id, score, datetime.now(UTC),
                                       set_index, note or None)

    def _ended(self) -> None:
        """No more samples: the last rep, hold and set are over (before the analysis, so a pain
        prompt for the last set does not wait for it)."""
        if self._run.running and self._analyzer is not None:
            self._feed()
            self._run.running = False
            self._emit(self._analyzer.finish())

    def _arrived(self, block: SampleBlock | StreamGap) -> None:
        """Every block as it arrives (the recorder's on_block): keep it quick."""
        link = self._run.links.get(str(block.placement))
        if link is None:
            return
        if isinstance(block, StreamGap):
            link.gaps += 1
            link.gap_s += max(0.0, block.end_s - block.start_s)
            return
        samples = block.samples
        if len(samples) == 0:
            return
        link.samples += len(samples)
        link.first_s = float(samples.time_s[0]) if link.first_s is None else link.first_s
        link.last_s = float(samples.time_s[-1])
        link.arrived_at = self._clock()
        if block.placement == thigh_of(self.request.side) and self._analyzer is not None:
            unfed = self._run.unfed
            unfed.append(samples)
            if float(samples.time_s[-1] - unfed[0].time_s[0]) >= FEED_EVERY_S:
                self._feed()
        elif block.placement == Placement.PELVIS and self._pelvis is not None:
            self._pelvis.feed(samples.time_s, samples.acc_mps2, samples.gyr_radps)     # the recording's clock

    def _feed(self) -> None:
        """Give the analyzer the thigh samples it has not seen, in one vectorised pass."""
        unfed, analyzer = self._run.unfed, self._analyzer
        if not unfed or analyzer is None:
            return
        samples = unfed[0] if len(unfed) == 1 else ImuSamples.concat(unfed)
        unfed.clear()
        events = analyzer.feed(samples.time_s, samples.acc_mps2, samples.gyr_radps)
        self._emit(events + self._pelvis_events(events))

    def _pelvis_events(self, events: tuple[LiveEvent, ...]) -> tuple[LiveEvent, ...]:
        """'pelvis moved N°' after each rep or hold that was reached by moving the pelvis.

        The preview's times count from the thigh's first sample (origin_s); the pelvis keeps the
        recording's clock, so it has the whole calibration stand even before the thigh's first feed."""
        pelvis, origin = self._pelvis, self._analyzer.origin_s if self._analyzer is not None else None
        if pelvis is None or origin is None:
            return ()
        found: list[LiveEvent] = []
        for event in events:
            if isinstance(event, Calibrated):
                c = event.calibration
                pelvis.calibrate(replace(c, start_s=c.start_s + origin, end_s=c.end_s + origin,
                                         swings_end_s=c.swings_end_s + origin))
                continue
            if isinstance(event, RepCounted):
                span, of = (event.rep.start_s, event.rep.end_s), "rep"
            elif isinstance(event, HoldEnded):
                span, of = (event.hold.start_s, event.hold.end_s), "hold"
            else:
                continue
            moved = pelvis.moved(span[0] + origin, span[1] + origin)
            if moved is not None and pelvis.compensated(moved):
                planes = {"tilt": moved.tilt_deg, "obliquity": moved.obliquity_deg, "rotation": moved.rotation_deg}
                plane = max(planes, key=lambda name: planes[name])
                found.append(PelvisMoved(event.time_s, of, moved.largest_deg, plane))
        return tuple(found)

    def _progressed(self, progress: RecordingStatus) -> None:
        self._run.session_id = progress.session_id
        self._run.stored = sum(progress.samples_by_placement.values())
        if self._on_progress is not None:
            self._on_progress(progress)

    def _emit(self, events: tuple[LiveEvent, ...]) -> None:
        for event in events:
            self._run.events.append(event)
            if self._on_event is not None:
                self._on_event(event)

    def _status(self, link: _Link) -> SensorStatus:
        source = self._run.source
        stats = getattr(source, "stats", None)
        malformed = stats.malformed_by_device.get(link.spec.device_address, 0) if isinstance(stats, DecodeStats) else 0
        battery = source.battery_percent(link.spec.placement) if isinstance(source, ReportsBattery) else None
        span = None if link.first_s is None or link.last_s is None else link.last_s - link.first_s
        measured = (link.samples - 1) / span if span and link.samples > 1 else None
        silent = None if link.arrived_at is None else max(0.0, self._clock() - link.arrived_at)
        return SensorStatus(str(link.spec.placement), link.spec.device_name, link.spec.rate_hz, link.samples,
                            measured, link.gaps, link.gap_s, malformed, battery, silent)


def thigh_stream(source: SampleSource, side: Side) -> StreamSpec:
    """The stream of the exercised thigh; BadInputError if the source has none (check before a screen opens)."""
    placements = {str(spec.placement): spec for spec in source.streams}
    thigh = placements.get(str(thigh_of(side)))
    if thigh is None:
        raise BadInputError(f"no sensor on the {side.value} thigh in this recording "
                            f"(placements: {', '.join(sorted(placements))})")
    return thigh


class _Ending:
    """The source as it is, plus a call when its blocks run out."""

    def __init__(self, source: SampleSource, on_end: Callable[[], None]) -> None:
        self._source = source
        self._on_end = on_end

    @property
    def streams(self) -> tuple[StreamSpec, ...]:
        return self._source.streams

    async def blocks(self) -> AsyncIterator[SampleBlock | StreamGap]:
        async for block in self._source.blocks():
            yield block
        self._on_end()
