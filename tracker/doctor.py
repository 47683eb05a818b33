"""`hiptrack doctor`: is this computer ready to record, and is the database healthy and private?

Each check is a small function returning a :class:`Check` with what was found and how to fix it;
a check that cannot run says so instead of raising. The pure parts (disk arithmetic, what a BlueZ
reply or an rfkill entry means) take their inputs as arguments, so tests give them real numbers
and real file trees; the probes (D-Bus, the database, the file system) are thin around them.

Bluetooth findings are warnings at most: import, analysis, replays and the simulator work without
a radio. Database findings can fail: without a database nothing can be kept.
"""

from __future__ import annotations

import asyncio
import enum
import os
import re
import shutil
import stat
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tracker import __version__
from tracker.errors import BadInputError, HiptrackError
from tracker.storage import models as m
from tracker.storage.database import (
    ENV_VAR,
    current_revision,
    default_url,
    head_revision,
    open_database,
    parse_url,
    redact,
    resolve_url,
)

BYTES_PER_SAMPLE = 12
"""Stored size of one raw sample, compressed (README, benchmarks/bench_storage.py)."""
RECORDING_SENSORS = 3
RECORDING_RATE_HZ = 100.0
WARN_FREE_BYTES = 1_000_000_000
FAIL_FREE_BYTES = 100_000_000
DBUS_TIMEOUT_S = 2.0
SYSTEM_BUS_SOCKET = Path("/run/dbus/system_bus_socket")
RFKILL_ROOT = Path("/sys/class/rfkill")
BLUETOOTH_SYSFS = Path("/sys/class/bluetooth")
PGPASS_FIX = ("put the password in ~/.pgpass (chmod 600; PostgreSQL reads it) and leave it out of the URL")


class Status(enum.StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"name": self.name, "status": self.status.value, "detail": self.detail, "fix": self.fix}


def run_checks(db_url: str | None = None) -> list[Check]:
    """Every check, in the order a person would go through them."""
    return [check_python(), check_packages(), *bluetooth_checks(), *database_checks(db_url)]


def worst(checks: Sequence[Check]) -> Status:
    statuses = {c.status for c in checks}
    return Status.FAIL if Status.FAIL in statuses else Status.WARN if Status.WARN in statuses else Status.OK


def report_json(checks: Sequence[Check]) -> dict[str, Any]:
    return {"hiptrack": __version__, "status": worst(checks).value, "checks": [c.to_json() for c in checks]}


# -- Python and packages ----------------------------------------------------------------------------
def check_python(version: tuple[int, int, int] = sys.version_info[:3]) -> Check:
    shown = ".".join(map(str, version))
    if version < (3, 11):
        return Check("python", Status.FAIL, f"Python {shown}; hiptrack needs 3.11 or newer",
                     "install Python 3.11+ and reinstall hiptrack with it")
    return Check("python", Status.OK, f"Python {shown} ({sys.executable})")


def check_packages() -> Check:
    """The installed versions of what hiptrack depends on, against the minimums it declares."""
    found, problems = [], []
    for name, minimum in _requirements():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            problems.append(f"{name} missing")
            continue
        found.append(f"{name} {installed}")
        if minimum and _version_tuple(installed) < _version_tuple(minimum):
            problems.append(f"{name} {installed} is older than {minimum}")
    if problems:
        return Check("packages", Status.FAIL, "; ".join(problems),
                     "reinstall hiptrack in its environment: pip install --upgrade hiptrack")
    return Check("packages", Status.OK, ", ".join(found))


def _requirements() -> list[tuple[str, str | None]]:
    try:
        declared = metadata.requires("hiptrack") or []
    except metadata.PackageNotFoundError:
        declared = []
    wanted = []
    for line in declared:
        if ";" in line:                                   # extras (test tools) are not needed to run
            continue
        match = re.match(r"\s*([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(?:>=\s*([\w.]+))?", line)
        if match:
            wanted.append((match.group(1), match.group(2)))
    if sys.platform.startswith("linux"):
        wanted.append(("dbus-fast", None))                # bleak talks to BlueZ through it
    return wanted


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text.split("+")[0])[:3])


# -- Bluetooth ---------------------------------------------------------------------------------------
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


# -- the database ---------------------------------------------------------------------------------------
def database_checks(cli_url: str | None, environ: Mapping[str, str] = os.environ) -> list[Check]:
    checks = [url_secret_check(cli_url, environ)]
    try:
        url = parse_url(resolve_url(cli_url) if cli_url is not None else environ.get(ENV_VAR) or default_url())
    except BadInputError as err:
        return [*checks, Check("database", Status.FAIL, str(err), "fix --db or $HIPTRACK_DB")]
    checks.append(open_check(url.render_as_string(hide_password=False)))
    if url.get_backend_name() == "sqlite" and url.database:
        path = Path(url.database).expanduser()
        checks.append(sqlite_file_check(path))
        folder = next(p for p in path.parents if p.exists())
        checks.append(disk_space_check(shutil.disk_usage(folder).free, str(folder)))
    else:
        checks.append(Check("disk space", Status.OK, f"the data lives on the server {url.host or 'localhost'}: "
                            "its disk is not visible from here"))
    return checks


def url_secret_check(cli_url: str | None, environ: Mapping[str, str] = os.environ) -> Check:
    """A password in the URL leaks: `ps` shows command lines, shells keep history, children inherit $HIPTRACK_DB."""
    for where, text in (("--db", cli_url), (f"${ENV_VAR}", environ.get(ENV_VAR))):
        if text and _has_password(text):
            exposure = ("other users see command lines in the process list and your shell keeps it in its "
                        "history") if where == "--db" else "every program you start inherits it"
            return Check("database password", Status.WARN, f"{where} holds a password ({redact(text)}): {exposure}",
                         PGPASS_FIX)
    return Check("database password", Status.OK, "no password in the database URL")


