"""Live sensors over Bluetooth LE: connect through bleak-retry-connector, subscribe, start,
forward every notification with its host arrival time, and reconnect after a dropped link.

The notification callback only stamps the host time and queues the bytes: decoding and storage
happen in the recorder's task, so a slow disk never stalls the radio. A link that drops is
retried with backoff for `reconnect_for_s`; the samples the sensor sent meanwhile are simply
missing (a gap in the stream, never interpolated), and a sensor that does not come back ends its
stream cleanly with everything received kept.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient
from bleak.backends.device import BLEDevice
from bleak.exc import BleakError
from bleak_retry_connector import BleakClientWithServiceCache, establish_connection

from sensors.notification_log import LoggedNotification
from sensors.profiles.base import SensorProfile

_LOGGER = logging.getLogger(__name__)


@dataclass
class LinkReport:
    """What happened to one sensor's link during a recording."""

    connects: int = 0
    drops: int = 0
    gaps_s: list[tuple[float, float]] = field(default_factory=list)
    """(host time the link dropped, host time it was back) for every reconnect."""
    gave_up: bool = False


class SensorLink:
    def __init__(self, device: BLEDevice, profile: SensorProfile, queue: asyncio.Queue[LoggedNotification | None],
                 *, backend: type[BaseBleakClient] | None = None, reconnect_for_s: float = 30.0,
                 first_retry_s: float = 0.5, clock: Callable[[], float] = time.time) -> None:
        self._device = device
        self._profile = profile
        self._queue = queue
        self._backend = backend
        self._reconnect_for_s = reconnect_for_s
        self._first_retry_s = first_retry_s
        self._clock = clock
        """Host clock for arrival stamps (a replay substitutes the recorded arrival times)."""
        self._connect_lock = asyncio.Lock()
        self._dropped = asyncio.Event()
        self._expected_disconnect = False
        self._client: BleakClient | None = None
        self.report = LinkReport()

    @property
    def label(self) -> str:
        return f"{self._device.name} ({self._device.address})"

    async def run(self) -> None:
        """Connect and stream until stopped, or until the sensor stays away past reconnect_for_s."""
        try:
            await self._connect()
            while not self._expected_disconnect:
                await self._dropped.wait()
                if self._expected_disconnect:
                    break
                dropped_at = time.time()
                self.report.drops += 1
                _LOGGER.warning("%s: link lost, reconnecting", self.label)
                if not await self._reconnect():
                    self.report.gave_up = True
                    _LOGGER.error("%s: did not come back within %.0f s", self.label, self._reconnect_for_s)
                    break
                self.report.gaps_s.append((dropped_at, time.time()))
        finally:
            await self._queue.put(None)                       # this sensor's stream has ended

    async def stop(self) -> None:
        self._expected_disconnect = True
        self._dropped.set()
        if self._client is not None and self._client.is_connected:
            for command in self._profile.stop_commands:
                await self._client.write_gatt_char(command.characteristic_uuid, command.payload, command.response)
            await self._client.disconnect()

    async def _connect(self) -> None:
        async with self._connect_lock:
            self._dropped.clear()
            kwargs: dict[str, Any] = {"backend": self._backend} if self._backend is not None else {}
            client_class = BleakClient if self._backend is not None else BleakClientWithServiceCache
            self._client = await establish_connection(client_class, self._device, self.label,
                                                      disconnected_callback=self._on_disconnect, max_attempts=2,
                                                      **kwargs)
            for uuid in self._profile.notify_uuids:
                await self._client.start_notify(uuid, self._on_notification)
            for command in self._profile.start_commands:
                await self._client.write_gatt_char(command.characteristic_uuid, command.payload, command.response)
            self.report.connects += 1

    async def _reconnect(self) -> bool:
        deadline = time.monotonic() + self._reconnect_for_s
        wait_s = self._first_retry_s
        while time.monotonic() < deadline and not self._expected_disconnect:
            try:
                await self._connect()
                return True
            except (BleakError, TimeoutError, OSError) as err:
                _LOGGER.info("%s: reconnect failed (%s), next try in %.1f s", self.label, err, wait_s)
                await asyncio.sleep(min(wait_s, max(0.0, deadline - time.monotonic())))
                wait_s = min(wait_s * 2, 8.0)
        return False

    def _on_disconnect(self, _client: BleakClient) -> None:
        if not self._expected_disconnect:
            self._dropped.set()

    def _on_notification(self, characteristic: BleakGATTCharacteristic, data: bytearray) -> None:
        """Stamp and queue: nothing else happens in the radio's callback."""
        self._queue.put_nowait(LoggedNotification(self._clock(), self._device.address, self._profile.name,
                                                  characteristic.uuid, bytes(data)))


async def notifications_from(links: list[SensorLink],
                             queue: asyncio.Queue[LoggedNotification | None]) -> AsyncIterator[LoggedNotification]:
    """All links' notifications in arrival order, until every link has ended; stops them on exit."""
    tasks = [asyncio.create_task(link.run(), name=f"ble {link.label}") for link in links]
    running = len(tasks)
    try:
        while running:
            item = await queue.get()
            if item is None:
                running -= 1
            else:
                yield item
    finally:
        for link in links:
            await link.stop()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    failures = [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, asyncio.CancelledError)]
    if failures:                     # e.g. the first connection failed: say so, do not end silently
        raise failures[0]
