"""People: two people's sessions, pain, plans and progress never mix, through the real CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from typer.testing import CliRunner

from hiptrack.cli import app
from tracker.services import build_services, for_person
from tracker.storage.database import _alembic_config, open_database, upgrade

runner = CliRunner()
DATA = Path(__file__).parents[1] / "data"


def _invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def _json(*args: str, env: dict[str, str] | None = None) -> object:
    code, out, err = _invoke(*args, "--json", env=env)
    assert code == 0, err
    return json.loads(out)


def test_two_people_never_mix_in_sessions_progress_pain_or_plans(any_db_url: str) -> None:
    db = ("--db", any_db_url)
    code, _, err = _invoke("people", "add", "p07", *db)
    assert code == 0, err
    code, _, err = _invoke("import", str(DATA / "seated_ir_left.csv"), "--side", "left", "--exercise",
                           "seated_hip_internal_rotation", "--person", "p07", *db)
    assert code == 0, err
    code, _, err = _invoke("import", str(DATA / "hamstring_right.csv"), "--side", "right", "--exercise",
                           "hamstring_strap_stretch", *db)
    assert code == 0, err

    (mine,) = _json("sessions", *db)                                   # the default person: no option at all
    (theirs,) = _json("sessions", "--person", "p07", *db)
    assert mine["exercise"] == "hamstring_strap_stretch" and theirs["exercise"] == "seated_hip_internal_rotation"
    assert _json("sessions", *db, env={"HIPTRACK_PERSON": "p07"}) == [theirs]

    assert {i["exercise"] for i in _json("progress", *db)["items"]} == {"hamstring_strap_stretch"}
    assert {i["exercise"] for i in _json("progress", "--person", "p07", *db)["items"]} == \
        {"seated_hip_internal_rotation"}

    code, _, err = _invoke("show", str(theirs["id"]), *db)             # another person's session is not there
    assert code == 2 and f"session {theirs['id']} is another person's" in err
    code, _, err = _invoke("pain", str(theirs["id"]), "3", *db)
    assert code == 2
    code, _, err = _invoke("delete", str(theirs["id"]), "--yes", *db)
    assert code == 2
    code, _, err = _invoke("pain", str(theirs["id"]), "3", "--person", "p07", *db)
    assert code == 0, err
    assert _json("progress", *db)["pain"] is None                      # no rating of theirs reaches me
    assert _json("progress", "--person", "p07", *db)["pain"]["entries"] == 1

    code, _, err = _invoke("plan", "add", "ride", "--side", "both", "--person", "p07", *db)
    assert code == 0, err
    assert _json("plan", *db) == []
    assert [item["exercise"] for item in _json("plan", "--person", "p07", *db)] == ["ride"]

    assert _json("people", *db) == [{"name": "default", "sessions": 1}, {"name": "p07", "sessions": 1}]


@pytest.mark.parametrize("name", ["Jane Doe", "jane@example.org", "", "x" * 41])
def test_only_pseudonyms_are_kept_and_nothing_is_created_for_a_bad_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / "never.db"
    code, _, err = _invoke("people", "add", name, "--db", str(path))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert not path.exists()


def test_an_unknown_person_is_refused_not_created(tmp_path: Path) -> None:
    db = ("--db", str(tmp_path / "h.db"))
    code, _, err = _invoke("sessions", "--person", "p08", *db)
    assert code == 2 and "hiptrack people add p08" in err
    code, _, err = _invoke("people", "add", "p08", *db)
    assert code == 0, err
    code, _, err = _invoke("people", "add", "p08", *db)
    assert code == 2 and "already" in err
    code, out, err = _invoke("sessions", "--person", "p08", *db)
    assert code == 0 and "No sessions yet" in out


def test_plans_made_before_people_existed_stay_the_default_persons(any_db_url: str) -> None:
    database = open_database(any_db_url)
    with database.engine.begin() as connection:
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")                              # the schema before plans had a person
        connection.execute(sa.text(
            "INSERT INTO plan_items (exercise_id, side, sessions_per_week_min, sessions_per_week_max, started_on, "
            "active) VALUES ('ride', 'both', 2, 3, :now, :yes)"), {"now": "2026-11-01 00:00:00", "yes": True})
    upgrade(database)
    database.dispose()
    services = build_services(any_db_url)
    services.store.people.add("p07")
    assert [item.exercise_id for item in services.store.plans.items()] == ["ride"]
    assert for_person(services, "p07").store.plans.items() == []
    services.close()


def test_recording_as_a_person_lands_in_their_sessions(tmp_path: Path) -> None:
    db = ("--db", str(tmp_path / "h.db"))
    assert _invoke("people", "add", "rider-b", *db)[0] == 0
    code, _, err = _invoke("record", "--exercise", "hamstring_strap_stretch", "--side", "left", "--simulate",
                           "--fast", "--no-tui", *db, env={"HIPTRACK_PERSON": "rider-b"})
    assert code == 0, err
    (theirs,) = _json("sessions", "--person", "rider-b", *db)
    assert theirs["source"] == "simulated" and _json("sessions", *db) == []
