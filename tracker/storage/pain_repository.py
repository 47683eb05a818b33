"""Pain ratings, 0–10, for a whole session or one of its sets."""

from __future__ import annotations

from datetime import datetime

from tracker.domain import PainEntry
from tracker.storage import reading
from tracker.storage.pain_writing import MAX_SET_INDEX, add_pain
from tracker.storage.repository_base import Repository

__all__ = ["MAX_SET_INDEX", "PainRepository"]


class PainRepository(Repository):
    def add(self, session_id: int, score: int, now: datetime, set_index: int | None = None,
            note: str | None = None) -> PainEntry:
        """Log pain for a session or one of its sets; scores outside 0–10 are refused, not clipped."""
        with self._write() as orm:
            return add_pain(orm.connection(), self.person_id, session_id, score, now, set_index, note)

    def entries(self, session_id: int | None = None) -> list[PainEntry]:
        """Pain entries of one session, or of all sessions, oldest first."""
        with self._connection() as connection:
            return reading.pain_entries(connection, self.person_id, session_id)
