"""Client of the Content Service's internal API (every call is idempotent: all are retried)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

import aiohttp
from pydantic import ValidationError
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from common_core.internal_api import ContentErasureResultV1, ContentErasureV1
from huleedu_service_libs.correlation import outgoing_headers

T = TypeVar("T")


class ContentNotFoundError(Exception):
    """No content has this id."""


class ContentServiceUnavailable(Exception):
    """The Content Service kept failing (5xx, timeouts, refused connections) through retries."""


class _Retryable(Exception):
    """A 5xx or transport error."""


class ContentClientSettings(Protocol):
    """The settings a service needs to reach the Content Service."""

    content_service_url: str
    internal_api_key: str
    content_timeout_seconds: float
    content_max_attempts: int


class ContentServiceClient:
    """Stores and fetches blobs by content id (sha256), with bounded retries."""

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

    @classmethod
    def from_settings(
        cls, http: aiohttp.ClientSession, settings: ContentClientSettings
    ) -> ContentServiceClient:
        """A client configured from a service's settings."""
        return cls(
            http,
            base_url=settings.content_service_url,
            internal_api_key=settings.internal_api_key,
            timeout_seconds=settings.content_timeout_seconds,
            max_attempts=settings.content_max_attempts,
        )

    async def fetch(self, content_id: str) -> bytes:
        """The stored bytes; ContentNotFoundError on 404, Unavailable once retries are spent."""
        return await self._retrying(lambda: self._fetch_once(content_id))

    async def store(
        self,
        data: bytes,
        content_type: str,
        *,
        holder: str | None = None,
        derived_from: str | None = None,
    ) -> str:
        """Store bytes for `holder` (a batch id), made from `derived_from`; their content id.

        ContentNotFoundError when `derived_from` no longer exists (erased meanwhile);
        Unavailable once retries are spent.
        """
        query = {k: v for k, v in (("holder", holder), ("derived_from", derived_from)) if v}
        return await self._retrying(lambda: self._store_once(data, content_type, query))

    async def erase(self, request: ContentErasureV1) -> ContentErasureResultV1:
        """Apply one batch's part of a student erasure; Unavailable once retries are spent."""
        return await self._retrying(lambda: self._erase_once(request))

    async def _retrying(self, call: Callable[[], Awaitable[T]]) -> T:
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self._max_attempts),
                wait=wait_exponential_jitter(multiplier=0.2, max=2.0, jitter=0.2),
                retry=retry_if_exception_type(_Retryable),
                reraise=True,
            ):
                with attempt:
                    return await call()
        except _Retryable as exc:
            raise ContentServiceUnavailable(str(exc)) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _headers(self) -> dict[str, str]:
        return {**outgoing_headers(), "X-Internal-API-Key": self._key}

    async def _fetch_once(self, content_id: str) -> bytes:
        try:
            async with self._http.get(
                f"{self._url}/{content_id}", headers=self._headers(), timeout=self._timeout
            ) as response:
                if response.status == 404:
                    raise ContentNotFoundError(content_id)
                if response.status >= 500:
                    raise _Retryable(f"content service answered {response.status}")
                response.raise_for_status()
                return await response.read()
        except (aiohttp.ClientConnectionError, TimeoutError) as exc:
            raise _Retryable(f"content service unreachable: {exc!r}") from exc

    async def _store_once(self, data: bytes, content_type: str, query: dict[str, str]) -> str:
        headers = {**self._headers(), "Content-Type": content_type}
        try:
            async with self._http.post(
                self._url, data=data, headers=headers, params=query, timeout=self._timeout
            ) as response:
                if response.status == 404:
                    raise ContentNotFoundError(query.get("derived_from", ""))
                if response.status >= 500:
                    raise _Retryable(f"content service answered {response.status}")
                response.raise_for_status()
                body = await response.json()
        except (aiohttp.ClientConnectionError, TimeoutError) as exc:
            raise _Retryable(f"content service unreachable: {exc!r}") from exc
        return str(body["content_id"])

    async def _erase_once(self, request: ContentErasureV1) -> ContentErasureResultV1:
        try:
            async with self._http.post(
                f"{self._url}/erasures",
                json=request.model_dump(mode="json"),
                headers=self._headers(),
                timeout=self._timeout,
            ) as response:
                if response.status >= 500:
                    raise _Retryable(f"content service answered {response.status}")
                response.raise_for_status()
                body = await response.read()
        except (aiohttp.ClientConnectionError, TimeoutError) as exc:
            raise _Retryable(f"content service unreachable: {exc!r}") from exc
        try:
            return ContentErasureResultV1.model_validate_json(body)
        except ValidationError as exc:
            raise ContentServiceUnavailable(f"unexpected erasure answer: {exc}") from exc
