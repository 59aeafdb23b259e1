"""What a failed statement tells: the unique index it broke, its SQLSTATE, a vanished row."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError, IntegrityError

from class_management_service.adapters.tables import metadata

# PostgreSQL refuses NUL characters in text values (and their invalid byte sequences).
CHARACTER_NOT_IN_REPERTOIRE = "22021"
# A row's foreign key names a row that does not exist (any more).
FOREIGN_KEY_VIOLATION = "23503"

# Each foreign key's name (the naming convention's, as created by the migrations) and the
# table it refers to: the constraint name is reported in every locale, the message is not.
_REFERRED_TABLE = {
    str(fk.name): fk.referred_table.name
    for table in metadata.tables.values()
    for fk in table.foreign_key_constraints
}
# The detail of a foreign key violation: 'Key (class_id)=(...) is not present in table ...'.
_KEY_VALUE = re.compile(r"\((?P<column>[^()]+)\)=\((?P<value>[^()]*)\)")


def _reported(exc: DBAPIError, attribute: str) -> str | None:
    # SQLAlchemy wraps the asyncpg exception (which carries the fields) in its own DB-API
    # adapter exception; look at both.
    for candidate in (exc.orig, getattr(exc.orig, "__cause__", None)):
        value = getattr(candidate, attribute, None)
        if isinstance(value, str) and value:
            return value
    return None


def violated_constraint(exc: IntegrityError) -> str | None:
    """The constraint or index name PostgreSQL reported, if any."""
    return _reported(exc, "constraint_name")


def sqlstate(exc: DBAPIError) -> str | None:
    """The SQLSTATE PostgreSQL reported for a failed statement, if any."""
    return _reported(exc, "sqlstate")


@dataclass(frozen=True, slots=True)
class MissingReference:
    """The row a foreign key found missing: its table and key value, where PostgreSQL said."""

    table: str | None
    key: str | None


def missing_reference(exc: DBAPIError) -> MissingReference | None:
    """For a foreign key violation, the missing row (a concurrent delete); else None."""
    if sqlstate(exc) != FOREIGN_KEY_VIOLATION:
        return None
    table = _REFERRED_TABLE.get(_reported(exc, "constraint_name") or "")
    found = _KEY_VALUE.search(_reported(exc, "detail") or "")
    return MissingReference(table, found.group("value") if found else None)
