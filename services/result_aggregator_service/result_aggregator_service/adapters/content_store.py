"""TextStore over the shared Content Service client."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import aiohttp

from huleedu_service_libs.clients import (
    ContentNotFoundError,
    ContentServiceClient,
    ContentServiceUnavailable,
)
from huleedu_service_libs.clients.content_service import ContentClientSettings
from result_aggregator_service.domain.ports import TextUnavailable


class ContentServiceTexts:
    """Essay texts (original or corrected) from the Content Service (UTF-8), timeout, retries."""

    def __init__(
        self, http: Callable[[], aiohttp.ClientSession], settings: ContentClientSettings
    ) -> None:
        self._http = http
        self._settings = settings

    async def text(self, storage_id: str) -> str | None:
        """The text, None if nothing is stored under the id, TextUnavailable if unreachable."""
        client = ContentServiceClient.from_settings(self._http(), self._settings)
        try:
            # The shared client puts the id into the URL path as given.
            data = await client.fetch(quote(storage_id, safe=""))
        except ContentNotFoundError:
            return None
        except ContentServiceUnavailable as exc:
            raise TextUnavailable(str(exc)) from exc
        except aiohttp.ClientResponseError as exc:
            # A 4xx the shared client does not map (401/403 after key rotation, 429): the text
            # cannot be served now; a 503 beats an unhandled 500.
            raise TextUnavailable(f"content service answered {exc.status}") from exc
        return data.decode("utf-8", errors="replace")
