"""BOS's internal API over aiohttp: a timeout per call, tenacity retries (idempotent GETs)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar
from urllib.parse import quote

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
from result_aggregator_service.adapters.metrics import BOS_REQUESTS
from result_aggregator_service.domain.ports import BosBatch, BosRejected, BosUnavailable

logger = structlog.get_logger(__name__)

T = TypeVar("T")


# Answers that say "not now" rather than "never": throttling is retried here; a refused key
# (e.g. during key rotation) is not retried here but surfaces as BosUnavailable, so the
# consumer runner retries the message later and the API answers 503.
_THROTTLED = frozenset({429})
_REFUSED = frozenset({401, 403})


class _Retryable(Exception):
    """A 5xx or 429 answer or a transport failure (refused, reset, timed out)."""


class _Refused(Exception):
    """BOS refused our credentials (401/403)."""


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
        url = f"{self._base}/{quote(batch_id, safe='')}/pipeline-state"
        body = await self._get("pipeline_state", url, {})
        return BatchPipelineStateV1.model_validate_json(body) if body is not None else None

    async def batch_for_user(self, batch_id: str, user_id: str) -> BosBatch | None:
        """`GET .../{batch_id}` as the teacher; None when missing or another teacher's."""
        url = f"{self._base}/{quote(batch_id, safe='')}"
        body = await self._get("batch", url, {USER_ID_HEADER: user_id})
        return BosBatch.model_validate_json(body) if body is not None else None

    async def _get(self, route: str, url: str, extra: dict[str, str]) -> bytes | None:
        headers = {**outgoing_headers(), **extra, INTERNAL_API_KEY_HEADER: self._key}
        try:
            body = await self._retrying(lambda: self._get_once(url, headers))
        except _Retryable as exc:
            BOS_REQUESTS.labels(route, "unavailable").inc()
            logger.warning("ras.bos_unavailable", url=url, error=str(exc))
            raise BosUnavailable(f"batch orchestrator unavailable: {exc}") from exc
        except _Refused as exc:
            BOS_REQUESTS.labels(route, "unavailable").inc()
            logger.error("ras.bos_refused_credentials", url=url, error=str(exc))
            raise BosUnavailable(f"batch orchestrator refused the request: {exc}") from exc
        except BosRejected as exc:
            BOS_REQUESTS.labels(route, "rejected").inc()
            logger.error("ras.bos_rejected_request", url=url, status=exc.status)
            raise
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
                status = response.status
                if status >= 500 or status in _THROTTLED:
                    raise _Retryable(f"batch orchestrator answered {status}")
                if status in _REFUSED:
                    raise _Refused(f"batch orchestrator answered {status}")
                if status >= 400:
                    raise BosRejected(status, url)
                return await response.read()
        except (aiohttp.ClientConnectionError, aiohttp.ServerTimeoutError, TimeoutError) as exc:
            raise _Retryable(f"batch orchestrator unreachable: {exc!r}") from exc
