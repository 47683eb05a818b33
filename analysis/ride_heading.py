"""Drift-free pelvis heading on a bike, from the pedalling axis (no magnetometer needed).

Why: a 6D orientation's heading drifts (residual gyro bias about the vertical, 0.1–0.4 °/s when the
filter took standing sway for rest), and nothing re-anchors it while a rider pedals without
pausing; knee tracking (abduction) and rotation depend on that heading. But pedalling itself shows
where the pelvis faces: the thigh swings about the pelvis's mediolateral axis, so over a few
strokes the principal axis of the thigh's earth-frame angular velocity *is* that axis. A heading
error of the orientation turns the thigh and this axis alike, so expressing the thigh against a
pelvis that faces along the axis cancels drift — and follows a rider who turns on the road.

Knee motion in phase with the stroke tilts the principal axis a little away from the pelvis's true
axis (a few degrees, constant for a given stroke), so only the axis's *change* since the first
strokes is used: the first strokes are anchored to the calibration heading through a gyro-bias
prior fitted between the calibration and the first strokes (standing, the swings, sitting on the
saddle: the gyro must agree with the tilt the accelerometer sees), which keeps that time from
adding drift.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis import quaternions as q
from analysis.angles import HipAngles
from analysis.calibration import Calibration
from analysis.frames import hip_angles_deg, pelvis_reference
from analysis.orientation import estimate_orientation
from analysis.segments import drop_short, moving_average, runs, window_max, window_median, window_min

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

_ML_AXIS = np.array([0.0, 0.0, 1.0])
"""Thigh (femur) frame mediolateral axis: the flexion axis, used to give the principal axis a sign."""


@dataclass(frozen=True, slots=True)
class RideHeadingParams:
    window_s: float = 3.0
    """Angular velocity is analysed over windows this long (a few strokes at 35–140 rpm)."""
    step_s: float = 0.25
    min_planarity: float = 0.85
    """Share of the window's angular motion about its principal axis (pedalling ≈ 0.95+)."""
    min_rate_dps: float = 40.0
    """RMS angular speed about that axis: below it the leg is not clearly pedalling."""
    max_axis_tilt_deg: float = 30.0
    """The pelvis's mediolateral axis is near horizontal on a bike; steeper axes are something else."""
    min_run_s: float = 6.0
    """Only sustained oscillation counts (a leg swung over the saddle is one planar swing, not pedalling)."""
    smooth_s: float = 20.0
    """Running median of the axis's offset from the thigh's own heading (slow: drift, stroke shape)."""
    reference_s: float = 4.0
    """The axis's offset from the pelvis heading is taken over the first this many seconds of pedalling."""
    prior_stride_s: float = 0.05
    """Sampling of the bias prior's least squares (it is fitted from the calibration to the first strokes)."""
    prior_passes: int = 3
    """Gauss–Newton passes of the bias prior (the first starts from the stand's median gyro)."""
    prior_stand_s: float = 2.5
    """The calibration stand is at least this long (CalibrationParams.min_stand_s)."""
    prior_error_dps: float = 0.075
    """How fast the bias prior's heading error grows away from the stand (RMS: 1.4° some 20 s after it,
    measured on seeds 9870–9877)."""
    mag_error_deg: float = 4.0
    """RMS error of the magnetometer's heading change from the stand to the saddle (hard iron fitted,
    soft iron not: the thigh's tilt changes it; measured on the same seeds)."""
    mag_steady_s: float = 10.0
    """The magnetometer counts only where its field was trusted this long around (near iron a bent field
    passes the checks now and then for a few seconds as it waxes and wanes)."""


@dataclass(frozen=True, slots=True)
class RideHeading:
    correction_rad: FloatArray
    """(N,) pelvis heading minus the calibration heading, in the orientation's (drifting) earth frame:
    the rider's turns plus the orientation's heading drift."""
    observed: BoolArray
    """(N,) where the pedalling axis was seen (elsewhere the correction is bridged by the bias prior)."""
    bias_prior_radps: FloatArray
    """(3,) gyro bias fitted between the calibration and the first strokes (sensor frame; NaN if too short)."""
    magnetometer: BoolArray | None = None
    """(N,) where the magnetometer's heading bounded the drift (None: no magnetometer given or used)."""


