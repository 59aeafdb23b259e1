"""BOS's internal API over aiohttp: a timeout per call, tenacity retries (idempotent GETs)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
import structlog
from pydantic import ValidationError
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from common_core.internal_api import BatchPipelineStateV1
from huleedu_service_libs.correlation import (
    INTERNAL_API_KEY_HEADER,
    USER_ID_HEADER,
    outgoing_headers,
)
from result_aggregator_service.domain.ports import BosBatch, BosUnavailable
from result_aggregator_service.metrics import BOS_REQUESTS

logger = structlog.get_logger(__name__)

T = TypeVar("T")


class _Retryable(Exception):
    """A 5xx answer or a transport failure (refused, reset, timed out)."""


class BosClient:
    """Pipeline state (worker) and the teacher's batch (API fallback) from BOS."""

    def __init__(
        self,
        http: Callable[[], aiohttp.ClientSession],
        *,
        base_url: str,
        internal_api_key: str,
        timeout_seconds: float,
        max_attempts: int,
        backoff_max_seconds: float = 2.0,
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/") + "/internal/v1/batches"
        self._key = internal_api_key
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._max_attempts = max_attempts
        self._backoff_max = backoff_max_seconds

    async def pipeline_state(self, batch_id: str) -> BatchPipelineStateV1 | None:
        """`GET .../{batch_id}/pipeline-state`; None on 404; BosUnavailable after retries."""
        body = await self._get("pipeline_state", f"{self._base}/{batch_id}/pipeline-state", {})
        return BatchPipelineStateV1.model_validate_json(body) if body is not None else None

    async def batch_for_user(self, batch_id: str, user_id: str) -> BosBatch | None:
        """`GET .../{batch_id}` as the teacher; None when missing or another teacher's."""
        body = await self._get("batch", f"{self._base}/{batch_id}", {USER_ID_HEADER: user_id})
        return BosBatch.model_validate_json(body) if body is not None else None

    async def _get(self, route: str, url: str, extra: dict[str, str]) -> bytes | None:
        headers = {**outgoing_headers(), **extra, INTERNAL_API_KEY_HEADER: self._key}
        try:
            body = await self._retrying(lambda: self._get_once(url, headers))
        except _Retryable as exc:
            BOS_REQUESTS.labels(route, "unavailable").inc()
            logger.warning("ras.bos_unavailable", url=url, error=str(exc))
            raise BosUnavailable(f"batch orchestrator unavailable: {exc}") from exc
        except ValidationError as exc:
            # An answer we cannot read is a BOS/contract fault; retrying the message may help
            # once BOS is fixed, so it is treated as an outage rather than poison.
            BOS_REQUESTS.labels(route, "unavailable").inc()
            raise BosUnavailable(f"unreadable batch orchestrator answer: {exc}") from exc
        BOS_REQUESTS.labels(route, "ok" if body is not None else "not_found").inc()
        return body

    async def _retrying(self, call: Callable[[], Awaitable[T]]) -> T:
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(self._max_attempts),
            wait=wait_exponential_jitter(multiplier=0.2, max=self._backoff_max, jitter=0.2),
            retry=retry_if_exception_type(_Retryable),
            reraise=True,
        ):
            with attempt:
                return await call()
        raise AssertionError("unreachable")  # pragma: no cover

    async def _get_once(self, url: str, headers: dict[str, str]) -> bytes | None:
        try:
            async with self._http().get(url, headers=headers, timeout=self._timeout) as response:
                if response.status == 404:
                    return None
                if response.status >= 500:
                    raise _Retryable(f"batch orchestrator answered {response.status}")
                response.raise_for_status()
                return await response.read()
        except (aiohttp.ClientConnectionError, aiohttp.ServerTimeoutError, TimeoutError) as exc:
            raise _Retryable(f"batch orchestrator unreachable: {exc!r}") from exc
