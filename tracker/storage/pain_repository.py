"""Pain ratings, 0–10, for a whole session or one of its sets."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session as OrmSession

from tracker.domain import PainEntry
from tracker.errors import BadInputError, SessionNotFoundError
from tracker.storage import models as m
from tracker.storage import reading
from tracker.storage.repository_base import Repository

MAX_SET_INDEX = 9_999
"""No session has ten thousand sets: a bigger number is a typo (and would overflow a 32-bit column)."""


class PainRepository(Repository):
    def add(self, session_id: int, score: int, now: datetime, set_index: int | None = None,
                 note: str | None = None) -> PainEntry:
        """Log pain for a session or one of its sets; scores outside 0–10 are refused, not clipped."""
        if not 0 <= score <= 10:
            raise BadInputError(f"pain score {score} is outside 0–10")
        if set_index is not None and set_index < 0:
            raise BadInputError(f"set number must be 1 or more, got {set_index + 1}")
        with self._write() as orm:
            session = orm.get(m.Session, session_id)
            if session is None or session.person_id != self.person_id:
                raise SessionNotFoundError(session_id, another_persons=session is not None)
            if set_index is not None:
                _check_set(orm, session_id, set_index)
            orm.add(m.PainRating(session_id=session_id, score=score, set_index=set_index, note=note,
                                 recorded_at=now))
        return PainEntry(session_id, score, set_index, note, now)

    def entries(self, session_id: int | None = None) -> list[PainEntry]:
        """Pain entries of one session, or of all sessions, oldest first."""
        with self._connection() as connection:
            return reading.pain_entries(connection, self.person_id, session_id)


def _check_set(orm: OrmSession, session_id: int, set_index: int) -> None:
    """A rated set must be one the session has (once analysed); a typo must not rate set 99999999999."""
    result_id = orm.scalar(sa.select(m.AnalysisResult.id).where(m.AnalysisResult.session_id == session_id))
    count = orm.scalar(sa.select(sa.func.count()).select_from(m.SetRow).where(m.SetRow.result_id == result_id)) \
        if result_id is not None else None
    if count is not None and set_index >= count:
        have = f"sets 1–{count}" if count > 1 else "set 1" if count == 1 else "no sets"
        raise BadInputError(f"set {set_index + 1} is out of range: session {session_id} has {have}")
    if set_index > MAX_SET_INDEX:
        raise BadInputError(f"set {set_index + 1} is out of range (1–{MAX_SET_INDEX + 1})")
