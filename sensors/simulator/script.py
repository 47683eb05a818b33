"""A small language for scripting what a person does, with the ground truth written down as we go.

A script is a list of keyframed poses (see :mod:`sensors.simulator.trajectory`) plus the windows in
which the person holds, does a rep, or pedals. Truth values that depend on the exact trajectory
(mean angle of a hold, peak of a rep) are measured on the generated angles afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sensors.simulator.trajectory import CHANNELS, Keyframes

MOTIONS: dict[str, tuple[str, float]] = {
    "flexion": ("flex", 1.0),
    "extension": ("flex", -1.0),
    "abduction": ("abd", 1.0),
    "adduction": ("abd", -1.0),
    "internal_rotation": ("rot", 1.0),
    "external_rotation": ("rot", -1.0),
}
"""Motion name → (pose channel, sign of the motion in that channel), SPEC §2 signs."""

STANDING_PELVIS_HEIGHT_M = 0.93

STANDING: dict[str, float] = dict.fromkeys(CHANNELS, 0.0) | {"pelvis_height": STANDING_PELVIS_HEIGHT_M}


@dataclass(frozen=True, slots=True)
class Window:
    motion: str
    start_s: float
    end_s: float


@dataclass
class Script:
    """Mutable builder; call methods in the order the person moves."""

    rng: np.random.Generator
    osc_phase_rad: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """Phase of the flex/abd/rot oscillators relative to the shared oscillator phase."""
    now_s: float = 0.0
    _times: list[float] = field(default_factory=lambda: [0.0])
    _poses: list[dict[str, float]] = field(default_factory=lambda: [dict(STANDING)])
    holds: list[Window] = field(default_factory=list)
    reps: list[Window] = field(default_factory=list)
    sets: list[tuple[float, float, int]] = field(default_factory=list)
    calibration: tuple[float, float] | None = None
    cycles: list[Window] = field(default_factory=list)
    """Windows of steady cyclic movement (pedalling, circles, shifts); truth counts their cycles."""
    cycle_spans: list[tuple[float, float]] = field(default_factory=list)
    """The same movements including their ramps in and out."""
    standing: list[tuple[float, float]] = field(default_factory=list)
    """Rides: pedalling out of the saddle."""
    exercise_start_s: float = 0.0
    range_gain: float = 1.0
    """Scales how far holds and reps go from the posture (a person gaining or losing range)."""

    @property
    def pose(self) -> dict[str, float]:
        return self._poses[-1]

    def keyframes(self) -> Keyframes:
        values = np.array([[p[c] for c in CHANNELS] for p in self._poses])
        return Keyframes(np.array(self._times), values)

    # -- primitives -------------------------------------------------------------------------
    def move(self, duration_s: float, **targets: float) -> Script:
        """Move smoothly to new channel values (unnamed channels stay)."""
        unknown = set(targets) - set(CHANNELS)
        if unknown:
            raise ValueError(f"unknown pose channels {sorted(unknown)}")
        self.now_s += duration_s
        self._times.append(self.now_s)
        self._poses.append(self.pose | targets)
        return self

    def wait(self, duration_s: float) -> Script:
        return self.move(duration_s)

    def jitter(self, value: float, spread: float) -> float:
        """A person never repeats a movement exactly."""
        return float(value + self.rng.uniform(-spread, spread))

    # -- protocol pieces ---------------------------------------------------------------------
    def calibrate(self, still_s: float = 4.0, swings: int = 3, swing_deg: float = 60.0) -> Script:
        """SPEC §3: stand still, three slow forward leg swings (≥ 45°), stand still again."""
        start = self.now_s
        if still_s > 0:
            self.wait(still_s)
        for _ in range(swings):
            self.move(self.jitter(1.1, 0.15), flex=self.jitter(swing_deg, 8.0))
            self.move(self.jitter(1.1, 0.15), flex=0.0)
        if still_s > 0 or swings > 0:
            self.wait(2.0)
        self.calibration = (start, self.now_s)
        self.exercise_start_s = self.now_s
        return self

    def hold(self, motion: str, angle_deg: float, hold_s: float, *, approach_s: float = 2.0,
             release_s: float = 2.0, ease_deg: float = 0.0, back_to: float | None = None) -> Script:
        """Move the motion's channel to a signed angle, stay (easing a little deeper), come back."""
        channel, _ = MOTIONS[motion]
        back = self.pose[channel] if back_to is None else back_to
        angle_deg = self._scaled(channel, angle_deg)
        start = self.now_s
        self.move(approach_s, **{channel: angle_deg})
        hold_start = self.now_s
        self.move(hold_s, **{channel: angle_deg + ease_deg})
        self.holds.append(Window(motion, hold_start, self.now_s))
        self.move(release_s, **{channel: back})
        self.reps.append(Window(motion, start, self.now_s))
        return self

    def rep_set(self, motion: str, peak_deg: float, reps: int, *, hold_s: float = 0.0, out_s: float = 1.5,
                back_s: float = 1.5, pause_s: float = 1.5, spread_deg: float = 3.0,
                hold_range_s: tuple[float, float] | None = None,
                pause_range_s: tuple[float, float] | None = None) -> Script:
        """A set of reps; with hold_s > 0 each rep pauses at the top (an isometric hold).

        hold_range_s, pause_range_s: draw each hold and each pause at neutral from this range instead
        of jittering hold_s and pause_s (short holds, short returns to neutral)."""
        start = self.now_s
        for i in range(reps):
            peak = self.jitter(peak_deg, spread_deg)
            if hold_s > 0:
                held = (self.jitter(hold_s, 0.3 * hold_s) if hold_range_s is None
                        else float(self.rng.uniform(*hold_range_s)))
                self.hold(motion, peak, held, approach_s=self.jitter(out_s, 0.2),
                          release_s=self.jitter(back_s, 0.2))
            else:
                channel, _ = MOTIONS[motion]
                back = self.pose[channel]
                rep_start = self.now_s
                self.move(self.jitter(out_s, 0.2), **{channel: self._scaled(channel, peak)})
                self.move(self.jitter(back_s, 0.2), **{channel: back})
                self.reps.append(Window(motion, rep_start, self.now_s))
            if i < reps - 1:
                self.wait(self.jitter(pause_s, 0.3) if pause_range_s is None
                          else float(self.rng.uniform(*pause_range_s)))
        self.sets.append((start, self.now_s, reps))
        return self

    def _scaled(self, channel: str, angle_deg: float) -> float:
        base = self.pose[channel]
        return base + self.range_gain * (angle_deg - base)

    def oscillate(self, motion: str, duration_s: float, rate_hz: float, ramp_s: float = 2.0,
                  keep_amplitude: bool = False, **amplitudes: float) -> Script:
        """Cyclic movement (pedalling, circles, shifts) at rate_hz, ramping in and out.

        keep_amplitude leaves the limb where the cycle stopped (coasting with the cranks still),
        instead of returning to the keyframed pose.
        """
        ramp_start = self.now_s
        self.move(ramp_s, osc_rate_hz=rate_hz, **amplitudes)
        start = self.now_s
        self.move(duration_s)
        self.cycles.append(Window(motion, start, self.now_s))
        if keep_amplitude:
            self.move(ramp_s, osc_rate_hz=0.0)
        else:
            self.move(ramp_s, osc_rate_hz=0.0, **dict.fromkeys(amplitudes, 0.0))
        self.cycle_spans.append((ramp_start, self.now_s))
        return self
