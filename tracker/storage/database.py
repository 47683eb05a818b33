"""Open (create, secure, migrate) the database named by --db, HIPTRACK_DB or the platform default."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tracker.errors import BadInputError, DatabaseError

ENV_VAR = "HIPTRACK_DB"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


@dataclass(frozen=True, slots=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def display_url(self) -> str:
        return redact(self.engine.url)

    def dispose(self) -> None:
        self.engine.dispose()


def default_url() -> str:
    """SQLite file in the user's data directory (SPEC §9: health data stays local)."""
    data_dir = Path(platformdirs.user_data_dir("hiptrack", appauthor=False))
    return f"sqlite:///{data_dir / 'hiptrack.db'}"


def resolve_url(cli_url: str | None) -> str:
    return cli_url or os.environ.get(ENV_VAR) or default_url()


def redact(url: URL | str) -> str:
    """The URL as it may be shown to a user or written to a log: never with its password."""
    try:
        return make_url(url).render_as_string(hide_password=True) if isinstance(url, str) else \
            url.render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def open_database(url: str | None = None, *, migrate: bool = True) -> Database:
    """Create the database if needed, upgrade it to the current schema and return it."""
    resolved = resolve_url(url)
    try:
        parsed = make_url(resolved)
    except ArgumentError as err:
        raise BadInputError(f"not a database URL: {redact(resolved)!r} (example: sqlite:///hiptrack.db)") from err
    if parsed.get_backend_name() == "sqlite":
        _prepare_sqlite_file(parsed)
    try:
        engine = sa.create_engine(parsed, **_engine_options(parsed))
    except (NoSuchModuleError, ImportError) as err:
        raise BadInputError(f"no driver for database URL {redact(parsed)}: {err}") from err
    if parsed.get_backend_name() == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    database = Database(engine, sessionmaker(engine, expire_on_commit=False))
    if migrate:
        try:
            upgrade(database)
        except OperationalError as err:
            engine.dispose()
            raise DatabaseError(f"cannot open database {redact(parsed)}: {err.orig}") from err
    return database


def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` with the packaged Alembic migrations."""
    with database.engine.begin() as connection:
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _engine_options(url: URL) -> dict[str, object]:
    if url.get_backend_name() == "sqlite":
        # Short transactions from the recorder and readers in other processes: wait, never fail fast.
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


def _prepare_sqlite_file(url: URL) -> None:
    """Create the file (and its folder) private to the user before SQLite creates it world-readable."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BadInputError("hiptrack needs an SQLite file, not an in-memory database (sqlite:///path.db)")
    path = Path(database).expanduser()
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError as err:
        raise DatabaseError(f"cannot create database file {path}: {err.strerror}") from err


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    """WAL lets the dashboard read while a recording writes; NORMAL sync survives a killed process."""
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
