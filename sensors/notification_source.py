"""Notifications (from BLE, a replayed log or the simulator) → decoded samples and gaps for the recorder.

The one path every device's bytes take: per device a fresh decoder of its profile (and again after every reconnect:
decoder state never outlives a connection), samples stamped with the device clock where the protocol has one
(aligned to the host clock at the first sample, and again after a reconnect only if the clock went back: the
sensor was restarted, or a fresh DOT decoder lost its count of u32 wraps),
else with host arrival times smoothed by :class:`sensors.timing.ArrivalClock`. A malformed notification is counted
and skipped, never fatal: one bad packet must not end a recording.

Gaps are reported, never interpolated: a jump of more than `GAP_PERIODS` sample periods between consecutive samples
becomes one :class:`StreamGap` (from the last sample before to the first after), named after its cause when the link
told us (a `LinkLost` marker in the stream), else "samples missing". One jump, one gap, whichever saw it.

Times within a stream are strictly increasing, and a corrupt timestamp costs only its own packet: a packet whose
samples do not go forward in time, or that starts at or before what was already stored, is malformed. A packet that
jumps forward is held until the next one shows which clock was wrong: if that one goes on from the jump, the jump was
real (a gap); if it goes back, the held packet was a corrupt stamp (malformed), and the recording goes on as before
instead of dropping every later sample as "out of order". A held packet the stream ends on is malformed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sensors import profiles
from sensors.limits import range_problem
from sensors.notification_log import MAX_HOST_TIME_S, LoggedDevice, LoggedNotification, LogWriter, read_log
from sensors.pacing import Pacer
from sensors.profiles.base import Clock, Decoder, ImuBatch, MalformedPacketError
from sensors.samples import ImuSamples, Placement
from sensors.source import SampleBlock, StreamGap, StreamSpec
from sensors.timing import ArrivalClock

GAP_PERIODS = 2.5
"""Consecutive samples further apart than this many nominal periods have samples missing between them."""
SMEARED_SPACING = 1.5
"""A frame whose device-clock spacing exceeds this many periods spans lost frames (Polar spaces a frame's samples
over the time since the previous frame); its samples are put at the nominal spacing before its stamped last one."""


@dataclass(frozen=True, slots=True)
class LinkLost:
    """The link to `device` dropped: whatever comes next from it follows a reconnect, with a gap before it."""

    host_time_s: float
    device: str


@dataclass(frozen=True, slots=True)
class _Held:
    items: list[SampleBlock | StreamGap]
    last_time_s_before: float
    """Where the stream stood before the jump: restored if the jump was a corrupt stamp."""


@dataclass
class _Device:
    spec: StreamSpec
    profile: str
    decoder: Decoder
    arrival_clock: ArrivalClock
    """Times samples of sensors without a clock of their own."""
    clock: Clock = Clock.DEVICE
    """The family's (`SensorProfile.clock`): whether samples are timed by the device or by arrival."""
    clock_offset_s: float | None = None
    last_time_s: float = float("-inf")
    link_lost: bool = False
    realign_clock: bool = False
    malformed: int = 0
    acc_wait: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    """(times, acc) still waiting for their gyro samples (devices that send them separately)."""
    gyr_wait: list[np.ndarray] = field(default_factory=list)
    held: _Held | None = None
    """A packet that jumped forward in time, until the next packet confirms or refutes the jump."""

    @property
    def period_s(self) -> float:
        return 1.0 / self.spec.rate_hz if self.spec.rate_hz > 0 else 0.01

    def reconnected(self) -> None:
        """Fresh decoder and pairing for the new connection; the time base continues."""
        self.decoder = profiles.get(self.profile).decoder()
        self.acc_wait, self.gyr_wait = [], []
        self.arrival_clock.restart()
        self.link_lost = self.realign_clock = True


@dataclass
class DecodeStats:
    notifications: int = 0
    malformed_by_device: dict[str, int] = field(default_factory=dict)
    gaps: int = 0
    link_losses: int = 0


