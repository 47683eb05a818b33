"""What an IMU strapped to a moving segment measures, with the errors real MEMS sensors have.

Gyroscope: the segment's angular velocity in the sensor frame. Accelerometer: specific force,
f = Rᵀ (a + g ẑ), where a is the sensor's own linear acceleration (lever arm from the joint
included). Both come from the analytic trajectory by central differences with small steps, then
get a constant bias, a per-axis scale error, white noise and optional 16-bit quantisation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial.transform import Rotation

from sensors.simulator.magnetic import MagEnvironment, magnetometer

FloatArray = NDArray[np.float64]

GRAVITY_MPS2 = 9.80665

_GYRO_STEP_S = 1e-4
_ACC_STEP_S = 1e-3


@dataclass(frozen=True, slots=True)
class ImuErrors:
    """Error magnitudes (1σ unless said otherwise), typical of consumer 6-axis MEMS parts."""

    gyr_noise_radps: float = np.deg2rad(0.1)
    gyr_bias_radps: float = np.deg2rad(0.5)
    gyr_scale: float = 0.01
    acc_noise_mps2: float = 0.02
    acc_bias_mps2: float = 0.05
    acc_scale: float = 0.005
    mag_noise_ut: float = 0.3
    quantise: bool = True
    """Round to a 16-bit part's LSB (±16 g, ±2000 °/s), as every real sensor does."""
    gyr_bias_bound: bool = False
    """Draw each gyro axis's bias uniformly within ±gyr_bias_radps (worst cases at the bound) instead
    of from a normal distribution of that σ: benchmarks of "bias up to ±x" use this."""
    gyr_bias_drift_radps: float = 0.0
    """Temperature drift: each axis's bias moves by up to ± this (uniform) as the part warms up,
    approaching its new value exponentially with time constant gyr_bias_drift_tau_s."""
    gyr_bias_drift_tau_s: float = 600.0

    @staticmethod
    def none() -> ImuErrors:
        return ImuErrors(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, quantise=False)


@dataclass(frozen=True, slots=True)
class ImuTruth:
    """Noise-free signals, for tests of the model itself."""

    q_sensor_to_earth_wxyz: FloatArray      # (N, 4)
    gyr_radps: FloatArray                   # (N, 3) sensor frame
    acc_mps2: FloatArray                    # (N, 3) specific force, sensor frame
    gyr_bias_radps: FloatArray              # (3,)
    position_m: FloatArray                  # (N, 3) sensor position, earth frame


@dataclass(frozen=True, slots=True)
class ImuReadings:
    gyr_radps: FloatArray
    acc_mps2: FloatArray
    mag_ut: FloatArray | None
    truth: ImuTruth


Pose = Callable[[FloatArray], tuple[Rotation, FloatArray]]
"""Sensor pose at times t: (sensor → earth rotation, sensor position in metres (N, 3))."""


def measure(pose: Pose, time_s: FloatArray, errors: ImuErrors, rng: np.random.Generator,
            with_mag: bool = False, mag_env: MagEnvironment | None = None) -> ImuReadings:
    """Sample the IMU at ``time_s``."""
    rotation, position = pose(time_s)
    gyr_true = _body_rate(pose, time_s)
    acc_true = rotation.inv().apply(_linear_acceleration(pose, time_s) + np.array([0.0, 0.0, GRAVITY_MPS2]))
    n = time_s.shape[0]
    gyr_bias = rng.uniform(-errors.gyr_bias_radps, errors.gyr_bias_radps, 3) if errors.gyr_bias_bound \
        else rng.normal(0, errors.gyr_bias_radps, 3)
    gyr = gyr_true * (1 + rng.normal(0, errors.gyr_scale, 3)) + gyr_bias + rng.normal(0, errors.gyr_noise_radps,
                                                                                     (n, 3))
    acc = acc_true * (1 + rng.normal(0, errors.acc_scale, 3)) + rng.normal(0, errors.acc_bias_mps2, 3) \
        + rng.normal(0, errors.acc_noise_mps2, (n, 3))
    if errors.gyr_bias_drift_radps > 0:        # drawn after the rest: seeds without drift keep their samples
        drift = np.random.default_rng(rng.integers(2**63)).uniform(-1, 1, 3) * errors.gyr_bias_drift_radps
        gyr = gyr + drift[None] * -np.expm1(-(time_s - time_s[0]) / errors.gyr_bias_drift_tau_s)[:, None]
    if errors.quantise:
        gyr = _quantise(gyr, np.deg2rad(2000.0) / 32768)
        acc = _quantise(acc, 16 * GRAVITY_MPS2 / 32768)
    mag = None
    if with_mag:
        mag = magnetometer(rotation, time_s, mag_env or MagEnvironment(), errors.mag_noise_ut, rng)
    quat_xyzw = rotation.as_quat()
    truth = ImuTruth(quat_xyzw[:, [3, 0, 1, 2]], gyr_true, acc_true, gyr_bias, position)
    return ImuReadings(gyr, acc, mag, truth)


def _body_rate(pose: Pose, time_s: FloatArray) -> FloatArray:
    """ω in the sensor frame: the rotation from t−h/2 to t+h/2, divided by h."""
    before, _ = pose(time_s - _GYRO_STEP_S / 2)
    after, _ = pose(time_s + _GYRO_STEP_S / 2)
    return (before.inv() * after).as_rotvec() / _GYRO_STEP_S


def _linear_acceleration(pose: Pose, time_s: FloatArray) -> FloatArray:
    _, p_before = pose(time_s - _ACC_STEP_S)
    _, p_now = pose(time_s)
    _, p_after = pose(time_s + _ACC_STEP_S)
    return (p_after - 2 * p_now + p_before) / _ACC_STEP_S**2


def _quantise(values: FloatArray, lsb: float) -> FloatArray:
    return np.clip(np.rint(values / lsb), -32768, 32767) * lsb
