"""The `hiptrack` command: thin commands over tracker.services; errors become one line and an exit code.

One module per group of commands, all registered on the one Typer app in `common`. Importing a module
registers its commands; `app` (for tests and tools) is the app with every command, while `main` loads only
the module of the command typed.

Why: Typer turns every registered command's signature into Click parameters on each run, and each module
imports what its commands share. `hiptrack sessions`, typed dozens of times a day, paid for `record`,
`plan` and `doctor` it never runs (issue 17). `--help`, a typo and anything unexpected still load them all,
so help lists every command and Click can say "No such command" only of a name that is really not there.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

MODULES = ("analyze", "doctor", "people", "progress", "record", "scan", "sessions")
"""Every module that registers commands."""

ROOT_MODULE = "sessions"
"""Holds the top-level callback (--version, --db, --person, and the dashboard when no command is given)."""

COMMAND_MODULES = {
    "analyze": "analyze", "exercises": "analyze",
    "doctor": "doctor",
    "people": "people",
    "progress": "progress", "pain": "progress", "plan": "progress",
    "record": "record",
    "scan": "scan",
    "dashboard": "sessions", "demo": "sessions", "sessions": "sessions", "delete": "sessions",
    "import": "sessions", "export": "sessions", "show": "sessions", "reanalyze": "sessions",
}
"""Which module registers each top-level command or group; tests/test_lazy_imports.py checks it against the app."""

ROOT_VALUE_OPTIONS = ("--db", "--person")
"""Top-level options that take a value (`hiptrack --db x.db sessions`): the next word is not a command."""


def modules_for(argv: Sequence[str]) -> tuple[str, ...]:
    """The command modules a run with these arguments needs: the typed command's and the root's, else all."""
    words = iter(argv)
    for word in words:
        if word in ("-h", "--help"):
            return MODULES
        if word in ROOT_VALUE_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            module = COMMAND_MODULES.get(word)
            return MODULES if module is None else tuple(dict.fromkeys((ROOT_MODULE, module)))
    return (ROOT_MODULE,)


def register(modules: Sequence[str]) -> typer.Typer:
    """Import the command modules (which registers their commands) and return the app."""
    for module in modules:
        importlib.import_module(f"{__name__}.{module}")
    from hiptrack.cli.common import app

    return app


def main() -> None:
    if not sys.argv[1:]:            # `hiptrack` alone: the dashboard, without Typer (hiptrack.cli.dashboard)
        from hiptrack.cli.dashboard import run_bare

        sys.exit(run_bare())
    register(modules_for(sys.argv[1:]))(prog_name="hiptrack")


def __getattr__(name: str) -> typer.Typer:
    """`app`: the app with every command registered (PEP 562, so that importing this package registers none)."""
    if name == "app":
        return register(MODULES)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["COMMAND_MODULES", "MODULES", "app", "main", "modules_for", "register"]
