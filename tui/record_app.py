"""`hiptrack record`'s app: the live recording screen alone, exiting with the session id when it closes.

SIGTERM and SIGHUP (a closed terminal) end the recording like the Stop key: the source stops, what
arrived is stored and analysed, and the app exits normally.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Callable

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

    @property
    def failure(self) -> HiptrackError | None:
        """Why the recording failed, if it did (the command exits with it after the screen closes)."""
        return self._screen.failure

    def on_mount(self) -> None:
        self.push_screen(self._screen, self._screen_closed)
        loop = asyncio.get_running_loop()
        for signum in STOP_SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError):     # Windows, or not the main thread
                loop.add_signal_handler(signum, self._stop_on_signal, signum)

    def _stop_on_signal(self, signum: int) -> None:
        """Stop and save, like the Stop key."""
        if signum == getattr(signal, "SIGHUP", None):
            self._hung_up = True
            with contextlib.suppress(OSError):              # draw into /dev/null from now on
                null = os.open(os.devnull, os.O_WRONLY)
                for fd in (1, 2):
                    os.dup2(null, fd)
                os.close(null)
        self._screen.save_and_close()           # no one to ask: a short recording is saved too

    def _screen_closed(self, session_id: int | None) -> None:
        """The screen closed with the session stored (or failed); after a hang-up, leave at once.

        Why not Textual's own exit then: it restores a terminal that is gone, and its output thread,
        which died on the first write to the hung-up terminal, never drains the queue those writes
        wait on: the process would hang for ever with the recording already safe. Everything is
        committed and synced by now, so there is nothing left to flush.
        """
        if self._hung_up:
            os._exit(0 if self.failure is None else self.failure.exit_code)
        self.exit(session_id)

    def on_unmount(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in STOP_SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
