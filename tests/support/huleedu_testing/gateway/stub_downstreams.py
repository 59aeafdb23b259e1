"""One in-process aiohttp server speaking the BOS, File Service and Result Aggregator contracts.

Each gateway downstream URL gets its own instance (so one can be stopped alone). Batches have
owners; like the real services, a foreign or unknown batch is the same 404, except BOS's
pipeline-state, which answers for any batch (the gateway compares user_id).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from common_core.enums import BatchStatus, CourseCode, EssayStatus
from common_core.errors import ErrorCode, http_status_for
from common_core.internal_api import BatchPipelineStateV1, PipelineRequestRecordV1
from common_core.result_api import (
    BatchListV1,
    BatchResultV1,
    BatchSummaryV1,
    EssayResultV1,
    EssayTextV1,
)
from huleedu_service_libs.correlation import CORRELATION_ID_HEADER, USER_ID_HEADER
from huleedu_service_libs.errors import build_error_body
from huleedu_testing.stub_server import StubServer

NOW = datetime(2025, 1, 1, tzinfo=UTC)
ESSAY_TEXT = (
    "Namn: Ida Str\u00f6m\n\nMin b\u00e4sta sommar\n\nI somras jobbade jag p\u00e5 ett "
    "kaf\u00e9 i Visby. Det var mycket att g\u00f6ra men jag l\u00e4rde mig massor om att "
    "prata med m\u00e4nniskor."
)


@dataclass(frozen=True)
class Seen:
    """One request that reached the stub."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class StubBatch:
    """What the stub knows about one batch."""

    user_id: str
    status: BatchStatus = BatchStatus.AWAITING_CONTENT
    essay_ids: list[str] = field(default_factory=lambda: ["essay-1"])
    # (user_id, idempotency key) -> the request BOS handled under it, as its state shows it.
    handled: dict[tuple[str, str], PipelineRequestRecordV1] = field(default_factory=dict)


