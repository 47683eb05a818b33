"""Small pure formatting helpers shared by the screens (tested as plain functions).

`motion_words` comes from tracker.report, so the screens and the printed reports say it alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from tracker.domain import Motion
from tracker.report import motion_words

_ARROWS = {"improving": "↗", "declining": "↘", "stable": "→", "too_few": "·", "too_early": "·"}

_BARS = "▁▂▃▄▅▆▇█"


def short_motion(motion: str) -> str:
    """'IR' for internal rotation: the vocabulary's label for narrow columns (words for anything else)."""
    try:
        return Motion(motion).facts.short
    except ValueError:
        return motion_words(motion)


def trend_arrow(direction: str) -> str:
    """An arrow for a trend direction; '·' when there are too few sessions to tell."""
    return _ARROWS.get(direction, "?")


def pain_bars(scores: Sequence[float], width: int) -> str:
    """The last `width` pain scores as bars on the fixed 0–10 scale (▁ = 0, █ = 10).

    Why a fixed scale: a sparkline scaled to its own range draws 2 → 3 like 0 → 10.
    """
    if width <= 0:
        return ""
    return "".join(_BARS[min(len(_BARS) - 1, max(0, round(score / 10 * (len(_BARS) - 1))))]
                   for score in scores[-width:])


def date_ticks(first: date, last: date, count: int) -> tuple[list[float], list[str]]:
    """About `count` evenly spread tick positions (proleptic ordinal days) with short labels.

    Labels say the day and month over spans up to ~10 months, the month and year beyond.
    """
    count = max(count, 2)
    span = (last - first).days
    if span <= 0:
        return [float(first.toordinal())], [first.strftime("%d %b").lstrip("0")]
    form = "%d %b" if span <= 300 else "%b %Y"
    days = sorted({round(i * span / (count - 1)) for i in range(count)})
    ticks = [first + timedelta(days=d) for d in days]
    return [float(t.toordinal()) for t in ticks], [t.strftime(form).lstrip("0") for t in ticks]


def duration_words(seconds: float) -> str:
    """'45 s', '1 min 48 s', '2 h 05 min'."""
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def clock_time(seconds: float) -> str:
    """'1:48' (minutes:seconds), '2h05' past an hour: at most 5 characters up to 99 hours."""
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}:{secs:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}"
