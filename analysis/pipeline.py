"""The whole single-thigh analysis: orientation → calibration → hip angles → events → peaks.

Arrays in, one frozen dataclass out; no I/O. Exercise facts (posture, primary motion, how reps
are counted) come in as plain strings so this package does not depend on the catalogue's home.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from analysis import quaternions as q
from analysis.angles import HipAngles, corrected_hip_angles, hip_angles, thigh_quaternions
from analysis.calibration import Calibration, CalibrationNotFoundError, CalibrationParams, find_calibration, still_mask
from analysis.confidence import (
    ConfidenceParams,
    MotionConfidence,
    heading_uncertainty_deg,
    motion_confidence,
    relative_anchors,
    residual_bias_dps,
    rest_mask,
)
from analysis.events import (
    EventParams,
    HoldEvent,
    RepEvent,
    SetEvent,
    detect_cycles,
    detect_excursions,
    detect_holds,
    group_sets,
    low_pass,
)
from analysis.frames import POSTURE_PITCH_DEG
from analysis.gyro_bias import GyroBias, GyroBiasParams, still_spell_bias
from analysis.loop_closure import LoopClosureParams, closure_ramp, find_loop_closure
from analysis.magnetometer import MagField, MagParams, assess_field, heading_turn, up_in_sensor_frame
from analysis.orientation import Windows, estimate_orientation
from analysis.peaks import Peaks
from analysis.pelvis import (
    PelvisAngles,
    PelvisCalibration,
    PelvisCalibrationError,
    PelvisParams,
    calibrate_pelvis,
    measured_hip_angles,
    motion_in,
    pelvis_angles,
    pelvis_quaternions,
    relative_drift_rad,
    smoothed,
    with_pelvis,
)
from analysis.results import PelvisMotion
from analysis.ride import RideMetrics, RideParams, analyse_ride
from analysis.ride_heading import RideHeadingParams, ride_heading, ride_hip_angles, stand_mask
from analysis.segments import drop_short, rolling_range, runs
from analysis.vocabulary import MOTIONS, POSTURES

FloatArray = NDArray[np.float64]

PRIMARY: dict[str, tuple[int, tuple[str, str]]] = {
    motion.value: (int(f.axis), (f.events[0] or "", f.events[1] or "")) for motion, f in MOTIONS.items()}
"""Primary motion → (angle column, (motion name above neutral, below neutral)); derived from the vocabulary."""

POSTURE_FLEXION_RANGE_DEG: dict[str, tuple[float, float]] = {
    posture.value: f.resting_flexion_deg for posture, f in POSTURES.items()}
"""Flexion a resting thigh can have in each posture (see vocabulary.PostureFacts)."""


@dataclass(frozen=True, slots=True)
class AnalysisParams:
    calibration: CalibrationParams = field(default_factory=CalibrationParams)
    events: EventParams = field(default_factory=EventParams)
    ride: RideParams = field(default_factory=RideParams)
    ride_heading: RideHeadingParams = field(default_factory=RideHeadingParams)
    confidence: ConfidenceParams = field(default_factory=ConfidenceParams)
    mag: MagParams = field(default_factory=MagParams)
    loop_closure: LoopClosureParams = field(default_factory=LoopClosureParams)
    pelvis: PelvisParams = field(default_factory=PelvisParams)
    gyro_bias: GyroBiasParams = field(default_factory=GyroBiasParams)
    min_rest_s: float = 0.5
    """A rest lasts this long at least: people return to neutral for as little as half a second
    between holds or reps, and each such return is a rest that closes the rep before it."""
    rest_range_deg: float = 1.0
    """A rest: no hip angle moves more than this within min_rest_s (2 °/s: slow moves are not rests;
    a 10° approach over 4 s moves 1–2° per half second and must not rest on the way)."""
    vqf: dict[str, float] = field(default_factory=lambda: {"restThGyr": 5.0, "restThAcc": 1.0})
    """VQF's default rest thresholds (2 °/s) rarely trigger on a person holding a pose, which
    starves its gyro-bias estimate; 5 °/s lets holds count as rest (heading drift ÷ 3 here)."""
    pelvis_posture_deg: float = 45.0
    """With a pelvis sensor, a rest's measured pelvis tilt is within this of the posture's (SPEC §2):
    halfway between upright (0°) and lying back (90°), so sitting up or standing is never a supine rest."""
    pelvis_posture_exit_s: float = 1.0
    """Events end where the measured pelvis has left the posture for this long after the last rest: getting
    up takes longer, while one absurd sample or a brief lean must not cut off a final set."""
    windows: Windows = field(default_factory=Windows)
    """How long recordings are split for the orientation filter (bounded memory; analysis.orientation)."""


@dataclass(frozen=True, slots=True)
class ThighAnalysis:
    side: str
    primary_motion: str
    duration_s: float
    calibration: Calibration | None
    calibration_problem: str | None
    angles: HipAngles | None
    window_s: tuple[float, float] | None
    """The part of the recording spent in the exercise's posture (events and peaks come from here)."""
    peaks: Peaks | None
    holds: tuple[HoldEvent, ...] = ()
    reps: tuple[RepEvent, ...] = ()
    sets: tuple[SetEvent, ...] = ()
    ride: RideMetrics | None = None
    confidence: dict[str, MotionConfidence] | None = None
    """Per angle, how far the heading it needs went unobserved (analysis.confidence)."""
    orientation_source: tuple[str, ...] = ()
    """How the orientation was found: '6d' (gyro + accelerometer) or '9d' (and the 'magnetometer':
    on rides its heading bounded the drift where the pedalling axis was not seen), and what else
    fixed its heading ('rests' in the exercise's pose, the 'pedalling_axis');
    'magnetometer_disturbed' when a recorded field was not trustworthy and so not used."""
    magnetometer: MagField | None = None
    """The recorded field's check (None without magnetometer columns)."""
    pelvis_calibration: PelvisCalibration | None = None
    pelvis_angles: PelvisAngles | None = None
    """Measured pelvis tilt, obliquity, rotation against the stand (None: pelvis assumed still)."""
    pelvis_range: PelvisMotion | None = None
    """How far the measured pelvis moved during the exercise window."""
    pelvis_problem: str | None = None
    """Why a pelvis recording that was given could not be used (the pelvis was then assumed)."""


