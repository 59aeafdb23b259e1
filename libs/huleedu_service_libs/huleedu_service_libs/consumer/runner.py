"""The inbox rule in one place: claim the event, skip a duplicate, run the step, write its
events to the outbox, commit. The consumer runner commits the Kafka offset afterwards."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

import structlog

from common_core.envelope import EventEnvelope
from huleedu_service_libs.consumer.clock import Clock, utc_now
from huleedu_service_libs.consumer.context import StepContext
from huleedu_service_libs.consumer.events import EventFactory, Outgoing
from huleedu_service_libs.consumer.ports import ClaimsMany, UnitOfWork
from huleedu_service_libs.delivery import mark_duplicate

__all__ = [
    "EnvelopeHandler",
    "EventItem",
    "ManyStep",
    "OnCommitted",
    "RunHandler",
    "Step",
    "StepRunner",
]

logger = structlog.get_logger(__name__)

U = TypeVar("U", bound=UnitOfWork)
F = TypeVar("F", bound=EventFactory)
T = TypeVar("T")

Step = Callable[[U, T, StepContext[F]], Awaitable[Sequence[Outgoing]]]
"""A use case for one event: reads and writes through the unit of work, returns its events."""
EnvelopeHandler = Callable[[EventEnvelope[Any]], Awaitable[None]]
RunHandler = Callable[[Sequence[EventEnvelope[Any]]], Awaitable[None]]
"""Handles a run of envelopes together (`EventDispatcher.register(..., many=...)`)."""
OnCommitted = Callable[[StepContext[F], Sequence[Outgoing]], None]
"""Called after the commit with the step's context and events (metrics, never effects)."""


@dataclass(frozen=True)
class EventItem(Generic[T, F]):
    """One event of a run handed to a many-event step, with its own context."""

    event: T
    ctx: StepContext[F]


ManyStep = Callable[[U, Sequence[EventItem[T, F]]], Awaitable[Sequence[Outgoing]]]
"""A use case for a run of events in one unit of work: the same rules as its one-event step."""


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
            context = self._context(envelope)
            outgoing = list(await step(uow, envelope.data, context))
            if outgoing:
                await uow.add_events(outgoing)
            await uow.commit()
        if self._on_committed is not None:
            self._on_committed(context, outgoing)
        return True

    async def run_many(
        self, envelopes: Sequence[EventEnvelope[Any]], step: ManyStep[U, Any, F]
    ) -> int:
        """Apply `step` once to the envelopes not handled before, all in one unit of work.

        Every event id is claimed in the one transaction (a redelivered id, or one repeated in
        the run, is skipped and marked as a duplicate); the step gets the rest in delivery
        order and the transaction commits inbox rows, effects and outbox rows together.
        Returns how many events the step applied. `on_committed` runs once per applied event,
        the run's outgoing events handed over with the last one.
        """
        async with self._uow_factory() as uow:
            fresh = await self._claim_all(uow, envelopes)
            if not fresh:
                return 0
            items = [EventItem(envelope.data, self._context(envelope)) for envelope in fresh]
            outgoing = list(await step(uow, items))
            if outgoing:
                await uow.add_events(outgoing)
            await uow.commit()
        if self._on_committed is not None:
            for item in items[:-1]:
                self._on_committed(item.ctx, [])
            self._on_committed(items[-1].ctx, outgoing)
        return len(items)

    async def _claim_all(
        self, uow: U, envelopes: Sequence[EventEnvelope[Any]]
    ) -> list[EventEnvelope[Any]]:
        unique: dict[UUID, EventEnvelope[Any]] = {}
        for envelope in envelopes:
            unique.setdefault(envelope.event_id, envelope)
        if isinstance(uow, ClaimsMany):
            pairs = [(event_id, e.event_type) for event_id, e in unique.items()]
            claimed = await uow.claim_many(consumer=self._consumer, events=pairs)
        else:
            # One by one in id order: overlapping runs take the inbox rows in the same order.
            claimed = {
                event_id
                for event_id in sorted(unique)
                if await uow.claim(
                    consumer=self._consumer,
                    event_id=event_id,
                    event_type=unique[event_id].event_type,
                )
            }
        fresh = [e for event_id, e in unique.items() if event_id in claimed]
        for _ in range(len(envelopes) - len(fresh)):
            mark_duplicate()
        if len(fresh) < len(envelopes):
            logger.info(
                "consumer.events_already_handled",
                consumer=self._consumer,
                skipped=len(envelopes) - len(fresh),
                run=len(envelopes),
            )
        return fresh

    def _context(self, envelope: EventEnvelope[Any]) -> StepContext[F]:
        return StepContext(
            events=self._events(self._source, envelope.correlation_id),
            now=self._clock(),
            event_at=envelope.event_timestamp,
            event_id=envelope.event_id,
        )

    def handler(self, step: Step[U, Any, F]) -> EnvelopeHandler:
        """An envelope handler for `EventDispatcher.register` that runs `step` once per event."""

        async def handle(envelope: EventEnvelope[Any]) -> None:
            await self.run(envelope, step)

        return handle

    def many_handler(self, step: ManyStep[U, Any, F]) -> RunHandler:
        """A run handler for `EventDispatcher.register(..., many=)`: `step` once per run."""

        async def handle(envelopes: Sequence[EventEnvelope[Any]]) -> None:
            await self.run_many(envelopes, step)

        return handle
