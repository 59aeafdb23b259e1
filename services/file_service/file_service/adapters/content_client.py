"""ContentStore over the Content Service's internal API (idempotent, so retried)."""

from __future__ import annotations

import aiohttp
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from file_service.domain.ports import DependencyUnavailable
from huleedu_service_libs.correlation import outgoing_headers


class _Retryable(Exception):
    """A 5xx or transport error: storing again is safe because ids are content hashes."""


class ContentServiceClient:
    """Stores blobs and returns their content ids."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        base_url: str,
        internal_api_key: str,
        timeout_seconds: float,
        max_attempts: int,
    ) -> None:
        self._http = http
        self._url = base_url.rstrip("/") + "/internal/v1/content"
        self._key = internal_api_key
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._max_attempts = max_attempts

    async def store(self, data: bytes, content_type: str) -> str:
        """Store bytes; DependencyUnavailable once retries are used up."""
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self._max_attempts),
                wait=wait_exponential_jitter(multiplier=0.2, max=2.0, jitter=0.2),
                retry=retry_if_exception_type(_Retryable),
                reraise=True,
            ):
                with attempt:
                    return await self._store_once(data, content_type)
        except _Retryable as exc:
            raise DependencyUnavailable("content_service", 5.0) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    async def _store_once(self, data: bytes, content_type: str) -> str:
        headers = {
            **outgoing_headers(),
            "X-Internal-API-Key": self._key,
            "Content-Type": content_type,
        }
        try:
            async with self._http.post(
                self._url, data=data, headers=headers, timeout=self._timeout
            ) as response:
                if response.status >= 500:
                    raise _Retryable(f"content service answered {response.status}")
                response.raise_for_status()
                body = await response.json()
        except (aiohttp.ClientConnectionError, TimeoutError) as exc:
            raise _Retryable(repr(exc)) from exc
        return str(body["content_id"])
