"""The causal variant of detect_holds: a hold timer that runs during the hold.

Same definition as the batch detector (analysis.events): the angles are smoothed by the same
zero-phase low-pass, still means slower than still_speed_dps with tremor gaps under still_gap_s
closed, a hold lasts min_hold_s or more at least min_excursion_deg from the resting level, its
still pieces chain by same_hold, and its edges go out to where the angle is within arrival_deg of
the held level, or on a slow approach or release to where its fitted tail is within settle_deg
(fitted_start, fitted_end). What differs is only that it cannot see the future:

- it works on samples whose smoothing is final (low_pass_reach samples behind the newest);
- it confirms a hold once its still pieces, chained back as in batch, span min_hold_s up to the
  newest still sample (held_long_enough), and ends it once the angle has
  left the held level by more than hold_band_deg (or approach_fit_deg + arrival_deg, what a slow
  release's fit needs in view) or a still piece that does not chain begins;
- the resting level is the last still spell that was not a hold (batch: the rest the rep returns
  to), and of a rep's still pieces it keeps those it confirmed, where the batch keeps the one
  nearest the rep's peak. Requiring min_hold_s (not a shorter timer of its own) is what keeps the
  still moments of getting into a stretch from showing as holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from analysis.events import (
    EventParams,
    HoldEvent,
    edge_samples,
    extend_end,
    fitted_end,
    fitted_start,
    held_long_enough,
    low_pass,
    low_pass_reach,
    same_hold,
    still_pieces,
)

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class HoldTrackerParams:
    window_s: float = 4.0
    """How much recent history each update looks at: min_hold_s, the smoothing's reach and the
    approach that fitted_start looks back into."""
    min_rest_s: float = 0.5
    """A still spell near rest this long (re)defines the resting level (AnalysisParams.min_rest_s:
    a short return to neutral between holds is a rest)."""
    level_s: float = 0.5
    """Where the leg is now: the mean of the last level_s of settled samples."""
    approach_s: float = 2.0
    """How far before a still spell to look for the other angles moving (_repositioned)."""
    reposition_deg: float = 10.0
    """The other angles moving this much means a new position (a set-up takes 20°+), not a hold
    (flexing a thigh 85° shows a few degrees in them: calibration cross-talk)."""


@dataclass
class _Spell:
    """One still spell (all three angles still): when it began, its last still sample, running sums."""

    start_s: float
    last_s: float
    count: int = 0
    totals_deg: FloatArray = field(default_factory=lambda: np.zeros(3))
    rest: bool = False
    """Still near the resting level (or the first rest in the posture) for min_rest_s."""
    hold: bool = False
    """The spell is (part of) the current hold."""

    def add(self, time_s: FloatArray, angles_deg: FloatArray) -> None:
        if len(time_s):
            self.last_s = float(time_s[-1])
            self.count += len(time_s)
            self.totals_deg += angles_deg.sum(axis=0)

    @property
    def means_deg(self) -> FloatArray:
        return self.totals_deg / max(self.count, 1)

    @property
    def duration_s(self) -> float:
        return self.last_s - self.start_s


@dataclass
class _Hold:
    """A confirmed hold: its samples so far, and once its last still piece is over, where it ends."""

    hold_motion: str
    start_s: float
    last_s: float
    times_s: list[FloatArray] = field(default_factory=list)
    values_deg: list[FloatArray] = field(default_factory=list)
    """Primary angle from start_s on, unsmoothed (the hold's angle_deg is their mean, as in batch)."""
    still_end_s: float | None = None
    """Last still sample of the last still piece once that piece is over (None while still)."""
    end_level_deg: float = 0.0
    """Smoothed level over the last edge of that piece: the hold ends where the angle leaves it."""
    end_s: float | None = None
    """The hold's end edge, once the angle has left end_level_deg by arrival_deg."""

    def add(self, time_s: FloatArray, primary_deg: FloatArray) -> None:
        if len(time_s):
            self.times_s.append(time_s.copy())
            self.values_deg.append(primary_deg.copy())
            self.last_s = max(self.last_s, float(time_s[-1])) if self.still_end_s is None else self.last_s

    @property
    def duration_s(self) -> float:
        return self.last_s - self.start_s

    def event(self, end_s: float) -> HoldEvent:
        times, values = np.concatenate(self.times_s), np.concatenate(self.values_deg)
        values = values[times <= end_s]
        return HoldEvent(self.hold_motion, self.start_s, end_s, float(values.mean()), float(values.std()))


@dataclass
class HoldTracker:
    """Feed it every new stretch of post-calibration angles; it reports holds as they start and end."""

    column: int
    """Which hip angle (0 flexion, 1 abduction, 2 rotation) the exercise is about."""
    motions: tuple[str, str]
    """(name of a hold above the resting level, name below); an empty name is not a hold."""
    rate_hz: float
    flexion_range_deg: tuple[float, float]
    """Resting flexion the exercise's posture allows (rests outside it are getting in or out)."""
    events: EventParams = field(default_factory=EventParams)
    params: HoldTrackerParams = field(default_factory=HoldTrackerParams)
    rest_deg: FloatArray | None = None
    """The three angles where the leg last rested (None until a rest in the posture has ended)."""
    _spell: _Spell | None = None
    _hold: _Hold | None = None
    _last_hold_deg: float | None = None
    _level_deg: FloatArray = field(default_factory=lambda: np.zeros(3))
    """The three smoothed angles over the last level_s of settled samples: where the leg is now."""
    _settled_s: float = -np.inf
    """Time of the newest sample already taken in (its smoothing final)."""
    _pieces: list[tuple[float, float, float]] = field(default_factory=list)
    """(start_s, last_s, level_deg) of the last still spells that were not holds: a hold chains
    back into the ones at its level, as detect_holds chains a hold's pieces both ways."""

    @property
    def holding(self) -> _Hold | None:
        """The hold in progress (confirmed, not yet ended)."""
        return self._hold

    @property
    def still_s(self) -> float:
        """How long the leg has been still, wherever it is (0 when it moves)."""
        return 0.0 if self._spell is None else self._spell.duration_s

    @property
    def rested_s(self) -> float:
        """How long the leg has been still at the resting level (0 when it is not)."""
        s = self._spell
        return s.duration_s if s is not None and s.rest else 0.0

    def update(self, time_s: FloatArray, angles_deg: FloatArray, new: int) -> list[tuple[str, HoldEvent]]:
        """time_s (N,), angles_deg (N, 3): the recent history, ending with the newest samples.

        Returns ("started" | "ended", hold) pairs in time order; a started hold's end_s is its start.
        Still means all three angles are still: sitting down does not turn the thigh, yet it is
        no hold, and it ends the rest that came before. `new` is kept for the caller's window.
        """
        settled = len(time_s) - low_pass_reach(self.events.smooth_hz, self.rate_hz)
        if settled < 3:
            return []
        t = time_s[:settled]
        fresh = int(np.searchsorted(t, self._settled_s, "right"))
        if fresh >= settled:
            return []
        self._settled_s = float(t[-1])
        smooth = low_pass(angles_deg, self.events.smooth_hz, self.rate_hz)[:settled]
        primary = smooth[:, self.column]
        self._level_deg = smooth[-max(1, round(self.params.level_s * self.rate_hz)):].mean(axis=0)
        if self._hold is not None:
            self._hold.add(t[fresh:], angles_deg[fresh:settled, self.column])
        spells = still_pieces(t, smooth, self.rate_hz, self.events)
        gap = round(self.events.still_gap_s * self.rate_hz)
        ongoing = len(spells) > 0 and spells[-1, 1] >= settled - gap
        reports: list[tuple[str, HoldEvent]] = []
        if self._spell is not None and (not ongoing or self._began_anew(t, int(spells[-1, 0]))):
            self._end_spell(t, primary)
        if ongoing:
            self._extend_spell(t, angles_deg[:settled], spells[-1])
        if self._hold is not None and self._hold.still_end_s is not None:
            reports += self._resolve(t, primary)
        return reports + self._classify(t, smooth, angles_deg[:settled, self.column])

    def finish(self) -> list[tuple[str, HoldEvent]]:
        """The recording ended: a hold in progress ends with it."""
        hold, self._hold = self._hold, None
        if hold is None:
            return []
        return [("ended", hold.event(hold.end_s if hold.end_s is not None else hold.last_s))]

    # -- spells ------------------------------------------------------------------------------------
    def _began_anew(self, time_s: FloatArray, start: int) -> bool:
        """The trailing spell is a new one (the previous ended between two updates)."""
        assert self._spell is not None
        return start > 0 and float(time_s[start]) > self._spell.last_s + self.events.still_gap_s

    def _extend_spell(self, time_s: FloatArray, angles_deg: FloatArray, run: NDArray[np.intp]) -> None:
        """Take in the trailing still run's samples not taken in yet (a new spell begins at the run)."""
        if self._spell is None:
            self._spell = _Spell(float(time_s[run[0]]), float(time_s[run[0]]))
            first = int(run[0])
        else:
            first = int(np.searchsorted(time_s, self._spell.last_s, "right"))
        self._spell.add(time_s[first:run[1]], angles_deg[first:run[1]])

    def _end_spell(self, time_s: FloatArray, primary: FloatArray) -> None:
        """The spell is over: a rest becomes the resting level; a hold's last still piece is over."""
        s, self._spell = self._spell, None
        assert s is not None
        a, b = np.searchsorted(time_s, [s.start_s, s.last_s + 1e-9])
        level_deg = float(primary[a:b].mean()) if b > a else float(s.means_deg[self.column])
        self._pieces = [] if s.hold else [*self._pieces[-3:], (s.start_s, s.last_s, level_deg)]
        if s.rest:
            self.rest_deg, self._last_hold_deg = s.means_deg, None
        if s.hold and self._hold is not None:
            b = int(np.searchsorted(time_s, s.last_s, "right"))
            a = int(np.searchsorted(time_s, self._hold.start_s))
            self._hold.still_end_s, self._hold.last_s = s.last_s, s.last_s
            self._hold.end_level_deg = float(primary[max(a, b - edge_samples(self.rate_hz)):b].mean()) if b > a \
                else float(s.means_deg[self.column])           # the spell is out of the window: its mean

    # -- holds -------------------------------------------------------------------------------------
    def _resolve(self, time_s: FloatArray, primary: FloatArray) -> list[tuple[str, HoldEvent]]:
        """The hold's still piece is over: does a chained piece follow, or has the angle left?"""
        hold = self._hold
        assert hold is not None and hold.still_end_s is not None
        a, b = int(np.searchsorted(time_s, hold.start_s)), int(np.searchsorted(time_s, hold.still_end_s, "right"))
        if hold.end_s is None and b < len(time_s):
            # Its last still samples may have scrolled out of the window (the leg moving in another plane
            # while this angle stays at the held level): the level measured when the spell ended stands in.
            end = (fitted_end(primary, a, b, len(time_s), self.rate_hz, self.events, open_ended=True) if b > a
                   else extend_end(primary, a, b, len(time_s), self.rate_hz, self.events, hold.end_level_deg))
            hold.end_s = float(time_s[end - 1]) if end < len(time_s) else None
        s = self._spell
        if s is not None:                                  # a new still piece began
            level = float(np.mean(primary[int(np.searchsorted(time_s, s.start_s)):]))
            if same_hold(level, hold.end_level_deg, s.start_s - hold.still_end_s, self.events):
                hold.still_end_s = hold.end_s = None       # tremor broke the hold: it goes on
                s.hold = True
                return []
            return self._close_hold()
        if abs(float(primary[-1]) - hold.end_level_deg) > self._leave_deg:
            if hold.end_s is None and a < b < len(time_s):
                end = fitted_end(primary, a, b, len(time_s), self.rate_hz, self.events)
                hold.end_s = float(time_s[end - 1]) if end < len(time_s) else None
            return self._close_hold()
        return []

    @property
    def _leave_deg(self) -> float:
        """The angle this far from the held level has left it: hold_band_deg, or far enough that a
        slow release's tail fit (fitted_end) sees all it needs, whichever is more."""
        return max(self.events.hold_band_deg, self.events.approach_fit_deg + self.events.arrival_deg)

    def _close_hold(self) -> list[tuple[str, HoldEvent]]:
        hold, self._hold = self._hold, None
        assert hold is not None and hold.still_end_s is not None
        event = hold.event(hold.end_s if hold.end_s is not None else hold.still_end_s)
        self._last_hold_deg = event.angle_deg
        return [("ended", event)]

    def _classify(self, time_s: FloatArray, smooth: FloatArray, raw_deg: FloatArray) -> list[tuple[str, HoldEvent]]:
        """Hold or rest, from where the leg is now? Re-decided at every update until a hold is
        confirmed: a spell that began on a slow approach shows its level once the approach is over.
        smooth: the three angles smoothed, raw_deg: the exercise's angle as measured (settled samples).

        A spell reached by moving the other angles too is a new resting position (getting into the
        exercise's set-up), not a hold: the batch detector sees it as the rest its reps start from."""
        primary = smooth[:, self.column]
        s = self._spell
        if s is None or s.hold or self._hold is not None:
            return []
        low, high = self.flexion_range_deg
        if not low <= self._level_deg[0] <= high:
            return []
        s.rest = False
        if self.rest_deg is None or not self._is_exercise_move() or self._repositioned(time_s, smooth, s):
            s.rest = s.duration_s >= self.params.min_rest_s
            return []
        offset = self._level_deg[self.column] - self.rest_deg[self.column]
        motion = self.motions[0] if offset > 0 else self.motions[1]
        if not motion:
            return []
        chained_start_s = self._chained_start_s(time_s, primary, s)
        if not held_long_enough(chained_start_s, s.last_s, self.events):
            return []
        a = fitted_start(primary, int(np.searchsorted(time_s, chained_start_s)), 0, len(primary), self.rate_hz,
                         self.events)
        s.hold = True
        self._hold = _Hold(motion, float(time_s[a]), s.last_s)
        self._hold.add(time_s[a:], raw_deg[a:])
        return [("started", HoldEvent(motion, self._hold.start_s, self._hold.start_s, float(raw_deg[a:].mean()),
                                      float(raw_deg[a:].std())))]

    def _chained_start_s(self, time_s: FloatArray, primary: FloatArray, s: _Spell) -> float:
        """Where the hold's first still piece began: earlier pieces at its level are part of it."""
        start_s, last_s = s.start_s, s.last_s
        level = float(primary[int(np.searchsorted(time_s, s.start_s)):].mean())
        for piece_start_s, piece_last_s, piece_deg in reversed(self._pieces):
            apart_s = 0.5 * (start_s + last_s - piece_start_s - piece_last_s)
            if piece_start_s < time_s[0] or not same_hold(piece_deg, level, apart_s, self.events):
                break
            start_s, last_s, level = piece_start_s, piece_last_s, piece_deg
        return start_s

    def _repositioned(self, time_s: FloatArray, smooth: FloatArray, s: _Spell) -> bool:
        """The other angles moved (more than reposition_deg) in the approach_s before the spell."""
        a, b = np.searchsorted(time_s, [s.start_s - self.params.approach_s, s.start_s])
        others = np.delete(smooth[a:b + 1], self.column, axis=1)
        return bool(len(others) > 1 and np.ptp(others, axis=0).max() > self.params.reposition_deg)

    def _is_exercise_move(self) -> bool:
        """Away from rest in the exercise's angle, and not part of the way back from a hold."""
        assert self.rest_deg is not None
        offset = self._level_deg[self.column] - self.rest_deg[self.column]
        if abs(offset) < self.events.min_excursion_deg:
            return False
        back = self._last_hold_deg
        if back is not None:
            hold_offset = back - self.rest_deg[self.column]
            return not (offset * hold_offset > 0 and abs(offset) < abs(hold_offset) - self.events.hold_band_deg)
        return True
