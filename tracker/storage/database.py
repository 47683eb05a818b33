"""Open (create, secure, migrate) the database named by --db, HIPTRACK_DB or the platform default."""

from __future__ import annotations

import os
import re
import sqlite3
import sys
import time
from contextlib import closing
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from tracker.errors import BadInputError, DatabaseError, HiptrackError
from tracker.storage import tables as schema

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.orm import Session, sessionmaker

ENV_VAR = "HIPTRACK_DB"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_LOCK_KEY = int.from_bytes(b"hiptrack", "big")
"""PostgreSQL advisory lock id held while migrating (any constant both workstations agree on)."""


@dataclass(frozen=True)
class Database:
    engine: Engine

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        """ORM sessions on the engine, made on first use: listing and showing read with Core and never load
        the ORM."""
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine, expire_on_commit=False)

    @property
    def display_url(self) -> str:
        return redact(self.engine.url)

    def dispose(self) -> None:
        self.engine.dispose()


def default_url() -> str:
    """SQLite file in the user's data directory (SPEC §9: health data stays local)."""
    data_dir = Path(platformdirs.user_data_dir("hiptrack", appauthor=False))
    return f"sqlite:///{data_dir / 'hiptrack.db'}"


def demo_path() -> Path:
    """`hiptrack demo`'s own SQLite file, beside the default one: simulated sessions never mix with yours."""
    return Path(platformdirs.user_data_dir("hiptrack", appauthor=False)) / "hiptrack-demo.db"


def demo_url() -> str:
    return f"sqlite:///{demo_path()}"


def is_demo_database(database: Database) -> bool:
    """Whether `database` is `hiptrack demo`'s own file: the dashboard then says its sessions are simulated."""
    url = database.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return False
    return Path(url.database).resolve() == demo_path().resolve()


def resolve_url(cli_url: str | None) -> str:
    """--db, else $HIPTRACK_DB, else the default file; a plain path means that SQLite file.

    Why an empty --db is an error and not "the default": `--db "$CLINIC_DB"` with the variable unset
    would otherwise write health data into the personal database without a word.
    """
    if cli_url is not None and not cli_url.strip():
        raise BadInputError("--db is empty (give an SQLite file or a database URL, e.g. hiptrack.db)")
    return as_url(cli_url or os.environ.get(ENV_VAR) or default_url())


def as_url(text: str) -> str:
    """A database URL as given, or a plain file path (`mydb.db`, `~/h.db`) as its SQLite URL."""
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().absolute()}"


def mask_password(text: str) -> str:
    """Text that looks like a URL, with anything between `user:` and `@` shown as ***."""
    return re.sub(r"(://[^:/@]*:)[^/]*@", r"\1***@", text)


def redact(url: URL | str) -> str:
    """The URL as it may be shown to a user or written to a log: never with its password."""
    try:
        return make_url(url).render_as_string(hide_password=True) if isinstance(url, str) else \
            url.render_as_string(hide_password=True)
    except (ArgumentError, ValueError):        # a bad port, e.g., is a ValueError
        return mask_password(str(url))


def parse_url(url: str) -> URL:
    """The URL, or a BadInputError that does not repeat it (it may hold a password)."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as err:
        raise BadInputError(f"not a database URL: {mask_password(url)!r} "
                            "(examples: hiptrack.db, sqlite:///hiptrack.db, postgresql://host/hiptrack)") from err


def open_database(url: str | None = None, *, migrate: bool = True) -> Database:
    """Create the database if needed, upgrade it to the current schema and return it."""
    resolved = resolve_url(url)
    parsed = parse_url(resolved)
    if parsed.get_backend_name() == "sqlite":
        parsed = _prepare_sqlite_file(parsed, create_folder=resolved in (default_url(), demo_url()))
    try:
        engine = sa.create_engine(parsed, **_engine_options(parsed))
    except (NoSuchModuleError, ImportError) as err:
        raise BadInputError(f"no driver for database URL {redact(parsed)}: {err}") from err
    if parsed.get_backend_name() == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    database = Database(engine)
    if migrate:
        try:
            upgrade(database)
        except HiptrackError:
            engine.dispose()
            raise
        except Exception as err:
            engine.dispose()
            if isinstance(err, DBAPIError) or _is_alembic_error(err):
                raise open_error(err, parsed) from err
            raise
    return database


def _is_alembic_error(err: Exception) -> bool:
    """Alembic's CommandError, looked up only if Alembic was loaded (an upgrade ran): opening never imports it."""
    exc = sys.modules.get("alembic.util.exc")
    return exc is not None and isinstance(err, exc.CommandError)


