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
from sensors.simulator.source import simulated_source
from sensors.source import SampleBlock, StreamGap, StreamSpec
from tracker.domain import SessionStatus, Side, Source
from tracker.recorder import Recorder, RecordingStatus
from tracker.services import Services, build_services, export_session, record
from tracker.storage.session_repository import NewSession

SHORT = SimOptions(dose=Dose(sets=1, reps=2, hold_s=5.0), with_pelvis=True, with_mag=True)


async def test_recorded_samples_equal_the_source(any_svc: Services) -> None:
    svc = any_svc
    sim = simulate_session("seated_hip_internal_rotation", "right", seed=7, options=SHORT)
    progress: list[RecordingStatus] = []
    session_id = await record(svc, simulated_source(sim), "seated_hip_internal_rotation", Side.RIGHT,
                              Source.SIMULATED, on_progress=progress.append)
    summary = svc.store.sessions.get(session_id)
    assert summary.status == SessionStatus.COMPLETE
    assert {s.placement for s in summary.streams} == set(sim.streams)
    assert summary.duration_s == pytest.approx(sim.thigh.time_s[-1] - sim.thigh.time_s[0])
    for stream in summary.streams:
        stored, original = svc.store.sessions.samples(stream.id), sim.streams[stream.placement]
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
    stream = any_svc.store.sessions.get(session_id).streams[0]
    gaps = any_svc.store.sessions.gaps(stream.id)
    assert [g.reason for g in gaps] == ["link lost"]
    assert gaps[0].duration_s == pytest.approx(1.01, abs=0.011)
    stored = any_svc.store.sessions.samples(stream.id)
    assert len(stored) == len(sim.thigh) - 100          # nothing invented for the missing second
    assert np.max(np.diff(stored.time_s)) == pytest.approx(gaps[0].duration_s)
    assert [type(b).__name__ for b in seen] == ["SampleBlock", "StreamGap", "SampleBlock"]


async def test_chunks_never_exceed_the_limit(any_svc: Services) -> None:
    svc = any_svc
    sim = simulate_session("ride", "left", seed=1, options=SimOptions(dose=Dose(ride_s=30)))
    recorder = Recorder(svc.store.sessions, max_chunk_samples=256)
    new = NewSession("ride", Side.LEFT, Source.SIMULATED, datetime.now(UTC))
    session_id = await recorder.record(simulated_source(sim, block_s=1.0), new)
    import sqlalchemy as sa

    from tracker.storage import models as m
    with svc.database.engine.connect() as connection:
        sizes = connection.execute(sa.select(m.SampleChunk.n_samples)).scalars().all()
    assert max(sizes) <= 256 and sum(sizes) == len(sim.thigh)
    assert svc.store.sessions.get(session_id).samples == len(sim.thigh)


async def test_stopping_early_keeps_what_was_recorded(svc: Services) -> None:
    sim = simulate_session("couch_stretch", "left", seed=3, options=SimOptions(dose=Dose(hold_s=10)))
    recorder = Recorder(svc.store.sessions, flush_interval_s=0.2)
    new = NewSession("couch_stretch", Side.LEFT, Source.SIMULATED, datetime.now(UTC))
    task = asyncio.create_task(recorder.record(simulated_source(sim, realtime=True), new))
    await asyncio.sleep(1.5)
    task.cancel()                                   # what Ctrl-C does
    with pytest.raises(asyncio.CancelledError):
        await task
    (summary,) = svc.store.sessions.summaries()
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
    (summary,) = services.store.sessions.summaries()
    assert summary.status == SessionStatus.RECORDING            # nobody has noticed yet
    stored = services.store.sessions.samples(summary.streams[0].id)
    assert stored.time_s[-1] >= newest_s - 1.0, f"lost {newest_s - stored.time_s[-1]:.2f} s"
    assert np.all(np.diff(stored.time_s) > 0)

    later = datetime.now(UTC) + timedelta(minutes=1)
    assert services.store.sessions.mark_stale_interrupted(later) == [summary.id]
    assert services.store.sessions.get(summary.id).status == SessionStatus.INTERRUPTED
    files = export_session(services, summary.id, tmp_path / "out")   # still exportable
    assert files[0].read_text().count("\n") == len(stored) + 1
    services.close()


