"""Live preview of a thigh recording: calibration steps, hip angles, holds, reps and sets as they happen.

Fed block by block as samples arrive, it reuses the batch algorithms instead of having its own:
VQF runs sample by sample (LiveOrientation, the causal twin of the batch filter), find_calibration
is retried on the buffered start until it succeeds, and reps come from the pipeline's own rest and
excursion detectors re-run on the recent history twice a second (vectorised; a block costs a
quaternion product). Only the hold timer is causal by construction (live_holds). The analysis at
the end of the session stays the authoritative one: this is what a screen shows meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import replace as _replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from analysis.angles import HipAngles, hip_angles, thigh_quaternions
from analysis.calibration import Calibration, CalibrationNotFoundError, find_calibration
from analysis.events import RepEvent, SetEvent, extend_sets
from analysis.live_calibration import alignment_residual_deg, calibration_progress
from analysis.live_events import (
    Calibrated,
    CalibrationFailed,
    HoldEnded,
    HoldStarted,
    LiveEvent,
    RepCounted,
    SetEnded,
    StoodStill,
    SwingSeen,
)
from analysis.live_history import History
from analysis.live_holds import HoldTracker, HoldTrackerParams
from analysis.live_trace import RecentTrace, Trace
from analysis.orientation import LiveOrientation
from analysis.pipeline import POSTURE_FLEXION_RANGE_DEG, PRIMARY, AnalysisParams
from analysis.pipeline import events_after_calibration as pipeline_events
from analysis.pipeline import rests_in_posture as pipeline_rests

FloatArray = NDArray[np.float64]

Phase = Literal["waiting_still", "swings", "settling", "exercising", "uncalibrated"]


@dataclass(frozen=True, slots=True)
class LiveParams:
    analysis: AnalysisParams = field(default_factory=AnalysisParams)
    holds: HoldTrackerParams = field(default_factory=HoldTrackerParams)
    calibration_every_s: float = 0.25
    """Retry the calibration (and update its progress) this often, in data time."""
    events_every_s: float = 0.5
    """Re-run the rep detectors this often, in data time (bounded cost, deterministic in tests)."""
    events_window_s: float = 240.0
    """At most this much history (the seeds' longest hold, 3 min, with its approach, release and
    rests): bounds the cost of a pass (~15 ms here at 100 Hz)."""
    cycle_margin_s: float = 1.0
    """A cycle (shift, circle) counts once its trough is this far behind the newest sample."""
    min_cycles: int = 4
    """Cycles count once the detector sees this many: its 'share of the typical swing' test needs them."""
    set_rest_s: float = 3.0
    """A set ends when the leg has rested this long, set_gap_s after its last rep (a short pause
    between reps, or a rep the detectors have not counted yet, must not end it)."""


@dataclass(frozen=True, slots=True)
class LiveState:
    time_s: float = 0.0
    """Data time of the newest sample, since the first one."""
    phase: Phase = "waiting_still"
    still_s: float = 0.0
    """Standing still so far (step 1), or at rest after the swings (step 3)."""
    swings: int = 0
    calibration: Calibration | None = None
    problem: str | None = None
    """Why there is no calibration yet (or, once 'uncalibrated', at all)."""
    angles_deg: tuple[float, float, float] | None = None
    """Newest flexion, abduction, internal rotation (SPEC §2 signs)."""
    primary_index: int = 0
    """Which of angles_deg the exercise is about."""
    hold_s: float | None = None
    """How long the current hold has lasted; None when not holding."""
    last_hold_s: float | None = None
    """How long the last finished hold lasted (what the log just said), until the next one starts."""
    hold_motion: str | None = None
    reps: int = 0
    sets_done: int = 0
    reps_in_set: int = 0
    """Reps of the set in progress (0 between sets)."""
    best_deg: float | None = None
    """Furthest signed peak of this session's reps in the exercise's direction."""

    @property
    def primary_deg(self) -> float | None:
        return None if self.angles_deg is None else self.angles_deg[self.primary_index]


class LiveAnalyzer:
    """One thigh sensor's samples in, LiveState and LiveEvents out. Not thread-safe; feed it from one task."""

    def __init__(self, rate_hz: float, side: str, primary_motion: str, posture: str, counting: str = "excursions",
                 params: LiveParams | None = None) -> None:
        if primary_motion not in PRIMARY:
            raise ValueError(f"unknown primary motion {primary_motion!r}; known: {', '.join(PRIMARY)}")
        if posture not in POSTURE_FLEXION_RANGE_DEG:
            raise ValueError(f"unknown posture {posture!r}; known: {', '.join(POSTURE_FLEXION_RANGE_DEG)}")
        self._p = params or LiveParams()
        self._rate_hz, self._side, self._posture, self._counting = rate_hz, side, posture, counting
        self._column, self._motions = PRIMARY[primary_motion]
        self._orientation = LiveOrientation(rate_hz, self._p.analysis.vqf)
        self._history = History()
        self._trace = RecentTrace()
        """The primary angle over the last half minute (the live screen's scrolling trace)."""
        self._holds = HoldTracker(self._column, self._motions, rate_hz, POSTURE_FLEXION_RANGE_DEG[posture],
                                  self._p.analysis.events, self._p.holds)
        self._t0: float | None = None
        self._state = LiveState(primary_index=self._column)
        self._next_calibration_s = 0.0
        self._next_events_s = 0.0
        self._heading_correction_rad = 0.0
        self._reps: list[RepEvent] = []
        self._last_hold_s: float | None = None
        self._sets: tuple[SetEvent, ...] = ()
        self._sets_done = 0
        self._stood = False

    @property
    def state(self) -> LiveState:
        return self._state

    @property
    def trace(self) -> Trace:
        """The primary angle over the last half minute, NaN where not calibrated yet."""
        return self._trace.snapshot()

    @property
    def origin_s(self) -> float | None:
        """The first sample's time: event and calibration times count from it (None before any sample)."""
        return self._t0

    def feed(self, time_s: FloatArray, acc: FloatArray, gyr: FloatArray) -> tuple[LiveEvent, ...]:
        """A block of samples: time_s (M,) s increasing, acc (M, 3) m/s², gyr (M, 3) rad/s."""
        if len(time_s) == 0:
            return ()
        if self._t0 is None:
            self._t0 = float(time_s[0])
        t = np.asarray(time_s, dtype=float) - self._t0
        if self._history.size and t[0] <= self._history.time_s[-1]:
            keep = t > self._history.time_s[-1]               # never a repeated or out-of-order sample
            t, acc, gyr = t[keep], acc[keep], gyr[keep]
            if len(t) == 0:
                return ()
        events: list[LiveEvent] = []
        while len(t) and self._state.phase != "uncalibrated":
            cut = self._next_pass(t)
            events += self._feed_part(t[:cut], acc[:cut], gyr[:cut])
            t, acc, gyr = t[cut:], acc[cut:], gyr[cut:]
        if len(t):
            self._state = _replace(self._state, time_s=float(t[-1]))
        return tuple(events)

    def _next_pass(self, t: FloatArray) -> int:
        """How many of these samples come up to (and include) the next calibration retry or rep pass.

        Why cut there: a pass sees the history up to the sample that made it due, and the angles after it
        use what it found, exactly as if the samples had come one by one. So the preview does not depend on
        how samples were batched (per notification, per screen redraw): the same recording shows the same.
        """
        if self._state.calibration is None:
            due = self._next_calibration_s
        elif self._counting != "ride":
            due = self._next_events_s
        else:
            return len(t)
        return min(len(t), int(np.searchsorted(t, due)) + 1)

    def _feed_part(self, t: FloatArray, acc: FloatArray, gyr: FloatArray) -> list[LiveEvent]:
        """Samples up to the next pass at most (see _next_pass)."""
        now = float(t[-1])
        self._state = _replace(self._state, time_s=now)
        quat = self._orientation.update(gyr, acc)
        calibration = self._state.calibration
        angles = self._angles(quat, calibration) if calibration is not None else np.full((len(t), 3), np.nan)
        self._history.append(t, acc, gyr, quat, angles, self._heading_correction_rad)
        self._trace.append(t, angles[:, self._column])
        if calibration is None:
            return self._calibrate(now) if now >= self._next_calibration_s else []
        events: list[LiveEvent] = []
        if self._counting == "ride":                            # angles only: keep no more than that
            self._history.trim(self._history.size - len(t))
        else:
            events += self._track_holds(len(t))
            if now >= self._next_events_s:
                self._next_events_s = now + self._p.events_every_s
                events += self._count_reps(now, self._rep_margin_s())
            events += self._close_sets(now, final=False)
        flexion, abduction, rotation = (float(v) for v in angles[-1])
        self._state = self._with_counters(_replace(self._state, angles_deg=(flexion, abduction, rotation)))
        return events

    def finish(self) -> tuple[LiveEvent, ...]:
        """The recording ended: count what the last samples completed, close the hold and the set."""
        if self._state.calibration is None or self._counting == "ride":
            return ()
        now = self._state.time_s
        events = self._count_reps(now, 0.0)
        ended = [HoldEnded(now, hold) for _, hold in self._holds.finish()]
        self._last_hold_s = ended[-1].hold.duration_s if ended else self._last_hold_s
        events += [*ended, *self._close_sets(now, final=True)]
        self._state = self._with_counters(self._state)
        return tuple(events)

    # -- calibration -------------------------------------------------------------------------------
    def _calibrate(self, now: float) -> list[LiveEvent]:
        self._next_calibration_s = now + self._p.calibration_every_s
        h = self._history
        params = self._p.analysis.calibration
        try:
            calibration = find_calibration(h.time_s, h.gyr, h.acc, h.quat, self._rate_hz, params)
        except CalibrationNotFoundError as err:
            return self._progress(now, str(err))
        events = self._steps(now, True, calibration.swings)
        start = int(np.searchsorted(h.time_s, calibration.start_s))
        h.angles[start:] = self._angles(h.quat[start:], calibration)
        self._trace.replace_since(calibration.start_s, h.angles[start:, self._column])
        self._state = _replace(self._state, phase="exercising", calibration=calibration, problem=None, still_s=0.0,
                               swings=calibration.swings)
        return [*events, Calibrated(now, calibration, alignment_residual_deg(calibration))]

    def _progress(self, now: float, problem: str) -> list[LiveEvent]:
        h, params = self._history, self._p.analysis.calibration
        if now > params.search_s + params.max_swing_phase_s + params.min_stand_s + params.settle_report_s:
            self._state = _replace(self._state, phase="uncalibrated", problem=problem)
            return [CalibrationFailed(now, problem)]
        progress = calibration_progress(h.time_s, h.gyr, h.acc, self._rate_hz, params)
        events = self._steps(now, progress.stood, progress.swings)
        self._state = _replace(self._state, phase=progress.step, still_s=progress.still_s, swings=progress.swings,
                               problem=problem)
        return events

    def _steps(self, now: float, stood: bool, swings: int) -> list[LiveEvent]:
        """Announce protocol steps not announced yet (a big block can complete several at once)."""
        events: list[LiveEvent] = []
        if stood and not self._stood:
            events.append(StoodStill(now))
            self._stood = True
        events += [SwingSeen(now, k) for k in range(self._state.swings + 1, swings + 1)]
        return events

    # -- angles, holds, reps, sets -----------------------------------------------------------------
    def _angles(self, quat: FloatArray, calibration: Calibration) -> FloatArray:
        """Per-sample hip angles with the latest heading-drift correction (held since the last rest)."""
        shifted = _replace(calibration, heading_rad=calibration.heading_rad + self._heading_correction_rad)
        return hip_angles(np.zeros(len(quat)), thigh_quaternions(quat, calibration), shifted, self._side,
                          self._posture).angles_deg

    def _track_holds(self, new: int) -> list[LiveEvent]:
        h = self._history
        start = max(0, h.size - max(new, round(self._p.holds.window_s * self._rate_hz)))
        reports = self._holds.update(h.time_s[start:], h.angles[start:], new)
        if self._counting != "excursions":
            return []
        self._last_hold_s = next((hold.duration_s for kind, hold in reversed(reports) if kind == "ended"),
                                 self._last_hold_s)
        return [HoldStarted(self._state.time_s, hold.start_s, hold.motion, hold.angle_deg) if kind == "started"
                else HoldEnded(self._state.time_s, hold) for kind, hold in reports]

    def _rep_margin_s(self) -> float:
        """Back at rest this long before a rep counts: sweeping through rest is not a return."""
        return self._p.cycle_margin_s if self._counting == "cycles" else self._p.analysis.events.min_return_s

    def _count_reps(self, now: float, margin_s: float) -> list[LiveEvent]:
        """The pipeline's rests and rep detectors on the recent history; new reps are announced."""
        calibration, h, p = self._state.calibration, self._history, self._p.analysis
        assert calibration is not None
        capped = now - self._p.events_window_s > calibration.start_s
        h.trim(int(np.searchsorted(h.time_s, max(calibration.start_s, now - self._p.events_window_s))))
        t, gyr, acc = h.time_s, h.gyr, h.acc
        if len(t) < 2:
            return []
        rough = HipAngles(t, h.angles, np.degrees(h.heading))   # as shown: rests do not depend on heading
        rests = pipeline_rests(t, gyr, acc, rough, calibration, self._posture, self._rate_hz, p)
        if capped:
            rests = self._from_neutral(rests)
        angles = rough
        if len(rests) > 1:
            angles = self._drift_corrected(calibration, rests)
        lo = int(rests[0, 0]) if len(rests) else int(np.searchsorted(t, calibration.end_s))
        if len(t) - lo < 2:
            return []
        reps, _, _ = pipeline_events(self._counting, t[lo:], angles.angles_deg[lo:], self._column, self._motions,
                                     np.clip(rests - lo, 0, len(t) - lo), self._rate_hz, p)
        if self._counting == "cycles" and len(reps) < self._p.min_cycles:
            return []                                  # no typical swing yet to tell a cycle from a wobble
        last_end = self._reps[-1].end_s if self._reps else -np.inf
        events: list[LiveEvent] = []
        for rep in reps:
            if rep.end_s <= now - margin_s and 0.5 * (rep.start_s + rep.end_s) > last_end:
                events.append(self._add_rep(now, rep))
                last_end = rep.end_s
        return events

    def _from_neutral(self, rests: NDArray[np.intp]) -> NDArray[np.intp]:
        """A window cut out of a long session may begin inside a hold (a rest at the top of a rep,
        with no way to tell): start it at the first rest near where the leg rests."""
        neutral = self._holds.rest_deg
        if neutral is None:
            return rests
        primary = self._history.angles[:, self._column]
        near = [abs(float(np.median(primary[a:b])) - neutral[self._column]) <= self._p.analysis.events.hold_band_deg
                for a, b in rests]
        return rests[int(np.argmax(near)):] if any(near) else rests

    def _drift_corrected(self, calibration: Calibration, rests: NDArray[np.intp]) -> HipAngles:
        """The pipeline's heading-drift correction through the window's rests, continued from the
        correction earlier passes found at the window's first rest (it pins that rest at zero)."""
        h = self._history
        base_rad = float(h.heading[rests[0, 0]:rests[0, 1]].mean())
        shifted = _replace(calibration, heading_rad=calibration.heading_rad + base_rad)
        angles = hip_angles(h.time_s, thigh_quaternions(h.quat, calibration), shifted, self._side, self._posture,
                            rests)
        h.heading[:] = base_rad + np.radians(angles.heading_correction_deg)
        self._heading_correction_rad = float(h.heading[-1])
        return HipAngles(angles.time_s, angles.angles_deg, np.degrees(h.heading))

    def _add_rep(self, now: float, rep: RepEvent) -> RepCounted:
        """Group as the batch does (extend_sets, which group_sets is made of); announced sets stay closed."""
        self._sets = extend_sets(self._sets, rep, self._p.analysis.events, closed=self._sets_done)
        self._reps.append(rep)
        return RepCounted(now, rep, len(self._reps), len(self._sets))

    def _close_sets(self, now: float, final: bool) -> list[LiveEvent]:
        """A set ends once set_gap_s passed since its last rep with the leg at rest (or at the end)."""
        events: list[LiveEvent] = []
        while self._sets_done < len(self._sets):
            current = self._sets[self._sets_done]
            ready = now - current.end_s > self._p.analysis.events.set_gap_s and self._rested_s() >= self._p.set_rest_s
            if not (final or ready or self._sets_done < len(self._sets) - 1):
                break
            events.append(SetEnded(now, current, self._sets_done))
            self._sets_done += 1
        return events

    def _rested_s(self) -> float:
        """Cyclic exercises rest wherever the cycles left the leg (shifts: feet apart); others at rest."""
        return self._holds.still_s if self._counting == "cycles" else self._holds.rested_s

    def _with_counters(self, state: LiveState) -> LiveState:
        holding = self._holds.holding
        sign = -1.0 if not self._motions[0] else 1.0
        peaks = [sign * r.peak_deg for r in self._reps]
        return _replace(state, hold_s=None if holding is None else holding.duration_s, last_hold_s=self._last_hold_s,
                        hold_motion=None if holding is None else holding.hold_motion, reps=len(self._reps),
                        sets_done=self._sets_done,
                        reps_in_set=self._sets[-1].reps if len(self._sets) > self._sets_done else 0,
                        best_deg=sign * max(peaks) if peaks else None)
