"""The one interface every sample source offers the recorder: BLE sessions, replays, the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from sensors.pacing import Pacer
from sensors.samples import ImuSamples, Placement


@dataclass(frozen=True, slots=True)
class StreamSpec:
    """What the recorder needs to know about one sensor before its first sample."""

    placement: Placement
    rate_hz: float
    device_address: str
    device_name: str
    profile: str
    has_mag: bool = False


@dataclass(frozen=True, slots=True)
class SampleBlock:
    placement: Placement
    samples: ImuSamples


@dataclass(frozen=True, slots=True)
class StreamGap:
    """Samples a sensor should have sent but did not (a dropped link, lost packets).

    Stored as a gap so nothing downstream mistakes it for motion or silently interpolates it.
    Times are on the stream's own time base (the samples' `time_s`).
    """

    placement: Placement
    start_s: float
    end_s: float
    reason: str


class SampleSource(Protocol):
    """Yields blocks of samples per placement, each placement's blocks in time order, and any gaps."""

    @property
    def streams(self) -> tuple[StreamSpec, ...]: ...

    def blocks(self) -> AsyncIterator[SampleBlock | StreamGap]: ...


class ArraySource:
    """Plays samples that are already in memory (imports, simulations), optionally in real time.

    In real time it behaves like a live sensor: a block arrives when the wall clock reaches the
    block's last sample, so a process killed mid-way has seen only what a real sensor would have sent.
    """

    def __init__(self, streams: tuple[StreamSpec, ...], samples: Mapping[Placement, ImuSamples],
                 block_s: float = 0.1, realtime: bool = False) -> None:
        missing = {s.placement for s in streams} - set(samples)
        if missing:
            raise ValueError(f"no samples for {sorted(missing)}")
        self._streams = streams
        self._samples = samples
        self._block_s = block_s
        self._realtime = realtime

    @property
    def streams(self) -> tuple[StreamSpec, ...]:
        return self._streams

    async def blocks(self) -> AsyncIterator[SampleBlock]:
        t_first = min(float(s.time_s[0]) for s in self._samples.values() if len(s))
        starts = {p: 0 for p in self._samples}
        pacer = Pacer(self._realtime)       # as fast as possible, it lets the recorder's writer and the UI breathe
        edges = _occupied_edges(self._samples.values(), t_first, self._block_s)
        for edge in edges:
            await pacer.wait_until(edge - t_first)
            for spec in self._streams:
                samples = self._samples[spec.placement]
                stop = int(np.searchsorted(samples.time_s, edge, side="right"))
                if stop > starts[spec.placement]:
                    yield SampleBlock(spec.placement, samples.slice(starts[spec.placement], stop))
                    starts[spec.placement] = stop
        for spec in self._streams:              # whatever float rounding left past the last edge
            samples = self._samples[spec.placement]
            if starts[spec.placement] < len(samples):
                yield SampleBlock(spec.placement, samples.slice(starts[spec.placement], len(samples)))


def _occupied_edges(streams: Iterable[ImuSamples], t_first: float, block_s: float) -> NDArray[np.float64]:
    """The ends of the block_s slots that hold at least one sample, in time order.

    Why not every slot from first to last: a clock that jumps by 1e9 s would make 3e7 empty slots
    to walk through; the occupied ones are never more than the samples.
    """
    slots = [np.floor((s.time_s - t_first) / block_s) for s in streams if len(s)]
    occupied = np.unique(np.concatenate(slots)) if slots else np.zeros(0)
    return t_first + (occupied + 1.0) * block_s
