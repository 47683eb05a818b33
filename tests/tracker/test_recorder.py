"""The recording path: source → durable chunks → session, whatever the source."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from helpers import ROOT

from sensors.samples import ImuSamples, Placement
from sensors.simulator import Dose, SimOptions, simulate_session
from sensors.simulator.live import simulated_source
from sensors.source import SampleBlock, StreamGap, StreamSpec
from tracker.domain import SessionStatus, Side, Source
from tracker.recorder import Recorder, RecordingProgress
from tracker.services import Services, build_services, export_session, record
from tracker.storage.repository import NewSession

SHORT = SimOptions(dose=Dose(sets=1, reps=2, hold_s=5.0), with_pelvis=True, with_mag=True)


async def test_recorded_samples_equal_the_source(any_svc: Services) -> None:
    svc = any_svc
    sim = simulate_session("seated_hip_internal_rotation", "right", seed=7, options=SHORT)
    progress: list[RecordingProgress] = []
    session_id = await record(svc, simulated_source(sim), "seated_hip_internal_rotation", Side.RIGHT,
                              Source.SIMULATED, on_progress=progress.append)
    summary = svc.store.get_session(session_id)
    assert summary.status == SessionStatus.COMPLETE
    assert {s.placement for s in summary.streams} == set(sim.streams)
    assert summary.duration_s == pytest.approx(sim.thigh.time_s[-1] - sim.thigh.time_s[0])
    for stream in summary.streams:
        stored, original = svc.store.load_samples(stream.id), sim.streams[stream.placement]
        assert len(stored) == len(original) == stream.samples
        np.testing.assert_allclose(stored.time_s, original.time_s, atol=1e-6)
        np.testing.assert_allclose(stored.gyr_radps, original.gyr_radps, atol=1e-6)
        np.testing.assert_allclose(stored.mag_ut, original.mag_ut, atol=1e-5)
    assert progress[-1].samples_by_placement["right_thigh"] == len(sim.thigh)


class _GappySource:
    """The thigh stream with one second missing and the gap announced, as a dropped BLE link gives it."""

    def __init__(self, samples: ImuSamples, gap: tuple[float, float]) -> None:
        self._samples, self._gap = samples, gap
        self.streams = (StreamSpec(Placement.LEFT_THIGH, 100.0, "AA:BB", "test", "simulated",
                                   has_mag=samples.mag_ut is not None),)

    async def blocks(self) -> AsyncIterator[SampleBlock | StreamGap]:
        t = self._samples.time_s
        before = int(np.searchsorted(t, self._gap[0]))
        after = int(np.searchsorted(t, self._gap[1]))
        yield SampleBlock(Placement.LEFT_THIGH, self._samples.slice(0, before))
        yield StreamGap(Placement.LEFT_THIGH, float(t[before - 1]), float(t[after]), "link lost")
        yield SampleBlock(Placement.LEFT_THIGH, self._samples.slice(after, len(t)))


async def test_gaps_are_stored_as_gaps_and_not_filled(any_svc: Services) -> None:
    sim = simulate_session("seated_hip_internal_rotation", "left", seed=3, options=SHORT)
    seen: list[object] = []
    new = NewSession("seated_hip_internal_rotation", Side.LEFT, Source.SIMULATED, datetime.now(UTC))
    session_id = await any_svc.recorder.record(_GappySource(sim.thigh, (10.0, 11.0)), new, on_block=seen.append)
    stream = any_svc.store.get_session(session_id).streams[0]
    gaps = any_svc.store.load_gaps(stream.id)
    assert [g.reason for g in gaps] == ["link lost"]
    assert gaps[0].duration_s == pytest.approx(1.01, abs=0.011)
    stored = any_svc.store.load_samples(stream.id)
    assert len(stored) == len(sim.thigh) - 100          # nothing invented for the missing second
    assert np.max(np.diff(stored.time_s)) == pytest.approx(gaps[0].duration_s)
    assert [type(b).__name__ for b in seen] == ["SampleBlock", "StreamGap", "SampleBlock"]


async def test_chunks_never_exceed_the_limit(any_svc: Services) -> None:
    svc = any_svc
    sim = simulate_session("ride", "left", seed=1, options=SimOptions(dose=Dose(ride_s=30)))
    recorder = Recorder(svc.store, max_chunk_samples=256)
    new = NewSession("ride", Side.LEFT, Source.SIMULATED, datetime.now(UTC))
    session_id = await recorder.record(simulated_source(sim, block_s=1.0), new)
    import sqlalchemy as sa

    from tracker.storage import models as m
    with svc.database.engine.connect() as connection:
        sizes = connection.execute(sa.select(m.SampleChunk.n_samples)).scalars().all()
    assert max(sizes) <= 256 and sum(sizes) == len(sim.thigh)
    assert svc.store.get_session(session_id).samples == len(sim.thigh)


async def test_stopping_early_keeps_what_was_recorded(svc: Services) -> None:
    sim = simulate_session("couch_stretch", "left", seed=3, options=SimOptions(dose=Dose(hold_s=10)))
    recorder = Recorder(svc.store, flush_interval_s=0.2)
    new = NewSession("couch_stretch", Side.LEFT, Source.SIMULATED, datetime.now(UTC))
    task = asyncio.create_task(recorder.record(simulated_source(sim, realtime=True), new))
    await asyncio.sleep(1.5)
    task.cancel()                                   # what Ctrl-C does
    with pytest.raises(asyncio.CancelledError):
        await task
    (summary,) = svc.store.list_sessions()
    assert summary.status == SessionStatus.COMPLETE
    assert 100 <= summary.samples <= 170            # ~1.5 s at 100 Hz, nothing lost, nothing invented


@pytest.mark.slow
def test_a_killed_recording_loses_at_most_the_last_second(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'crash.db'}"
    child = subprocess.Popen([sys.executable, str(ROOT / "tests" / "helpers" / "crash_child.py"), db_url],
                             stdout=subprocess.PIPE, text=True, cwd=ROOT,
                             env=os.environ | {"PYTHONPATH": str(ROOT)})
    newest_s = 0.0
    assert child.stdout is not None
    for line in child.stdout:
        newest_s = float(line)
        if newest_s >= 3.0:
            child.send_signal(signal.SIGKILL)
            break
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    services = build_services(db_url, recover=False)
    (summary,) = services.store.list_sessions()
    assert summary.status == SessionStatus.RECORDING            # nobody has noticed yet
    stored = services.store.load_samples(summary.streams[0].id)
    assert stored.time_s[-1] >= newest_s - 1.0, f"lost {newest_s - stored.time_s[-1]:.2f} s"
    assert np.all(np.diff(stored.time_s) > 0)

    later = datetime.now(UTC) + timedelta(minutes=1)
    assert services.store.mark_stale_recordings_interrupted(later) == [summary.id]
    assert services.store.get_session(summary.id).status == SessionStatus.INTERRUPTED
    files = export_session(services, summary.id, tmp_path / "out")   # still exportable
    assert files[0].read_text().count("\n") == len(stored) + 1
    services.close()


@pytest.mark.slow
def test_killing_hiptrack_record_keeps_all_but_the_last_second(tmp_path: Path) -> None:
    """The real command, the simulated sensor in real time, SIGKILL: then the next start notices."""
    db = f"sqlite:///{tmp_path / 'kill.db'}"
    child = subprocess.Popen([sys.executable, "-m", "tracker.cli", "record", "--exercise", "couch_stretch",
                              "--side", "left", "--simulate", "--db", db], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    reported_s = 0.0
    for line in child.stdout:
        if "s recorded" in line:
            reported_s = float(line.split()[0])
            if reported_s >= 3.0:
                child.send_signal(signal.SIGKILL)
                break
    child.wait(timeout=30)
    services = build_services(db, recover=False)
    (summary,) = services.store.list_sessions()
    assert summary.status == SessionStatus.RECORDING
    assert summary.duration_s >= reported_s - 0.01      # what it reported as recorded had been committed
    later = datetime.now(UTC) + timedelta(seconds=30)
    assert services.store.mark_stale_recordings_interrupted(later) == [summary.id]
    services.close()
    from typer.testing import CliRunner

    from tracker.cli import app
    runner = CliRunner()
    listed = runner.invoke(app, ["sessions", "--json", "--db", db])
    assert '"status": "interrupted"' in listed.stdout
    exported = runner.invoke(app, ["export", str(summary.id), "--out", str(tmp_path / "out"), "--db", db])
    assert exported.exit_code == 0
