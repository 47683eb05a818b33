"""What every `hiptrack` command shares: the Typer app, common options, and error handling.

Commands import the storage stack on first use (`services_module`), so `analyze` starts fast.

Exit codes: 0 ok, 2 bad input (file, argument, URL), 1 any other failure.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import ModuleType
from typing import Annotated

import typer

from tracker import __version__
from tracker.domain import SessionSummary
from tracker.errors import BadInputError, HiptrackError

app = typer.Typer(
    name="hiptrack",
    help="Track hip mobility with wearable IMUs: record sessions, analyse range of motion, watch trends.",
    add_completion=False,
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DbOption = Annotated[str | None, typer.Option(
    "--db", metavar="URL", show_default=False,
    help="SQLAlchemy database URL (default: $HIPTRACK_DB, else an SQLite file in your user data folder).")]
NoTuiOption = Annotated[bool, typer.Option("--no-tui", help="Print a text summary instead of opening the dashboard.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def services_module() -> ModuleType:
    """The storage-backed use cases, imported on first use: `analyze` needs no database stack."""
    return importlib.import_module("tracker.services")


@contextmanager
def user_errors() -> Iterator[None]:
    """Known errors: one line on stderr and the error's exit code, never a traceback."""
    try:
        yield
    except HiptrackError as err:
        typer.echo(f"hiptrack: error: {err}", err=True)
        raise typer.Exit(err.exit_code) from None
    except KeyError as err:                 # an unknown sensor profile names the known ones
        typer.echo(f"hiptrack: error: {err.args[0] if err.args else err}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        typer.echo("hiptrack: interrupted", err=True)
        raise typer.Exit(130) from None


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"hiptrack {__version__}")
        raise typer.Exit()


def parse_datetime(text: str, option: str = "--at") -> datetime:
    """An ISO date or date-time; without a zone it is local time."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BadInputError(f"{option} {text!r} is not an ISO date-time (example: 2026-03-01T18:30)") from None
    return (value if value.tzinfo else value.astimezone()).astimezone(UTC)


def sessions_table(rows: list[SessionSummary]) -> str:
    header = f"{'id':>4}  {'started (UTC)':16}  {'exercise':30}  {'side':5}  {'source':9}  {'status':11}  " \
             f"{'duration':>8}  {'samples':>8}  {'rate':>7}"
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(f"{r.id:>4}  {r.started_at:%Y-%m-%d %H:%M}  {r.exercise:30}  {r.side.value:5}  "
                     f"{r.source.value:9}  {r.status.value:11}  {r.duration_s:7.1f}s  {r.samples:>8}  "
                     f"{r.rate_hz:5.1f}Hz")
    return "\n".join(lines)


