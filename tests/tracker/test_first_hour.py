"""The rest of a new user's first hour (issue 18): names, wrong side or exercise, exports, readable output.

Through the real `hiptrack` command (typer's CliRunner) against real SQLite files and the recorded
test files in tests/data.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from helpers import DATA
from typer.testing import CliRunner

from hiptrack.cli import app
from tracker.report import degrees

runner = CliRunner()
SEATED = DATA / "seated_ir_left.csv"


def _invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def _import(db: str, path: Path = SEATED, *extra: str) -> int:
    side, exercise = ("right", "hamstring_strap_stretch") if "hamstring" in path.name else \
        ("left", "seated_hip_internal_rotation")
    code, out, err = _invoke("import", str(path), "--side", side, "--exercise", exercise, "--db", db, *extra)
    assert code == 0, err
    return int(re.search(r"as session (\d+)", out).group(1))  # type: ignore[union-attr]


# -- names ---------------------------------------------------------------------------------------------------------
def test_record_takes_a_display_name_and_any_case_side(db_url: str) -> None:
    code, out, err = _invoke("record", "--exercise", "Seated hip internal rotation", "--side", "Left", "--simulate",
                             "--fast", "--no-tui", "--db", db_url)
    assert code == 0, err
    assert "Recording Seated hip internal rotation (left)" in out
    code, out, _ = _invoke("sessions", "--json", "--db", db_url)
    assert [s["exercise"] for s in json.loads(out)] == ["seated_hip_internal_rotation"]


def test_record_with_a_typo_says_what_was_meant_and_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "never.db"
    code, _, err = _invoke("record", "--exercise", "seated hip internl rotation", "--side", "left", "--simulate",
                           "--fast", "--no-tui", "--db", str(db))
    assert code == 2 and "did you mean seated_hip_internal_rotation?" in err and len(err.splitlines()) == 1
    assert not db.exists()


# -- the wrong side or exercise --------------------------------------------------------------------------------------
def test_the_right_side_and_exercise_have_no_warnings() -> None:
    code, out, err = _invoke("analyze", str(SEATED), "--side", "left", "--exercise", "seated_hip_internal_rotation",
                             "--json")
    assert code == 0, err
    assert json.loads(out)["warnings"] == []


def test_the_wrong_side_is_a_warning_in_json_and_text() -> None:
    args = ("analyze", str(SEATED), "--side", "right", "--exercise", "seated_hip_internal_rotation")
    code, out, err = _invoke(*args, "--json")
    assert code == 0, err
    (warning,) = json.loads(out)["warnings"]
    assert "wrong way" in warning and "other thigh" in warning
    code, out, _ = _invoke(*args)
    assert out.splitlines()[1] == f"  ! {warning}"           # right under the title, before the numbers it doubts


def test_a_ride_that_was_no_ride_is_a_warning() -> None:
    code, out, err = _invoke("analyze", str(SEATED), "--side", "left", "--exercise", "ride", "--json")
    assert code == 0, err
    assert any("no pedalling" in w for w in json.loads(out)["warnings"])


def test_stored_sessions_keep_their_warnings(db_url: str) -> None:
    code, _, err = _invoke("import", str(SEATED), "--side", "right", "--exercise", "seated_hip_internal_rotation",
                           "--db", db_url)
    assert code == 0, err
    code, out, _ = _invoke("show", "1", "--json", "--db", db_url)
    assert "other thigh" in json.loads(out)["warnings"][0]
    code, out, _ = _invoke("show", "1", "--db", db_url)
    assert "  ! internal rotation went the wrong way" in out


# -- export → import --------------------------------------------------------------------------------------------------
def test_export_then_import_keeps_the_start_to_the_microsecond(tmp_path: Path, db_url: str) -> None:
    _import(db_url, SEATED, "--at", "2026-11-02T07:08:09.123456+01:00")
    code, out, err = _invoke("export", "1", "--out", str(tmp_path / "out"), "--db", db_url)
    assert code == 0, err
    csv = next(p for p in map(Path, out.split()) if p.suffix == ".csv")
    os.utime(csv, (0, 0))                                   # a copied file's time says nothing about the session
    other = f"sqlite:///{tmp_path / 'other.db'}"
    code, out, err = _invoke("import", str(csv), "--side", "left", "--exercise", "seated_hip_internal_rotation",
                             "--db", other)
    assert code == 0, err
    assert "(from session-1.json)" in out
    code, out, _ = _invoke("sessions", "--json", "--db", other)
    assert json.loads(out)[0]["started_at"] == "2026-11-02T06:08:09.123456+00:00"


def test_a_broken_sidecar_is_named_and_nothing_is_imported(tmp_path: Path, db_url: str) -> None:
    _import(db_url)
    code, _, _ = _invoke("export", "1", "--out", str(tmp_path / "out"), "--db", db_url)
    assert code == 0
    sidecar = tmp_path / "out" / "session-1.json"
    sidecar.write_text(sidecar.read_text().replace('"started_at": "', '"started_at": "yesterday '))
    other = tmp_path / "other.db"
    code, _, err = _invoke("import", str(tmp_path / "out" / "session-1-left_thigh.csv"), "--side", "left",
                           "--exercise", "seated_hip_internal_rotation", "--db", str(other))
    line = next(n for n, row in enumerate(sidecar.read_text().splitlines(), 1) if "started_at" in row)
    assert code == 2 and err.startswith(f"hiptrack: error: {sidecar}:{line}: started_at")
    assert not other.exists()


# -- what show, sessions and exercises print --------------------------------------------------------------------------
def test_show_has_the_date_pain_and_notes_and_counts_in_words(db_url: str) -> None:
    _import(db_url, DATA / "hamstring_right.csv", "--at", "2026-11-02T07:08")
    code, _, err = _invoke("pain", "1", "4", "--db", db_url)
    assert code == 0, err
    code, out, _ = _invoke("show", "1", "--db", db_url)
    first, second = out.splitlines()[:2]
    assert first.startswith("Session 1: Hamstring stretch with strap, right, 2026-11-02 07:08")
    assert second == "  complete, imported; pain 4/10; notes: imported from hamstring_right.csv"
    assert "set(s)" not in out and "-0.0°" not in out
    assert re.search(r"hold from +\d+\.\d s, held +\d+\.\d s at [+-]\d", out)


def test_sessions_are_newest_first_with_their_best_angle(db_url: str) -> None:
    _import(db_url, SEATED, "--at", "2026-11-01T10:00")
    _import(db_url, SEATED, "--at", "2026-11-03T10:00")
    code, out, _ = _invoke("sessions", "--db", db_url)
    assert code == 0
    rows = out.splitlines()[2:]
    assert [row.split()[0] for row in rows] == ["2", "1"]
    assert all(re.search(r"IR 3\d°", row) for row in rows)


def test_signed_angles_never_read_minus_zero() -> None:
    assert degrees(-0.04) == "+0.0°" and degrees(-0.4, 0) == "+0°" and degrees(-0.06) == "-0.1°"


def test_exercises_say_where_and_how_much_in_words() -> None:
    code, out, _ = _invoke("exercises")
    assert code == 0
    assert "Bike ride [ride]: pedalling: hip flexion per stroke, on a bike; no recommended dose" in out
    assert "seated on a chair; 3 sets" in out and "cycling, cycling" not in out and "source" not in out


# -- pain and plan mistakes -------------------------------------------------------------------------------------------
def test_pain_for_a_set_the_session_does_not_have_is_refused(db_url: str) -> None:
    _import(db_url, DATA / "hamstring_right.csv")           # one set
    code, _, err = _invoke("pain", "1", "7", "--set", "2", "--db", db_url)
    assert code == 2 and "set 2 is out of range: session 1 has set 1" in err
    code, _, err = _invoke("pain", "1", "7", "--set", "1", "--db", db_url)
    assert code == 0, err
    code, out, _ = _invoke("show", "1", "--db", db_url)
    assert "set 1: 7/10" in out and "set 2" not in out


def test_a_planned_exercise_cannot_be_planned_twice_and_removing_twice_says_so(db_url: str) -> None:
    code, _, err = _invoke("plan", "add", "seated_hip_internal_rotation", "--side", "left", "--db", db_url)
    assert code == 0, err
    for side in ("left", "both"):
        code, _, err = _invoke("plan", "add", "Seated hip internal rotation", "--side", side, "--db", db_url)
        assert code == 2 and "already on the plan as item 1" in err
    code, _, err = _invoke("plan", "add", "seated_hip_internal_rotation", "--side", "right", "--db", db_url)
    assert code == 0, err                                 # the other side is another item
    code, out, _ = _invoke("plan", "remove", "1", "--db", db_url)
    assert code == 0 and "removed" in out
    code, _, err = _invoke("plan", "remove", "1", "--db", db_url)
    assert code == 2 and "it was removed already" in err
    code, _, _ = _invoke("plan", "add", "seated_hip_internal_rotation", "--side", "left", "--db", db_url)
    assert code == 0                                      # a removed item no longer blocks adding it again


def test_an_item_removed_today_leaves_this_weeks_plan(db_url: str) -> None:
    """Removing a plan item drops it from this week's "done of planned"; the item kept still counts."""
    for exercise in ("seated_hip_internal_rotation", "ninety_ninety_ir_stretch"):
        code, _, err = _invoke("plan", "add", exercise, "--side", "left", "--db", db_url)
        assert code == 0, err

    def this_week() -> dict[str, int]:
        code, out, err = _invoke("progress", "--json", "--db", db_url)
        assert code == 0, err
        week: dict[str, int] = json.loads(out)["adherence"]["this_week"]
        return week

    both = this_week()["planned"]
    code, _, err = _invoke("plan", "remove", "2", "--db", db_url)
    assert code == 0, err
    kept = this_week()["planned"]
    assert 0 < kept < both
    code, out, _ = _invoke("progress", "--db", db_url)
    assert f"this week 0 of {kept} sessions" in out
