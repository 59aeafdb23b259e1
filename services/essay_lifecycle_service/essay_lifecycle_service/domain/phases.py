"""Per-essay dispatch of a phase and collection of its outcomes, for any phase spec.

Spellcheck and grammar are two `PhaseSpec`s (domain/phase_specs.py) run by the same code.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Generic

import structlog

from common_core.enums import (
    NotificationCategory,
    OperationOutcome,
    PhaseName,
    PhaseStatus,
)
from common_core.events import (
    BatchGrammarInitiateCommandV1,
    BatchSpellcheckInitiateCommandV1,
    EssayGrammarCompletedV1,
    EssayPhaseOutcome,
    EssayRef,
    EssaySpellcheckCompletedV1,
)
from common_core.notifications import VARIANT, NotificationCode
from essay_lifecycle_service.domain.events import Context, Keyed
from essay_lifecycle_service.domain.models import Essay, HistoryEntry, PhaseEssay
from essay_lifecycle_service.domain.observations import PhaseEnded
from essay_lifecycle_service.domain.phase_outcome import (
    is_timeout_error,
    phase_status,
    without_outcome,
)
from essay_lifecycle_service.domain.phase_specs import GRAMMAR, SPELLCHECK, C, PhaseSpec, R
from essay_lifecycle_service.domain.phase_timeouts import fail_waiting, timed_out_notice
from essay_lifecycle_service.domain.ports import UnitOfWork
from essay_lifecycle_service.domain.states import can_transition

logger = structlog.get_logger(__name__)

DEFAULT_PHASE_TIMEOUT = timedelta(seconds=1800)
TIMEOUT_EVENT = SPELLCHECK.timeout_event


class BatchPhase(Generic[C, R]):
    """Sends one request per essay and emits the batch's phase outcome exactly once.

    The outcome goes out when the last essay's result arrives or, if results are missing when
    the phase's deadline passes (a request the checking service gave up on), when `expire`
    fails the essays still waiting. Both paths hold the phase row lock, so only one of them
    emits. Each phase has its own row (batch, phase), so two phases of a batch never block or
    answer for each other.
    """

    def __init__(self, spec: PhaseSpec[C, R], timeout: timedelta = DEFAULT_PHASE_TIMEOUT) -> None:
        self.spec = spec
        self.phase: PhaseName = spec.phase
        self._timeout = timeout

    async def initiate(self, uow: UnitOfWork, command: C, ctx: Context) -> list[Keyed]:
        """Mark each essay requested and ask for its check; unready essays fail at once."""
        name = self.phase
        await uow.phases.lock(command.batch_id, name)
        known = {
            e.essay_id: e for e in await uow.essays.get_many([r.essay_id for r in command.essays])
        }
        members: list[PhaseEssay] = []
        events: list[Keyed] = []
        # A command naming an essay twice must not insert it twice (that would crash-loop).
        refs = list({ref.essay_id: ref for ref in command.essays}.values())
        for ref in refs:
            member, request = await _request_essay(
                uow, self.spec, command, ref, known.get(ref.essay_id), ctx
            )
            members.append(member)
            if request is not None:
                events.append(request)
        await uow.phases.start(
            command.batch_id, name, members, ctx.now, deadline=ctx.now + self._timeout
        )
        logger.info(
            "els.phase_requested", batch_id=command.batch_id, phase=name.value, essays=len(events)
        )
        events += await self._finish_if_complete(uow, command.batch_id, ctx)
        return events

    async def complete(self, uow: UnitOfWork, event: R, ctx: Context) -> list[Keyed]:
        """Store one essay's result; the last one emits the phase outcome."""
        name = self.phase
        log = logger.bind(batch_id=event.batch_id, essay_id=event.essay_id, phase=name.value)
        phase = await uow.phases.lock(event.batch_id, name)
        if phase is None or phase.status is not PhaseStatus.IN_PROGRESS:
            if phase is not None and await self._timed_out(uow, event.batch_id, event.essay_id):
                log.warning("els.result_after_phase_timeout_ignored", outcome=event.outcome.value)
            else:
                log.warning("els.result_for_phase_not_running", phase_status=phase and phase.status)
            return []
        essays = await uow.essays.get_many([event.essay_id])
        if not essays or essays[0].batch_id != event.batch_id:
            log.warning("els.result_for_unknown_essay")
            return []
        essay = essays[0]
        success = event.outcome is OperationOutcome.SUCCESS
        target = self.spec.succeeded if success else self.spec.failed
        if not can_transition(essay.status, target):
            log.warning(
                "els.illegal_transition_ignored", current=essay.status.value, target=target.value
            )
            return []
        stored = self.spec.stored(event)
        output = stored.output_storage_id if success else None
        if not await uow.phases.record_outcome(
            event.batch_id, name, event.essay_id, event.outcome, output, event.error_message
        ):
            log.warning("els.result_not_expected")
            return []
        await uow.essays.set_status(
            essay.essay_id,
            target,
            **(stored.essay_fields or {}),
            error_message=event.error_message,
        )
        await uow.essays.append_history(
            HistoryEntry(
                essay.essay_id,
                event.batch_id,
                essay.status,
                target,
                self.spec.result_event,
                ctx.now,
            )
        )
        return await self._finish_if_complete(uow, event.batch_id, ctx)

    async def expire(self, uow: UnitOfWork, batch_id: str, ctx: Context) -> bool:
        """Fail the essays still waiting once the deadline passed; emit the outcome once.

        Runs under the same phase row lock as `complete`: whichever of the two comes second
        sees the phase closed (or every essay answered) and changes nothing. True when this
        call ended the phase.
        """
        phase = await uow.phases.lock(batch_id, self.phase)
        if phase is None or not phase.is_overdue(ctx.now):
            return False
        waiting = without_outcome(await uow.phases.essays(batch_id, self.phase))
        known = {e.essay_id: e for e in await uow.essays.get_many(waiting)}
        await fail_waiting(uow, self.spec, batch_id, waiting, known, phase.timeout_seconds, ctx)
        events = await self._finish_if_complete(uow, batch_id, ctx)
        batch = await uow.batches.get(batch_id)
        if waiting and batch is not None:
            events.append(
                timed_out_notice(self.phase, batch, phase.timeout_seconds, waiting, known, ctx)
            )
        await uow.add_events(events)
        return True

    async def _timed_out(self, uow: UnitOfWork, batch_id: str, essay_id: str) -> bool:
        members = await uow.phases.essays(batch_id, self.phase)
        return any(m.essay_id == essay_id and is_timeout_error(m.error_message) for m in members)

    async def _finish_if_complete(
        self, uow: UnitOfWork, batch_id: str, ctx: Context
    ) -> list[Keyed]:
        name = self.phase
        members = await uow.phases.essays(batch_id, name)
        status = phase_status(members)
        if status is None:
            return []
        record = await uow.phases.lock(batch_id, name)
        await uow.phases.finish(batch_id, name, status, ctx.now)
        if record is not None and record.started_at is not None:
            seconds = (ctx.now - record.started_at).total_seconds()
            ctx.observations.append(PhaseEnded(name, seconds))
        outcomes = [
            EssayPhaseOutcome(
                essay_id=m.essay_id,
                outcome=m.outcome or OperationOutcome.FAILURE,
                output_storage_id=m.output_storage_id,
                error_message=m.error_message,
            )
            for m in members
        ]
        logger.info("els.phase_finished", batch_id=batch_id, phase=name.value, status=status.value)
        events = [ctx.events.phase_outcome(batch_id, name, status, outcomes)]
        batch = await uow.batches.get(batch_id)
        if batch is not None:
            succeeded = sum(1 for o in outcomes if o.outcome is OperationOutcome.SUCCESS)
            events.append(
                ctx.events.notification(
                    batch,
                    NotificationCode.PHASE_COMPLETED,
                    {
                        VARIANT: name.value,
                        "succeeded_count": succeeded,
                        "total_count": len(outcomes),
                    },
                    {
                        "phase": name.value,
                        "phase_status": status.value,
                        "succeeded": succeeded,
                        "total": len(outcomes),
                    },
                    category=NotificationCategory.PROCESSING_RESULTS,
                )
            )
        return events


