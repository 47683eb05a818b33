"""Recording from live sensors: find them by address or name, connect, and stream them through the same decoders
and recorder as `--simulate` and `--replay` (SensorLink → NotificationSource → Recorder).

Stopping (Ctrl-C, or Stop on the live screen) is graceful: `LiveSensors.stop` writes the stop commands and
disconnects, the notification stream then ends by itself, so everything already received is still decoded and
stored, and the session ends complete and analysed (tracker.live_session.LiveSession runs the recording).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from sensors.ble.backends import PLATFORM, BleBackends, replay_backends
from sensors.ble.scan import BluetoothUnavailableError, FoundSensor, SensorChoiceError, resolve, scan
from sensors.ble.session import LINK_ERRORS, LinkItem, SensorLink, notifications_from
from sensors.notification_log import LogFormatError, LoggedDevice
from sensors.notification_source import NotificationSource
from sensors.profiles.base import SensorProfile
from sensors.samples import Placement
from sensors.source import SampleSource
from tracker import catalog
from tracker.domain import Side, Source, thigh_of
from tracker.errors import BadInputError, HiptrackError, ImportFormatError
from tracker.live_session import LiveRequest

BLUETOOTH_ADVICE = "Run `hiptrack doctor`; without a sensor, try `hiptrack record --simulate`"
"""Short on purpose: the doctor knows the platform and checks each step (service, adapter, permission)."""


class BluetoothError(HiptrackError):
    """The radio cannot be used, or a sensor could not be connected: exit status 1, with advice."""


def choose_backends(ble_replay: Path | None, drop: str | None, realtime: bool) -> BleBackends:
    """The platform's radio, or (`--ble-replay LOG`, `--ble-replay-drop AT_S:DOWN_S`) replayed sensors."""
    if ble_replay is None:
        if drop is not None:
            raise BadInputError("--ble-replay-drop needs --ble-replay LOG")
        return PLATFORM
    drop_after_s, down_for_s = _parse_drop(drop) if drop is not None else (None, 0.0)
    try:
        return replay_backends(ble_replay, realtime=realtime, drop_after_s=drop_after_s, down_for_s=down_for_s)
    except (OSError, UnicodeDecodeError) as err:
        raise BadInputError(f"{ble_replay}: cannot read the log ({err})") from err
    except LogFormatError as err:
        raise ImportFormatError(err.path, err.line, err.problem) from err


def live_profile(profile: SensorProfile) -> tuple[SensorProfile, float]:
    """The profile as a live recording uses it (at the family's live rate, e.g. WitMotion's 100 Hz instead of its
    10 Hz default), and the pause its start commands need between them."""
    return profile.for_live_recording(), profile.command_gap_s


async def scan_sensors(timeout_s: float, *, name_contains: str | None = None, include_unsupported: bool = False,
                       read_battery: bool = True, backends: BleBackends = PLATFORM) -> list[FoundSensor]:
    """`hiptrack scan`: sensors in range (with battery levels), or BluetoothError with advice."""
    if not timeout_s > 0:
        raise BadInputError(f"--timeout must be positive, got {timeout_s:g}")
    try:
        return await scan(timeout_s, name_contains=name_contains, include_unsupported=include_unsupported,
                          read_battery=read_battery, backends=backends)
    except BluetoothUnavailableError as err:
        raise BluetoothError(f"cannot scan for sensors: {err}. {BLUETOOTH_ADVICE}") from err


async def find_sensors(wanted: Mapping[Placement, str], timeout_s: float,
                       backends: BleBackends = PLATFORM) -> dict[Placement, FoundSensor]:
    """One scan, then each placement's sensor by exact address or a unique part of its name."""
    heard = await scan_sensors(timeout_s, include_unsupported=True, read_battery=False, backends=backends)
    chosen: dict[Placement, FoundSensor] = {}
    for placement, query in wanted.items():
        try:
            chosen[placement] = resolve(heard, query)
        except SensorChoiceError as err:
            raise BadInputError(f"{placement.value.replace('_', ' ')} sensor: {err}") from err
    addresses = [f.address for f in chosen.values()]
    twice = sorted({a for a in addresses if addresses.count(a) > 1})
    if twice:
        raise BadInputError(f"{twice[0]} was chosen for more than one placement; one sensor per placement")
    return chosen


