"""The `hiptrack` command: thin commands over tracker.services; errors become one line and an exit code.

One module per group of commands, all registered on the one Typer app in `common`.
"""

from hiptrack.cli import (  # noqa: F401  (importing registers the commands)
    analyze,
    doctor,
    people,
    progress,
    record,
    scan,
    sessions,
)
from hiptrack.cli.common import app


def main() -> None:
    app(prog_name="hiptrack")


__all__ = ["app", "main"]
