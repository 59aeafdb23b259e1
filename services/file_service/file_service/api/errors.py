"""Domain exceptions of the upload use cases mapped to the shared error body."""

from __future__ import annotations

import math

from common_core.errors import ErrorCode
from file_service.domain.batch_files import FileNotFoundInBatch
from file_service.domain.course_check import MixedCourses
from file_service.domain.ports import BatchNotAcceptingFiles, BatchNotFound, DependencyUnavailable
from file_service.domain.upload_results import UploadRejected
from huleedu_service_libs.errors import HuleEduError, domain_errors_from, service_unavailable


def to_http_error(exc: Exception) -> HuleEduError | None:
    """The HTTP error for a domain exception, or None if it is not one of ours."""
    if isinstance(exc, BatchNotFound):
        return HuleEduError(
            ErrorCode.BATCH_NOT_FOUND, "Batch not found.", details={"batch_id": str(exc)}
        )
    if isinstance(exc, BatchNotAcceptingFiles):
        return HuleEduError(
            ErrorCode.BATCH_NOT_ACCEPTING_FILES,
            "The batch has started processing; its files can no longer change.",
            details={"batch_id": str(exc)},
        )
    if isinstance(exc, FileNotFoundInBatch):
        return HuleEduError(
            ErrorCode.FILE_NOT_FOUND,
            "No such file in this batch.",
            details={"file_upload_id": str(exc)},
        )
    if isinstance(exc, MixedCourses):
        return HuleEduError(ErrorCode.MIXED_COURSES, exc.message, details=exc.details)
    if isinstance(exc, UploadRejected):
        return HuleEduError(exc.code, exc.message)
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
