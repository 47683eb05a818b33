"""Reps and sets so far against the prescription."""

from __future__ import annotations

from rich.text import Text

from tracker.catalog import Span
from tracker.report import span_text
from tui.widgets.quiet_static import QuietStatic


class RepCounter(QuietStatic):
    DEFAULT_CSS = "RepCounter { height: 2; }"

    def show(self, reps: int, reps_in_set: int, sets_done: int, prescribed_reps: Span, prescribed_sets: Span) -> None:
        text = Text("Reps  ", "bold")
        text.append(str(reps), "bold")
        text.append(f"   this set {reps_in_set} of {span_text(prescribed_reps)}", "dim")
        text.append("\nSets  ", "bold")
        text.append(str(sets_done), "bold")
        text.append(f"   done of {span_text(prescribed_sets)}", "dim")
        self.show_content(text)
