"""The database as one repository per aggregate, and units of work that span them.

`store.sessions.get(7)` is a transaction of its own; `with store.write() as work: ...` runs several
repository calls in one transaction, so a use case is all or nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker

from tracker.storage.pain_repository import PainRepository
from tracker.storage.plan_repository import PlanRepository
from tracker.storage.result_repository import ResultRepository
from tracker.storage.session_repository import SessionRepository


@dataclass(frozen=True, slots=True)
class Repositories:
    sessions: SessionRepository
    results: ResultRepository
    pain: PainRepository
    plans: PlanRepository

    @classmethod
    def over(cls, session_factory: sessionmaker[OrmSession], orm: OrmSession | None = None) -> Repositories:
        return cls(SessionRepository(session_factory, orm), ResultRepository(session_factory, orm),
                   PainRepository(session_factory, orm), PlanRepository(session_factory, orm))


class Store:
    """Repositories whose calls are each one transaction, plus `read()`/`write()` units of work."""

    def __init__(self, session_factory: sessionmaker[OrmSession]) -> None:
        self._session_factory = session_factory
        self.sessions = SessionRepository(session_factory)
        self.results = ResultRepository(session_factory)
        self.pain = PainRepository(session_factory)
        self.plans = PlanRepository(session_factory)

    @contextmanager
    def read(self) -> Iterator[Repositories]:
        """One consistent snapshot for several reads."""
        with self._session_factory() as orm:
            yield Repositories.over(self._session_factory, orm)

    @contextmanager
    def write(self) -> Iterator[Repositories]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self._session_factory.begin() as orm:
            yield Repositories.over(self._session_factory, orm)
