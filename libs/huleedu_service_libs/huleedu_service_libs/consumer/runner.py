"""The inbox rule in one place: claim the event, skip a duplicate, run the step, write its
events to the outbox, commit. The consumer runner commits the Kafka offset afterwards."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import structlog

from common_core.envelope import EventEnvelope
from huleedu_service_libs.consumer.clock import Clock, utc_now
from huleedu_service_libs.consumer.context import StepContext
from huleedu_service_libs.consumer.events import EventFactory, Outgoing
from huleedu_service_libs.consumer.ports import UnitOfWork
from huleedu_service_libs.delivery import mark_duplicate

__all__ = ["EnvelopeHandler", "OnCommitted", "Step", "StepRunner"]

logger = structlog.get_logger(__name__)

U = TypeVar("U", bound=UnitOfWork)
F = TypeVar("F", bound=EventFactory)
T = TypeVar("T")

Step = Callable[[U, T, StepContext[F]], Awaitable[Sequence[Outgoing]]]
"""A use case for one event: reads and writes through the unit of work, returns its events."""
EnvelopeHandler = Callable[[EventEnvelope[Any]], Awaitable[None]]
OnCommitted = Callable[[StepContext[F], Sequence[Outgoing]], None]
"""Called after the commit with the step's context and events (metrics, never effects)."""


class StepRunner(Generic[U, F]):
    """Runs steps once per (consumer, event id), each in its own unit of work.

    Errors propagate unchanged: the unit of work rolls back the inbox row, the effects and the
    outbox rows together, and `KafkaConsumerRunner` applies its retry policy (transient errors
    retried for a time budget, others a few times, then the DLQ) before committing the offset.
    """

    def __init__(
        self,
        uow_factory: Callable[[], U],
        *,
        consumer: str,
        source_service: str,
        events: Callable[[str, str], F],
        clock: Clock = utc_now,
        on_committed: OnCommitted[F] | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._consumer = consumer
        self._source = source_service
        self._events = events
        self._clock = clock
        self._on_committed = on_committed

    @property
    def consumer(self) -> str:
        """The inbox's consumer name (one per service, or per use case where they differ)."""
        return self._consumer

    async def run(self, envelope: EventEnvelope[Any], step: Step[U, Any, F]) -> bool:
        """Apply `step` to the envelope once; False (nothing changed) if it was handled before."""
        async with self._uow_factory() as uow:
            # First in the transaction: a concurrent redelivery waits on this row and then
            # finds it taken, so only one of them runs the step.
            claimed = await uow.claim(
                consumer=self._consumer,
                event_id=envelope.event_id,
                event_type=envelope.event_type,
            )
            if not claimed:
                # Counted by the consumer runner as huleedu_kafka_messages_total{outcome=duplicate}.
                mark_duplicate()
                logger.info(
                    "consumer.event_already_handled",
                    consumer=self._consumer,
                    event_id=str(envelope.event_id),
                    event_type=envelope.event_type,
                )
                return False
            context = StepContext(
                events=self._events(self._source, envelope.correlation_id),
                now=self._clock(),
                event_at=envelope.event_timestamp,
                event_id=envelope.event_id,
            )
            outgoing = list(await step(uow, envelope.data, context))
            if outgoing:
                await uow.add_events(outgoing)
            await uow.commit()
        if self._on_committed is not None:
            self._on_committed(context, outgoing)
        return True

    def handler(self, step: Step[U, Any, F]) -> EnvelopeHandler:
        """An envelope handler for `EventDispatcher.register` that runs `step` once per event."""

        async def handle(envelope: EventEnvelope[Any]) -> None:
            await self.run(envelope, step)

        return handle
