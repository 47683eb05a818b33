"""Several programs on one database at once: a recording and the dashboard, two clinic workstations.

What is real here: the `hiptrack` command in its own process, SQLite files and a PostgreSQL server.
What could go wrong: "database is locked", a reader seeing a stream's counter without its chunk (or
the reverse), two first starts both creating the tables, two workstations both inserting the same
sensor's row.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from helpers import ROOT

from sensors.samples import Placement
from sensors.source import StreamSpec
from tracker.domain import SessionStatus, Side, Source
from tracker.services import build_services
from tracker.storage import models as m
from tracker.storage.database import head_revision, open_database
from tracker.storage.sample_codec import decode_chunk
from tracker.storage.session_repository import NewSession
from tracker.storage.store import Store

ENV = os.environ | {"PYTHONPATH": str(ROOT)}

SYNCED_HIPTRACK = """
import sys
import tracker.services                       # the heavy imports happen before the start line
from hiptrack.cli import main
sys.argv = ["hiptrack", *sys.argv[1:]]
print("ready", flush=True)
sys.stdin.readline()
main()
"""
"""Run the real command, but start its work when told, so that two processes really overlap."""


def _consistent_snapshot(engine: sa.Engine) -> dict[int, int]:
    """Samples per stream as one read transaction sees them; asserts counters and chunks agree.

    Why an explicit BEGIN: pysqlite runs each SELECT in its own snapshot unless told otherwise, and
    the point is to see the counters and the chunks at the same instant.
    """
    with engine.connect() as connection:
        connection.exec_driver_sql("BEGIN")
        streams = {row.id: row for row in connection.execute(
            sa.select(m.Stream.id, m.Stream.sample_count, m.Stream.has_mag))}
        chunks = connection.execute(sa.select(m.SampleChunk.stream_id, m.SampleChunk.seq, m.SampleChunk.t0_s,
                                              m.SampleChunk.n_samples, m.SampleChunk.data)
                                    .order_by(m.SampleChunk.stream_id, m.SampleChunk.seq)).all()
        connection.rollback()
    decoded: dict[int, int] = dict.fromkeys(streams, 0)
    for stream_id, _seq, t0_s, n_samples, data in chunks:
        samples = decode_chunk(data, t0_s, n_samples, bool(streams[stream_id].has_mag))  # raises on a torn chunk
        assert len(samples) == n_samples
        decoded[stream_id] += n_samples
    for stream_id, row in streams.items():
        assert row.sample_count == decoded[stream_id], \
            f"stream {stream_id}: counter says {row.sample_count}, chunks hold {decoded[stream_id]}"
    return decoded


@pytest.mark.slow
def test_dashboard_reads_while_hiptrack_record_writes(tmp_path: Path) -> None:
    """The real `hiptrack record --simulate` in real time; this process lists and loads meanwhile.

    Never "database is locked", never a counter ahead of or behind its chunks, including while the
    recorder compacts its chunks at the end.
    """
    path = tmp_path / "shared.db"
    url = f"sqlite:///{path}"
    writer = subprocess.Popen([sys.executable, "-m", "hiptrack.cli", "record", "--exercise", "couch_stretch",
                               "--side", "left", "--simulate", "--db", url],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=ENV)
    try:
        assert writer.stdout is not None
        for line in writer.stdout:                  # reading starts once samples are being committed
            if "s recorded" in line:
                break
        else:
            pytest.fail(f"the recorder never reported progress: {writer.communicate()[1]}")
        reader = build_services(url)                # what the dashboard does on start
        seen_totals: list[int] = []
        loads = 0
        stop_at = time.monotonic() + 4.0
        while writer.poll() is None:
            if stop_at and time.monotonic() > stop_at:
                writer.send_signal(signal.SIGINT)  # Ctrl-C: the recorder finishes, analyses, compacts
                stop_at = 0.0
            (summary,) = reader.store.sessions.summaries()
            for stream in summary.streams:
                samples = reader.store.sessions.samples(stream.id)
                assert len(samples) >= stream.samples       # loaded later than listed: never fewer
                assert np.all(np.diff(samples.time_s) > 0)
                loads += 1
            seen_totals.append(sum(_consistent_snapshot(reader.database.engine).values()))
        _, err = writer.communicate(timeout=60)
    finally:
        if writer.poll() is None:
            writer.kill()
    assert writer.returncode == 0, err
    assert "locked" not in err
    assert len(set(seen_totals)) >= 5, f"the reads did not overlap the recording: {seen_totals}"
    assert seen_totals == sorted(seen_totals)
    assert loads >= 10
    final = _consistent_snapshot(reader.database.engine)
    (summary,) = reader.store.sessions.summaries()
    assert summary.status == SessionStatus.COMPLETE and summary.samples == sum(final.values()) >= seen_totals[-1]
    reader.close()


def _synced_record(url: str, seeds: tuple[int, ...]) -> list[subprocess.CompletedProcess[str]]:
    children = [subprocess.Popen(
        [sys.executable, "-c", SYNCED_HIPTRACK, "record", "--exercise", "standing_hip_abduction_hold",
         "--side", "left", "--simulate", "--fast", "--seed", str(seed), "--db", url],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=ENV)
        for seed in seeds]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    for child in children:                          # both go within a millisecond of each other
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    done = []
    for child in children:
        out, err = child.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(child.args, child.returncode, out, err))
    return done


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_workstations_start_recording_at_once_on_a_new_database(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Two `hiptrack record` processes, same sensor addresses, same empty database, same instant.

    Both first starts migrate (one waits for the other's lock), both sessions complete with their
    own ids, and the sensors are one device row each, shared by both sessions.
    """
    url = f"sqlite:///{tmp_path / 'clinic.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    results = _synced_record(url, seeds=(1, 2))
    for result in results:
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    svc = build_services(url)
    sessions = svc.store.sessions.summaries()
    assert len(sessions) == 2 and sessions[0].id != sessions[1].id
    assert all(s.status == SessionStatus.COMPLETE and s.samples > 0 for s in sessions)
    with svc.database.engine.connect() as connection:
        devices = connection.execute(sa.select(m.Device.address, sa.func.count()).group_by(m.Device.address)).all()
        versions = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
        used = connection.execute(sa.select(m.Stream.session_id, m.Stream.placement, m.Stream.device_id)).all()
    assert devices and all(count == 1 for _, count in devices)
    assert versions == [head_revision()]
    by_placement: dict[str, set[int | None]] = {}
    for _session, placement, device_id in used:
        by_placement.setdefault(str(placement), set()).add(device_id)
    assert all(len(ids) == 1 and None not in ids for ids in by_placement.values()), by_placement
    svc.close()


