"""Runs one consumed event's step exactly once: inbox claim, view rows and outbox in one commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import structlog

from common_core.envelope import EventEnvelope
from common_core.internal_api import BatchPipelineStateV1
from result_aggregator_service.domain.notifications import Notices, Outgoing
from result_aggregator_service.domain.ports import BatchOrchestrator, UnitOfWork
from result_aggregator_service.metrics import EVENTS_APPLIED, EVENTS_DUPLICATE, NOTIFICATIONS

logger = structlog.get_logger(__name__)

T = TypeVar("T")
Clock = Callable[[], datetime]
UnitOfWorkFactory = Callable[[], UnitOfWork]


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class StepContext:
    """What a step needs besides its event."""

    event_at: datetime
    now: datetime
    notices: Notices
    # BOS's pipeline state fetched before the transaction (None: BOS does not know the batch).
    pipeline_state: BatchPipelineStateV1 | None = None


Step = Callable[[UnitOfWork, T, StepContext], Awaitable[list[Outgoing]]]
EnvelopeHandler = Callable[[EventEnvelope[Any]], Awaitable[None]]


class EventHandling:
    """Wraps steps into envelope handlers: claim, lock the batch, apply, write outbox, commit."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        bos: BatchOrchestrator,
        *,
        source_service: str,
        consumer: str,
        clock: Clock = utc_now,
    ) -> None:
        self._uow_factory = uow_factory
        self._bos = bos
        self._source = source_service
        self._consumer = consumer
        self._clock = clock

    def handler(self, step: Step[Any], *, ask_bos: bool = False) -> EnvelopeHandler:
        """An envelope handler running `step` once per event id (BOS asked first if told)."""

        async def handle(envelope: EventEnvelope[Any]) -> None:
            batch_id: str = envelope.data.batch_id
            state = None
            if ask_bos:
                # Outside the transaction: retries must not hold a connection and the batch
                # lock. BosUnavailable is transient, so the runner retries the message later.
                state = await self._bos.pipeline_state(batch_id)
                if state is None:
                    logger.warning(
                        "ras.bos_batch_unknown",
                        batch_id=batch_id,
                        event_type=envelope.event_type,
                    )
            async with self._uow_factory() as uow:
                claimed = await uow.claim_event(
                    self._consumer, envelope.event_id, envelope.event_type
                )
                if not claimed:
                    EVENTS_DUPLICATE.labels(envelope.event_type).inc()
                    logger.info(
                        "ras.event_already_handled",
                        event_id=str(envelope.event_id),
                        event_type=envelope.event_type,
                    )
                    return
                await uow.batches.lock(batch_id)
                context = StepContext(
                    event_at=envelope.event_timestamp,
                    now=self._clock(),
                    notices=Notices(self._source, envelope.correlation_id),
                    pipeline_state=state,
                )
                outgoing = await step(uow, envelope.data, context)
                await uow.add_events(outgoing)
                await uow.commit()
            EVENTS_APPLIED.labels(envelope.event_type).inc()
            for event, _key in outgoing:
                NOTIFICATIONS.labels(event.data.notification_type).inc()

        return handle
