"""Runs one consumed event's step exactly once: inbox claim, effects and outbox in one commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import structlog

from common_core.envelope import EventEnvelope
from essay_lifecycle_service.domain.events import EventFactory
from essay_lifecycle_service.domain.observations import Observation, Recorder, ignore
from essay_lifecycle_service.domain.ports import UnitOfWork

logger = structlog.get_logger(__name__)

T = TypeVar("T")
Clock = Callable[[], datetime]
UnitOfWorkFactory = Callable[[], UnitOfWork]


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class StepContext:
    """What a step needs besides its event: an event factory and the current time; what it
    observed for operators is collected here and recorded after the commit."""

    events: EventFactory
    now: datetime
    observations: list[Observation] = field(default_factory=list)


Step = Callable[[UnitOfWork, T, StepContext], Awaitable[None]]
EnvelopeHandler = Callable[[EventEnvelope[Any]], Awaitable[None]]


class EventHandling:
    """Wraps steps into envelope handlers that claim the event first in their transaction."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        *,
        source_service: str,
        consumer: str,
        clock: Clock = utc_now,
        record: Recorder = ignore,
    ) -> None:
        self._uow_factory = uow_factory
        self._source = source_service
        self._consumer = consumer
        self._clock = clock
        self._record = record

    def handler(self, step: Step[Any]) -> EnvelopeHandler:
        """An envelope handler running `step` once per event id."""

        async def handle(envelope: EventEnvelope[Any]) -> None:
            async with self._uow_factory() as uow:
                claimed = await uow.claim_event(
                    self._consumer, envelope.event_id, envelope.event_type
                )
                if not claimed:
                    logger.info(
                        "els.event_already_handled",
                        event_id=str(envelope.event_id),
                        event_type=envelope.event_type,
                    )
                    return
                context = StepContext(
                    EventFactory(self._source, envelope.correlation_id), self._clock()
                )
                await step(uow, envelope.data, context)
                await uow.commit()
            self._record(context.observations)

        return handle
