"""Storage against a real SQLite file, migrated by Alembic exactly as the app does it."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sensors.samples import ImuSamples, Placement
from sensors.source import StreamSpec
from tracker.domain import SessionStatus, Side, Source
from tracker.errors import BadInputError, SessionNotFoundError
from tracker.storage import models as m
from tracker.storage.database import open_database, redact, upgrade
from tracker.storage.session_repository import NewSession, PendingChunk
from tracker.storage.store import Store

T0 = datetime(2026, 3, 1, 18, 30, tzinfo=UTC)
SPEC = StreamSpec(Placement.LEFT_THIGH, 100.0, "AA:BB:CC:DD:EE:FF", "WT901", "witmotion")


def _samples(start: float, n: int) -> ImuSamples:
    t = start + np.arange(n) / 100.0
    rng = np.random.default_rng(int(start * 100))
    return ImuSamples(t, rng.normal(0, 3, (n, 3)), rng.normal(0, 1, (n, 3)))


def test_migrations_build_exactly_the_models(any_db_url: str) -> None:
    database = open_database(any_db_url)
    with database.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), m.Base.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_migrations_go_down_and_up_again(any_db_url: str) -> None:
    database = open_database(any_db_url)
    upgrade_tables = set(sa.inspect(database.engine).get_table_names())
    assert {"sessions", "streams", "sample_chunks", "calibrations", "analysis_results", "holds", "reps", "sets",
            "ride_metrics", "pain_ratings", "people", "devices"} <= upgrade_tables
    from alembic import command

    from tracker.storage.database import _alembic_config

    with database.engine.begin() as connection:
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(sa.inspect(database.engine).get_table_names()) == {"alembic_version"}
    upgrade(database)
    assert set(sa.inspect(database.engine).get_table_names()) == upgrade_tables


def test_revisions_read_without_alembic_are_alembics() -> None:
    """The schema check on open reads the migration files itself; it must agree with Alembic's reading."""
    from alembic.script import ScriptDirectory

    from tracker.storage.database import _alembic_config, packaged_head, packaged_revisions

    script = ScriptDirectory.from_config(_alembic_config())
    assert packaged_revisions() == {s.revision: s.down_revision for s in script.walk_revisions()}
    assert packaged_head() == script.get_current_head() is not None


def test_an_older_schema_is_still_upgraded(tmp_path: Path) -> None:
    """The one-query check says "not current" for an older revision, and Alembic then migrates it."""
    from alembic import command

    from tracker.storage.database import _alembic_config, packaged_head

    database = open_database(str(tmp_path / "old.db"))
    with database.engine.begin() as connection:
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    database.dispose()
    reopened = open_database(str(tmp_path / "old.db"))
    with reopened.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all() == \
            [packaged_head()]
    reopened.dispose()


def test_database_file_is_private_and_in_wal_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "deep" / "folder" / "h.db"          # the default file's folder is created, private
    monkeypatch.delenv("HIPTRACK_DB", raising=False)
    monkeypatch.setattr("tracker.storage.database.default_url", lambda: f"sqlite:///{path}")
    database = open_database(None)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_bad_urls_are_bad_input_and_passwords_never_shown() -> None:
    with pytest.raises(BadInputError, match="not a database URL"):
        open_database("postgresql://u@host:notaport/db")
    with pytest.raises(BadInputError) as err:
        open_database("nosuchdialect://user:s3cret@host/db")
    assert "s3cret" not in str(err.value)
    assert "s3cret" not in redact("postgresql://user:s3cret@host/db")


def test_a_session_keeps_its_samples_chunk_by_chunk(any_db_url: str) -> None:
    store = Store(open_database(any_db_url).sessions)
    ids = store.sessions.create(NewSession("seated_hip_internal_rotation", Side.LEFT, Source.BLE, T0, "felt good"),
                               [SPEC], T0)
    stream_id = ids["left_thigh"]
    blocks = [_samples(0.0, 100), _samples(1.0, 100), _samples(2.0, 37)]
    for seq, block in enumerate(blocks):
        store.sessions.append(ids["session"], [PendingChunk(stream_id, seq, block)], float(block.time_s[-1]), T0)
    store.sessions.finish(ids["session"], SessionStatus.COMPLETE)

    summary = store.sessions.get(ids["session"])
    assert (summary.samples, summary.status, summary.started_at) == (237, SessionStatus.COMPLETE, T0)
    assert summary.started_at.tzinfo is not None
    assert summary.notes == "felt good" and summary.streams[0].device_name == "WT901"
    loaded = store.sessions.samples(stream_id)
    expected = ImuSamples.concat(blocks)
    np.testing.assert_allclose(loaded.time_s, expected.time_s, atol=1e-6)
    np.testing.assert_allclose(loaded.acc_mps2, expected.acc_mps2, atol=1e-5)
    assert [s.id for s in store.sessions.summaries()] == [ids["session"]]


