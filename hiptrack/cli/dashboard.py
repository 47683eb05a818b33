"""The dashboard, opened by `hiptrack dashboard` and by `hiptrack` alone; the latter without Typer.

Why without Typer: `hiptrack` alone has no options to parse, and loading Typer and the command modules took
as long as the home screen's first data take to read (issue 17). It fails as `hiptrack dashboard` does: one
line on stderr and the same exit code (hiptrack.cli.problems), and reads $HIPTRACK_PERSON as --person does.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import TYPE_CHECKING

from hiptrack.cli.problems import problem

if TYPE_CHECKING:
    from tracker.services import Services

PERSON_ENV_VAR = "HIPTRACK_PERSON"
"""Whose sessions when no --person is given (empty: the default person, as Click reads an empty variable)."""


def prepare(db: str | None, person: str | None) -> Services:
    """Open the database (--db, $HIPTRACK_DB or the default) for `person` and load the dashboard's code, with
    the cyclic garbage collector paused; what `hiptrack` does before the app runs.

    Why paused: loading SQLAlchemy, Textual and the app makes about a hundred thousand objects that live as long
    as the process, and the collector went through them again and again (about 50 ms of the 0.5 s before the
    first screen with data, and tens of milliseconds at every later full collection). Once loaded they are frozen
    (gc.freeze) out of its reach; what the app makes afterwards is collected as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        from tracker.services import build_services

        services = build_services(db, person=person)
        import tui.app  # noqa: F401  (after the database opened: a bad --db fails before Textual loads)
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
    return services


def open_dashboard(db: str | None, person: str | None) -> int:
    """Open the database for `person` and run the dashboard until it quits; its exit status.

    Why the status: an app that crashed has Textual print the traceback and return; exiting 0 after
    it would tell a script that all went well."""
    services = prepare(db, person)
    from tui.app import HiptrackApp

    app = HiptrackApp(services)
    try:
        app.run()
    finally:
        services.close()
    return app.return_code or 0


def run_bare() -> int:
    """`hiptrack` with no arguments: the dashboard; the exit status."""
    try:
        return open_dashboard(None, os.environ.get(PERSON_ENV_VAR) or None)
    except (Exception, KeyboardInterrupt) as err:
        found = problem(err)
        if found is None:
            raise
        print(found[0], file=sys.stderr)
        return found[1]
