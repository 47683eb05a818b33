"""Which bleak backends talk to the radio: the platform's own, or the replay pair (tests and demos without sensors).

Everything above this choice (scanning, the retry layer, sessions, decoding, recording) is the same code either way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bleak.backends.client import BaseBleakClient
from bleak.backends.scanner import BaseBleakScanner


@dataclass(frozen=True, slots=True)
class BleBackends:
    scanner: type[BaseBleakScanner] | None = None
    """None: the platform's scanner (BlueZ, CoreBluetooth, WinRT)."""
    client: type[BaseBleakClient] | None = None
    clock: Callable[[], float] = time.time
    """Host clock that stamps notification arrival."""
    reconnect_for_s: float = 30.0
    """How long a dropped sensor is waited for before its stream ends."""

    def logged_rate_hz(self, address: str) -> float | None:
        """The rate a replayed sensor was logged at (None for a real one: it streams at the rate it is set to)."""
        return None


@dataclass(frozen=True, slots=True)
class _ReplayBackends(BleBackends):
    def logged_rate_hz(self, address: str) -> float | None:
        from sensors.ble.replay_backend import REPLAY_DEVICES

        device = REPLAY_DEVICES.get(address)
        return device.rate_hz if device is not None and device.rate_hz > 0 else None


PLATFORM = BleBackends()


def replay_backends(log: Path, *, realtime: bool, drop_after_s: float | None = None,
                    down_for_s: float = 0.0) -> BleBackends:
    """Scanner and client that replay a raw notification log's devices as if they were in range.

    Replayed sensors stay connected and silent at the end of the log, as a real one streams until stopped; their
    notifications keep the log's arrival times. A dropped replayed sensor is waited for 3 s, not 30.
    """
    from sensors.ble.replay_backend import ReplayBackend, load_replay_log, replay_clock
    from sensors.ble.replay_scanner import ReplayScanner

    load_replay_log(log, realtime=realtime, drop_after_s=drop_after_s, down_for_s=down_for_s, stays_after_log=True)
    return _ReplayBackends(ReplayScanner, ReplayBackend, replay_clock.now, reconnect_for_s=3.0)