class NotificationSource:
    """A SampleSource over an async stream of notifications (and link losses) from known devices."""

    def __init__(self, devices: Iterable[LoggedDevice],
                 notifications: AsyncIterator[LoggedNotification | LinkLost], log: Path | None = None) -> None:
        devices = list(devices)
        self._devices = {d.address: _new_device(d) for d in devices}
        self._notifications = notifications
        self._log = LogWriter(log, devices) if log is not None else None
        self.stats = DecodeStats()
        self.battery: dict[Placement, int] = {}
        """Battery levels read from the sensors (live Bluetooth only), for status displays."""

    def battery_percent(self, placement: Placement) -> int | None:
        return self.battery.get(placement)

    @property
    def streams(self) -> tuple[StreamSpec, ...]:
        return tuple(d.spec for d in self._devices.values())

    async def blocks(self) -> AsyncIterator[SampleBlock | StreamGap]:
        try:
            async for note in self._notifications:
                if isinstance(note, LinkLost):
                    self.stats.link_losses += 1
                    device = self._devices[note.device]
                    for item in _release(device):           # nothing comes after it on this connection
                        yield item
                    device.reconnected()
                    continue
                if self._log is not None:
                    self._log.write(note.host_time_s, note.device, note.profile, note.characteristic, note.payload)
                for item in self._decode(note):
                    yield item
            for address, device in self._devices.items():   # a jump nothing followed cannot be told from a bad stamp
                if device.held is not None:
                    device.held = None
                    self._malformed(address, device)
        finally:
            if self._log is not None:
                self._log.close()

    def _decode(self, note: LoggedNotification) -> list[SampleBlock | StreamGap]:
        self.stats.notifications += 1
        device = self._devices[note.device]
        try:
            batch = device.decoder.decode(note.characteristic, note.payload)
        except MalformedPacketError:
            self._malformed(note.device, device)
            return []
        if batch is None or len(batch) == 0 or (batch.acc_mps2 is None and batch.gyr_radps is None):
            return []
        if _absurd(batch):                             # a packet that decodes but cannot be a measurement
            self._malformed(note.device, device)
            return []
        # The host time exactly as a log stores it, so that a replay reproduces the live run bit for bit.
        time_s = _times(device, batch, float(f"{note.host_time_s:.6f}"))
        first_s, last_s = float(time_s[0]), float(time_s[-1])
        if (len(time_s) > 1 and not bool(np.all(np.diff(time_s) > 0))) or \
                not (abs(first_s) <= MAX_HOST_TIME_S and abs(last_s) <= MAX_HOST_TIME_S):   # a corrupt stamp
            self._malformed(note.device, device)     # (increasing, so the ends bound every time; NaN fails)
            return []
        if batch.acc_mps2 is None or batch.gyr_radps is None:
            paired = _pair(device, time_s, batch)
            if paired is None:
                return []
            time_s, batch = paired
        released: list[SampleBlock | StreamGap] = []
        if device.held is not None:
            if time_s[0] > device.last_time_s:         # goes on from the jump: it was real
                released = _release(device)
            else:                                      # back before the held packet: its stamp was corrupt
                device.last_time_s = device.held.last_time_s_before
                self.stats.gaps -= sum(isinstance(item, StreamGap) for item in device.held.items)
                device.held = None
                self._malformed(note.device, device)
        if not float(time_s.min()) > device.last_time_s:   # never a duplicate or out-of-order sample: a stamp
            # behind what is stored is a corrupt packet
            self._malformed(note.device, device)
            return released
        items: list[SampleBlock | StreamGap] = _gaps(device, time_s)
        self.stats.gaps += len(items)
        last_time_s_before, device.last_time_s = device.last_time_s, float(time_s[-1])
        mag = batch.mag_ut if batch.mag_ut is not None and device.spec.has_mag else None
        assert batch.acc_mps2 is not None and batch.gyr_radps is not None
        items.append(SampleBlock(device.spec.placement, ImuSamples(time_s, batch.acc_mps2, batch.gyr_radps, mag)))
        if len(items) > 1 and np.isfinite(last_time_s_before) and not _after_reconnect(items):
            device.held = _Held(items, last_time_s_before)   # a jump forward: the next packet tells
            return released
        return released + items

    def _malformed(self, address: str, device: _Device) -> None:
        """Count a packet whose samples are lost; arrival order no longer counts them."""
        device.malformed += 1
        self.stats.malformed_by_device[address] = device.malformed
        device.arrival_clock.restart()


def _release(device: _Device) -> list[SampleBlock | StreamGap]:
    """The held packet's gap and samples, now that the jump is confirmed."""
    held, device.held = device.held, None
    return [] if held is None else held.items


def _after_reconnect(items: list[SampleBlock | StreamGap]) -> bool:
    """A gap the link told us about needs no confirmation."""
    return any(isinstance(item, StreamGap) and item.reason != "samples missing" for item in items)


