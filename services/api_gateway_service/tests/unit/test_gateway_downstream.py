"""Downstream answers and failures become the gateway's answers; upload limits from headers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any

import aiohttp
import pytest
from starlette.requests import ClientDisconnect

from api_gateway_service.adapters.downstream import Caller, DownstreamClient
from api_gateway_service.adapters.errors import DownstreamAnswer, NotADownstreamFailure
from api_gateway_service.adapters.upload_body import ClientGone, LimitedBody, UploadTooLarge
from api_gateway_service.api.file_routes import upload_headers
from common_core.errors import ErrorCode
from huleedu_service_libs.errors import HuleEduError, build_error_body
from huleedu_service_libs.resilience.circuit_breaker import AsyncCircuitBreaker

CALLER = Caller(user_id="teacher-1", correlation_id="0b7f0b5e-3f7a-4d0e-9a51-0c3c7b1f0001")


class _FakeResponse:
    def __init__(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.status = status
        self._body = body
        self.headers = headers

    async def read(self) -> bytes:
        return self._body

    async def __aenter__(self) -> _FakeResponse:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


class FakeSession:
    """Answers each request with the next scripted outcome; records what was sent."""

    def __init__(self, *outcomes: _FakeResponse | BaseException) -> None:
        self._outcomes = list(outcomes)
        self.calls: list[dict[str, Any]] = []

    def request(self, method: str, url: str, **kwargs: Any) -> _FakeResponse:
        self.calls.append({"method": method, "url": url, **kwargs})
        outcome = self._outcomes.pop(0) if len(self._outcomes) > 1 else self._outcomes[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> _FakeResponse:
    return _FakeResponse(status, json.dumps(body).encode(), headers or {})


def _client(session: FakeSession, fail_max: int = 5) -> DownstreamClient:
    return DownstreamClient(
        "file_service",
        "http://files.internal",
        session,  # type: ignore[arg-type]
        internal_api_key="internal-key",
        timeout_seconds=5.0,
        breaker=AsyncCircuitBreaker(
            "test.file_service",
            fail_max=fail_max,
            reset_timeout=30.0,
            excluded_exceptions=(NotADownstreamFailure,),
        ),
        get_attempts=3,
        retry_after_seconds=7,
    )


async def test_success_sends_internal_headers_from_the_caller() -> None:
    session = FakeSession(_json(200, {"ok": True}))

    answer = await _client(session).get("/internal/v1/x", CALLER)

    assert answer.status == 200
    sent = session.calls[0]["headers"]
    assert sent["X-Internal-API-Key"] == "internal-key"
    assert sent["X-User-ID"] == "teacher-1"
    assert sent["X-Correlation-ID"] == CALLER.correlation_id


async def test_downstream_4xx_passes_status_and_error_body_through() -> None:
    body = build_error_body(
        ErrorCode.BATCH_NOT_FOUND, "Batch not found.", correlation_id="c-1", service="x"
    )
    session = FakeSession(_json(404, body))
    client = _client(session)

    with pytest.raises(DownstreamAnswer) as caught:
        await client.get("/internal/v1/batches/b", CALLER)

    assert caught.value.status == 404
    assert caught.value.body == body
    assert client.breaker.state == "closed"


async def test_downstream_4xx_without_our_body_keeps_status_hides_text() -> None:
    session = FakeSession(_FakeResponse(409, b"<html>nginx</html>", {}))

    with pytest.raises(DownstreamAnswer) as caught:
        await _client(session).send("DELETE", "/x", CALLER)

    assert caught.value.status == 409
    assert caught.value.body["error"]["code"] == "CONFLICT"
    assert "nginx" not in json.dumps(caught.value.body)


@pytest.mark.parametrize("status", [401, 403])
async def test_refused_internal_key_is_a_bad_gateway(status: int) -> None:
    session = FakeSession(_json(status, {}))

    with pytest.raises(HuleEduError) as caught:
        await _client(session).get("/x", CALLER)

    assert caught.value.status_code == 502


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_downstream_5xx_is_502_and_counts_against_the_breaker(status: int) -> None:
    session = FakeSession(_json(status, {"secret": "stack trace"}))
    client = _client(session, fail_max=2)

    for _ in range(2):
        with pytest.raises(HuleEduError) as caught:
            await client.get("/x", CALLER)
        assert caught.value.code is ErrorCode.EXTERNAL_SERVICE_ERROR
        assert caught.value.status_code == 502
        assert "stack trace" not in json.dumps(caught.value.details)

    assert client.breaker.state == "open"


async def test_downstream_503_stays_503_with_its_retry_after() -> None:
    session = FakeSession(_json(503, {}, {"Retry-After": "12"}))

    with pytest.raises(HuleEduError) as caught:
        await _client(session).get("/x", CALLER)

    assert caught.value.status_code == 503
    assert caught.value.headers["Retry-After"] == "12"


async def test_connection_refused_retries_gets_then_answers_503() -> None:
    refused = aiohttp.ClientConnectorError(None, OSError(111, "Connection refused"))  # type: ignore[arg-type]
    session = FakeSession(refused)

    with pytest.raises(HuleEduError) as caught:
        await _client(session).get("/x", CALLER)

    assert caught.value.code is ErrorCode.SERVICE_UNAVAILABLE
    assert caught.value.headers["Retry-After"] == "7"
    assert len(session.calls) == 3


async def test_post_is_not_retried() -> None:
    refused = aiohttp.ClientConnectorError(None, OSError(111, "Connection refused"))  # type: ignore[arg-type]
    session = FakeSession(refused)

    with pytest.raises(HuleEduError):
        await _client(session).send("POST", "/x", CALLER, json_body={})

    assert len(session.calls) == 1


async def test_timeout_is_503_without_retry() -> None:
    session = FakeSession(TimeoutError())

    with pytest.raises(HuleEduError) as caught:
        await _client(session).get("/x", CALLER)

    assert caught.value.status_code == 503
    assert caught.value.details["reason"] == "timeout"
    assert len(session.calls) == 1


async def test_open_breaker_answers_503_without_calling() -> None:
    session = FakeSession(_json(500, {}))
    client = _client(session, fail_max=1)
    with pytest.raises(HuleEduError):
        await client.get("/x", CALLER)
    calls_before = len(session.calls)

    with pytest.raises(HuleEduError) as caught:
        await client.get("/x", CALLER)

    assert caught.value.details["reason"] == "circuit_open"
    assert int(caught.value.headers["Retry-After"]) >= 1
    assert len(session.calls) == calls_before


async def test_body_failure_replaces_transport_error_and_spares_the_breaker() -> None:
    session = FakeSession(aiohttp.ClientOSError("write failed"))
    client = _client(session, fail_max=1)
    failure = UploadTooLarge(10)

    with pytest.raises(UploadTooLarge):
        await client.stream(
            "POST",
            "/x",
            CALLER,
            body=_chunks(b"x"),
            headers={},
            timeout_seconds=1,
            body_timeout_seconds=1,
            body_failure=lambda: failure,
        )

    assert client.breaker.state == "closed"


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_limited_body_forwards_chunks_within_the_limit() -> None:
    body = LimitedBody(_chunks(b"abc", b"", b"def"), limit=6)

    received = [chunk async for chunk in body]

    assert received == [b"abc", b"def"]
    assert body.failed() is None


async def test_limited_body_stops_past_the_limit() -> None:
    body = LimitedBody(_chunks(b"abc", b"defg"), limit=6)

    with pytest.raises(UploadTooLarge):
        _ = [chunk async for chunk in body]
    assert isinstance(body.failed(), UploadTooLarge)


async def test_limited_body_reports_a_disconnected_client() -> None:
    async def disconnecting() -> AsyncIterator[bytes]:
        yield b"abc"
        raise ClientDisconnect()

    body = LimitedBody(disconnecting(), limit=100)

    with pytest.raises(ClientGone):
        _ = [chunk async for chunk in body]


def test_upload_headers_refuse_an_oversized_content_length() -> None:
    with pytest.raises(HuleEduError) as caught:
        upload_headers("multipart/form-data; boundary=x", "1001", limit=1000)

    assert caught.value.status_code == 413
    assert caught.value.details == {"limit_bytes": 1000}


def test_upload_headers_keep_content_type_and_length() -> None:
    content_type = "multipart/form-data; boundary=----abc"

    headers = upload_headers(content_type, "1000", limit=1000)

    assert headers == {"Content-Type": content_type, "Content-Length": "1000"}


@pytest.mark.parametrize(
    "content_type", ["application/json", "multipart/form-data", "text/plain; boundary=x", ""]
)
def test_upload_headers_need_multipart_with_boundary(content_type: str) -> None:
    with pytest.raises(HuleEduError) as caught:
        upload_headers(content_type, None, limit=1000)

    assert caught.value.status_code == 415


def test_upload_headers_refuse_a_malformed_content_length() -> None:
    with pytest.raises(HuleEduError) as caught:
        upload_headers("multipart/form-data; boundary=x", "12abc", limit=1000)

    assert caught.value.status_code == 400