def open_error(err: Exception, url: URL) -> HiptrackError:
    """One line a user can act on for a database that would not open; never the password."""
    if _is_alembic_error(err):
        return DatabaseError(f"database {redact(url)} has schema revision {_revision_in(err)} that this hiptrack "
                             "does not know: it was made by a newer hiptrack (upgrade hiptrack) or another program")
    orig = getattr(err, "orig", None) or err
    if getattr(orig, "sqlite_errorname", None) == "SQLITE_NOTADB":
        return BadInputError(f"{url.database} is not an SQLite database (a different file?)")
    message = " ".join(str(orig).split())   # libpq's messages run over several lines
    if url.password:
        message = message.replace(str(url.password), "***")
    return DatabaseError(f"cannot open database {redact(url)}: {message}")


def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` with the packaged Alembic migrations.

    Why a lock: two first-time starts at once (two clinic workstations, or a recording and the
    dashboard) would both create the tables and one would fail; the second now waits and then finds
    the schema current. A database already at head is not locked at all, so starting a command
    never waits for, nor needs write access beside, a running recording.

    Why a query of our own first: loading Alembic costs more than most commands take, and almost
    every open finds the schema current. One SELECT of alembic_version against the head this
    hiptrack ships decides it; anything else (empty, older, unknown, doubled) takes Alembic's path,
    which migrates or explains the refusal exactly as before.
    """
    if revision == "head" and _stored_revisions(database.engine) == [packaged_head()]:
        return
    from alembic import command  # only when there is something to migrate

    with database.engine.begin() as connection:
        if revision == "head" and current_revision(connection) == head_revision():
            return
        _lock_for_migration(connection)
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    if database.engine.dialect.name == "sqlite":        # the new schema in the main file, not only in the WAL
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")


def _stored_revisions(engine: Engine) -> list[str] | None:
    """alembic_version's rows, or None when the query fails (no such table yet: a new database).

    A database that cannot be reached fails in `connect()`, outside the try, and is reported as before.
    """
    with engine.connect() as connection:
        try:
            rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall()
        except DBAPIError:
            connection.rollback()
            return None
    return [str(row[0]) for row in rows]


REVISION_LINE = re.compile(r"""^(down_revision|revision)\s*(?::[^=]*)?=\s*['"]?([\w-]+|None)['"]?\s*$""", re.MULTILINE)


@cache
def packaged_revisions() -> dict[str, str | None]:
    """Each migration this hiptrack ships → the revision it follows, read from the files without Alembic.

    Why parse: the revision ids are two assignments at the top of each file; importing Alembic to read
    them would cost every command a third of a second. tests/tracker/test_storage.py checks the
    result against Alembic's own reading.
    """
    chain: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found = dict((key, value) for key, value in REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            down = found.get("down_revision")
            chain[found["revision"]] = None if down in (None, "None") else down
    return chain


def packaged_head() -> str | None:
    """The one revision no other follows (None if the chain is not linear: then Alembic decides)."""
    chain = packaged_revisions()
    heads = set(chain) - set(chain.values())
    return next(iter(heads)) if len(heads) == 1 else None


def current_revision(connection: Connection) -> str | None:
    """The schema revision stored in the database (None for an empty database), as Alembic reads it."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest schema revision this hiptrack ships, as Alembic reads it."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _lock_for_migration(connection: Connection) -> None:
    """Serialise migrations: PostgreSQL advisory lock, SQLite write lock; both end with the transaction."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
    elif dialect == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")   # pysqlite would run the DDL outside any transaction


def _refuse_foreign_sqlite_file(path: Path) -> None:
    """Leave a file that is not hiptrack's alone: not even WAL mode (a header write) for a mistyped --db.

    Read-only, with the standard library, before the engine's connect hook would switch the journal.
    A file is hiptrack's when it is empty, or when it holds one known schema revision and only
    hiptrack's tables; anything else (another program's tables, views, triggers, a user_version, an
    empty or doubled alembic_version) is another program's, and a revision this hiptrack does not
    know on hiptrack's tables comes from a newer hiptrack.
    """
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
            objects = connection.execute(
                "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall()
            user_version = connection.execute("PRAGMA user_version").fetchone()[0]
            tables = {name for kind, name in objects if kind == "table"}
            revisions = [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")] \
                if "alembic_version" in tables else []
    except sqlite3.DatabaseError as err:
        if getattr(err, "sqlite_errorname", None) == "SQLITE_NOTADB":
            raise BadInputError(f"{path} is not an SQLite database (a different file?)") from err
        return                                    # unreadable here: opening it will say why
    if not objects and user_version == 0:
        return                                    # an empty file: a new database
    strangers = sorted(tables - schema.TABLE_NAMES - {"alembic_version"}) + \
        sorted(f"{kind} {name}" for kind, name in objects if kind not in ("table", "index"))
    if strangers or user_version or len(revisions) != 1:
        found = ", ".join(strangers[:5]) or (f"user_version {user_version}" if user_version else
                                             f"{len(revisions)} schema revisions")
        raise BadInputError(f"{path} is another program's database ({found}); hiptrack will not write into it")
    if revisions[0] not in packaged_revisions():
        raise DatabaseError(f"database {path} has schema revision {revisions[0]!r} that this hiptrack does not know: "
                            "it was made by a newer hiptrack (upgrade hiptrack) or another program")


def _revision_in(err: Exception) -> str:
    found = re.search(r"identified by '([^']*)'", str(err))
    return repr(found.group(1)) if found else "(unknown)"


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _engine_options(url: URL) -> dict[str, object]:
    if url.get_backend_name() == "sqlite":
        # Short transactions from the recorder and readers in other processes: wait, never fail fast.
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


def _prepare_sqlite_file(url: URL, *, create_folder: bool = False) -> URL:
    """Create the file private to the user before SQLite creates it world-readable.

    Only the default file's folder (the user data folder) is created: a folder in a --db path that
    does not exist is more likely a typo than a wish, so it is named and nothing is created.
    Returns the URL with `~` expanded: SQLite itself would take `~/x.db` as a folder named `~`.
    """
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BadInputError("hiptrack needs an SQLite file, not an in-memory database (sqlite:///path.db)")
    path = Path(database).expanduser()
    if path.is_dir():
        raise BadInputError(f"{path} is a folder; name a file in it, e.g. sqlite:///{path / 'hiptrack.db'}")
    if path.is_file() and path.stat().st_size > 0:
        _refuse_foreign_sqlite_file(path)
    if not path.parent.exists() and not create_folder:
        raise BadInputError(f"cannot create database file {path}: folder {path.parent} does not exist")
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError as err:
        raise BadInputError(f"cannot create database file {path}: {err.strerror}") from err
    return url.set(database=str(path))


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    """WAL lets the dashboard read while a recording writes; FULL sync makes every commit survive a power loss.

    Why FULL and not WAL's usual NORMAL: NORMAL survives a killed process but not an OS crash or a
    flat battery, which can take the last commits with them. FULL syncs the WAL at each commit; the
    recorder commits twice a second and other commands rarely, so the cost is a few fsyncs a second.
    """
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _switch_to_wal(cursor: Any, attempts: int = 100) -> None:
    """Switch a new database file to WAL, waiting out another process doing the same.

    Why the loop: SQLite answers a journal-mode change that meets another connection's lock with
    "database is locked" at once, without its busy timeout; two first starts on one new file (two
    workstations) meet exactly there. Once the file is in WAL mode the switch is a no-op.
    """
    for attempt in range(attempts):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or attempt == attempts - 1:
                raise
            time.sleep(0.05)