def test_a_chunk_cannot_be_stored_twice(any_db_url: str) -> None:
    store = Store(open_database(any_db_url).sessions)
    ids = store.sessions.create(NewSession("ride", Side.RIGHT, Source.BLE, T0), [SPEC], T0)
    chunk = PendingChunk(ids["left_thigh"], 0, _samples(0.0, 10))
    store.sessions.append(ids["session"], [chunk], 0.1, T0)
    with pytest.raises(sa.exc.IntegrityError):
        store.sessions.append(ids["session"], [chunk], 0.1, T0)
    assert store.sessions.get(ids["session"]).samples == 10      # the failed transaction left nothing behind


def test_stale_recordings_become_interrupted_and_keep_their_samples(any_db_url: str) -> None:
    store = Store(open_database(any_db_url).sessions)
    dead = store.sessions.create(NewSession("ride", Side.RIGHT, Source.BLE, T0), [SPEC], T0)
    store.sessions.append(dead["session"], [PendingChunk(dead["left_thigh"], 0, _samples(0, 50))], 0.5, T0)
    alive = store.sessions.create(NewSession("ride", Side.LEFT, Source.BLE, T0), [SPEC], T0 + timedelta(seconds=60))
    assert store.sessions.mark_stale_interrupted(T0 + timedelta(seconds=65), stale_after_s=15) == [dead["session"]]
    assert store.sessions.get(dead["session"]).status == SessionStatus.INTERRUPTED
    assert store.sessions.get(dead["session"]).samples == 50
    assert store.sessions.get(alive["session"]).status == SessionStatus.RECORDING


def test_deleting_a_session_deletes_its_samples(any_db_url: str) -> None:
    database = open_database(any_db_url)
    store = Store(database.sessions)
    ids = store.sessions.create(NewSession("ride", Side.RIGHT, Source.BLE, T0), [SPEC], T0)
    store.sessions.append(ids["session"], [PendingChunk(ids["left_thigh"], 0, _samples(0, 10))], 0.1, T0)
    store.sessions.delete(ids["session"])
    with database.engine.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(m.SampleChunk)) == 0
        assert connection.scalar(sa.select(sa.func.count()).select_from(m.Device)) == 1   # devices outlive sessions
    with pytest.raises(SessionNotFoundError):
        store.sessions.get(ids["session"])


def test_naive_datetimes_are_refused(any_db_url: str) -> None:
    store = Store(open_database(any_db_url).sessions)
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        store.sessions.create(NewSession("ride", Side.RIGHT, Source.BLE, datetime(2026, 1, 1)), [SPEC], T0)


def test_pain_scores_outside_0_to_10_are_refused(any_db_url: str) -> None:
    database = open_database(any_db_url)
    store = Store(database.sessions)
    ids = store.sessions.create(NewSession("ride", Side.RIGHT, Source.BLE, T0), [SPEC], T0)
    with pytest.raises(sa.exc.IntegrityError), database.sessions.begin() as orm:
        orm.add(m.PainRating(session_id=ids["session"], score=11))


def test_compaction_merges_small_chunks_without_changing_a_sample(any_db_url: str) -> None:
    store = Store(open_database(any_db_url).sessions)
    ids = store.sessions.create(NewSession("ride", Side.RIGHT, Source.BLE, T0), [SPEC], T0)
    blocks = [_samples(k * 0.5, 50) for k in range(25)]          # 25 live-sized chunks, 1250 samples
    store.sessions.append(ids["session"], [PendingChunk(ids["left_thigh"], k, b) for k, b in enumerate(blocks)],
                        12.5, T0)
    before = store.sessions.samples(ids["left_thigh"])
    assert store.sessions.compact_stream(ids["left_thigh"], target_samples=400) == 4      # 8 + 8 + 8 + 1 chunks
    after = store.sessions.samples(ids["left_thigh"])
    np.testing.assert_allclose(after.time_s, before.time_s, rtol=0, atol=1e-9)      # same µs grid
    np.testing.assert_allclose(after.acc_mps2, before.acc_mps2, rtol=0, atol=1e-12)
    assert store.sessions.get(ids["session"]).samples == 1250


def test_a_unit_of_work_commits_whole_or_not_at_all(any_db_url: str) -> None:
    """A use case spanning aggregates (a session and its pain score) is one transaction."""
    store = Store(open_database(any_db_url).sessions)
    with pytest.raises(RuntimeError), store.write() as work:
        session_id = work.sessions.create(NewSession("couch_stretch", Side.LEFT, Source.BLE, T0), [SPEC],
                                          T0)["session"]
        work.pain.add(session_id, 3, T0)
        raise RuntimeError("killed half-way")
    assert store.sessions.summaries() == [] and store.pain.entries() == []
    with store.write() as work:
        session_id = work.sessions.create(NewSession("couch_stretch", Side.LEFT, Source.BLE, T0), [SPEC],
                                          T0)["session"]
        work.pain.add(session_id, 3, T0)
    with store.read() as snapshot:
        assert [s.id for s in snapshot.sessions.summaries()] == [session_id]
        assert [p.score for p in snapshot.pain.entries(session_id)] == [3]
