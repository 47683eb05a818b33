"""What the home screen can show at a glance from the sessions' headlines, before the progress report exists.

Why apart from tracker.progress: on years of sessions the report (typed results with every rep and hold,
NumPy, the trend fits) takes a second or more; the best angle per session, the calendar and the week need
only one query's plain rows. The report, once built, replaces what is shown here with the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tracker.domain import SessionHeadline
from tracker.reader import tracked_motions

Key = tuple[str, str, str]
"""(exercise, motion, side), as the progress report's items are keyed."""


@dataclass(frozen=True, slots=True)
class PeakPoint:
    """One session's best angle in a motion's direction (positive = more range), as a trend chart draws it."""

    session_id: int
    started_at: datetime
    best_deg: float


def best_angles(rows: Sequence[SessionHeadline]) -> dict[Key, tuple[PeakPoint, ...]]:
    """Per exercise, motion and side, each calibrated session's best angle, oldest first, keys sorted.

    The same sessions and numbers as the progress report's points (`SessionPoint.best_deg`), in the same
    order as its items, so the screen need not move when the report replaces them.
    """
    points: defaultdict[Key, list[PeakPoint]] = defaultdict(list)
    for row in rows:
        if row.peaks is None:
            continue
        for direction in tracked_motions(row.exercise):
            points[(row.exercise, direction.motion.value, row.side.value)].append(
                PeakPoint(row.session_id, row.started_at, direction.sign * row.peaks.of(direction)))
    return {key: tuple(points[key]) for key in sorted(points)}
