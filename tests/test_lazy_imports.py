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

LIGHT_COMMANDS = (
    ["--help"],
    ["--version"],
    ["sessions"],
    ["sessions", "--json"],
    ["show", "1"],
    ["show", "1", "--json"],
    ["pain", "1", "2"],
    ["plan"],
    ["plan", "--json"],
    ["exercises"],
)
"""The commands people type dozens of times, and SPEC §10's other printing commands: they answer about as fast
as Python imports SQLAlchemy and Typer."""

WEIGHTS = ("numpy", "pydantic", "sqlalchemy.orm", "tracker.storage.models", "analysis.confidence")
"""What those commands leave unloaded besides HEAVY: NumPy (the result types need none), Typer's Pydantic
coercion (plain values need none), and the ORM mapping (they read with Core)."""

PROBE = """
import json, sys
watched = json.loads(sys.argv[2])
sys.argv = ["hiptrack", *json.loads(sys.argv[1])]
from hiptrack.cli import main
try:
    main()
    code = 0
except SystemExit as done:
    code = done.code if isinstance(done.code, int) else 1
print(json.dumps({"code": code, "loaded": sorted(m for m in sys.modules
                                                  if any(m == w or m.startswith(w + ".") for w in watched))}),
      file=sys.stderr)
"""


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
    report = _probe(PROBE, argv, HEAVY, database)
    assert report["loaded"] == [], f"hiptrack {' '.join(argv)} imported {report['loaded']}"


@pytest.mark.parametrize("argv", LIGHT_COMMANDS, ids=" ".join)
def test_listing_and_showing_load_no_numpy_pydantic_or_orm(argv: list[str], database: Path) -> None:
    report = _probe(PROBE, argv, WEIGHTS, database)
    assert report["loaded"] == [], f"hiptrack {' '.join(argv)} imported {report['loaded']}"


def test_probe_sees_a_heavy_import(database: Path) -> None:
    """The probe itself works: the analysis command's own path loads VQF, and the probe says so."""
    code = PROBE.replace("from hiptrack.cli import main", "from hiptrack.cli import main\nimport tracker.assessment")
    loaded = _probe(code, ["--version"], HEAVY + WEIGHTS, database)["loaded"]
    assert "vqf" in loaded and "numpy" in loaded


def test_analysing_a_ride_loads_no_scipy(database: Path) -> None:
    """Issue 12: SciPy's start-up (~1 s of CPU with scipy.signal) was most of a short ride's analysis
    time; the ride path does without it. VQF is loaded (the probe does see the analysis ran)."""
    ride = Path(__file__).parent / "data" / "ride_right.csv"
    argv = ["analyze", str(ride), "--side", "right", "--exercise", "ride", "--json"]
    loaded = _probe(PROBE, argv, HEAVY, database)["loaded"]
    assert isinstance(loaded, list) and "vqf" in loaded
    assert not [m for m in loaded if m.split(".")[0] == "scipy"], loaded


def test_the_listing_tables_are_the_schema() -> None:
    """The Core tables listing reads are the ones the migrations build (test_storage compares those to the
    migrations), and the table names checked before opening a file name every table."""
    from tracker.storage import models, tables

    assert models.Base.metadata is tables.metadata
    assert set(tables.all_tables().tables) == tables.TABLE_NAMES


def _probe(code: str, argv: list[str], watched: tuple[str, ...], database: Path) -> dict[str, object]:
    """Run `hiptrack ARGV` in a fresh interpreter; its exit code and which of `watched` it imported."""
    done = subprocess.run([sys.executable, "-c", code, json.dumps(argv), json.dumps(watched)], capture_output=True,
                          text=True, env={**_environ(), "HIPTRACK_DB": str(database)}, timeout=120, check=False)
    report: dict[str, object] = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    return report


def _environ() -> dict[str, str]:
    return dict(os.environ)


def test_every_command_is_found_in_its_module() -> None:
    """`main` loads one command module by the typed name: the map must name every command and group, and
    the module that really registers it, or that command would be missing (or unknown) when typed."""
    from hiptrack import cli

    app = cli.app
    registered = {(info.name or info.callback.__name__): info.callback.__module__
                  for info in app.registered_commands if info.callback is not None}
    for group in app.registered_groups:
        callback = group.typer_instance.registered_callback
        assert group.name is not None and callback is not None and callback.callback is not None
        registered[group.name] = callback.callback.__module__
    assert {name: f"hiptrack.cli.{module}" for name, module in cli.COMMAND_MODULES.items()} == registered
    assert set(cli.MODULES) == set(cli.COMMAND_MODULES.values())


