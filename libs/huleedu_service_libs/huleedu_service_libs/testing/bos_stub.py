"""A real HTTP stand-in for the Batch Orchestrator's internal pipeline-state API.

It listens on a free loopback port (aiohttp.web) and answers
`GET /internal/v1/batches/{batch_id}/pipeline-state` the way BOS does: 401 without the
internal key, 404 for batches it does not know, BatchPipelineStateV1 JSON otherwise. It also
answers the teacher's `GET /internal/v1/batches/{batch_id}` (X-User-ID required; another
teacher's batch is a 404 like a missing one) with the fields BOS returns. Tests
make it fail (5xx), slow (longer than the caller's timeout) or go down and come back on the
same port, and read how many requests reached it.

    async with BosStub(internal_api_key="k") as bos:
        bos.add_batch(batch_id, user_id)
        ... FILE_SERVICE_BOS_URL=bos.url ...
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
from dataclasses import dataclass, field
from types import TracebackType

from aiohttp import web

from common_core.enums import BatchStatus, CourseCode
from common_core.errors import ErrorCode
from common_core.internal_api import BatchPipelineStateV1
from huleedu_service_libs.correlation import (
    CORRELATION_ID_HEADER,
    INTERNAL_API_KEY_HEADER,
    USER_ID_HEADER,
    new_correlation_id,
)
from huleedu_service_libs.errors import build_error_body, dependency_unavailable
from huleedu_service_libs.testing.servers import LOOPBACK, free_port_below_ephemeral

__all__ = ["BosStub", "StubRequest"]

SERVICE_NAME = "batch_orchestrator_service"
PIPELINE_STATE_ROUTE = "/internal/v1/batches/{batch_id}/pipeline-state"
BATCH_ROUTE = "/internal/v1/batches/{batch_id}"
# Handlers still waiting when the stub stops are released at once, so stopping stays fast.
_SHUTDOWN_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class StubRequest:
    """One pipeline-state request that reached the stub."""

    batch_id: str
    correlation_id: str | None
    user_id: str | None
    had_valid_key: bool


class BosStub:
    """BOS's pipeline-state API with switches for failure, slowness and outages."""

    def __init__(self, *, internal_api_key: str, port: int | None = None) -> None:
        self._key = internal_api_key
        self.port = port or free_port_below_ephemeral()
        self._batches: dict[str, BatchPipelineStateV1] = {}
        self._details: dict[str, _BatchDetails] = {}
        self._requests: list[StubRequest] = []
        self._batch_requests: list[StubRequest] = []
        self._failure_status: int | None = None
        self._down_dependency: str | None = None
        self._delay_seconds = 0.0
        self._released = asyncio.Event()
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Base URL to configure as the BOS URL."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def is_up(self) -> bool:
        """True while the listener accepts connections."""
        return self._runner is not None

    # -- batches ---------------------------------------------------------------------------

    def add_batch(
        self,
        batch_id: str,
        user_id: str,
        *,
        accepts_files: bool = True,
        course_code: CourseCode = CourseCode.SV1,
        class_id: str | None = None,
        expected_essay_count: int = 30,
        status: BatchStatus | None = None,
        essay_instructions: str = "Skriv en reflekterande text om en plats.",
        essay_ids: list[str] | None = None,
    ) -> BatchPipelineStateV1:
        """Register a batch the stub answers for (replacing any earlier one with that id)."""
        self._details[batch_id] = _BatchDetails(essay_instructions, list(essay_ids or []))
        state = BatchPipelineStateV1(
            batch_id=batch_id,
            user_id=user_id,
            status=status
            or (BatchStatus.AWAITING_CONTENT if accepts_files else BatchStatus.PROCESSING),
            accepts_files=accepts_files,
            course_code=course_code,
            class_id=class_id,
            expected_essay_count=expected_essay_count,
        )
        self._batches[batch_id] = state
        return state

    def set_state(self, state: BatchPipelineStateV1) -> None:
        """Replace a batch's whole pipeline state (status, phases) as BOS moves it on."""
        self._batches[state.batch_id] = state

    def set_accepts_files(self, batch_id: str, accepts_files: bool) -> None:
        """Open or close a registered batch for file changes (as BOS does when processing)."""
        state = self._batches[batch_id]
        status = BatchStatus.AWAITING_CONTENT if accepts_files else BatchStatus.PROCESSING
        self._batches[batch_id] = state.model_copy(
            update={"accepts_files": accepts_files, "status": status}
        )

    def remove_batch(self, batch_id: str) -> None:
        """Forget a batch: later requests for it get 404."""
        self._batches.pop(batch_id, None)
        self._details.pop(batch_id, None)

    # -- behaviour switches ----------------------------------------------------------------

    def fail_with(self, status: int = 500) -> None:
        """Answer every request with this 5xx (or any) status until healthy() is called."""
        self._failure_status = status

    def dependency_down(self, dependency: str = "postgres") -> None:
        """Answer as BOS does while its own dependency is down: 503 naming it, Retry-After 5."""
        self._down_dependency = dependency

    def slow_down(self, delay_seconds: float) -> None:
        """Wait this long before answering each request (use more than the caller's timeout)."""
        self._delay_seconds = delay_seconds
        self._released.clear()

    def healthy(self) -> None:
        """Answer normally again: no failures, no delay; requests still waiting answer now."""
        self._failure_status = None
        self._down_dependency = None
        self._delay_seconds = 0.0
        self._released.set()

    # -- requests seen ---------------------------------------------------------------------

    @property
    def request_count(self) -> int:
        """Pipeline-state requests that reached the stub, whatever it answered."""
        return len(self._requests)

    @property
    def requests(self) -> list[StubRequest]:
        """The pipeline-state requests received, oldest first."""
        return list(self._requests)

    def requests_for(self, batch_id: str) -> list[StubRequest]:
        """The requests that asked about one batch."""
        return [r for r in self._requests if r.batch_id == batch_id]

    @property
    def batch_requests(self) -> list[StubRequest]:
        """The teacher-batch (`GET /internal/v1/batches/{id}`) requests received, oldest first."""
        return list(self._batch_requests)

    # -- listener --------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on the stub's port (the same port after stop(): the service 'comes back')."""
        if self._runner is not None:
            return
        app = web.Application()
        app.router.add_get(PIPELINE_STATE_ROUTE, self._pipeline_state)
        app.router.add_get(BATCH_ROUTE, self._batch)
        runner = web.AppRunner(
            app,
            access_log=None,
            handler_cancellation=True,
            shutdown_timeout=_SHUTDOWN_TIMEOUT_SECONDS,
        )
        await runner.setup()
        site = web.TCPSite(runner, LOOPBACK, self.port, reuse_address=True)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._released.clear()
        self._runner = runner

    async def stop(self) -> None:
        """Stop listening and close open connections: callers see connection refused."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._released.set()
        await runner.cleanup()

    async def __aenter__(self) -> BosStub:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- handler ---------------------------------------------------------------------------

    async def _received(
        self, request: web.Request, seen: list[StubRequest]
    ) -> tuple[StubRequest, web.Response | None]:
        """Record the request, apply delay and injected failure, check the key."""
        correlation_id = request.headers.get(CORRELATION_ID_HEADER)
        provided = request.headers.get(INTERNAL_API_KEY_HEADER, "")
        valid_key = hmac.compare_digest(provided.encode(), self._key.encode())
        received = StubRequest(
            request.match_info["batch_id"],
            correlation_id,
            request.headers.get(USER_ID_HEADER),
            valid_key,
        )
        seen.append(received)
        if self._delay_seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._released.wait(), timeout=self._delay_seconds)
        cid = correlation_id or new_correlation_id()
        if self._failure_status is not None:
            return received, _error(
                self._failure_status, ErrorCode.INTERNAL_ERROR, "Injected failure.", cid
            )
        if self._down_dependency is not None:
            body = dependency_unavailable(self._down_dependency, retry_after=5).to_body(
                correlation_id=cid, service=SERVICE_NAME
            )
            headers = {CORRELATION_ID_HEADER: cid, "Retry-After": "5"}
            return received, web.json_response(body, status=503, headers=headers)
        if not valid_key:
            return received, _error(
                401, ErrorCode.UNAUTHORIZED, "Missing or invalid internal API key", cid
            )
        return received, None

    async def _pipeline_state(self, request: web.Request) -> web.Response:
        received, failed = await self._received(request, self._requests)
        if failed is not None:
            return failed
        cid = received.correlation_id or new_correlation_id()
        state = self._batches.get(received.batch_id)
        if state is None:
            return _error(404, ErrorCode.BATCH_NOT_FOUND, "Batch not found.", cid)
        return web.json_response(
            state.model_dump(mode="json"), headers={CORRELATION_ID_HEADER: cid}
        )

    async def _batch(self, request: web.Request) -> web.Response:
        received, failed = await self._received(request, self._batch_requests)
        if failed is not None:
            return failed
        cid = received.correlation_id or new_correlation_id()
        if not received.user_id:
            return _error(401, ErrorCode.UNAUTHORIZED, "X-User-ID is required.", cid)
        state = self._batches.get(received.batch_id)
        # Another teacher's batch looks exactly like one that does not exist.
        if state is None or state.user_id != received.user_id:
            return _error(404, ErrorCode.BATCH_NOT_FOUND, "Batch not found.", cid)
        details = self._details.get(received.batch_id, _BatchDetails("", []))
        body = {
            "batch_id": state.batch_id,
            "status": state.status.value,
            "essay_ids": details.essay_ids,
            "course_code": state.course_code.value,
            "expected_essay_count": state.expected_essay_count,
            "class_id": state.class_id,
            "user_id": state.user_id,
            "essay_instructions": details.essay_instructions,
            "pipeline_state": state.model_dump(mode="json"),
        }
        return web.json_response(body, headers={CORRELATION_ID_HEADER: cid})


@dataclass(frozen=True)
class _BatchDetails:
    """What BOS's batch route returns beyond the pipeline state."""

    essay_instructions: str
    essay_ids: list[str] = field(default_factory=list)


def _error(status: int, code: ErrorCode, message: str, correlation_id: str) -> web.Response:
    body = build_error_body(code, message, correlation_id=correlation_id, service=SERVICE_NAME)
    return web.json_response(body, status=status, headers={CORRELATION_ID_HEADER: correlation_id})
