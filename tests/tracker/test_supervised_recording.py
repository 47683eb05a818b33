"""No silent failure (issue #13): a recording that cannot go on stops and says so; signals stop it cleanly;
a paused recorder takes its session back; what a crash leaves is readable."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers import start_record_no_tui
from helpers.live_sources import StallingSource
from helpers.tui_history import recorded, until
from textual.widgets import Static
from typer.testing import CliRunner

from hiptrack.cli import app
from sensors.samples import Placement
from sensors.simulator import Dose, SimOptions, simulate_session
from sensors.simulator.source import simulated_source
from sensors.source import SampleBlock, StreamGap, StreamSpec
from tracker.domain import SessionStatus, Side, Source
from tracker.errors import RecordingFailedError, SessionTakenError
from tracker.live_session import LiveRequest, LiveSession
from tracker.recorder import Recorder, RecordingStatus
from tracker.services import Services, build_services
from tracker.storage.session_repository import NewSession, PendingChunk, SessionRepository
from tui.record_app import RecordApp
from tui.screens.live_recording import LiveRecordingScreen

EXERCISE = "seated_hip_internal_rotation"
OPTIONS = SimOptions(dose=Dose(sets=1, reps=2))


def _stream(has_mag: bool) -> StreamSpec:
    return StreamSpec(Placement.LEFT_THIGH, 100.0, "AA:BB", "test", "simulated", has_mag=has_mag)


class FailingDisk:
    """The session repository's writes as a full disk gives them: fine for `ok` commits that carry
    samples, then every write raises 'disk I/O error' (the driver's own exception)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, ok: int, *, finish_fails: bool = False) -> None:
        self.ok = ok
        self.commits_with_samples = 0
        self.committed_samples = 0
        append, finish = SessionRepository.append, SessionRepository.finish

        def failing_append(repo: SessionRepository, session_id: int, chunks: Sequence[PendingChunk],
                           *args: Any, **kwargs: Any) -> bool:
            chunks = list(chunks)
            if self.commits_with_samples >= self.ok:
                raise sqlite3.OperationalError("disk I/O error")
            reclaimed = append(repo, session_id, chunks, *args, **kwargs)
            if chunks:
                self.commits_with_samples += 1
                self.committed_samples += sum(len(c.samples) for c in chunks)
            return reclaimed

        def failing_finish(repo: SessionRepository, *args: Any, **kwargs: Any) -> None:
            if finish_fails and self.commits_with_samples >= self.ok:
                raise sqlite3.OperationalError("disk I/O error")
            finish(repo, *args, **kwargs)

        monkeypatch.setattr(SessionRepository, "append", failing_append)
        monkeypatch.setattr(SessionRepository, "finish", failing_finish)


def _new(started_at: datetime | None = None) -> NewSession:
    return NewSession(EXERCISE, Side.LEFT, Source.SIMULATED, started_at or datetime.now(UTC))


async def test_a_failed_write_stops_the_recording_instead_of_the_heartbeat_dying_silently(
        svc: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """The source never ends by itself: only the supervision can end this recording."""
    disk = FailingDisk(monkeypatch, ok=1)
    source = StallingSource(EXERCISE, "left", 8401, OPTIONS, until_s=20.0)
    recorder = Recorder(svc.store.sessions, flush_interval_s=0.05)
    with pytest.raises(RecordingFailedError) as raised:
        await asyncio.wait_for(recorder.record(source, _new()), timeout=120)

    (summary,) = svc.store.sessions.summaries()
    assert summary.status is SessionStatus.INTERRUPTED
    assert summary.samples == disk.committed_samples > 0                 # what was committed stays
    assert raised.value.kept_samples == disk.committed_samples
    message = str(raised.value)
    assert "\n" not in message and "disk I/O error" in message and "marked interrupted" in message
    assert f"session {summary.id}" in message


async def test_when_the_database_refuses_even_the_status_the_next_start_marks_it(
        svc: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    disk = FailingDisk(monkeypatch, ok=1, finish_fails=True)
    source = StallingSource(EXERCISE, "left", 8402, OPTIONS, until_s=10.0)
    with pytest.raises(RecordingFailedError, match="marked interrupted at the next start"):
        await asyncio.wait_for(Recorder(svc.store.sessions, flush_interval_s=0.05).record(source, _new()), 120)
    (summary,) = svc.store.sessions.summaries()
    assert summary.status is SessionStatus.RECORDING and summary.samples == disk.committed_samples
    assert svc.store.sessions.mark_stale_interrupted(datetime.now(UTC) + timedelta(minutes=1)) == [summary.id]


class _BrokenSource:
    """Samples up to `until_s`, then the source itself fails (a decoder bug, a BLE stack error)."""

    def __init__(self, until_s: float) -> None:
        self.sim = simulate_session(EXERCISE, "left", 8403, OPTIONS)
        self._inner = simulated_source(self.sim)
        self.streams = self._inner.streams
        self._until_s = until_s
        self.handed_out = 0

    async def blocks(self) -> AsyncIterator[SampleBlock | StreamGap]:
        async for block in self._inner.blocks():
            if isinstance(block, SampleBlock):
                if block.samples.time_s[0] > self._until_s:
                    raise RuntimeError("decoder bug")
                self.handed_out += len(block.samples)
            yield block


async def test_a_failing_source_stops_the_recording_and_keeps_everything_it_gave(svc: Services) -> None:
    source = _BrokenSource(until_s=12.0)
    with pytest.raises(RecordingFailedError, match="RuntimeError: decoder bug") as raised:
        await Recorder(svc.store.sessions).record(source, _new())
    summary = svc.store.sessions.get(raised.value.session_id)
    assert summary.status is SessionStatus.INTERRUPTED
    assert summary.samples == source.handed_out == raised.value.kept_samples > 1000


async def test_a_source_that_ends_during_a_commit_finishes_complete(
        svc: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """The heartbeat is stopped while its commit is still in the database's hands: the last commit must
    wait for it and know about it, not take the session for another writer's."""
    in_commit, release = threading.Event(), threading.Event()
    append, finish = SessionRepository.append, Recorder._finish

    def held_append(repo: SessionRepository, session_id: int, chunks: Sequence[PendingChunk], *args: Any,
                    **kwargs: Any) -> bool:
        if chunks and not in_commit.is_set():
            in_commit.set()
            assert release.wait(60), "never released"
        return append(repo, session_id, chunks, *args, **kwargs)

    async def released_finish(recorder: Recorder, *args: Any) -> None:
        release.set()                          # the heartbeat has been stopped mid-commit by now
        await finish(recorder, *args)

    monkeypatch.setattr(SessionRepository, "append", held_append)
    monkeypatch.setattr(Recorder, "_finish", released_finish)
    source = _PausingSource()
    source.go_on.set()

    class EndsDuringCommit:
        streams = source.streams

        async def blocks(self) -> AsyncIterator[SampleBlock | StreamGap]:
            yield SampleBlock(Placement.LEFT_THIGH, source.sim.thigh.slice(0, 1000))
            assert await asyncio.to_thread(in_commit.wait, 60)

    session_id = await Recorder(svc.store.sessions, flush_interval_s=0.05).record(EndsDuringCommit(), _new())
    summary = svc.store.sessions.get(session_id)
    assert summary.status is SessionStatus.COMPLETE and summary.samples == 1000


async def test_no_room_to_compact_at_the_end_still_leaves_a_complete_session(
        svc: Services, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def full(*_args: Any) -> int:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(SessionRepository, "compact_stream", full)
    sim = simulate_session(EXERCISE, "left", 8415, OPTIONS)
    with caplog.at_level(logging.WARNING, logger="tracker.recorder"):
        session_id = await Recorder(svc.store.sessions, max_chunk_samples=512).record(simulated_source(sim), _new())
    summary = svc.store.sessions.get(session_id)
    assert summary.status is SessionStatus.COMPLETE and summary.samples == len(sim.thigh)
    assert "not compacted (the database refused a write (database or disk is full))" in caplog.text


async def test_the_live_session_stops_previewing_when_the_recording_fails(
        svc: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    FailingDisk(monkeypatch, ok=1)
    source = StallingSource(EXERCISE, "left", 8404, OPTIONS, until_s=20.0)
    stopped: list[str] = []

    async def stop_sensors() -> None:
        stopped.append("stop commands sent")

    session = LiveSession(svc, LiveRequest(EXERCISE, Side.LEFT, lambda: source, Source.SIMULATED,
                                           stop_source=stop_sensors))
    with pytest.raises(RecordingFailedError):
        await asyncio.wait_for(session.run(), timeout=120)
    assert not session.snapshot.running
    assert stopped == ["stop commands sent"]                     # Bluetooth sensors stop streaming too
    assert svc.store.results.load(session.snapshot.session_id or 0) is None     # not analysed


def test_record_no_tui_exits_non_zero_with_one_line_when_the_disk_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    disk = FailingDisk(monkeypatch, ok=1)
    db = f"sqlite:///{tmp_path / 'r.db'}"
    result = CliRunner().invoke(app, ["record", "--exercise", EXERCISE, "--side", "left", "--simulate", "--fast",
                                      "--seed", "8405", "--no-tui", "--db", db])
    assert result.exit_code == 1, result.stdout + result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("hiptrack: error: recording stopped: the database refused a write (disk I/O error)")
    assert f"keeps the {disk.committed_samples:,} samples" in line and "marked interrupted" in line
    assert "Session 1:" not in result.stdout                             # no summary pretending all went well

    svc = build_services(db, recover=False)
    (summary,) = svc.store.sessions.summaries()
    assert summary.status is SessionStatus.INTERRUPTED and summary.samples == disk.committed_samples > 0
    svc.close()




async def test_the_live_screen_says_the_recording_failed_and_stops_pretending(
        svc: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    FailingDisk(monkeypatch, ok=1)
    source = StallingSource(EXERCISE, "left", 8411, OPTIONS, until_s=20.0)
    app = RecordApp(svc, LiveRequest(EXERCISE, Side.LEFT, lambda: source, Source.SIMULATED))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, LiveRecordingScreen)
        await until(pilot, lambda: screen.failure is not None, "the failure shown")
        status = str(screen.query_one("#live-status", Static).render())
        assert status.startswith("✗ recording stopped: the database refused a write (disk I/O error)"), status
        assert not screen.session.snapshot.running and not screen.check_action("stop", ())
        await pilot.press("q")
    assert isinstance(app.failure, RecordingFailedError)          # `hiptrack record` exits with it
    (summary,) = svc.store.sessions.summaries()
    assert summary.status is SessionStatus.INTERRUPTED


async def test_sigterm_stops_the_live_screen_like_the_stop_key(svc: Services) -> None:
    source = StallingSource(EXERCISE, "left", 8412, OPTIONS, until_s=15.0)
    app = RecordApp(svc, LiveRequest(EXERCISE, Side.LEFT, lambda: source, Source.SIMULATED))
    async with app.run_test(size=(100, 30)) as pilot:
        await recorded(pilot, app, source)
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL, "no handler: the signal would end pytest"
        os.kill(os.getpid(), signal.SIGTERM)
        await until(pilot, lambda: app.return_value is not None, "the app closed with the session")
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL                  # handed back when the app ends
    summary = svc.store.sessions.get(app.return_value)
    assert summary.status is SessionStatus.COMPLETE and 14.0 < summary.duration_s <= 15.1
    assert svc.store.results.load(summary.id) is not None and app.failure is None


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE as Linux applies it")
def test_a_full_disk_ulimit_f_stops_record_no_tui_with_one_line(tmp_path: Path) -> None:
    """The reproduction itself: `ulimit -f` on a real `hiptrack record` (Python ignores SIGXFSZ, so writes
    past the limit fail with EFBIG, which SQLite reports as a disk I/O error)."""
    import re
    import resource

    db_path = tmp_path / "full.db"
    build_services(f"sqlite:///{db_path}").close()                        # the schema fits; the session will not
    limit = db_path.stat().st_size + 52 * 1024

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    process = subprocess.run(
        [sys.executable, "-m", "hiptrack.cli", "record", "--exercise", EXERCISE, "--side", "left", "--simulate",
         "--fast", "--seed", "8413", "--no-tui", "--db", f"sqlite:///{db_path}"],
        capture_output=True, text=True, preexec_fn=small_disk, timeout=300)
    assert process.returncode == 1, process.stdout[-2000:] + process.stderr
    (line,) = process.stderr.splitlines()
    assert line.startswith("hiptrack: error: recording stopped: the database refused a write"), line
    kept = re.search(r"keeps the ([\d,]+) samples", line)
    assert kept is not None, line

    svc = build_services(f"sqlite:///{db_path}", recover=False)
    (summary,) = svc.store.sessions.summaries()
    assert summary.samples == int(kept.group(1).replace(",", "")) > 0
    assert len(svc.store.sessions.samples(summary.streams[0].id)) == summary.samples
    if summary.status is SessionStatus.RECORDING:                          # the status write did not fit either
        assert "at the next start" in line
        svc.store.sessions.mark_stale_interrupted(datetime.now(UTC) + timedelta(minutes=1))
    assert svc.store.sessions.get(summary.id).status is SessionStatus.INTERRUPTED
    svc.close()


# -- a paused recorder ---------------------------------------------------------------------------------

def test_a_paused_recorder_takes_its_session_back(svc: Services, caplog: pytest.LogCaptureFixture) -> None:
    """Fake clock: the recorder beats at t0 + 0.5 s, sleeps 8 s (SIGSTOP, a suspended laptop), and meanwhile
    another process starts and finds the heartbeat stale."""
    sessions, t0 = svc.store.sessions, datetime(2026, 3, 1, 12, tzinfo=UTC)
    thigh = simulate_session(EXERCISE, "left", 8406, OPTIONS).thigh
    ids = sessions.create(_new(t0), (_stream(thigh.mag_ut is not None),), t0)
    session_id, stream_id = ids["session"], ids["left_thigh"]
    assert sessions.append(session_id, [PendingChunk(stream_id, 0, thigh.slice(0, 50))], 0.5,
                           t0 + timedelta(seconds=0.5), last_beat=t0) is False
    assert sessions.mark_stale_interrupted(t0 + timedelta(seconds=8.5)) == [session_id]
    assert sessions.get(session_id).status is SessionStatus.INTERRUPTED

    with caplog.at_level(logging.WARNING, logger="tracker.storage.session_repository"):
        assert sessions.append(session_id, [PendingChunk(stream_id, 1, thigh.slice(50, 900))], 9.0,
                               t0 + timedelta(seconds=9), last_beat=t0 + timedelta(seconds=0.5)) is True
    summary = sessions.get(session_id)
    assert summary.status is SessionStatus.RECORDING and summary.samples == 900
    assert f"session {session_id}: marked interrupted while its recorder was paused" in caplog.text
    assert sessions.mark_stale_interrupted(t0 + timedelta(seconds=10)) == []          # its heartbeat is fresh


@pytest.mark.parametrize("meanwhile", ["finished", "another writer", "deleted"])
def test_a_session_no_longer_its_own_is_not_taken_back(svc: Services, meanwhile: str) -> None:
    sessions, t0 = svc.store.sessions, datetime(2026, 3, 1, 12, tzinfo=UTC)
    thigh = simulate_session(EXERCISE, "left", 8407, OPTIONS).thigh
    ids = sessions.create(_new(t0), (_stream(thigh.mag_ut is not None),), t0)
    session_id, stream_id = ids["session"], ids["left_thigh"]
    sessions.mark_stale_interrupted(t0 + timedelta(seconds=8))
    if meanwhile == "finished":
        sessions.finish(session_id, SessionStatus.COMPLETE)
    elif meanwhile == "another writer":
        sessions.beat(session_id, t0 + timedelta(seconds=9))
    else:
        sessions.delete(session_id)
    with pytest.raises(SessionTakenError):
        sessions.append(session_id, [PendingChunk(stream_id, 0, thigh.slice(0, 50))], 0.5,
                        t0 + timedelta(seconds=10), last_beat=t0)
    if meanwhile != "deleted":
        assert sessions.get(session_id).samples == 0                       # nothing written into it


class _PausingSource:
    """Half the samples, then waits until told to go on (while another process marks the session), then the rest."""

    def __init__(self) -> None:
        self.sim = simulate_session(EXERCISE, "left", 8408, OPTIONS)
        self.streams = (_stream(self.sim.thigh.mag_ut is not None),)
        self.go_on = asyncio.Event()

    async def blocks(self) -> AsyncIterator[SampleBlock | StreamGap]:
        thigh = self.sim.thigh
        half = len(thigh) // 2
        yield SampleBlock(Placement.LEFT_THIGH, thigh.slice(0, half))
        await self.go_on.wait()
        yield SampleBlock(Placement.LEFT_THIGH, thigh.slice(half, len(thigh)))


async def test_a_recorder_marked_interrupted_mid_recording_finishes_it_complete(
        svc: Services, caplog: pytest.LogCaptureFixture) -> None:
    source = _PausingSource()
    marked: list[int] = []

    def other_process_looks(status: RecordingStatus) -> None:
        if status.duration_s > 0 and not marked:       # the first half is committed: the recorder "pauses"
            marked.extend(svc.store.sessions.mark_stale_interrupted(datetime.now(UTC) + timedelta(minutes=1)))
            source.go_on.set()

    with caplog.at_level(logging.WARNING, logger="tracker.storage.session_repository"):
        session_id = await Recorder(svc.store.sessions, flush_interval_s=0.05).record(
            source, _new(), on_progress=other_process_looks)
    assert marked == [session_id]
    summary = svc.store.sessions.get(session_id)
    assert summary.status is SessionStatus.COMPLETE and summary.samples == len(source.sim.thigh)
    assert "recording again" in caplog.text


# -- durability ----------------------------------------------------------------------------------------

def test_recording_connections_sync_every_commit(svc: Services) -> None:
    with svc.database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2          # FULL
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


async def test_crash_images_mid_recording_hold_the_schema_and_the_committed_samples(
        tmp_path: Path, db_url: str) -> None:
    """Copy the database as a crash would leave it, with its WAL and without it, between two commits."""
    svc = build_services(db_url)
    db_path = Path(db_url.removeprefix("sqlite:///"))
    sim = simulate_session(EXERCISE, "left", 8409, OPTIONS)
    images: dict[str, Path] = {}
    committed_at_copy: list[int] = []

    def crash_here(status: RecordingStatus) -> None:
        samples = sum(status.samples_by_placement.values())
        if samples >= 1500 and not images:
            for name, with_wal in (("with-wal", True), ("no-wal", False)):
                folder = tmp_path / name
                folder.mkdir()
                shutil.copy(db_path, folder / db_path.name)
                if with_wal:
                    shutil.copy(db_path.with_name(db_path.name + "-wal"), folder / (db_path.name + "-wal"))
                images[name] = folder / db_path.name
            committed_at_copy.append(samples)

    recorder = Recorder(svc.store.sessions, max_chunk_samples=256, checkpoint_interval_s=0.0)
    session_id = await recorder.record(simulated_source(sim), _new(), on_progress=crash_here)
    assert svc.store.sessions.get(session_id).samples == len(sim.thigh) > committed_at_copy[0]
    svc.close()

    for name, path in images.items():
        image = build_services(f"sqlite:///{path}", recover=False)         # opens: the schema is there
        summary = image.store.sessions.get(session_id)
        assert summary.status is SessionStatus.RECORDING, name
        stored = image.store.sessions.samples(summary.streams[0].id)
        assert len(stored) == summary.samples == committed_at_copy[0], name
        image.close()


# -- signals -------------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_stop_record_no_tui_cleanly(tmp_path: Path, signum: signal.Signals) -> None:
    """Real time, a real process: `kill` or a closed terminal ends the recording like Ctrl-C."""
    db = f"sqlite:///{tmp_path / 'r.db'}"
    process = start_record_no_tui(db, EXERCISE, 8410)
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if "s recorded" in line and float(line.split()[0]) >= 2.0:
            process.send_signal(signum)
            break
    out, err = process.communicate(timeout=120)
    assert process.returncode == 128 + signum, err                      # stored and analysed, ended by a signal
    assert f"Stopping; keeping and analysing what was recorded… ({signum.name})" in out, "".join(seen) + out

    svc = build_services(db, recover=False)
    (summary,) = svc.store.sessions.summaries()
    assert summary.status is SessionStatus.COMPLETE and summary.duration_s >= 2.0
    assert svc.store.results.load(summary.id) is not None                # analysed
    svc.close()



@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux: a real terminal to close")
def test_closing_the_terminal_of_the_live_screen_stores_and_analyses(tmp_path: Path) -> None:
    """`hiptrack record` on its live screen in a tmux window; the window is closed (SIGHUP) mid-recording."""
    import shlex
    import time

    db_path = tmp_path / "hup.db"
    tmux = [str(shutil.which("tmux")), "-L", f"hiptrack-hup-{os.getpid()}"]
    command = shlex.join([sys.executable, "-m", "hiptrack.cli", "record", "--exercise", EXERCISE, "--side", "left",
                          "--simulate", "--seed", "8414", "--db", f"sqlite:///{db_path}"])
    subprocess.run([*tmux, "new-session", "-d", "-s", "rec", "-x", "100", "-y", "30", f"exec {command}"],
                   check=True)
    pid: int | None = None
    try:
        pid = int(subprocess.run([*tmux, "display", "-p", "-t", "rec", "#{pane_pid}"], capture_output=True,
                                 text=True, check=True).stdout)
        for _ in range(300):                                  # bounded wait for a state, not a timing
            screen = subprocess.run([*tmux, "capture-pane", "-p", "-t", "rec"], capture_output=True, text=True).stdout
            if "REC 0:03" in screen:
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"the recording never showed 3 s:\n{screen}")
        subprocess.run([*tmux, "kill-session", "-t", "rec"], check=True)             # the terminal closes
        for _ in range(600):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("hiptrack record kept running after its terminal closed")
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
        if pid is not None:                    # a recorder that outlived its terminal must not outlive the test
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    svc = build_services(f"sqlite:///{db_path}", recover=False)
    (summary,) = svc.store.sessions.summaries()
    thigh = simulate_session(EXERCISE, "left", 8414).thigh
    full_s = float(thigh.time_s[-1] - thigh.time_s[0])
    assert summary.status is SessionStatus.COMPLETE and 3.0 <= summary.duration_s < full_s - 10.0   # cut short
    assert svc.store.results.load(summary.id) is not None                # analysed
    svc.close()
