"""A person's plan: which exercises, on which side, at what dose — the seed's prescription unless edited."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from tracker import catalog
from tracker.catalog import Prescription, Span
from tracker.errors import BadInputError

PLAN_SIDES = ("left", "right", "both")

DEFAULT_SESSIONS_PER_WEEK: tuple[float, float] = (3, 5)
"""Where a seed gives no weekly volume, the general advice of seed 001: three to five times a week."""


@dataclass(frozen=True, slots=True)
class PlanItem:
    exercise_id: str
    side: str
    """left, right or both."""
    prescription: Prescription
    started_on: datetime
    target_deg: float | None = None
    id: int | None = None
    active: bool = True
    ended_on: datetime | None = None
    """When it was removed from the plan; its weeks from then on do not count it."""

    @property
    def sessions_per_week(self) -> tuple[float, float]:
        return self.prescription.sessions_per_week or DEFAULT_SESSIONS_PER_WEEK

    def covers(self, side: str) -> bool:
        return self.side in ("both", side)

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "exercise": self.exercise_id, "side": self.side,
                "prescription": self.prescription.to_json() | {"sessions_per_week": list(self.sessions_per_week)},
                "target_deg": self.target_deg, "started_on": self.started_on.isoformat(), "active": self.active,
                "ended_on": None if self.ended_on is None else self.ended_on.isoformat()}


def default_item(exercise_id: str, side: str, now: datetime) -> PlanItem:
    """The seed's prescription for the exercise (unknown ids and sides are refused)."""
    exercise = catalog.get(exercise_id)
    if side not in PLAN_SIDES:
        raise BadInputError(f"side must be one of {', '.join(PLAN_SIDES)}, got {side!r}")
    prescription = exercise.prescription
    if prescription.sessions_per_week is None:
        prescription = replace(prescription, sessions_per_week=DEFAULT_SESSIONS_PER_WEEK)
    return PlanItem(exercise_id, side, prescription, now)


def edited(item: PlanItem, *, sets: str | None = None, reps: str | None = None, hold_s: str | None = None,
           per_week: str | None = None, target_deg: float | None = None) -> PlanItem:
    """The item with the figures a person (or their physio) changed, each given as "N" or "MIN-MAX"."""
    p = item.prescription
    prescription = replace(p, sets=parse_span(sets, "sets", p.sets), reps=parse_span(reps, "reps", p.reps),
                           hold_s=parse_span(hold_s, "hold", p.hold_s),
                           sessions_per_week=parse_span(per_week, "per-week", p.sessions_per_week, upper=14))
    if target_deg is not None and not -180.0 < target_deg < 180.0:
        raise BadInputError(f"target {target_deg}° is not a hip angle")
    return replace(item, prescription=prescription,
                   target_deg=item.target_deg if target_deg is None else target_deg)


_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:[-–]\s*(\d+(?:\.\d+)?))?\s*$")


def parse_span(text: str | None, name: str, current: Span, upper: float = 3600.0) -> Span:
    """"3" → (3, 3); "2-5" → (2, 5); None keeps `current`. Anything else is a clear error."""
    if text is None:
        return current
    match = _SPAN.match(text)
    if match is None:
        raise BadInputError(f"--{name} {text!r}: give a number or a range like 2-5")
    low = float(match.group(1))
    high = float(match.group(2)) if match.group(2) else low
    if not 0 < low <= high <= upper:
        raise BadInputError(f"--{name} {text!r}: need 0 < min <= max <= {upper:g}")
    return (low, high)
