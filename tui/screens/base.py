"""A screen whose data comes from the store: loaded when first shown, reloaded when shown after a change."""

from __future__ import annotations

from textual.screen import Screen

from tracker.domain import Side
from tui.context import DashboardContext
from tui.widgets.section_bar import SectionBar

RecordDefault = tuple[str, Side | None]
"""The exercise (and side, if one) the record form should start on."""


def planned_side(side: str) -> Side | None:
    """A plan item's side as the record form's ('both' leaves the side to the person)."""
    return Side(side) if side in (Side.LEFT.value, Side.RIGHT.value) else None


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

    def record_default(self) -> RecordDefault | None:
        """What the person is looking at, to record next (None: the screen shows no one exercise)."""
        return None

    def load(self) -> object:
        """Start loading (in a worker, which is returned); subclasses implement it."""
        raise NotImplementedError
