"""Listing and showing stored sessions, the plan, and logging pain: what the commands people type most need.

Why apart from tracker.services: those commands must answer about as fast as Python imports SQLAlchemy
and Typer. The reader opens the database exactly as the services do (checks, schema revision, stale
recordings marked interrupted) but reads with Core (tracker.storage.reading), so neither the ORM nor
NumPy, the analysis or the recorder are loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NamedTuple

from tracker import catalog
from tracker.domain import AnalysedSession, PainEntry, SessionHeadline, SessionSummary
from tracker.plans import PlanItem
from tracker.storage import reading
from tracker.storage import tables as t
from tracker.storage.database import Database, open_database

if TYPE_CHECKING:
    from analysis.results import SessionResult
    from analysis.vocabulary import Direction


class Shown(NamedTuple):
    """A session as `hiptrack show` prints it: its summary, its result (None: never analysed), its pain.

    A NamedTuple: defining a frozen dataclass costs a new process about two and a half times as much, and
    this one is only unpacked."""

    summary: SessionSummary
    result: SessionResult | None
    pain: list[PainEntry]


@dataclass(frozen=True, slots=True)
class Reader:
    database: Database
    person_id: int | None
    """Whose sessions (None: the default person)."""

    def summaries(self) -> list[SessionSummary]:
        with self.database.engine.connect() as connection:
            return reading.summaries(connection, self.person_id)

    def analysed(self) -> list[AnalysedSession]:
        """The person's analysed sessions with their results, oldest first."""
        with self.database.engine.connect() as connection:
            return reading.analysed(connection, reading.mine(t.sessions.c.person_id, self.person_id))

    def headlines(self) -> list[SessionHeadline]:
        """The person's analysed sessions with their peaks only, oldest first: fast on years of sessions."""
        with self.database.engine.connect() as connection:
            return reading.headlines(connection, reading.mine(t.sessions.c.person_id, self.person_id))

    def pain(self) -> list[PainEntry]:
        """Every pain entry of the person, oldest first."""
        with self.database.engine.connect() as connection:
            return reading.pain_entries(connection, self.person_id)

    def plan(self, include_inactive: bool = False) -> list[PlanItem]:
        with self.database.engine.connect() as connection:
            return reading.plan_items(connection, self.person_id, include_inactive)

    def add_pain(self, session_id: int, score: int, set_index: int | None = None, note: str | None = None
                 ) -> PainEntry:
        """Log pain (tracker.storage.pain_writing: the repository's own checks and insert), now."""
        from tracker.storage.pain_writing import add_pain

        with self.database.engine.begin() as connection:
            return add_pain(connection, self.person_id, session_id, score, datetime.now(UTC), set_index, note)

    def show(self, session_id: int) -> Shown:
        """One consistent read of a session; an unknown id (or another person's) is an error."""
        with self.database.engine.connect() as connection:
            summary = reading.summary(connection, session_id, self.person_id)
            found = reading.analysed(connection, t.sessions.c.id == session_id)
            return Shown(summary, found[0].result if found else None,
                         reading.pain_entries(connection, self.person_id, session_id))

    def close(self) -> None:
        self.database.dispose()


def open_reader(db_url: str | None = None, *, person: str | None = None) -> Reader:
    """Open the database as build_services does, for `person` (None: the default person); sessions whose
    recorder died are marked interrupted. An unknown person is refused."""
    database = open_database(db_url)
    try:
        with database.engine.begin() as connection:
            person_id = reading.person_id(connection, person)
            reading.mark_stale_interrupted(connection, datetime.now(UTC))
    except BaseException:
        database.dispose()
        raise
    return Reader(database, person_id)


def best_angle(row: AnalysedSession) -> tuple[Direction, float] | None:
    """A session's extreme in its exercise's first tracked motion, positive = more range (None if unknown).

    One definition for the dashboard's session list and `hiptrack sessions`.
    """
    direction = next(iter(tracked_motions(row.exercise)), None)
    peaks = row.result.peaks if row.calibrated else None
    if peaks is None or direction is None:
        return None
    return direction, direction.sign * peaks.of(direction)


def tracked_motions(exercise_id: str) -> tuple[Direction, ...]:
    """The directions whose range an exercise tracks; none for one no longer in the catalogue."""
    exercise = catalog.find(exercise_id)
    return exercise.primary_motion.facts.tracked if exercise is not None else ()
