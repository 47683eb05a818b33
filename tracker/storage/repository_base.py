"""What every repository shares: it works inside a unit of work's transaction, or alone.

Why both: most calls are one action (list the sessions, add a pain score) and are their own
transaction; a use case that spans aggregates (store a result and its calibration, publish an
import) takes one unit of work from `Store.write()`, so it commits or rolls back as a whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker


class Repository:
    """Maps one aggregate between rows and domain objects; never returns ORM rows."""

    def __init__(self, session_factory: sessionmaker[OrmSession], orm: OrmSession | None = None) -> None:
        self._session_factory = session_factory
        self._orm = orm
        """The unit of work's session when bound to one; None: every method is its own transaction."""

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
