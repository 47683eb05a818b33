"""Notifications (from BLE, a replayed log or the simulator) → decoded samples for the recorder.

The one path every device's bytes take: per device a fresh decoder of its profile, samples stamped
with the device clock where the protocol has one (aligned to the host clock at the first sample),
else with the host arrival time. A malformed notification is counted and skipped, never fatal:
one bad packet must not end a recording.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sensors import profiles
from sensors.notification_log import LoggedDevice, LoggedNotification, LogWriter, read_log
from sensors.profiles.base import Decoder, ImuBatch, MalformedPacketError
from sensors.samples import ImuSamples
from sensors.source import SampleBlock, StreamSpec


@dataclass
class _Device:
    spec: StreamSpec
    decoder: Decoder
    clock_offset_s: float | None = None
    last_time_s: float = float("-inf")
    malformed: int = 0
    acc_wait: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    """(times, acc) still waiting for their gyro samples (devices that send them separately)."""
    gyr_wait: list[np.ndarray] = field(default_factory=list)


@dataclass
class DecodeStats:
    notifications: int = 0
    malformed_by_device: dict[str, int] = field(default_factory=dict)


class NotificationSource:
    """A SampleSource over an async stream of notifications from known devices."""

    def __init__(self, devices: Iterable[LoggedDevice], notifications: AsyncIterator[LoggedNotification],
                 log: Path | None = None) -> None:
        self._devices = {d.address: _Device(_spec(d), profiles.get(d.profile).decoder()) for d in devices}
        self._notifications = notifications
        self._log = LogWriter(log, list(devices)) if log is not None else None
        self.stats = DecodeStats()

    @property
    def streams(self) -> tuple[StreamSpec, ...]:
        return tuple(d.spec for d in self._devices.values())

    async def blocks(self) -> AsyncIterator[SampleBlock]:
        try:
            async for note in self._notifications:
                if self._log is not None:
                    self._log.write(note.host_time_s, note.device, note.profile, note.characteristic, note.payload)
                block = self._decode(note)
                if block is not None:
                    yield block
        finally:
            if self._log is not None:
                self._log.close()

    def _decode(self, note: LoggedNotification) -> SampleBlock | None:
        self.stats.notifications += 1
        device = self._devices[note.device]
        try:
            batch = device.decoder.decode(note.characteristic, note.payload)
        except MalformedPacketError:
            device.malformed += 1
            self.stats.malformed_by_device[note.device] = device.malformed
            return None
        if batch is None or len(batch) == 0 or (batch.acc_mps2 is None and batch.gyr_radps is None):
            return None
        # The host time exactly as a log stores it, so that a replay reproduces the live run bit for bit.
        time_s = self._times(device, batch, float(f"{note.host_time_s:.6f}"))
        if batch.acc_mps2 is None or batch.gyr_radps is None:
            paired = _pair(device, time_s, batch)
            if paired is None:
                return None
            time_s, batch = paired
        keep = time_s > device.last_time_s                 # never a duplicate or out-of-order sample
        if not keep.any():
            return None
        device.last_time_s = float(time_s[keep][-1])
        mag = batch.mag_ut[keep] if batch.mag_ut is not None and device.spec.has_mag else None
        assert batch.acc_mps2 is not None and batch.gyr_radps is not None
        return SampleBlock(device.spec.placement, ImuSamples(time_s[keep], batch.acc_mps2[keep],
                                                             batch.gyr_radps[keep], mag))

    @staticmethod
    def _times(device: _Device, batch: ImuBatch, host_time_s: float) -> np.ndarray:
        if batch.device_time_s is not None:
            if device.clock_offset_s is None:
                device.clock_offset_s = host_time_s - float(batch.device_time_s[-1])
            return np.asarray(batch.device_time_s, dtype=float) + device.clock_offset_s
        step = 1.0 / device.spec.rate_hz if device.spec.rate_hz > 0 else 0.01
        return host_time_s - step * np.arange(len(batch) - 1, -1, -1)


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
        wall_start, log_start = time.monotonic(), None
        for note in notes:
            if realtime:
                log_start = note.host_time_s if log_start is None else log_start
                await asyncio.sleep(max(0.0, note.host_time_s - log_start - (time.monotonic() - wall_start)))
            else:
                await asyncio.sleep(0)
            yield note

    return devices, stream()