def _pg_waiting_on_a_lock(engine: sa.Engine) -> bool:
    with engine.connect() as connection:
        return bool(connection.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()").scalar())


def test_the_same_sensor_registered_by_two_workstations_at_once_is_one_device(any_db_url: str) -> None:
    """Workstation A has inserted the sensor's row and not yet committed when B starts a session with it.

    B must wait and then use A's row; a select-then-insert would fail B's recording on the unique address.
    """
    spec = StreamSpec(Placement.LEFT_THIGH, 100.0, "C4:7C:8D:6A:11:22", "WT901BLE68", "witmotion")
    workstation_a, database_b, observer = (open_database(any_db_url) for _ in range(3))
    workstation_b = Store(database_b.sessions)
    outcome: list[object] = []

    def start_b() -> None:
        try:
            new = NewSession("couch_stretch", Side.LEFT, Source.BLE, datetime.now(UTC))
            outcome.append(workstation_b.sessions.create(new, [spec], datetime.now(UTC)))
        except Exception as err:  # reported below, with its type
            outcome.append(err)

    with workstation_a.engine.connect() as a:
        a.execute(sa.insert(m.Device).values(address=spec.device_address, name="WT901BLE68", profile="witmotion",
                                             created_at=datetime.now(UTC)))
        b = threading.Thread(target=start_b)
        b.start()
        deadline = time.monotonic() + 10
        if observer.engine.dialect.name == "postgresql":      # see B blocked on A's row, then let A commit
            while not _pg_waiting_on_a_lock(observer.engine) and time.monotonic() < deadline:
                time.sleep(0.02)
            assert _pg_waiting_on_a_lock(observer.engine), "B never waited for A"
        else:
            time.sleep(0.5)                                    # SQLite: B waits on A's write lock
        assert b.is_alive() and not outcome, f"B did not wait for A: {outcome}"
        a.commit()
    b.join(timeout=60)
    assert len(outcome) == 1 and isinstance(outcome[0], dict), f"B failed: {outcome!r}"
    with observer.engine.connect() as connection:
        devices = connection.execute(sa.select(m.Device.id).where(m.Device.address == spec.device_address)).all()
        stream_device = connection.execute(sa.select(m.Stream.device_id)).scalar_one()
    assert len(devices) == 1 and stream_device == devices[0].id
    for database in (workstation_a, database_b, observer):
        database.dispose()


def test_a_first_start_waits_for_another_process_holding_the_new_file(tmp_path: Path) -> None:
    """SQLite refuses a switch to WAL at once (no busy timeout) while another connection holds a lock."""
    path = tmp_path / "new.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE other_start_in_progress (x)")
    release = threading.Timer(0.5, lambda: holder.execute("ROLLBACK"))
    release.start()
    database = open_database(f"sqlite:///{path}")
    release.join()
    holder.close()
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    database.dispose()
