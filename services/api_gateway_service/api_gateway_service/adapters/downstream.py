"""One downstream service over HTTP: headers, timeout, circuit breaker, retries, error mapping."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from api_gateway_service.adapters.errors import (
    DownstreamAnswer,
    NotADownstreamFailure,
    bad_gateway,
    passthrough_body,
    unavailable,
)
from api_gateway_service.adapters.upload_body import ClientTooSlow
from api_gateway_service.domain.caller import Caller
from huleedu_service_libs.correlation import (
    CORRELATION_ID_HEADER,
    INTERNAL_API_KEY_HEADER,
    USER_ID_HEADER,
)
from huleedu_service_libs.errors import HuleEduError
from huleedu_service_libs.logging_setup import get_logger
from huleedu_service_libs.resilience import unavailable_dependency_in
from huleedu_service_libs.resilience.circuit_breaker import AsyncCircuitBreaker, CircuitOpenError

__all__ = ["BodyComplete", "BodyFailure", "Caller", "DownstreamClient", "DownstreamResponse"]

logger = get_logger(__name__)

BodyFailure = Callable[[], NotADownstreamFailure | None]
BodyComplete = Callable[[], bool]

# Only what says nothing reached the service is retried: a refused or reset connection.
_FIRST_RETRY_WAIT = 0.05
_RETRY_WAIT = wait_exponential(multiplier=0.1, max=0.5)  # 0.1, 0.2, 0.4 s after the first


@dataclass(frozen=True)
class DownstreamResponse:
    """A successful (2xx) downstream answer."""

    status: int
    body: bytes
    headers: Mapping[str, str]


class _ServerError(Exception):
    """A downstream 5xx, raised inside the breaker so it counts as a failure."""

    def __init__(self, response: DownstreamResponse) -> None:
        super().__init__(f"downstream answered {response.status}")
        self.response = response


def _is_connection_failure(exc: BaseException) -> bool:
    # ServerTimeoutError is a ClientConnectionError too, but a timeout may have reached the
    # service and used up the caller's patience: not retried.
    return isinstance(exc, aiohttp.ClientConnectionError) and not isinstance(exc, TimeoutError)


class DownstreamClient:
    """Calls one downstream's internal API; failures become the gateway's 4xx/502/503 answers."""

    def __init__(
        self,
        name: str,
        base_url: str,
        session: aiohttp.ClientSession,
        *,
        internal_api_key: str,
        timeout_seconds: float,
        breaker: AsyncCircuitBreaker,
        get_attempts: int = 3,
        retry_after_seconds: int = 5,
    ) -> None:
        self.name = name
        self.breaker = breaker
        self._base_url = base_url.rstrip("/")
        self._session = session
        self._key = internal_api_key
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._get_attempts = max(1, get_attempts)
        self._retry_after = retry_after_seconds

    def _headers(self, caller: Caller, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        # Built from the verified principal only: a client's own X-User-ID never goes through.
        headers = {
            INTERNAL_API_KEY_HEADER: self._key,
            USER_ID_HEADER: caller.user_id,
            CORRELATION_ID_HEADER: caller.correlation_id,
        }
        headers.update(extra or {})
        return headers

    async def get(
        self, path: str, caller: Caller, *, params: Mapping[str, str] | None = None
    ) -> DownstreamResponse:
        """GET with retries on connection failures (GETs are idempotent)."""

        async def attempt() -> DownstreamResponse:
            return await self._attempt("GET", path, caller, params=params)

        async def with_retries() -> DownstreamResponse:
            # The first attempt runs bare: building the retry machinery costs CPU on every
            # read, and nearly every read succeeds at once.
            try:
                return await attempt()
            except Exception as exc:
                if self._get_attempts == 1 or not _is_connection_failure(exc):
                    raise
            await asyncio.sleep(_FIRST_RETRY_WAIT)
            retrying = AsyncRetrying(
                stop=stop_after_attempt(self._get_attempts - 1),
                wait=_RETRY_WAIT,
                retry=retry_if_exception(_is_connection_failure),
                reraise=True,
            )
            return await retrying(attempt)

        return await self._mapped(with_retries)

    async def send(
        self,
        method: str,
        path: str,
        caller: Caller,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout_seconds: float | None = None,
    ) -> DownstreamResponse:
        """A non-idempotent call (POST, DELETE): one attempt, with a JSON body or raw bytes."""
        kwargs: dict[str, Any] = {"data": content} if content is not None else {"json": json_body}
        timeout = None if timeout_seconds is None else aiohttp.ClientTimeout(total=timeout_seconds)
        return await self._mapped(
            lambda: self._attempt(
                method, path, caller, extra_headers=headers, timeout=timeout, **kwargs
            )
        )

    async def stream(
        self,
        method: str,
        path: str,
        caller: Caller,
        *,
        body: AsyncIterable[bytes],
        headers: Mapping[str, str],
        timeout_seconds: float,
        body_timeout_seconds: float,
        body_failure: BodyFailure | None = None,
        body_complete: BodyComplete | None = None,
    ) -> DownstreamResponse:
        """Send a streamed body (one attempt: it cannot be replayed).

        timeout_seconds bounds the downstream's answer once the body is sent; the client's
        body transfer has its own budget (body_timeout_seconds) and is not the downstream's.
        body_failure tells whether the body itself failed (too large, client gone, too slow);
        such a failure is raised instead of the transport error and is not held against the
        breaker, and so is a timeout while body_complete() is still false.
        """
        timeout = aiohttp.ClientTimeout(
            # A backstop for a downstream that stops reading the body altogether.
            total=body_timeout_seconds + timeout_seconds,
            sock_connect=self._timeout.total,
            # aiohttp starts this clock only once the whole body has been written.
            sock_read=timeout_seconds,
        )
        return await self._mapped(
            lambda: self._attempt(
                method,
                path,
                caller,
                data=body,
                extra_headers=headers,
                timeout=timeout,
                body_failure=body_failure,
                body_complete=body_complete,
            )
        )

    async def _attempt(
        self,
        method: str,
        path: str,
        caller: Caller,
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: aiohttp.ClientTimeout | None = None,  # noqa: ASYNC109 - aiohttp per-request
        body_failure: BodyFailure | None = None,
        body_complete: BodyComplete | None = None,
        **kwargs: Any,
    ) -> DownstreamResponse:
        try:
            async with self._session.request(
                method,
                f"{self._base_url}{path}",
                headers=self._headers(caller, extra_headers),
                timeout=timeout or self._timeout,
                **kwargs,
            ) as response:
                answer = DownstreamResponse(
                    response.status, await response.read(), dict(response.headers)
                )
        except Exception as exc:
            failure = body_failure() if body_failure is not None else None
            if failure is not None:
                raise failure from exc
            if isinstance(exc, TimeoutError) and body_complete is not None and not body_complete():
                # Time ran out while the client was still sending: its slowness, not ours.
                raise ClientTooSlow("the upload timed out before its body was complete") from exc
            raise
        if answer.status >= 500 and not _dependency_unavailable(answer):
            raise _ServerError(answer)
        return answer

    async def _mapped(self, call: Any) -> DownstreamResponse:
        try:
            # One logical call (retries included) is one success or failure for the breaker.
            async with self.breaker.guard():
                answer: DownstreamResponse = await call()
        except NotADownstreamFailure:
            raise
        except CircuitOpenError as exc:
            raise unavailable(
                self.name, retry_after=exc.retry_after, reason="circuit_open"
            ) from exc
        except _ServerError as exc:
            raise self._server_error(exc.response) from exc
        except TimeoutError as exc:
            logger.warning("downstream.timeout", downstream=self.name)
            raise unavailable(self.name, retry_after=self._retry_after, reason="timeout") from exc
        except aiohttp.ClientError as exc:
            logger.warning("downstream.unreachable", downstream=self.name, error=repr(exc))
            raise unavailable(
                self.name, retry_after=self._retry_after, reason="unreachable"
            ) from exc
        if answer.status in (401, 403):
            # The internal key was refused: the gateway's configuration, not the client's fault.
            logger.error("downstream.refused_internal_key", downstream=self.name)
            raise bad_gateway(self.name, answer.status)
        if answer.status >= 400:
            # A 4xx, or a 503 in which the downstream names its own dependency as unavailable.
            raise DownstreamAnswer(
                answer.status, passthrough_body(answer.status, answer.body), _kept(answer.headers)
            )
        return answer

    def _server_error(self, response: DownstreamResponse) -> HuleEduError:
        logger.warning("downstream.server_error", downstream=self.name, status=response.status)
        if response.status == 503:
            # The service itself says "later": keep that meaning and its Retry-After.
            retry_after = response.headers.get("Retry-After", "")
            seconds = float(retry_after) if retry_after.isdigit() else float(self._retry_after)
            return unavailable(self.name, retry_after=seconds, reason="downstream_unavailable")
        return bad_gateway(self.name, response.status)


def _dependency_unavailable(response: DownstreamResponse) -> bool:
    """A 503 whose error body names `details.dependency`: the downstream answered, healthy.

    BOS answers so when Class Management is down, the File Service when BOS is: counting it
    against this downstream's breaker would let one dependency's outage shut every route of
    the healthy service (batch registration without a class, file listings, ...).
    """
    return unavailable_dependency_in(response.status, response.body) is not None


def _kept(headers: Mapping[str, str]) -> dict[str, str]:
    """Downstream headers worth passing on with a 4xx (rate-limit and auth hints)."""
    return {k: v for k, v in headers.items() if k.lower() in ("retry-after", "allow")}
