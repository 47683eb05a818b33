"""Bad arguments and bad database URLs: exit status 2 (1 for a server that cannot be reached), one line
`hiptrack: error: ...` on stderr, no traceback, no password, and nothing written."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

import pytest
from helpers import DATA, free_port
from helpers.ordinary_user import NOBODY, as_ordinary_user
from typer.testing import CliRunner

import tracker.services  # noqa: F401  (loaded up front: some cases run as an unprivileged user)
from hiptrack.cli import app
from tracker.storage.database import open_database

runner = CliRunner()
CSV = DATA / "seated_ir_left.csv"


def _invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def _assert_one_clear_line(code: int, err: str, expected_code: int, expected: str) -> None:
    assert code == expected_code, err
    assert err.startswith("hiptrack: error: ") and err.count("\n") == 1, err
    assert expected in err, err
    assert "Traceback" not in err


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<dir>" for p in sorted(folder.rglob("*"))}


# -- arguments: refused before the database is even created -----------------------------------------------
BAD_ARGUMENTS = {
    "unknown exercise": (["import", "{csv}", "--side", "left", "--exercise", "yoga"], "unknown exercise 'yoga'"),
    "bad side": (["import", "{csv}", "--side", "middle", "--exercise", "ride"], "'middle' is not one of"),
    "missing side": (["import", "{csv}", "--exercise", "ride"], "Missing option '--side'"),
    "no such file": (["import", "{tmp}/nope.csv", "--side", "left", "--exercise", "ride"], "no such file"),
    "not a date": (["import", "{csv}", "--side", "left", "--exercise", "ride", "--at", "yesterday"], "ISO date"),
    "year one": (["import", "{csv}", "--side", "left", "--exercise", "ride", "--at", "0001-01-01T00:00"],
                 "out of range"),
    "last second of time": (["import", "{csv}", "--side", "left", "--exercise", "ride",
                             "--at", "9999-12-31T23:59:59-12:00"], "out of range"),
    "id not a number": (["show", "abc"], "valid integer"),
    "negative id": (["show", "-5"], "No such option: -5"),
    "zero id": (["export", "0", "--out", "{tmp}/out"], "greater than or equal to 1"),
    "absurd id": (["show", "99999999999999999999999"], "less than or equal to 2147483647"),
    "absurd reanalyze id": (["reanalyze", "4294967296"], "less than or equal to 2147483647"),
    "neither id nor --all": (["reanalyze"], "give a SESSION_ID or --all"),
    "unknown command": (["frobnicate"], "No such command 'frobnicate'"),
    "unknown option": (["sessions", "--colour"], "No such option: --colour"),
    "empty --db": (["sessions", "--db", ""], "--db is empty"),
}


@pytest.mark.parametrize("case", sorted(BAD_ARGUMENTS))
def test_bad_arguments_exit_2_and_create_no_database(tmp_path: Path, case: str) -> None:
    args, expected = BAD_ARGUMENTS[case]
    db = tmp_path / "db" / "h.db"
    args = [a.format(csv=CSV, tmp=tmp_path) for a in args]
    if "--db" not in args and args[0] not in ("frobnicate",):
        args += ["--db", f"sqlite:///{db}"]
    before = _tree(tmp_path)
    code, out, err = _invoke(*args, env={"HIPTRACK_DB": f"sqlite:///{db}"})
    _assert_one_clear_line(code, err, 2, expected)
    assert out == ""
    assert _tree(tmp_path) == before, "a refused command wrote something"


def test_refused_import_into_an_existing_database_adds_no_session(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    assert _invoke("import", str(CSV), "--side", "left", "--exercise", "seated_hip_internal_rotation",
                   "--db", url)[0] == 0
    for bad in (["--exercise", "yoga", "--side", "left"], ["--exercise", "ride", "--side", "up"],
                ["--exercise", "ride", "--side", "left", "--at", "0001-01-01"]):
        code, _, err = _invoke("import", str(CSV), *bad, "--db", url)
        assert code == 2 and "Traceback" not in err
    code, out, _ = _invoke("sessions", "--json", "--db", url)
    assert code == 0 and len(json.loads(out)) == 1


def test_unknown_session_in_an_existing_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    open_database(url).dispose()
    for args in (["show", "7"], ["export", "7", "--out", str(tmp_path / "out")], ["reanalyze", "7"]):
        code, _, err = _invoke(*args, "--db", url)
        _assert_one_clear_line(code, err, 2, "no session with id 7")
    assert not (tmp_path / "out").exists()


def test_an_output_path_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, _, err = _invoke("analyze", str(CSV), "--side", "left", "--exercise", "seated_hip_internal_rotation",
                           "--angles", str(blocker / "angles.csv"))
    _assert_one_clear_line(code, err, 2, f"{blocker / 'angles.csv'}")


# -- database URLs ----------------------------------------------------------------------------------------------
BAD_URLS = {
    "garbage": ("postgresql://clinic:secret@db.example:notaport/h", 2, "not a database URL"),
    "unknown dialect": ("nosuchdialect://clinic:secret@db.example/h", 2, "no driver"),
    "unknown driver": ("postgresql+nosuchdriver://clinic:secret@127.0.0.1/h", 2, "no driver"),
    "bad port": ("postgresql+psycopg://clinic:secret@[::1/h", 2, "not a database URL"),
    "in memory": ("sqlite://", 2, "not an in-memory database"),
    "unreachable server": ("postgresql+psycopg://clinic:secret@127.0.0.1:{port}/h", 1, "cannot open database"),
}


@pytest.mark.parametrize("case", sorted(BAD_URLS))
def test_bad_database_urls_never_show_the_password(tmp_path: Path, case: str) -> None:
    url, status, expected = BAD_URLS[case]
    url = url.format(port=free_port())
    for args in (["sessions", "--db", url], ["sessions"]):                # the option, and the variable
        code, out, err = _invoke(*args, env={"HIPTRACK_DB": url})
        _assert_one_clear_line(code, err, status, expected)
        assert "secret" not in out + err
    if "clinic" in url and "[" not in url:
        assert "clinic:***@" in err                                       # says which URL, redacted
    assert _tree(tmp_path) == {}


def test_plain_postgresql_url_unreachable_is_clear_whatever_the_default_driver() -> None:
    code, _, err = _invoke("sessions", "--db", f"postgresql://clinic:secret@127.0.0.1:{free_port()}/h")
    assert code in (1, 2) and err.startswith("hiptrack: error: ") and err.count("\n") == 1
    assert "secret" not in err and "Traceback" not in err


def test_sqlite_path_below_a_file_is_bad_input(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = _invoke("sessions", "--db", f"sqlite:///{blocker}/sub/h.db")
    _assert_one_clear_line(code, err, 2, "cannot create database file")
    assert _tree(tmp_path) == {"a-file": b"x"}


def test_sqlite_path_that_is_a_folder_is_bad_input(tmp_path: Path) -> None:
    code, _, err = _invoke("sessions", "--db", f"sqlite:///{tmp_path}")
    _assert_one_clear_line(code, err, 2, "is a folder")
    assert _tree(tmp_path) == {}


def test_a_file_that_is_not_a_database_is_left_alone(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hip felt better today\n" * 200)
    code, _, err = _invoke("sessions", "--db", f"sqlite:///{notes}")
    _assert_one_clear_line(code, err, 2, "is not an SQLite database")
    assert _tree(tmp_path) == {"notes.txt": b"hip felt better today\n" * 200}


def test_another_programs_sqlite_database_gets_no_hiptrack_tables(tmp_path: Path) -> None:
    other = tmp_path / "places.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    connection.close()
    before = _tree(tmp_path)
    code, _, err = _invoke("sessions", "--db", f"sqlite:///{other}")
    _assert_one_clear_line(code, err, 2, "another program's database")
    assert _tree(tmp_path) == before                   # not a byte changed: no tables, no WAL switch


@pytest.mark.parametrize("schema", [
    ["CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
     "INSERT INTO alembic_version VALUES ('abc123')", "CREATE TABLE users (id INTEGER PRIMARY KEY)"],
    ["CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)", "CREATE TABLE users (id INTEGER)"],
    ["CREATE VIEW answer AS SELECT 42"],
    ["PRAGMA user_version = 42"],
    ["CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"],
], ids=["alembic-app", "empty-alembic-version", "only-a-view", "user-version", "no-revision"])
def test_a_file_that_does_not_look_exactly_like_hiptracks_is_not_touched(tmp_path: Path, schema: list[str]) -> None:
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as connection:
        for statement in schema:
            connection.execute(statement)
        connection.commit()
    before = _tree(tmp_path)
    code, _, err = _invoke("sessions", "--db", f"sqlite:///{other}")
    _assert_one_clear_line(code, err, 2, "another program's database")
    assert _tree(tmp_path) == before                   # not a byte changed: no tables, no WAL switch


def test_a_database_from_a_newer_hiptrack_is_refused_not_downgraded(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    open_database(f"sqlite:///{path}").dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.close()
    before = _tree(tmp_path)
    code, _, err = _invoke("sessions", "--db", f"sqlite:///{path}")
    _assert_one_clear_line(code, err, 1, "9999_from_the_future")
    assert "newer hiptrack" in err and (tmp_path / "h.db").read_bytes() == before["h.db"]   # not migrated


def test_tilde_in_an_sqlite_url_means_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    code, _, err = _invoke("sessions", "--db", "sqlite:///~/tilde.db")
    assert code == 0, err
    assert (tmp_path / "tilde.db").stat().st_size > 0                     # the real database, not an empty stub
    assert not (tmp_path / "~").exists()


def test_sqlite_path_in_a_folder_we_may_not_write_is_bad_input(tmp_path: Path) -> None:
    base = Path(tempfile.mkdtemp(prefix="hiptrack-ro-")) if os.geteuid() == 0 else tmp_path
    locked = base / "locked"
    locked.mkdir()
    if os.geteuid() == 0:
        os.chown(base, NOBODY, NOBODY)
        os.chown(locked, NOBODY, NOBODY)
    locked.chmod(0o500)
    try:
        with as_ordinary_user():
            code, _, err = _invoke("sessions", "--db", f"sqlite:///{locked}/h.db")
        _assert_one_clear_line(code, err, 2, "Permission denied")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)
        if base != tmp_path:
            shutil.rmtree(base)


# -- known gaps in `hiptrack record` (hiptrack/cli/record.py is being reworked in parallel) ---------------------
def test_record_with_an_unknown_exercise_creates_no_database(tmp_path: Path) -> None:
    code, _, err = _invoke("record", "--exercise", "yoga", "--side", "left", "--simulate", "--fast",
                           "--db", f"sqlite:///{tmp_path / 'h.db'}")
    _assert_one_clear_line(code, err, 2, "unknown exercise 'yoga'")
    assert _tree(tmp_path) == {}


def test_record_with_a_negative_seed_is_bad_input(tmp_path: Path) -> None:
    code, _, err = _invoke("record", "--exercise", "ride", "--side", "left", "--simulate", "--fast", "--seed", "-1",
                           "--db", f"sqlite:///{tmp_path / 'h.db'}")
    _assert_one_clear_line(code, err, 2, "seed")
