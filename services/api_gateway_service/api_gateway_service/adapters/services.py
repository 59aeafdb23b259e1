"""Typed calls of the Batch Orchestrator, File Service and Result Aggregator internal APIs.

Class Management has its own module (class_management.py): it has many more routes.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, Mapping
from typing import Any
from urllib.parse import quote

from api_gateway_service.adapters.downstream import (
    BodyComplete,
    BodyFailure,
    DownstreamClient,
    DownstreamResponse,
)
from api_gateway_service.adapters.errors import DownstreamAnswer, bad_gateway, validated
from api_gateway_service.domain.caller import Caller
from api_gateway_service.domain.pipeline_requests import UnknownBatch
from common_core.internal_api import BatchPipelineStateV1

__all__ = [
    "BatchOrchestratorClient",
    "FileServiceClient",
    "ResultAggregatorClient",
    "json_of",
    "path_segment",
]


def path_segment(value: str) -> str:
    """An id as one percent-encoded path segment: it can never change the downstream path."""
    return quote(value, safe="")


def json_of(client: DownstreamClient, response: DownstreamResponse) -> Any:
    """The JSON body of a 2xx answer; a body that is not JSON is the downstream's fault (502)."""
    try:
        return json.loads(response.body)
    except ValueError:
        raise bad_gateway(client.name, response.status) from None


class BatchOrchestratorClient:
    """Batch registration and pipeline state on the Batch Orchestrator."""

    def __init__(self, http: DownstreamClient) -> None:
        self.http = http

    async def register_batch(self, caller: Caller, body: Mapping[str, Any]) -> Any:
        """POST /internal/v1/batches; the created batch."""
        response = await self.http.send("POST", "/internal/v1/batches", caller, json_body=body)
        return json_of(self.http, response)

    async def pipeline_state(
        self, caller: Caller, batch_id: str, *, idempotency_key: str | None = None
    ) -> BatchPipelineStateV1:
        """GET .../pipeline-state (not user-checked by BOS: the caller compares user_id).

        With a key, `pipeline_request` says what became of the caller's request under it.
        BOS's 404 is the domain's UnknownBatch; other refusals stay DownstreamAnswer.
        """
        params = {"idempotency_key": idempotency_key} if idempotency_key is not None else None
        try:
            response = await self.http.get(
                f"/internal/v1/batches/{path_segment(batch_id)}/pipeline-state",
                caller,
                params=params,
            )
        except DownstreamAnswer as answer:
            if answer.status == 404:
                raise UnknownBatch(batch_id) from None
            raise
        # A body that breaks the contract is BOS's fault: 502, like every other contract break.
        return validated(BatchPipelineStateV1, json_of(self.http, response), self.http.name)


class FileServiceClient:
    """Uploads, lists and removes a batch's files on the File Service."""

    def __init__(
        self,
        http: DownstreamClient,
        *,
        upload_timeout_seconds: float,
        upload_body_timeout_seconds: float,
    ) -> None:
        self.http = http
        self._upload_timeout = upload_timeout_seconds
        self._body_timeout = upload_body_timeout_seconds

    async def upload(
        self,
        caller: Caller,
        batch_id: str,
        body: AsyncIterable[bytes],
        headers: Mapping[str, str],
        body_failure: BodyFailure | None = None,
        body_complete: BodyComplete | None = None,
    ) -> DownstreamResponse:
        """Stream a multipart body to POST .../files; the File Service's answer."""
        return await self.http.stream(
            "POST",
            f"/internal/v1/batches/{path_segment(batch_id)}/files",
            caller,
            body=body,
            headers=headers,
            timeout_seconds=self._upload_timeout,
            body_timeout_seconds=self._body_timeout,
            body_failure=body_failure,
            body_complete=body_complete,
        )

    async def list_files(self, caller: Caller, batch_id: str) -> Any:
        """GET .../files."""
        response = await self.http.get(
            f"/internal/v1/batches/{path_segment(batch_id)}/files", caller
        )
        return json_of(self.http, response)

    async def remove_file(self, caller: Caller, batch_id: str, file_upload_id: str) -> Any:
        """DELETE .../files/{file_upload_id}."""
        response = await self.http.send(
            "DELETE",
            f"/internal/v1/batches/{path_segment(batch_id)}/files/{path_segment(file_upload_id)}",
            caller,
        )
        return json_of(self.http, response)


class ResultAggregatorClient:
    """A teacher's batches and results on the Result Aggregator."""

    def __init__(self, http: DownstreamClient) -> None:
        self.http = http

    async def list_batches(self, caller: Caller, params: Mapping[str, str]) -> Any:
        """GET /internal/v1/batches (the caller's own)."""
        response = await self.http.get("/internal/v1/batches", caller, params=params)
        return json_of(self.http, response)

    async def batch(self, caller: Caller, batch_id: str) -> Any:
        """GET /internal/v1/batches/{batch_id}."""
        response = await self.http.get(f"/internal/v1/batches/{path_segment(batch_id)}", caller)
        return json_of(self.http, response)

    async def essay(
        self, caller: Caller, batch_id: str, essay_id: str, *, include_text: bool
    ) -> Any:
        """GET /internal/v1/batches/{batch_id}/essays/{essay_id}."""
        response = await self.http.get(
            f"/internal/v1/batches/{path_segment(batch_id)}/essays/{path_segment(essay_id)}",
            caller,
            params={"include_text": "true" if include_text else "false"},
        )
        return json_of(self.http, response)

    async def essay_text(self, caller: Caller, batch_id: str, essay_id: str) -> Any:
        """GET /internal/v1/batches/{batch_id}/essays/{essay_id}/text."""
        response = await self.http.get(
            f"/internal/v1/batches/{path_segment(batch_id)}/essays/{path_segment(essay_id)}/text",
            caller,
        )
        return json_of(self.http, response)
