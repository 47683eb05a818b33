"""`hiptrack record`: simulated sensor and replayed logs through the notification path, into storage."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tracker.cli import app
from tracker.services import build_services

runner = CliRunner()


def _record(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["record", "--exercise", "seated_hip_internal_rotation", "--side", "left", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_replayed_log_stores_the_same_samples_as_the_live_run(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    log = tmp_path / "run.log"
    code, out, err = _record("--simulate", "--fast", "--seed", "4", "--log", str(log), "--db", db)
    assert code == 0, err
    assert "reps in" in out and "samples stored" in out
    code, out, err = _record("--replay", str(log), "--fast", "--db", db)
    assert code == 0, err
    services = build_services(db)
    live, replayed = services.store.list_sessions()
    assert (live.source.value, replayed.source.value) == ("simulated", "replay")
    a = services.store.load_samples(live.streams[0].id)
    b = services.store.load_samples(replayed.streams[0].id)
    assert len(a) == len(b) > 5000
    # to the codec's 1 µs: chunks are cut at wall-clock commits, so their t0 (and float rounding) may differ
    np.testing.assert_allclose(a.time_s, b.time_s, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(a.acc_mps2, b.acc_mps2)
    assert services.store.load_result(live.id) == services.store.load_result(replayed.id)
    services.close()


def test_malformed_notifications_are_skipped_and_counted(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    log = tmp_path / "run.log"
    assert _record("--simulate", "--fast", "--log", str(log), "--db", db)[0] == 0
    lines = log.read_text().splitlines()
    body = [i for i, line in enumerate(lines) if line.startswith(("1", "2"))]
    for i in body[100:103]:                                   # truncate three payloads
        cells = lines[i].split(",")
        lines[i] = ",".join([*cells[:4], cells[4][:10]])
    bad = tmp_path / "bad.log"
    bad.write_text("\n".join(lines) + "\n")
    code, _, err = _record("--replay", str(bad), "--fast", "--db", db)
    assert code == 0, err
    assert "3 malformed notification(s) skipped" in err
    services = build_services(db)
    first, second = services.store.list_sessions()
    assert second.samples == first.samples - 3 * 5          # each notification carries 5 samples
    services.close()


@pytest.mark.parametrize(("content", "expected"), [
    ("", "no header line"),
    ("host_time_s,device,profile,characteristic,payload_hex\n", "no '# device' lines"),
    ("# device sim:x profile=simulated placement=left_thigh rate_hz=100 name=x\n"
     "host_time_s,device,profile,characteristic,payload_hex\n1.0,sim:x,simulated,u,zz\n", ":3: bad time or payload"),
    ("# device sim:x profile=simulated placement=left_thigh rate_hz=100 name=x\n"
     "host_time_s,device,profile,characteristic,payload_hex\n1.0,sim:y,simulated,u,00\n", "not declared"),
])
def test_bad_logs_exit_2_naming_the_line(tmp_path: Path, content: str, expected: str) -> None:
    log = tmp_path / "x.log"
    log.write_text(content)
    code, _, err = _record("--replay", str(log), "--fast", "--db", f"sqlite:///{tmp_path / 'r.db'}")
    assert code == 2 and expected in err, err
    sessions = json.loads(runner.invoke(app, ["sessions", "--json", "--db", f"sqlite:///{tmp_path / 'r.db'}"]).stdout)
    assert sessions == []


def test_a_source_is_required(tmp_path: Path) -> None:
    code, _, err = _record("--db", f"sqlite:///{tmp_path / 'r.db'}")
    assert code == 2 and "--simulate or --replay" in err


def test_a_log_without_the_chosen_side_is_refused(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    log = tmp_path / "run.log"
    assert _record("--simulate", "--fast", "--log", str(log), "--db", db)[0] == 0
    result = runner.invoke(app, ["record", "--exercise", "ride", "--side", "right", "--replay", str(log), "--fast",
                                 "--db", db])
    assert result.exit_code == 2 and "no sensor on the right thigh" in result.stderr


@pytest.mark.parametrize("profile", [
    "polar-verity",
    # 25–45 s each. Every family's bytes are also checked sample by sample against its decoder in
    # tests/sensors/test_encode.py, and WitMotion and DOT logs go through the real BLE session in test_ble_*.
    pytest.param("witmotion", marks=pytest.mark.extended),
    pytest.param("movella-dot", marks=pytest.mark.extended),
    pytest.param("thingy52", marks=pytest.mark.extended),
])
def test_the_simulator_speaks_each_device_family(tmp_path: Path, profile: str) -> None:
    """Bytes in the family's format → its real decoder → recorder → analysis, and the log replays."""
    db = f"sqlite:///{tmp_path / 'r.db'}"
    log = tmp_path / f"{profile}.log"
    code, out, err = _record("--simulate", "--fast", "--seed", "6", "--profile", profile, "--log", str(log),
                             "--db", db)
    assert code == 0, err
    assert "10 reps in 2 set(s)" in out                            # the simulator's default dose: 2 × 5
    assert f",{profile}," in log.read_text().splitlines()[3]
    assert _record("--replay", str(log), "--fast", "--db", db)[0] == 0
    services = build_services(db)
    live, replayed = services.store.list_sessions()
    assert live.samples == replayed.samples > 10_000
    np.testing.assert_array_equal(services.store.load_samples(live.streams[0].id).gyr_radps,
                                  services.store.load_samples(replayed.streams[0].id).gyr_radps)
    services.close()


def test_an_unknown_profile_lists_the_known_ones(tmp_path: Path) -> None:
    code, _, err = _record("--simulate", "--fast", "--profile", "fitbit", "--db", f"sqlite:///{tmp_path / 'r.db'}")
    assert code == 2 and "witmotion" in err and "polar-verity" in err