def _new_device(logged: LoggedDevice) -> _Device:
    spec = _spec(logged)
    profile = profiles.get(logged.profile)
    return _Device(spec, logged.profile, profile.decoder(), ArrivalClock(spec.rate_hz if spec.rate_hz > 0 else 100.0),
                   clock=profile.clock)


def _times(device: _Device, batch: ImuBatch, host_time_s: float) -> np.ndarray:
    """Sample times on the host clock: the device clock where there is one, else smoothed arrival times."""
    if device.clock is Clock.ARRIVAL or batch.device_time_s is None:
        return device.arrival_clock.sample_times(host_time_s, len(batch))
    device_s = np.asarray(batch.device_time_s, dtype=float)
    if device.clock_offset_s is None or (device.realign_clock and device_s[0] + device.clock_offset_s
                                         <= device.last_time_s):
        device.clock_offset_s = host_time_s - float(device_s[-1])
    device.realign_clock = False
    time_s = device_s + device.clock_offset_s
    if len(time_s) > 1 and time_s[-1] - time_s[0] > SMEARED_SPACING * device.period_s * (len(time_s) - 1):
        time_s = time_s[-1] - device.period_s * np.arange(len(time_s) - 1, -1, -1)
    return time_s


def _gaps(device: _Device, time_s: np.ndarray) -> list[SampleBlock | StreamGap]:
    """One StreamGap for every jump of more than GAP_PERIODS periods before or within these samples."""
    link_lost, device.link_lost = device.link_lost, False
    limit_s = GAP_PERIODS * device.period_s
    if not np.isfinite(device.last_time_s) or (time_s[0] - device.last_time_s <= limit_s and (
            len(time_s) == 1 or float(np.max(np.diff(time_s))) <= limit_s)):
        return []                                  # the usual case, without building arrays
    edges = np.concatenate([[device.last_time_s], time_s])
    jumps = np.flatnonzero(np.diff(edges) > limit_s)
    return [StreamGap(device.spec.placement, float(edges[j]), float(edges[j + 1]),
                      "link lost, reconnected" if link_lost and j == 0 else "samples missing") for j in jumps]


def _pair(device: _Device, time_s: np.ndarray, batch: ImuBatch) -> tuple[np.ndarray, ImuBatch] | None:
    """Join acceleration and angular rate that arrive in separate notifications (Polar PMD: ACC and
    GYRO frames, started together at the same rate), sample by sample in arrival order."""
    if batch.acc_mps2 is not None:
        device.acc_wait.append((time_s, batch.acc_mps2))
    else:
        assert batch.gyr_radps is not None
        device.gyr_wait.append(batch.gyr_radps)
    if not device.acc_wait or not device.gyr_wait:
        return None
    times = np.concatenate([t for t, _ in device.acc_wait])
    acc = np.concatenate([a for _, a in device.acc_wait])
    gyr = np.concatenate(device.gyr_wait)
    n = min(len(acc), len(gyr))
    device.acc_wait = [(times[n:], acc[n:])] if n < len(acc) else []
    device.gyr_wait = [gyr[n:]] if n < len(gyr) else []
    return times[:n], ImuBatch(acc_mps2=acc[:n], gyr_radps=gyr[:n])


def _spec(device: LoggedDevice) -> StreamSpec:
    return StreamSpec(device.placement, device.rate_hz or profiles.get(device.profile).default_rate_hz,
                      device.address, device.name, device.profile)


def replay_log(path: Path,
               realtime: bool = False) -> tuple[list[LoggedDevice], AsyncIterator[LoggedNotification]]:
    """Read a log; its notifications arrive as fast as possible or with their original spacing.

    The whole log is checked first, so a malformed line is reported (LogFormatError) before
    anything is recorded from it.
    """
    devices, lazy = read_log(path)
    notes = list(lazy)

    async def stream() -> AsyncIterator[LoggedNotification]:
        pacer, log_start_s = Pacer(realtime), None
        for note in notes:
            log_start_s = note.host_time_s if log_start_s is None else log_start_s
            await pacer.wait_until(note.host_time_s - log_start_s)
            yield note

    return devices, stream()


def _absurd(batch: ImuBatch) -> bool:
    """Outside what an IMU measures (sensors.limits), or a device clock that is not a number."""
    clock = batch.device_time_s
    return range_problem(batch.acc_mps2, batch.gyr_radps, batch.mag_ut) is not None or \
        (clock is not None and not bool(np.isfinite(clock).all()))
