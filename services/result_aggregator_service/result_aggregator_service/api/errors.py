"""Domain exceptions of the queries mapped to the shared error body."""

from __future__ import annotations

from common_core.errors import ErrorCode
from huleedu_service_libs.errors import HuleEduError, domain_errors_from, service_unavailable
from result_aggregator_service.domain.essay_texts import EssayTextMissing
from result_aggregator_service.domain.ports import BosRejected, BosUnavailable, TextUnavailable
from result_aggregator_service.domain.queries import BatchNotFound, EssayNotFound

# Seconds a caller should wait after a 503 caused by a dependency.
RETRY_AFTER_SECONDS = 5


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
    if isinstance(exc, EssayTextMissing):
        return HuleEduError(
            ErrorCode.CONTENT_NOT_FOUND, exc.message, details={"essay_id": exc.essay_id}
        )
    if isinstance(exc, TextUnavailable):
        return service_unavailable(
            "The essay's text cannot be fetched right now; try again shortly.",
            retry_after=RETRY_AFTER_SECONDS,
            details={"dependency": "content_service"},
        )
    if isinstance(exc, BosUnavailable):
        return service_unavailable(
            "Batch details cannot be fetched right now; try again shortly.",
            retry_after=RETRY_AFTER_SECONDS,
            details={"dependency": "batch_orchestrator_service"},
        )
    if isinstance(exc, BosRejected):
        return HuleEduError(
            ErrorCode.EXTERNAL_SERVICE_ERROR,
            "The batch orchestrator rejected the request for batch details.",
            details={"dependency": "batch_orchestrator_service", "status": exc.status},
        )
    return None


# Translates the queries' exceptions into HuleEduError for the shared handlers.
domain_errors = domain_errors_from(to_http_error)
