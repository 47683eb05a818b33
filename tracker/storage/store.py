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
from tracker.storage.people_repository import PeopleRepository
from tracker.storage.plan_repository import PlanRepository
from tracker.storage.result_repository import ResultRepository
from tracker.storage.session_repository import SessionRepository


@dataclass(frozen=True, slots=True)
class Repositories:
    sessions: SessionRepository
    results: ResultRepository
    pain: PainRepository
    plans: PlanRepository
    people: PeopleRepository

    @classmethod
    def over(cls, session_factory: sessionmaker[OrmSession], orm: OrmSession | None = None,
             person_id: int | None = None) -> Repositories:
        return cls(SessionRepository(session_factory, orm, person_id),
                   ResultRepository(session_factory, orm, person_id),
                   PainRepository(session_factory, orm, person_id),
                   PlanRepository(session_factory, orm, person_id),
                   PeopleRepository(session_factory, orm))


class Store:
    """Repositories whose calls are each one transaction, plus `read()`/`write()` units of work.

    A store sees one person's sessions, results, pain and plan (person_id None: the default person,
    the only one a single user ever has); `people` spans everyone.
    """

    def __init__(self, session_factory: sessionmaker[OrmSession], person_id: int | None = None) -> None:
        self._session_factory = session_factory
        self.person_id = person_id
        self.sessions = SessionRepository(session_factory, person_id=person_id)
        self.results = ResultRepository(session_factory, person_id=person_id)
        self.pain = PainRepository(session_factory, person_id=person_id)
        self.plans = PlanRepository(session_factory, person_id=person_id)
        self.people = PeopleRepository(session_factory)

    @contextmanager
    def read(self) -> Iterator[Repositories]:
        """One consistent snapshot for several reads."""
        with self._session_factory() as orm:
            yield Repositories.over(self._session_factory, orm, self.person_id)

    @contextmanager
    def write(self) -> Iterator[Repositories]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self._session_factory.begin() as orm:
            yield Repositories.over(self._session_factory, orm, self.person_id)
