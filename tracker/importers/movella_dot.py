"""Movella (Xsens) DOT app CSV exports: a header block, then one row per sample.

Sources (read for facts, no code copied):

* *Movella DOT User Manual* (export chapter) and *Movella DOT BLE Service Specification* XD0506P (Table 17:
  SampleTimeFine is a u32 µs timestamp; acceleration in m/s², angular velocity in deg/s; measurement modes and
  the quantities each carries: custom mode 1 Euler + free acceleration + angular velocity, mode 3 quaternion
  + angular velocity, mode 5 quaternion + acceleration + angular velocity, rate quantities acc + gyro + mag).
* ``xsens/xsens_dot_server`` ``bleHandler.js``: timestamps unwrapped across the u32 rollover.
* Open-source readers of the app's CSV on GitHub (searched for ``PacketCounter,SampleTimeFine``): a block of
  ``Key: value`` lines (``sep=,``, ``DeviceTag:``, ``FirmwareVersion:``, ``AppVersion:``, ``OutputRate:``,
  ``FilterProfile:``, ``Measurement Mode:``, ``StartTime:``, a copyright line) and an empty line before the
  column header ``PacketCounter,SampleTimeFine,…``; some exports end rows with a trailing comma.
* hiptrack issue #14 (the layout summary above).

`Acc_*` is specific force with gravity (m/s²); `FreeAcc_*` has gravity removed and cannot give hip angles, so an
export without `Acc_*` and `Gyr_*` (orientation-only modes) is refused with the reason. `Mag_*` is in the DOT's
arbitrary units, not µT, so it is not imported. PacketCounter (u16) jumps mark lost packets: they are counted in
the notes; SampleTimeFine already spaces the samples across the gap.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sensors.samples import FloatArray
from tracker.errors import ImportFormatError
from tracker.importers import _table
from tracker.importers.recording import VendorRecording

FORMAT = "movella-dot"
ACC = ("Acc_X", "Acc_Y", "Acc_Z")
GYR = ("Gyr_X", "Gyr_Y", "Gyr_Z")
TIME = "SampleTimeFine"
COUNTER = "PacketCounter"
US_WRAP = 1 << 32
COUNTER_WRAP = 1 << 16
_HEADER_SEARCH_LINES = 40
_META_KEYS = ("sep=", "devicetag:", "firmwareversion:", "appversion:", "outputrate:", "filterprofile:",
              "measurement mode:", "starttime:")


def looks_like(head: str) -> bool:
    """True when the first lines carry the DOT app's header block or its time column."""
    for line in head.split("\n")[:_HEADER_SEARCH_LINES]:
        low = line.strip().lower()
        if low.startswith(("devicetag:", "measurement mode:")) or f"{COUNTER.lower()},{TIME.lower()}" in low:
            return True
    return False


def parse(path: Path, raw: bytes) -> VendorRecording:
    """Samples of one DOT export, or ImportFormatError naming the file, line and problem."""
    lines = _table.lines_of(_table.decode(path, raw))
    header_index = _column_header(path, lines)
    meta = _metadata(lines[:header_index])
    names = _table.header_cells(lines[header_index], ",")
    _refuse_without_raw(path, header_index + 1, names, meta)
    columns = _table.find_columns(path, header_index + 1, names, (TIME, *ACC, *GYR))
    table = _table.numeric_columns(path, lines, header_index, ",", columns)
    time_s = _unwrapped_us(table[:, 0]) * 1e-6
    line_numbers = _table.LineNumbers(lines, header_index)
    samples = _table.checked_samples(path, time_s, table[:, 1:4], np.deg2rad(table[:, 4:7]), line_numbers)
    notes = [f"Movella DOT {meta.get('devicetag', '')}".strip()]
    if "outputrate" in meta:
        notes.append(f"output rate {meta['outputrate']}")
    if COUNTER.lower() in (name.lower() for name in names):
        notes.extend(_gap_note(path, lines, header_index, names))
    return VendorRecording(samples, FORMAT, meta.get("devicetag") or "Movella DOT", None, tuple(notes))


def _column_header(path: Path, lines: list[str]) -> int:
    """Index of the column header: the first line naming SampleTimeFine or PacketCounter."""
    for index, line in enumerate(lines[:_HEADER_SEARCH_LINES]):
        names = [name.lower() for name in _table.header_cells(line, ",")]
        if TIME.lower() in names or COUNTER.lower() in names:
            return index
    raise ImportFormatError(path, None, f"no column header with {TIME} in the first {_HEADER_SEARCH_LINES} lines; "
                                        "is this a Movella DOT export?")


def _metadata(block: list[str]) -> dict[str, str]:
    """The `Key: value` lines of the header block (also `Key:,value`, as a spreadsheet saves them)."""
    meta: dict[str, str] = {}
    for line in block:
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() + ":" in _META_KEYS:
            meta[key.strip().lower().replace(" ", "")] = value.strip().strip(",").strip()
    return meta


def _refuse_without_raw(path: Path, header_line: int, names: list[str], meta: dict[str, str]) -> None:
    """Orientation-only or gravity-removed exports cannot give hip angles: say why, and what to export."""
    lowered = {name.lower() for name in names}
    if all(name.lower() in lowered for name in (*ACC, *GYR)):
        return
    has = [label for label, prefix in (("Euler angles", "euler_"), ("quaternions", "quat_"),
                                       ("free acceleration (gravity removed)", "freeacc_"),
                                       ("angular velocity", "gyr_")) if any(n.startswith(prefix) for n in lowered)]
    mode = f" (measurement mode {meta['measurementmode']})" if "measurementmode" in meta else ""
    holds = ", ".join(has) if has else "no inertial columns"
    raise ImportFormatError(path, header_line, f"this DOT export{mode} holds {holds} but not both Acc_X..Z and "
                                               "Gyr_X..Z; hip angles need raw acceleration and angular velocity: "
                                               "export with custom mode 5 or rate quantities")


def _unwrapped_us(ticks: FloatArray) -> FloatArray:
    """SampleTimeFine counts µs in a u32 that wraps every 71.6 minutes: add 2³² at each wrap."""
    whole = ticks.astype(np.int64)
    wraps = np.concatenate(([0], np.cumsum(np.diff(whole) < -(US_WRAP // 2))))
    return (whole + wraps * US_WRAP).astype(np.float64)


def _gap_note(path: Path, lines: list[str], header_index: int, names: list[str]) -> list[str]:
    """How many packets the Bluetooth link lost, from the u16 PacketCounter's jumps."""
    column = [(next(i for i, n in enumerate(names) if n.lower() == COUNTER.lower()), COUNTER)]
    counter = _table.numeric_columns(path, lines, header_index, ",", column)[:, 0].astype(np.int64)
    steps = np.diff(counter) % COUNTER_WRAP
    lost = int(np.sum(steps[steps > 1] - 1))
    gaps = int(np.count_nonzero(steps > 1))
    return [f"{gaps} packet gap(s), {lost} packet(s) lost"] if gaps else []
