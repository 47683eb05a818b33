"""Simulate a whole recorded session: IMU samples plus the ground truth the analysis must find."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray
from scipy.signal import find_peaks

from sensors.samples import ImuSamples, Placement
from sensors.simulator.body import pelvis_placement, thigh_placement
from sensors.simulator.exercises import Dose, build_script
from sensors.simulator.imu_model import ImuErrors, ImuTruth, measure
from sensors.simulator.magnetic import MagEnvironment
from sensors.simulator.motion import BodyMotion
from sensors.simulator.script import MOTIONS, Script
from sensors.simulator.trajectory import SmoothNoise

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SimOptions:
    rate_hz: float = 100.0
    dose: Dose = field(default_factory=Dose)
    strap: str = "random"
    """'random': any orientation (SPEC §3); 'lateral': a tidy mount with a few degrees of error."""
    errors: ImuErrors = field(default_factory=ImuErrors)
    sway_deg: float = 0.5
    tremor_deg: float = 0.3
    with_mag: bool = False
    mag: MagEnvironment = field(default_factory=MagEnvironment)
    """With with_mag: the sensor's iron and the room's disturbances."""
    with_pelvis: bool = False
    with_other_thigh: bool = False
    """A second thigh sensor on the other leg (same script; cyclic movements half a cycle apart)."""
    other_thigh_offset_deg: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """How the other leg's flexion, abduction and rotation differ during the exercise (asymmetry)."""
    calibration_still_s: float = 4.0
    calibration_swings: int = 3
    """Set to 0 to simulate someone who skipped that part of the calibration (SPEC §3)."""
    stand_sway_deg: float = 0.0
    """Harsh conditions: postural sway while standing for the calibration, this much at 0.2–1 Hz plus
    twice as much slow body sway (0.03–0.15 Hz), on top of sway_deg. Sway that a filter takes for
    rest corrupts its gyro-bias estimate."""
    hold_sway_deg: float = 0.0
    """Real bodies: physiological sway of the hip angles once the exercise begins, this much at
    0.1–1 Hz plus twice as much slow drift (0.01–0.05 Hz), on top of tremor_deg. A person holding a
    pose is never quite still: sway breaks a hold into still pieces, drift moves its level."""
    turns: int = 0
    """Harsh conditions: this many road turns during a ride's pedalling (the rider's heading changes)."""
    turn_deg: tuple[float, float] = (30.0, 90.0)
    """Size of each turn, left or right at random."""


@dataclass(frozen=True, slots=True)
class TruthHold:
    motion: str
    start_s: float
    end_s: float
    angle_deg: float
    """Mean signed hip angle of the motion's channel during the hold (SPEC §2 signs)."""

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True, slots=True)
class TruthRep:
    motion: str
    start_s: float
    end_s: float
    peak_deg: float
    """Signed extreme of the motion's channel during the rep."""


@dataclass(frozen=True, slots=True)
class TruthSet:
    start_s: float
    end_s: float
    reps: int


@dataclass(frozen=True, slots=True)
class TruthCycles:
    """A stretch of steady cyclic movement: pedalling, leg circles or shifts."""

    motion: str
    start_s: float
    end_s: float
    cycles: float
    """Turns of the oscillator over the steady part."""
    rate_per_min: float
    peaks_s: tuple[float, ...]
    """Times of the cycles' peaks (swings of the intended angle that stand out enough,
    CYCLE_MIN_DEG and CYCLE_SHARE), ramps included: what a person would count."""

    @property
    def full_cycles(self) -> int:
        return len(self.peaks_s)


@dataclass(frozen=True, slots=True)
class Truth:
    time_s: FloatArray
    hip_angles_deg: FloatArray              # (N, 3) flexion, abduction, internal rotation
    pelvis_pitch_deg: FloatArray            # (N,) 0 upright, 90 lying on the back (sway excluded)
    thigh: ImuTruth
    pelvis: ImuTruth | None
    q_sensor_to_thigh_wxyz: FloatArray      # (4,)
    calibration_s: tuple[float, float]
    exercise_start_s: float
    holds: tuple[TruthHold, ...]
    reps: tuple[TruthRep, ...]
    sets: tuple[TruthSet, ...]
    cycles: tuple[TruthCycles, ...]
    standing_s: tuple[tuple[float, float], ...] = ()
    """Rides: stretches pedalled standing out of the saddle."""
    other_hip_angles_deg: FloatArray | None = None
    """(N, 3) of the other leg when simulated."""


@dataclass(frozen=True, slots=True)
class SimulatedSession:
    exercise_id: str
    side: str
    seed: int
    rate_hz: float
    streams: dict[Placement, ImuSamples]
    truth: Truth

    @property
    def thigh(self) -> ImuSamples:
        return self.streams[Placement.LEFT_THIGH if self.side == "left" else Placement.RIGHT_THIGH]

    @property
    def other_thigh(self) -> ImuSamples:
        return self.streams[Placement.RIGHT_THIGH if self.side == "left" else Placement.LEFT_THIGH]


