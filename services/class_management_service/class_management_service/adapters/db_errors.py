"""Which unique index an IntegrityError broke (so repositories can raise the right domain error)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, IntegrityError


def violated_constraint(exc: IntegrityError) -> str | None:
    """The constraint or index name PostgreSQL reported, if any."""
    # SQLAlchemy wraps the asyncpg exception (which carries constraint_name) in its own
    # DB-API adapter exception; look at both.
    for candidate in (exc.orig, getattr(exc.orig, "__cause__", None)):
        name = getattr(candidate, "constraint_name", None)
        if isinstance(name, str) and name:
            return name
    return None


# PostgreSQL refuses NUL characters in text values (and their invalid byte sequences).
CHARACTER_NOT_IN_REPERTOIRE = "22021"


def sqlstate(exc: DBAPIError) -> str | None:
    """The SQLSTATE PostgreSQL reported for a failed statement, if any."""
    for candidate in (exc.orig, getattr(exc.orig, "__cause__", None)):
        code = getattr(candidate, "sqlstate", None)
        if isinstance(code, str) and code:
            return code
    return None