@dataclass(frozen=True, slots=True)
class PelvisSamples:
    """The sacrum sensor's samples on the thigh's time grid."""

    acc: FloatArray
    gyr: FloatArray


def analyze_thigh(time_s: FloatArray, acc: FloatArray, gyr: FloatArray, side: str, primary_motion: str,
                  posture: str, counting: str = "excursions", params: AnalysisParams | None = None,
                  mag: FloatArray | None = None, pelvis: PelvisSamples | None = None) -> ThighAnalysis:
    """Analyse one thigh sensor's recording. counting: 'excursions', 'cycles' or 'ride' (SPEC §7).

    mag: (N, 3) µT if the sensor has a magnetometer: checked, and on rides used (9D heading) where
    the field is trustworthy. pelvis: a sacrum sensor on the same time grid; hip angles are then
    against the measured pelvis."""
    params = params or AnalysisParams()
    if primary_motion not in PRIMARY:
        raise ValueError(f"unknown primary motion {primary_motion!r}; known: {', '.join(PRIMARY)}")
    if len(time_s) < 2:
        raise ValueError("need at least two samples")
    rate_hz = float(1.0 / np.median(np.diff(time_s)))
    duration = float(time_s[-1] - time_s[0])
    gyr, bias = without_still_bias(gyr, acc, rate_hz, params)
    # float32 orientation: its 1e-7 rounding is far below sensor noise, and it halves what a long recording keeps
    quat = estimate_orientation(gyr, acc, rate_hz, params=params.vqf, windows=params.windows, dtype=np.float32)
    field_check = None
    if mag is not None:
        field_check = assess_field(mag, up_in_sensor_frame(quat), rate_hz, params.mag)
    still = still_mask(gyr, acc, rate_hz, params.calibration)
    head = calibration_search_end(time_s, still, rate_hz, params.calibration)
    try:
        calibration = find_calibration(time_s[:head], gyr[:head], acc[:head], quat[:head], rate_hz, params.calibration)
    except CalibrationNotFoundError as err:
        return ThighAnalysis(side, primary_motion, duration, None, str(err), None, None, None,
                             magnetometer=field_check)
    # Rides only, for now: on seated and lying exercises the 9D heading (hard iron fitted, soft iron
    # not) measured worse than rests + loop closure (rotation up to 4.9° vs 1.6° mean RMSE at 2 °/s bias).
    # On rides the pedalling axis holds the heading; the 9D heading only bounds the drift where that
    # axis is not seen (analysis.ride_heading): its tilt-dependent error (no soft-iron fit) put into
    # the orientation itself measured worse than the 6D one (knee tracking 3.8° vs 1.3° RMSE).
    if counting == "ride" and field_check is not None and field_check.usable \
            and not field_check.trusted[stand_mask(time_s, calibration, params.ride_heading)].all():
        # its heading change is measured from the calibration stand: a bent field there ties it to nothing
        field_check = replace(field_check, problem="field disturbed during the calibration stand")
    use_mag = counting == "ride" and field_check is not None and field_check.usable
    mag_turn = None
    if mag is not None and field_check is not None and use_mag:
        quat9 = estimate_orientation(gyr, acc, rate_hz, mag - field_check.hard_iron_ut, params=params.vqf,
                                     windows=params.windows)
        mag_turn = heading_turn(quat, quat9)
        del quat9

    column, motions = PRIMARY[primary_motion]
    thigh = thigh_quaternions(quat, calibration)
    if counting != "ride":          # only rides read the sensor's own orientation again: let it go
        del quat
    pelvis_cal, pelvis_problem, pelvis_q = None, None, None
    if pelvis is not None:
        pelvis_gyr, _ = without_still_bias(pelvis.gyr, pelvis.acc, rate_hz, params)
        pelvis_quat = estimate_orientation(pelvis_gyr, pelvis.acc, rate_hz, params=params.vqf, windows=params.windows)
        try:
            pelvis_cal = calibrate_pelvis(time_s, pelvis.acc, pelvis_quat, calibration, params.pelvis)
            pelvis_q = pelvis_quaternions(pelvis_quat, pelvis_cal)
        except PelvisCalibrationError as err:
            pelvis_problem = str(err)
    hi = len(time_s)                # events end here: where the pelvis left the posture after the last rest
    if pelvis_q is not None and counting != "ride":
        # Hip angles are then the femur against the measured pelvis, so a rest is where those hold
        # still: the thigh alone rests while the person lies back (the pelvis turns 90° under a still
        # thigh), and such a "rest" put the neutral level between sitting and lying, so no rep or
        # hold paired with it (figure-four, hamstring stretch) or a phantom one did.
        rough = HipAngles(time_s, measured_hip_angles(pelvis_q, thigh, side), np.zeros(len(time_s)))
        tilt = pelvis_angles(time_s, pelvis_q, calibration.heading_rad).angles_deg[:, 0]
        rests = rests_in_posture(time_s, gyr, acc, rough, calibration, posture, rate_hz, params, still, tilt)
        if len(rests):          # getting up comes back to a standing hip's neutral: it is no rep
            away = np.abs(tilt[rests[-1, 1]:] - POSTURE_PITCH_DEG[posture]) > params.pelvis_posture_deg
            left = drop_short(runs(away), max(1, round(params.pelvis_posture_exit_s * rate_hz)))
            hi = int(rests[-1, 1] + left[0, 0]) if len(left) else hi
        del tilt
    else:
        rough = hip_angles(time_s, thigh, calibration, side, posture)
        rests = rests_in_posture(time_s, gyr, acc, rough, calibration, posture, rate_hz, params, still)
    del rough
    window = (int(rests[0, 0]), int(rests[-1, 1])) if len(rests) else \
        (int(np.searchsorted(time_s, calibration.end_s)), len(time_s))
    stand = (time_s >= calibration.start_s) & (time_s <= calibration.end_s)
    measured: PelvisAngles | None = None
    fixes: tuple[str, ...]
    counted_deg: FloatArray | None = None       # the angles events are counted on, when not the final ones
    counted_column = column
    if counting == "ride":                 # the pedalling axis tells the heading (analysis/ride_heading.py)
        heading = ride_heading(time_s, gyr, acc, quat, thigh, still, calibration, params.ride_heading, mag_turn,
                               None if field_check is None else field_check.trusted)
        angles = ride_hip_angles(time_s, thigh, calibration, side, posture, heading)
        observed, fixes = stand | heading.observed, ("pedalling_axis",)
        if heading.magnetometer is None:
            use_mag = False             # no trusted stretch long enough to count: the magnetometer took no part
        else:
            observed |= heading.magnetometer
        if pelvis_q is not None:
            measured = pelvis_angles(time_s, pelvis_q, calibration.heading_rad)
    elif pelvis_q is not None:             # the femur against the measured pelvis (analysis/pelvis.py)
        drift = relative_drift_rad(time_s, thigh, pelvis_q, rests)
        pelvis_q = q.multiply(q.about_z(drift), pelvis_q)
        angles = HipAngles(time_s, measured_hip_angles(pelvis_q, thigh, side), np.rad2deg(drift))
        measured = pelvis_angles(time_s, pelvis_q, calibration.heading_rad)
        observed, fixes = stand | rest_mask(len(time_s), rests), ("rests", "pelvis_sensor")
    else:
        angles = hip_angles(time_s, thigh, calibration, side, posture, rests)
        anchors = rests[angles.anchor_rests]          # only rests the drift fit paired in one pose observe heading
        observed, fixes = stand | rest_mask(len(time_s), anchors), ("rests",)
        closure = find_loop_closure(
            time_s, still, thigh, calibration, np.radians(angles.heading_correction_deg), params.loop_closure)
        if closure is not None:    # ended standing as it began: the drift left is known
            # events count on the angles before the closure (below); only their primary column is kept
            counted_deg, counted_column = angles.angles_deg[:, column:column + 1].copy(), 0
            closed = np.radians(angles.heading_correction_deg, dtype=np.float64)
            closed += closure_ramp(time_s, closure, calibration)
            anchor_rests = angles.anchor_rests
            del angles                                # a day-long recording's angles are not kept twice
            angles = corrected_hip_angles(time_s, thigh, calibration, side, posture, closed, anchor_rests)
            observed = observed | rest_mask(len(time_s), np.array([closure.stand]))
            fixes = (*fixes, "loop_closure")
    source: tuple[str, ...] = ("6d", *fixes)
    if field_check is not None and use_mag:
        source = ("9d", "magnetometer", *fixes)
    elif field_check is not None and not field_check.usable:
        source = (*source, "magnetometer_disturbed")

    lo = window[0]                 # a rep may end after the last rest; getting up never comes back
    # Events from the angles the live preview had (it cannot know the loop closure at the end), so
    # what was counted on screen is what is stored; held angles are then read from the closed ones.
    rocking = None if measured is None or counting != "ride" else \
        low_pass(measured.angles_deg[lo:], params.pelvis.ride_smooth_hz, rate_hz)
    del thigh                      # from here on, angles only
    counted = angles.angles_deg if counted_deg is None else counted_deg
    reps, holds, ride = events_after_calibration(counting, time_s[lo:hi], counted[lo:hi], counted_column, motions,
                                np.clip(rests - lo, 0, hi - lo), rate_hz, params, rocking)
    if counted_deg is not None:
        holds = tuple(replace(h, angle_deg=float(np.mean(angles.angles_deg[
            np.searchsorted(time_s, h.start_s):np.searchsorted(time_s, h.end_s, "right"), column]))) for h in holds)
    end = max(window[1], int(np.searchsorted(time_s, max((r.end_s for r in reps), default=0.0), "right")))
    pelvis_range = None
    if measured is not None:
        smooth = smoothed(measured, rate_hz, params.pelvis)
        reps, holds = with_pelvis(time_s, smooth, reps, holds, params.pelvis)
        pelvis_range = motion_in(time_s, smooth, float(time_s[lo]), float(time_s[end - 1]))
    residual = residual_bias_dps(bias.still_s, params.confidence)
    confidence = replace(params.confidence, residual_bias_dps=residual,
                         bias_change_dps=residual - params.confidence.residual_bias_dps)
    if counting == "ride":
        confidence = replace(confidence, floor_deg=confidence.ride_floor_deg)
    uncertainty = heading_uncertainty_deg(time_s, observed, confidence)
    after = int(np.searchsorted(time_s, calibration.end_s, "right"))
    if source == ("6d", "rests") and observed[after:].any():    # no absolute heading after the calibration
        first = after + int(observed[after:].argmax())
        uncertainty = relative_anchors(time_s, uncertainty, first, calibration.end_s, confidence)
    return ThighAnalysis(side, primary_motion, duration, calibration, None, angles,
                         (float(time_s[lo]), float(time_s[end - 1])), Peaks.over(angles.angles_deg[lo:end]),
                         holds, reps, group_sets(reps, params.events), ride,
                         motion_confidence(uncertainty[lo:end], confidence), source, field_check,
                         pelvis_cal, measured, pelvis_range, pelvis_problem)


