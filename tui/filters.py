"""Which sessions the Sessions screen lists: by exercise, side and a date or date range (pure)."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date

from tracker.domain import SessionSummary, Side

_PART = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(frozen=True, slots=True)
class SessionFilter:
    exercise: str | None = None
    side: Side | None = None
    first_day: date | None = None
    last_day: date | None = None
    """Inclusive; days are local calendar days, as the list shows them."""

    def matches(self, session: SessionSummary) -> bool:
        day = session.started_at.astimezone().date()
        return ((self.exercise is None or session.exercise == self.exercise)
                and (self.side is None or session.side is self.side)
                and (self.first_day is None or day >= self.first_day)
                and (self.last_day is None or day <= self.last_day))


def parse_days(text: str) -> tuple[date | None, date | None]:
    """'2026' (a year), '2026-03' (a month), '2026-03-02' (a day), or 'A..B' with either end optional.

    Raises ValueError with a message fit to show the person.
    """
    text = text.strip()
    if not text:
        return None, None
    if ".." in text:
        start, _, end = text.partition("..")
        first = _span(start)[0] if start.strip() else None
        last = _span(end)[1] if end.strip() else None
        if first is not None and last is not None and first > last:
            raise ValueError(f"{text}: the range ends before it starts")
        return first, last
    return _span(text)


def _span(text: str) -> tuple[date, date]:
    match = _PART.match(text.strip())
    if match is None:
        raise ValueError(f"{text.strip()!r}: write a date like 2026-03-02, 2026-03 or 2026, or a range A..B")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            return date(year, month, 1), date(year, month, monthrange(year, month)[1])
        return date(year, month, day), date(year, month, day)
    except ValueError as err:
        raise ValueError(f"{text.strip()!r}: {err}") from err
