"""Is the database reachable, at a schema this hiptrack knows, private, and on a disk with room to record?"""

from __future__ import annotations

import os
import shutil
import stat
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from tracker.doctor.check import Check, Status
from tracker.errors import BadInputError, HiptrackError
from tracker.storage import models as m
from tracker.storage.database import (
    ENV_VAR,
    as_url,
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
PGPASS_FIX = ("put the password in ~/.pgpass (chmod 600; PostgreSQL reads it) and leave it out of the URL")


def database_checks(cli_url: str | None, environ: Mapping[str, str] = os.environ) -> list[Check]:
    checks = [url_secret_check(cli_url, environ)]
    try:
        url = parse_url(resolve_url(cli_url) if cli_url is not None else as_url(environ.get(ENV_VAR) or default_url()))
    except BadInputError as err:
        return [*checks, Check("database", Status.FAIL, str(err), "fix --db or $HIPTRACK_DB")]
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).expanduser().exists():
        checks.append(absent_file_check(Path(url.database).expanduser()))
    else:
        checks.append(open_check(url.render_as_string(hide_password=False)))
    if url.get_backend_name() == "sqlite" and url.database:
        path = Path(url.database).expanduser()
        if path.exists():
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


def absent_file_check(path: Path) -> Check:
    """A database file that does not exist yet: say so, and whether it could be created, without creating it.

    Why not open it like every other command: a check must not change what it checks (a typo in
    --db would leave a new empty database behind).
    """
    folder = next(p for p in path.parents if p.exists())
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        return Check("database", Status.FAIL, f"{path} does not exist and {folder} is not a folder you may write",
                     f"point --db at a folder of yours, or: chmod 700 {folder}")
    return Check("database", Status.OK, f"{path} does not exist yet: the first import or recording creates it")


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
