"""Apply a per-sample computation a block of samples at a time.

Why: quaternion and angle maths on a whole recording makes several (N, 4) float64 temporaries
(≈ 280 MB each for 24 h at 100 Hz); a block at a time keeps them a few MB however long the
recording, and the result is the same sample for sample (every step is elementwise).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

CHUNK = 1 << 16
"""Samples per block (~11 min at 100 Hz): large enough that NumPy's per-call overhead vanishes."""


def per_chunk(n: int, compute: Callable[[slice], NDArray[Any]], dtype: DTypeLike | None = None,
              chunk: int | None = None) -> NDArray[Any]:
    """compute(block) for consecutive blocks of n samples, stacked on axis 0 into one preallocated array.

    dtype: of the result (default: the first block's), e.g. float32 to keep a long result compact.
    chunk: samples per block (default CHUNK, read at call time so tests can make blocks tiny)."""
    chunk = chunk or CHUNK
    first = compute(slice(0, min(n, chunk)))
    if n <= chunk:
        return first if dtype is None else np.asarray(first, dtype=dtype)
    out = np.empty((n, *first.shape[1:]), dtype=first.dtype if dtype is None else dtype)
    out[:chunk] = first
    for start in range(chunk, n, chunk):
        out[start:start + chunk] = compute(slice(start, min(n, start + chunk)))
    return out