@pytest.mark.slow
def test_killing_hiptrack_record_keeps_all_but_the_last_second(tmp_path: Path) -> None:
    """The real command, the simulated sensor in real time, SIGKILL: then the next start notices."""
    db = f"sqlite:///{tmp_path / 'kill.db'}"
    child = subprocess.Popen([sys.executable, "-m", "hiptrack.cli", "record", "--exercise", "couch_stretch",
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
    (summary,) = services.store.sessions.summaries()
    assert summary.status == SessionStatus.RECORDING
    assert summary.duration_s >= reported_s - 0.01      # what it reported as recorded had been committed
    later = datetime.now(UTC) + timedelta(seconds=30)
    assert services.store.sessions.mark_stale_interrupted(later) == [summary.id]
    services.close()
    from typer.testing import CliRunner

    from hiptrack.cli import app
    runner = CliRunner()
    listed = runner.invoke(app, ["sessions", "--json", "--db", db])
    assert '"status": "interrupted"' in listed.stdout
    exported = runner.invoke(app, ["export", str(summary.id), "--out", str(tmp_path / "out"), "--db", db])
    assert exported.exit_code == 0


async def test_an_import_is_invisible_until_it_is_analysed_and_a_failed_one_leaves_nothing(
        svc: Services, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker import services as services_module
    from tracker import services_transfer  # where import_samples looks up the analysis it runs

    samples = simulate_session("couch_stretch", "left", 5).thigh
    seen_by_others: list[list[int]] = []
    real_analysis = services_transfer._analysis_of

    def analysis_seen_from_another_workstation(services: Services, session_id: int) -> object:
        other = build_services(db_url, recover=False)
        seen_by_others.append([s.id for s in other.store.sessions.summaries()])
        other.close()
        return real_analysis(services, session_id)

    monkeypatch.setattr(services_transfer, "_analysis_of", analysis_seen_from_another_workstation)
    session_id = await services_module.import_samples(svc, samples, "in.csv", "couch_stretch", Side.LEFT,
                                                      datetime.now(UTC))
    assert seen_by_others == [[]]                                     # being analysed: not listed yet
    (summary,) = svc.store.sessions.summaries()
    assert summary.id == session_id and summary.status == SessionStatus.COMPLETE
    assert svc.store.results.load(session_id) is not None            # published with its result

    def broken_database(services: Services, session_id: int) -> object:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(services_transfer, "_analysis_of", broken_database)
    with pytest.raises(OSError):
        await services_module.import_samples(svc, samples, "again.csv", "couch_stretch", Side.LEFT,
                                             datetime.now(UTC))
    assert [s.id for s in svc.store.sessions.summaries()] == [session_id]      # the failed one left nothing
    assert svc.store.sessions.ids() == [session_id]


async def test_an_analysis_that_fails_is_stored_as_not_analysed_and_reanalysis_works(
        svc: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker import assessment
    from tracker import services as services_module

    real_assess = assessment.assess
    monkeypatch.setattr(assessment, "assess", lambda *args: (_ for _ in ()).throw(FloatingPointError("overflow")))
    samples = simulate_session("couch_stretch", "left", 6).thigh
    session_id = await services_module.import_samples(svc, samples, "in.csv", "couch_stretch", Side.LEFT,
                                                      datetime.now(UTC))
    stored = svc.store.results.load(session_id)
    assert stored is not None and not stored.calibrated
    assert stored.calibration.problem == "analysis failed (FloatingPointError: overflow)"
    monkeypatch.setattr(assessment, "assess", real_assess)
    assert services_module.analyze_session(svc, session_id).calibrated


@pytest.mark.slow
def test_a_killed_import_never_shows_and_is_cleaned_up(tmp_path: Path) -> None:
    """SIGKILL while the import is being written or analysed: no session appears, and its rows go."""
    from tracker.imu_csv import write_imu_csv
    from tracker.storage.models import Session

    path = tmp_path / "long.csv"
    write_imu_csv(path, simulate_session("ride", "left", 7, SimOptions(dose=Dose(ride_s=900.0))).thigh)
    db = tmp_path / "kill.db"
    build_services(f"sqlite:///{db}").close()
    child = subprocess.Popen([sys.executable, "-m", "hiptrack.cli", "import", str(path), "--side", "left",
                              "--exercise", "ride", "--db", f"sqlite:///{db}"], stdout=subprocess.DEVNULL)
    services = build_services(f"sqlite:///{db}", recover=False)
    try:
        deadline = datetime.now(UTC) + timedelta(seconds=60)
        while datetime.now(UTC) < deadline and child.poll() is None:
            with services.database.sessions() as orm:
                if orm.query(Session).count():              # the rows exist: kill it half-way
                    child.send_signal(signal.SIGKILL)
                    break
        assert child.wait(timeout=30) == -signal.SIGKILL, "the import finished before it could be killed"
        assert services.store.sessions.summaries() == []
        services.store.sessions.mark_stale_interrupted(datetime.now(UTC) + timedelta(seconds=30))
        with services.database.sessions() as orm:
            assert orm.query(Session).count() == 0               # cleaned up, not 'interrupted'
    finally:
        services.close()
