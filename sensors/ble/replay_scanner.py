"""A bleak scanner backend that 'hears' the replayed sensors: `BleakScanner(..., backend=ReplayScanner)`.

Every device in `REPLAY_DEVICES` that is reachable and not connected (real peripherals stop advertising once
connected) advertises every `ADVERTISING_INTERVAL_S` what units of its family really advertise
(each profile's `advertisement`), under its own name and RSSI. bleak's own `BleakScanner` front end, its
service-UUID filter and its `seen_devices` bookkeeping all run for real.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from bleak.backends.scanner import AdvertisementData, AdvertisementDataCallback, BaseBleakScanner

from sensors.ble import advertising
from sensors.ble.replay_backend import REPLAY_DEVICES, ReplayDevice

ADVERTISING_INTERVAL_S = 0.1


class ReplayScanner(BaseBleakScanner):
    def __init__(self, detection_callback: AdvertisementDataCallback | None, service_uuids: list[str] | None,
                 scanning_mode: str = "active", **kwargs: Any) -> None:
        super().__init__(detection_callback, service_uuids)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.seen_devices = {}
        self._task = asyncio.create_task(self._advertise(), name="replay advertising")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _advertise(self) -> None:
        while True:
            for device in list(REPLAY_DEVICES.values()):
                if device.connected or time.monotonic() < device.reachable_at:
                    continue
                advertisement = advertisement_of(device)
                if not self.is_allowed_uuid(advertisement.service_uuids):
                    continue
                ble_device = self.create_or_update_device(device.address, device.address, device.name, {},
                                                          advertisement)
                self.call_detection_callbacks(ble_device, advertisement)
            await asyncio.sleep(ADVERTISING_INTERVAL_S)


def advertisement_of(device: ReplayDevice) -> AdvertisementData:
    family = advertising.advertisement_of(device.profile)
    return AdvertisementData(local_name=device.name, manufacturer_data=dict(family.manufacturer_data),
                             service_data={}, service_uuids=list(family.service_uuids), tx_power=family.tx_power,
                             rssi=device.rssi_dbm, platform_data=())
