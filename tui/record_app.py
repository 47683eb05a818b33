"""`hiptrack record`'s app: the live recording screen alone, exiting with the session id when it closes.

SIGTERM and SIGHUP (a closed terminal) end the recording like the Stop key: the source stops, what
arrived is stored and analysed, and the app exits normally.
"""

from __future__ import annotations

import asyncio
import contextlib
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

    @property
    def failure(self) -> HiptrackError | None:
        """Why the recording failed, if it did (the command exits with it after the screen closes)."""
        return self._screen.failure

    def on_mount(self) -> None:
        self.push_screen(self._screen, self.exit)
        loop = asyncio.get_running_loop()
        for signum in STOP_SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError):     # Windows, or not the main thread
                loop.add_signal_handler(signum, self._screen.action_close)

    def on_unmount(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in STOP_SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
