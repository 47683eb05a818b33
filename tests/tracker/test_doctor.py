"""`hiptrack doctor` against conditions made for real: file modes, a read-only folder, a dead server,
a private D-Bus with and without a (stand-in) BlueZ, an rfkill tree; numbers for the disk arithmetic.

No `from __future__ import annotations` here: dbus-fast reads the D-Bus signatures ("s", "b") from the
stand-in's annotations.
"""

import asyncio
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbus_fast.aio import MessageBus
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_property
from helpers import ROOT, free_port
from helpers.ordinary_user import NOBODY, as_ordinary_user
from typer.testing import CliRunner

from hiptrack.cli import app
from tracker.doctor import Status
from tracker.doctor.bluetooth import (
    Adapter,
    BluezState,
    adapter_check,
    bluetooth_checks,
    bluez_service_check,
    kernel_adapters,
    permission_check,
    query_bluez,
    rfkill_check,
)
from tracker.doctor.database import database_checks, disk_space_check, sqlite_file_check, url_secret_check
from tracker.storage.database import open_database

runner = CliRunner()


def _doctor(*args: str, env: dict[str, str] | None = None) -> tuple[int, dict, str]:
    result = runner.invoke(app, ["doctor", "--json", *args], env=env)
    return result.exit_code, json.loads(result.stdout), result.stdout + result.stderr


def _by_name(report: dict) -> dict[str, dict]:
    return {c["name"]: c for c in report["checks"]}


# -- the whole report -------------------------------------------------------------------------------------
def test_json_report_shape_and_exit_status(tmp_path: Path) -> None:
    open_database(f"sqlite:///{tmp_path / 'h.db'}").dispose()     # doctor checks a database, never creates one
    code, report, _ = _doctor("--db", f"sqlite:///{tmp_path / 'h.db'}")
    assert set(report) == {"hiptrack", "status", "checks"}
    names = [c["name"] for c in report["checks"]]
    assert len(names) == len(set(names))
    assert {"python", "packages", "database", "database file", "database password", "disk space"} <= set(names)
    assert any(n.startswith("bluetooth") for n in names)
    for check in report["checks"]:
        assert set(check) == {"name", "status", "detail", "fix"} and check["detail"]
        assert check["status"] in {"ok", "warn", "fail"}
        if check["status"] != "ok":
            assert check["fix"], f"{check['name']} says what is wrong but not how to fix it"
    assert report["status"] == max((c["status"] for c in report["checks"]), key=["ok", "warn", "fail"].index)
    assert code == (1 if report["status"] == "fail" else 0)
    checks = _by_name(report)
    assert checks["database"]["status"] == "ok" and "current" in checks["database"]["detail"]
    assert checks["database file"]["status"] == "ok"          # made by hiptrack: 0600 in a 0700 folder


def test_text_report_gives_a_fix_under_each_finding(tmp_path: Path) -> None:
    db = tmp_path / "data" / "h.db"
    db.parent.mkdir(mode=0o700)                 # hiptrack creates only its default folder
    open_database(f"sqlite:///{db}").dispose()
    db.chmod(0o644)
    result = runner.invoke(app, ["doctor", "--db", f"sqlite:///{db}"])
    lines = result.stdout.splitlines()
    finding = next(i for i, line in enumerate(lines) if "database file" in line)
    assert "WARN" in lines[finding] and f"fix: chmod 600 {db}" in lines[finding + 1]
    assert result.exit_code == 0                                 # warnings only


def test_a_healthy_database_passes(any_db_url: str) -> None:
    checks = {c.name: c for c in database_checks(any_db_url, environ={})}
    assert checks["database"].status == Status.OK, checks["database"]
    assert checks["database password"].status == Status.OK
    assert checks["disk space"].status != Status.FAIL


# -- the database -------------------------------------------------------------------------------------------
def test_database_open_to_others_warns_with_the_chmod_that_fixes_it(tmp_path: Path) -> None:
    db = tmp_path / "data" / "h.db"
    db.parent.mkdir(mode=0o700)                 # hiptrack creates only its default folder
    open_database(f"sqlite:///{db}").dispose()
    db.chmod(0o644)
    db.parent.chmod(0o755)
    check = sqlite_file_check(db)
    assert check.status == Status.WARN
    assert "0644" in check.detail and "0755" in check.detail
    assert f"chmod 600 {db}" in (check.fix or "") and f"chmod 700 {db.parent}" in (check.fix or "")
    db.chmod(0o600)
    db.parent.chmod(0o700)
    assert sqlite_file_check(db).status == Status.OK


def test_database_of_another_user_warns(tmp_path: Path) -> None:
    db = tmp_path / "data" / "h.db"
    db.parent.mkdir(mode=0o700)                 # hiptrack creates only its default folder
    open_database(f"sqlite:///{db}").dispose()
    check = sqlite_file_check(db, euid=os.geteuid() + 1)
    assert check.status == Status.WARN and "belongs to user" in check.detail and "chown" in (check.fix or "")


