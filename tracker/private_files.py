"""Files and folders for health data: private to the user, written whole or not at all, never through a link.

Why replace-on-close: a killed export leaves the old file (or none), never half a CSV; and
`os.replace` renames over a symbolic link instead of writing through it, so a link planted at an
output name cannot make hiptrack overwrite (and chmod) the file it points to.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, TextIO, cast

from tracker.errors import BadInputError

PRIVATE_FILE_MODE = 0o600
PRIVATE_FOLDER_MODE = 0o700


def private_folder(path: Path) -> Path:
    """Create `path` (and missing parents) readable by the user only; an existing folder is kept as it is."""
    if not str(path).strip():
        raise BadInputError("no output folder given (use --out FOLDER)")
    if path.exists() and not path.is_dir():
        raise BadInputError(f"{path}: exists and is not a folder")
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_FOLDER_MODE)
        os.chmod(folder, PRIVATE_FOLDER_MODE)       # mkdir's mode is cut by the umask
    return path


@contextlib.contextmanager
def private_text_file(path: Path, encoding: str = "utf-8") -> Iterator[TextIO]:
    """Write `path` as a new 0600 file that replaces whatever was at that name when the block ends."""
    with _private_file(path, "w", encoding) as handle:
        yield cast(TextIO, handle)                # opened in text mode


def write_private_bytes(path: Path, data: bytes) -> None:
    """`path` becomes a new 0600 file holding `data` (binary formats such as FIT), never written through a link."""
    with _private_file(path, "wb", None) as handle:
        handle.write(data)


@contextlib.contextmanager
def _private_file(path: Path, mode: str, encoding: str | None) -> Iterator[IO[Any]]:
    if path.is_dir():
        raise BadInputError(f"{path}: is a folder, not a file name")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as err:                        # say which file could not be written, not the temporary
        raise OSError(err.errno, err.strerror, str(path)) from err
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
        with open(fd, mode, encoding=encoding, newline="\n" if encoding else None) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
