"""The Content Service over the shared client, in this service's domain terms."""

from __future__ import annotations

from collections.abc import Sequence

from common_core.internal_api import ContentErasureV1
from file_service.domain.ports import DependencyUnavailable
from huleedu_service_libs.clients import ContentServiceClient, ContentServiceUnavailable


class ContentServiceStore:
    """Stores raw uploads and extracted texts (idempotent by content hash, so retried)."""

    def __init__(self, client: ContentServiceClient) -> None:
        self._client = client

    async def store(self, data: bytes, content_type: str, holder: str | None = None) -> str:
        """Store bytes for `holder` (the batch); DependencyUnavailable once retries are spent."""
        try:
            return await self._client.store(data, content_type, holder=holder)
        except ContentServiceUnavailable as exc:
            raise DependencyUnavailable("content_service", 5.0) from exc


class ContentServiceEraser:
    """Lets go of, or redacts, one batch's blobs (idempotent, so retried)."""

    def __init__(self, client: ContentServiceClient) -> None:
        self._client = client

    async def erase(
        self, holder: str, delete: Sequence[str], redact: Sequence[str], terms: Sequence[str]
    ) -> None:
        """Apply one batch's part of an erasure; DependencyUnavailable after retries."""
        request = ContentErasureV1(
            holder=holder, delete=list(delete), redact=list(redact), terms=list(terms)
        )
        try:
            await self._client.erase(request)
        except ContentServiceUnavailable as exc:
            raise DependencyUnavailable("content_service", 5.0) from exc
