"""Read the recordings people already have: the plain CSV and the vendors' own exports (SPEC §4, issue #14).

`read_recording(paths, format)` is the one entry: it expands folders, reads the files (the only I/O here),
tells the format from each file's header unless one is given, and hands bytes to the format's pure parser
(one module per format: `movella_dot`, `polar_sensor_logger`, `witmotion`, `sensor_logger`). Every format
comes out as SPEC §4 samples (s, m/s² with gravity, rad/s) that have passed the same range check as a plain
CSV, and every bad file raises `ImportFormatError(path, line, problem)`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from tracker.errors import BadInputError, ImportFormatError
from tracker.importers import movella_dot, polar_sensor_logger, sensor_logger, witmotion
from tracker.importers.recording import VendorRecording
from tracker.imu_csv import REQUIRED, read_imu_csv

CSV = "csv"
FORMATS = (CSV, movella_dot.FORMAT, polar_sensor_logger.FORMAT, witmotion.FORMAT, sensor_logger.FORMAT)
"""What `--format` accepts besides `auto`."""
AUTO = "auto"
_HEAD_BYTES = 8192

__all__ = ["AUTO", "FORMATS", "VendorRecording", "detect", "read_recording"]


def detect(head: str) -> str | None:
    """The format whose header the first lines of a file carry, or None."""
    first = head.split("\n", 1)[0]
    if sensor_logger.looks_like(head):
        return sensor_logger.FORMAT
    if polar_sensor_logger.stream_of(head) is not None:
        return polar_sensor_logger.FORMAT
    if movella_dot.looks_like(head):
        return movella_dot.FORMAT
    if witmotion.looks_like(head):
        return witmotion.FORMAT
    names = {cell.strip().strip('"').strip().lower() for cell in first.lstrip("\ufeff").split(",")}
    return CSV if set(REQUIRED) <= names else None


def read_recording(paths: Sequence[Path], format: str = AUTO, device: str | None = None) -> VendorRecording:
    """One sensor's samples from the given files or folders, or a BadInputError/ImportFormatError saying why."""
    if format != AUTO and format not in FORMATS:
        raise BadInputError(f"unknown format {format!r}; known: {AUTO}, {', '.join(FORMATS)}")
    files = _files(paths, format)
    formats = sorted({fmt for _, fmt in files})
    if len(formats) > 1:
        listing = ", ".join(f"{path.name} ({fmt})" for path, fmt in files)
        raise BadInputError(f"these files are of different formats: {listing}; import one recording at a time")
    chosen = formats[0]
    if device is not None and chosen != witmotion.FORMAT:
        raise BadInputError(f"--device picks one device of a multi-device WitMotion export, not of a {chosen} file")
    if chosen in (polar_sensor_logger.FORMAT, sensor_logger.FORMAT):
        return _two_streams(chosen, [path for path, _ in files])
    if len(files) > 1:
        raise BadInputError(f"a {chosen} recording is one file; got {len(files)}: "
                            f"{', '.join(str(path) for path, _ in files)}")
    path = files[0][0]
    if chosen == CSV:
        return VendorRecording(read_imu_csv(path), CSV, "Imported CSV")
    if chosen == movella_dot.FORMAT:
        return movella_dot.parse(path, _read(path))
    return witmotion.parse(path, _read(path), device)


def _files(paths: Sequence[Path], format: str) -> list[tuple[Path, str]]:
    """(file, format) of every file to read: folders contribute the files whose header is a known format."""
    found: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            members = [(member, _detected(member)) for member in sorted(path.iterdir()) if member.is_file()]
            kept = [(member, fmt) for member, fmt in members if fmt is not None and format in (AUTO, fmt)]
            if not kept:
                wanted = "a known format" if format == AUTO else format
                raise BadInputError(f"{path}: no file of {wanted} in this folder")
            found.extend((member, fmt) for member, fmt in kept if fmt is not None)
        elif path.is_file():
            # an unrecognised file is read as the plain CSV it most likely tried to be: its reader explains
            # what is wrong (missing columns, semicolons, an empty file) better than "unknown format"
            found.append((path, format if format != AUTO else _detected(path) or CSV))
        else:
            raise BadInputError(f"{path}: no such file or folder")
    return found


def _detected(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError as exc:
        raise ImportFormatError(path, None, f"cannot read file: {exc.strerror or exc}") from exc
    return detect(head.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n"))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(path, None, f"cannot read file: {exc.strerror or exc}") from exc


def _two_streams(fmt: str, files: list[Path]) -> VendorRecording:
    """Pick the accelerometer and gyroscope files of a two-stream format and join them."""
    if fmt == polar_sensor_logger.FORMAT:
        kinds = {path: polar_sensor_logger.stream_of(_read(path)[:_HEAD_BYTES].decode("utf-8", "replace"))
                 for path in files}
        acc, gyr = _one_each(fmt, kinds, "ACC", "GYRO")
        return polar_sensor_logger.parse((acc, _read(acc)), (gyr, _read(gyr)))
    roles = {sensor_logger.TOTAL_ACCELERATION.lower(): "acc", sensor_logger.GYROSCOPE.lower(): "gyr",
             sensor_logger.GRAVITY_REMOVED.lower(): "removed"}
    kinds = {path: roles.get(path.name.lower()) for path in files}
    if "acc" not in kinds.values() and "removed" in kinds.values():
        removed = next(path for path, kind in kinds.items() if kind == "removed")
        raise ImportFormatError(removed, None, sensor_logger.GRAVITY_REMOVED_PROBLEM)
    streams = {path: kind for path, kind in kinds.items() if kind in ("acc", "gyr")}   # Gravity.csv etc. are not
    acc, gyr = _one_each(fmt, streams, sensor_logger.TOTAL_ACCELERATION, sensor_logger.GYROSCOPE)
    return sensor_logger.parse((acc, _read(acc)), (gyr, _read(gyr)))


def _one_each(fmt: str, kinds: Mapping[Path, str | None], acc_label: str, gyr_label: str) -> tuple[Path, Path]:
    """Exactly one accelerometer and one gyroscope file, or say what is missing or doubled."""
    unknown = [path for path, kind in kinds.items() if kind is None]
    if unknown:
        raise BadInputError(f"{unknown[0]}: not an {acc_label} or {gyr_label} file of {fmt}")
    picked: list[Path] = []
    for kind, label in (("acc", acc_label), ("gyr", gyr_label)):
        matches = [path for path, found in kinds.items() if found == kind]
        if not matches:
            raise BadInputError(f"{fmt} needs the {label} file too: give the {acc_label} and {gyr_label} files of "
                                "one recording, or their folder")
        if len(matches) > 1:
            raise BadInputError(f"{len(matches)} {label} files ({', '.join(p.name for p in matches)}); "
                                "give the files of one recording")
        picked.append(matches[0])
    return picked[0], picked[1]
