"""Fixtures of the dashboard tests: the fixed history (helpers/tui_history.py), local time pinned to UTC."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.tui_history import build_template, copy_of, local_time_utc

from tracker.services import Services, build_services


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    with local_time_utc():
        yield


@pytest.fixture(scope="session")
def history_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The history's database, built once per test run (a few seconds); tests get copies."""
    return build_template(tmp_path_factory.mktemp("tui-history") / "template.db")


@pytest.fixture
def history_url(history_template: Path, tmp_path: Path) -> str:
    """A private copy of the history: every test starts from the same database."""
    return copy_of(history_template, tmp_path)


@pytest.fixture
def history(history_url: str) -> Iterator[Services]:
    services = build_services(history_url)
    yield services
    services.close()
