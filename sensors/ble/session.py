"""Live sensors over Bluetooth LE: connect through bleak-retry-connector, subscribe, start,
forward every notification with its host arrival time, and reconnect after a dropped link.

The notification callback only stamps the host time and queues the bytes: decoding and storage
happen in the recorder's task, so a slow disk never stalls the radio. A link that drops is
retried with backoff for `reconnect_for_s`; the samples the sensor sent meanwhile are simply
missing (a gap in the stream, never interpolated: a `LinkLost` marker goes into the queue so the
decoding side knows where), and a sensor that does not come back ends its stream cleanly with
everything received kept. Stopping writes the profile's stop commands before disconnecting, so a
sensor is not left streaming into the void (and draining its battery).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient
from bleak.backends.device import BLEDevice
from bleak.backends.service import BleakGATTServiceCollection
from bleak.exc import BleakError
from bleak_retry_connector import BleakClientWithServiceCache, establish_connection

from sensors.notification_log import LoggedNotification
from sensors.notification_source import LinkLost
from sensors.profiles.base import BATTERY_LEVEL_UUID, SensorProfile

_LOGGER = logging.getLogger(__name__)

LinkItem = LoggedNotification | LinkLost | None
"""What links put on their shared queue; None marks the end of one link's stream."""

LINK_ERRORS = (BleakError, TimeoutError, OSError)
"""What a flaky radio raises; anything else is a bug and propagates."""


async def open_client(device: BLEDevice, label: str, backend: type[BaseBleakClient] | None = None,
                      disconnected_callback: Callable[[BleakClient], None] | None = None,
                      max_attempts: int = 2) -> BleakClient:
    """Connect through bleak-retry-connector (its BlueZ workarounds and retries), or a given bleak backend."""
    kwargs: dict[str, Any] = {"backend": backend} if backend is not None else {}
    client_class = BleakClient if backend is not None else BleakClientWithServiceCache
    client: BleakClient = await establish_connection(client_class, device, label,
                                                     disconnected_callback=disconnected_callback,
                                                     max_attempts=max_attempts, **kwargs)
    return client


@dataclass
class LinkReport:
    """What happened to one sensor's link during a recording."""

    connects: int = 0
    drops: int = 0
    gaps_s: list[tuple[float, float]] = field(default_factory=list)
    """(host time the link dropped, host time it was back) for every reconnect."""
    gave_up: bool = False