def without_still_bias(gyr: FloatArray, acc: FloatArray, rate_hz: float,
                       params: AnalysisParams) -> tuple[FloatArray, GyroBias]:
    """The gyro less the bias its still spells show (analysis.gyro_bias: VQF only learns ±2 °/s)."""
    bias = still_spell_bias(gyr, acc, still_mask(gyr, acc, rate_hz, params.calibration), rate_hz, params.gyro_bias)
    if bias.still_s == 0.0:
        return gyr, bias
    return gyr - bias.bias_radps.astype(gyr.dtype), bias     # in gyr's dtype: no float64 copy of a day's gyro


def events_after_calibration(counting: str, time_s: FloatArray, angles_deg: FloatArray, column: int,
                             motions: tuple[str, str], rests: NDArray[np.intp], rate_hz: float, params: AnalysisParams,
                             pelvis_deg: FloatArray | None = None
                             ) -> tuple[tuple[RepEvent, ...], tuple[HoldEvent, ...], RideMetrics | None]:
    """Reps, holds (or ride metrics) from the angles after the exercise began (also the live preview's).

    pelvis_deg: rides, the measured pelvis angles on the same samples (per-stroke rocking)."""
    if len(time_s) < 2:                     # stopped right after the calibration: nothing to count
        return (), (), None
    if counting == "ride":
        return (), (), analyse_ride(time_s, angles_deg, params.ride, pelvis_deg)
    primary = angles_deg[:, column]
    if counting == "cycles":
        sign = -1.0 if motions[0] == "" else 1.0
        cycles = detect_cycles(time_s, sign * primary, motions[0] or motions[1], rate_hz, params.events)
        return tuple(RepEvent(r.motion, r.start_s, r.end_s, sign * r.peak_deg) for r in cycles), (), None
    reps = detect_excursions(time_s, primary, rests, motions, params.events)
    return reps, detect_holds(time_s, primary, reps, rate_hz, params.events), None


