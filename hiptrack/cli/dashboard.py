"""The dashboard, opened by `hiptrack dashboard` and by `hiptrack` alone; the latter without Typer.

Why without Typer: `hiptrack` alone has no options to parse, and loading Typer and the command modules took
as long as the home screen's first data take to read (issue 17). It fails as `hiptrack dashboard` does: one
line on stderr and the same exit code (hiptrack.cli.problems), and reads $HIPTRACK_PERSON as --person does.
"""

import os
import sys

from hiptrack.cli.problems import problem

PERSON_ENV_VAR = "HIPTRACK_PERSON"
"""Whose sessions when no --person is given (empty: the default person, as Click reads an empty variable)."""


def open_dashboard(db: str | None, person: str | None) -> None:
    """Open the database (--db, $HIPTRACK_DB or the default) for `person` and run the dashboard until it quits."""
    from tracker.services import build_services

    services = build_services(db, person=person)
    from tui.app import HiptrackApp  # after the database opened: a bad --db fails before Textual loads

    HiptrackApp(services).run()
    services.close()


def run_bare() -> int:
    """`hiptrack` with no arguments: the dashboard; the exit status."""
    try:
        open_dashboard(None, os.environ.get(PERSON_ENV_VAR) or None)
    except (Exception, KeyboardInterrupt) as err:
        found = problem(err)
        if found is None:
            raise
        print(found[0], file=sys.stderr)
        return found[1]
    return 0