@pytest.fixture
def user_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder the ordinary user of `as_ordinary_user` owns and can reach."""
    if os.geteuid() != 0:
        yield tmp_path
        return
    open_database(f"sqlite:///{tmp_path / 'warm.db'}").dispose()   # load every module while we may read them
    folder = Path(tempfile.mkdtemp(prefix="hiptrack-doctor-"))
    os.chown(folder, NOBODY, NOBODY)
    with as_ordinary_user():
        readable = os.access(ROOT / "tracker" / "storage" / "migrations", os.R_OK | os.X_OK)
    if not readable:
        shutil.rmtree(folder)
        pytest.skip("the source tree is not readable by user nobody")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("locked", ["folder", "file"])
def test_a_read_only_database_fails_and_says_how_to_fix(user_dir: Path, locked: str) -> None:
    folder = user_dir / "data"
    db = folder / "h.db"
    target, writable_mode = (folder, 0o700) if locked == "folder" else (db, 0o600)
    with as_ordinary_user():
        folder.mkdir(mode=0o700)
        open_database(f"sqlite:///{db}").dispose()
        target.chmod(0o500 if locked == "folder" else 0o400)
        try:
            checks = {c.name: c for c in database_checks(f"sqlite:///{db}", environ={})}
        finally:
            target.chmod(writable_mode)
    assert checks["database"].status == Status.FAIL, checks["database"]
    assert "readonly" in checks["database"].detail and "chmod" in (checks["database"].fix or "")
    assert checks["database file"].status == Status.FAIL
    assert f"{target} is not writable" in checks["database file"].detail
    assert f"chmod u+rw{'x' if locked == 'folder' else ''} {target}" in (checks["database file"].fix or "")


def test_unreachable_server_fails_without_showing_the_password() -> None:
    url = f"postgresql+psycopg://clinic:s3cr3t-pw@127.0.0.1:{free_port()}/hiptrack"
    code, report, output = _doctor("--db", url)
    assert code == 1 and report["status"] == "fail"
    database = _by_name(report)["database"]
    assert database["status"] == "fail" and "clinic:***@127.0.0.1" in database["detail"]
    assert "server running" in database["fix"]
    assert _by_name(report)["database password"]["status"] == "warn"
    assert "s3cr3t-pw" not in output
    text = runner.invoke(app, ["doctor", "--db", url])
    assert text.exit_code == 1 and "s3cr3t-pw" not in text.stdout + text.stderr and "FAIL" in text.stdout


def test_password_in_the_environment_is_reported_but_never_printed(tmp_path: Path) -> None:
    check = url_secret_check(None, {"HIPTRACK_DB": "postgresql+psycopg://u:hunter2@db.clinic/x"})
    assert check.status == Status.WARN and "$HIPTRACK_DB" in check.detail and ".pgpass" in (check.fix or "")
    assert "hunter2" not in check.detail + (check.fix or "")
    assert url_secret_check(None, {"HIPTRACK_DB": f"sqlite:///{tmp_path / 'x.db'}"}).status == Status.OK


def test_garbage_url_is_a_failed_check_not_a_crash() -> None:
    checks = {c.name: c for c in database_checks("no such://url", environ={})}
    assert checks["database"].status == Status.FAIL and "not a database URL" in checks["database"].detail


@pytest.mark.parametrize(("free_bytes", "status", "hours"), [
    (50_000_000, Status.FAIL, "4 hours"),          # 50 MB / (12 B × 3 × 100 Hz × 3600 s) = 3.9 h
    (500_000_000, Status.WARN, "39 hours"),
    (20_000_000_000, Status.OK, "1,543 hours"),
])
def test_disk_space_thresholds_and_hours_left(free_bytes: int, status: Status, hours: str) -> None:
    check = disk_space_check(free_bytes, "/data")
    assert check.status == status and hours in check.detail and "/data" in check.detail
    assert (check.fix is None) == (status == Status.OK)


# -- Bluetooth -------------------------------------------------------------------------------------------
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="BlueZ is Linux only")
def test_bluetooth_on_this_machine_gets_a_clear_answer() -> None:
    checks = {c.name: c for c in bluetooth_checks()}
    assert set(checks) == {"bluetooth service", "bluetooth adapter", "bluetooth radio", "bluetooth permission"}
    assert all(c.status != Status.FAIL for c in checks.values())      # no radio is not a broken install
    state = query_bluez()
    if not state.adapters:
        adapter = checks["bluetooth adapter"]
        assert adapter.status == Status.WARN and "adapter" in adapter.detail and adapter.fix
        if not kernel_adapters() and not state.bluez_running:
            assert "no Bluetooth adapter found on this computer" in adapter.detail


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_other_platforms_say_what_to_check(platform: str) -> None:
    (check,) = bluetooth_checks(platform)
    assert check.status == Status.OK and "not checked" in check.detail and "Bluetooth" in (check.fix or "")


@pytest.fixture
def private_bus() -> Iterator[str]:
    """A real dbus-daemon of our own (no BlueZ on it): the system bus is not ours to use in tests."""
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        pytest.skip("dbus-daemon not installed")
    bus = subprocess.Popen([daemon, "--session", "--nofork", "--nopidfile", "--print-address=1"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert bus.stdout is not None
    address = bus.stdout.readline().strip()
    yield address
    bus.terminate()
    bus.wait(timeout=10)


def test_bus_without_bluez_says_bluetoothd_is_not_running(private_bus: str) -> None:
    state = query_bluez(private_bus)
    assert state.bus_reachable and not state.bluez_running
    check = bluez_service_check(state)
    assert check.status == Status.WARN and "not running" in check.detail and "systemctl" in (check.fix or "")


def test_unreachable_bus_is_a_warning_with_a_reason(tmp_path: Path) -> None:
    state = query_bluez(f"unix:path={tmp_path / 'no-such-socket'}", timeout_s=1.0)
    assert not state.bus_reachable and state.problem
    assert bluez_service_check(state).status == Status.WARN


class _StandInAdapter(ServiceInterface):
    """The org.bluez.Adapter1 properties bluetoothd exports for a radio (only those the doctor reads)."""

    def __init__(self, powered: bool) -> None:
        super().__init__("org.bluez.Adapter1")
        self._powered = powered

    @dbus_property(access=PropertyAccess.READ)
    def Address(self) -> "s":  # noqa: F821
        return "00:1A:7D:DA:71:13"

    @dbus_property(access=PropertyAccess.READ)
    def Alias(self) -> "s":  # noqa: F821
        return "clinic-laptop"

    @dbus_property(access=PropertyAccess.READ)
    def Powered(self) -> "b":  # noqa: F821
        return self._powered


@pytest.mark.parametrize("powered", [False, True])
async def test_adapter_power_is_read_from_bluez_over_dbus(private_bus: str, powered: bool) -> None:
    bus = await MessageBus(bus_address=private_bus).connect()
    bus.export("/org/bluez/hci0", _StandInAdapter(powered))   # dbus-fast serves GetManagedObjects on "/"
    await bus.request_name("org.bluez")
    try:
        state = await asyncio.to_thread(query_bluez, private_bus)
    finally:
        bus.disconnect()
    assert state.bluez_running
    assert state.adapters == (Adapter("/org/bluez/hci0", "00:1A:7D:DA:71:13", "clinic-laptop", powered),)
    check = adapter_check(state)
    if powered:
        assert check.status == Status.OK and "00:1A:7D:DA:71:13" in check.detail
    else:
        assert check.status == Status.WARN and "powered off" in check.detail and "power on" in (check.fix or "")


def _rfkill(root: Path, index: int, kind: str, soft: str, hard: str) -> None:
    entry = root / f"rfkill{index}"
    entry.mkdir(parents=True)
    for name, value in (("type", kind), ("name", f"{kind}{index}"), ("soft", soft), ("hard", hard)):
        (entry / name).write_text(value + "\n")


def test_rfkill_blocks_are_found_and_explained(tmp_path: Path) -> None:
    assert rfkill_check(tmp_path / "none").status == Status.OK
    _rfkill(tmp_path, 0, "wlan", "1", "0")                     # a blocked Wi-Fi radio is not our business
    _rfkill(tmp_path, 1, "bluetooth", "0", "0")
    assert rfkill_check(tmp_path).status == Status.OK
    (tmp_path / "rfkill1" / "soft").write_text("1\n")
    soft = rfkill_check(tmp_path)
    assert soft.status == Status.WARN and "rfkill unblock bluetooth" in (soft.fix or "")
    (tmp_path / "rfkill1" / "hard").write_text("1\n")
    hard = rfkill_check(tmp_path)
    assert hard.status == Status.WARN and "hardware switch" in hard.detail


def test_permission_hints() -> None:
    denied = permission_check(BluezState(True, True, access_denied=True), euid=1000, groups=[])
    assert denied.status == Status.WARN and "usermod -aG bluetooth" in (denied.fix or "")
    assert permission_check(BluezState(True, True), euid=0).status == Status.OK
    assert permission_check(BluezState(True, True), euid=1000, groups=[]).status == Status.OK


def test_adapter_check_without_any_radio() -> None:
    nothing = adapter_check(BluezState(False, problem="no bus"), kernel=[])
    assert nothing.status == Status.WARN and "no Bluetooth adapter found" in nothing.detail
    kernel_only = adapter_check(BluezState(False, problem="no bus"), kernel=["hci0"])
    assert "hci0" in kernel_only.detail and "systemctl start bluetooth" in (kernel_only.fix or "")
    empty = adapter_check(BluezState(True, True))
    assert empty.status == Status.WARN and "no Bluetooth adapter" in empty.detail


def test_modes_are_what_hiptrack_creates(tmp_path: Path) -> None:
    db = tmp_path / "fresh" / "h.db"
    db.parent.mkdir(mode=0o700)                 # hiptrack creates only its default folder
    open_database(f"sqlite:///{db}").dispose()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600 and stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    assert sqlite_file_check(db).status == Status.OK