class SensorLink:
    def __init__(self, device: BLEDevice, profile: SensorProfile, queue: asyncio.Queue[LinkItem],
                 *, backend: type[BaseBleakClient] | None = None, reconnect_for_s: float = 30.0,
                 first_retry_s: float = 0.5, clock: Callable[[], float] = time.time,
                 command_gap_s: float = 0.0, stop_timeout_s: float = 5.0) -> None:
        self._device = device
        self._profile = profile
        self._queue = queue
        self._backend = backend
        self._reconnect_for_s = reconnect_for_s
        self._first_retry_s = first_retry_s
        self._clock = clock
        """Host clock for arrival stamps (a replay substitutes the recorded arrival times)."""
        self._command_gap_s = command_gap_s
        """Pause between start commands (WitMotion wants unlock, write and save about 0.1 s apart)."""
        self._stop_timeout_s = stop_timeout_s
        self._connect_lock = asyncio.Lock()
        self._dropped = asyncio.Event()
        self._stop_requested = asyncio.Event()
        self._device_stopped = False
        self._client: BleakClient | None = None
        self.report = LinkReport()

    @property
    def label(self) -> str:
        return f"{self._device.name} ({self._device.address})"

    async def connect(self) -> None:
        """Connect, subscribe and start streaming; raises the radio's error if the sensor cannot be reached."""
        await self._connect()

    async def read_battery_percent(self, timeout_s: float = 3.0) -> int | None:
        """The battery level over the open link (None if the sensor has none, or does not answer in time)."""
        if self._client is None or not self._client.is_connected:
            return None
        try:
            async with asyncio.timeout(timeout_s):
                return await battery_percent_of(self._client, self._profile)
        except LINK_ERRORS as err:
            _LOGGER.info("%s: battery not readable (%s)", self.label, err)
            return None

    async def run(self) -> None:
        """Stream until stopped, or until the sensor stays away past reconnect_for_s (connects first if needed)."""
        try:
            if self._client is None:
                await self._connect()
            while not self._stop_requested.is_set():
                await self._dropped.wait()
                if self._stop_requested.is_set():
                    break
                dropped_at = time.time()
                self.report.drops += 1
                _LOGGER.warning("%s: link lost, reconnecting", self.label)
                if not await self._reconnect():
                    self.report.gave_up = not self._stop_requested.is_set()
                    if self.report.gave_up:
                        _LOGGER.error("%s: did not come back within %.0f s", self.label, self._reconnect_for_s)
                    break
                self.report.gaps_s.append((dropped_at, time.time()))
        finally:
            if self._stop_requested.is_set():
                await self._stop_device()            # a reconnect may have finished after stop() was called
            await self._queue.put(None)              # this sensor's stream has ended

    async def stop(self) -> None:
        """Write the stop commands and disconnect; run() then ends. Safe to call more than once."""
        self._stop_requested.set()
        self._dropped.set()
        await self._stop_device()

    async def _stop_device(self) -> None:
        client = self._client
        if client is None or not client.is_connected or self._device_stopped:
            return
        self._device_stopped = True
        try:
            async with asyncio.timeout(self._stop_timeout_s):
                for command in self._profile.stop_commands:
                    await client.write_gatt_char(device_uuid(client.services, self._profile,
                                                             command.characteristic_uuid),
                                                 command.payload, command.response)
        except LINK_ERRORS as err:
            _LOGGER.warning("%s: stop command failed (%s); disconnecting anyway", self.label, err)
        try:
            async with asyncio.timeout(self._stop_timeout_s):
                await client.disconnect()
        except LINK_ERRORS as err:
            _LOGGER.warning("%s: disconnect failed (%s)", self.label, err)

    async def _connect(self) -> None:
        async with self._connect_lock:
            self._dropped.clear()
            self._client = await open_client(self._device, self.label, self._backend, self._on_disconnect)
            services = self._client.services
            for uuid in self._profile.notify_uuids:
                await self._client.start_notify(device_uuid(services, self._profile, uuid), self._on_notification)
            for number, command in enumerate(self._profile.start_commands):
                if number and self._command_gap_s:
                    await asyncio.sleep(self._command_gap_s)
                await self._client.write_gatt_char(device_uuid(services, self._profile, command.characteristic_uuid),
                                                   command.payload, command.response)
            self.report.connects += 1

    async def _reconnect(self) -> bool:
        deadline = time.monotonic() + self._reconnect_for_s
        wait_s = self._first_retry_s
        while time.monotonic() < deadline and not self._stop_requested.is_set():
            try:
                await self._connect()
                return True
            except LINK_ERRORS as err:
                _LOGGER.info("%s: reconnect failed (%s), next try in %.1f s", self.label, err, wait_s)
                with contextlib.suppress(TimeoutError):          # a stop() ends the wait at once
                    await asyncio.wait_for(self._stop_requested.wait(),
                                           min(wait_s, max(0.0, deadline - time.monotonic())))
                wait_s = min(wait_s * 2, 8.0)
        return False

    def _on_disconnect(self, _client: BleakClient) -> None:
        if not self._stop_requested.is_set():
            self._queue.put_nowait(LinkLost(self._clock(), self._device.address))
            self._dropped.set()

    def _on_notification(self, characteristic: BleakGATTCharacteristic, data: bytearray) -> None:
        """Stamp and queue: nothing else happens in the radio's callback."""
        self._queue.put_nowait(LoggedNotification(self._clock(), self._device.address, self._profile.name,
                                                  characteristic.uuid, bytes(data)))


async def notifications_from(links: list[SensorLink],
                             queue: asyncio.Queue[LinkItem]) -> AsyncIterator[LoggedNotification | LinkLost]:
    """All links' notifications (and link losses) in arrival order, until every link has ended; stops them on exit.

    Stop the links (`SensorLink.stop`) to end the stream gracefully: everything already queued is still yielded.
    """
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


async def battery_percent_of(client: BleakClient, profile: SensorProfile) -> int | None:
    """Battery level from a connected client: the standard characteristic, else the profile's own."""
    for uuid in dict.fromkeys([BATTERY_LEVEL_UUID, *([profile.battery_uuid] if profile.battery_uuid else [])]):
        characteristic = client.services.get_characteristic(uuid)
        if characteristic is not None:
            value = await client.read_gatt_char(characteristic)
            return int(value[0]) if value and value[0] <= 100 else None
    return None


def device_uuid(services: BleakGATTServiceCollection, profile: SensorProfile, uuid: str) -> str:
    """The device's own UUID for one of the profile's characteristics (a WitMotion clone may serve it on
    the Bluetooth SIG base rather than the vendor's); `uuid` itself when the device offers no other."""
    for service in services:
        for characteristic in service.characteristics:
            if profile.same_characteristic(uuid, characteristic.uuid):
                return characteristic.uuid
    return uuid