class LiveSensors:
    """Connected sensors and the sample source over their notifications."""

    def __init__(self, links: dict[Placement, SensorLink], source: NotificationSource) -> None:
        self.links = links
        self.source = source

    @classmethod
    async def connect(cls, chosen: Mapping[Placement, FoundSensor], backends: BleBackends = PLATFORM,
                      log: Path | None = None) -> LiveSensors:
        """Connect and start every sensor; if one fails, the others are stopped again and BluetoothError raised."""
        queue: asyncio.Queue[LinkItem] = asyncio.Queue()
        links: dict[Placement, SensorLink] = {}
        devices = []
        for placement, found in chosen.items():
            assert found.profile is not None and found.device is not None
            profile, gap_s = live_profile(found.profile)
            links[placement] = SensorLink(found.device, profile, queue, backend=backends.client,
                                          reconnect_for_s=backends.reconnect_for_s, clock=backends.clock,
                                          command_gap_s=gap_s)
            rate_hz = backends.logged_rate_hz(found.address) or profile.default_rate_hz
            devices.append(LoggedDevice(found.address, profile.name, placement, found.name, rate_hz))
        connecting = ""
        try:
            for placement, link in links.items():
                connecting = f"the {placement.value.replace('_', ' ')} sensor {link.label}"
                await link.connect()
        except BaseException as err:
            for link in links.values():
                await link.stop()
            if isinstance(err, LINK_ERRORS):
                raise BluetoothError(f"could not connect to {connecting}: {err}") from err
            raise
        source = NotificationSource(devices, notifications_from(list(links.values()), queue), log)
        for placement, link in links.items():       # once, at the start: shown beside each sensor's status
            percent = await link.read_battery_percent()
            if percent is not None:
                source.battery[placement] = percent
        return cls(links, source)

    async def stop(self) -> None:
        for link in self.links.values():
            await link.stop()


def _parse_drop(text: str) -> tuple[float, float]:
    try:
        at_s, down_s = (float(part) for part in text.split(":"))
    except ValueError:
        raise BadInputError(f"--ble-replay-drop {text!r}: expected AT_S:DOWN_S, e.g. 20:1") from None
    if at_s < 0 or down_s < 0:
        raise BadInputError(f"--ble-replay-drop {text!r}: times must not be negative")
    return at_s, down_s


def live_request(exercise_id: str, side: Side, wanted: Mapping[Placement, str], *, scan_timeout_s: float = 5.0,
                 backends: BleBackends = PLATFORM, log: Path | None = None,
                 on_status: Callable[[str], None] = lambda _line: None) -> tuple[LiveRequest, list[LiveSensors]]:
    """A recording request over Bluetooth sensors (by address or a unique part of the name, per placement).

    The sensors are found and connected when the recording starts, on its own event loop (bleak's
    objects belong to one loop); stopping writes their stop commands, and the recording then ends by
    itself with everything they sent. The list fills with the connected sensors (for link reports).
    """
    catalog.get(exercise_id)
    if thigh_of(side) not in wanted:
        raise BadInputError(f"no sensor given for the {side.value} thigh")
    connected: list[LiveSensors] = []

    async def connect() -> SampleSource:
        on_status(f"Looking for sensors ({scan_timeout_s:g} s)…")
        chosen = await find_sensors(wanted, scan_timeout_s, backends)
        for placement, found in chosen.items():
            on_status(f"  {placement.value.replace('_', ' ')}: {found.name} ({found.address}), {found.rssi_dbm} dBm")
        sensors = await LiveSensors.connect(chosen, backends, log)
        connected.append(sensors)
        return sensors.source

    async def stop() -> None:
        for sensors in connected:
            await sensors.stop()

    return LiveRequest(exercise_id, side, connect, Source.BLE, stop_source=stop), connected


def env_backends(realtime: bool = True) -> BleBackends:
    """The radio, or the replayed sensors `HIPTRACK_BLE_REPLAY=LOG` names (as `--ble-replay` does for `record`)."""
    log = os.environ.get("HIPTRACK_BLE_REPLAY")
    return choose_backends(Path(log) if log else None, os.environ.get("HIPTRACK_BLE_REPLAY_DROP"), realtime)
