"""Domain errors of the class and student use cases mapped to the shared error body."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from class_management_service.domain.errors import DomainError
from huleedu_service_libs.errors import HuleEduError

P = ParamSpec("P")
R = TypeVar("R")


def to_http_error(exc: Exception) -> HuleEduError | None:
    """The HTTP error for a domain exception, or None if it is not one of ours."""
    if isinstance(exc, DomainError):
        # Each domain error carries its shared ErrorCode; the code fixes the status.
        return HuleEduError(exc.code, exc.message, details=exc.details)
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
