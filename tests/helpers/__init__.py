"""Helpers shared by the tests (importable as `helpers`: pyproject puts tests/ on pytest's pythonpath)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
"""The checkout: the working directory of the subprocesses the tests start."""
DATA = ROOT / "tests" / "data"
"""Small simulated recordings with their ground truth (tests/data/make_recordings.py remakes them)."""


def free_port() -> int:
    """A localhost TCP port no one listens on (for a private server, or for one that cannot be reached)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_record_no_tui(db: str, exercise: str, seed: int) -> subprocess.Popen[str]:
    """`hiptrack record --simulate --no-tui` as a real process in real time, its lines readable as they come."""
    process = subprocess.Popen(
        [sys.executable, "-m", "hiptrack.cli", "record", "--exercise", exercise, "--side", "left", "--simulate",
         "--seed", str(seed), "--no-tui", "--db", db], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"})
    assert process.stdout is not None
    return process
