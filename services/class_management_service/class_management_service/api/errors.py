"""Domain errors of the class and student use cases mapped to the shared error body."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import DBAPIError

from class_management_service.adapters.db_errors import (
    CHARACTER_NOT_IN_REPERTOIRE,
    MissingReference,
    missing_reference,
    sqlstate,
)
from class_management_service.domain.errors import ClassNotFound, DomainError, StudentNotFound
from common_core.errors import ErrorCode
from huleedu_service_libs.errors import HuleEduError, domain_errors_from

# What a row that vanished under a write (a foreign key violation) answers, by its table.
_VANISHED: dict[str, Callable[[str], DomainError]] = {
    "classes": ClassNotFound,
    "students": StudentNotFound,
}


def _from_domain(exc: DomainError) -> HuleEduError:
    # Each domain error carries its shared ErrorCode; the code fixes the status.
    return HuleEduError(exc.code, exc.message, details=exc.details)


def _vanished(reference: MissingReference) -> HuleEduError:
    """A class or student deleted by a concurrent request while this one wrote it."""
    not_found = _VANISHED.get(reference.table or "")
    if not_found is not None and reference.key is not None:
        # The same answer as when the row was already gone before the request began.
        return _from_domain(not_found(reference.key))
    return HuleEduError(
        ErrorCode.CONFLICT,
        "Something this request refers to was deleted at the same time; nothing was written.",
    )


def to_http_error(exc: Exception) -> HuleEduError | None:
    """The HTTP error for a domain error, NUL input or a row deleted meanwhile; None: a 500."""
    if isinstance(exc, DomainError):
        return _from_domain(exc)
    if isinstance(exc, DBAPIError) and (reference := missing_reference(exc)) is not None:
        # The statement failed, so the whole transaction rolls back: nothing was written.
        return _vanished(reference)
    if isinstance(exc, DBAPIError) and sqlstate(exc) == CHARACTER_NOT_IN_REPERTOIRE:
        # A NUL character in an id, name or code: only request input can carry one (stored
        # PII is ciphertext), and the failed statement rolled the whole transaction back.
        return HuleEduError(
            ErrorCode.VALIDATION_ERROR,
            "The request contains a NUL character, which no field may hold.",
            details={"errors": [{"loc": [], "msg": "NUL character", "type": "value_error"}]},
        )
    return None


# Translates the use cases' exceptions into HuleEduError for the shared handlers.
domain_errors = domain_errors_from(to_http_error)
