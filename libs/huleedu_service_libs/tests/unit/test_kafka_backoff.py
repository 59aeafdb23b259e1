"""Reconnect backoff for aiokafka clients and the rate limit on their failure lines."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from huleedu_service_libs.kafka.backoff import (
    ConnectFailureRateLimit,
    ReconnectBackoff,
    install_reconnect_backoff,
)

pytestmark = pytest.mark.unit


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_delays_double_up_to_the_cap_and_reset_on_success() -> None:
    clock = FakeClock()
    backoff = ReconnectBackoff(base_seconds=0.1, max_seconds=1.0, clock=clock, rng=lambda: 0.5)

    delays = [round(backoff.failed("node-1"), 3) for _ in range(6)]

    assert delays == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    assert backoff.wait_seconds("node-1") == pytest.approx(1.0)
    assert backoff.wait_seconds("node-2") == 0.0, "nodes back off independently"
    backoff.succeeded("node-1")
    assert backoff.wait_seconds("node-1") == 0.0
    assert backoff.failed("node-1") == pytest.approx(0.1)


def test_jitter_stays_within_twenty_percent() -> None:
    low = ReconnectBackoff(base_seconds=1.0, clock=FakeClock(), rng=lambda: 0.0)
    high = ReconnectBackoff(base_seconds=1.0, clock=FakeClock(), rng=lambda: 0.999999)

    assert low.failed("n") == pytest.approx(0.8)
    assert high.failed("n") == pytest.approx(1.2, abs=1e-4)


class FakeClient:
    """An AIOKafkaClient's `_get_conn`: fails `failures` times, then connects."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    async def _get_conn(self, node_id: Any, *, group: int = 0, no_hint: bool = False) -> Any:
        self.calls += 1
        if self.calls <= self.failures:
            return None
        return f"conn-{node_id}-{group}"


async def test_installed_backoff_waits_between_failed_attempts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("huleedu_service_libs.kafka.backoff.asyncio.sleep", fake_sleep)
    clock = FakeClock()
    client = FakeClient(failures=3)
    backoff = ReconnectBackoff(base_seconds=0.1, max_seconds=5.0, clock=clock, rng=lambda: 0.5)
    install_reconnect_backoff(client, backoff)

    results = [await client._get_conn(1, group=0) for _ in range(4)]

    assert results == [None, None, None, "conn-1-0"]
    assert slept == pytest.approx([0.1, 0.2, 0.4]), "no attempt without its wait"
    assert backoff.wait_seconds(1) == 0.0, "a success clears the backoff"


def record(msg: str, *args: Any) -> logging.LogRecord:
    return logging.LogRecord("aiokafka.client", logging.ERROR, __file__, 1, msg, args, None)


def test_connect_failure_lines_are_rate_limited_per_node_and_count_what_was_held() -> None:
    clock = FakeClock()
    limit = ConnectFailureRateLimit(interval_seconds=10.0, clock=clock)
    template = "Unable connect to node with id %s: %s"

    passed = [limit.filter(record(template, 1, "refused")) for _ in range(330)]
    assert passed.count(True) == 1
    assert limit.filter(record(template, 2, "refused")), "another node has its own allowance"
    assert limit.filter(record("Heartbeat failed for group %s", "g")), "other lines pass"

    clock.now += 10.0
    later = record(template, 1, "refused")
    assert limit.filter(later)
    assert "329 more" in later.getMessage()
