"""Commands that list, show, rate, plan or explain never load the heavy stacks (issue 17, deliverable 1).

Each command runs in a fresh interpreter through the real `hiptrack` entry point, on a database that
holds one analysed session, and reports which of the heavy packages ended up in sys.modules. Not a
timing test: a module that is imported is a fact, whatever the machine's load.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analysis.peaks import Peaks
from analysis.results import CalibrationOutcome, HoldEvent, RepEvent, SessionResult, SetEvent
from tracker.domain import SessionStatus, Side, Source
from tracker.services import build_services
from tracker.storage.session_repository import NewSession

HEAVY = ("scipy", "vqf", "sensors.simulator", "bleak", "textual", "alembic")
"""SciPy and VQF (the analysis), the simulator, BLE, the dashboard, and migrations."""

COMMANDS = (
    ["--help"],
    ["--version"],
    ["sessions"],
    ["sessions", "--json"],
    ["show", "1"],
    ["show", "1", "--json"],
    ["pain", "1", "3"],
    ["plan"],
    ["plan", "add", "seated_hip_internal_rotation", "--side", "left"],
    ["exercises"],
    ["sessions", "--help"],
)

PROBE = """
import json, sys
sys.argv = ["hiptrack", *json.loads(sys.argv[1])]
from hiptrack.cli import main
try:
    main()
    code = 0
except SystemExit as done:
    code = done.code if isinstance(done.code, int) else 1
print(json.dumps({"code": code, "loaded": sorted(m for m in sys.modules if m.split(".")[0] in HEAVY_ROOTS
                                                  or m == "sensors.simulator" or m.startswith("sensors.simulator."))}),
      file=sys.stderr)
""".replace("HEAVY_ROOTS", repr({h for h in HEAVY if "." not in h}))


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One analysed session with its result, stored through the store's API (no simulator, no analysis)."""
    path = tmp_path_factory.mktemp("lazy") / "hiptrack.db"
    services = build_services(str(path))
    at = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
    store = services.store
    session_id = store.sessions.create(NewSession("seated_hip_internal_rotation", Side.LEFT, Source.SIMULATED, at,
                                                  "lazy import guard"), (), at)["session"]
    peaks = Peaks(flexion_deg=88.0, extension_deg=0.0, abduction_deg=0.0, adduction_deg=0.0,
                  internal_rotation_deg=32.0, external_rotation_deg=0.0)
    reps = (RepEvent("internal_rotation", 20.0, 26.0, 32.0),)
    holds = (HoldEvent("internal_rotation", 21.0, 25.0, 31.0, 0.4),)
    store.results.save(session_id, SessionResult(Side.LEFT, "seated_hip_internal_rotation", 90.0,
                                                 CalibrationOutcome(0.0, 12.0), peaks, holds, reps,
                                                 (SetEvent(20.0, 30.0, 1),), algorithm_version="guard"))
    store.sessions.finish(session_id, SessionStatus.COMPLETE, 90.0)
    services.close()
    return path


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_command_leaves_heavy_stacks_unloaded(argv: list[str], database: Path) -> None:
    env_db = {"HIPTRACK_DB": str(database)}
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(argv)], capture_output=True, text=True,
                          env={**_environ(), **env_db}, timeout=120, check=False)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    assert report["loaded"] == [], f"hiptrack {' '.join(argv)} imported {report['loaded']}"


def test_probe_sees_a_heavy_import(database: Path) -> None:
    """The probe itself works: the analysis command's own path loads VQF, and the probe says so."""
    code = PROBE.replace("from hiptrack.cli import main", "from hiptrack.cli import main\nimport tracker.assessment")
    done = subprocess.run([sys.executable, "-c", code, json.dumps(["--version"])], capture_output=True, text=True,
                          env={**_environ(), "HIPTRACK_DB": str(database)}, timeout=120, check=False)
    assert "vqf" in json.loads(done.stderr.strip().splitlines()[-1])["loaded"]


def test_analysing_a_ride_loads_no_scipy(database: Path) -> None:
    """Issue 12: SciPy's start-up (~1 s of CPU with scipy.signal) was most of a short ride's analysis
    time; the ride path does without it. VQF is loaded (the probe does see the analysis ran)."""
    ride = Path(__file__).parent / "data" / "ride_right.csv"
    argv = ["analyze", str(ride), "--side", "right", "--exercise", "ride", "--json"]
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(argv)], capture_output=True, text=True,
                          env={**_environ(), "HIPTRACK_DB": str(database)}, timeout=120, check=False)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    assert "vqf" in report["loaded"]
    assert not [m for m in report["loaded"] if m.split(".")[0] == "scipy"], report["loaded"]


def _environ() -> dict[str, str]:
    return dict(os.environ)
