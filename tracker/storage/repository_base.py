"""What every repository shares: it works inside a unit of work's transaction, or alone.

Why both: most calls are one action (list the sessions, add a pain score) and are their own
transaction; a use case that spans aggregates (store a result and its calibration, publish an
import) takes one unit of work from `Store.write()`, so it commits or rolls back as a whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import QueryableAttribute, sessionmaker
from sqlalchemy.orm import Session as OrmSession


class Repository:
    """Maps one aggregate between rows and domain objects; never returns ORM rows."""

    def __init__(self, session_factory: sessionmaker[OrmSession], orm: OrmSession | None = None,
                 person_id: int | None = None) -> None:
        self._session_factory = session_factory
        self._orm = orm
        """The unit of work's session when bound to one; None: every method is its own transaction."""
        self.person_id = person_id
        """Whose rows this repository sees and writes; None: the default person (rows with no person)."""

    def _mine(self, column: QueryableAttribute[int | None]) -> sa.ColumnElement[bool]:
        """`column` (a person_id column) is this repository's person: rows of two people never mix."""
        return column.is_(None) if self.person_id is None else column == self.person_id

    @contextmanager
    def _read(self) -> Iterator[OrmSession]:
        if self._orm is not None:
            yield self._orm
        else:
            with self._session_factory() as orm:
                yield orm

    @contextmanager
    def _write(self) -> Iterator[OrmSession]:
        if self._orm is not None:
            yield self._orm                      # the unit of work commits (or rolls back) at its end
        else:
            with self._session_factory.begin() as orm:
                yield orm

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """The unit of work's connection (after flushing what it added), for the Core reads of
        tracker.storage.reading; alone, a transaction of its own."""
        with self._read() as orm:
            orm.flush()
            yield orm.connection()
