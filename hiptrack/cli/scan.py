"""`hiptrack scan`: which Bluetooth sensors are in range, so `record --sensor` can name one."""

import json
from pathlib import Path
from typing import Annotated

import typer

from hiptrack.cli.common import JsonOption, app, user_errors


@app.command()
def scan(
    json_output: JsonOption = False,
    timeout: Annotated[float, typer.Option(metavar="S", help="How long to listen.")] = 5.0,
    name: Annotated[str | None, typer.Option(metavar="TEXT", show_default=False,
                                             help="Only devices whose name contains TEXT (any case).")] = None,
    all_devices: Annotated[bool, typer.Option("--all", help="Also list devices that are not supported sensors.")]
    = False,
    no_battery: Annotated[bool, typer.Option("--no-battery", help="Do not connect to read battery levels.")] = False,
    ble_replay: Annotated[Path | None, typer.Option("--ble-replay", metavar="LOG", hidden=True,
                                                    envvar="HIPTRACK_BLE_REPLAY")] = None,
) -> None:
    """List Bluetooth sensors in range: name, address, family, signal strength and battery."""
    with user_errors():
        import asyncio  # only when scanning: listing commands start without the event loop

        from tracker import ble_recording  # deferred: bleak loads only for the commands that use it

        backends = ble_recording.choose_backends(ble_replay, None, realtime=True)

        found = asyncio.run(ble_recording.scan_sensors(timeout, name_contains=name, include_unsupported=all_devices,
                                                       read_battery=not no_battery, backends=backends))
        if json_output:
            typer.echo(json.dumps([f.to_json() for f in found], indent=2))
            return
        if not found:
            typer.echo(f"No sensors found in {timeout:g} s. Is the sensor switched on, charged, and not connected to "
                       "another app or phone?", err=True)
            return
        typer.echo(f"{'name':24}  {'address':36}  {'sensor':12}  {'signal':>8}  {'battery':>7}")
        for f in found:
            battery = f"{f.battery_percent} %" if f.battery_percent is not None else "-"
            typer.echo(f"{f.name[:24]:24}  {f.address:36}  {f.profile.name if f.profile else '-':12}  "
                       f"{f.rssi_dbm:>4} dBm  {battery:>7}")
