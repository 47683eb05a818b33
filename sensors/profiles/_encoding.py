"""Helpers the families' simulator encoders share: integer counts as a sensor clips them, notifications cut to size.

Why separate from the decoders: each family's encoder is written from the protocol document with its own scale
constants, so that the round-trip tests (encode → real decoder) compare two independent readings of the spec.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sensors.profiles.base import FloatArray, Notification

_INT16_MIN, _INT16_MAX = -32768, 32767


def int16_counts(values: FloatArray, per_lsb: float) -> NDArray[np.int16]:
    """Round to the nearest count and saturate at the int16 limits, as a sensor clips at full scale."""
    return np.clip(np.rint(values / per_lsb), _INT16_MIN, _INT16_MAX).astype(np.int16)


def split(data: bytes, record_bytes: int, time_s: FloatArray, per_notification: int,
          characteristic_uuid: str) -> list[Notification]:
    """Cut `data` (one record per sample) into notifications of `per_notification` records (the last may be short).

    Each notification arrives at the time of the last sample it carries.
    """
    n = int(time_s.shape[0])
    notes = []
    for start in range(0, n, per_notification):
        stop = min(n, start + per_notification)
        notes.append(Notification(float(time_s[stop - 1]), characteristic_uuid,
                                  data[start * record_bytes: stop * record_bytes]))
    return notes


def delta_bit_width(deltas: NDArray[np.int64]) -> int:
    """The smallest two's complement width (≥ 1 bit) that holds every value of `deltas`."""
    magnitude = int(max(deltas.max(initial=0), (-deltas - 1).max(initial=0)))
    return magnitude.bit_length() + 1


def pack_lsb_first(values: NDArray[np.int64], bit_width: int) -> bytes:
    """`values` (row-major) as `bit_width`-bit two's complement fields, bit k of the stream in byte k//8, bit k%8."""
    fields = values.reshape(-1) & ((1 << bit_width) - 1)
    bits = (fields[:, None] >> np.arange(bit_width, dtype=np.int64)) & 1
    return np.packbits(bits.astype(np.uint8).reshape(-1), bitorder="little").tobytes()
