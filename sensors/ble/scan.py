"""Find sensors in range: bleak's `BleakScanner` with a detection callback, each advertisement matched to a profile,
and (optionally) a short connection to read the battery level.

Scanning listens for the whole `timeout_s` (sensors advertise every 0.1-1 s, and some slow down after a minute
unconnected), keeping each device's latest advertisement. Battery levels are read one sensor at a time, each
within `battery_timeout_s`: many adapters cope badly with several connections being set up at once. Families
without a GATT battery level (WitMotion reports it only through a register read on its data stream) are not
connected to at all.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from bleak import BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData
from bleak.exc import BleakError

from sensors.ble.advertising import is_ble_address, match_profile
from sensors.ble.backends import PLATFORM, BleBackends
from sensors.ble.session import LINK_ERRORS, battery_percent_of, open_client
from sensors.profiles.base import SensorProfile

_LOGGER = logging.getLogger(__name__)



class BluetoothUnavailableError(RuntimeError):
    """Scanning could not start: no adapter, adapter off, no permission, no Bluetooth service."""


class SensorChoiceError(ValueError):
    """A requested sensor was not found, or the request matches more than one."""


@dataclass(frozen=True, slots=True)
class FoundSensor:
    """One device heard while scanning."""

    name: str
    address: str
    """MAC address; on macOS a UUID that CoreBluetooth assigns."""
    profile: SensorProfile | None
    """None for a device that is not a supported sensor."""
    rssi_dbm: int
    battery_percent: int | None = None
    device: BLEDevice | None = field(default=None, compare=False, repr=False)
    """What bleak needs to connect (platform details included)."""

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "address": self.address, "profile": self.profile.name if self.profile else None,
                "rssi": self.rssi_dbm, "battery_percent": self.battery_percent}


async def scan(timeout_s: float = 5.0, *, name_contains: str | None = None, service_uuids: list[str] | None = None,
               include_unsupported: bool = False, read_battery: bool = True, battery_timeout_s: float = 5.0,
               backends: BleBackends = PLATFORM) -> list[FoundSensor]:
    """Sensors heard within `timeout_s`, strongest signal first.

    `name_contains` (case-insensitive) and `service_uuids` (advertised, as bleak filters) narrow the scan.
    Raises BluetoothUnavailableError when the radio cannot scan at all.
    """
    heard: dict[str, tuple[BLEDevice, AdvertisementData]] = {}

    def on_advertisement(device: BLEDevice, advertisement: AdvertisementData) -> None:
        heard[device.address] = (device, advertisement)

    try:
        async with BleakScanner(on_advertisement, service_uuids, backend=backends.scanner):
            await asyncio.sleep(timeout_s)
    except FileNotFoundError as err:                # BlueZ: no system D-Bus socket to talk to
        raise BluetoothUnavailableError("no Bluetooth service found") from err
    except (BleakError, OSError) as err:
        raise BluetoothUnavailableError((str(err) or type(err).__name__).rstrip(".")) from err
    found = [_found(device, advertisement) for device, advertisement in heard.values()]
    found = [f for f in found if (include_unsupported or f.profile is not None)
             and (name_contains is None or name_contains.lower() in f.name.lower())]
    if read_battery:
        found = [await _with_battery(f, battery_timeout_s, backends) if f.profile and f.profile.battery_uuid else f
                 for f in found]
    return sorted(found, key=lambda f: (-f.rssi_dbm, f.address))


def resolve(found: list[FoundSensor], query: str) -> FoundSensor:
    """The one supported sensor `query` names: its exact address, else a unique part of its name.

    Raises SensorChoiceError saying what was heard, so the user can pick an address.
    """
    by_address = [f for f in found if f.address.lower() == query.lower()]
    if by_address:
        if by_address[0].profile is None:
            raise SensorChoiceError(f"{query} ({by_address[0].name or 'no name'}) is not a supported sensor")
        return by_address[0]
    supported = [f for f in found if f.profile is not None]
    by_name = [f for f in supported if query.lower() in f.name.lower()]
    if len(by_name) == 1:
        return by_name[0]
    heard = ", ".join(f"{f.name} ({f.address})" for f in supported) or "no supported sensor"
    if not by_name:
        what = "address" if is_ble_address(query) else "name containing"
        raise SensorChoiceError(f"no sensor with {what} {query!r} in range (heard: {heard}); is it switched on, "
                                "charged, and not connected to another app or phone?")
    matches = ", ".join(f"{f.name} ({f.address})" for f in by_name)
    raise SensorChoiceError(f"{query!r} matches {len(by_name)} sensors: {matches}; give the address instead")


async def read_battery_percent(device: BLEDevice, profile: SensorProfile, *, timeout_s: float = 5.0,
                               backends: BleBackends = PLATFORM) -> int | None:
    """Battery level in % through a short connection (standard 0x2A19, else the profile's own), or None."""
    label = f"{device.name} ({device.address})"
    try:
        async with asyncio.timeout(timeout_s):
            client = await open_client(device, label, backends.client, max_attempts=1)
            try:
                return await battery_percent_of(client, profile)
            finally:
                await client.disconnect()
    except LINK_ERRORS as err:
        _LOGGER.info("%s: battery not readable (%s)", label, err)
        return None


def _found(device: BLEDevice, advertisement: AdvertisementData) -> FoundSensor:
    name = advertisement.local_name or device.name or ""
    return FoundSensor(name, device.address, match_profile(name, advertisement.service_uuids),
                       advertisement.rssi, None, device)


async def _with_battery(found: FoundSensor, timeout_s: float, backends: BleBackends) -> FoundSensor:
    assert found.device is not None and found.profile is not None
    percent = await read_battery_percent(found.device, found.profile, timeout_s=timeout_s, backends=backends)
    return FoundSensor(found.name, found.address, found.profile, found.rssi_dbm, percent, found.device)
