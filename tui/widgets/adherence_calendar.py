"""Sessions per day as a week-by-weekday grid (GitHub style), as many weeks as the width allows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

LABEL_WIDTH = 4
CELL_WIDTH = 2
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class AdherenceCalendar(Widget):
    COMPONENT_CLASSES = {"calendar--none", "calendar--one", "calendar--many", "calendar--today", "calendar--label"}
    DEFAULT_CSS = """
    AdherenceCalendar { height: 8; width: 1fr; }
    AdherenceCalendar > .calendar--none { color: $text-disabled; }
    AdherenceCalendar > .calendar--one { color: $success-darken-1; }
    AdherenceCalendar > .calendar--many { color: $success-lighten-1; text-style: bold; }
    AdherenceCalendar > .calendar--today { text-style: reverse; }
    AdherenceCalendar > .calendar--label { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._days: Mapping[date, int] = {}
        self._today: date | None = None

    def show(self, days: Mapping[date, int], today: date) -> None:
        """Sessions per local calendar day, and which day is today (the last column holds its week)."""
        self._days = days
        self._today = today
        self.refresh()

    def weeks_shown(self) -> int:
        return max(1, (self.size.width - LABEL_WIDTH) // CELL_WIDTH)

    def render(self) -> RenderResult:
        if self._today is None:
            return Text("")
        today = self._today
        weeks = self.weeks_shown()
        first_monday = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
        lines = [self._months(first_monday, weeks)]
        for weekday in range(7):
            line = Text(f"{WEEKDAYS[weekday]:<{LABEL_WIDTH}}", style=self.get_component_rich_style("calendar--label"))
            for week in range(weeks):
                day = first_monday + timedelta(weeks=week, days=weekday)
                line.append_text(self._cell(day, today))
            lines.append(line)
        return Text("\n").join(lines)

    def _months(self, first_monday: date, weeks: int) -> Text:
        """Month names over the first week that starts in them (the first column's month if there is room)."""
        row = [" "] * (LABEL_WIDTH + weeks * CELL_WIDTH + 4)
        starts = [week for week in range(1, weeks)
                  if (first_monday + timedelta(weeks=week)).month != (first_monday + timedelta(weeks=week - 1)).month]
        if not starts or starts[0] >= 2:
            starts.insert(0, 0)
        for week in starts:
            at = LABEL_WIDTH + week * CELL_WIDTH
            name = (first_monday + timedelta(weeks=week)).strftime("%b")
            if at + len(name) <= LABEL_WIDTH + weeks * CELL_WIDTH:      # no cut-off names at the right edge
                row[at:at + len(name)] = name
        return Text("".join(row)[:LABEL_WIDTH + weeks * CELL_WIDTH].rstrip(),
                    style=self.get_component_rich_style("calendar--label"))

    def _cell(self, day: date, today: date) -> Text:
        if day > today:
            return Text(" " * CELL_WIDTH)
        sessions = self._days.get(day, 0)
        kind = "calendar--none" if sessions == 0 else "calendar--one" if sessions == 1 else "calendar--many"
        style = self.get_component_rich_style(kind)
        if day == today:
            style += self.get_component_rich_style("calendar--today")
        return Text("·" if sessions == 0 else "■", style=style) + Text(" ")
