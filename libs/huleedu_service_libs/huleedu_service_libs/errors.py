"""HuleEduError, the one exception answered with the shared error body; its factories and mapping.

`domain_errors_from` turns a service's domain-exception mapping into its view decorator.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, ParamSpec, TypeAlias, TypeVar

from common_core.errors import ErrorBody, ErrorCode, ErrorDetail, http_status_for

__all__ = [
    "ErrorMapping",
    "HuleEduError",
    "build_error_body",
    "code_for_http_status",
    "conflict",
    "dependency_unavailable",
    "domain_errors_from",
    "forbidden",
    "internal_error",
    "invalid_request",
    "not_found",
    "service_unavailable",
    "unauthorized",
    "validation_error",
]

P = ParamSpec("P")
R = TypeVar("R")

# Plain HTTP statuses (from routing, frameworks, proxies) mapped onto our codes; the status itself
# is kept as an override so a 405 stays a 405 even though no code maps to it.
_CODE_FOR_STATUS: dict[int, ErrorCode] = {
    400: ErrorCode.INVALID_REQUEST,
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    409: ErrorCode.CONFLICT,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    422: ErrorCode.VALIDATION_ERROR,
    429: ErrorCode.RATE_LIMITED,
    502: ErrorCode.EXTERNAL_SERVICE_ERROR,
    503: ErrorCode.SERVICE_UNAVAILABLE,
    504: ErrorCode.TIMEOUT,
}


class HuleEduError(Exception):
    """An expected failure with an ErrorCode; handlers turn it into the shared error body."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        details: Mapping[str, Any] | None = None,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details: dict[str, Any] = dict(details or {})
        self.status_override = status
        self.headers: dict[str, str] = dict(headers or {})

    @property
    def status_code(self) -> int:
        """The HTTP status: the override if given, else the shared mapping for the code."""
        return self.status_override or http_status_for(self.code)

    def to_body(self, *, correlation_id: str, service: str) -> dict[str, Any]:
        """This error as the JSON-ready error body."""
        return build_error_body(
            self.code,
            self.message,
            correlation_id=correlation_id,
            service=service,
            details=self.details,
        )

    def __repr__(self) -> str:
        return f"HuleEduError(code={self.code.value!r}, message={self.message!r})"


def build_error_body(
    code: ErrorCode,
    message: str,
    *,
    correlation_id: str,
    service: str,
    details: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """`{"error": {...}}` validated through the common_core model, ready for JSON."""
    body = ErrorBody(
        error=ErrorDetail(
            code=code,
            message=message,
            correlation_id=correlation_id,
            service=service,
            details=dict(details or {}),
        )
    )
    return body.model_dump(mode="json")


def code_for_http_status(status: int) -> ErrorCode:
    """The ErrorCode for a bare HTTP status (other 4xx: INVALID_REQUEST, 5xx: INTERNAL_ERROR)."""
    if status in _CODE_FOR_STATUS:
        return _CODE_FOR_STATUS[status]
    return ErrorCode.INVALID_REQUEST if 400 <= status < 500 else ErrorCode.INTERNAL_ERROR


def not_found(
    message: str = "Resource not found",
    *,
    code: ErrorCode = ErrorCode.NOT_FOUND,
    details: Mapping[str, Any] | None = None,
) -> HuleEduError:
    """404-class error; pass a specific code such as BATCH_NOT_FOUND where one exists."""
    return HuleEduError(code, message, details=details)


def validation_error(
    message: str = "Request validation failed", *, details: Mapping[str, Any] | None = None
) -> HuleEduError:
    """422 VALIDATION_ERROR."""
    return HuleEduError(ErrorCode.VALIDATION_ERROR, message, details=details)


def invalid_request(
    message: str = "Invalid request", *, details: Mapping[str, Any] | None = None
) -> HuleEduError:
    """400 INVALID_REQUEST."""
    return HuleEduError(ErrorCode.INVALID_REQUEST, message, details=details)


def conflict(
    message: str = "Conflict",
    *,
    code: ErrorCode = ErrorCode.CONFLICT,
    details: Mapping[str, Any] | None = None,
) -> HuleEduError:
    """409-class error; pass a specific code such as BATCH_ALREADY_PROCESSING where one exists."""
    return HuleEduError(code, message, details=details)


def unauthorized(message: str = "Authentication required") -> HuleEduError:
    """401 UNAUTHORIZED."""
    return HuleEduError(ErrorCode.UNAUTHORIZED, message)


def forbidden(message: str = "Access denied") -> HuleEduError:
    """403 FORBIDDEN."""
    return HuleEduError(ErrorCode.FORBIDDEN, message)


def service_unavailable(
    message: str = "Service temporarily unavailable",
    *,
    code: ErrorCode = ErrorCode.SERVICE_UNAVAILABLE,
    retry_after: int | None = None,
    details: Mapping[str, Any] | None = None,
) -> HuleEduError:
    """503-class error; retry_after (seconds) becomes the Retry-After header."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return HuleEduError(code, message, details=details, headers=headers)


def dependency_unavailable(
    dependency: str,
    *,
    retry_after: float,
    reason: str = "unavailable",
    message: str | None = None,
) -> HuleEduError:
    """503 SERVICE_UNAVAILABLE naming the dependency (`details.dependency`), with Retry-After."""
    return service_unavailable(
        message or f"{dependency} is unavailable; try again shortly.",
        retry_after=max(1, math.ceil(retry_after)),
        details={"dependency": dependency, "reason": reason},
    )


def internal_error(message: str = "Internal server error") -> HuleEduError:
    """500 INTERNAL_ERROR; the message is shown to clients, so keep internals out of it."""
    return HuleEduError(ErrorCode.INTERNAL_ERROR, message)


# A service's translation of its own exceptions; None means "not ours", so it stays unhandled.
ErrorMapping: TypeAlias = Callable[[Exception], HuleEduError | None]


def domain_errors_from(
    to_http_error: ErrorMapping,
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """A view decorator raising `to_http_error(exc)` from exc, or exc itself when it maps to None.

    The shared error handlers then answer with the mapped HuleEduError; an unmapped exception
    reaches them unchanged (a dependency outage answers 503, anything else 500). The wrapper
    keeps the view's name and signature, so routing, endpoint names and Dishka injection see
    the view itself.
    """

    def domain_errors(view: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(view)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return await view(*args, **kwargs)
            except Exception as exc:
                mapped = to_http_error(exc)
                # A mapping may hand back an error that already is one; never chain it to itself.
                if mapped is None or mapped is exc:
                    raise
                raise mapped from exc

        return wrapper

    return domain_errors