def simulate_session(exercise_id: str, side: str, seed: int, options: SimOptions | None = None) -> SimulatedSession:
    """Script the exercise, move the body, and measure it with noisy IMUs (deterministic per seed)."""
    options = options or SimOptions()
    rng = np.random.default_rng(seed)
    script = build_script(exercise_id, rng, options.dose, options.calibration_still_s, options.calibration_swings)
    motion = BodyMotion.from_script(script, side, rng, options.sway_deg, options.tremor_deg)
    motion = _harsh(motion, script, options, np.random.default_rng([seed, 12]))
    time_s = np.arange(0.0, motion.duration_s, 1.0 / options.rate_hz)

    thigh_mount = thigh_placement(side, rng, options.strap)
    thigh = measure(motion.sensor_pose("thigh", thigh_mount), time_s, options.errors, rng, options.with_mag,
                    options.mag)
    thigh_key = Placement.LEFT_THIGH if side == "left" else Placement.RIGHT_THIGH
    streams = {thigh_key: ImuSamples(time_s, thigh.acc_mps2, thigh.gyr_radps, thigh.mag_ut)}
    pelvis_truth = None
    if options.with_pelvis:
        pelvis = measure(motion.sensor_pose("pelvis", pelvis_placement(rng)), time_s, options.errors, rng,
                         options.with_mag, options.mag)
        streams[Placement.PELVIS] = ImuSamples(time_s, pelvis.acc_mps2, pelvis.gyr_radps, pelvis.mag_ut)
        pelvis_truth = pelvis.truth
    other_angles = None
    if options.with_other_thigh:
        other = motion.other_leg(rng, np.asarray(options.other_thigh_offset_deg), options.tremor_deg,
                                 script.exercise_start_s)
        other_imu = measure(other.sensor_pose("thigh", thigh_placement(other.side, rng, options.strap)), time_s,
                            options.errors, rng, options.with_mag, options.mag)
        other_key = Placement.LEFT_THIGH if other.side == "left" else Placement.RIGHT_THIGH
        streams[other_key] = ImuSamples(time_s, other_imu.acc_mps2, other_imu.gyr_radps, other_imu.mag_ut)
        other_angles = other.hip_angles_deg(time_s)

    angles = motion.hip_angles_deg(time_s)
    xyzw = thigh_mount.rotation_sensor_to_segment.as_quat()
    truth = Truth(
        time_s=time_s, hip_angles_deg=angles, pelvis_pitch_deg=motion.pelvis_pitch_deg(time_s), thigh=thigh.truth,
        pelvis=pelvis_truth,
        q_sensor_to_thigh_wxyz=xyzw[[3, 0, 1, 2]],
        calibration_s=script.calibration or (0.0, 0.0), exercise_start_s=script.exercise_start_s,
        **_events(script, motion, time_s, angles), standing_s=tuple(script.standing),
        other_hip_angles_deg=other_angles,
    )
    return SimulatedSession(exercise_id, side, seed, options.rate_hz, streams, truth)


def _harsh(motion: BodyMotion, script: Script, options: SimOptions, rng: np.random.Generator) -> BodyMotion:
    """Standing sway, body sway and road turns, from their own generator so the default sessions stay as they were."""
    if options.stand_sway_deg > 0:
        sway = _noise(rng, options.stand_sway_deg, (0.2, 1.0), 2 * options.stand_sway_deg, (0.03, 0.15))
        motion = replace(motion, stand_sway_deg=sway, stand_sway_until_s=script.exercise_start_s)
    if options.hold_sway_deg > 0:
        body = _noise(rng, options.hold_sway_deg, (0.1, 1.0), 2 * options.hold_sway_deg, (0.01, 0.05))
        motion = replace(motion, body_sway_deg=body, body_sway_from_s=script.exercise_start_s)
    if options.turns > 0 and script.cycles:
        spans = [(w.start_s + 20.0, w.end_s - 10.0) for w in script.cycles if w.end_s - w.start_s > 40.0]
        total = sum(max(0.0, b - a) for a, b in spans)
        if total > 0:
            slots = (np.arange(options.turns) + rng.uniform(0.1, 0.9, options.turns)) * total / options.turns
            edges = np.cumsum([0.0] + [max(0.0, b - a) for a, b in spans])
            k = np.searchsorted(edges, slots, side="right") - 1
            starts = np.array([spans[i][0] for i in k]) + slots - edges[k]
            duration = rng.uniform(3.0, 8.0, options.turns)
            turn = np.radians(rng.uniform(*options.turn_deg, options.turns)) * rng.choice([-1.0, 1.0], options.turns)
            motion = replace(motion, turns=np.column_stack([starts, duration, turn]))
    return motion


