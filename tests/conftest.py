"""Shared fixtures: real databases in tmp_path, simulated sessions with ground truth."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tracker.services import Services, build_services


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hiptrack.db'}"


@pytest.fixture
def svc(db_url: str) -> Iterator[Services]:
    services = build_services(db_url)
    yield services
    services.close()
