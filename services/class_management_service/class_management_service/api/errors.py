"""Domain errors of the class and student use cases mapped to the shared error body."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError

from class_management_service.adapters.db_errors import CHARACTER_NOT_IN_REPERTOIRE, sqlstate
from class_management_service.domain.errors import DomainError
from common_core.errors import ErrorCode
from huleedu_service_libs.errors import HuleEduError

P = ParamSpec("P")
R = TypeVar("R")


def to_http_error(exc: Exception) -> HuleEduError | None:
    """The HTTP error for a domain exception or NUL-bearing input, else None (a real 500)."""
    if isinstance(exc, DomainError):
        # Each domain error carries its shared ErrorCode; the code fixes the status.
        return HuleEduError(exc.code, exc.message, details=exc.details)
    if isinstance(exc, DBAPIError) and sqlstate(exc) == CHARACTER_NOT_IN_REPERTOIRE:
        # A NUL character in an id, name or code: only request input can carry one (stored
        # PII is ciphertext), and the failed statement rolled the whole transaction back.
        return HuleEduError(
            ErrorCode.VALIDATION_ERROR,
            "The request contains a NUL character, which no field may hold.",
            details={"errors": [{"loc": [], "msg": "NUL character", "type": "value_error"}]},
        )
    return None


def domain_errors(view: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Translate the use cases' exceptions into HuleEduError for the shared handlers."""

    @functools.wraps(view)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await view(*args, **kwargs)
        except Exception as exc:
            mapped = to_http_error(exc)
            if mapped is None:
                raise
            raise mapped from exc

    return wrapper
