"""What every dashboard screen is given: the services, the clock, the sensor scanner, and what changed.

Why one object: screens get their collaborators through `__init__` (no reaching into the app), and
tests swap the clock and the scanner here to make screens deterministic and hardware-free.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tracker.domain import Placement
from tracker.services import Services


@dataclass(frozen=True, slots=True)
class FoundSensor:
    """One advertising sensor, as the Devices screen lists it."""

    address: str
    name: str | None
    profile: str | None
    """The sensor family hiptrack can read it with, if recognised."""
    rssi_dbm: int | None = None
    battery_pct: int | None = None


class BluetoothUnavailableError(Exception):
    """No adapter, Bluetooth switched off, or no permission: the message says why and what to try."""


Scanner = Callable[[float], Awaitable[Sequence[FoundSensor]]]
"""Scan for `timeout_s` seconds; raises BluetoothUnavailableError when there is nothing to scan with."""


class DataVersion:
    """Bumped after anything is written (a recording, a plan change): screens reload when next shown."""

    def __init__(self) -> None:
        self.value = 0

    def bump(self) -> None:
        self.value += 1


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class DashboardContext:
    services: Services
    """Replaced (never mutated) when the person picker changes whose sessions are shown."""
    scanner: Scanner
    clock: Callable[[], datetime] = utc_now
    """"Now" for relative dates, the calendar and new plan items; frozen in tests."""
    data: DataVersion = field(default_factory=DataVersion)
    placements: dict[str, Placement] = field(default_factory=dict)
    """Sensor address → where the user strapped it, for this run (no stored preference yet)."""
    demo: bool = False
    """The database is `hiptrack demo`'s: its sessions are simulated, and the screens say so."""
