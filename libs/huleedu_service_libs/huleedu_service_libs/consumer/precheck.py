"""The cheap inbox look before expensive work done outside the transaction (a text check).

A worker that fetches and checks a text before its StepRunner transaction asks the inbox
first, so a redelivery is recognised before it is redone; the claim inside the transaction
stays the guard against two deliveries racing past this look.
"""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

import structlog

from common_core.envelope import EventEnvelope
from huleedu_service_libs.delivery import mark_duplicate

__all__ = ["HandledEvents", "handled_before"]

logger = structlog.get_logger(__name__)


class HandledEvents(Protocol):
    """A look at the inbox outside any transaction (`huleedu_service_libs.inbox.InboxReader`)."""

    async def handled(self, *, consumer: str, event_id: UUID) -> bool:
        """True when `consumer` has committed its handling of the event."""
        ...


async def handled_before(
    inbox: HandledEvents, *, consumer: str, envelope: EventEnvelope[Any]
) -> bool:
    """True (logged, and counted by the consumer runner as a duplicate) when `consumer`
    already committed the event; False when the work should be done."""
    if not await inbox.handled(consumer=consumer, event_id=envelope.event_id):
        return False
    mark_duplicate()
    logger.info(
        "consumer.event_already_handled",
        consumer=consumer,
        event_id=str(envelope.event_id),
        event_type=envelope.event_type,
    )
    return True
