"""A screen whose data comes from the store: loaded when first shown, reloaded when shown after a change."""

from __future__ import annotations

from textual.screen import Screen

from tui.context import DashboardContext
from tui.widgets.section_bar import SectionBar


class DataScreen(Screen[None]):
    def __init__(self, context: DashboardContext) -> None:
        super().__init__()
        self._dashboard = context
        self._loaded_version = -1

    def on_screen_resume(self) -> None:
        self.reload_if_stale()

    def reload_if_stale(self) -> None:
        """Why a version and not a reload on every resume: switching sections should be instant."""
        if self._loaded_version != self._dashboard.data.value:
            self._loaded_version = self._dashboard.data.value
            for bar in self.query(SectionBar):
                bar.person = self._dashboard.services.person
            self.load()

    def load(self) -> object:
        """Start loading (in a worker, which is returned); subclasses implement it."""
        raise NotImplementedError
