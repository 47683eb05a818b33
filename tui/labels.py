"""Small pure formatting helpers shared by the screens (tested as plain functions).

`motion_words` comes from tracker.report, so the screens and the printed reports say it alike.
"""

from __future__ import annotations

import math
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


NICE_SECONDS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600)
"""Steps a clock is read in: seconds, then minutes, then hours."""


def clock_label(seconds: float) -> str:
    """'0:45', '12:30', '1:05:00': minutes and seconds, with hours once there are any."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def time_ticks(start_s: float, end_s: float, count: int) -> tuple[list[float], list[str]]:
    """At most about `count` ticks at whole clock steps (every 15 s, 5 min, 1 h) labelled like a clock.

    Why: '900.5 1800.4 2700.2' makes a person divide by 60; '15:00 30:00 45:00' does not.
    """
    span = max(end_s - start_s, 1e-9)
    step = next((s for s in NICE_SECONDS if span / s <= max(count, 2)), NICE_SECONDS[-1])
    first = math.ceil(start_s / step) * step
    ticks = [float(first + i * step) for i in range(int((end_s - first) // step) + 1)]
    return ticks, [clock_label(t) for t in ticks]


def even_ticks(low: float, high: float, count: int) -> list[float]:
    """Ticks at a round step (1, 2, 2.5 or 5 × 10ⁿ) within [low, high], at most about `count` of them.

    Why: plotext spreads its own ticks evenly over the axis, so short charts read 3.7, 17.3, 30.9.
    """
    span = max(high - low, 1e-9)
    top = math.floor(math.log10(span))
    steps = [m * 10.0 ** k for k in range(top - 2, top + 2) for m in (1, 2, 2.5, 5)]
    two_or_more = [s for s in steps if _count(low, high, s) >= 2]     # one tick alone says nothing of the scale
    fitting = [s for s in two_or_more if _count(low, high, s) <= max(count, 2)]
    step = min(fitting) if fitting else max(two_or_more, default=10.0 ** top)
    first = math.ceil(low / step) * step
    return [round(first + i * step, 10) for i in range(_count(low, high, step))]


def _count(low: float, high: float, step: float) -> int:
    return int(math.floor(high / step + 1e-9) - math.ceil(low / step - 1e-9)) + 1
