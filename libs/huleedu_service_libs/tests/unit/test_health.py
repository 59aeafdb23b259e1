"""run_health_checks and the /healthz report, with fake checks."""

from __future__ import annotations

import asyncio
import time

import pytest

from huleedu_service_libs.observability.health import (
    ConnectionCheckable,
    HealthCheck,
    health_report,
    kafka_check,
    run_health_checks,
    validate_health_checks,
)

pytestmark = pytest.mark.unit


async def _ok() -> None:
    return None


async def _refused() -> None:
    raise ConnectionRefusedError("connection refused")


def _sleeping(seconds: float) -> HealthCheck:
    async def _sleep() -> None:
        await asyncio.sleep(seconds)

    return HealthCheck(name=f"sleep-{seconds}", check=_sleep, timeout=1.0)


class FakeKafkaProducer:
    """Implements the ConnectionCheckable port the Kafka wrapper will implement."""

    def __init__(self, healthy: bool) -> None:
        self.healthy = healthy
        self.calls = 0

    async def check_connection(self) -> None:
        self.calls += 1
        if not self.healthy:
            raise RuntimeError("no brokers available")


class TestRunHealthChecks:
    async def test_all_healthy(self) -> None:
        healthy, report = await run_health_checks(
            [HealthCheck("database", _ok), HealthCheck("redis", _ok)]
        )
        assert healthy is True
        assert set(report) == {"database", "redis"}
        for result in report.values():
            assert result["ok"] is True
            assert isinstance(result["latency_ms"], float)
            assert "error" not in result

    async def test_one_failure_makes_the_service_unhealthy(self) -> None:
        healthy, report = await run_health_checks(
            [HealthCheck("database", _ok), HealthCheck("redis", _refused)]
        )
        assert healthy is False
        assert report["database"]["ok"] is True
        assert report["redis"]["ok"] is False
        assert report["redis"]["error"] == "ConnectionRefusedError: connection refused"

    async def test_timeout_is_a_failure(self) -> None:
        async def _hang() -> None:
            await asyncio.sleep(10)

        started = time.perf_counter()
        healthy, report = await run_health_checks([HealthCheck("kafka", _hang, timeout=0.05)])
        assert time.perf_counter() - started < 1.0
        assert healthy is False
        assert report["kafka"]["error"] == "timed out after 0.05s"

    async def test_checks_run_concurrently(self) -> None:
        started = time.perf_counter()
        healthy, _ = await run_health_checks([_sleeping(0.2), _sleeping(0.21), _sleeping(0.22)])
        elapsed = time.perf_counter() - started
        assert healthy is True
        assert elapsed < 0.5  # sequential would take at least 0.63 s

    async def test_long_error_messages_are_truncated(self) -> None:
        async def _verbose() -> None:
            raise RuntimeError("x" * 1000)

        _, report = await run_health_checks([HealthCheck("db", _verbose)])
        assert len(report["db"]["error"]) == 200

    async def test_no_checks_is_healthy(self) -> None:
        assert await run_health_checks([]) == (True, {})


class TestHealthReport:
    async def test_healthy_body(self) -> None:
        status, body = await health_report("content_service", [HealthCheck("database", _ok)])
        assert status == 200
        assert body["status"] == "ok"
        assert body["service"] == "content_service"
        assert body["checks"]["database"]["ok"] is True

    async def test_unhealthy_body(self) -> None:
        status, body = await health_report(
            "content_service", [HealthCheck("database", _ok), HealthCheck("redis", _refused)]
        )
        assert status == 503
        assert body["status"] == "unhealthy"
        assert body["checks"]["redis"] == {
            "ok": False,
            "latency_ms": body["checks"]["redis"]["latency_ms"],
            "error": "ConnectionRefusedError: connection refused",
        }


class TestKafkaCheck:
    async def test_uses_the_wrappers_check_connection(self) -> None:
        producer = FakeKafkaProducer(healthy=True)
        assert isinstance(producer, ConnectionCheckable)
        check = kafka_check(producer, timeout=0.5)
        assert (check.name, check.timeout) == ("kafka", 0.5)
        healthy, _ = await run_health_checks([check])
        assert healthy is True
        assert producer.calls == 1

    async def test_reports_the_wrappers_failure(self) -> None:
        healthy, report = await run_health_checks([kafka_check(FakeKafkaProducer(False))])
        assert healthy is False
        assert report["kafka"]["error"] == "RuntimeError: no brokers available"


def test_duplicate_names_are_refused() -> None:
    with pytest.raises(ValueError, match=r"duplicate health check names: \['db'\]"):
        validate_health_checks([HealthCheck("db", _ok), HealthCheck("db", _ok)])


def test_default_timeout_is_two_seconds() -> None:
    assert HealthCheck("db", _ok).timeout == 2.0
