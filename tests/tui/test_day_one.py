"""What a new user meets in the first hour (issue 18): --db, deleting sessions, names, trends, help, times.

Through the real `hiptrack` command (typer's CliRunner) against real SQLite files.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import DATA
from helpers.tui_history import NOW, settle
from textual.widgets import DataTable, Static
from typer.testing import CliRunner

from hiptrack.cli import app
from tracker.services import Services, build_services
from tui.app import HiptrackApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.home import DEMO_ALERTS, HomeScreen
from tui.widgets.trend_chart import TrendChart

runner = CliRunner()


def _invoke(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin, env=env)
    return result.exit_code, result.stdout, result.stderr


def _ids(db: str) -> list[int]:
    code, out, err = _invoke("sessions", "--json", "--db", db)
    assert code == 0, err
    return [row["id"] for row in json.loads(out)]


@pytest.fixture
def history(history_url: str) -> str:
    """A copy of the dashboard tests' fixed history (12 sessions over five weeks), as an SQLite URL."""
    return history_url


# -- the top-level --db ------------------------------------------------------------------------------------------
def test_the_top_level_db_is_the_one_a_command_uses(history: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIPTRACK_DB", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    code, out, err = _invoke("--db", history, "sessions", "--json")
    assert code == 0, err
    assert len(json.loads(out)) == 12
    code, out, _ = _invoke("--db", history, "plan", "--json")                   # a group of commands too
    assert code == 0 and "seated_hip_internal_rotation" in out
    code, out, _ = _invoke("--db", history, "plan", "remove", "1")               # and a command of the group
    assert code == 0 and "emoved" in out
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    code, out, _ = _invoke("--db", history, "sessions", "--db", fresh)          # the command's own wins
    assert code == 0 and "No sessions yet" in out
    code, out, err = _invoke("--db", history, "exercises")                      # never silently ignored
    assert code == 2 and out == "" and "`exercises` uses no database" in err


# -- --db as a plain path ----------------------------------------------------------------------------------------
def test_db_takes_a_plain_file_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _invoke("sessions", "--db", "mydb.db")
    assert code == 0, err
    assert "No sessions yet" in out and (tmp_path / "mydb.db").is_file()


def test_db_in_a_missing_folder_is_refused_and_nothing_created(tmp_path: Path) -> None:
    code, _, err = _invoke("sessions", "--db", f"sqlite:///{tmp_path / 'nodir' / 'x.db'}")
    assert code == 2 and "does not exist" in err and "nodir" in err
    assert list(tmp_path.iterdir()) == []


def test_a_bad_url_shows_what_was_typed_without_the_password() -> None:
    code, _, err = _invoke("sessions", "--db", "postgresql://me:s3cret@db.example:port/h")
    assert code == 2
    assert "postgresql://me:***@db.example:port/h" in err and "s3cret" not in err


# -- delete ------------------------------------------------------------------------------------------------------
def test_delete_asks_first_and_a_no_deletes_nothing(history: str) -> None:
    before = _ids(history)
    code, out, _ = _invoke("delete", str(before[0]), "--db", history, stdin="n\n")
    assert code == 0
    assert f"session {before[0]}: Seated hip internal rotation, left" in out and "Nothing deleted" in out
    assert _ids(history) == before


def test_delete_says_what_it_deleted(history: str) -> None:
    before = _ids(history)
    code, out, err = _invoke("delete", str(before[0]), str(before[1]), "--db", history, stdin="y\n")
    assert code == 0, err
    assert f"Deleted session {before[0]}:" in out and f"Deleted session {before[1]}:" in out
    assert _ids(history) == before[2:]
    code, out, _ = _invoke("show", str(before[0]), "--db", history)
    assert code == 2


def test_delete_with_yes_does_not_ask_and_an_unknown_id_deletes_nothing(history: str) -> None:
    before = _ids(history)
    code, _, err = _invoke("delete", str(before[0]), "999", "--yes", "--db", history)
    assert code == 2 and "no session with id 999" in err
    assert _ids(history) == before
    code, out, _ = _invoke("delete", "-y", str(before[-1]), "--db", history)
    assert code == 0 and "Delete these" not in out and f"Deleted session {before[-1]}" in out
    assert _ids(history) == before[:-1]


# -- delete on the dashboard -------------------------------------------------------------------------------------
@pytest.fixture
def dashboard_svc(history: str) -> Iterator[Services]:
    services = build_services(history)
    yield services
    services.close()


def _table_ids(app: HiptrackApp) -> list[int]:
    table = app.screen.query_one("#sessions", DataTable)
    return [int(str(table.get_row_at(i)[0])) for i in range(table.row_count)]


async def test_dashboard_delete_asks_hides_the_row_and_u_brings_it_back(dashboard_svc: Services) -> None:
    app = HiptrackApp(dashboard_svc, clock=lambda: NOW, section="sessions")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        newest = _table_ids(app)[0]
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")                                  # no: nothing changes
        await settle(pilot)
        assert _table_ids(app)[0] == newest
        await pilot.press("delete", "y")
        await settle(pilot)
        assert newest not in _table_ids(app)
        assert f"Deleted session {newest}" in str(app.screen.query_one("#status", Static).render())
        assert newest in dashboard_svc.store.sessions.ids()        # pending: not yet in the database
        await pilot.press("u")
        await settle(pilot)
        assert _table_ids(app)[0] == newest
        assert newest in dashboard_svc.store.sessions.ids()
        await pilot.press("delete", "y", "h")                     # leaving the screen commits it
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert newest not in dashboard_svc.store.sessions.ids()


async def test_dashboard_delete_is_committed_when_the_app_quits(dashboard_svc: Services) -> None:
    app = HiptrackApp(dashboard_svc, clock=lambda: NOW, section="sessions")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        newest = _table_ids(app)[0]
        await pilot.press("x", "y")
        await settle(pilot)
        assert newest in dashboard_svc.store.sessions.ids()
        await pilot.press("q")
        await pilot.pause()
    assert newest not in dashboard_svc.store.sessions.ids()


# -- exercise names and sides as people type them ----------------------------------------------------------------


def test_a_misspelled_exercise_says_what_was_meant(tmp_path: Path) -> None:
    code, out, err = _invoke("import", str(tmp_path / "x.csv"), "--side", "left",
                             "--exercise", "seated_hip_internal_rotaton", "--db", f"sqlite:///{tmp_path / 'h.db'}")
    assert code == 2 and out == ""
    assert "did you mean seated_hip_internal_rotation?" in err and "couch_stretch" not in err
    code, _, err = _invoke("plan", "add", "hamstrng", "--db", f"sqlite:///{tmp_path / 'h.db'}")
    assert code == 2 and "did you mean hamstring_strap_stretch?" in err
    assert list(tmp_path.iterdir()) == []                     # a typo creates no database


def test_display_names_and_capitalised_sides_are_accepted(tmp_path: Path, db_url: str) -> None:
    csv = tmp_path / "thigh.csv"
    _simulated_csv(csv)
    code, out, err = _invoke("import", str(csv), "--side", "Left", "--exercise", "Seated hip internal rotation",
                             "--db", db_url)
    assert code == 0, err
    (row,) = json.loads(_invoke("sessions", "--json", "--db", db_url)[1])
    assert (row["exercise"], row["side"]) == ("seated_hip_internal_rotation", "left")
    code, out, err = _invoke("analyze", str(csv), "--side", "LEFT", "--exercise", "seated hip internal rotation",
                             "--json")
    assert code == 0, err
    assert json.loads(out)["exercise"] == "seated_hip_internal_rotation"
    code, out, err = _invoke("plan", "add", "Couch stretch", "--side", "Both", "--db", db_url)
    assert code == 0 and "couch_stretch (both)" in out, err


def _simulated_csv(path: Path) -> None:
    from sensors.simulator import Dose, SimOptions, simulate_session
    from tracker.imu_csv import write_imu_csv

    sim = simulate_session("seated_hip_internal_rotation", "left", seed=6,
                           options=SimOptions(dose=Dose(sets=1, reps=2, hold_s=3.0)))
    write_imu_csv(path, sim.thigh)


# -- no trend before there can be one ----------------------------------------------------------------------------
async def _trend_legend(db: str) -> str:
    services = build_services(db)
    try:
        app = HiptrackApp(services, clock=lambda: datetime(2026, 3, 7, 12, tzinfo=UTC))
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            return str(app.screen.query_one(TrendChart).border_subtitle)
    finally:
        services.close()


def _import_at(csv: Path, db: str, *moments: str) -> None:
    for moment in moments:
        code, _, err = _invoke("import", str(csv), "--side", "left", "--exercise", "seated_hip_internal_rotation",
                               "--at", moment, "--db", db)
        assert code == 0, err


def test_sessions_minutes_apart_are_too_early_for_a_trend(tmp_path: Path, db_url: str) -> None:
    csv = tmp_path / "thigh.csv"
    _simulated_csv(csv)
    _import_at(csv, db_url, "2026-03-02T18:00+00:00", "2026-03-02T18:10+00:00", "2026-03-02T18:20+00:00",
               "2026-03-06T18:00+00:00")
    code, out, _ = _invoke("progress", "--db", db_url)
    assert code == 0 and "too early for a trend" in out and "/week" not in out
    (item,) = [i for i in json.loads(_invoke("progress", "--json", "--db", db_url)[1])["items"] if i["side"] == "left"]
    assert item["trend"] == "too_early" and item["slope_deg_per_week"] is None and item["sessions"] == 4

    assert "too early for a trend" in asyncio.run(_trend_legend(db_url))      # the dashboard says so too

    _import_at(csv, db_url, "2026-03-10T18:00+00:00")                # a week after the first: a trend
    code, out, _ = _invoke("progress", "--db", db_url)
    assert code == 0 and "too early" not in out and "°/week" in out


# -- the demo has a database of its own --------------------------------------------------------------------------
def test_demo_never_writes_into_your_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HIPTRACK_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))                  # the user data folder, on Linux
    mine, demo_db = tmp_path / "hiptrack" / "hiptrack.db", tmp_path / "hiptrack" / "hiptrack-demo.db"
    for _ in range(2):                                                  # the second demo starts afresh
        code, out, err = _invoke("demo", "--no-tui")
        assert code == 0, err
        assert f"into the demo database {demo_db}" in out and f"hiptrack dashboard --db {demo_db}" in out
    assert len(_ids(str(demo_db))) == 4
    assert not mine.exists()
    code, out, _ = _invoke("sessions")                                  # says where the demo's sessions went
    assert code == 0 and "No sessions of yours yet" in out and f"hiptrack sessions --db {demo_db}" in out
    code, out, _ = _invoke("sessions", "--db", str(demo_db))
    assert code == 0 and len(out.splitlines()) == 2 + 4                 # header, rule, the four demo sessions


