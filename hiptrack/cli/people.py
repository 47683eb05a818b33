"""`hiptrack people`: the pseudonymous people one database keeps apart (a physiotherapist's patients)."""

import json
from typing import Annotated

import typer

from hiptrack.cli.common import DbOption, JsonOption, app, services_module, user_errors

people_app = typer.Typer(help="People in this database, by pseudonym (sessions of two people never mix). "
                              "A single user needs none: their sessions belong to the default person.",
                         invoke_without_command=True, no_args_is_help=False)
app.add_typer(people_app, name="people")


@people_app.callback()
def people_show(ctx: typer.Context, json_output: JsonOption = False, db: DbOption = None) -> None:
    """List the people (with no subcommand)."""
    if ctx.invoked_subcommand is None:
        _list(json_output, db)


@people_app.command("list")
def people_list(json_output: JsonOption = False, db: DbOption = None) -> None:
    """List the people with how many sessions each has."""
    _list(json_output, db)


@people_app.command("add")
def people_add(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A pseudonym or an id (p07, rider-b); no real names.",
                                        show_default=False)],
    db: DbOption = None,
) -> None:
    """Add a person; then use --person NAME (or HIPTRACK_PERSON=NAME) on record, import, sessions, progress..."""
    with user_errors():
        from tracker.storage.people_repository import check_name

        check_name(name)                          # refused before a database is created
        svc = services_module().build_services(db)
        try:
            svc.store.people.add(name)
        finally:
            svc.close()
        typer.echo(f"Added {name}. Record as them with: hiptrack record --person {name} ...")


def _list(json_output: bool, db: str | None) -> None:
    with user_errors():
        svc = services_module().build_services(db)
        try:
            people = svc.store.people.summaries()
        finally:
            svc.close()
        if json_output:
            typer.echo(json.dumps([{"name": p.name, "sessions": p.sessions} for p in people], indent=2))
        else:
            typer.echo("\n".join(f"{p.name:<20} {p.sessions} session{'s' if p.sessions != 1 else ''}"
                                 for p in people))
