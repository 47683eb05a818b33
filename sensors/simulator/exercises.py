"""Scripts for every exercise of the catalogue (SPEC §7, seeds in shared/seeds/), and rides.

Each script starts with the calibration protocol (SPEC §3) standing, gets into the exercise's
posture, does the work, and gets back up: the analysis must not count the getting in and out.
Angles are plausible for a stiff-but-healthy hip; every run jitters them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sensors.simulator.script import STANDING_PELVIS_HEIGHT_M, Script, Window


@dataclass(frozen=True, slots=True)
class Dose:
    """How much work to simulate; tests use little, demos may use the prescription."""

    sets: int = 2
    reps: int = 5
    hold_s: float = 20.0
    """Hold of a stretch; rep holds (2–5 s in the seeds) are set per exercise."""
    ride_s: float = 90.0
    cadence_rpm: float = 85.0
    stand_s: float = 0.0
    """Rides: how long to pedal standing out of the saddle, in the middle of the first stretch."""
    foot_down: bool = False
    """Rides: stop between the two stretches with a foot on the ground, instead of coasting."""
    coast: bool = True
    """Rides: pedal in two stretches with a pause between; False pedals all of ride_s without a break
    (long real rides: nothing in them re-anchors the heading)."""
    range_gain: float = 1.0
    """Holds and reps reach this multiple of the exercise's usual excursion (synthetic progress)."""
    rep_hold_s: tuple[float, float] | None = None
    """Seated rep exercises: each rep's hold drawn from this range (short holds: (2, 3)) instead of
    the exercise's usual hold of about 3.5–4 s ± 30%."""
    neutral_s: tuple[float, float] | None = None
    """Seated rep exercises: time back at neutral between reps drawn from this range (short returns:
    (0.5, 1.0)) instead of the usual 1.5 s ± 0.3."""
    set_rest_s: float = 12.0
    """Seated rep exercises: rest between sets."""


# -- postures ------------------------------------------------------------------------------------
def sit_on_chair(s: Script) -> None:
    s.move(2.5, flex=s.jitter(88, 4), pelvis_height=0.52).wait(2.0)


def stand_up(s: Script) -> None:
    s.move(2.5, **{"flex": 0.0, "abd": 0.0, "rot": 0.0, "pelvis_pitch": 0.0,
                   "pelvis_height": STANDING_PELVIS_HEIGHT_M}).wait(2.0)


def sit_on_floor(s: Script, flex_deg: float = 85.0) -> None:
    s.move(2.5, flex=100.0, pelvis_height=0.45).move(2.0, flex=flex_deg, pelvis_height=0.14).wait(1.5)


def lie_back(s: Script) -> None:
    """From standing: sit on the floor with legs straight, then roll back onto the back."""
    sit_on_floor(s, 88.0)
    s.move(2.5, pelvis_pitch=90.0, flex=0.0, pelvis_height=0.1).wait(2.0)


def get_up_from_floor(s: Script) -> None:
    s.move(2.5, pelvis_pitch=0.0, flex=90.0, abd=0.0, rot=0.0, pelvis_height=0.14)
    s.move(2.0, flex=100.0, pelvis_height=0.45)
    stand_up(s)


# -- exercises -----------------------------------------------------------------------------------
def ninety_ninety_ir_stretch(s: Script, d: Dose) -> None:
    """Back leg of the 90/90 sit: flexed, abducted, internally rotated; sink into it and stay."""
    sit_on_floor(s, 50.0)
    s.move(2.5, abd=s.jitter(25, 5), rot=10.0).wait(1.0)
    for i in range(d.sets):
        s.hold("internal_rotation", s.jitter(32, 6), d.hold_s, approach_s=4.0, release_s=3.0, ease_deg=2.0)
        s.sets.append((s.holds[-1].start_s, s.holds[-1].end_s, 1))
        if i < d.sets - 1:
            s.wait(8.0)
    get_up_from_floor(s)


def seated_hip_internal_rotation(s: Script, d: Dose) -> None:
    """On a chair, foot swings out (hip internal rotation), 2–5 s hold, back; sets of reps."""
    sit_on_chair(s)
    for i in range(d.sets):
        s.rep_set("internal_rotation", s.jitter(33, 4), d.reps, hold_s=3.5, hold_range_s=d.rep_hold_s,
                  pause_range_s=d.neutral_s)
        if i < d.sets - 1:
            s.wait(d.set_rest_s)
    stand_up(s)


def ninety_ninety_transitions(s: Script, d: Dose) -> None:
    """Seated on the floor, knees bent; both knees fall to one side and the other in turn."""
    sit_on_floor(s, 70.0)
    for _ in range(d.sets):
        start = s.now_s
        for _ in range(d.reps):
            s.rep_set("internal_rotation", s.jitter(30, 4), 1, out_s=1.8, back_s=1.8)
            s.sets.pop()
            s.wait(0.8)
            s.rep_set("external_rotation", s.jitter(-38, 4), 1, out_s=1.8, back_s=1.8)
            s.sets.pop()
            s.wait(0.8)
        s.sets.append((start, s.now_s, 2 * d.reps))
        s.wait(10.0)
    get_up_from_floor(s)


