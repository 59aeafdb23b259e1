"""Framework-neutral pieces of the Quart and FastAPI support: error responses, logging, API key."""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from common_core.errors import ErrorCode, http_status_for
from huleedu_service_libs.correlation import get_correlation_id, new_correlation_id
from huleedu_service_libs.errors import (
    HuleEduError,
    build_error_body,
    code_for_http_status,
    dependency_unavailable,
    unauthorized,
)
from huleedu_service_libs.logging_setup import get_logger
from huleedu_service_libs.observability.metrics import record_http_error
from huleedu_service_libs.observability.probes import PROBE_PATHS
from huleedu_service_libs.resilience.outages import classify_dependency_error

logger = get_logger("huleedu_service_libs.http")

INTERNAL_PATH_PREFIX = "/internal/"
# Paths operators poll constantly; their request lines go to debug to keep logs readable.
QUIET_PATHS = PROBE_PATHS | {"/metrics"}
UNHANDLED_MESSAGE = "Internal server error"
DEFAULT_DEPENDENCY_RETRY_AFTER_SECONDS = 5


@dataclass(frozen=True)
class ErrorResponse:
    """Status, JSON body and extra headers of one error answer."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def error_response(
    code: ErrorCode,
    message: str,
    *,
    service: str,
    method: str,
    path: str,
    status: int | None = None,
    details: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    exc: BaseException | None = None,
    log_event: str = "http.error",
    log_extra: Mapping[str, Any] | None = None,
) -> ErrorResponse:
    """Build the error body, count it and log it with the correlation id."""
    status_code = status or http_status_for(code)
    # The middleware normally sets the id; an error raised before it ran still gets one.
    correlation_id = get_correlation_id() or new_correlation_id()
    body = build_error_body(
        code, message, correlation_id=correlation_id, service=service, details=details
    )
    record_http_error(service, code.value)
    log_fields: dict[str, Any] = {
        "code": code.value,
        "status": status_code,
        "error_message": message,
        "method": method,
        "path": path,
        "correlation_id": correlation_id,
        **(log_extra or {}),
    }
    if exc is not None and status_code >= 500:
        logger.error("http.unhandled_error", exc_info=exc, **log_fields)
    elif status_code == 503:
        # A dependency or breaker saying "later": expected during outages, one line each.
        logger.warning(log_event, **log_fields)
    elif status_code >= 500:
        logger.error(log_event, **log_fields)
    else:
        logger.info(log_event, **log_fields)
    return ErrorResponse(status=status_code, body=body, headers=dict(headers or {}))


def from_huleedu_error(exc: HuleEduError, *, service: str, method: str, path: str) -> ErrorResponse:
    """The response for a HuleEduError raised by service code."""
    return error_response(
        exc.code,
        exc.message,
        service=service,
        method=method,
        path=path,
        status=exc.status_code,
        details=exc.details,
        headers=exc.headers,
    )


def from_http_status(
    status: int,
    message: str,
    *,
    service: str,
    method: str,
    path: str,
    details: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> ErrorResponse:
    """The response for a framework HTTP exception (404 route, 405, 413...), status kept."""
    return error_response(
        code_for_http_status(status),
        message,
        service=service,
        method=method,
        path=path,
        status=status,
        details=details,
        headers=headers,
    )


def from_validation_errors(
    errors: Sequence[Mapping[str, Any]], *, service: str, method: str, path: str
) -> ErrorResponse:
    """422 VALIDATION_ERROR listing each field error (loc, msg, type; never the input)."""
    return error_response(
        ErrorCode.VALIDATION_ERROR,
        "Request validation failed",
        service=service,
        method=method,
        path=path,
        details={"errors": validation_details(errors)},
    )


def from_unhandled(
    exc: BaseException,
    *,
    service: str,
    method: str,
    path: str,
    retry_after_seconds: int = DEFAULT_DEPENDENCY_RETRY_AFTER_SECONDS,
) -> ErrorResponse:
    """503 naming the dependency for an outage; else 500 INTERNAL_ERROR (exception logged only)."""
    failure = classify_dependency_error(exc)
    if failure is not None:
        unavailable = dependency_unavailable(
            failure.dependency, retry_after=retry_after_seconds, reason=failure.reason
        )
        # No traceback: an outage fails every request alike, and rendering a traceback per
        # request would stall the event loop exactly when requests pile up.
        return error_response(
            unavailable.code,
            unavailable.message,
            service=service,
            method=method,
            path=path,
            details=unavailable.details,
            headers=unavailable.headers,
            log_event="http.dependency_unavailable",
            log_extra={**unavailable.details, "error": f"{type(exc).__name__}: {exc}"[:300]},
        )
    return error_response(
        ErrorCode.INTERNAL_ERROR,
        UNHANDLED_MESSAGE,
        service=service,
        method=method,
        path=path,
        exc=exc,
    )


def validation_details(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic error dicts reduced to loc/msg/type: inputs may hold secrets or PII."""
    return [
        {
            "loc": [p if isinstance(p, int | str) else str(p) for p in err.get("loc", ())],
            "msg": str(err.get("msg", "")),
            "type": str(err.get("type", "")),
        }
        for err in errors
    ]


def check_internal_api_key(provided: str | None, expected: str) -> None:
    """Raise 401 unless the provided key equals the expected one (constant-time compare)."""
    if not provided or not expected:
        raise unauthorized("Missing or invalid internal API key")
    if not hmac.compare_digest(provided.encode("utf-8"), expected.encode("utf-8")):
        raise unauthorized("Missing or invalid internal API key")
