"""The one error body every service returns, its codes and their HTTP statuses."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class ErrorCode(StrEnum):
    """Machine-readable error codes shared by every service and the gateway."""

    # Generic request problems
    VALIDATION_ERROR = "VALIDATION_ERROR"
    INVALID_REQUEST = "INVALID_REQUEST"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    UNAUTHORIZED = "UNAUTHORIZED"
    FORBIDDEN = "FORBIDDEN"
    RATE_LIMITED = "RATE_LIMITED"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    # Dependencies
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    CIRCUIT_OPEN = "CIRCUIT_OPEN"
    TIMEOUT = "TIMEOUT"
    EXTERNAL_SERVICE_ERROR = "EXTERNAL_SERVICE_ERROR"
    KAFKA_PUBLISH_ERROR = "KAFKA_PUBLISH_ERROR"
    DATABASE_ERROR = "DATABASE_ERROR"
    # Batches and files
    BATCH_NOT_FOUND = "BATCH_NOT_FOUND"
    BATCH_NOT_ACCEPTING_FILES = "BATCH_NOT_ACCEPTING_FILES"
    BATCH_ALREADY_PROCESSING = "BATCH_ALREADY_PROCESSING"
    ESSAY_NOT_FOUND = "ESSAY_NOT_FOUND"
    FILE_NOT_FOUND = "FILE_NOT_FOUND"
    CONTENT_NOT_FOUND = "CONTENT_NOT_FOUND"
    UNSUPPORTED_FILE_TYPE = "UNSUPPORTED_FILE_TYPE"
    EMPTY_FILE = "EMPTY_FILE"
    CONTENT_TOO_SHORT = "CONTENT_TOO_SHORT"
    CONTENT_TOO_LONG = "CONTENT_TOO_LONG"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    CORRUPT_FILE = "CORRUPT_FILE"
    PASSWORD_PROTECTED = "PASSWORD_PROTECTED"  # noqa: S105 - an error code, not a secret
    NO_EXTRACTABLE_TEXT = "NO_EXTRACTABLE_TEXT"
    ARCHIVE_BOMB = "ARCHIVE_BOMB"
    DUPLICATE_FILE = "DUPLICATE_FILE"
    # Pipelines
    PIPELINE_NOT_READY = "PIPELINE_NOT_READY"
    PIPELINE_ALREADY_RUNNING = "PIPELINE_ALREADY_RUNNING"
    PHASE_NOT_RETRYABLE = "PHASE_NOT_RETRYABLE"
    # Classes and students
    CLASS_NOT_FOUND = "CLASS_NOT_FOUND"
    STUDENT_NOT_FOUND = "STUDENT_NOT_FOUND"
    DUPLICATE_STUDENT_EMAIL = "DUPLICATE_STUDENT_EMAIL"
    DUPLICATE_CLASS_NAME = "DUPLICATE_CLASS_NAME"
    UNKNOWN_COURSE = "UNKNOWN_COURSE"
    MIXED_COURSES = "MIXED_COURSES"
    # Anything unexpected
    INTERNAL_ERROR = "INTERNAL_ERROR"


_STATUS: dict[ErrorCode, int] = {
    ErrorCode.VALIDATION_ERROR: 422,
    ErrorCode.INVALID_REQUEST: 400,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.CONFLICT: 409,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
    ErrorCode.CIRCUIT_OPEN: 503,
    ErrorCode.TIMEOUT: 504,
    ErrorCode.EXTERNAL_SERVICE_ERROR: 502,
    ErrorCode.KAFKA_PUBLISH_ERROR: 503,
    ErrorCode.DATABASE_ERROR: 503,
    ErrorCode.BATCH_NOT_FOUND: 404,
    ErrorCode.BATCH_NOT_ACCEPTING_FILES: 409,
    ErrorCode.BATCH_ALREADY_PROCESSING: 409,
    ErrorCode.ESSAY_NOT_FOUND: 404,
    ErrorCode.FILE_NOT_FOUND: 404,
    ErrorCode.CONTENT_NOT_FOUND: 404,
    ErrorCode.UNSUPPORTED_FILE_TYPE: 415,
    ErrorCode.EMPTY_FILE: 422,
    ErrorCode.CONTENT_TOO_SHORT: 422,
    ErrorCode.CONTENT_TOO_LONG: 422,
    ErrorCode.FILE_TOO_LARGE: 413,
    ErrorCode.CORRUPT_FILE: 422,
    ErrorCode.PASSWORD_PROTECTED: 422,
    ErrorCode.NO_EXTRACTABLE_TEXT: 422,
    ErrorCode.ARCHIVE_BOMB: 422,
    ErrorCode.DUPLICATE_FILE: 409,
    ErrorCode.PIPELINE_NOT_READY: 409,
    ErrorCode.PIPELINE_ALREADY_RUNNING: 409,
    ErrorCode.PHASE_NOT_RETRYABLE: 409,
    ErrorCode.CLASS_NOT_FOUND: 404,
    ErrorCode.STUDENT_NOT_FOUND: 404,
    ErrorCode.DUPLICATE_STUDENT_EMAIL: 409,
    ErrorCode.DUPLICATE_CLASS_NAME: 409,
    ErrorCode.UNKNOWN_COURSE: 422,
    ErrorCode.MIXED_COURSES: 422,
    ErrorCode.INTERNAL_ERROR: 500,
}


def http_status_for(code: ErrorCode) -> int:
    """The HTTP status every service answers with for this error code."""
    return _STATUS.get(code, 500)


class ErrorDetail(BaseModel):
    """The inner object of the error body."""

    code: ErrorCode
    message: str
    correlation_id: str
    service: str
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorBody(BaseModel):
    """`{"error": {...}}`: what every 4xx and 5xx response carries."""

    error: ErrorDetail
