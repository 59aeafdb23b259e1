"""How long the relay waits between passes while Kafka or the database is away.

No Kafka and no PostgreSQL: the producer and engine are fakes that fail like an outage, and the
relay's wait records the delay instead of sleeping (LISTEN and the metrics export are off).
"""

from __future__ import annotations

import asyncio
from typing import cast

import pytest
from aiokafka.errors import KafkaConnectionError
from sqlalchemy.ext.asyncio import AsyncEngine

from huleedu_service_libs.kafka.producer import KafkaEventProducer
from huleedu_service_libs.outbox import OutboxRelay, RelayConfig

pytestmark = pytest.mark.unit

PASSES = 8


class UnreachableProducer:
    """A producer whose broker never answers."""

    started = False

    async def start(self) -> None:
        raise KafkaConnectionError("no broker")


class StartedProducer:
    """A producer that is connected (the outage is the database's)."""

    started = True


class UnreachableEngine:
    """An engine whose database refuses every connection."""

    async def connect(self) -> None:
        raise ConnectionRefusedError("database down")


class RecordingRelay(OutboxRelay):
    """Records each wait instead of sleeping, and stops after PASSES of them."""

    def __init__(self, producer: object, engine: object, config: RelayConfig) -> None:
        super().__init__(
            cast(AsyncEngine, engine),
            cast(KafkaEventProducer, producer),
            service_name="relay-backoff-unit",
            config=config,
        )
        self.waits: list[float] = []

    async def _ensure_listening(self) -> None:
        return None

    async def _export_metrics_forever(self) -> None:
        await asyncio.Event().wait()

    async def _sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        if len(self.waits) >= PASSES:
            self.request_stop()


async def waits_during_kafka_outage(config: RelayConfig) -> list[float]:
    relay = RecordingRelay(UnreachableProducer(), UnreachableEngine(), config)
    await asyncio.wait_for(relay.run(), timeout=5)
    return relay.waits


async def test_by_default_an_outage_backs_off_from_half_a_second_to_ten() -> None:
    waits = await waits_during_kafka_outage(RelayConfig())

    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]


async def test_backoff_max_seconds_caps_the_wait_during_an_outage() -> None:
    waits = await waits_during_kafka_outage(
        RelayConfig(backoff_initial_seconds=0.25, backoff_max_seconds=1.5)
    )

    assert waits == [0.25, 0.5, 1.0, 1.5, 1.5, 1.5, 1.5, 1.5]


async def test_outage_backoff_max_seconds_caps_a_database_outage_too() -> None:
    relay = RecordingRelay(
        StartedProducer(), UnreachableEngine(), RelayConfig(outage_backoff_max_seconds=3.0)
    )

    await asyncio.wait_for(relay.run(), timeout=5)

    assert relay.waits == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0, 3.0, 3.0]
