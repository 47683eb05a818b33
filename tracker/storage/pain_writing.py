"""Logging pain with Core: the checks and the insert, shared by the pain repository and `hiptrack pain`.

Why Core: people rate pain after every session, so `hiptrack pain` must start as fast as listing does
(SPEC §10: ≤ 1.3× importing SQLAlchemy and Typer); the ORM mapping alone costs more than that. The
repository runs the same function inside its unit of work.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tracker.domain import PainEntry
from tracker.errors import BadInputError, SessionNotFoundError
from tracker.storage import tables as t

MAX_SET_INDEX = 9_999
"""No session has ten thousand sets: a bigger number is a typo (and would overflow a 32-bit column)."""


def add_pain(connection: Connection, person_id: int | None, session_id: int, score: int, now: datetime,
             set_index: int | None = None, note: str | None = None) -> PainEntry:
    """Log pain for one of the person's sessions or one of its sets; scores outside 0–10 are refused, not
    clipped. The caller's transaction commits it."""
    if not 0 <= score <= 10:
        raise BadInputError(f"pain score {score} is outside 0–10")
    if set_index is not None and set_index < 0:
        raise BadInputError(f"set number must be 1 or more, got {set_index + 1}")
    s = t.sessions.c
    found = connection.execute(sa.select(s.person_id).where(s.id == session_id)).first()
    if found is None or found.person_id != person_id:
        raise SessionNotFoundError(session_id, another_persons=found is not None)
    if set_index is not None:
        _check_set(connection, session_id, set_index)
    connection.execute(sa.insert(t.pain_ratings).values(session_id=session_id, score=score, set_index=set_index,
                                                         note=note, recorded_at=now))
    return PainEntry(session_id, score, set_index, note, now)


def _check_set(connection: Connection, session_id: int, set_index: int) -> None:
    """A rated set must be one the session has (once analysed); a typo must not rate set 99999999999."""
    result_id = connection.scalar(sa.select(t.analysis_results.c.id).where(
        t.analysis_results.c.session_id == session_id))
    count = connection.scalar(sa.select(sa.func.count()).select_from(t.sets).where(
        t.sets.c.result_id == result_id)) if result_id is not None else None
    if count is not None and set_index >= count:
        have = f"sets 1–{count}" if count > 1 else "set 1" if count == 1 else "no sets"
        raise BadInputError(f"set {set_index + 1} is out of range: session {session_id} has {have}")
    if set_index > MAX_SET_INDEX:
        raise BadInputError(f"set {set_index + 1} is out of range (1–{MAX_SET_INDEX + 1})")