def ride_heading(time_s: FloatArray, gyr: FloatArray, acc: FloatArray, quat_wxyz: FloatArray, thigh_wxyz: FloatArray,
                 still: BoolArray, calibration: Calibration, params: RideHeadingParams | None = None,
                 mag_turn_rad: FloatArray | None = None, mag_trusted: BoolArray | None = None) -> RideHeading:
    """Pelvis heading correction of a ride (see module doc).

    time_s (N,) s uniform; gyr (N, 3) rad/s; acc (N, 3) m/s²; quat_wxyz (N, 4) sensor → earth (6D); thigh_wxyz (N, 4)
    femur → earth; still (N,) where the sensor is still (the bias prior's gravity is read there).
    mag_turn_rad (N,): the 6D heading minus the magnetometer's (analysis.magnetometer.heading_turn), used
    where mag_trusted (N,) to bound the drift where the pedalling axis is not seen (see _with_magnetometer).
    """
    params = params or RideHeadingParams()
    n = len(time_s)
    dt = float(np.median(np.diff(time_s)))
    omega = q.rotate(quat_wxyz, gyr)                          # earth-frame angular velocity, used thrice
    ml_axis = q.rotate(thigh_wxyz, _ML_AXIS)
    centres, axis_rad = _axis_headings(time_s, omega, ml_axis, calibration, dt, params)
    first_s = float(centres[0]) if len(centres) else float(time_s[-1])    # rows are still samples only
    bias = _bias_prior(time_s, gyr, acc, (time_s >= calibration.start_s) & (time_s < first_s), still,
                       params.prior_stand_s, params.prior_passes, max(1, round(params.prior_stride_s / dt)))
    drift = _prior_drift(time_s, omega, quat_wxyz, bias, stand_mask(time_s, calibration, params))
    steady = None
    if mag_turn_rad is not None and mag_trusted is not None:
        drift, steady = _with_magnetometer(time_s, drift, mag_turn_rad, mag_trusted, calibration, params)
    if len(centres) == 0:
        return RideHeading(drift, np.zeros(n, dtype=bool), bias, steady)
    # Turns are fast, drift and the axis's kinematic offset slow: a complementary split. The thigh's
    # own mediolateral heading, averaged over a few strokes, follows turns at once (it rides along
    # with the pelvis) but carries the drift; the pedalling axis, smoothed hard, removes that.
    path = _stroke_mean_heading(ml_axis, max(1, round(_stroke_period_s(time_s, omega, centres, axis_rad, params) / dt)))
    offset = np.angle(np.exp(1j * (axis_rad - np.interp(centres, time_s, path))))
    offset = window_median(np.unwrap(offset), max(1, round(params.smooth_s / params.step_s)) | 1)
    seen = np.interp(centres, time_s, path) + offset - np.interp(centres, time_s, drift)
    offset -= np.median(seen[centres <= centres[0] + params.reference_s])   # the first strokes face as calibrated
    observed_correction = path + np.interp(time_s, centres, offset)
    # Before the first strokes the bias prior alone carries the heading; ease into what pedalling says,
    # and after the last strokes (getting off turns the thigh against the pelvis) back out of it.
    anchors_s = np.array([calibration.swings_end_s, centres[0], centres[-1], centres[-1] + params.window_s])
    weight = np.interp(time_s, anchors_s, [0.0, 1.0, 1.0, 0.0])
    last = int(np.searchsorted(time_s, centres[-1]))
    after = np.where(time_s > centres[-1], observed_correction[last] - drift[last], 0.0)
    correction = drift + weight * (observed_correction - drift) + (1.0 - weight) * after
    observed = np.zeros(n, dtype=bool)
    index = np.searchsorted(time_s, centres)
    observed[np.clip(index, 0, n - 1)] = True
    return RideHeading(correction, observed, bias, steady)


def ride_hip_angles(time_s: FloatArray, thigh_wxyz: FloatArray, calibration: Calibration, side: str, posture: str,
                    heading: RideHeading) -> HipAngles:
    """Hip angles of the thigh against a pelvis facing the ride heading."""
    pelvis = pelvis_reference(calibration.heading_rad + heading.correction_rad, posture)
    return HipAngles(time_s, hip_angles_deg(pelvis, thigh_wxyz, side), np.rad2deg(heading.correction_rad))


def _stroke_mean_heading(ml_axis: FloatArray, period: int) -> FloatArray:
    """(N,) heading (rad, unwrapped) of the thigh's mediolateral axis (N, 3; earth frame), averaged over strokes.

    Two moving averages one stroke long (a triangle two strokes wide) null the stroke's own wobble
    and its harmonics yet follow a turn of a few seconds closely.
    """
    return moving_average(moving_average(np.unwrap(np.arctan2(ml_axis[:, 1], ml_axis[:, 0])), period), period)


