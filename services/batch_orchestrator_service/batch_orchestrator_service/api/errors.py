"""Domain exceptions of the batch use cases mapped to the shared error body."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from batch_orchestrator_service.domain.errors import BatchNotFound, PhaseNotRetryable, UnknownCourse
from common_core.errors import ErrorCode
from huleedu_service_libs.errors import HuleEduError

P = ParamSpec("P")
R = TypeVar("R")


def to_http_error(exc: Exception) -> HuleEduError | None:
    """The HTTP error for a domain exception, or None if it is not one of ours."""
    if isinstance(exc, BatchNotFound):
        return HuleEduError(
            ErrorCode.BATCH_NOT_FOUND, "Batch not found.", details={"batch_id": exc.batch_id}
        )
    if isinstance(exc, UnknownCourse):
        return HuleEduError(
            ErrorCode.UNKNOWN_COURSE,
            f"Unknown course code {exc.course_code!r}.",
            details={"course_code": exc.course_code},
        )
    if isinstance(exc, PhaseNotRetryable):
        return HuleEduError(
            ErrorCode.PHASE_NOT_RETRYABLE, exc.reason, details={"phase": exc.phase.value}
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
