"""Sensors in range, their battery, and where each is strapped (left thigh, right thigh, pelvis) for this run."""

from __future__ import annotations

from collections.abc import Sequence

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tracker.domain import Placement
from tui.context import BluetoothUnavailableError, DashboardContext, FoundSensor
from tui.scanning import SCAN_TIMEOUT_S
from tui.widgets.fixed_columns import add_fixed_columns
from tui.widgets.section_bar import SectionBar

PLACEMENT_WORDS = {Placement.LEFT_THIGH: "left thigh", Placement.RIGHT_THIGH: "right thigh",
                   Placement.PELVIS: "pelvis"}


DEVICE_COLUMNS = (("sensor", 14), ("address", 17), ("family", 12), ("signal", 7), ("battery", 7), ("strapped on", 11))


class DevicesScreen(Screen[None]):
    BINDINGS = [
        Binding("f", "scan", "Scan"),
        Binding("1", "place('left_thigh')", "L thigh"),
        Binding("2", "place('right_thigh')", "R thigh"),
        Binding("3", "place('pelvis')", "Pelvis"),
        Binding("0", "place('')", "Unassign"),
    ]

    def __init__(self, context: DashboardContext) -> None:
        super().__init__()
        self._dashboard = context
        self._found: list[FoundSensor] = []

    def compose(self) -> ComposeResult:
        yield SectionBar("devices")
        yield Static(id="bluetooth")
        yield DataTable(id="devices", cursor_type="row", zebra_stripes=True)
        yield Static(id="placements")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        add_fixed_columns(table, DEVICE_COLUMNS)
        table.focus()
        self._show_placements()
        self.action_scan()

    def action_scan(self) -> None:
        self.query_one("#bluetooth", Static).update(f"Scanning for {SCAN_TIMEOUT_S:g} s…")
        self._scan()

    @work(exclusive=True, group="scan")
    async def _scan(self) -> None:
        """bleak is asyncio all the way down: an async worker, nothing blocks the UI while it listens."""
        try:
            found = await self._dashboard.scanner(SCAN_TIMEOUT_S)
        except BluetoothUnavailableError as err:
            self._show_unavailable(str(err))
            return
        self._show_found(found)

    def _show_unavailable(self, reason: str) -> None:
        self._found = []
        self.query_one(DataTable).clear()
        self.query_one("#bluetooth", Static).update(Content.from_markup(
            f"[b $error]Bluetooth unavailable[/]: {escape(reason)}\n"
            "Simulated sensors still work: press r to record with one. Press f to scan again."))

    def _show_found(self, found: Sequence[FoundSensor]) -> None:
        self._found = list(found)
        self._fill_table()
        self.query_one("#bluetooth", Static).update(
            f"{len(found)} sensor(s) in range. Pick one and press 1, 2 or 3 to say where it is strapped."
            if found else "No supported sensor in range: is it switched on, charged and not connected to "
                          "another app? Press f to scan again.")

    def _fill_table(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for sensor in self._found:
            placement = self._dashboard.placements.get(sensor.address)
            table.add_row(sensor.name or "(no name)", sensor.address, sensor.profile or "?",
                          "" if sensor.rssi_dbm is None else f"{sensor.rssi_dbm} dBm",
                          "?" if sensor.battery_pct is None else f"{sensor.battery_pct} %",
                          PLACEMENT_WORDS.get(placement, "") if placement else "", key=sensor.address)
        if self._found:
            table.move_cursor(row=min(row, len(self._found) - 1))

    def action_place(self, placement: str) -> None:
        table = self.query_one(DataTable)
        if not self._found:
            self.notify("No sensor to assign: scan first (f).", severity="warning")
            return
        address = self._found[table.cursor_row].address
        assign(self._dashboard.placements, address, Placement(placement) if placement else None)
        self._fill_table()
        self._show_placements()

    def _show_placements(self) -> None:
        names = {s.address: s.name or s.address for s in self._found}
        by_placement = {placement: address for address, placement in self._dashboard.placements.items()}
        parts = [f"{words}: {names.get(by_placement[p], by_placement[p]) if p in by_placement else '–'}"
                 for p, words in PLACEMENT_WORDS.items()]
        self.query_one("#placements", Static).update("For this run — " + " · ".join(parts))


def assign(placements: dict[str, Placement], address: str, placement: Placement | None) -> None:
    """Strap `address` on `placement` (None: nowhere); a placement holds one sensor, so it moves."""
    for other, where in list(placements.items()):
        if other == address or where == placement:
            del placements[other]
    if placement is not None:
        placements[address] = placement
