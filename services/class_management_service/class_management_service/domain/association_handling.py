"""Runs one consumed event's step exactly once: inbox claim, rows and outbox in one commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import structlog

from class_management_service.association_metrics import (
    EVENTS_APPLIED,
    EVENTS_DUPLICATE,
    count_committed,
)
from class_management_service.domain.association_events import AssociationEvents
from class_management_service.domain.association_ports import (
    AssociationUnitOfWork,
    AssociationUowFactory,
    Clock,
    Outgoing,
)
from common_core.envelope import EventEnvelope

logger = structlog.get_logger(__name__)

T = TypeVar("T")
Step = Callable[[AssociationUnitOfWork, T, AssociationEvents, datetime], Awaitable[list[Outgoing]]]
EnvelopeHandler = Callable[[EventEnvelope[Any]], Awaitable[None]]


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


class AssociationHandling:
    """Wraps steps into envelope handlers: claim, apply, write the outbox, commit."""

    def __init__(
        self,
        uow_factory: AssociationUowFactory,
        *,
        source_service: str,
        consumer: str,
        clock: Clock = utc_now,
    ) -> None:
        self._uow_factory = uow_factory
        self._source = source_service
        self._consumer = consumer
        self._clock = clock

    def handler(self, step: Step[Any]) -> EnvelopeHandler:
        """An envelope handler running `step` once per event id."""

        async def handle(envelope: EventEnvelope[Any]) -> None:
            async with self._uow_factory() as uow:
                claimed = await uow.claim_event(
                    self._consumer, envelope.event_id, envelope.event_type
                )
                if not claimed:
                    EVENTS_DUPLICATE.labels(envelope.event_type).inc()
                    logger.info(
                        "cms.event_already_handled",
                        event_id=str(envelope.event_id),
                        event_type=envelope.event_type,
                    )
                    return
                events = AssociationEvents(self._source, envelope.correlation_id)
                outgoing = await step(uow, envelope.data, events, self._clock())
                if outgoing:
                    await uow.add_events(outgoing)
                await uow.commit()
            EVENTS_APPLIED.labels(envelope.event_type).inc()
            count_committed(outgoing)

        return handle
