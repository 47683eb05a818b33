"""Known errors as the one line and exit code every `hiptrack` run gives them, without Typer.

Why apart from `common`: `hiptrack` alone opens the dashboard without loading Typer (`hiptrack.cli.dashboard`), and
must fail exactly as `hiptrack dashboard` does.
"""

import sys

from tracker.errors import HiptrackError


def problem(err: BaseException) -> tuple[str, int] | None:
    """`hiptrack: error: ...` (or `hiptrack: interrupted`) and the exit code; None for anything else (a bug)."""
    if isinstance(err, HiptrackError):
        return f"hiptrack: error: {err}", err.exit_code
    if isinstance(err, KeyError):             # an unknown sensor profile names the known ones
        return f"hiptrack: error: {err.args[0] if err.args else err}", 2
    if isinstance(err, KeyboardInterrupt):
        return "hiptrack: interrupted", 130
    if isinstance(err, OSError):              # an --out, --angles or --log path we cannot write
        return f"hiptrack: error: {os_problem(err)}", 2 if err.filename else 1
    if isinstance(err, OverflowError):        # a number or date beyond what the database can hold
        return f"hiptrack: error: a value is out of range: {err}", 2
    found = database_problem(err) if isinstance(err, Exception) else None
    return None if found is None else (f"hiptrack: error: {found}", 1)


def os_problem(err: OSError) -> str:
    where = f"{err.filename}: " if err.filename else ""
    return f"{where}{err.strerror or err}"


def database_problem(err: Exception) -> str | None:
    """A driver error met after the database opened (locked, server gone, disk full), as one line.

    Found through sys.modules so that commands without a database never import SQLAlchemy.
    """
    exc = sys.modules.get("sqlalchemy.exc")
    if exc is None or not isinstance(err, exc.DBAPIError):
        return None
    return "database error: " + " ".join(str(err.orig).split())
