"""The JSON sidecar that `hiptrack export` writes beside its CSV files, read back on import.

Why: an exported session imported again (on another computer, into another database) must keep
when it happened; the CSV holds seconds from the start, only the sidecar holds `started_at`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from tracker.errors import BadInputError


def sidecar_for(csv_path: Path) -> Path | None:
    """The export sidecar beside `csv_path` that lists it ('session-3-left_thigh.csv' → 'session-3.json')."""
    stem = csv_path.name.split("-")
    if len(stem) < 3 or stem[0] != "session" or not stem[1].isdigit():
        return None
    candidate = csv_path.with_name(f"session-{stem[1]}.json")
    return candidate if candidate.is_file() else None


def exported_start(csv_path: Path) -> tuple[datetime, Path] | None:
    """When the exported session started (UTC, to the microsecond) and the sidecar it came from.

    None when there is no sidecar or it does not list this CSV; a sidecar that lists it but cannot
    be read is an error (file:line), never a silent fallback to the file's modification time.
    """
    path = sidecar_for(csv_path)
    if path is None:
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise BadInputError(f"{path}:{err.lineno}: not valid JSON ({err.msg})") from None
    files = document.get("files") if isinstance(document, dict) else None
    if not isinstance(files, dict) or csv_path.name not in files.values():
        return None
    text = document.get("started_at")
    try:
        started = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        started = None
    if started is None or started.tzinfo is None:
        line = next((n for n, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                     if '"started_at"' in row), 1)
        raise BadInputError(f"{path}:{line}: started_at {text!r} is not an ISO date-time with a UTC offset; "
                            "fix it or give --at")
    return started.astimezone(UTC), path
