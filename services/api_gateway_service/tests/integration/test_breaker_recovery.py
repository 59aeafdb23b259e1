"""A downstream that went down and came back: with the default settings the gateway lets
traffic through again within seconds of its return, not after a long reset timeout.

Real sockets (a stopped port, then a server on it); the breaker's clock is the test's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiohttp import web

from api_gateway_service.adapters.downstream import Caller, DownstreamClient
from api_gateway_service.adapters.errors import NotADownstreamFailure
from api_gateway_service.config import GatewaySettings
from huleedu_service_libs.errors import HuleEduError
from huleedu_service_libs.resilience import AsyncCircuitBreaker
from huleedu_testing import random_name
from huleedu_testing.servers import LOOPBACK, free_port_below_ephemeral

pytestmark = pytest.mark.integration

CALLER = Caller(user_id="teacher-1", correlation_id="0b7f0b5e-3f7a-4d0e-9a51-0c3c7b1f0002")
# How soon after a downstream's return its traffic must flow again.
RECOVERY_BOUND_SECONDS = 5.0


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def downstream_on(port: int, seen: list[str]) -> AsyncIterator[None]:
    """A downstream answering 200 on `port` for the block."""

    async def answer(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.json_response({"items": []})

    app = web.Application()
    app.router.add_get("/internal/v1/results", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, LOOPBACK, port).start()
    try:
        yield
    finally:
        await runner.cleanup()


def _reason(caught: pytest.ExceptionInfo[HuleEduError]) -> str:
    return str(caught.value.details["reason"])


async def test_first_call_after_the_reset_timeout_reaches_the_returned_downstream() -> None:
    settings = GatewaySettings()
    clock = FakeClock()
    breaker = AsyncCircuitBreaker(
        random_name("gateway-recovery"),
        fail_max=settings.breaker_fail_max,
        reset_timeout=settings.breaker_reset_seconds,
        excluded_exceptions=(NotADownstreamFailure,),
        clock=clock,
    )
    port = free_port_below_ephemeral()
    seen: list[str] = []
    async with aiohttp.ClientSession() as session:
        client = DownstreamClient(
            "result_aggregator_service",
            f"http://{LOOPBACK}:{port}",
            session,
            internal_api_key="internal-key",
            timeout_seconds=2.0,
            breaker=breaker,
        )
        for _ in range(settings.breaker_fail_max):
            with pytest.raises(HuleEduError) as down:
                await client.get("/internal/v1/results", CALLER)
            assert _reason(down) == "unreachable"
        assert breaker.state == "open"

        async with downstream_on(port, seen):
            # Back, but the circuit has not tried it yet: refused without a call.
            with pytest.raises(HuleEduError) as refused:
                await client.get("/internal/v1/results", CALLER)
            assert _reason(refused) == "circuit_open"
            assert 1 <= int(refused.value.headers["Retry-After"]) <= RECOVERY_BOUND_SECONDS
            assert seen == []

            clock.now += RECOVERY_BOUND_SECONDS
            answer = await client.get("/internal/v1/results", CALLER)
            assert answer.status == 200
            assert breaker.state == "closed"
            assert (await client.get("/internal/v1/results", CALLER)).status == 200
        assert len(seen) == 2
