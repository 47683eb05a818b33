"""Use cases shared by the CLI, the TUI and the tests: each takes plain arguments, returns results.

This module opens the database and answers queries; recording (tracker.services_recording) and import
and export (tracker.services_transfer) load on first use, through the names re-exported below, so
`hiptrack sessions` or `show` never import the recorder's sources, the analysis or the simulator.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from tracker.domain import SessionSummary
from tracker.storage import reading
from tracker.storage.database import Database, open_database
from tracker.storage.reading import DEFAULT_PERSON

if TYPE_CHECKING:
    from analysis.results import SessionResult
    from tracker.reader import Reader
    from tracker.recorder import Recorder
    from tracker.services_recording import (
        BlockCallback,
        StatusCallback,
        analysis_streams,
        analyze_session,
        pelvis_stream,
        record,
        record_simulated,
        replay_source,
        simulated_notification_source,
    )
    from tracker.services_transfer import IMPORT_BLOCK_S, export_session, import_csv, import_samples
    from tracker.storage.people_repository import PersonSummary
    from tracker.storage.store import Store

__all__ = ["IMPORT_BLOCK_S", "BlockCallback", "Services", "StatusCallback", "analysis_streams", "analyze_session",
           "build_services", "delete_sessions", "export_session", "for_person", "import_csv", "import_samples",
           "pelvis_stream", "people", "record", "record_simulated", "replay_source", "session_result",
           "simulated_notification_source"]

_LAZY = {name: "tracker.services_recording" for name in (
    "BlockCallback", "StatusCallback", "analysis_streams", "analyze_session", "pelvis_stream", "record",
    "record_simulated",
    "replay_source", "simulated_notification_source", "_analysis_of")} | \
    {name: "tracker.services_transfer" for name in ("IMPORT_BLOCK_S", "export_session", "import_csv",
                                                    "import_samples")}


def __getattr__(name: str) -> Any:
    """The recording and import/export use cases, imported when first named (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class Services:
    database: Database
    person_id: int | None
    """Whose sessions, results, pain and plan `store` sees and records (None: the default person)."""
    person: str = DEFAULT_PERSON

    @cached_property
    def store(self) -> Store:
        """The repositories, built on first use: opening (and the dashboard's first frame) never waits for
        the ORM mapping, which only the repositories load."""
        from tracker.storage.store import Store

        return Store(self.database.sessions, self.person_id)

    @property
    def reader(self) -> Reader:
        """Core reads of this person's sessions, results, pain and plan: no ORM (the dashboard's home screen)."""
        from tracker.reader import Reader

        return Reader(self.database, self.person_id)

    @property
    def recorder(self) -> Recorder:
        """A recorder on this store (it holds only settings), built when a use case records."""
        from tracker.recorder import Recorder

        return Recorder(self.store.sessions)

    def close(self) -> None:
        self.database.dispose()


def build_services(db_url: str | None = None, *, recover: bool = True, person: str | None = None) -> Services:
    """Open (and migrate) the database for `person` (None: the default person); sessions whose recorder died
    are marked interrupted. An unknown person is refused (`hiptrack people add NAME` first)."""
    database = open_database(db_url)
    try:
        services = _as_person(database, person)
    except BaseException:
        database.dispose()
        raise
    if recover:
        with database.engine.begin() as connection:
            reading.mark_stale_interrupted(connection, datetime.now(UTC))
    return services


def for_person(services: Services, person: str | None) -> Services:
    """The same database seen as `person` (the dashboard's person picker; --person on every command)."""
    return _as_person(services.database, person)


def _as_person(database: Database, person: str | None) -> Services:
    with database.engine.connect() as connection:
        person_id = reading.person_id(connection, person)
    return Services(database, person_id, person or DEFAULT_PERSON)


def people(services: Services) -> list[PersonSummary]:
    return services.store.people.summaries()


def session_result(services: Services, session_id: int) -> SessionResult | None:
    """The stored result of a session (None if never analysed)."""
    with services.store.read() as stored:
        stored.sessions.get(session_id)          # an unknown id is an error, not "not analysed"
        return stored.results.load(session_id)


def delete_sessions(services: Services, session_ids: list[int]) -> list[SessionSummary]:
    """Delete sessions with their samples, results and pain ratings: all of them, or none if one id is unknown."""
    with services.store.write() as work:
        doomed = [work.sessions.get(session_id) for session_id in dict.fromkeys(session_ids)]
        for summary in doomed:
            work.sessions.delete(summary.id)
    return doomed
