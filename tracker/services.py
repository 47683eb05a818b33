"""Use cases shared by the CLI, the TUI and the tests: each takes plain arguments, returns results.

This module opens the database and answers queries; recording (tracker.services_recording) and import
and export (tracker.services_transfer) load on first use, through the names re-exported below, so
`hiptrack sessions` or `show` never import the recorder's sources, the analysis or the simulator.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from analysis.results import SessionResult
from tracker.domain import SessionSummary
from tracker.storage.database import Database, open_database
from tracker.storage.store import Store

if TYPE_CHECKING:
    from tracker.recorder import Recorder
    from tracker.services_recording import (
        BlockCallback,
        StatusCallback,
        analysis_streams,
        analyze_session,
        record,
        record_simulated,
        replay_source,
        simulated_notification_source,
    )
    from tracker.services_transfer import IMPORT_BLOCK_S, export_session, import_csv, import_samples

__all__ = ["IMPORT_BLOCK_S", "BlockCallback", "Services", "StatusCallback", "analysis_streams", "analyze_session",
           "build_services", "delete_sessions", "export_session", "import_csv", "import_samples", "record",
           "record_simulated", "replay_source", "session_result", "simulated_notification_source"]

_LAZY = {name: "tracker.services_recording" for name in (
    "BlockCallback", "StatusCallback", "analysis_streams", "analyze_session", "record", "record_simulated",
    "replay_source", "simulated_notification_source", "_analysis_of")} | \
    {name: "tracker.services_transfer" for name in ("IMPORT_BLOCK_S", "export_session", "import_csv",
                                                    "import_samples")}


def __getattr__(name: str) -> Any:
    """The recording and import/export use cases, imported when first named (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True, slots=True)
class Services:
    database: Database
    store: Store

    @property
    def recorder(self) -> Recorder:
        """A recorder on this store (it holds only settings), built when a use case records."""
        from tracker.recorder import Recorder

        return Recorder(self.store.sessions)

    def close(self) -> None:
        self.database.dispose()


def build_services(db_url: str | None = None, *, recover: bool = True) -> Services:
    """Open (and migrate) the database; sessions whose recorder died are marked interrupted."""
    database = open_database(db_url)
    store = Store(database.sessions)
    if recover:
        store.sessions.mark_stale_interrupted(datetime.now(UTC))
    return Services(database, store)


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