def seated_hip_flexion_hold(s: Script, d: Dose) -> None:
    """On a chair, knee lifted off the seat and held isometrically at the top."""
    sit_on_chair(s)
    base = s.pose["flex"]
    for i in range(d.sets):
        s.rep_set("flexion", base + s.jitter(25, 4), d.reps, hold_s=4.0, hold_range_s=d.rep_hold_s,
                  pause_range_s=d.neutral_s)
        if i < d.sets - 1:
            s.wait(d.set_rest_s)
    stand_up(s)


def supine_hip_shift_ir(s: Script, d: Dose) -> None:
    """On the back, feet on a wall, feet walked out (IR); small pelvic shifts rock the rotation."""
    lie_back(s)
    s.move(3.0, flex=90.0).move(3.0, rot=s.jitter(22, 4)).wait(2.0)
    for i in range(d.sets):
        shifts = 3 * d.reps
        s.oscillate("internal_rotation", shifts / 0.5, 0.5, ramp_s=1.0, osc_rot=6.0)
        s.sets.append((s.cycles[-1].start_s, s.cycles[-1].end_s, shifts))
        if i < d.sets - 1:
            s.wait(8.0)
    s.move(3.0, rot=0.0).move(3.0, flex=0.0)
    get_up_from_floor(s)


def hamstring_strap_stretch(s: Script, d: Dose) -> None:
    """On the back, straight leg pulled up by a strap, easing deeper with each exhale."""
    lie_back(s)
    s.hold("flexion", s.jitter(70, 8), d.hold_s, approach_s=4.0, release_s=4.0, ease_deg=3.0)
    s.wait(3.0)
    get_up_from_floor(s)


def adductor_strap_stretch(s: Script, d: Dose) -> None:
    """Leg raised, then lowered out to the side with the strap."""
    lie_back(s)
    s.move(4.0, flex=s.jitter(55, 5))
    s.hold("abduction", s.jitter(38, 6), d.hold_s, approach_s=4.0, release_s=4.0)
    s.move(4.0, flex=0.0).wait(2.0)
    get_up_from_floor(s)


def abductor_strap_stretch(s: Script, d: Dose) -> None:
    """Leg raised, then taken across the body (adduction)."""
    lie_back(s)
    s.move(4.0, flex=s.jitter(60, 5))
    s.hold("adduction", s.jitter(-18, 4), d.hold_s, approach_s=4.0, release_s=4.0)
    s.move(4.0, flex=0.0).wait(2.0)
    get_up_from_floor(s)


def single_leg_circles(s: Script, d: Dose) -> None:
    """Straight raised leg traces circles, clockwise then anticlockwise."""
    lie_back(s)
    s.move(4.0, flex=s.jitter(50, 5)).wait(1.0)
    s.osc_phase_rad = (0.0, -np.pi / 2, 0.0)
    for direction in (1.0, -1.0):
        circles = d.reps
        s.oscillate("circumduction", circles / 0.2, direction * 0.2, ramp_s=3.0, osc_flex=18.0, osc_abd=18.0)
        s.wait(3.0)
    s.move(4.0, flex=0.0).wait(2.0)
    get_up_from_floor(s)


def couch_stretch(s: Script, d: Dose) -> None:
    """Back knee in the wall corner, torso upright: the hip of the back leg goes into extension."""
    s.move(3.0, flex=-5.0, pelvis_height=0.62).wait(2.0)
    s.hold("extension", s.jitter(-14, 3), d.hold_s, approach_s=4.0, release_s=4.0, ease_deg=-1.5)
    s.wait(2.0)
    stand_up(s)


def figure_four_stretch(s: Script, d: Dose) -> None:
    """On the back, ankle over the other knee, thigh pulled in: flexion with external rotation."""
    lie_back(s)
    s.move(3.0, flex=60.0, rot=-25.0, abd=15.0).wait(1.0)
    s.hold("flexion", s.jitter(88, 6), d.hold_s, approach_s=4.0, release_s=4.0, ease_deg=2.0)
    s.move(3.0, rot=0.0, abd=0.0, flex=0.0).wait(2.0)
    get_up_from_floor(s)


def thomas_stretch(s: Script, d: Dose) -> None:
    """On the back at a bench's edge, the other knee hugged; this leg hangs into extension."""
    s.move(2.5, flex=85.0, pelvis_height=0.6).wait(1.0)
    s.move(2.5, pelvis_pitch=90.0, flex=0.0, pelvis_height=0.75).wait(2.0)       # thigh stays on the bench
    s.hold("extension", s.jitter(-10, 3), d.hold_s, approach_s=4.0, release_s=4.0, back_to=0.0)
    s.move(2.5, pelvis_pitch=0.0, flex=85.0, pelvis_height=0.6)
    stand_up(s)


