"""Domain exceptions of the status queries mapped to the shared error body."""

from __future__ import annotations

from common_core.errors import ErrorCode
from essay_lifecycle_service.domain.queries import BatchNotFound, EssayNotFound
from huleedu_service_libs.errors import HuleEduError, domain_errors_from


def to_http_error(exc: Exception) -> HuleEduError | None:
    """The HTTP error for a domain exception, or None if it is not one of ours."""
    if isinstance(exc, BatchNotFound):
        return HuleEduError(
            ErrorCode.BATCH_NOT_FOUND, "Batch not found.", details={"batch_id": str(exc)}
        )
    if isinstance(exc, EssayNotFound):
        return HuleEduError(
            ErrorCode.ESSAY_NOT_FOUND, "Essay not found.", details={"essay_id": str(exc)}
        )
    return None


# Translates the queries' exceptions into HuleEduError for the shared handlers.
domain_errors = domain_errors_from(to_http_error)
