"""ContentStore over the shared Content Service client, in this service's domain terms."""

from __future__ import annotations

from huleedu_service_libs.clients import (
    ContentNotFoundError,
    ContentServiceClient,
    ContentServiceUnavailable,
)
from spellchecker_service.domain.ports import ContentNotFound, ContentUnavailable


class ContentServiceStore:
    """Fetches essay texts and stores corrected ones."""

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

    async def store(self, data: bytes, content_type: str, *, holder: str, derived_from: str) -> str:
        """Store bytes made from `derived_from` for `holder`; their content id.

        ContentNotFound when the source was erased meanwhile; ContentUnavailable after retries.
        """
        try:
            return await self._client.store(
                data, content_type, holder=holder, derived_from=derived_from
            )
        except ContentNotFoundError:
            raise ContentNotFound(derived_from) from None
        except ContentServiceUnavailable as exc:
            raise ContentUnavailable(str(exc)) from exc
