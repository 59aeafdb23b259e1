"""Domain exceptions of the batch use cases mapped to the shared error body."""

from __future__ import annotations

import math

from batch_orchestrator_service.domain.errors import (
    BatchNotFound,
    ClassNotFound,
    DependencyUnavailable,
    MixedCourses,
    PhaseNotRetryable,
    UnknownCourse,
)
from common_core.errors import ErrorCode
from huleedu_service_libs.errors import HuleEduError, domain_errors_from, service_unavailable


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
    return _class_error(exc)


def _class_error(exc: Exception) -> HuleEduError | None:
    """Errors of the class check at registration."""
    if isinstance(exc, ClassNotFound):
        # The same answer for an unknown class and another teacher's: nothing to learn.
        return HuleEduError(
            ErrorCode.CLASS_NOT_FOUND, "Class not found.", details={"class_id": exc.class_id}
        )
    if isinstance(exc, MixedCourses):
        return HuleEduError(
            ErrorCode.MIXED_COURSES,
            str(exc),
            details={"class_course": exc.class_course, "batch_course": exc.batch_course},
        )
    if isinstance(exc, DependencyUnavailable):
        return service_unavailable(
            f"{exc.service} is unavailable; nothing was stored. Try again shortly.",
            code=ErrorCode.SERVICE_UNAVAILABLE,
            retry_after=max(1, math.ceil(exc.retry_after_seconds)),
            details={"dependency": exc.service},
        )
    return None


# Translates the use cases' exceptions into HuleEduError for the shared handlers.
domain_errors = domain_errors_from(to_http_error)
