"""`hiptrack doctor`: check Bluetooth, the database and the disk, and say how to fix what is wrong."""

import json

import typer

from hiptrack.cli.common import DbOption, JsonOption, app, user_errors

MARKS = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}


@app.command()
def doctor(json_output: JsonOption = False, db: DbOption = None) -> None:
    """Check this computer and the database: versions, Bluetooth, database, privacy, disk space.

    Exit status 0 if nothing failed (warnings allowed), 1 if something did.
    """
    with user_errors():
        from tracker import doctor as checks  # deferred: the other commands need no D-Bus or disk probes

        found = checks.run_checks(db)
        report = checks.report_json(found)
        if json_output:
            typer.echo(json.dumps(report, indent=2))
        else:
            typer.echo(f"hiptrack {report['hiptrack']} doctor")
            width = max(len(c.name) for c in found)
            for check in found:
                typer.echo(f"  {MARKS[check.status.value]}  {check.name:{width}}  {check.detail}")
                if check.fix:
                    typer.echo(f"  {'':4}  {'':{width}}  {'hint' if check.status.value == 'ok' else 'fix'}: "
                               f"{check.fix}")
            warnings = sum(c.status.value == "warn" for c in found)
            failures = sum(c.status.value == "fail" for c in found)
            typer.echo(f"{failures} failed, {warnings} warning(s)." if failures or warnings else "All good.")
        if report["status"] == "fail":
            raise typer.Exit(1)