def _noise(rng: np.random.Generator, quick_deg: float, quick_hz: tuple[float, float], slow_deg: float,
           slow_hz: tuple[float, float]) -> SmoothNoise:
    """Quick sway plus slow drift, three channels."""
    quick = SmoothNoise.random(rng, 3, quick_deg, quick_hz)
    slow = SmoothNoise.random(rng, 3, slow_deg, slow_hz)
    return SmoothNoise(*(np.concatenate([getattr(quick, k), getattr(slow, k)])
                         for k in ("amplitude", "freq_hz", "phase")))


def _events(script: Script, motion: BodyMotion, time_s: FloatArray, angles: FloatArray) -> dict[str, tuple]:
    """Measure each scripted window on the generated angles."""

    def channel(name: str, start: float, end: float) -> FloatArray:
        column = ["flex", "abd", "rot"].index(MOTIONS[name][0])
        return angles[(time_s >= start) & (time_s <= end), column]

    intended = motion.intended_angles_deg(time_s)
    holds = []
    for w in script.holds:
        start, end = _arrival_window(time_s, intended[:, _COLUMN[MOTIONS[w.motion][0]]], w.start_s, w.end_s)
        holds.append(TruthHold(w.motion, start, end, float(channel(w.motion, start, end).mean())))
    reps = []
    for w in script.reps:
        values = channel(w.motion, w.start_s, w.end_s)
        peak = values.max() if MOTIONS[w.motion][1] > 0 else values.min()
        reps.append(TruthRep(w.motion, w.start_s, w.end_s, float(peak)))
    cycles = []
    for w, (span_start, span_end) in zip(script.cycles, script.cycle_spans, strict=True):
        turns = (motion.osc_phase(np.array([w.end_s]))[0] - motion.osc_phase(np.array([w.start_s]))[0]) / (2 * np.pi)
        cycles.append(TruthCycles(w.motion, w.start_s, w.end_s, float(abs(turns)),
                                  float(abs(turns) * 60 / (w.end_s - w.start_s)),
                                  _cycle_peaks(motion, time_s, w.motion, span_start, span_end)))
    sets = tuple(TruthSet(start, end, n) for start, end, n in script.sets)
    return {"holds": tuple(holds), "reps": tuple(reps), "sets": sets, "cycles": tuple(cycles)}


_COLUMN = {"flex": 0, "abd": 1, "rot": 2}


def _cycle_peaks(motion: BodyMotion, time_s: FloatArray, name: str, start_s: float,
                 end_s: float) -> tuple[float, ...]:
    """Peaks of the intended (noise-free) angle's swings that stand out like the movement's typical swing."""
    inside = (time_s >= start_s - CYCLE_MARGIN_S) & (time_s <= end_s + CYCLE_MARGIN_S)
    column = _COLUMN[MOTIONS[name][0]] if name in MOTIONS else 0      # circles, pedalling: flexion
    signal = motion.intended_angles_deg(time_s[inside])[:, column] * (MOTIONS.get(name, ("", 1.0))[1])
    times = time_s[inside]
    peaks, _ = find_peaks(signal, prominence=CYCLE_MIN_DEG)
    if peaks.size < 2:
        return tuple(float(t) for t in times[peaks])
    window = int(1.2 * np.median(np.diff(peaks))) | 1
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="some peaks have a prominence of 0")
        peaks, info = find_peaks(signal, prominence=CYCLE_MIN_DEG, wlen=window)
    kept = peaks[info["prominences"] >= CYCLE_SHARE * np.median(info["prominences"])]
    return tuple(float(t) for t in times[kept])


CYCLE_MARGIN_S = 2.0
CYCLE_MIN_DEG = 3.0
CYCLE_SHARE = 0.5
"""A cycle counts when it swings at least CYCLE_MIN_DEG and at least half as much as the typical
cycle of that movement (each measured within about a period): tentative first and last swings do not."""


HOLD_ARRIVAL_DEG = 0.5
"""A hold starts when the intended angle is within this of the held position (and ends when it
leaves it): the last fraction of a degree of a slow approach is lost in anyone's tremor."""


def _arrival_window(time_s: FloatArray, intended_deg: FloatArray, start_s: float, end_s: float) -> tuple[float, float]:
    i0, i1 = np.searchsorted(time_s, [start_s, end_s])
    i1 = min(i1, len(time_s) - 1)
    near_start = np.abs(intended_deg[:i0 + 1] - intended_deg[i0]) <= HOLD_ARRIVAL_DEG
    away = np.flatnonzero(~near_start)
    first = away[-1] + 1 if away.size else 0
    near_end = np.abs(intended_deg[i1:] - intended_deg[i1]) <= HOLD_ARRIVAL_DEG
    leave = np.flatnonzero(~near_end)
    last = i1 + (leave[0] - 1 if leave.size else len(near_end) - 1)
    return float(time_s[first]), float(time_s[last])
