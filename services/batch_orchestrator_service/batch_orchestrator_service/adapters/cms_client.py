"""ClassDirectory over the Class Management Service's internal API, through a circuit breaker.

`GET {cms_url}/internal/v1/classes/{class_id}/summary` as the registering teacher: 200 ClassV1,
404 CLASS_NOT_FOUND for an unknown class or another teacher's (the same answer on purpose). A
timeout per attempt; tenacity retries connection failures only (the GET is idempotent, and a
slow CMS would only get slower if asked again); the whole retried call counts once in the
breaker.

Only those two answers are answers. A 404 without CMS's error code (a wrong CMS_URL answering
an HTML or plain 404) and any other 4xx (our key refused, a path or request CMS does not take)
mean BOS cannot ask CMS as it is configured: they are failures like a 5xx, logged as errors,
answered 503 and counted by the breaker. Nothing a teacher sends can cause them (BOS checks the
class id and user id as CMS does), so one teacher cannot open the circuit for everyone. A 503
that names CMS's own unavailable dependency is CMS answering: 503 here, never counted.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import aiohttp
import structlog
from pydantic import ValidationError
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from batch_orchestrator_service.domain.errors import DependencyUnavailable
from common_core.class_api import ClassV1
from common_core.errors import ErrorCode
from huleedu_service_libs.correlation import (
    CORRELATION_ID_HEADER,
    INTERNAL_API_KEY_HEADER,
    USER_ID_HEADER,
)
from huleedu_service_libs.resilience import (
    AsyncCircuitBreaker,
    CircuitOpenError,
    DownstreamDependencyUnavailable,
    retry_after_in,
    unavailable_dependency_in,
)

logger = structlog.get_logger(__name__)

CMS_SERVICE = "class_management_service"
# The smallest Retry-After we suggest when CMS failed but the circuit is still closed.
_MIN_RETRY_AFTER_SECONDS = 1.0
# The one 404 that means "no such class for this teacher". Any other 404 (a generic NOT_FOUND
# from an unknown route, an HTML page) means CMS_URL points somewhere else.
_UNKNOWN_CLASS_CODES = frozenset({ErrorCode.CLASS_NOT_FOUND.value})


def _is_connection_failure(exc: BaseException) -> bool:
    """Refused, reset or dropped connections; timeouts (also ClientConnectionErrors) are not."""
    return isinstance(exc, aiohttp.ClientConnectionError) and not isinstance(exc, TimeoutError)


def _error_code(body: bytes) -> str | None:
    """The `error.code` of a shared error body; None for anything else (HTML, text, other JSON)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    error = parsed.get("error") if isinstance(parsed, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else None


class CmsClassDirectory:
    """Asks CMS for a teacher's class: its name and course."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        base_url: str,
        internal_api_key: str,
        timeout_seconds: float,
        max_attempts: int,
        breaker: AsyncCircuitBreaker,
        backoff_max_seconds: float = 1.0,
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/") + "/internal/v1/classes"
        self._key = internal_api_key
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._max_attempts = max_attempts
        self._breaker = breaker
        self._backoff_max = backoff_max_seconds

    async def class_summary(
        self, class_id: str, user_id: str, correlation_id: str
    ) -> ClassV1 | None:
        """The teacher's class, None when unknown or foreign; DependencyUnavailable otherwise."""
        url = f"{self._base}/{quote(class_id, safe='')}/summary"
        headers = {
            INTERNAL_API_KEY_HEADER: self._key,
            USER_ID_HEADER: user_id,
            CORRELATION_ID_HEADER: correlation_id,
        }
        try:
            return await self._breaker.call(self._fetch_with_retries, url, headers)
        except CircuitOpenError as exc:
            logger.warning("bos.cms_circuit_open", retry_after=exc.retry_after)
            raise DependencyUnavailable(CMS_SERVICE, exc.retry_after) from exc
        except DownstreamDependencyUnavailable as exc:
            logger.warning("bos.cms_dependency_unavailable", dependency=exc.dependency)
            raise DependencyUnavailable(CMS_SERVICE, exc.retry_after) from exc
        except (aiohttp.ClientError, TimeoutError, ValidationError) as exc:
            logger.warning("bos.cms_unavailable", url=url, error=repr(exc))
            retry_after = max(self._breaker.retry_after_seconds, _MIN_RETRY_AFTER_SECONDS)
            raise DependencyUnavailable(CMS_SERVICE, retry_after) from exc

    async def _fetch_with_retries(self, url: str, headers: dict[str, str]) -> ClassV1 | None:
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(self._max_attempts),
            wait=wait_exponential_jitter(multiplier=0.1, max=self._backoff_max, jitter=0.1),
            retry=retry_if_exception(_is_connection_failure),
            reraise=True,
        ):
            with attempt:
                return await self._fetch(url, headers)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _fetch(self, url: str, headers: dict[str, str]) -> ClassV1 | None:
        async with self._http.get(url, headers=headers, timeout=self._timeout) as response:
            if response.status == 404:
                code = _error_code(await response.read())
                if code in _UNKNOWN_CLASS_CODES:
                    # An answer, not a failure: returned (not raised) so the breaker counts it
                    # as a success and unknown class ids can never open the circuit.
                    return None
                logger.error("bos.cms_unexpected_404", url=url, status=404, error_code=code)
            elif 400 <= response.status < 500:
                # Our own bug or misconfiguration (key, URL, request): every call fails alike.
                logger.error(
                    "bos.cms_refused_request",
                    url=url,
                    status=response.status,
                    error_code=_error_code(await response.read()),
                )
            elif dependency := unavailable_dependency_in(response.status, await response.read()):
                # CMS is up and says its own dependency is down: not a failure of CMS.
                raise DownstreamDependencyUnavailable(
                    CMS_SERVICE, dependency, retry_after_in(response.headers, 1.0)
                )
            # 4xx as above and 5xx: CMS cannot answer as configured; counted as failures.
            response.raise_for_status()
            return ClassV1.model_validate_json(await response.read())
