"""Shared fixtures: real databases (an SQLite file, and a throwaway PostgreSQL server), services, replayed sensors.

The tests marked `extended` run only with `pytest --extended` (CI runs `pytest`, then `pytest --extended -m extended`).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from helpers.pg_cluster import find_binary, postgres_cluster

from sensors.ble.replay_backend import REPLAY_DEVICES, ReplayDevice
from tracker.services import Services, build_services


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--extended", action="store_true",
                     help="also run the tests marked extended (long variants of covered cases; CI runs them)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave the extended tests out of a plain `pytest` (a flag, not addopts' -m: `-m 'not slow'` must still work)."""
    if config.getoption("--extended"):
        return
    extended = [item for item in items if item.get_closest_marker("extended")]
    if extended:
        config.hook.pytest_deselected(items=extended)
        items[:] = [item for item in items if not item.get_closest_marker("extended")]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hiptrack.db'}"


@pytest.fixture
def svc(db_url: str) -> Iterator[Services]:
    services = build_services(db_url)
    yield services
    services.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """One PostgreSQL server for the whole run; each test gets its own database on it.

    Without the server binaries a developer's run skips these tests; CI installs the server and
    must run them, so there the missing binaries are an error."""
    if find_binary("initdb") is None and not os.environ.get("CI"):
        pytest.skip("PostgreSQL server not installed (Debian: apt-get install postgresql); CI runs these tests")
    with postgres_cluster() as url:
        yield url


@pytest.fixture
def pg_url(postgres_server: str) -> Iterator[str]:
    """An empty database of its own on the test server (no schema yet: a clinic's first start)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield postgres_server.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test against SQLite and against a real PostgreSQL server (SPEC §9)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hiptrack.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def any_svc(any_db_url: str) -> Iterator[Services]:
    services = build_services(any_db_url)
    yield services
    services.close()


@pytest.fixture
def replay_devices() -> Iterator[dict[str, ReplayDevice]]:
    """The replay backend's 'sensors in range' (a module-level registry), empty before and after the test."""
    REPLAY_DEVICES.clear()
    yield REPLAY_DEVICES
    REPLAY_DEVICES.clear()
