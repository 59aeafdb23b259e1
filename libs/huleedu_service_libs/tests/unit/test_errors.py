"""HuleEduError, the error body builder and the status -> code mapping."""

from __future__ import annotations

import pytest

from common_core.errors import ErrorBody, ErrorCode
from huleedu_service_libs.errors import (
    HuleEduError,
    build_error_body,
    code_for_http_status,
    conflict,
    forbidden,
    internal_error,
    invalid_request,
    not_found,
    service_unavailable,
    unauthorized,
    validation_error,
)

pytestmark = pytest.mark.unit


class TestHuleEduError:
    def test_status_comes_from_the_shared_mapping(self) -> None:
        error = HuleEduError(ErrorCode.BATCH_NOT_FOUND, "no such batch")
        assert error.status_code == 404
        assert str(error) == "no such batch"

    def test_status_override_wins(self) -> None:
        error = HuleEduError(ErrorCode.INVALID_REQUEST, "nope", status=405)
        assert error.status_code == 405

    def test_details_and_headers_are_copied(self) -> None:
        details = {"batch_id": "b1"}
        error = HuleEduError(ErrorCode.CONFLICT, "taken", details=details)
        details["batch_id"] = "changed"
        assert error.details == {"batch_id": "b1"}
        assert error.headers == {}

    def test_to_body_is_the_shared_error_body(self) -> None:
        error = HuleEduError(ErrorCode.FILE_TOO_LARGE, "too big", details={"limit": 10})
        body = error.to_body(correlation_id="cid-1", service="file_service")
        assert body == {
            "error": {
                "code": "FILE_TOO_LARGE",
                "message": "too big",
                "correlation_id": "cid-1",
                "service": "file_service",
                "details": {"limit": 10},
            }
        }
        ErrorBody.model_validate(body)

    def test_repr_names_code_and_message(self) -> None:
        assert repr(HuleEduError(ErrorCode.TIMEOUT, "slow")) == (
            "HuleEduError(code='TIMEOUT', message='slow')"
        )


def test_build_error_body_defaults_details_to_empty_dict() -> None:
    body = build_error_body(
        ErrorCode.INTERNAL_ERROR, "Internal server error", correlation_id="c", service="s"
    )
    assert body["error"]["details"] == {}
    assert body["error"]["code"] == "INTERNAL_ERROR"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, ErrorCode.INVALID_REQUEST),
        (401, ErrorCode.UNAUTHORIZED),
        (403, ErrorCode.FORBIDDEN),
        (404, ErrorCode.NOT_FOUND),
        (405, ErrorCode.INVALID_REQUEST),
        (413, ErrorCode.PAYLOAD_TOO_LARGE),
        (415, ErrorCode.UNSUPPORTED_MEDIA_TYPE),
        (418, ErrorCode.INVALID_REQUEST),
        (422, ErrorCode.VALIDATION_ERROR),
        (429, ErrorCode.RATE_LIMITED),
        (500, ErrorCode.INTERNAL_ERROR),
        (502, ErrorCode.EXTERNAL_SERVICE_ERROR),
        (503, ErrorCode.SERVICE_UNAVAILABLE),
        (504, ErrorCode.TIMEOUT),
    ],
)
def test_code_for_http_status(status: int, code: ErrorCode) -> None:
    assert code_for_http_status(status) is code


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        (not_found(), ErrorCode.NOT_FOUND, 404),
        (not_found("gone", code=ErrorCode.ESSAY_NOT_FOUND), ErrorCode.ESSAY_NOT_FOUND, 404),
        (validation_error(), ErrorCode.VALIDATION_ERROR, 422),
        (invalid_request(), ErrorCode.INVALID_REQUEST, 400),
        (conflict(code=ErrorCode.DUPLICATE_FILE), ErrorCode.DUPLICATE_FILE, 409),
        (unauthorized(), ErrorCode.UNAUTHORIZED, 401),
        (forbidden(), ErrorCode.FORBIDDEN, 403),
        (service_unavailable(), ErrorCode.SERVICE_UNAVAILABLE, 503),
        (service_unavailable(code=ErrorCode.CIRCUIT_OPEN), ErrorCode.CIRCUIT_OPEN, 503),
        (internal_error(), ErrorCode.INTERNAL_ERROR, 500),
    ],
)
def test_convenience_constructors(error: HuleEduError, code: ErrorCode, status: int) -> None:
    assert error.code is code
    assert error.status_code == status


def test_service_unavailable_sets_retry_after_only_when_given() -> None:
    assert service_unavailable(retry_after=30).headers == {"Retry-After": "30"}
    assert service_unavailable().headers == {}


def test_validation_error_carries_details() -> None:
    error = validation_error("bad course", details={"field": "course_code"})
    assert error.details == {"field": "course_code"}
    assert error.message == "bad course"
