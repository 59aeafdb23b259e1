"""Reconnect backoff for aiokafka clients, and a rate limit on their connection-failure lines.

aiokafka (0.14) retries a broker it cannot reach with no delay: while Kafka is down every
client opens a new socket each millisecond or so and logs "Unable connect to node" each time
(~330 lines a second were seen). Besides the noise, that churn of outgoing sockets can take the
broker's own port when the port lies in the ephemeral range, so the broker cannot start again.
Kafka's Java clients wait `reconnect.backoff.ms`, doubling up to `reconnect.backoff.max.ms`
with jitter; `install_reconnect_backoff` gives an aiokafka client the same behaviour.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

CONNECT_FAILURE_PREFIX = "Unable connect to"
AIOKAFKA_LOGGERS = ("aiokafka.client", "aiokafka.conn", "aiokafka.consumer.group_coordinator")


@dataclass
class ReconnectBackoff:
    """Per-node exponential backoff: base * 2**failures, capped, with +/-20% jitter."""

    base_seconds: float = 0.1
    max_seconds: float = 10.0
    jitter: float = 0.2
    clock: Callable[[], float] = time.monotonic
    rng: Callable[[], float] = random.random
    _failures: dict[Any, int] = field(default_factory=dict)
    _not_before: dict[Any, float] = field(default_factory=dict)

    def wait_seconds(self, node: Any) -> float:
        """How long to wait before the next attempt to reach `node` (0 when it may go now)."""
        return max(0.0, self._not_before.get(node, 0.0) - self.clock())

    def failed(self, node: Any) -> float:
        """Record a failed attempt; returns the delay before the next one."""
        failures = self._failures.get(node, 0)
        self._failures[node] = failures + 1
        delay = min(self.max_seconds, self.base_seconds * 2.0**failures)
        delay *= 1 + self.jitter * (2 * self.rng() - 1)
        self._not_before[node] = self.clock() + delay
        return delay

    def succeeded(self, node: Any) -> None:
        """The node answered: the next failure starts from the base delay again."""
        self._failures.pop(node, None)
        self._not_before.pop(node, None)


GetConn = Callable[..., Awaitable[Any]]


def install_reconnect_backoff(client: Any, backoff: ReconnectBackoff | None = None) -> None:
    """Make an AIOKafkaClient wait out its backoff before reconnecting to a failed node.

    Wraps the client's `_get_conn` (the one place aiokafka opens connections to known brokers)
    on the instance, so every caller (fetcher, coordinator, sender, metadata sync) is slowed
    down together instead of spinning.
    """
    policy = backoff or ReconnectBackoff()
    original: GetConn = client._get_conn

    async def _get_conn(node_id: Any, *args: Any, **kwargs: Any) -> Any:
        wait = policy.wait_seconds(node_id)
        if wait > 0:
            await asyncio.sleep(wait)
        conn = await original(node_id, *args, **kwargs)
        if conn is None:
            policy.failed(node_id)
        else:
            policy.succeeded(node_id)
        return conn

    client._get_conn = _get_conn


class ConnectFailureRateLimit(logging.Filter):
    """Lets one "Unable connect to ..." line per node through every `interval` seconds.

    The line that passes after a quiet spell says how many were held back, so the outage
    stays visible without flooding the log.
    """

    def __init__(self, interval_seconds: float = 10.0, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self._interval = interval_seconds
        self._clock = clock
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a repeat within the interval; True (with a held-back count) otherwise."""
        if not str(record.msg).startswith(CONNECT_FAILURE_PREFIX):
            return True
        args = record.args if isinstance(record.args, tuple) else ()
        key = f"{record.msg}|{args[0] if args else ''}"
        now = self._clock()
        if now - self._last.get(key, float("-inf")) < self._interval:
            self._held[key] = self._held.get(key, 0) + 1
            return False
        self._last[key] = now
        held = self._held.pop(key, 0)
        if held:
            record.msg = f"{record.msg} ({held} more in the last %ss held back)"
            record.args = (*args, int(self._interval))
        return True


def rate_limit_connect_failures(interval_seconds: float = 10.0) -> None:
    """Install the rate limit on aiokafka's loggers once per process."""
    for name in AIOKAFKA_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, ConnectFailureRateLimit) for f in target.filters):
            target.addFilter(ConnectFailureRateLimit(interval_seconds))
