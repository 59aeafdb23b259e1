"""Gauges refreshed in the background: the loop itself, dependency_up, statement labels."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import REGISTRY

from huleedu_service_libs.db.metrics import statement_operation
from huleedu_service_libs.observability import HealthCheck, Probes
from huleedu_service_libs.observability.refresh import refresh_every
from huleedu_testing.kafka_helpers import wait_until
from huleedu_testing.random_refs import random_name

pytestmark = pytest.mark.unit


async def test_a_failing_refresh_never_ends_the_loop() -> None:
    calls: list[int] = []
    stopping = asyncio.Event()

    async def refresh() -> None:
        calls.append(1)
        if len(calls) <= 2:
            raise ConnectionError("broker away")
        if len(calls) == 4:
            stopping.set()

    async with asyncio.timeout(5):
        await refresh_every("test", 0.01, refresh, stopping)
    assert len(calls) == 4


class Switch:
    """A dependency that is up or down as the test says."""

    def __init__(self) -> None:
        self.up = True

    async def check(self) -> None:
        if not self.up:
            raise ConnectionError("down")


def dependency_up(service: str, dependency: str) -> float | None:
    labels = {"service": service, "dependency": dependency}
    return REGISTRY.get_sample_value("huleedu_dependency_up", labels)


async def test_dependency_up_follows_the_readiness_checks_while_started() -> None:
    service = random_name("svc")
    redis, kafka = Switch(), Switch()
    probes = Probes(
        service,
        readiness_checks=[HealthCheck("redis", redis.check), HealthCheck("kafka", kafka.check)],
        dependency_refresh_seconds=0.01,
    )
    await probes.start()
    try:
        await wait_until(lambda: dependency_up(service, "redis") == 1, what="redis up")
        assert dependency_up(service, "kafka") == 1
        kafka.up = False
        await wait_until(lambda: dependency_up(service, "kafka") == 0, what="kafka down")
        assert dependency_up(service, "redis") == 1
        kafka.up = True
        await wait_until(lambda: dependency_up(service, "kafka") == 1, what="kafka back")
    finally:
        await probes.stop()


async def test_a_readiness_probe_updates_the_gauges_too() -> None:
    service = random_name("svc")
    down = Switch()
    down.up = False
    probes = Probes(service, readiness_checks=[HealthCheck("postgres", down.check)])
    answer = await probes.ready()
    assert answer.status == 503
    assert dependency_up(service, "postgres") == 0


@pytest.mark.parametrize(
    ("statement", "operation"),
    [
        ("SELECT 1", "select"),
        ("  insert into event_outbox (topic) VALUES ($1)", "insert"),
        ("UPDATE batches SET status=$1", "update"),
        ("DELETE FROM event_outbox WHERE id = any($1)", "delete"),
        ("(SELECT 1) UNION (SELECT 2)", "select"),
        ("WITH x AS (SELECT 1) SELECT * FROM x", "other"),
        ("BEGIN", "other"),
        ("", "other"),
    ],
)
def test_statements_are_labelled_by_their_operation(statement: str, operation: str) -> None:
    assert statement_operation(statement) == operation
