"""One line per sensor: connected or silent, rate, packet loss, gaps, battery."""

from __future__ import annotations

from rich.text import Text

from tracker.live_session import SensorStatus
from tui.widgets.quiet_static import QuietStatic

SILENT_AFTER_S = 2.0
"""No block for this long while recording: the link is shown as silent."""


def sensor_line(status: SensorStatus, recording: bool) -> tuple[str, str]:
    """(text, style) of one sensor."""
    silent = status.silent_s is None or status.silent_s > SILENT_AFTER_S
    mark, style = ("○", "yellow") if recording and silent else ("●", "green") if recording else ("■", "dim")
    rate = "—" if status.measured_rate_hz is None else f"{status.measured_rate_hz:.0f}"
    battery = "n/a" if status.battery_percent is None else f"{status.battery_percent}%"
    parts = [f"{mark} {status.placement.replace('_', ' ')}", f"{rate} Hz", f"loss {status.loss_percent:.1f}%",
             f"{status.gaps} gaps", f"battery {battery}"]
    if status.malformed:
        parts.append(f"{status.malformed} bad packets")
    if recording and silent and status.silent_s:
        parts.append(f"no data for {status.silent_s:.0f} s")
    return " · ".join([*parts, status.device]), style


class SensorStatusLines(QuietStatic):
    DEFAULT_CSS = "SensorStatusLines { height: auto; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }"

    def show(self, sensors: tuple[SensorStatus, ...], recording: bool) -> None:
        text = Text()
        for k, status in enumerate(sensors):
            line, style = sensor_line(status, recording)
            text.append(("\n" if k else "") + line, style)
        self.show_content(text if sensors else Text("connecting…", "dim"))
