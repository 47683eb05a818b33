"""Read the recordings people already have: the plain CSV and the vendors' own exports (SPEC §4, issue #14).

`read_recording(paths, format)` is the one entry: it expands folders and .zip exports, reads the files (the
only I/O here), tells the format from each file's header unless one is given, and hands bytes to the format's
pure parser (one module per format: `movella_dot`, `polar_sensor_logger`, `witmotion`, `sensor_logger`). Every format
comes out as SPEC §4 samples (s, m/s² with gravity, rad/s) that have passed the same range check as a plain
CSV, and every bad file raises `ImportFormatError(path, line, problem)`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from tracker.errors import BadInputError, ImportFormatError
from tracker.importers import movella_dot, polar_sensor_logger, sensor_logger, witmotion
from tracker.importers.recording import VendorRecording
from tracker.imu_csv import REQUIRED, read_imu_csv, special_kind

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
    """One sensor's samples from the given files, folders or .zip exports, or a BadInputError/ImportFormatError."""
    if format != AUTO and format not in FORMATS:
        raise BadInputError(f"unknown format {format!r}; known: {AUTO}, {', '.join(FORMATS)}")
    source = _Files()
    files = source.expand(paths, format)
    formats = sorted({fmt for _, fmt in files})
    if len(formats) > 1:
        listing = ", ".join(f"{path.name} ({fmt})" for path, fmt in files)
        raise BadInputError(f"these files are of different formats: {listing}; import one recording at a time")
    chosen = formats[0]
    if device is not None and chosen != witmotion.FORMAT:
        raise BadInputError(f"--device picks one device of a multi-device WitMotion export, not of a {chosen} file")
    if chosen in (polar_sensor_logger.FORMAT, sensor_logger.FORMAT):
        return _two_streams(source, chosen, [path for path, _ in files])
    if len(files) > 1:
        raise BadInputError(f"a {chosen} recording is one file; got {len(files)}: "
                            f"{', '.join(str(path) for path, _ in files)}")
    path = files[0][0]
    if chosen == CSV:
        return VendorRecording(read_imu_csv(path), CSV, "Imported CSV")
    if chosen == movella_dot.FORMAT:
        return movella_dot.parse(path, source.read(path))
    return witmotion.parse(path, source.read(path), device)


class _Files:
    """The bytes of the files to import, from disk or from inside a .zip export (Sensor Logger's usual export).

    A member of an archive is named `archive.zip/member`, so errors still point at something the user can find;
    members are read only when needed (an export's zip may also hold audio or video).
    """

    def __init__(self) -> None:
        self._zipped: dict[Path, tuple[Path, str]] = {}

    def expand(self, paths: Sequence[Path], format: str) -> list[tuple[Path, str]]:
        """(file, format) of every file to read: folders and zips give the files whose header is a known format."""
        found: list[tuple[Path, str]] = []
        for path in paths:
            if path.is_dir() or (path.is_file() and path.suffix.lower() == ".zip"):
                members = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else self._open_zip(path)
                detected = [(member, self.detected(member)) for member in members]
                kept = [(member, fmt) for member, fmt in detected
                        if fmt is not None and format in (AUTO, fmt) and not (fmt == CSV and member in self._zipped)]
                if not kept:
                    wanted = "a known format" if format == AUTO else format
                    raise BadInputError(f"{path}: no file of {wanted} in this {'folder' if path.is_dir() else 'zip'}")
                found.extend(kept)
            elif path.is_file():
                # an unrecognised file is read as the plain CSV it most likely tried to be: its reader explains
                # what is wrong (missing columns, semicolons, an empty file) better than "unknown format"
                found.append((path, format if format != AUTO else self.detected(path) or CSV))
            elif path.exists():                  # a FIFO would block the header sniff, /dev/zero never ends
                raise ImportFormatError(path, None, f"is {special_kind(path.stat().st_mode)}, not a regular file")
            else:
                raise BadInputError(f"{path}: no such file or folder")
        return found

    def _open_zip(self, path: Path) -> list[Path]:
        try:
            with zipfile.ZipFile(path) as archive:
                names = [info.filename for info in archive.infolist()
                         if not info.is_dir() and info.filename.lower().endswith((".csv", ".txt"))]
        except (OSError, zipfile.BadZipFile) as exc:
            raise ImportFormatError(path, None, f"not a readable zip archive ({exc})") from exc
        members = [path / name for name in names]
        self._zipped.update({member: (path, name) for member, name in zip(members, names, strict=True)})
        return members

    def detected(self, path: Path) -> str | None:
        head = self.read(path, _HEAD_BYTES)
        return detect(head.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n"))

    def read(self, path: Path, limit: int = -1) -> bytes:
        archive, name = self._zipped.get(path, (path, ""))
        try:
            if name:
                with zipfile.ZipFile(archive) as opened, opened.open(name) as member:
                    return member.read(limit)
            with path.open("rb") as handle:
                return handle.read(limit)
        except (OSError, zipfile.BadZipFile) as exc:
            raise ImportFormatError(path, None, f"cannot read file: {getattr(exc, 'strerror', None) or exc}") from exc


def _two_streams(source: _Files, fmt: str, files: list[Path]) -> VendorRecording:
    """Pick the accelerometer and gyroscope files of a two-stream format and join them."""
    if fmt == polar_sensor_logger.FORMAT:
        kinds = {path: polar_sensor_logger.stream_of(source.read(path, _HEAD_BYTES).decode("utf-8", "replace"))
                 for path in files}
        acc, gyr = _one_each(fmt, kinds, "ACC", "GYRO")
        return polar_sensor_logger.parse((acc, source.read(acc)), (gyr, source.read(gyr)))
    roles = {sensor_logger.TOTAL_ACCELERATION.lower(): "acc", sensor_logger.GYROSCOPE.lower(): "gyr",
             sensor_logger.GRAVITY_REMOVED.lower(): "removed"}
    kinds = {path: roles.get(path.name.lower()) for path in files}
    if "acc" not in kinds.values() and "removed" in kinds.values():
        removed = next(path for path, kind in kinds.items() if kind == "removed")
        raise ImportFormatError(removed, None, sensor_logger.GRAVITY_REMOVED_PROBLEM)
    streams = {path: kind for path, kind in kinds.items() if kind in ("acc", "gyr")}   # Gravity.csv etc. are not
    acc, gyr = _one_each(fmt, streams, sensor_logger.TOTAL_ACCELERATION, sensor_logger.GYROSCOPE)
    return sensor_logger.parse((acc, source.read(acc)), (gyr, source.read(gyr)))


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
