"""The timeouts: overdue batches are announced with what they have, overdue phases are ended."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog

from essay_lifecycle_service.domain.announcements import check_readiness
from essay_lifecycle_service.domain.events import EventFactory
from essay_lifecycle_service.domain.observations import PhasesPastDeadline, Recorder, ignore
from essay_lifecycle_service.domain.phases import BatchPhase, GrammarPhase, SpellcheckPhase
from essay_lifecycle_service.domain.ports import UnitOfWorkFactory
from huleedu_service_libs.consumer import Clock, StepContext, utc_now

logger = structlog.get_logger(__name__)


class ReadinessMonitor:
    """Announces overdue batches and ends phases past their deadline.

    `announce_overdue_batches` and `expire_overdue_phases` are the ticks of the worker's
    periodic jobs `readiness-timeouts` and `phase-timeouts` (huleedu_service_libs.periodic
    runs, times and reports them); `check_once` runs both, for tests and one-off passes.

    Readiness: every overdue batch with at least one assigned essay is announced as partial.
    Phases: in-progress phases past their deadline (oldest first, at most `batch_limit` per
    pass and phase) get a failure for every essay still without a result and emit their
    outcome, so a lost result can never leave a batch processing forever. After each pass it
    reports, per phase, how many are still running past their deadline (ending them failed).
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        *,
        source_service: str,
        clock: Clock = utc_now,
        batch_limit: int = 100,
        phases: BatchPhase[Any, Any] | Sequence[BatchPhase[Any, Any]] | None = None,
        record: Recorder = ignore,
    ) -> None:
        self._uow_factory = uow_factory
        self._source = source_service
        self._clock = clock
        self._limit = batch_limit
        if phases is None:
            phases = (SpellcheckPhase(), GrammarPhase())
        self._phases: tuple[BatchPhase[Any, Any], ...] = (
            (phases,) if isinstance(phases, BatchPhase) else tuple(phases)
        )
        self._record = record

    async def check_once(self) -> int:
        """Announce overdue batches and end overdue phases; returns how many of both."""
        return await self.announce_overdue_batches() + await self.expire_overdue_phases()

    async def announce_overdue_batches(self) -> int:
        """Announce overdue batches now; returns how many were announced."""
        now = self._clock()
        async with self._uow_factory() as uow:
            overdue = await uow.batches.overdue(now, self._limit)
        announced = 0
        for batch_id in overdue:
            async with self._uow_factory() as uow:
                await uow.batches.lock_shared(batch_id)
                context = StepContext.at(
                    EventFactory(self._source, f"readiness-timeout-{batch_id}"), now
                )
                events = await check_readiness(uow, batch_id, context)
                if events:
                    await uow.add_events(events)
                    await uow.commit()
                    self._record(context.observations)
                    announced += 1
        if announced:
            logger.info("els.readiness_timeouts_announced", count=announced)
        return announced

    async def expire_overdue_phases(self) -> int:
        """End in-progress phases (of every kind) past their deadline; returns how many ended.

        Each phase is decided in its own transaction under the phase row lock that completions
        take, so a result arriving at the same moment and this pass never both emit an outcome.
        One phase failing (logged) does not keep the others from ending.
        """
        ended = 0
        for runner in self._phases:
            ended += await self._expire(runner)
        return ended

    async def _expire(self, runner: BatchPhase[Any, Any]) -> int:
        now = self._clock()
        phase = runner.phase
        async with self._uow_factory() as uow:
            overdue = await uow.phases.overdue(phase, now, self._limit)
        ended = 0
        for batch_id in overdue:
            try:
                async with self._uow_factory() as uow:
                    context = StepContext.at(
                        EventFactory(self._source, f"phase-timeout-{batch_id}-{phase.value}"),
                        now,
                    )
                    if await runner.expire(uow, batch_id, context):
                        await uow.commit()
                        self._record(context.observations)
                        ended += 1
            except Exception:
                logger.exception("els.phase_timeout_failed", batch_id=batch_id, phase=phase.value)
        if ended:
            logger.info("els.phase_timeouts_ended", phase=phase.value, count=ended)
        async with self._uow_factory() as uow:
            still = await uow.phases.overdue(phase, now, self._limit)
        self._record([PhasesPastDeadline(phase, len(still))])
        return ended
