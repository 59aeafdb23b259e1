"""A real HTTP stand-in for the Batch Orchestrator's internal pipeline-state API.

It listens on a loopback port (FaultyStubServer) and answers
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

from dataclasses import dataclass, field

from aiohttp import web

from common_core.enums import BatchStatus, CourseCode
from common_core.errors import ErrorCode
from common_core.internal_api import BatchPipelineStateV1
from huleedu_service_libs.correlation import (
    CORRELATION_ID_HEADER,
    USER_ID_HEADER,
    new_correlation_id,
)
from huleedu_testing.stub_server import FaultyStubServer

__all__ = ["BosStub", "StubRequest"]

SERVICE_NAME = "batch_orchestrator_service"
PIPELINE_STATE_ROUTE = "/internal/v1/batches/{batch_id}/pipeline-state"
BATCH_ROUTE = "/internal/v1/batches/{batch_id}"


@dataclass(frozen=True)
class StubRequest:
    """One pipeline-state request that reached the stub."""

    batch_id: str
    correlation_id: str | None
    user_id: str | None
    had_valid_key: bool


class BosStub(FaultyStubServer[StubRequest]):
    """BOS's pipeline-state API; failures, slowness and outages come from FaultyStubServer.

    `requests` holds the pipeline-state requests; `batch_requests` the teacher-batch ones.
    """

    def __init__(self, *, internal_api_key: str, port: int | None = None) -> None:
        super().__init__(SERVICE_NAME, internal_api_key=internal_api_key, port=port)
        self._batches: dict[str, BatchPipelineStateV1] = {}
        self._details: dict[str, _BatchDetails] = {}
        self._batch_requests: list[StubRequest] = []

    def add_routes(self, app: web.Application) -> None:
        """The pipeline-state and teacher-batch routes."""
        app.router.add_get(PIPELINE_STATE_ROUTE, self._pipeline_state)
        app.router.add_get(BATCH_ROUTE, self._batch)

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

    def requests_for(self, batch_id: str) -> list[StubRequest]:
        """The requests that asked about one batch."""
        return [r for r in self._requests if r.batch_id == batch_id]

    @property
    def batch_requests(self) -> list[StubRequest]:
        """The teacher-batch (`GET /internal/v1/batches/{id}`) requests received, oldest first."""
        return list(self._batch_requests)

    async def _received(
        self, request: web.Request, seen: list[StubRequest]
    ) -> tuple[StubRequest, web.StreamResponse | None]:
        """Record the request, apply the injected faults, check the key."""
        received = StubRequest(
            request.match_info["batch_id"],
            request.headers.get(CORRELATION_ID_HEADER),
            request.headers.get(USER_ID_HEADER),
            self.has_valid_key(request),
        )
        seen.append(received)
        fault = await self.injected_fault(request, received.correlation_id)
        if fault is not None:
            return received, fault
        if not received.had_valid_key:
            cid = received.correlation_id or new_correlation_id()
            return received, self.error_response(
                401, ErrorCode.UNAUTHORIZED, "Missing or invalid internal API key", cid
            )
        return received, None

    async def _pipeline_state(self, request: web.Request) -> web.StreamResponse:
        received, failed = await self._received(request, self._requests)
        if failed is not None:
            return failed
        cid = received.correlation_id or new_correlation_id()
        state = self._batches.get(received.batch_id)
        if state is None:
            return self.error_response(404, ErrorCode.BATCH_NOT_FOUND, "Batch not found.", cid)
        return web.json_response(
            state.model_dump(mode="json"), headers={CORRELATION_ID_HEADER: cid}
        )

    async def _batch(self, request: web.Request) -> web.StreamResponse:
        received, failed = await self._received(request, self._batch_requests)
        if failed is not None:
            return failed
        cid = received.correlation_id or new_correlation_id()
        if not received.user_id:
            return self.error_response(401, ErrorCode.UNAUTHORIZED, "X-User-ID is required.", cid)
        state = self._batches.get(received.batch_id)
        # Another teacher's batch looks exactly like one that does not exist.
        if state is None or state.user_id != received.user_id:
            return self.error_response(404, ErrorCode.BATCH_NOT_FOUND, "Batch not found.", cid)
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