def _stroke_period_s(time_s: FloatArray, omega: FloatArray, centres: FloatArray, axis_rad: FloatArray,
                     params: RideHeadingParams) -> float:
    """Typical stroke period: upward zero crossings of the angular velocity (earth frame) about the pedalling axis."""
    rate = omega[:, 0] * np.interp(time_s, centres, np.cos(axis_rad)) \
        + omega[:, 1] * np.interp(time_s, centres, np.sin(axis_rad))
    step = max(1, round(params.step_s / float(time_s[1] - time_s[0])))
    pedalling = np.zeros(len(time_s), dtype=bool)
    pedalling[np.clip(np.searchsorted(time_s, centres), 0, len(time_s) - 1)] = True
    pedalling = window_max(pedalling, step)
    crossings = int(np.sum((rate[1:] > 0) & (rate[:-1] <= 0) & pedalling[1:]))
    return float(pedalling.sum() * (time_s[1] - time_s[0]) / crossings) if crossings else params.window_s


def _axis_headings(time_s: FloatArray, omega: FloatArray, ml_axis: FloatArray, calibration: Calibration, dt: float,
                   params: RideHeadingParams) -> tuple[FloatArray, FloatArray]:
    """Centres (s) of the windows that clearly pedal, and the heading (rad) of their principal axis.

    omega: (N, 3) earth-frame angular velocity; ml_axis: (N, 3) the thigh's mediolateral axis in the earth frame."""
    pairs = ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2))
    sums = np.zeros((len(time_s) + 1, 9))                 # running sums, built in place (no stacked copies)
    for k, (i, j) in enumerate(pairs):
        np.multiply(omega[:, i], omega[:, j], out=sums[1:, k])
    sums[1:, 6:] = ml_axis
    np.cumsum(sums[1:], axis=0, out=sums[1:])
    half = max(1, round(0.5 * params.window_s / dt))
    step = max(1, round(params.step_s / dt))
    first = max(half, int(np.searchsorted(time_s, calibration.swings_end_s)) + half)
    centre = np.arange(first, len(time_s) - half, step)
    if len(centre) == 0:
        return np.zeros(0), np.zeros(0)
    window = (sums[centre + half] - sums[centre - half]) / (2 * half)
    cov = np.empty((len(centre), 3, 3))
    for k, (i, j) in enumerate(pairs):
        cov[:, i, j] = cov[:, j, i] = window[:, k]
    values, vectors = np.linalg.eigh(cov)
    axis = vectors[:, :, -1]
    axis *= np.sign(np.einsum("ij,ij->i", axis, window[:, 6:]))[:, None]   # point it along the thigh's right
    planarity = values[:, -1] / np.maximum(values.sum(axis=1), 1e-12)
    clear = ((planarity >= params.min_planarity)
             & (np.sqrt(np.maximum(values[:, -1], 0.0)) >= np.radians(params.min_rate_dps))
             & (np.abs(axis[:, 2]) <= np.sin(np.radians(params.max_axis_tilt_deg))))
    sustained = drop_short(runs(clear), max(1, round(params.min_run_s / params.step_s)))
    keep = np.zeros(len(centre), dtype=bool)
    for a, b in sustained:                      # one iteration per pedalling stretch, not per sample
        keep[a:b] = True
    return time_s[centre[keep]], np.arctan2(axis[keep, 1], axis[keep, 0])


def _bias_prior(time_s: FloatArray, gyr: FloatArray, acc: FloatArray, span: BoolArray, still: BoolArray,
                stand_s: float, passes: int, stride: int) -> FloatArray:
    """Gyro bias (3,) that keeps the gyro's integrated tilt on the accelerometer's gravity over `span`.

    Why not the mean gyro of the still periods: a standing person sways, and that sway is real
    rotation (0.1–0.3 °/s averaged over a few seconds), which a mean takes for bias. Why not the
    filter's own estimate: with its rest thresholds raised it learns that sway as bias too. Here the
    gyro less the bias is integrated alone from the calibration stand (its first stand_s) to the
    first strokes; wherever the sensor is still, gravity seen through that integration must match
    the accelerometer's, and a residual bias d tilts it by −[g]× ∫R dt · d — linear least squares
    (Gauss–Newton), all three axes observable as the thigh stands, swings and sits.
    """
    index = np.flatnonzero(span)
    dt = float(np.median(np.diff(time_s)))
    stand = max(1, round(stand_s / dt))
    if len(index) < 2 * stand:
        return np.full(3, np.nan)
    a, b = int(index[0]), int(index[-1]) + 1
    gyr, acc = gyr[a:b], acc[a:b]
    bias = np.median(gyr[:stand], axis=0)
    rows = np.flatnonzero(still[a:b])[::stride]
    if len(rows) < 10:
        return np.asarray(bias, dtype=float)
    down = acc / np.linalg.norm(acc, axis=1, keepdims=True)
    for _ in range(passes):
        rotation = _matrices(estimate_orientation(gyr - bias, acc, 1.0 / dt, offline=False, params=_GYRO_ONLY))
        gravity = np.einsum("nij,nj->ni", rotation, down)
        start = gravity[:stand].mean(axis=0)
        start /= np.linalg.norm(start)
        skew = np.array([[0.0, -start[2], start[1]], [start[2], 0.0, -start[0]], [-start[1], start[0], 0.0]])
        jacobian = -np.einsum("ij,njk->nik", skew, np.cumsum(rotation * dt, axis=0)[rows])
        system = np.concatenate([jacobian, np.broadcast_to(np.eye(3), jacobian.shape)], axis=2).reshape(-1, 6)
        solution, *_ = np.linalg.lstsq(system, (gravity[rows] - start).reshape(-1), rcond=None)
        bias = bias + solution[:3]
    return np.asarray(bias, dtype=float)