def _has_password(text: str) -> bool:
    try:
        return bool(parse_url(text).password)
    except BadInputError:
        return False


def open_check(url: str) -> Check:
    """Open (creating and migrating as every command does), confirm the schema, write and roll back."""
    shown = redact(url)
    try:
        database = open_database(url)
    except HiptrackError as err:
        return Check("database", Status.FAIL, str(err), _open_fix(url, str(err)))
    try:
        with database.engine.connect() as connection:
            revision, head = current_revision(connection), head_revision()
            connection.execute(sa.insert(m.Device).values(address=f"hiptrack-doctor-{uuid.uuid4().hex[:8]}",
                                                          name="doctor probe", profile="doctor",
                                                          created_at=datetime.now(UTC)))
            connection.rollback()                     # the probe is never kept
    except sa.exc.DBAPIError as err:
        message = " ".join(str(err.orig).split())
        return Check("database", Status.FAIL, f"{shown} opens but cannot be written: {message}",
                     _open_fix(url, message))
    finally:
        database.dispose()
    if revision != head:
        return Check("database", Status.FAIL, f"{shown}: schema {revision}, this hiptrack expects {head}",
                     "upgrade hiptrack, or point --db at this version's database")
    return Check("database", Status.OK, f"{shown}: schema {revision} (current), writable")


def _open_fix(url: str, problem: str) -> str:
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "").expanduser()
        if "not an SQLite database" in problem or "another program" in problem:
            return "point --db at hiptrack's own database file (or a new file name)"
        return f"make the file and its folder yours and writable: chmod 600 {path}; chmod 700 {path.parent}"
    if any(s in problem for s in ("refused", "resolve host", "timeout", "timed out", "No route", "port")):
        return (f"is the PostgreSQL server running and reachable at {parsed.host}:{parsed.port or 5432}? "
                "check host and port in the URL, and the server's listen_addresses and pg_hba.conf")
    if "password" in problem or "authentication" in problem:
        return f"check the user name; {PGPASS_FIX}"
    return "check the database URL (--db or $HIPTRACK_DB)"


def sqlite_file_check(path: Path, euid: int | None = None) -> Check:
    """The file (and its journals) 0600 and the folder 0700, owned by this user, and writable."""
    euid = os.geteuid() if euid is None else euid
    problems: list[str] = []
    fixes: list[str] = []
    fail = False
    folder = path.parent
    if not folder.is_dir():
        return Check("database file", Status.FAIL, f"folder {folder} does not exist", f"mkdir -m 700 -p {folder}")
    if not _may(folder, os.W_OK | os.X_OK):
        fail = True
        problems.append(f"{folder} is not writable (SQLite keeps its journal files in the database's folder)")
        fixes.append(f"chmod u+rwx {folder}")
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if not file.exists():
            continue
        info = file.stat()
        if info.st_uid != euid:
            problems.append(f"{file} belongs to user {_user_name(info.st_uid)}, not to you ({_user_name(euid)})")
            fixes.append(f"sudo chown {_user_name(euid)} {file}")
        if stat.S_IMODE(info.st_mode) & 0o077:
            problems.append(f"{file} is readable by others (mode {stat.S_IMODE(info.st_mode):04o})")
            fixes.append(f"chmod 600 {file}")
        if not _may(file, os.R_OK | os.W_OK):
            fail = True
            problems.append(f"{file} is not writable")
            fixes.append(f"chmod u+rw {file}")
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o077:
        problems.append(f"folder {folder} is open to others (mode {mode:04o}): they can see and copy what SQLite "
                        "writes there")
        fixes.append(f"chmod 700 {folder} (or keep the database in a private folder)")
    if folder.stat().st_uid != euid:
        problems.append(f"folder {folder} belongs to user {_user_name(folder.stat().st_uid)}, not to you")
        fixes.append(f"sudo chown {_user_name(euid)} {folder}")
    if not problems:
        return Check("database file", Status.OK, f"{path}: mode 0600, folder 0700, yours")
    return Check("database file", Status.FAIL if fail else Status.WARN, "; ".join(problems), "; ".join(fixes) or None)


def _may(path: Path, mode: int) -> bool:
    """Access as this process acts (effective ids), which is what SQLite's open and create will meet."""
    return os.access(path, mode, effective_ids=os.access in os.supports_effective_ids)


def _user_name(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)


def disk_space_check(free_bytes: int, where: str, sensors: int = RECORDING_SENSORS,
                     rate_hz: float = RECORDING_RATE_HZ) -> Check:
    """Free space and what it buys: hours of recording at `sensors` × `rate_hz`, 12 bytes a sample stored."""
    hours = free_bytes / (BYTES_PER_SAMPLE * sensors * rate_hz * 3600)
    detail = (f"{_size(free_bytes)} free at {where}: about {hours:,.0f} hours of recording "
              f"with {sensors} sensors at {rate_hz:g} Hz")
    fix = "free some space on that disk, or move the database to a disk with room (--db sqlite:///PATH)"
    if free_bytes < FAIL_FREE_BYTES:
        return Check("disk space", Status.FAIL, detail, fix)
    if free_bytes < WARN_FREE_BYTES:
        return Check("disk space", Status.WARN, detail, fix)
    return Check("disk space", Status.OK, detail)


def _size(n: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1000:
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"
