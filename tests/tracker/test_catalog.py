"""The catalogue's facts are the seeds' facts (SPEC §7)."""

from __future__ import annotations

import json
import re

import pytest
from helpers import ROOT
from typer.testing import CliRunner

from hiptrack.cli import app
from tracker import catalog

SEEDS = ROOT.parent / "shared" / "seeds"
REQUIRED_IDS = {"ninety_ninety_ir_stretch", "seated_hip_internal_rotation", "ninety_ninety_transitions",
                "seated_hip_flexion_hold", "supine_hip_shift_ir", "hamstring_strap_stretch", "adductor_strap_stretch",
                "abductor_strap_stretch", "single_leg_circles", "couch_stretch", "figure_four_stretch",
                "thomas_stretch", "standing_hip_abduction_hold", "banded_hip_flexion_march", "ride"}

# (exercise, words the seed uses for the dose, expected prescription fields)
DOSES = [
    ("ninety_ninety_ir_stretch", r"2 sets, 2-3 minutes per side, 3x a week",
     {"sets": [2, 2], "hold_s": [120, 180], "sessions_per_week": [3, 3]}),
    ("seated_hip_internal_rotation", r"3 sets, 4-8 reps, 2-5 second holds, 2-3x a week",
     {"sets": [3, 3], "reps": [4, 8], "hold_s": [2, 5], "sessions_per_week": [2, 3]}),
    ("ninety_ninety_transitions", r"10-15\s+reps in each direction, everyday",       # \s: the seed has a NBSP
     {"reps": [10, 15], "sessions_per_week": [7, 7]}),
    ("supine_hip_shift_ir", r"one to two sets of 30 to 40 shifts per side", {"sets": [1, 2], "reps": [30, 40]}),
    ("hamstring_strap_stretch", r"Hold for one to two minutes", {"hold_s": [60, 120]}),
    ("adductor_strap_stretch", r"Hold tension for a minute", {"hold_s": [60, 60]}),
    ("single_leg_circles", r"five to ten circles", {"reps": [5, 10]}),
    ("couch_stretch", r"one to two minutes per side", {"hold_s": [60, 120]}),
    ("figure_four_stretch", r"one to two minutes", {"hold_s": [60, 120]}),
    ("standing_hip_abduction_hold", r"hold for 30sec", {"hold_s": [30, 30]}),
]


def _seed(name: str) -> str:
    if not SEEDS.is_dir():
        pytest.skip("shared/seeds is not beside this checkout")
    return (SEEDS / name).read_text(encoding="utf-8", errors="replace")


def test_every_required_exercise_is_there_with_json_fields() -> None:
    result = CliRunner().invoke(app, ["exercises", "--json"])
    assert result.exit_code == 0
    entries = json.loads(result.stdout)
    assert {e["id"] for e in entries} == REQUIRED_IDS
    for entry in entries:
        assert {"id", "name", "source", "primary_motion", "posture", "prescription", "cues", "mistakes"} <= set(entry)
        assert {"sets", "reps", "hold_s", "sessions_per_week", "per_side"} <= set(entry["prescription"])
        for key in ("sets", "reps", "hold_s", "sessions_per_week"):
            value = entry["prescription"][key]
            assert value is None or (len(value) == 2 and value[0] <= value[1])


@pytest.mark.parametrize(("exercise_id", "phrase", "expected"), DOSES)
def test_prescriptions_say_what_the_seed_says(exercise_id: str, phrase: str, expected: dict[str, list[int]]) -> None:
    exercise = catalog.get(exercise_id)
    assert re.search(phrase, _seed(exercise.source), flags=re.IGNORECASE), f"{phrase!r} not in {exercise.source}"
    prescription = exercise.prescription.to_json()
    for key, value in expected.items():
        assert prescription[key] == value, key


def test_exercises_without_a_dose_in_their_seed_have_none() -> None:
    for exercise_id in ("seated_hip_flexion_hold", "thomas_stretch", "banded_hip_flexion_march", "ride"):
        prescription = catalog.get(exercise_id).prescription
        assert (prescription.sets, prescription.reps, prescription.hold_s) == (None, None, None)


def test_general_advice_and_red_flags_come_from_the_seeds() -> None:
    assert re.search(r"three to five times per week, for three to six weeks", _seed("001_a5cf285771b240ea.txt"))
    red = _seed(catalog.RED_FLAGS_SOURCE)
    for words in ("non-mechanical", "night", "weight loss", "Saddle", "incontinence", "abdominal"):
        assert words.lower() in red.lower()
    assert len(catalog.RED_FLAGS) == 6
    text = CliRunner().invoke(app, ["exercises"]).stdout
    assert "See a doctor" in text and all(flag in text for flag in catalog.RED_FLAGS)
