"""People: pseudonymous names, so one database can hold a physiotherapist's patients apart.

Why sessions of the default person have no person row: a single user never names anyone, and every
session recorded before people existed is theirs; `--person` is only for a second person on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tracker.errors import BadInputError
from tracker.storage import models as m
from tracker.storage import reading
from tracker.storage.reading import DEFAULT_PERSON
from tracker.storage.repository_base import Repository

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
"""A pseudonym or an id (`p07`, `rider-b`): one word, no spaces, so a full name or an address does not fit."""


@dataclass(frozen=True, slots=True)
class PersonSummary:
    name: str
    sessions: int


def check_name(name: str) -> str:
    """The name if it is a usable pseudonym, else a BadInputError that says what fits."""
    if not NAME_PATTERN.fullmatch(name) or "@" in name:
        raise BadInputError(f"{name!r} is not a pseudonym hiptrack keeps: use one word of letters, digits, '.', "
                            "'_' or '-' (at most 40), such as p07 or rider-b; no real names or other personal data")
    return name


class PeopleRepository(Repository):
    def add(self, name: str) -> PersonSummary:
        check_name(name)
        if name.lower() == DEFAULT_PERSON:
            raise BadInputError(f"{name!r} is the default person already")
        try:
            with self._write() as orm:
                orm.add(m.Person(name=name))
        except IntegrityError as err:
            raise BadInputError(f"there is already a person called {name!r}") from err
        return PersonSummary(name, 0)

    def id_of(self, name: str | None) -> int | None:
        """The person's id; None for the default person (no name, or 'default'); unknown names are refused."""
        if name is None or name.lower() == DEFAULT_PERSON:
            return None
        with self._connection() as connection:
            return reading.person_id(connection, name)

    def summaries(self) -> list[PersonSummary]:
        """The default person then everyone added, with how many sessions each has."""
        with self._read() as orm:
            counts: dict[int | None, int] = {person_id: count for person_id, count in orm.execute(
                sa.select(m.Session.person_id, sa.func.count()).group_by(m.Session.person_id))}
            names = [(person_id, name) for person_id, name in orm.execute(
                sa.select(m.Person.id, m.Person.name).order_by(m.Person.name))]
        return [PersonSummary(DEFAULT_PERSON, counts.get(None, 0)),
                *(PersonSummary(name, counts.get(person_id, 0)) for person_id, name in names)]
