"""A scripted session as continuous functions of time: hip angles, pelvis and sensor poses."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from scipy.spatial.transform import Rotation

from sensors.simulator.body import (
    HIP_HALF_WIDTH_M,
    Placement,
    hip_rotation,
    pelvis_rotation,
    side_sign,
)
from sensors.simulator.imu_model import Pose
from sensors.simulator.script import Script
from sensors.simulator.trajectory import CHANNELS, Keyframes, SmoothNoise

FloatArray = NDArray[np.float64]

_C = {name: i for i, name in enumerate(CHANNELS)}


@dataclass(frozen=True, slots=True)
class BodyMotion:
    """Everything about the person's movement, evaluable at any time (vectorised)."""

    side: str
    keyframes: Keyframes
    osc_phase_rad: FloatArray       # (3,) flex, abd, rot oscillator phase offsets
    heading_rad: float
    tremor_deg: SmoothNoise         # (3,) wobble on the hip angles
    sway_deg: SmoothNoise           # (3,) pelvis sway (Z, X, Y turns)
    sway_m: SmoothNoise             # (3,) pelvis translation sway
    offset_deg: FloatArray | None = None
    """(3,) difference of this leg's angles from the script (left/right asymmetry), eased in over
    2 s from offset_from_s: the calibration stance is zero by definition, so an asymmetry only
    shows in what the leg does afterwards."""
    offset_from_s: float = 0.0
    turns: FloatArray | None = None
    """(K, 3) road turns while riding: start (s), duration (s), heading change (rad); the whole body
    turns with the bike along a minimum-jerk profile."""
    stand_sway_deg: SmoothNoise | None = None
    """(3,) extra postural sway of a person standing still (calibration stands), faded out over 2 s
    from stand_sway_until_s: a standing body is never quite still, a seated one much more so."""
    stand_sway_until_s: float = 0.0
    body_sway_deg: SmoothNoise | None = None
    """(3,) physiological sway and drift of the hip angles (flexion, abduction, rotation), eased in
    over 2 s from body_sway_from_s: part of the true angles, not of the intended ones, so the truth's
    hold windows stay where the person meant them."""
    body_sway_from_s: float = 0.0

    @staticmethod
    def from_script(script: Script, side: str, rng: np.random.Generator, sway_deg: float = 0.5,
                    tremor_deg: float = 0.3) -> BodyMotion:
        return BodyMotion(
            side=side,
            keyframes=script.keyframes(),
            osc_phase_rad=np.asarray(script.osc_phase_rad, dtype=float),
            heading_rad=float(rng.uniform(-np.pi, np.pi)),
            tremor_deg=SmoothNoise.random(rng, 3, tremor_deg, (0.2, 1.5)),
            sway_deg=SmoothNoise.random(rng, 3, sway_deg, (0.05, 0.4)),
            sway_m=SmoothNoise.random(rng, 3, 0.01 * (sway_deg > 0), (0.05, 0.4)),
        )

    @property
    def duration_s(self) -> float:
        return float(self.keyframes.time_s[-1])

    def osc_phase(self, t: FloatArray) -> FloatArray:
        """Shared oscillator phase in radians (crank angle when riding)."""
        return 2 * np.pi * self.keyframes.integral(t, _C["osc_rate_hz"])

    def oscillation_amplitude_deg(self, t: FloatArray) -> FloatArray:
        """(N, 3) amplitudes of the flexion, abduction and rotation oscillators."""
        return self.keyframes.evaluate(t)[:, [_C["osc_flex"], _C["osc_abd"], _C["osc_rot"]]]

    def intended_angles_deg(self, t: FloatArray) -> FloatArray:
        """(N, 3) hip angles the person means to move through: the script without tremor."""
        pose = self.keyframes.evaluate(t)
        phase = self.osc_phase(t)[:, None] + self.osc_phase_rad[None]
        amplitude = pose[:, [_C["osc_flex"], _C["osc_abd"], _C["osc_rot"]]]
        base = pose[:, [_C["flex"], _C["abd"], _C["rot"]]]
        if self.offset_deg is None:
            return base + amplitude * np.cos(phase)
        ease = np.clip((np.asarray(t, dtype=float) - self.offset_from_s) / 2.0, 0.0, 1.0)
        ease = ease**3 * (10 - 15 * ease + 6 * ease**2)
        return base + amplitude * np.cos(phase) + ease[:, None] * self.offset_deg[None]

    def other_leg(self, rng: np.random.Generator, offset_deg: FloatArray, tremor_deg: float,
                  offset_from_s: float) -> BodyMotion:
        """The contralateral leg: same script and pelvis, cyclic movement half a cycle apart
        (cranks are opposite), its own tremor, and a constant offset for asymmetry."""
        return replace(self, side="left" if self.side == "right" else "right",
                       osc_phase_rad=self.osc_phase_rad + np.pi,
                       tremor_deg=SmoothNoise.random(rng, 3, tremor_deg, (0.2, 1.5)),
                       offset_deg=np.asarray(offset_deg, dtype=float), offset_from_s=offset_from_s)

    def hip_angles_deg(self, t: FloatArray) -> FloatArray:
        """(N, 3) true hip angles [flexion, abduction, internal rotation] in degrees."""
        angles = self.intended_angles_deg(t) + self.tremor_deg.evaluate(t)
        if self.body_sway_deg is None:
            return angles
        ease = np.clip((np.asarray(t, dtype=float) - self.body_sway_from_s) / 2.0, 0.0, 1.0)
        return angles + (ease**3 * (10 - 15 * ease + 6 * ease**2))[:, None] * self.body_sway_deg.evaluate(t)

    def pelvis_pitch_deg(self, t: FloatArray) -> FloatArray:
        return self.keyframes.evaluate(t)[:, _C["pelvis_pitch"]]

    def heading(self, t: FloatArray) -> FloatArray | float:
        """Heading (rad) the body faces: constant, or changing through the road turns."""
        if self.turns is None or len(self.turns) == 0:
            return self.heading_rad
        start, duration, turn = self.turns.T
        tau = np.clip((np.asarray(t, dtype=float)[:, None] - start) / duration, 0.0, 1.0)
        return self.heading_rad + (turn * tau**3 * (10 - 15 * tau + 6 * tau**2)).sum(axis=1)

    def pelvis_sway_deg(self, t: FloatArray) -> FloatArray:
        """(N, 3) turns of the pelvis about its Z, X, Y axes away from the posture: sway, the
        scripted tilt, obliquity and rotation (compensation) and rocking while pedalling."""
        pose = self.keyframes.evaluate(t)
        sway = self.sway_deg.evaluate(t) + pose[:, [_C["pelvis_tilt"], _C["pelvis_obliquity"], _C["pelvis_rotation"]]]
        rocking = np.cos(self.osc_phase(t))
        sway[:, 0] += pose[:, _C["osc_pelvis_tilt"]] * np.cos(self.osc_phase(t) + np.pi / 2)
        sway[:, 1] += pose[:, _C["osc_pelvis_obliquity"]] * rocking
        if self.stand_sway_deg is None:
            return sway
        fade = np.clip((self.stand_sway_until_s + 2.0 - np.asarray(t, dtype=float)) / 2.0, 0.0, 1.0)
        return sway + fade[:, None] * self.stand_sway_deg.evaluate(t)

    def pelvis_pose(self, t: FloatArray) -> tuple[Rotation, FloatArray]:
        """Pelvis → earth rotation and mid-pelvis position (N, 3)."""
        pose = self.keyframes.evaluate(t)
        rotation = pelvis_rotation(self.heading(t), pose[:, _C["pelvis_pitch"]], self.pelvis_sway_deg(t))
        position = self.sway_m.evaluate(t)
        position[:, 2] += pose[:, _C["pelvis_height"]]
        return rotation, position

    def thigh_pose(self, t: FloatArray) -> tuple[Rotation, FloatArray]:
        """Femur → earth rotation and hip joint centre position (N, 3)."""
        pelvis, origin = self.pelvis_pose(t)
        femur = pelvis * hip_rotation(self.hip_angles_deg(t), self.side)
        hip_centre = origin + pelvis.apply([0.0, 0.0, side_sign(self.side) * HIP_HALF_WIDTH_M])
        return femur, hip_centre

    def sensor_pose(self, segment: str, placement: Placement) -> Pose:
        """A callable t → (sensor → earth rotation, sensor position) for the IMU model."""
        segment_pose = self.thigh_pose if segment == "thigh" else self.pelvis_pose

        def pose(t: FloatArray) -> tuple[Rotation, FloatArray]:
            rotation, origin = segment_pose(t)
            return rotation * placement.rotation_sensor_to_segment, origin + rotation.apply(placement.position_m)

        return pose
