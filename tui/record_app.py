"""`hiptrack record`'s app: the live recording screen alone, exiting with the session id when it closes."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.app import App

from tracker.live_session import LiveRequest
from tracker.services import Services
from tui.screens.live_recording import LiveRecordingScreen


class RecordApp(App[int | None]):
    TITLE = "hiptrack"

    def __init__(self, services: Services, request: LiveRequest, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._screen = LiveRecordingScreen(services, request, clock=clock)
        """Made here, so a request the session refuses (unknown exercise) fails before the terminal switches."""

    def on_mount(self) -> None:
        self.push_screen(self._screen, self.exit)