class ContractStub(StubServer[Seen]):
    """The internal routes the gateway calls, on a loopback port it can stop and restart."""

    client_max_size = 1024**3
    shutdown_timeout_seconds = 1.0
    # Handlers run to the end when the gateway hangs up, as the gateway tests were written for.
    handler_cancellation = False

    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.batches: dict[str, StubBatch] = {}

    @property
    def seen(self) -> list[Seen]:
        """The requests received, oldest first (the live log)."""
        return self._requests

    def add_routes(self, app: web.Application) -> None:
        """The internal routes this stub answers (a subclass speaks another contract)."""
        base = "/internal/v1/batches"
        app.router.add_post(base, self._register)
        app.router.add_get(base, self._list)
        app.router.add_get(base + "/{batch_id}/pipeline-state", self._pipeline_state)
        app.router.add_get(base + "/{batch_id}", self._batch)
        app.router.add_get(base + "/{batch_id}/essays/{essay_id}", self._essay)
        app.router.add_get(base + "/{batch_id}/essays/{essay_id}/text", self._essay_text)
        app.router.add_post(base + "/{batch_id}/files", self._upload)
        app.router.add_get(base + "/{batch_id}/files", self._files)
        app.router.add_delete(base + "/{batch_id}/files/{file_id}", self._remove)

    def seen_paths(self) -> list[str]:
        """Paths of the requests received, oldest first."""
        return [s.path for s in self.seen]

    async def record(self, request: web.Request) -> str:
        """Keep the request (body read in full); the X-User-ID it was made for."""
        self._requests.append(
            Seen(request.method, request.path, dict(request.headers), await request.read())
        )
        return request.headers.get(USER_ID_HEADER, "")

    def error(
        self, request: web.Request, code: ErrorCode, message: str, **details: Any
    ) -> web.Response:
        """The shared error body with the code's status, as the real services answer."""
        body = build_error_body(
            code,
            message,
            correlation_id=request.headers.get(CORRELATION_ID_HEADER, ""),
            service=self.service,
            details=details,
        )
        return web.json_response(body, status=http_status_for(code))

    def not_found(self, request: web.Request, batch_id: str) -> web.Response:
        """404 BATCH_NOT_FOUND: unknown and foreign batches alike."""
        return self.error(request, ErrorCode.BATCH_NOT_FOUND, "Batch not found.", batch_id=batch_id)

    def _owned(self, request: web.Request, user_id: str) -> StubBatch | None:
        batch = self.batches.get(request.match_info["batch_id"])
        return batch if batch is not None and batch.user_id == user_id else None

    async def _register(self, request: web.Request) -> web.Response:
        user_id = await self.record(request)
        body = await request.json()
        batch_id = str(uuid.uuid4())
        essay_ids = [str(uuid.uuid4()) for _ in range(body["expected_essay_count"])]
        self.batches[batch_id] = StubBatch(user_id, essay_ids=essay_ids)
        answer = {
            "batch_id": batch_id,
            "status": "awaiting_content",
            "essay_ids": essay_ids,
            "course_code": body["course_code"],
            "expected_essay_count": body["expected_essay_count"],
            "class_id": body.get("class_id"),
        }
        return web.json_response(answer, status=201)

    async def _pipeline_state(self, request: web.Request) -> web.Response:
        user_id = await self.record(request)
        batch_id = request.match_info["batch_id"]
        batch = self.batches.get(batch_id)
        if batch is None:
            return self.not_found(request, batch_id)
        key = request.query.get("idempotency_key")
        state = BatchPipelineStateV1(
            batch_id=batch_id,
            user_id=batch.user_id,
            status=batch.status,
            accepts_files=batch.status is BatchStatus.AWAITING_CONTENT,
            course_code=CourseCode.SV1,
            expected_essay_count=len(batch.essay_ids),
            pipeline_request=batch.handled.get((user_id, key)) if key is not None else None,
        )
        return web.json_response(state.model_dump(mode="json"))

    def _result(self, batch_id: str, batch: StubBatch) -> BatchResultV1:
        return BatchResultV1(
            batch_id=batch_id,
            user_id=batch.user_id,
            course_code=CourseCode.SV1,
            status=batch.status,
            expected_essay_count=len(batch.essay_ids),
            created_at=NOW,
            updated_at=NOW,
        )

    async def _list(self, request: web.Request) -> web.Response:
        user_id = await self.record(request)
        items = [
            BatchSummaryV1(**self._result(bid, b).model_dump(exclude={"essays", "phases"}))
            for bid, b in self.batches.items()
            if b.user_id == user_id
        ]
        limit = int(request.query.get("limit", "20"))
        offset = int(request.query.get("offset", "0"))
        listing = BatchListV1(items=items, total=len(items), limit=limit, offset=offset)
        return web.json_response(listing.model_dump(mode="json"))

    async def _batch(self, request: web.Request) -> web.Response:
        user_id = await self.record(request)
        batch = self._owned(request, user_id)
        batch_id = request.match_info["batch_id"]
        if batch is None:
            return self.not_found(request, batch_id)
        return web.json_response(self._result(batch_id, batch).model_dump(mode="json"))

    async def _essay(self, request: web.Request) -> web.Response:
        user_id = await self.record(request)
        batch = self._owned(request, user_id)
        batch_id = request.match_info["batch_id"]
        if batch is None:
            return self.not_found(request, batch_id)
        essay = EssayResultV1(
            essay_id=request.match_info["essay_id"],
            batch_id=batch_id,
            user_id=user_id,
            status=EssayStatus.READY_FOR_PROCESSING,
            updated_at=NOW,
        )
        return web.json_response(essay.model_dump(mode="json"))

    async def _essay_text(self, request: web.Request) -> web.Response:
        user_id = await self.record(request)
        batch_id = request.match_info["batch_id"]
        if self._owned(request, user_id) is None:
            return self.not_found(request, batch_id)
        text = EssayTextV1(
            essay_id=request.match_info["essay_id"],
            batch_id=batch_id,
            filename="ida.docx",
            text_storage_id="a" * 64,
            char_count=len(ESSAY_TEXT),
            text=ESSAY_TEXT,
        )
        return web.json_response(text.model_dump(mode="json"))

    async def _upload(self, request: web.Request) -> web.Response:
        user_id = await self.record(request)
        batch_id = request.match_info["batch_id"]
        if self._owned(request, user_id) is None:
            return self.not_found(request, batch_id)
        answer: dict[str, Any] = {
            "batch_id": batch_id,
            "accepted_count": 1,
            "rejected_count": 0,
            "files": [{"status": "accepted", "file_upload_id": "file-1", "filename": "x"}],
        }
        return web.json_response(answer, status=201)

    async def _files(self, request: web.Request) -> web.Response:
        user_id = await self.record(request)
        batch_id = request.match_info["batch_id"]
        if self._owned(request, user_id) is None:
            return self.not_found(request, batch_id)
        return web.json_response({"batch_id": batch_id, "files": []})

    async def _remove(self, request: web.Request) -> web.Response:
        user_id = await self.record(request)
        batch_id = request.match_info["batch_id"]
        if self._owned(request, user_id) is None:
            return self.not_found(request, batch_id)
        removed = {"file_upload_id": request.match_info["file_id"], "filename": "x.txt"}
        return web.json_response({"batch_id": batch_id, "removed": removed})
