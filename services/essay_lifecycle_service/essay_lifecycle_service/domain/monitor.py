"""The readiness timeout: batches past their deadline are announced with what they have."""

from __future__ import annotations

import structlog

from essay_lifecycle_service.domain.events import EventFactory
from essay_lifecycle_service.domain.handling import Clock, StepContext, UnitOfWorkFactory, utc_now
from essay_lifecycle_service.domain.slots import check_readiness

logger = structlog.get_logger(__name__)


class ReadinessMonitor:
    """One pass announces every overdue batch that has at least one assigned essay."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        *,
        source_service: str,
        clock: Clock = utc_now,
        batch_limit: int = 100,
    ) -> None:
        self._uow_factory = uow_factory
        self._source = source_service
        self._clock = clock
        self._limit = batch_limit

    async def check_once(self) -> int:
        """Announce overdue batches now; returns how many were announced."""
        now = self._clock()
        async with self._uow_factory() as uow:
            overdue = await uow.batches.overdue(now, self._limit)
        announced = 0
        for batch_id in overdue:
            async with self._uow_factory() as uow:
                await uow.batches.lock_shared(batch_id)
                context = StepContext(
                    EventFactory(self._source, f"readiness-timeout-{batch_id}"), now
                )
                events = await check_readiness(uow, batch_id, context)
                if events:
                    await uow.add_events(events)
                    await uow.commit()
                    announced += 1
        if announced:
            logger.info("els.readiness_timeouts_announced", count=announced)
        return announced
