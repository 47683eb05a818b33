"""Replay logged notifications of one thigh sensor through the real NotificationSource."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from sensors.notification_log import LoggedDevice, LoggedNotification
from sensors.notification_source import LinkLost, NotificationSource
from sensors.samples import ImuSamples, Placement
from sensors.source import StreamGap


async def collect(profile: str, rate_hz: float, notes: Sequence[LoggedNotification | LinkLost], address: str,
                  ) -> tuple[list[StreamGap], ImuSamples, NotificationSource]:
    """(gaps, the samples it would store, the source with its counters) of `notes` from `address`."""
    async def stream() -> AsyncIterator[LoggedNotification | LinkLost]:
        for note in notes:
            yield note

    source = NotificationSource([LoggedDevice(address, profile, Placement.LEFT_THIGH, profile, rate_hz)], stream())
    gaps: list[StreamGap] = []
    blocks: list[ImuSamples] = []
    async for item in source.blocks():
        if isinstance(item, StreamGap):
            gaps.append(item)
        else:
            blocks.append(item.samples)
    return gaps, ImuSamples.concat(blocks), source
