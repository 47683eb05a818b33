"""The exercise catalogue (SPEC §7): what each exercise measures, in which posture, and its dose.

Facts (prescriptions, cues, common mistakes) come from the seed articles in shared/seeds/, in our
own words; where a seed gives no volume the prescription field is None. Analysis reads the
primary motion, reference posture and how reps are counted from here.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from analysis.vocabulary import Counting, Motion, Posture
from tracker.errors import UnknownExerciseError

Span = tuple[float, float] | None
"""[min, max] of a prescription figure, or None where the seed gives none."""


@dataclass(frozen=True, slots=True)
class Prescription:
    sets: Span = None
    reps: Span = None
    hold_s: Span = None
    sessions_per_week: Span = None
    per_side: bool = True

    def to_json(self) -> dict[str, object]:
        def span(value: Span) -> list[float] | None:
            return None if value is None else [_number(value[0]), _number(value[1])]

        return {"sets": span(self.sets), "reps": span(self.reps), "hold_s": span(self.hold_s),
                "sessions_per_week": span(self.sessions_per_week), "per_side": self.per_side}


@dataclass(frozen=True, slots=True)
class Exercise:
    id: str
    name: str
    source: str
    """Seed file the facts come from."""
    primary_motion: Motion
    posture: Posture
    counting: Counting = Counting.EXCURSIONS
    prescription: Prescription = field(default_factory=Prescription)
    cues: tuple[str, ...] = ()
    mistakes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "source": self.source, "primary_motion": self.primary_motion.value,
                "posture": self.posture.value, "counting": self.counting.value,
                "prescription": self.prescription.to_json(), "cues": list(self.cues), "mistakes": list(self.mistakes)}


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


_SEED_CYCLING = "000_09a037b40f323262.txt"
_SEED_MOBILITY = "001_a5cf285771b240ea.txt"
_SEED_IR = "002_5d85a1633ab92600.txt"
_SEED_RUNNERS = "003_3a27a0681c50d210.txt"
_SEED_CAUSES = "004_3655a9a4f8da819c.txt"

_MOBILITY_WEEKLY: Span = (3, 5)
"""Seed 001: do the mobility exercises three to five times a week, for three to six weeks."""

EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        "ninety_ninety_ir_stretch", "90/90 internal rotation stretch", _SEED_IR, Motion.INTERNAL_ROTATION,
        Posture.FLOOR_SITTING,
        prescription=Prescription(sets=(2, 2), hold_s=(120, 180), sessions_per_week=(3, 3)),
        cues=("Sit deeper into the back hip and feel the side of that hip working.",
              "Easier: raise your hips (sit on something); harder: lower them."),
        mistakes=("Leaning or twisting the torso to get range instead of sinking into the hip.",
                  "Going too low too soon.")),
    Exercise(
        "seated_hip_internal_rotation", "Seated hip internal rotation", _SEED_IR, Motion.INTERNAL_ROTATION,
        Posture.SEATED,
        prescription=Prescription(sets=(3, 3), reps=(4, 8), hold_s=(2, 5), sessions_per_week=(2, 3)),
        cues=("Swing the foot out while the knee stays put, so the hip does the turning.",
              "Easier: a light band or none; harder: a stronger band."),
        mistakes=("Getting the range from the ankle rather than the hip.", "A mini-band that is too strong.")),
    Exercise(
        "ninety_ninety_transitions", "90/90 transitions", _SEED_IR, Motion.ROTATION, Posture.FLOOR_SITTING,
        prescription=Prescription(reps=(10, 15), sessions_per_week=(7, 7), per_side=False),
        cues=("Reps are counted in each direction.",
              "Easier: lean more weight into your hands; harder: less weight in the hands.")),
    Exercise(
        "seated_hip_flexion_hold", "Seated hip flexion hold", _SEED_CYCLING, Motion.FLEXION, Posture.SEATED,
        cues=("Keep the lower back in a good position.", "Lift the knee and really hold the squeeze at the top.")),
    Exercise(
        "supine_hip_shift_ir", "Supine hip shift (internal rotation)", _SEED_MOBILITY, Motion.INTERNAL_ROTATION,
        Posture.SUPINE, counting=Counting.CYCLES,
        prescription=Prescription(sets=(1, 2), reps=(30, 40), sessions_per_week=_MOBILITY_WEEKLY),
        cues=("On your back, knees bent 90°, feet on a wall: walk the feet apart with the thighs parallel "
              "and about six inches apart (a small ball between them helps).",
              "Tip the pelvis gently side to side: the knees go up and down, not forward and back."),
        mistakes=("Moving the lower back instead of the hips: it should stay still on the floor.",)),
    Exercise(
        "hamstring_strap_stretch", "Hamstring stretch with strap", _SEED_MOBILITY, Motion.FLEXION, Posture.SUPINE,
        prescription=Prescription(hold_s=(60, 120), sessions_per_week=_MOBILITY_WEEKLY),
        cues=("Keep the leg straight and pull it up with the strap around the ball of the foot.",
              "Ease a little deeper with each breath out."),
        mistakes=("Pulling so far that the pelvis tilts or the hip hikes.",)),
    Exercise(
        "adductor_strap_stretch", "Adductor stretch with strap", _SEED_MOBILITY, Motion.ABDUCTION, Posture.SUPINE,
        prescription=Prescription(hold_s=(60, 60), sessions_per_week=_MOBILITY_WEEKLY),
        cues=("From the raised leg, lower it out to the side with the strap until the inner thigh stretches.",),
        mistakes=("Letting the pelvis move: keep it level, square and still.",)),
    Exercise(
        "abductor_strap_stretch", "Abductor stretch with strap", _SEED_MOBILITY, Motion.ADDUCTION, Posture.SUPINE,
        prescription=Prescription(hold_s=(60, 60), sessions_per_week=_MOBILITY_WEEKLY),
        cues=("Take the raised leg across the body with the strap to stretch the outer hip.",),
        mistakes=("Letting the pelvis roll with the leg.",)),
    Exercise(
        "single_leg_circles", "Single-leg circles", _SEED_MOBILITY, Motion.CIRCUMDUCTION, Posture.SUPINE,
        counting=Counting.CYCLES,
        prescription=Prescription(reps=(5, 10), sessions_per_week=_MOBILITY_WEEKLY),
        cues=("Straight leg, strap for control; circles grow slowly, clockwise then anticlockwise.",
              "Stop and get checked if you feel clicking or a hard stop in the hip."),
        mistakes=("Letting the pelvis rock with the circles.",)),
    Exercise(
        "couch_stretch", "Couch stretch", _SEED_MOBILITY, Motion.EXTENSION, Posture.KNEELING,
        prescription=Prescription(hold_s=(60, 120), sessions_per_week=_MOBILITY_WEEKLY),
        cues=("Back knee in the corner of floor and wall, shin up the wall; front foot flat, knee at 90°.",
              "Too hard? Put the back foot on a bench, chair or couch instead of the wall."),
        mistakes=("Arching the lower back to get the torso upright.", "Letting the knee drift away from the wall.")),
    Exercise(
        "figure_four_stretch", "Supine figure-four stretch", _SEED_MOBILITY, Motion.FLEXION, Posture.SUPINE,
        prescription=Prescription(hold_s=(60, 120), sessions_per_week=_MOBILITY_WEEKLY),
        cues=("Ankle just below the other knee, then pull that thigh towards the chest.",)),
    Exercise(
        "thomas_stretch", "Thomas stretch", _SEED_RUNNERS, Motion.EXTENSION, Posture.SUPINE,
        cues=("Lie at the edge of a bed, hug the knee further from the edge to the chest, let the other leg "
              "hang off the edge.",)),
    Exercise(
        "standing_hip_abduction_hold", "Standing hip abduction hold", _SEED_RUNNERS, Motion.ABDUCTION,
        Posture.STANDING,
        prescription=Prescription(hold_s=(30, 30)),
        cues=("On one leg, push the other out sideways into a band and hold.", "Keep your balance and the hip level.")),
    Exercise(
        "banded_hip_flexion_march", "Banded hip flexion march", _SEED_RUNNERS, Motion.FLEXION, Posture.STANDING,
        cues=("Lean on a wall with a band around the feet; march one knee up hard against it and hold.",)),
    Exercise(
        "ride", "Bike ride", _SEED_CYCLING, Motion.CYCLING, Posture.CYCLING, counting=Counting.RIDE,
        cues=("The hips stay flexed the whole ride and flex further with every stroke.",
              "Knees in line with the hips or slightly inside tend to go with more efficient riding than knees "
              "drifting out (femur turned out).")),
)

GENERAL_ADVICE = (
    "Do mobility work three to five times a week for three to six weeks.",
    "If the pain does not improve, or gets worse, see a professional.",
    "Keep pain controllable: respect it, don't fear it. A little discomfort is fine; you should be able to "
    "control how much.",
)
"""Seeds 001 and 002, in our words."""

RED_FLAGS = (
    "Constant, progressively worse pain that no position or movement eases",
    "Constant pain at night, especially with night sweats, chills or fever",
    "Weight loss you cannot explain",
    "Numbness or odd sensations around the genitals or inner buttocks (saddle area)",
    "New loss of bladder or bowel control",
    "Severe abdominal pain",
)
"""Seed 004: rare, but any of these needs a doctor soon. hiptrack informs; it never diagnoses."""

RED_FLAGS_SOURCE = _SEED_CAUSES

_BY_ID = {e.id: e for e in EXERCISES}


def get(exercise_id: str) -> Exercise:
    try:
        return _BY_ID[exercise_id]
    except KeyError:
        raise UnknownExerciseError(exercise_id, list(_BY_ID), close_ids(exercise_id)) from None


def resolve(text: str) -> Exercise:
    """The exercise a person typed: its id or its name, in any case (`Seated hip internal rotation`)."""
    key = _key(text)
    for exercise in EXERCISES:
        if key in (_key(exercise.id), _key(exercise.name)):
            return exercise
    raise UnknownExerciseError(text, list(_BY_ID), close_ids(text))


def close_ids(text: str) -> list[str]:
    """Up to three ids whose id or name looks like `text` (a typo, a word left out), best first."""
    key = _key(text)
    choices = {_key(e.id): e.id for e in EXERCISES} | {_key(e.name): e.id for e in EXERCISES}
    if len(key) >= 3:
        containing = [exercise_id for choice, exercise_id in choices.items() if key in choice]
        if containing:
            return list(dict.fromkeys(containing))[:3]
    scores = sorted(((max(_likeness(key, choice), _likeness(key, choice[:len(key)]) - 0.1), exercise_id)
                     for choice, exercise_id in choices.items()), reverse=True)
    best = scores[0][0]
    return list(dict.fromkeys(i for score, i in scores if score >= max(0.6, best - 0.08)))[:3]


def _likeness(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def _key(text: str) -> str:
    return "_".join(text.lower().replace("-", " ").replace("_", " ").split())


def find(exercise_id: str) -> Exercise | None:
    """The exercise, or None for an id no longer in the catalogue (old sessions keep theirs)."""
    return _BY_ID.get(exercise_id)


def display_name(exercise_id: str) -> str:
    exercise = find(exercise_id)
    return exercise.name if exercise is not None else exercise_id


def ids() -> list[str]:
    return [e.id for e in EXERCISES]