@pytest.mark.parametrize(("argv", "needed"), [
    (["sessions", "--json"], ("sessions",)),
    (["show", "1"], ("sessions",)),
    (["--version"], ("sessions",)),
    ([], ("sessions",)),
    (["--db", "plan", "plan", "add", "x"], ("sessions", "progress")),     # a file named like a command
    (["--person=p07", "record", "--simulate"], ("sessions", "record")),
    (["people", "--help"], ("sessions", "people")),
    (["--help"], "all"),
    (["-h"], "all"),
    (["sesions"], "all"),                                                  # a typo: Click may suggest any command
])
def test_a_run_loads_the_typed_commands_module(argv: list[str], needed: tuple[str, ...] | str) -> None:
    from hiptrack import cli

    assert cli.modules_for(argv) == (cli.MODULES if needed == "all" else needed)


@pytest.mark.parametrize("argv", [["sessions", "--json"], ["--help"]], ids=" ".join)
def test_only_the_typed_commands_module_is_loaded(argv: list[str], database: Path) -> None:
    """Through the real entry point: listing loads its own command module only; help loads all of them."""
    from hiptrack import cli

    modules = tuple(f"hiptrack.cli.{m}" for m in cli.MODULES)
    loaded = _probe(PROBE, argv, modules, database)["loaded"]
    assert loaded == (["hiptrack.cli.sessions"] if argv[0] == "sessions" else sorted(modules))


def test_a_typo_is_still_told_apart_from_every_command(database: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "hiptrack", "sesions"], capture_output=True, text=True,
                          env={**_environ(), "HIPTRACK_DB": str(database)}, timeout=120, check=False)
    assert done.returncode == 2 and "sessions" in done.stderr, done.stderr


@pytest.mark.parametrize("env", [{"HIPTRACK_PERSON": "nobody"}, {"HIPTRACK_DB": "not-a-database"}],
                         ids=["unknown person", "not a database"])
def test_hiptrack_alone_opens_the_dashboard_without_typer_and_fails_as_the_command_does(
        env: dict[str, str], database: Path, tmp_path: Path) -> None:
    """`hiptrack` alone skips Typer (nothing to parse), yet reads $HIPTRACK_PERSON and reports errors as
    `hiptrack dashboard` does: the same line and exit status, and Textual not loaded for a database that fails."""
    if "HIPTRACK_DB" in env:
        (tmp_path / env["HIPTRACK_DB"]).write_text("some notes, not SQLite\n")
        env = {"HIPTRACK_DB": str(tmp_path / env["HIPTRACK_DB"])}
    environ = {**_environ(), "HIPTRACK_DB": str(database), **env}
    done = [subprocess.run([sys.executable, "-c", PROBE, json.dumps(argv), json.dumps(["typer", "textual"])],
                           capture_output=True, text=True, env=environ, timeout=120, check=False)
            for argv in ([], ["dashboard"])]
    bare, command = ([line for line in d.stderr.splitlines() if line.strip()] for d in done)
    assert bare[0] == command[0] and bare[0].startswith("hiptrack: error: "), (bare, command)
    assert json.loads(bare[-1]) == {"code": 2, "loaded": []}
    through = json.loads(command[-1])
    assert through["code"] == 2 and "typer" in through["loaded"] and "textual" not in through["loaded"]


def test_the_dashboard_is_loaded_with_the_collector_paused_and_leaves_it_running(database: Path,
                                                                                  tmp_path: Path) -> None:
    """What loading made is frozen out of the collector's reach, and the collector runs again afterwards, also
    when the database fails to open (a dashboard left without it would grow for as long as it is open)."""
    code = """
import gc, json, sys
from hiptrack.cli.dashboard import prepare
try:
    prepare(sys.argv[1], None)
    opened = True
except Exception:
    opened = False
print(json.dumps([opened, gc.isenabled(), gc.get_freeze_count(), "textual" in sys.modules]))
"""
    bad = tmp_path / "notes.db"
    bad.write_text("some notes, not SQLite\n")
    found = [json.loads(subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                                       env=_environ(), timeout=120, check=True).stdout) for path in (database, bad)]
    (opened, enabled, frozen, textual), (failed_open, enabled_after_failure, _, textual_after_failure) = found
    assert opened and enabled and frozen > 50_000 and textual
    assert not failed_open and enabled_after_failure and not textual_after_failure
