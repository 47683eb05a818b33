"""Raw notification logs: every BLE notification as it arrived, to replay through the same decoders.

One text line per notification, `host_time_s,device,profile,characteristic,payload_hex`, after
`#`-comment lines that describe each device (`# device <address> profile=... placement=...`).
Text so that it can be read, diffed and cut with ordinary tools; flushed line by line so a
killed recorder leaves a usable log.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sensors.limits import rate_problem
from sensors.samples import Placement

HEADER = "host_time_s,device,profile,characteristic,payload_hex"


MAX_HOST_TIME_S = 1e10
"""Unix seconds up to the year 2286: anything beyond (or negative) is a corrupt line, not a time."""


class LogFormatError(ValueError):
    """The log is malformed; names the file, line and problem."""

    def __init__(self, path: Path, line: int, problem: str) -> None:
        self.path, self.line, self.problem = path, line, problem
        super().__init__(f"{path}:{line}: {problem}")


@dataclass(frozen=True, slots=True)
class LoggedDevice:
    address: str
    profile: str
    placement: Placement
    name: str
    rate_hz: float


@dataclass(frozen=True, slots=True)
class LoggedNotification:
    host_time_s: float
    device: str
    profile: str
    characteristic: str
    payload: bytes


class LogWriter:
    """Appends notifications as they arrive (one line each, flushed)."""

    def __init__(self, path: Path, devices: list[LoggedDevice]) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)      # health data: private
        self._file: TextIO = os.fdopen(fd, "w", encoding="ascii", newline="\n")
        self._file.write("# hiptrack raw notification log v1\n")
        for d in devices:
            self._file.write(f"# device {d.address} profile={d.profile} placement={d.placement.value} "
                             f"rate_hz={d.rate_hz:g} name={d.name.replace(' ', '_')}\n")
        self._file.write(HEADER + "\n")
        self._file.flush()

    def write(self, host_time_s: float, device: str, profile: str, characteristic: str, payload: bytes) -> None:
        self._file.write(f"{host_time_s:.6f},{device},{profile},{characteristic},{payload.hex()}\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def read_log(path: Path) -> tuple[list[LoggedDevice], Iterator[LoggedNotification]]:
    """Devices from the header, and the notifications in file order (read lazily)."""
    lines = path.read_text(encoding="ascii", errors="strict").splitlines()
    devices: list[LoggedDevice] = []
    body_start = None
    for number, line in enumerate(lines, 1):
        if line.startswith("# device "):
            devices.append(_device(path, number, line))
        elif line == HEADER:
            body_start = number
            break
        elif not line.startswith("#"):
            raise LogFormatError(path, number, f"expected the header line {HEADER!r}")
    if body_start is None:
        raise LogFormatError(path, max(1, len(lines)), "no header line: not a hiptrack notification log")
    if not devices:
        raise LogFormatError(path, body_start, "no '# device' lines: which sensors were recorded is unknown")
    return devices, _notifications(path, lines, body_start, {d.address for d in devices})


def _device(path: Path, number: int, line: str) -> LoggedDevice:
    parts = line.split()
    fields = dict(p.split("=", 1) for p in parts[3:] if "=" in p)
    try:
        device = LoggedDevice(parts[2], fields["profile"], Placement(fields["placement"]),
                              fields.get("name", parts[2]).replace("_", " "), float(fields.get("rate_hz", "0")))
    except (IndexError, KeyError, ValueError) as err:
        raise LogFormatError(path, number, f"bad device line ({err})") from None
    problem = rate_problem(device.rate_hz) if "rate_hz" in fields else None
    if problem is not None:
        raise LogFormatError(path, number, f"bad device line ({problem})")
    return device


def _notifications(path: Path, lines: list[str], body_start: int, known: set[str]) -> Iterator[LoggedNotification]:
    previous = float("-inf")
    for number, line in enumerate(lines[body_start:], body_start + 1):
        if not line.strip():
            continue
        cells = line.split(",")
        if len(cells) != 5:
            raise LogFormatError(path, number, f"expected 5 fields, found {len(cells)}")
        try:
            host_time_s, payload = float(cells[0]), bytes.fromhex(cells[4])
        except ValueError as err:
            raise LogFormatError(path, number, f"bad time or payload hex ({err})") from None
        if not 0.0 <= host_time_s <= MAX_HOST_TIME_S:
            raise LogFormatError(path, number, f"host time {host_time_s:g} is not a time of this era (Unix seconds)")
        if cells[1] not in known:
            raise LogFormatError(path, number, f"device {cells[1]} is not declared in the header")
        if host_time_s < previous:
            raise LogFormatError(path, number, "host time goes backwards")
        previous = host_time_s
        yield LoggedNotification(host_time_s, cells[1], cells[2], cells[3], payload)
