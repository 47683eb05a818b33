"""`hiptrack record`: simulated sensor and replayed logs through the notification path, into storage."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from hiptrack.cli import app
from tracker.result_json import result_json
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
    live, replayed = services.store.sessions.summaries()
    assert (live.source.value, replayed.source.value) == ("simulated", "replay")
    a = services.store.sessions.samples(live.streams[0].id)
    b = services.store.sessions.samples(replayed.streams[0].id)
    assert len(a) == len(b) > 5000
    # to the codec's 1 µs: chunks are cut at wall-clock commits, so their t0 (and float rounding) may differ
    np.testing.assert_allclose(a.time_s, b.time_s, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(a.acc_mps2, b.acc_mps2)
    live_result, replayed_result = services.store.results.load(live.id), services.store.results.load(replayed.id)
    assert live_result is not None and replayed_result is not None
    assert result_json(live_result) == result_json(replayed_result)          # equal to the printed precision
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
    first, second = services.store.sessions.summaries()
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
    assert "10 reps in 2 sets" in out                            # the simulator's default dose: 2 × 5
    assert f",{profile}," in log.read_text().splitlines()[3]
    assert _record("--replay", str(log), "--fast", "--db", db)[0] == 0
    services = build_services(db)
    live, replayed = services.store.sessions.summaries()
    assert live.samples == replayed.samples > 10_000
    np.testing.assert_array_equal(services.store.sessions.samples(live.streams[0].id).gyr_radps,
                                  services.store.sessions.samples(replayed.streams[0].id).gyr_radps)
    services.close()


def test_an_unknown_profile_lists_the_known_ones(tmp_path: Path) -> None:
    code, _, err = _record("--simulate", "--fast", "--profile", "fitbit", "--db", f"sqlite:///{tmp_path / 'r.db'}")
    assert code == 2 and "witmotion" in err and "polar-verity" in err


@pytest.fixture(scope="module")
def dot_recording(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A database holding one simulated DOT recording and its replay log (real payload mode 26 bytes: floats).

    Recorded once for the module: the simulation is the slow part, each test replays a damaged copy.
    """
    folder = tmp_path_factory.mktemp("dot")
    log, db = folder / "dot.log", folder / "r.db"
    code, _, err = _record("--simulate", "--fast", "--profile", "movella-dot", "--log", str(log), "--db",
                           f"sqlite:///{db}")
    assert code == 0, err
    return log, db


def _dot_log(tmp_path: Path, dot_recording: tuple[Path, Path]) -> tuple[str, list[str], list[int]]:
    """A fresh copy of the DOT database (its URL), the log's lines and the indices of its notification lines."""
    log, db = dot_recording
    copy = tmp_path / "r.db"
    copy.write_bytes(db.read_bytes())
    lines = log.read_text().splitlines()
    return f"sqlite:///{copy}", lines, [i for i, line in enumerate(lines) if line[:1].isdigit()]


def _with_acc_x(line: str, value: float) -> str:
    """The same DOT notification with acc_x (float32 at byte 20 of the payload) set to `value`."""
    cells = line.split(",")
    payload = bytearray.fromhex(cells[4])
    payload[20:24] = np.array([value], dtype="<f4").tobytes()
    return ",".join([*cells[:4], payload.hex()])


@pytest.mark.parametrize("value", [float("nan"), pytest.param(float("inf"), marks=pytest.mark.extended),
                                   pytest.param(1e30, marks=pytest.mark.extended)])   # ~30 s each
def test_an_absurd_value_in_one_packet_is_skipped_counted_and_costs_nothing_else(
        tmp_path: Path, dot_recording: tuple[Path, Path], value: float) -> None:
    db, lines, body = _dot_log(tmp_path, dot_recording)
    lines[body[2000]] = _with_acc_x(lines[body[2000]], value)
    bad = tmp_path / "bad.log"
    bad.write_text("\n".join(lines) + "\n")
    code, _, err = _record("--replay", str(bad), "--fast", "--db", db)
    assert code == 0 and "Traceback" not in err, err
    assert "1 malformed notification(s) skipped" in err
    services = build_services(db)
    original, replayed = services.store.sessions.summaries()
    assert replayed.status.value == "complete" and replayed.samples == original.samples - 1    # one sample lost
    result = services.store.results.load(replayed.id)
    assert result is not None and result.calibrated
    services.close()


@pytest.mark.parametrize(("field", "value"), [("rate_hz", "nan"), ("rate_hz", "inf"), ("rate_hz", "-5"),
                                               ("host_time", "-1e308")])
def test_a_log_with_an_impossible_rate_or_time_is_bad_input_not_a_crash(
        tmp_path: Path, dot_recording: tuple[Path, Path], field: str, value: str) -> None:
    db, lines, body = _dot_log(tmp_path, dot_recording)
    if field == "rate_hz":
        device = next(i for i, line in enumerate(lines) if line.startswith("# device"))
        lines[device] = " ".join(f"rate_hz={value}" if p.startswith("rate_hz=") else p
                                 for p in lines[device].split(" "))
        expected = "sampling rate"
    else:
        cells = lines[body[0]].split(",")
        lines[body[0]] = ",".join([value, *cells[1:]])
        expected = "host time"
    bad = tmp_path / "bad.log"
    bad.write_text("\n".join(lines) + "\n")
    code, _, err = _record("--replay", str(bad), "--fast", "--db", db)
    assert code == 2 and err.count("\n") == 1 and "bad.log:" in err and expected in err, err


def test_a_device_clock_that_jumps_hours_is_a_gap_not_a_storage_error(
        tmp_path: Path, dot_recording: tuple[Path, Path]) -> None:
    db, lines, body = _dot_log(tmp_path, dot_recording)
    for i in body[3000:]:                                    # the DOT's µs clock jumps by 5000 s
        cells = lines[i].split(",")
        payload = bytearray.fromhex(cells[4])
        stamp = int.from_bytes(payload[0:4], "little")
        payload[0:4] = ((stamp + 5_000_000_000) % 2**32).to_bytes(4, "little")
        lines[i] = ",".join([*cells[:4], payload.hex()])
    jumped = tmp_path / "jump.log"
    jumped.write_text("\n".join(lines) + "\n")
    code, _, err = _record("--replay", str(jumped), "--fast", "--db", db)
    assert code == 0 and "Traceback" not in err, err
    services = build_services(db)
    original, replayed = services.store.sessions.summaries()
    assert replayed.status.value == "complete" and replayed.samples >= original.samples - 5
    services.close()


def test_a_log_whose_every_packet_is_malformed_is_refused_and_leaves_no_session(
        tmp_path: Path, dot_recording: tuple[Path, Path]) -> None:
    """Issue #13 item 12: before, an empty `complete` session and exit 0."""
    db, lines, body = _dot_log(tmp_path, dot_recording)
    for i in body:
        lines[i] = ",".join([*lines[i].split(",")[:4], "00"])
    bad = tmp_path / "bad.log"
    bad.write_text("\n".join(lines) + "\n")
    code, _, err = _record("--replay", str(bad), "--fast", "--db", db)
    assert code == 2 and err.count("\n") == 1 and "bad.log: all" in err and "were malformed" in err, err
    services = build_services(db)
    (original,) = services.store.sessions.summaries()                 # no empty session beside it
    assert original.samples > 0
    services.close()
