"""A compositor whose partial updates render only the widgets that show something in the updated area.

Why: Textual's `Compositor._get_renders` picks the widgets to render by their *clip* (the container they sit
in), so every child of the screen (header, footer, log and its scroll bars, status lines) renders all its lines
on every partial update, even when only the live angle's three rows changed: on the live screen that was 18
widget renders per frame for one or two that changed, most of the drawing's CPU. Picking by what each widget
shows (its region within its clip) gives the same frame: a widget that shows nothing in the updated area
contributes nothing to it. Everything else (layout, full updates, hit-testing) is Textual's own.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip


class CroppedCompositor(Compositor):
    """Textual's compositor, with partial updates restricted to the widgets visible in the updated area."""

    def _get_renders(self, crop: Region | None = None) -> Iterable[tuple[Region, Region, list[Strip]]]:
        if not crop:                                   # a full update: every visible widget, as Textual does
            yield from super()._get_renders(crop)
            return
        for widget, (region, clip) in self.visible_widgets.items():
            shown = region.intersection(clip)
            if not shown.area or not crop.overlaps(shown):
                continue
            # Same arguments as Textual's: the widget's visible part, in its own coordinates.
            yield region, clip, widget.render_lines(shown.translate(-region.offset))
