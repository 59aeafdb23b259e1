"""run_health_checks and the liveness/readiness probes, with fake checks."""

from __future__ import annotations

import asyncio
import time

import pytest

from huleedu_service_libs.observability import EventLoopMonitor, Probes
from huleedu_service_libs.observability.health import (
    ConnectionCheckable,
    HealthCheck,
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


class TestReadiness:
    async def test_ready_body(self) -> None:
        answer = await Probes(
            "content_service", readiness_checks=[HealthCheck("postgres", _ok)]
        ).ready()
        assert answer.status == 200
        assert answer.body["status"] == "ready"
        assert answer.body["service"] == "content_service"
        assert answer.body["checks"]["postgres"]["ok"] is True
        assert answer.headers == {}

    async def test_unready_body_names_the_failed_dependency_and_why(self) -> None:
        probes = Probes(
            "content_service",
            readiness_checks=[HealthCheck("postgres", _refused), HealthCheck("kafka", _ok)],
        )
        answer = await probes.ready()
        assert answer.status == 503
        assert answer.body["status"] == "unready"
        assert answer.body["checks"]["postgres"] == {
            "ok": False,
            "latency_ms": answer.body["checks"]["postgres"]["latency_ms"],
            "error": "ConnectionRefusedError: connection refused",
        }
        assert answer.body["checks"]["kafka"]["ok"] is True
        assert answer.headers == {"Retry-After": "5"}


class TestLiveness:
    async def test_a_dependency_outage_leaves_live_alone(self) -> None:
        probes = Probes("bos", readiness_checks=[HealthCheck("postgres", _refused)])
        await probes.monitor.start()
        try:
            live = await probes.live()
        finally:
            await probes.monitor.stop()
        assert live.status == 200, live.body
        assert live.body["status"] == "live"
        assert set(live.body["checks"]) == {"event_loop"}
        assert live.body["checks"]["event_loop"]["lag_ms"] >= 0

    async def test_a_dead_background_loop_fails_live(self) -> None:
        async def _dead() -> None:
            raise RuntimeError("consumer supervisor ended")

        probes = Probes("worker", liveness_checks=[HealthCheck("worker_loops", _dead)])
        await probes.monitor.start()
        try:
            live = await probes.live()
        finally:
            await probes.monitor.stop()
        assert live.status == 503
        assert live.body["status"] == "not_live"
        assert live.body["checks"]["worker_loops"]["error"] == (
            "RuntimeError: consumer supervisor ended"
        )
        assert live.body["checks"]["event_loop"]["ok"] is True

    async def test_live_fails_while_the_loop_monitor_is_not_running(self) -> None:
        live = await Probes("gateway", monitor=EventLoopMonitor("gateway")).live()
        assert live.status == 503
        assert "not running" in live.body["checks"]["event_loop"]["error"]

    def test_one_name_may_be_in_both_lists_but_not_twice_in_one(self) -> None:
        Probes(
            "worker",
            liveness_checks=[HealthCheck("worker_loops", _ok)],
            readiness_checks=[HealthCheck("worker_loops", _ok)],
        )
        with pytest.raises(ValueError, match="duplicate"):
            Probes("worker", readiness_checks=[HealthCheck("db", _ok), HealthCheck("db", _ok)])

    async def test_a_check_may_add_fields_to_its_result(self) -> None:
        async def _with_lag() -> dict[str, float]:
            return {"lag_ms": 1.5}

        _, report = await run_health_checks([HealthCheck("event_loop", _with_lag)])
        assert report["event_loop"]["lag_ms"] == 1.5
        assert report["event_loop"]["ok"] is True


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
