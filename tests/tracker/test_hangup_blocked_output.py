"""A closed terminal ends `hiptrack record`'s live screen even when the screen is stuck writing (issue #13).

Seen under load: the terminal stopped taking output, Textual's output queue filled, the main thread blocked
in `Queue.put` inside a repaint, so the event loop never ran its SIGHUP callback and the recorder hung for
an hour with its input thread spinning on the closed tty. Here the block is made on purpose, not by load:
the recorder runs on a real pseudo-terminal whose other end is not read, so its writes stop. Only once the
database shows the recorder frozen (no commit for a while) does the hang-up come.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from sensors.simulator import simulate_session
from tracker.domain import SessionStatus
from tracker.services import build_services

EXERCISE = "seated_hip_internal_rotation"
SEED = 8415


def _read_until(master: int, text: bytes, limit_s: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + limit_s
    while text not in seen[-4096:]:
        if time.monotonic() > deadline:
            raise AssertionError(f"never saw {text!r}; last output: {seen[-600:]!r}")
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            seen += os.read(master, 65536)
    return seen


def _stored_samples(db: Path) -> int:
    """Samples committed so far, read beside the recorder (WAL: readers never block it)."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)) as connection:
        return int(connection.execute("SELECT coalesce(sum(n_samples), 0) FROM sample_chunks").fetchone()[0])


def _wait_until_frozen(db: Path, still_for_s: float, limit_s: float) -> None:
    """Bounded wait for a state: the recorder's commits (every 0.5 s while it runs) stop, because its event
    loop is stuck behind the terminal that is not read."""
    deadline = time.monotonic() + limit_s
    stored, since = _stored_samples(db), time.monotonic()
    while time.monotonic() - since < still_for_s:
        if time.monotonic() > deadline:
            raise AssertionError("the recorder never froze behind its unread terminal")
        time.sleep(0.25)
        now = _stored_samples(db)
        if now != stored:
            stored, since = now, time.monotonic()


@pytest.mark.slow
def test_closing_a_terminal_the_screen_is_stuck_writing_to_stores_analyses_and_says_sighup(tmp_path: Path) -> None:
    db = tmp_path / "hup.db"
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))     # a big screen: output fills
    process = subprocess.Popen(
        [sys.executable, "-m", "hiptrack.cli", "record", "--exercise", EXERCISE, "--side", "left", "--simulate",
         "--seed", str(SEED), "--db", f"sqlite:///{db}"],
        stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
        env=os.environ | {"TERM": "xterm-256color", "COLUMNS": "200", "LINES": "50"},
        preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))   # the pty is its controlling terminal
    os.close(slave)
    try:
        _read_until(master, b"REC 0:03", limit_s=120.0)
        _wait_until_frozen(db, still_for_s=3.0, limit_s=120.0)      # from now on nothing reads the terminal
        # The hang-up arrives while the output stays stuck for good (as when the output thread died on the
        # closed terminal): the recorder must not need its event loop, nor its output, to stop.
        os.kill(process.pid, signal.SIGHUP)
        code = process.wait(timeout=120)
    finally:
        if master >= 0:
            os.close(master)
        if process.poll() is None:                      # a recorder that outlived its terminal must not outlive us
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert code == 128 + signal.SIGHUP                  # ended by the hang-up, and says so

    svc = build_services(f"sqlite:///{db}", recover=False)
    (summary,) = svc.store.sessions.summaries()
    thigh = simulate_session(EXERCISE, "left", SEED).thigh
    full_s = float(thigh.time_s[-1] - thigh.time_s[0])
    assert summary.status is SessionStatus.COMPLETE and 3.0 <= summary.duration_s < full_s - 10.0   # cut short
    assert svc.store.results.load(summary.id) is not None                                            # analysed
    svc.close()
