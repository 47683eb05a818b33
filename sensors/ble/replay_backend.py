"""The only fake in hiptrack's tests: a bleak backend that replays recorded notifications.

It sits where the radio would be (`BleakClient(..., backend=ReplayBackend)`), so bleak's own
client, bleak-retry-connector and hiptrack's session code all run for real. Each device plays its
notifications from a raw log; `drop_after_s` cuts the link once (a sensor walking out of range)
so reconnection and gap handling can be tested: what it would have sent while down is lost.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakError

from sensors import profiles
from sensors.notification_log import LoggedNotification


@dataclass
class ReplayDevice:
    """What one replayed sensor will send, and what it was sent."""

    address: str
    profile: str
    notifications: list[LoggedNotification]
    realtime: bool = False
    drop_after_s: float | None = None
    """Cut the link this long after the first notification (once)."""
    down_for_s: float = 0.0
    """How long the device stays unreachable after the cut."""
    writes: list[tuple[str, bytes]] = field(default_factory=list)
    position: int = 0
    dropped: bool = False
    reachable_at: float = 0.0


REPLAY_DEVICES: dict[str, ReplayDevice] = {}
"""Devices the backend can 'see', by address (tests register them)."""


class ReplayClock:
    """The host time of the notification being delivered: a session given `replay_clock.now` as its
    clock stamps replayed notifications as they were stamped when recorded, even when the replay
    runs faster than real time (devices without their own clock are timed by arrival)."""

    def __init__(self) -> None:
        self.host_time_s = 0.0

    def now(self) -> float:
        return self.host_time_s


replay_clock = ReplayClock()


def replay_ble_device(address: str, name: str) -> BLEDevice:
    """A BLEDevice without a BlueZ path, so the retry layer skips its D-Bus look-ups."""
    return BLEDevice(address, name, details={})


class ReplayBackend(BaseBleakClient):
    def __init__(self, address_or_ble_device: BLEDevice | str, **kwargs: Any) -> None:
        super().__init__(address_or_ble_device, disconnected_callback=kwargs.pop("disconnected_callback", None),
                         timeout=kwargs.pop("timeout", 10.0))
        self._connected = False
        self._feeds: list[asyncio.Task[None]] = []
        self._callbacks: dict[str, Callable[[bytearray], None]] = {}

    @property
    def name(self) -> str:
        return self.address

    @property
    def mtu_size(self) -> int:
        return 247

    def _device(self) -> ReplayDevice:
        try:
            return REPLAY_DEVICES[self.address]
        except KeyError:
            raise BleakError(f"Device with address {self.address} was not found") from None

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        device = self._device()
        if time.monotonic() < device.reachable_at:
            raise BleakError(f"{self.address}: failed to connect (out of range)")
        self.services = _services(profiles.get(device.profile))
        self._connected = True

    async def disconnect(self) -> None:
        self._stop(notify=False)

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def unpair(self) -> None:
        return None

    @property
    def is_connected(self) -> bool:
        return self._connected

    async def read_gatt_char(self, characteristic: BleakGATTCharacteristic, **kwargs: Any) -> bytearray:
        return bytearray([87, 0])                          # battery 87 %, not charging

    async def read_gatt_descriptor(self, descriptor: BleakGATTDescriptor, **kwargs: Any) -> bytearray:
        return bytearray()

    async def write_gatt_char(self, characteristic: BleakGATTCharacteristic, data: Any, response: bool) -> None:
        self._device().writes.append((characteristic.uuid, bytes(data)))

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: Any) -> None:
        return None

    async def start_notify(self, characteristic: BleakGATTCharacteristic, callback: Callable[[bytearray], None],
                           **kwargs: Any) -> None:
        if not self._feeds:
            self._feeds.append(asyncio.create_task(self._feed(), name=f"replay {self.address}"))
        self._callbacks[characteristic.uuid.lower()] = callback

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        self._callbacks.pop(characteristic.uuid.lower(), None)

    async def _feed(self) -> None:
        device = self._device()
        await asyncio.sleep(0)                              # let the session subscribe to everything
        notes = device.notifications
        start_host = notes[device.position].host_time_s if device.position < len(notes) else 0.0
        start_wall = time.monotonic()
        while device.position < len(notes):
            note = notes[device.position]
            elapsed = note.host_time_s - start_host
            if device.realtime:
                await asyncio.sleep(max(0.0, elapsed - (time.monotonic() - start_wall)))
            else:
                await asyncio.sleep(0)
            if device.drop_after_s is not None and not device.dropped and \
                    note.host_time_s - notes[0].host_time_s >= device.drop_after_s:
                self._lose_link(device, note.host_time_s)
                return
            callback = self._callbacks.get(note.characteristic.lower())
            device.position += 1
            if callback is not None:
                replay_clock.host_time_s = note.host_time_s
                callback(bytearray(note.payload))
        await asyncio.sleep(0.05)
        device.reachable_at = float("inf")                  # the log ended: the sensor went away for good
        self._stop(notify=True)

    def _lose_link(self, device: ReplayDevice, at_host_s: float) -> None:
        """Link lost: everything the sensor sends while unreachable is gone."""
        device.dropped = True
        device.reachable_at = time.monotonic() + device.down_for_s
        missed_until = at_host_s + device.down_for_s
        while device.position < len(device.notifications) and \
                device.notifications[device.position].host_time_s < missed_until:
            device.position += 1
        self._stop(notify=True)

    def _stop(self, notify: bool) -> None:
        was_connected, self._connected = self._connected, False
        current = asyncio.current_task()
        for task in self._feeds:
            if task is not current:
                task.cancel()
        self._feeds.clear()
        if notify and was_connected and self._disconnected_callback is not None:
            self._disconnected_callback()


def _services(profile: profiles.SensorProfile) -> BleakGATTServiceCollection:
    """A GATT table with the profile's service, its notify and command characteristics and battery."""
    collection = BleakGATTServiceCollection()
    service = BleakGATTService(None, 1, profile.service_uuid.lower())
    collection.add_service(service)
    uuids = list(dict.fromkeys([*profile.notify_uuids,
                                *(c.characteristic_uuid for c in (*profile.start_commands, *profile.stop_commands)),
                                *([profile.battery_uuid] if profile.battery_uuid else [])]))
    for handle, uuid in enumerate(uuids, start=2):
        characteristic = BleakGATTCharacteristic(None, handle, uuid.lower(), ["read", "write", "notify"],
                                                 lambda: 244, service)      # joins its service itself
        collection.add_characteristic(characteristic)
    return collection