def standing_hip_abduction_hold(s: Script, d: Dose) -> None:
    """Standing on one leg, the other pushed out sideways into a band and held (30 s)."""
    for i in range(d.sets):
        s.hold("abduction", s.jitter(25, 4), d.hold_s, approach_s=2.0, release_s=2.0)
        s.sets.append((s.holds[-1].start_s, s.holds[-1].end_s, 1))
        if i < d.sets - 1:
            s.wait(8.0)
    s.wait(2.0)


def banded_hip_flexion_march(s: Script, d: Dose) -> None:
    """Leaning on a wall, one knee marched up against a band and held."""
    for i in range(d.sets):
        s.rep_set("flexion", s.jitter(85, 6), d.reps, hold_s=3.0, out_s=1.2, back_s=1.2)
        if i < d.sets - 1:
            s.wait(10.0)
    s.wait(2.0)


def ride(s: Script, d: Dose) -> None:
    """On the saddle: pedal, coast with the cranks still, pedal again, get off (or pedal throughout).

    Thigh flexion swings about 40° around a 60° mean per crank revolution; the knee drifts a
    little outward (abduction) and the femur sits slightly externally rotated (seed 000). Starting
    and stopping change the cadence, not the size of the stroke: the crank sets the stroke.
    """
    s.move(3.0, flex=s.jitter(60, 4), pelvis_height=0.95).wait(2.0)
    s.osc_phase_rad = (0.0, 0.6, 1.2)
    stroke = {"osc_flex": s.jitter(21, 3), "osc_abd": 2.5, "osc_rot": 3.0}
    s.move(2.0, abd=s.jitter(3, 2), rot=s.jitter(-5, 3), **stroke).wait(1.0)      # feet on the pedals
    rate_hz = d.cadence_rpm / 60.0
    if not d.coast:
        s.oscillate("pedalling", d.ride_s, rate_hz, ramp_s=3.0, keep_amplitude=True, **stroke)
        s.wait(1.0)
        s.move(2.0, abd=0.0, rot=0.0, **dict.fromkeys(stroke, 0.0)).wait(1.0)
        stand_up(s)
        return
    if d.stand_s > 0:
        _pedal_with_standing(s, 0.6 * d.ride_s, rate_hz, d.stand_s, stroke)
    else:
        s.oscillate("pedalling", 0.6 * d.ride_s, rate_hz, ramp_s=3.0, keep_amplitude=True, **stroke)
    if d.foot_down:                                   # stop: this foot to the ground, then back up
        seated = s.pose["flex"]
        s.move(1.5, flex=12.0, osc_flex=0.0).wait(5.0).move(1.5, flex=seated, osc_flex=stroke["osc_flex"])
    else:
        s.wait(8.0)                                   # coasting, cranks still
    s.oscillate("pedalling", 0.4 * d.ride_s, rate_hz * s.jitter(1.0, 0.1), ramp_s=3.0, keep_amplitude=True,
                **stroke)
    s.wait(1.0)
    s.move(2.0, abd=0.0, rot=0.0, **dict.fromkeys(stroke, 0.0)).wait(1.0)
    stand_up(s)


def _pedal_with_standing(s: Script, duration_s: float, rate_hz: float, stand_s: float,
                         stroke: dict[str, float]) -> None:
    """Pedal, rise out of the saddle mid-way (hips up and forward: the thigh hangs more upright), sit."""
    seated = s.pose["flex"]
    ramp_start = s.now_s
    s.move(3.0, osc_rate_hz=rate_hz, **stroke)
    start = s.now_s
    s.move(max(0.0, (duration_s - stand_s) / 2 - 1.0))
    s.move(1.0, flex=seated - s.jitter(22, 3), pelvis_height=1.15)
    rise_end = s.now_s
    s.move(stand_s)
    s.standing.append((rise_end, s.now_s))
    s.move(1.0, flex=seated, pelvis_height=0.95)
    s.move(max(0.0, (duration_s - stand_s) / 2 - 1.0))
    s.cycles.append(Window("pedalling", start, s.now_s))
    s.move(3.0, osc_rate_hz=0.0)
    s.cycle_spans.append((ramp_start, s.now_s))


EXERCISE_SCRIPTS: dict[str, Callable[[Script, Dose], None]] = {
    f.__name__: f
    for f in (ninety_ninety_ir_stretch, seated_hip_internal_rotation, ninety_ninety_transitions,
              seated_hip_flexion_hold, supine_hip_shift_ir, hamstring_strap_stretch, adductor_strap_stretch,
              abductor_strap_stretch, single_leg_circles, couch_stretch, figure_four_stretch, thomas_stretch,
              standing_hip_abduction_hold, banded_hip_flexion_march, ride)
}


def build_script(exercise_id: str, rng: np.random.Generator, dose: Dose, still_s: float = 4.0,
                 swings: int = 3) -> Script:
    """Calibration, then the exercise, for one instrumented leg."""
    try:
        body = EXERCISE_SCRIPTS[exercise_id]
    except KeyError:
        raise ValueError(f"no simulator script for exercise {exercise_id!r}; "
                         f"known: {', '.join(sorted(EXERCISE_SCRIPTS))}") from None
    script = Script(rng, range_gain=dose.range_gain)
    script.calibrate(still_s=still_s, swings=swings)
    body(script, dose)
    return script
