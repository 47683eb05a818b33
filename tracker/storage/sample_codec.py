"""Compact, lossless-to-1e-5 encoding of raw IMU samples for one stored chunk.

Why not float32 columns: 7 float32 values are 28 bytes a sample; a 100 Hz sensor would then
cost ~10 MB an hour. Sensor data is smooth and integer-quantised at the source, so fixed-point
integers, delta-coded along time, zigzagged, split into byte planes and deflated come out at
roughly a third of that (see benchmarks/bench_storage.py).

Quanta are chosen so that export reproduces imported values to better than 1e-5 (SPEC §4
round trip): time 1 µs, acceleration 1e-5 m/s², angular rate 1e-6 rad/s, magnetic field 1e-5 µT.
"""

from __future__ import annotations

import zlib

import numpy as np
from numpy.typing import NDArray

from sensors.samples import ImuSamples

CODEC_VERSION = 1

TIME_QUANTUM_S = 1e-6
ACC_QUANTUM_MPS2 = 1e-5
GYR_QUANTUM_RADPS = 1e-6
MAG_QUANTUM_UT = 1e-5

_INT32_MAX = np.iinfo(np.int32).max


class SampleRangeError(ValueError):
    """A value does not fit the fixed-point format (e.g. gyro in deg/s passed as rad/s)."""


def encode_chunk(samples: ImuSamples, t0_s: float) -> bytes:
    """Encode one chunk; times are stored relative to ``t0_s`` (kept by the caller as float64)."""
    columns = [_quantise((samples.time_s - t0_s)[:, None], TIME_QUANTUM_S, "time offset"),
               _quantise(samples.acc_mps2, ACC_QUANTUM_MPS2, "acceleration"),
               _quantise(samples.gyr_radps, GYR_QUANTUM_RADPS, "angular rate")]
    if samples.mag_ut is not None:
        columns.append(_quantise(samples.mag_ut, MAG_QUANTUM_UT, "magnetic field"))
    fixed = np.concatenate(columns, axis=1)              # (n, 7 or 10) int64
    deltas = np.diff(fixed, axis=0, prepend=np.zeros((1, fixed.shape[1]), dtype=np.int64))
    deltas[1:, 0] = np.diff(deltas[:, 0])                # time: second difference, ~0 when uniform
    zigzag = ((deltas << 1) ^ (deltas >> 63)).astype("<u4")
    planes = zigzag.view(np.uint8).reshape(fixed.shape[0], fixed.shape[1], 4).transpose(2, 1, 0)
    return zlib.compress(np.ascontiguousarray(planes).tobytes(), 6)


def decode_chunk(data: bytes, t0_s: float, n_samples: int, has_mag: bool) -> ImuSamples:
    """Inverse of :func:`encode_chunk`."""
    n_cols = 10 if has_mag else 7
    raw = np.frombuffer(zlib.decompress(data), dtype=np.uint8)
    if raw.size != 4 * n_cols * n_samples:
        raise ValueError(f"chunk holds {raw.size} bytes, expected {4 * n_cols * n_samples}")
    zigzag = raw.reshape(4, n_cols, n_samples).transpose(2, 1, 0).copy().view("<u4")[..., 0]
    zigzag = zigzag.astype(np.int64)
    deltas = (zigzag >> 1) ^ -(zigzag & 1)
    deltas[:, 0] = np.cumsum(deltas[:, 0])
    fixed = np.cumsum(deltas, axis=0)
    time_s = t0_s + fixed[:, 0] * TIME_QUANTUM_S
    acc = fixed[:, 1:4] * ACC_QUANTUM_MPS2
    gyr = fixed[:, 4:7] * GYR_QUANTUM_RADPS
    mag = fixed[:, 7:10] * MAG_QUANTUM_UT if has_mag else None
    return ImuSamples(time_s, acc, gyr, mag)


def _quantise(values: NDArray[np.float64], quantum: float, what: str) -> NDArray[np.int64]:
    fixed = np.rint(values / quantum)
    if fixed.size and np.abs(fixed).max() > _INT32_MAX // 2:
        raise SampleRangeError(f"{what} of {np.abs(values).max():.6g} is out of the storable range")
    return fixed.astype(np.int64)
