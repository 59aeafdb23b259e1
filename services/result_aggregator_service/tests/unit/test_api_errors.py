"""Domain exceptions of the queries map to the shared error body, never to a bare 500."""

from __future__ import annotations

from common_core.errors import ErrorCode
from result_aggregator_service.api.errors import to_http_error
from result_aggregator_service.domain.ports import BosRejected, BosUnavailable


def test_bos_rejection_is_a_502_naming_the_dependency() -> None:
    error = to_http_error(BosRejected(400, "http://bos/internal/v1/batches/x"))
    assert error is not None
    assert error.code is ErrorCode.EXTERNAL_SERVICE_ERROR
    assert error.status_code == 502
    assert error.details == {"dependency": "batch_orchestrator_service", "status": 400}


def test_bos_unavailable_is_a_503_with_retry_after() -> None:
    error = to_http_error(BosUnavailable("refused"))
    assert error is not None
    assert error.status_code == 503
    assert error.headers == {"Retry-After": "5"}
