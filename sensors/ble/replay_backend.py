"""The only fake in hiptrack's tests: a bleak backend that replays recorded notifications.

It sits where the radio would be (`BleakClient(..., backend=ReplayBackend)`), so bleak's own
client, bleak-retry-connector and hiptrack's session code all run for real. Each device plays its
notifications from a raw log; `drop_after_s` cuts the link once (a sensor walking out of range)
so reconnection and gap handling can be tested: what it would have sent while down is lost.

Like the real devices it stands for, a replayed sensor streams once it is started (after the profile's last start
command, or once subscribed when the profile needs none), answers each write to a control point with the next
notification the log has on that characteristic (Polar's start responses, so a reconnect gets its FACTOR again),
and serves a battery level. At the end of its log it vanishes (switched off), or with `stays_after_log` keeps the
link up and silent until the session stops it.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakError

from sensors import profiles
from sensors.ble.advertising import is_ble_address, usual_name
from sensors.notification_log import LoggedNotification, read_log
from sensors.pacing import Pacer


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
    name: str = ""
    """Advertised name ("" → what units of the family usually advertise)."""
    rssi_dbm: int = -60
    battery_percent: int | None = 87
    rate_hz: float = 0.0
    """The rate it was logged at (0: unknown)."""
    stays_after_log: bool = False
    writes: list[tuple[str, bytes]] = field(default_factory=list)
    position: int = 0
    dropped: bool = False
    reachable_at: float = 0.0
    connected: bool = False
    connects: int = 0
    answers: list[LoggedNotification] = field(init=False)
    """Logged notifications on control points: replies to writes, not part of the stream."""

    def __post_init__(self) -> None:
        self.name = self.name or usual_name(self.profile)
        profile = profiles.get(self.profile)
        control = {c.characteristic_uuid.lower() for c in profile.start_commands} & \
                  {u.lower() for u in profile.notify_uuids}
        self.answers = [n for n in self.notifications if n.characteristic.lower() in control]
        self.notifications = [n for n in self.notifications if n.characteristic.lower() not in control]

    @property
    def finished(self) -> bool:
        return self.position >= len(self.notifications)


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


def load_replay_log(path: Path, *, realtime: bool, drop_after_s: float | None = None, down_for_s: float = 0.0,
                    stays_after_log: bool = True) -> list[ReplayDevice]:
    """Register every device of a raw notification log as a replayed sensor that can be scanned and connected.

    A device logged under a non-Bluetooth address (the simulator's "sim:left_thigh") gets a stable, locally
    administered MAC; one logged under a name its family would not advertise gets the family's usual name.
    """
    logged, notes = read_log(path)
    by_device: dict[str, list[LoggedNotification]] = {d.address: [] for d in logged}
    for note in notes:
        by_device[note.device].append(note)
    devices = []
    for entry in logged:
        patterns = profiles.get(entry.profile).name_patterns
        name = entry.name if any(p in entry.name for p in patterns) else usual_name(entry.profile)
        address = entry.address if is_ble_address(entry.address) else _made_up_mac(entry.address)
        devices.append(ReplayDevice(address, entry.profile, by_device[entry.address], realtime=realtime,
                                    drop_after_s=drop_after_s, down_for_s=down_for_s, name=name,
                                    rate_hz=entry.rate_hz, stays_after_log=stays_after_log))
    REPLAY_DEVICES.clear()
    REPLAY_DEVICES.update({d.address: d for d in devices})
    return devices


def _made_up_mac(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return ":".join(f"{b:02X}" for b in (0x02, *digest[:5]))          # 0x02: locally administered


class ReplayBackend(BaseBleakClient):
    def __init__(self, address_or_ble_device: BLEDevice | str, **kwargs: Any) -> None:
        super().__init__(address_or_ble_device, disconnected_callback=kwargs.pop("disconnected_callback", None),
                         timeout=kwargs.pop("timeout", 10.0))
        self._connected = False
        self._feeds: list[asyncio.Task[None]] = []
        self._callbacks: dict[str, Callable[[bytearray], None]] = {}
        self._answered = 0

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
        self._connected = device.connected = True
        self._answered = 0
        device.connects += 1

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
        device = self._device()
        battery = profiles.get(device.profile).battery
        if battery is None or characteristic.uuid.lower() != battery.characteristic_uuid.lower() \
                or device.battery_percent is None:
            raise BleakError(f"{self.address}: reading {characteristic.uuid} is not permitted")
        return bytearray(bytes([device.battery_percent]) + battery.value_suffix)

    async def read_gatt_descriptor(self, descriptor: BleakGATTDescriptor, **kwargs: Any) -> bytearray:
        return bytearray()

    async def write_gatt_char(self, characteristic: BleakGATTCharacteristic, data: Any, response: bool) -> None:
        device = self._device()
        uuid = characteristic.uuid.lower()
        device.writes.append((uuid, bytes(data)))
        callback = self._callbacks.get(uuid)
        answers = [n for n in device.answers if n.characteristic.lower() == uuid]
        if callback is not None and self._answered < len(answers):
            callback(bytearray(answers[self._answered].payload))
            self._answered += 1
        start = profiles.get(device.profile).start_commands
        if start and uuid == start[-1].characteristic_uuid.lower() and bytes(data) == start[-1].payload:
            self._start_feed()

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: Any) -> None:
        return None

    async def start_notify(self, characteristic: BleakGATTCharacteristic, callback: Callable[[bytearray], None],
                           **kwargs: Any) -> None:
        self._callbacks[characteristic.uuid.lower()] = callback
        profile = profiles.get(self._device().profile)
        if not profile.start_commands and len(self._callbacks) == len(profile.notify_uuids):
            self._start_feed()                              # streams once subscribed (WitMotion, ...)

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        self._callbacks.pop(characteristic.uuid.lower(), None)

    def _start_feed(self) -> None:
        if not self._feeds:
            self._feeds.append(asyncio.create_task(self._feed(), name=f"replay {self.address}"))

    async def _feed(self) -> None:
        device = self._device()
        notes = device.notifications
        start_host = notes[device.position].host_time_s if device.position < len(notes) else 0.0
        pacer = Pacer(device.realtime)
        while device.position < len(notes):
            note = notes[device.position]
            elapsed = note.host_time_s - start_host
            await pacer.wait_until(elapsed)
            if device.drop_after_s is not None and not device.dropped and \
                    note.host_time_s - notes[0].host_time_s >= device.drop_after_s:
                self._lose_link(device, note.host_time_s)
                return
            callback = self._callbacks.get(note.characteristic.lower())
            device.position += 1
            if callback is not None:
                replay_clock.host_time_s = note.host_time_s
                callback(bytearray(note.payload))
        if device.stays_after_log:
            return                                          # connected and silent until the session stops it
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
        if self.address in REPLAY_DEVICES:
            REPLAY_DEVICES[self.address].connected = False
        current = asyncio.current_task()
        for task in self._feeds:
            if task is not current:
                task.cancel()
        self._feeds.clear()
        if notify and was_connected and self._disconnected_callback is not None:
            self._disconnected_callback()


def _services(profile: profiles.SensorProfile) -> BleakGATTServiceCollection:
    """A GATT table with the profile's service (notify and command characteristics, those of its optional rate
    commands too) and its battery service."""
    collection = BleakGATTServiceCollection()
    service = BleakGATTService(None, 1, profile.service_uuid.lower())
    collection.add_service(service)
    uuids = list(dict.fromkeys((*(u.lower() for u in profile.notify_uuids), *profile.command_uuids)))
    handle = 2
    for uuid in uuids:
        collection.add_characteristic(BleakGATTCharacteristic(None, handle, uuid, ["read", "write", "notify"],
                                                              lambda: 244, service))
        handle += 1
    if profile.battery is not None:
        battery_service = BleakGATTService(None, handle, profile.battery.service_uuid.lower())
        collection.add_service(battery_service)
        collection.add_characteristic(BleakGATTCharacteristic(None, handle + 1,
                                                              profile.battery.characteristic_uuid.lower(),
                                                              ["read", "notify"], lambda: 244, battery_service))
    return collection
