"""A compositor whose partial updates render only the widgets that show something in the updated area.

Why: Textual's `Compositor._get_renders` picks the widgets to render by their *clip* (the container they sit
in), so every child of the screen (header, footer, log and its scroll bars, status lines) renders all its lines
on every partial update, even when only the live angle's three rows changed: on the live screen that was 18
widget renders per frame for one or two that changed, most of the drawing's CPU. Picking by what each widget
shows (its region within its clip) gives the same frame: a widget that shows nothing in the updated area
contributes nothing to it; and of the widgets that do, only the updated rows are rendered (the screen and its
containers are as tall as the screen). Layout and hit-testing are Textual's own; a full update passes the
whole screen as the updated area and goes through the same selection, which then keeps every visible widget.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip


class CroppedCompositor(Compositor):
    """Textual's compositor, with partial updates restricted to the widgets visible in the updated area."""

    def _get_renders(self, crop: Region | None = None) -> Iterable[tuple[Region, Region, list[Strip]]]:
        if not crop:                                   # no area given: every visible widget, as Textual does
            yield from super()._get_renders(crop)
            return
        top, bottom = crop.y, crop.bottom
        for widget, (region, clip) in self.visible_widgets.items():
            shown = region.intersection(clip)
            if not shown.area or not crop.overlaps(shown):
                continue
            # The update's rows only, at the widget's full width: a row's chops are cut at widget edges, so a
            # row is rendered whole or not at all.
            y0, y1 = max(shown.y, top), min(shown.bottom, bottom)
            rows = Region(clip.x, y0, clip.width, y1 - y0)
            lines = widget.render_lines(shown.intersection(rows).translate(-region.offset))
            yield region, clip.intersection(rows), lines
