"""Is the plan kept: session days per week against the plan, streaks, and sessions per calendar day.

Why apart from tracker.progress: the dashboard's home screen draws its calendar and this week from the
sessions' plain rows before the progress maths (NumPy, the trend fits) has loaded; this needs neither.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from tracker.domain import Side
from tracker.plans import PlanItem


class Dated(Protocol):
    """A session as adherence counts it: which exercise, which side, when (an analysed session or its headline)."""

    @property
    def exercise(self) -> str: ...
    @property
    def side(self) -> Side: ...
    @property
    def started_at(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class WeekAdherence:
    start: date
    planned: int
    done: int

    @property
    def ratio(self) -> float:
        return 1.0 if self.planned == 0 else min(self.done, self.planned) / self.planned

    def to_json(self) -> dict[str, object]:
        year, week, _ = self.start.isocalendar()
        return {"week": f"{year}-W{week:02d}", "start": self.start.isoformat(), "planned": self.planned,
                "done": self.done, "ratio": round(self.ratio, 3)}


@dataclass(frozen=True, slots=True)
class Adherence:
    weeks: tuple[WeekAdherence, ...]
    """From the plan's first week to this week; a session day counts once per plan item."""
    streak_weeks: int
    """Consecutive weeks with the plan kept, ending with the last complete week (or this one if kept)."""
    days: dict[date, int]
    """Sessions per local calendar day (for the calendar view)."""
    plan: tuple[PlanItem, ...]

    def to_json(self) -> dict[str, object]:
        this_week = self.weeks[-1].to_json() if self.weeks else None
        return {"weeks": [w.to_json() for w in self.weeks], "streak_weeks": self.streak_weeks,
                "this_week": this_week, "days": {d.isoformat(): n for d, n in sorted(self.days.items())},
                "plan": [item.to_json() for item in self.plan]}


def adherence(rows: Iterable[Dated], plan: Sequence[PlanItem], now: datetime) -> Adherence:
    """Session days per week against each plan item's minimum sessions per week."""
    rows = list(rows)
    days: dict[date, int] = defaultdict(int)
    done_days: dict[tuple[str, str, date], set[date]] = defaultdict(set)
    """(exercise, side, the week's Monday) → the days of that week it was done: each week looks up its own."""
    for row in rows:
        day = row.started_at.astimezone().date()
        days[day] += 1
        done_days[(row.exercise, row.side.value, _monday(day))].add(day)
    if not plan:
        return Adherence((), 0, dict(days), ())
    today = now.astimezone().date()
    first = _monday(min(item.started_on.astimezone().date() for item in plan))
    weeks = []
    kept: list[bool] = []
    for start in (first + timedelta(weeks=i) for i in range(((_monday(today) - first).days // 7) + 1)):
        planned = done = 0
        week_kept = True
        for item in plan:
            began = item.started_on.astimezone().date()
            if _monday(began) > start or (not item.active and start >= _monday(_ended(item, today))):
                continue                     # a removed item no longer counts from its removal's week on
            want = math.ceil(item.sessions_per_week[0])
            sides = ("left", "right") if item.side == "both" else (item.side,)
            got = len(set().union(*(done_days.get((item.exercise_id, side, start), ()) for side in sides)))
            planned += want
            done += min(got, want)
            week_kept &= got >= want
        weeks.append(WeekAdherence(start, planned, done))
        kept.append(week_kept and planned > 0)
    if kept and not kept[-1]:
        kept = kept[:-1]                     # this week is not over: it cannot break a streak yet
    streak = 0
    for week_kept in reversed(kept):
        if not week_kept:
            break
        streak += 1
    return Adherence(tuple(weeks), streak, dict(days), tuple(p for p in plan if p.active))


def _ended(item: PlanItem, today: date) -> date:
    """The local day a removed item left the plan; items removed before that was recorded: today."""
    return today if item.ended_on is None else item.ended_on.astimezone().date()


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