_GYRO_ONLY: dict[str, float] = {"tauAcc": 1e9, "motionBiasEstEnabled": 0.0, "restBiasEstEnabled": 0.0}
"""VQF as a plain gyro integrator: no tilt correction, no bias learning."""


def _matrices(quat_wxyz: FloatArray) -> FloatArray:
    """(N, 3, 3) rotation matrices of (N, 4) unit quaternions."""
    w, x, y, z = quat_wxyz.T
    return np.stack([np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)], axis=-1),
                     np.stack([2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)], axis=-1),
                     np.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], axis=-1)],
                    axis=1)


def _with_magnetometer(time_s: FloatArray, drift: FloatArray, mag_turn_rad: FloatArray, trusted: BoolArray,
                       calibration: Calibration, params: RideHeadingParams) -> tuple[FloatArray, BoolArray | None]:
    """(N,) the drift of the bias prior and the magnetometer's, each weighted by how far it can be off;
    and (N,) where the magnetometer took part (None: nowhere).

    Why not the magnetometer's alone: its heading change from the stand to the saddle is off by a
    few degrees (hard iron fitted, soft iron not; the thigh tilts between the two), about what the
    bias prior's is 20–30 s after the stand, where the first strokes anchor the whole ride. The
    prior's error grows with the time since the stand, the magnetometer's does not: so the weight
    moves to the magnetometer only over a long wait before the first strokes or after the last.
    The magnetometer's turn is tied to the calibration where the stand's field was trusted; if it
    was not (a field disturbed from the start), it cannot be tied to it and is not used."""
    stand = stand_mask(time_s, calibration, params)
    if not stand.any() or not trusted[stand].all():
        return drift, None
    seen = mag_turn_rad - mag_turn_rad[stand].mean()
    elapsed = np.abs(time_s - time_s[stand].mean())
    prior_var = (np.radians(params.prior_error_dps) * elapsed) ** 2
    weight = prior_var / (prior_var + np.radians(params.mag_error_deg) ** 2)
    steady = window_min(trusted, max(1, round(params.mag_steady_s / float(time_s[1] - time_s[0]))))
    if not steady.any():
        return drift, None
    return drift + np.where(steady, weight * (seen - drift), 0.0), steady


def stand_mask(time_s: FloatArray, calibration: Calibration, params: RideHeadingParams | None = None) -> BoolArray:
    """(N,) the calibration stand's first seconds, where the ride's drift is zero by definition."""
    params = params or RideHeadingParams()
    return (time_s >= calibration.start_s) & (time_s <= calibration.start_s + params.prior_stand_s)


def _prior_drift(time_s: FloatArray, omega: FloatArray, quat_wxyz: FloatArray, bias: FloatArray,
                 stand: BoolArray) -> FloatArray:
    """(N,) heading drift of the orientation relative to a gyro corrected by the bias prior, zero
    during the calibration stand (where its heading was measured). omega: the gyro in the earth frame."""
    if not np.isfinite(bias).all():
        return np.zeros(len(time_s))
    step = q.multiply(quat_wxyz[1:], q.conjugate(quat_wxyz[:-1]))          # earth-frame increments
    step *= np.sign(step[:, :1])
    filter_yaw = 2.0 * step[:, 3] / np.diff(time_s)
    prior_yaw = omega[:-1, 2] - q.rotate(quat_wxyz[:-1], bias)[:, 2]        # rotation is linear in the vector
    drift = np.concatenate([[0.0], np.cumsum((filter_yaw - prior_yaw) * np.diff(time_s))])
    return drift - (drift[stand].mean() if stand.any() else 0.0)
