"""`hiptrack record --no-tui`: the live recording as printed lines.

Calibration steps and holds, reps and sets as they happen, and about once a second where the leg
is, so a log of the run reads like the session went. Ctrl-C, SIGTERM and SIGHUP stop the recording
cleanly (what arrived is stored and analysed), like the Stop key on the live screen. A recording that
fails (a database write, the sensors) raises RecordingFailedError: one line, a non-zero exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import signal
from collections.abc import Callable

from analysis.live_events import LiveEvent
from tracker.live_report import angle_text, describe_event
from tracker.live_session import LiveRequest, LiveSession
from tracker.recorder import RecordingStatus
from tracker.services import Services, analyze_session

Echo = Callable[[str], None]


class ProgressLines:
    """Prints events as they come and a status line at most once a second of recording.

    The status line starts as it always has ("  12.0 s recorded, 1,200 samples stored"): scripts read it.
    """

    def __init__(self, echo: Echo) -> None:
        self._echo = echo
        self._last_s = -1.0
        self.session: LiveSession | None = None
        """Where the angles come from (set once the session exists)."""

    def event(self, event: LiveEvent) -> None:
        self._echo(f"  {event.time_s:6.1f} s  {describe_event(event)}")

    def progress(self, progress: RecordingStatus) -> None:
        if progress.duration_s - self._last_s < 1.0:
            return
        self._last_s = progress.duration_s
        where = angle_text(self.session.snapshot.state) if self.session is not None else ""
        samples = sum(progress.samples_by_placement.values())
        shown_s = math.floor(progress.duration_s * 10) / 10       # never more than is stored
        self._echo(f"  {shown_s:6.1f} s recorded, {samples:,} samples stored · {where}")


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, *((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ()))
"""Ctrl-C, `kill` (a service manager, a shutdown) and a closed terminal all stop cleanly."""


def record_printing(services: Services, request: LiveRequest, echo: Echo) -> tuple[int | None, int | None]:
    """Record with printed progress until the source ends, Ctrl-C, SIGTERM or SIGHUP.

    Returns the session id and the signal other than Ctrl-C that stopped it (None if none did).
    Printing never ends a recording: once the terminal is gone (SIGHUP), lines are dropped.
    """
    echo = _unless_gone(echo)
    lines = ProgressLines(echo)
    session = LiveSession(services, request, on_event=lines.event, on_progress=lines.progress)
    lines.session = session
    stopped_by: list[int] = []
    try:
        return asyncio.run(_run(session, echo, stopped_by)), next(iter(stopped_by), None)
    except KeyboardInterrupt:          # a second Ctrl-C, or no signal handlers on this platform
        session_id = session.snapshot.session_id
        echo("Stopped; analysing what was recorded.")
        if session_id is not None:
            analyze_session(services, session_id)
        return session_id, next(iter(stopped_by), None)


def _unless_gone(echo: Echo) -> Echo:
    def quiet_echo(line: str) -> None:
        with contextlib.suppress(OSError):         # EIO/EPIPE: the terminal closed (or the reader went away)
            echo(line)
    return quiet_echo


async def _run(session: LiveSession, echo: Echo, stopped_by: list[int]) -> int | None:
    loop = asyncio.get_running_loop()

    def stop(signum: signal.Signals) -> None:
        loop.remove_signal_handler(signum)         # a second Ctrl-C (or the same signal again) acts for real
        if signum != signal.SIGINT and not stopped_by:
            stopped_by.append(int(signum))
        session.stop()
        why = "" if signum == signal.SIGINT else f" ({signum.name})"
        echo(f"Stopping; keeping and analysing what was recorded…{why}")

    for signum in STOP_SIGNALS:
        with contextlib.suppress(NotImplementedError, RuntimeError):      # Windows, or not the main thread
            loop.add_signal_handler(signum, stop, signum)
    try:
        return await session.run()
    finally:
        for signum in STOP_SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
