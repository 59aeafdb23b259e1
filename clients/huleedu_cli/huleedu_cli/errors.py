"""Failures the CLI reports, their one-line messages and their exit codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from common_core.errors import ErrorCode

EXIT_OK = 0
EXIT_API_ERROR = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3

CLI_SERVICE = "huleedu-cli"

# What the teacher should understand from a code, when the gateway's own message is too terse.
_HINTS: dict[str, str] = {
    ErrorCode.BATCH_NOT_FOUND: "Batch not found ({code}) — it does not exist or is not yours.",
    ErrorCode.ESSAY_NOT_FOUND: "Essay not found ({code}) — it is not part of this batch.",
    ErrorCode.FILE_NOT_FOUND: "File not found ({code}) — it is not part of this batch.",
    ErrorCode.CLASS_NOT_FOUND: "Class not found ({code}) — it does not exist or is not yours.",
    ErrorCode.STUDENT_NOT_FOUND: (
        "Student not found ({code}) — they do not exist or are not your student."
    ),
    ErrorCode.BATCH_NOT_ACCEPTING_FILES: (
        "The batch no longer accepts files ({code}) — processing has started or it is full."
    ),
    ErrorCode.PIPELINE_NOT_READY: (
        "The batch is not ready for processing yet ({code}) — upload its essays first."
    ),
    ErrorCode.PIPELINE_ALREADY_RUNNING: "That pipeline is already running for this batch ({code}).",
    ErrorCode.FORBIDDEN: "You may not do that ({code}).",
}


@dataclass(eq=False)
class CliError(Exception):
    """A failure with a one-line explanation, an exit code and an error body for --json."""

    code: str
    message: str
    exit_code: int = EXIT_API_ERROR
    status: int | None = None
    correlation_id: str = ""
    service: str = CLI_SERVICE
    details: dict[str, Any] = field(default_factory=dict)
    retry_after: int | None = None

    def __str__(self) -> str:
        return self.describe()

    def body(self) -> dict[str, Any]:
        """The error body `{"error": {...}}`, the same shape the gateway answers with."""
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "correlation_id": self.correlation_id,
                "service": self.service,
                "details": self.details,
            }
        }

    def describe(self) -> str:
        """One line a teacher can act on."""
        text = self._headline()
        if self.correlation_id:
            text += f" [correlation id {self.correlation_id}]"
        return text

    def _headline(self) -> str:
        if self.status == 401 or self.code == ErrorCode.UNAUTHORIZED:
            return (
                f"Not signed in or the token has expired ({self.code}) — "
                "run `huleedu login --user USER_ID`."
            )
        if self.status == 429 or self.code == ErrorCode.RATE_LIMITED:
            wait = f"retry in {self.retry_after} s" if self.retry_after else "retry in a moment"
            return f"Too many requests ({self.code}) — {wait}."
        if self.status == 503:
            wait = f"retry after {self.retry_after} s" if self.retry_after else "retry shortly"
            return f"Service unavailable ({self.code}): {self.message} — {wait}."
        hint = _HINTS.get(self.code)
        if hint:
            return hint.format(code=self.code)
        return f"{self.message} ({self.code})"


class ApiError(CliError):
    """The gateway answered with an error body."""


class UsageError(CliError):
    """The command line asks for something impossible (bad path, bad value)."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(
            code=ErrorCode.INVALID_REQUEST,
            message=message,
            exit_code=EXIT_USAGE,
            details=dict(details),
        )

    def describe(self) -> str:
        """Usage errors are already phrased for the user."""
        return self.message


class GatewayUnreachable(CliError):
    """No connection to the gateway at all (refused, DNS, timeout while connecting)."""

    def __init__(self, api_url: str, reason: str) -> None:
        super().__init__(
            code=ErrorCode.SERVICE_UNAVAILABLE,
            message=f"Cannot reach the HuleEdu gateway at {api_url}",
            exit_code=EXIT_UNREACHABLE,
            details={"api_url": api_url, "reason": reason},
        )

    def describe(self) -> str:
        """Point at the usual cause: the local stack is not running."""
        return f"{self.message} (is `make up` running?)"


def parse_retry_after(value: str | None) -> int | None:
    """Seconds from a Retry-After header (only the delta-seconds form is used by our gateway)."""
    if value is None:
        return None
    try:
        return max(0, int(float(value.strip())))
    except ValueError:
        return None


def api_error_from_response(
    status: int, payload: Any, retry_after: str | None, correlation_id: str | None
) -> ApiError:
    """Build an ApiError from an error response, tolerating bodies that are not ours."""
    inner = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(inner, dict) and "code" in inner:
        details = inner.get("details")
        return ApiError(
            code=str(inner["code"]),
            message=str(inner.get("message", "")),
            status=status,
            correlation_id=str(inner.get("correlation_id") or correlation_id or ""),
            service=str(inner.get("service", "")),
            details=details if isinstance(details, dict) else {},
            retry_after=parse_retry_after(retry_after),
        )
    # A proxy or a crashed process answered: keep the status so the user can tell.
    code = ErrorCode.SERVICE_UNAVAILABLE if status == 503 else ErrorCode.EXTERNAL_SERVICE_ERROR
    return ApiError(
        code=code,
        message=f"The gateway answered HTTP {status} without an error body",
        status=status,
        correlation_id=correlation_id or "",
        service="",
        details={"status": status},
        retry_after=parse_retry_after(retry_after),
    )