class SpellcheckPhase(BatchPhase[BatchSpellcheckInitiateCommandV1, EssaySpellcheckCompletedV1]):
    """The spellcheck phase: EssaySpellcheckRequestedV1 out, EssaySpellcheckCompletedV1 in."""

    def __init__(self, timeout: timedelta = DEFAULT_PHASE_TIMEOUT) -> None:
        super().__init__(SPELLCHECK, timeout)


class GrammarPhase(BatchPhase[BatchGrammarInitiateCommandV1, EssayGrammarCompletedV1]):
    """The grammar phase: EssayGrammarRequestedV1 out, EssayGrammarCompletedV1 in."""

    def __init__(self, timeout: timedelta = DEFAULT_PHASE_TIMEOUT) -> None:
        super().__init__(GRAMMAR, timeout)


async def _request_essay(
    uow: UnitOfWork,
    spec: PhaseSpec[C, R],
    command: C,
    ref: EssayRef,
    essay: Essay | None,
    ctx: Context,
) -> tuple[PhaseEssay, Keyed | None]:
    """The essay's place in the phase, and its request if it is ready for one."""
    target = spec.requested
    if essay is None or essay.batch_id != command.batch_id or not essay.has_content:
        logger.warning("els.essay_not_in_batch", batch_id=command.batch_id, essay_id=ref.essay_id)
        return PhaseEssay(ref.essay_id, OperationOutcome.FAILURE, None, "unknown essay"), None
    if not can_transition(essay.status, target):
        logger.warning(
            "els.illegal_transition_ignored",
            essay_id=essay.essay_id,
            current=essay.status.value,
            target=target.value,
        )
        reason = f"not ready for {spec.phase.value} ({essay.status.value})"
        return PhaseEssay(essay.essay_id, OperationOutcome.FAILURE, None, reason), None
    await uow.essays.set_status(essay.essay_id, target, error_message=None)
    await uow.essays.append_history(
        HistoryEntry(
            essay.essay_id,
            command.batch_id,
            essay.status,
            target,
            spec.command_event,
            ctx.now,
        )
    )
    return PhaseEssay(essay.essay_id), spec.request(ctx.events, command, ref, essay)
