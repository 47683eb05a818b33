"""Can this computer talk to Bluetooth sensors: BlueZ over D-Bus, an adapter, rfkill, permissions.

Findings here are warnings at most: import, analysis, replays and the simulator work without a radio.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.doctor.check import Check, Status

DBUS_TIMEOUT_S = 2.0
SYSTEM_BUS_SOCKET = Path("/run/dbus/system_bus_socket")
RFKILL_ROOT = Path("/sys/class/rfkill")
BLUETOOTH_SYSFS = Path("/sys/class/bluetooth")


@dataclass(frozen=True, slots=True)
class Adapter:
    path: str
    address: str
    name: str
    powered: bool


@dataclass(frozen=True, slots=True)
class BluezState:
    """What the system bus said about BlueZ; `problem` is why it could not say more."""

    bus_reachable: bool
    bluez_running: bool = False
    adapters: tuple[Adapter, ...] = ()
    access_denied: bool = False
    problem: str | None = None


def bluetooth_checks(platform: str = sys.platform) -> list[Check]:
    if platform.startswith("linux"):
        state = query_bluez()
        return [bluez_service_check(state), adapter_check(state, kernel_adapters()), rfkill_check(),
                permission_check(state)]
    if platform == "darwin":
        return [Check("bluetooth", Status.OK, "not checked on macOS",
                      "if `hiptrack scan` finds nothing: turn Bluetooth on, and allow your terminal app under "
                      "System Settings → Privacy & Security → Bluetooth")]
    if platform.startswith("win"):
        return [Check("bluetooth", Status.OK, "not checked on Windows",
                      "if `hiptrack scan` finds nothing: turn Bluetooth on in Settings → Bluetooth & devices; "
                      "Windows 10 version 1709 or newer is needed")]
    return [Check("bluetooth", Status.WARN, f"no Bluetooth support known for platform {platform!r}",
                  "record from files or the simulator; live sensors need Linux (BlueZ), macOS or Windows")]


def query_bluez(bus_address: str | None = None, timeout_s: float = DBUS_TIMEOUT_S) -> BluezState:
    """Ask the system bus (or `bus_address`) whether bluetoothd runs and which adapters it has."""
    if bus_address is None and not os.environ.get("DBUS_SYSTEM_BUS_ADDRESS") and not SYSTEM_BUS_SOCKET.exists():
        return BluezState(False, problem=f"no D-Bus system bus ({SYSTEM_BUS_SOCKET} does not exist)")
    try:
        return asyncio.run(asyncio.wait_for(_ask_bluez(bus_address), timeout_s * 2))
    except ImportError:
        return BluezState(False, problem="the dbus-fast package is missing (bleak needs it on Linux)")
    except TimeoutError:
        return BluezState(False, problem=f"the D-Bus system bus did not answer within {timeout_s:.0f} s")
    except Exception as err:  # any failure to talk to the bus is a finding, not a crash
        return BluezState(False, problem=f"cannot talk to the D-Bus system bus: {err}")


async def _ask_bluez(bus_address: str | None) -> BluezState:
    from dbus_fast import BusType, Message, MessageType
    from dbus_fast.aio import MessageBus

    bus = MessageBus(bus_address=bus_address, bus_type=BusType.SYSTEM)
    await bus.connect()
    try:
        reply = await bus.call(Message(destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
                                       interface="org.freedesktop.DBus", member="NameHasOwner", signature="s",
                                       body=["org.bluez"]))
        if reply is None or reply.message_type == MessageType.ERROR or not reply.body[0]:
            return BluezState(True, bluez_running=False)
        reply = await bus.call(Message(destination="org.bluez", path="/",
                                       interface="org.freedesktop.DBus.ObjectManager", member="GetManagedObjects"))
        if reply is None or reply.message_type == MessageType.ERROR:
            error = reply.error_name if reply is not None else "no reply"
            return BluezState(True, True, access_denied=error == "org.freedesktop.DBus.Error.AccessDenied",
                              problem=f"BlueZ refused to list adapters ({error})")
        return BluezState(True, True, adapters_from_managed_objects(reply.body[0]))
    finally:
        bus.disconnect()


def adapters_from_managed_objects(objects: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> tuple[Adapter, ...]:
    """The org.bluez.Adapter1 objects of a GetManagedObjects reply (values may be D-Bus Variants)."""
    adapters = []
    for path, interfaces in sorted(objects.items()):
        props = interfaces.get("org.bluez.Adapter1")
        if props is None:
            continue
        value = {key: getattr(v, "value", v) for key, v in props.items()}
        adapters.append(Adapter(path, str(value.get("Address", "?")), str(value.get("Alias", value.get("Name", ""))),
                                bool(value.get("Powered", False))))
    return tuple(adapters)


def kernel_adapters(root: Path = BLUETOOTH_SYSFS) -> list[str]:
    """hci devices the kernel knows, whatever BlueZ says (none: no radio, or no driver)."""
    return sorted(p.name for p in root.glob("hci*")) if root.is_dir() else []


def bluez_service_check(state: BluezState) -> Check:
    if not state.bus_reachable:
        return Check("bluetooth service", Status.WARN, f"BlueZ cannot be reached: {state.problem}",
                     "live sensors need D-Bus and BlueZ: sudo apt install bluez, then sudo systemctl start dbus "
                     "bluetooth (not needed for import, analysis, replays or the simulator)")
    if not state.bluez_running:
        return Check("bluetooth service", Status.WARN, "the D-Bus system bus works but BlueZ (bluetoothd) is not "
                     "running", "sudo systemctl enable --now bluetooth (package: bluez)")
    return Check("bluetooth service", Status.OK, "BlueZ (bluetoothd) answers on the D-Bus system bus")


def adapter_check(state: BluezState, kernel: Sequence[str] = ()) -> Check:
    if state.adapters:
        off = [a for a in state.adapters if not a.powered]
        listed = ", ".join(f"{a.path.rsplit('/', 1)[-1]} {a.address} ({'on' if a.powered else 'off'})"
                           for a in state.adapters)
        if len(off) == len(state.adapters):
            name = off[0].path.rsplit("/", 1)[-1]
            return Check("bluetooth adapter", Status.WARN, f"every adapter is powered off: {listed}",
                         f"bluetoothctl power on (or: bluetoothctl select {off[0].address}; power on) — "
                         f"if it switches off again, check rfkill and the {name} driver")
        return Check("bluetooth adapter", Status.OK, listed)
    if state.bluez_running and not state.access_denied and state.problem is None:
        return Check("bluetooth adapter", Status.WARN, "BlueZ runs but has no Bluetooth adapter",
                     "plug in a Bluetooth 4.0+ (BLE) USB adapter, or enable the built-in one in the firmware settings")
    if kernel:
        return Check("bluetooth adapter", Status.WARN, f"the kernel has {', '.join(kernel)} but BlueZ could not be "
                     "asked about it", "start BlueZ: sudo systemctl start bluetooth")
    return Check("bluetooth adapter", Status.WARN, "no Bluetooth adapter found on this computer (none in "
                 f"{BLUETOOTH_SYSFS}); live sensors cannot be used here",
                 "plug in a Bluetooth 4.0+ (BLE) USB adapter; until then use import, replays or --simulate")


def rfkill_check(root: Path = RFKILL_ROOT) -> Check:
    """Bluetooth radios switched off by software (airplane mode, `rfkill block`) or by a hardware switch."""
    blocked_soft, blocked_hard, seen = [], [], 0
    for entry in sorted(root.glob("rfkill*")) if root.is_dir() else []:
        if _read(entry / "type") != "bluetooth":
            continue
        seen += 1
        name = _read(entry / "name") or entry.name
        if _read(entry / "hard") == "1":
            blocked_hard.append(name)
        elif _read(entry / "soft") == "1":
            blocked_soft.append(name)
    if blocked_hard:
        return Check("bluetooth radio", Status.WARN, f"blocked by a hardware switch: {', '.join(blocked_hard)}",
                     "turn off airplane mode with the laptop's key or switch, or enable Bluetooth in the firmware")
    if blocked_soft:
        return Check("bluetooth radio", Status.WARN, f"switched off in software (rfkill): {', '.join(blocked_soft)}",
                     "rfkill unblock bluetooth (or turn off airplane mode)")
    if seen:
        return Check("bluetooth radio", Status.OK, f"{seen} Bluetooth radio(s), none blocked")
    return Check("bluetooth radio", Status.OK, "no Bluetooth radio kill switch reported")


def permission_check(state: BluezState, euid: int | None = None, groups: Sequence[int] | None = None) -> Check:
    """Whether this user may use BlueZ; only a refusal is a warning, the group is a hint."""
    euid = os.geteuid() if euid is None else euid
    if state.access_denied:
        return Check("bluetooth permission", Status.WARN, "BlueZ refused this user (D-Bus AccessDenied)",
                     "sudo usermod -aG bluetooth $USER, then log out and in again")
    if euid == 0:
        return Check("bluetooth permission", Status.OK, "running as root: not needed, and the database it creates "
                     "will belong to root")
    gid = _group_id("bluetooth")
    groups = os.getgroups() if groups is None else groups
    if gid is not None and gid not in groups:
        return Check("bluetooth permission", Status.OK, "not in the 'bluetooth' group; most systems do not need "
                     "it, but if scanning says 'Not authorized': sudo usermod -aG bluetooth $USER")
    return Check("bluetooth permission", Status.OK, "this user may use BlueZ")


def _group_id(name: str) -> int | None:
    try:
        import grp

        return grp.getgrnam(name).gr_gid
    except (ImportError, KeyError):
        return None


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""
