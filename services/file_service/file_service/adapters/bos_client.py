"""BatchAccess over BOS's internal pipeline-state API, through a circuit breaker."""

from __future__ import annotations

import aiohttp

from common_core.internal_api import BatchPipelineStateV1
from file_service.domain.ports import (
    BatchNotAcceptingFiles,
    BatchNotFound,
    DependencyUnavailable,
)
from huleedu_service_libs.correlation import outgoing_headers
from huleedu_service_libs.resilience import (
    AsyncCircuitBreaker,
    CircuitOpenError,
    DownstreamDependencyUnavailable,
    retry_after_in,
    unavailable_dependency_in,
)

BOS = "batch_orchestrator_service"


class BosBatchAccess:
    """Asks BOS whether the batch is the user's (reads) and still accepts files (changes)."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        base_url: str,
        internal_api_key: str,
        timeout_seconds: float,
        breaker: AsyncCircuitBreaker,
        enabled: bool = True,
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._key = internal_api_key
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._breaker = breaker
        self._enabled = enabled

    async def check(self, batch_id: str, user_id: str) -> BatchPipelineStateV1 | None:
        """The state of a batch whose files may change; BatchNotAcceptingFiles once closed."""
        state = await self.check_owner(batch_id, user_id)
        if state is not None and not state.accepts_files:
            raise BatchNotAcceptingFiles(batch_id)
        return state

    async def check_owner(self, batch_id: str, user_id: str) -> BatchPipelineStateV1 | None:
        """The batch's state in any status; BatchNotFound for missing or foreign batches."""
        if not self._enabled:
            return None
        try:
            state = await self._breaker.call(self._fetch, batch_id)
        except CircuitOpenError as exc:
            raise DependencyUnavailable(BOS, exc.retry_after) from exc
        except DownstreamDependencyUnavailable as exc:
            raise DependencyUnavailable(BOS, exc.retry_after) from exc
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise DependencyUnavailable(BOS, max(self._breaker.retry_after_seconds, 1.0)) from exc
        # Someone else's batch looks exactly like a batch that does not exist.
        if state is None or state.user_id != user_id:
            raise BatchNotFound(batch_id)
        return state

    async def _fetch(self, batch_id: str) -> BatchPipelineStateV1 | None:
        # A 404 is an answer, not a failure: returned (not raised) so the breaker counts
        # it as a success and unknown batch ids can never open the circuit.
        url = f"{self._base_url}/internal/v1/batches/{batch_id}/pipeline-state"
        headers = {**outgoing_headers(), "X-Internal-API-Key": self._key}
        async with self._http.get(url, headers=headers, timeout=self._timeout) as response:
            if response.status == 404:
                return None
            dependency = unavailable_dependency_in(response.status, await response.read())
            if dependency is not None:
                # BOS is up and says its own dependency is down: not a failure of BOS.
                raise DownstreamDependencyUnavailable(
                    BOS, dependency, retry_after_in(response.headers, 1.0)
                )
            response.raise_for_status()
            return BatchPipelineStateV1.model_validate_json(await response.read())
