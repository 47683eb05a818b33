"""`hiptrack doctor`: is this computer ready to record, and is the database healthy and private?

Each check is a small function returning a :class:`Check` with what was found and how to fix it;
a check that cannot run says so instead of raising. The pure parts (disk arithmetic, what a BlueZ
reply or an rfkill entry means) take their inputs as arguments, so tests give them real numbers
and real file trees; the probes (D-Bus, the database, the file system) are thin around them.

Bluetooth findings are warnings at most: import, analysis, replays and the simulator work without
a radio. Database findings can fail: without a database nothing can be kept.
"""


from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracker import __version__
from tracker.doctor.bluetooth import bluetooth_checks
from tracker.doctor.check import Check, Status
from tracker.doctor.database import database_checks
from tracker.doctor.environment import check_packages, check_python

__all__ = ["Check", "Status", "report_json", "run_checks", "worst"]


def run_checks(db_url: str | None = None) -> list[Check]:
    """Every check, in the order a person would go through them."""
    return [check_python(), check_packages(), *bluetooth_checks(), *database_checks(db_url)]


def worst(checks: Sequence[Check]) -> Status:
    statuses = {c.status for c in checks}
    return Status.FAIL if Status.FAIL in statuses else Status.WARN if Status.WARN in statuses else Status.OK


def report_json(checks: Sequence[Check]) -> dict[str, Any]:
    return {"hiptrack": __version__, "status": worst(checks).value, "checks": [c.to_json() for c in checks]}
