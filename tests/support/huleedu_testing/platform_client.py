"""A client of the running platform's internal APIs, speaking as the gateway will.

Used by the e2e tests, `make demo` and the batch-flow benchmark until the gateway exists:
register a batch, upload files, read pipeline and essay state, and publish a teacher's
pipeline request to Kafka.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from common_core.enums import GrammarCategory, PipelineName
from common_core.envelope import EventEnvelope
from common_core.events import ClientBatchPipelineRequestV1
from huleedu_service_libs.kafka import KafkaEventProducer

FINAL_STATUSES = frozenset({"completed", "completed_with_failures", "failed"})


@dataclass(frozen=True)
class ServiceUrls:
    """Where the services listen (the `make up` defaults)."""

    batch_orchestrator: str = "http://127.0.0.1:5001"
    file_service: str = "http://127.0.0.1:7001"
    essay_lifecycle: str = "http://127.0.0.1:6001"


class PlatformError(Exception):
    """A call answered with an unexpected status."""


@dataclass
class PlatformClient:
    """One teacher's view of the platform."""

    http: aiohttp.ClientSession
    producer: KafkaEventProducer
    teacher: str = field(default_factory=lambda: f"teacher-{uuid.uuid4().hex[:8]}")
    urls: ServiceUrls = field(default_factory=ServiceUrls)
    internal_api_key: str = field(
        default_factory=lambda: os.environ.get("HULEEDU_INTERNAL_API_KEY", "dev-internal-api-key")
    )

    def _headers(self) -> dict[str, str]:
        return {"X-Internal-API-Key": self.internal_api_key, "X-User-ID": self.teacher}

    async def call(self, method: str, url: str, **kwargs: Any) -> tuple[int, Any]:
        """One request; the status and the decoded JSON body."""
        async with self.http.request(method, url, headers=self._headers(), **kwargs) as resp:
            raw = await resp.read()
            return resp.status, json.loads(raw) if raw else None

    async def _expect(self, status: int, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        got, body = await self.call(method, url, **kwargs)
        if got != status:
            raise PlatformError(f"{method} {url} answered {got}: {body}")
        return dict(body)

    async def register_batch(
        self, course: str, count: int, instructions: str = "Skriv en argumenterande text."
    ) -> dict[str, Any]:
        """Register a batch at the orchestrator; its body (batch_id, essay_ids, ...)."""
        return await self._expect(
            201,
            "POST",
            f"{self.urls.batch_orchestrator}/internal/v1/batches",
            json={
                "course_code": course,
                "essay_instructions": instructions,
                "expected_essay_count": count,
            },
        )

    async def upload(self, batch_id: str, files: list[tuple[str, bytes]]) -> dict[str, Any]:
        """Upload files into the batch (raw UTF-8 names, as browsers send them)."""
        form = aiohttp.FormData(quote_fields=False)
        for name, data in files:
            form.add_field("files", data, filename=name, content_type="application/octet-stream")
        return await self._expect(
            201, "POST", f"{self.urls.file_service}/internal/v1/batches/{batch_id}/files", data=form
        )

    async def pipeline_state(self, batch_id: str) -> dict[str, Any]:
        """The orchestrator's view of the batch."""
        return await self._expect(
            200,
            "GET",
            f"{self.urls.batch_orchestrator}/internal/v1/batches/{batch_id}/pipeline-state",
        )

    async def essay_status(self, batch_id: str) -> dict[str, Any]:
        """The essay lifecycle's view of the batch's essays."""
        return await self._expect(
            200, "GET", f"{self.urls.essay_lifecycle}/internal/v1/batches/{batch_id}/status"
        )

    async def request_pipeline(
        self,
        batch_id: str,
        pipeline: PipelineName = PipelineName.SPELLCHECK,
        disabled_grammar_categories: Sequence[GrammarCategory] = (),
    ) -> None:
        """Publish the teacher's pipeline request, as the gateway does."""
        data = ClientBatchPipelineRequestV1(
            batch_id=batch_id,
            user_id=self.teacher,
            requested_pipeline=pipeline,
            disabled_grammar_categories=list(disabled_grammar_categories),
        )
        envelope = EventEnvelope.wrap(
            data, source_service="platform_client", correlation_id=str(uuid.uuid4())
        )
        await self.producer.publish(envelope, key=batch_id)