def rests_in_posture(time_s: FloatArray, gyr: FloatArray, acc: FloatArray, angles: HipAngles,
                      calibration: Calibration, posture: str, rate_hz: float,
                      params: AnalysisParams, still: NDArray[np.bool_] | None = None,
                      pelvis_tilt_deg: FloatArray | None = None) -> NDArray[np.intp]:
    """(K, 2) index runs where the thigh rests, after calibration, at a flexion the posture allows.

    still: still_mask(gyr, acc) if already known (it is the same whole-recording pass).
    pelvis_tilt_deg: the measured pelvis's tilt when angles are against it; a rest must then also
    have the pelvis in the posture (standing or sitting up reads as a supine hip's neutral or 90°)."""
    window = round(params.min_rest_s * rate_hz)
    steady = rolling_range(angles.angles_deg[:, 0], window) < params.rest_range_deg
    for k in (1, 2):            # one column at a time: no stack of three (N,) ranges
        steady &= rolling_range(angles.angles_deg[:, k], window) < params.rest_range_deg
    if still is None:
        still = still_mask(gyr, acc, rate_hz, params.calibration)
    rests = drop_short(runs(steady & still), window)
    rests = rests[time_s[rests[:, 0]] >= calibration.swings_end_s - 0.5]  # the rest closing the calibration counts
    low, high = POSTURE_FLEXION_RANGE_DEG[posture]
    flexion = np.array([np.median(angles.flexion_deg[a:b]) for a, b in rests])
    keep = (flexion >= low) & (flexion <= high)
    if pelvis_tilt_deg is not None and len(rests):
        tilt = np.array([np.median(pelvis_tilt_deg[a:b]) for a, b in rests])
        keep &= np.abs(tilt - POSTURE_PITCH_DEG[posture]) <= params.pelvis_posture_deg
    return rests[keep] if len(rests) else rests


CALIBRATION_TAIL_S = 60.0
"""Seconds of recording kept after the last possible stand's end plus the swing phase (settling)."""


def calibration_search_end(time_s: FloatArray, still: NDArray[np.bool_], rate_hz: float,
                           params: CalibrationParams) -> int:
    """How many samples the calibration search needs to see (all of them for a short recording).

    Why: the protocol starts within search_s; after its stand come at most max_swing_phase_s of
    swings and then the settle. Passing only this head keeps the search's copies of gyr and acc
    small on a day-long recording, and gives the same calibration."""
    spells = runs(still)
    search_end = np.searchsorted(time_s, time_s[0] + params.search_s)
    starting = spells[spells[:, 0] < search_end]
    last_stand_end = int(starting[-1, 1]) if len(starting) else int(search_end)
    until = time_s[min(last_stand_end, len(time_s) - 1)] + params.max_swing_phase_s + params.settle_report_s \
        + CALIBRATION_TAIL_S
    return int(np.searchsorted(time_s, until, "right"))