async def _home(url: str, size: tuple[int, int]) -> tuple[bool, str, str]:
    """(demo banner shown, its text, the alerts panel) of the dashboard's first screen on `url`."""
    services = build_services(url)
    app = HiptrackApp(services)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        banner = screen.query_one("#demo-banner", Static)
        shown = (banner.display, str(banner.render()), str(screen.query_one("#alerts", Static).render()))
    services.close()
    return shown


@pytest.mark.slow       # records the demo's four sessions (~25 s on a loaded 2-core machine)
def test_the_demo_dashboard_says_it_is_the_demo_and_blames_nobody(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's sessions are done as prescribed with the strap kept: no alert about sessions nobody did,
    and the first screen says whose sessions these are and how to get to your own."""
    monkeypatch.delenv("HIPTRACK_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    code, out, err = _invoke("demo", "--no-tui")
    assert code == 0, err
    demo_db = tmp_path / "hiptrack" / "hiptrack-demo.db"
    code, out, _ = _invoke("progress", "--db", str(demo_db))
    assert code == 0 and "prescribed" not in out and "differently" not in out and "!" not in out
    for size in ((80, 24), (120, 36)):
        shown, banner, alerts = asyncio.run(_home(f"sqlite:///{demo_db}", size))
        assert shown and "simulated sessions, not yours" in banner and "then run hiptrack" in banner
        assert alerts == "No alerts."
    _import_at(DATA / "seated_ir_left.csv", f"sqlite:///{demo_db}", "2026-03-03T18:00+00:00")   # another strap
    _, _, alerts = asyncio.run(_home(f"sqlite:///{demo_db}", (120, 36)))
    assert alerts.startswith(DEMO_ALERTS + "\n! ")                      # an alert there is headed as an example
    mine = tmp_path / "mine.db"
    _import_at(DATA / "seated_ir_left.csv", f"sqlite:///{mine}", "2026-03-03T18:00+00:00")
    shown, _, alerts = asyncio.run(_home(f"sqlite:///{mine}", (80, 24)))
    assert not shown and alerts.startswith("! ")                        # your own database: yours, no banner


# -- help that stands on its own ---------------------------------------------------------------------------------
def _commands() -> list[list[str]]:
    import click
    import typer

    root = typer.main.get_command(app)
    found: list[list[str]] = [[]]

    def walk(group: click.Command, path: list[str]) -> None:
        for name, command in getattr(group, "commands", {}).items():
            if not command.hidden:
                found.append([*path, name])
                walk(command, [*path, name])

    walk(root, [])
    return found


def test_every_help_is_self_contained_with_plain_labels() -> None:
    commands = _commands()
    assert ["delete"] in commands and ["plan", "add"] in commands and len(commands) > 15
    for command in commands:
        code, out, err = _invoke(*command, "--help", env={"COLUMNS": "100"})
        assert code == 0, (command, err)
        for jargon in ("SPEC", "§", "seed's", "the seeds", "<bool>", "<int", "<path>", "<str>", "<float>", "list[",
                       "2147483647", "{"):
            assert jargon not in out, (command, jargon, out)
    code, out, _ = _invoke("delete", "--help")
    assert "SESSION_ID..." in out and "--yes" in out


# -- one rule for times: stored in UTC, shown in local time with the zone ---------------------------------------
@pytest.fixture
def new_york() -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    os.environ["TZ"] = old or "UTC"
    time.tzset()


async def _dashboard_started(db: str) -> str:
    services = build_services(db)
    try:
        app = HiptrackApp(services, clock=lambda: NOW, section="sessions")
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            return str(app.screen.query_one("#sessions", DataTable).get_row_at(0)[1])
    finally:
        services.close()


def test_cli_and_dashboard_show_the_same_local_time(tmp_path: Path, db_url: str, new_york: None) -> None:
    csv = tmp_path / "thigh.csv"
    _simulated_csv(csv)
    _import_at(csv, db_url, "2026-03-02T23:30+00:00")
    code, out, _ = _invoke("sessions", "--db", db_url)
    assert code == 0 and "2026-03-02 18:30 EST" in out and "23:30" not in out
    (row,) = json.loads(_invoke("sessions", "--json", "--db", db_url)[1])
    assert row["started_at"] == "2026-03-02T23:30:00+00:00"                     # JSON: UTC, with its offset
    code, out, _ = _invoke("show", str(row["id"]), "--db", db_url)
    assert code == 0 and "2026-03-02 18:30 EST" in out.splitlines()[0]
    assert asyncio.run(_dashboard_started(db_url)) == "02 Mar 2026 18:30"
    _import_at(csv, db_url, "2026-03-02T18:30")                                  # no zone: local time
    rows = json.loads(_invoke("sessions", "--json", "--db", db_url)[1])
    assert [r["started_at"] for r in rows] == ["2026-03-02T23:30:00+00:00"] * 2


def test_a_future_start_is_refused(tmp_path: Path) -> None:
    csv = tmp_path / "thigh.csv"
    _simulated_csv(csv)
    db = tmp_path / "h.db"
    code, out, err = _invoke("import", str(csv), "--side", "left", "--exercise", "ride", "--at", "2999-01-01",
                             "--db", f"sqlite:///{db}")
    assert code == 2 and "'2999-01-01' is in the future" in err and out == "" and not db.exists()
