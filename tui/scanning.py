"""The dashboard's sensor scan: `sensors.ble.scan` results as the Devices screen lists them.

Imported lazily so that opening the dashboard does not load bleak (and D-Bus) until a scan is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence

from tui.context import BluetoothUnavailableError, FoundSensor

SCAN_TIMEOUT_S = 5.0


async def default_scanner(timeout_s: float = SCAN_TIMEOUT_S) -> Sequence[FoundSensor]:
    """Supported sensors in range with their battery level, strongest first; raises BluetoothUnavailableError."""
    from sensors.ble import scan as ble_scan
    from tracker.ble_recording import BLUETOOTH_ADVICE

    try:
        heard = await ble_scan.scan(timeout_s, read_battery=True)
    except ble_scan.BluetoothUnavailableError as err:
        raise BluetoothUnavailableError(f"{err}. {BLUETOOTH_ADVICE}") from err
    return [FoundSensor(f.address, f.name or None, f.profile.name if f.profile else None, f.rssi_dbm,
                        f.battery_percent) for f in heard]
