"""`hiptrack record`'s app: the live recording screen alone, exiting with the session id when it closes.

SIGTERM and SIGHUP (a closed terminal) end the recording like the Stop key: the source stops, what
arrived is stored and analysed, and the app exits normally (`stopped_by` says which signal).

Why Python-level signal handlers and not the event loop's: when the terminal stops taking output
(closed, or too slow under load), Textual's output thread stops draining its bounded queue and the
main thread blocks in `Queue.put` inside a repaint, so the loop never runs an asyncio signal callback
and the recording hangs. A Python handler runs in the main thread even there (the wait is
interruptible): it drains that queue, swaps the driver's output for a no-op on a hang-up, stops the
input thread (which spins on a closed terminal's EOF), and only then asks the loop to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Callable
from queue import Empty, Queue
from types import FrameType
from typing import Any

from textual.app import App

from tracker.errors import HiptrackError
from tracker.live_session import LiveRequest
from tracker.services import Services
from tui.screens.live_recording import LiveRecordingScreen

STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
"""Ctrl-C is a key in the app (the Stop binding); these arrive as signals."""


class RecordApp(App[int | None]):
    TITLE = "hiptrack"

    def __init__(self, services: Services, request: LiveRequest, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._screen = LiveRecordingScreen(services, request, clock=clock)
        """Made here, so a request the session refuses (unknown exercise) fails before the terminal switches."""
        self._hung_up = False
        self.stopped_by: int | None = None
        """The signal that ended the recording (SIGTERM, SIGHUP), if one did."""
        self._previous_handlers: dict[int, Any] = {}

    @property
    def failure(self) -> HiptrackError | None:
        """Why the recording failed, if it did (the command exits with it after the screen closes)."""
        return self._screen.failure

    def on_mount(self) -> None:
        self.push_screen(self._screen, self._screen_closed)
        loop = asyncio.get_running_loop()

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            self._release_output(hung_up=signum == getattr(signal, "SIGHUP", None))
            loop.call_soon_threadsafe(self._stop_on_signal, signum)

        for signum in STOP_SIGNALS:
            with contextlib.suppress(ValueError):               # not the main thread (a test's pilot)
                self._previous_handlers[signum] = signal.signal(signum, on_signal)

    def _release_output(self, *, hung_up: bool) -> None:
        """Unblock a main thread waiting on the output queue (it is inside a repaint); after a hang-up,
        nothing is written any more: the output becomes a no-op and the input thread stops."""
        driver = self._driver
        writer = getattr(driver, "_writer_thread", None)
        if hung_up:
            self._hung_up = True
            if driver is not None and writer is not None:
                driver._writer_thread = _NullWriter()  # type: ignore[attr-defined]
            exit_event = getattr(driver, "exit_event", None)
            if exit_event is not None:
                exit_event.set()                           # the input thread leaves its read loop
            with contextlib.suppress(OSError):              # anything still written goes to /dev/null
                null = os.open(os.devnull, os.O_WRONLY)
                for fd in (1, 2):
                    os.dup2(null, fd)
                os.close(null)
        queue = getattr(writer, "_queue", None)
        if isinstance(queue, Queue):
            with contextlib.suppress(Empty):
                while True:                                # frees the put() the main thread waits in
                    queue.get_nowait()

    def _stop_on_signal(self, signum: int) -> None:
        """Stop and save, like the Stop key."""
        self.stopped_by = signum
        self._screen.save_and_close()           # no one to ask: a short recording is saved too

    def _screen_closed(self, session_id: int | None) -> None:
        """The screen closed with the session stored (or failed); after a hang-up, leave at once.

        Why not Textual's own exit then: it restores a terminal that is gone, and its output thread,
        which died on the first write to the hung-up terminal, never drains the queue those writes
        wait on: the process would hang for ever with the recording already safe. Everything is
        committed and synced by now, so there is nothing left to flush.
        """
        if self._hung_up:
            os._exit(self.failure.exit_code if self.failure is not None else signal_exit_status(self.stopped_by))
        self.exit(session_id)

    def on_unmount(self) -> None:
        for signum, previous in self._previous_handlers.items():
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(signum, previous)


def signal_exit_status(signum: int | None) -> int:
    """128 + the signal that ended the recording (the shell's convention), 0 if none did."""
    return 0 if signum is None else 128 + int(signum)


class _NullWriter:
    """The driver's output after a hang-up: the terminal is gone, so every write is dropped."""

    def write(self, text: str) -> None:
        return

    def flush(self) -> None:
        return

    def stop(self) -> None:
        return

    def isatty(self) -> bool:
        return False
