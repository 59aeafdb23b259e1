"""ContentStore over the shared Content Service client, in this service's domain terms."""

from __future__ import annotations

from file_service.domain.ports import DependencyUnavailable
from huleedu_service_libs.clients import ContentServiceClient, ContentServiceUnavailable


class ContentServiceStore:
    """Stores raw uploads and extracted texts (idempotent by content hash, so retried)."""

    def __init__(self, client: ContentServiceClient) -> None:
        self._client = client

    async def store(self, data: bytes, content_type: str) -> str:
        """Store bytes; DependencyUnavailable once the client's retries are used up."""
        try:
            return await self._client.store(data, content_type)
        except ContentServiceUnavailable as exc:
            raise DependencyUnavailable("content_service", 5.0) from exc
