"""The gateway during Redis and Kafka outages (private servers the test stops and starts):
/healthz/live stays 200, /healthz/ready answers 503 naming the dependency, REST keeps
serving, a ticket is 503 with Retry-After, and both probes are 200 again after recovery."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from huleedu_testing import random_id
from huleedu_testing.gateway.harness import Gateway, GatewayFactory
from huleedu_testing.kafka_helpers import wait_until
from huleedu_testing.private_kafka import PrivateKafka
from huleedu_testing.private_redis import PrivateRedis

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Reconnects back off for up to 30 s (the notification bridge's restart delay).
RECOVERY_SECONDS = 90.0


async def probe(http: aiohttp.ClientSession, gw: Gateway, path: str) -> tuple[int, Any, Any]:
    async with http.get(f"{gw.url}{path}") as response:
        return response.status, await response.json(), response.headers


async def wait_ready(http: aiohttp.ClientSession, gw: Gateway) -> None:
    async def ready() -> bool:
        return (await probe(http, gw, "/healthz/ready"))[0] == 200

    await wait_until(ready, timeout_seconds=RECOVERY_SECONDS, what="/healthz/ready to be 200")


@pytest.fixture
async def gateway(
    gateway_factory: GatewayFactory,
    http: aiohttp.ClientSession,
    private_redis: PrivateRedis,
    private_kafka: PrivateKafka,
) -> Gateway:
    gw = await gateway_factory(
        redis_url=private_redis.url,
        kafka_bootstrap_servers=private_kafka.bootstrap_servers,
        redis_health_check_interval_seconds=1.0,
        redis_socket_timeout_seconds=1.0,
    )
    await wait_ready(http, gw)
    return gw


async def assert_live(http: aiohttp.ClientSession, gw: Gateway) -> None:
    status, body, _ = await probe(http, gw, "/healthz/live")
    assert status == 200, body
    assert body["status"] == "live"


async def test_redis_outage(
    gateway: Gateway, http: aiohttp.ClientSession, private_redis: PrivateRedis
) -> None:
    teacher = random_id()
    await asyncio.to_thread(private_redis.stop)

    await assert_live(http, gateway)
    status, body, headers = await probe(http, gateway, "/healthz/ready")
    assert status == 503, body
    assert body["status"] == "unready"
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["redis"]["error"]
    assert body["checks"]["kafka"]["ok"] is True
    assert int(headers["Retry-After"]) >= 1
    assert (await probe(http, gateway, "/healthz"))[0] == 503  # /healthz is /healthz/ready

    async with http.post(f"{gateway.url}/v1/ws-tickets", headers=gateway.auth(teacher)) as r:
        ticket_status, ticket, ticket_headers = r.status, await r.json(), r.headers
    assert ticket_status == 503, ticket
    assert ticket["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert ticket["error"]["details"]["dependency"] == "redis"
    assert int(ticket_headers["Retry-After"]) >= 1

    # REST needs no Redis: reads still reach the downstream.
    async with http.get(f"{gateway.url}/v1/batches", headers=gateway.auth(teacher)) as r:
        assert r.status == 200, await r.text()

    await asyncio.to_thread(private_redis.start)
    await wait_ready(http, gateway)
    await assert_live(http, gateway)
    async with http.post(f"{gateway.url}/v1/ws-tickets", headers=gateway.auth(teacher)) as r:
        assert r.status == 201, await r.text()


async def test_kafka_outage(
    gateway: Gateway, http: aiohttp.ClientSession, private_kafka: PrivateKafka
) -> None:
    teacher = random_id()
    await asyncio.to_thread(private_kafka.stop)

    await assert_live(http, gateway)
    status, body, _ = await probe(http, gateway, "/healthz/ready")
    assert status == 503, body
    assert body["checks"]["kafka"]["ok"] is False
    assert body["checks"]["redis"]["ok"] is True
    async with http.get(f"{gateway.url}/v1/batches", headers=gateway.auth(teacher)) as r:
        assert r.status == 200, await r.text()

    await asyncio.to_thread(private_kafka.start)
    await wait_ready(http, gateway)
    await assert_live(http, gateway)
