"""DataTable columns of fixed width.

Why: an auto-width column is measured when the app is next idle, and a table filled from a worker can
be drawn before that with the header's widths, then kept from a render cache (seen with Textual 8.2).
Fixed widths draw right at once, and the same way every time (snapshots).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.widgets import DataTable


def add_fixed_columns(table: DataTable[Any], columns: Sequence[tuple[str, int]]) -> None:
    """(label, width in cells) for each column; the label is also the column's key."""
    for label, width in columns:
        table.add_column(label, width=width, key=label)
