"""ContentStore over the shared Content Service client, in this service's domain terms."""

from __future__ import annotations

from grammar_service.domain.ports import ContentNotFound, ContentUnavailable
from huleedu_service_libs.clients import (
    ContentNotFoundError,
    ContentServiceClient,
    ContentServiceUnavailable,
)


class ContentServiceStore:
    """Fetches essay texts."""

    def __init__(self, client: ContentServiceClient) -> None:
        self._client = client

    async def fetch(self, content_id: str) -> bytes:
        """The stored bytes; ContentNotFound on 404, ContentUnavailable after retries."""
        try:
            return await self._client.fetch(content_id)
        except ContentNotFoundError:
            raise ContentNotFound(content_id) from None
        except ContentServiceUnavailable as exc:
            raise ContentUnavailable(str(exc)) from exc
