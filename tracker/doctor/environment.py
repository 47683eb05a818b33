"""Is this Python new enough, and are the packages hiptrack needs installed at versions it accepts?"""

from __future__ import annotations

import re
import sys
from importlib import metadata

from tracker.doctor.check import Check, Status


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
