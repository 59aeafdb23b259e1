"""Per-essay dispatch of a phase and collection of its outcomes (spellcheck for now)."""

from __future__ import annotations

from datetime import timedelta

import structlog

from common_core.enums import (
    EssayStatus,
    NotificationCategory,
    OperationOutcome,
    PhaseName,
    PhaseStatus,
)
from common_core.events import (
    BatchSpellcheckInitiateCommandV1,
    EssayPhaseOutcome,
    EssayRef,
    EssaySpellcheckCompletedV1,
)
from common_core.notifications import NotificationCode
from essay_lifecycle_service.domain.events import Context, Keyed
from essay_lifecycle_service.domain.models import BatchTracker, Essay, HistoryEntry, PhaseEssay
from essay_lifecycle_service.domain.observations import PhaseEnded
from essay_lifecycle_service.domain.phase_outcome import (
    is_timeout_error,
    phase_status,
    timeout_error,
    without_outcome,
)
from essay_lifecycle_service.domain.ports import UnitOfWork
from essay_lifecycle_service.domain.states import can_transition

logger = structlog.get_logger(__name__)

PHASE = PhaseName.SPELLCHECK
DEFAULT_PHASE_TIMEOUT = timedelta(seconds=1800)
TIMEOUT_EVENT = "SpellcheckPhaseTimedOut"


class SpellcheckPhase:
    """Sends one request per essay and emits the batch's phase outcome exactly once.

    The outcome goes out when the last essay's result arrives or, if results are missing when
    the phase's deadline passes (a request the spell checker gave up on), when `expire` fails
    the essays still waiting. Both paths hold the phase row lock, so only one of them emits.
    """

    phase = PHASE

    def __init__(self, timeout: timedelta = DEFAULT_PHASE_TIMEOUT) -> None:
        self._timeout = timeout

    async def initiate(
        self, uow: UnitOfWork, command: BatchSpellcheckInitiateCommandV1, ctx: Context
    ) -> list[Keyed]:
        """Mark each essay requested and ask for its spellcheck; unready essays fail at once."""
        await uow.phases.lock(command.batch_id, PHASE)
        known = {
            e.essay_id: e for e in await uow.essays.get_many([r.essay_id for r in command.essays])
        }
        members: list[PhaseEssay] = []
        events: list[Keyed] = []
        # A command naming an essay twice must not insert it twice (that would crash-loop).
        refs = list({ref.essay_id: ref for ref in command.essays}.values())
        for ref in refs:
            member, request = await _request_spellcheck(
                uow, command, ref, known.get(ref.essay_id), ctx
            )
            members.append(member)
            if request is not None:
                events.append(request)
        await uow.phases.start(
            command.batch_id, PHASE, members, ctx.now, deadline=ctx.now + self._timeout
        )
        logger.info("els.spellcheck_requested", batch_id=command.batch_id, essays=len(events))
        events += await self._finish_if_complete(uow, command.batch_id, ctx)
        return events

    async def complete(
        self, uow: UnitOfWork, event: EssaySpellcheckCompletedV1, ctx: Context
    ) -> list[Keyed]:
        """Store one essay's result; the last one emits the phase outcome."""
        log = logger.bind(batch_id=event.batch_id, essay_id=event.essay_id)
        phase = await uow.phases.lock(event.batch_id, PHASE)
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
        target = EssayStatus.SPELLCHECK_SUCCEEDED if success else EssayStatus.SPELLCHECK_FAILED
        if not can_transition(essay.status, target):
            log.warning(
                "els.illegal_transition_ignored", current=essay.status.value, target=target.value
            )
            return []
        output = event.corrected_text_storage_id if success else None
        if not await uow.phases.record_outcome(
            event.batch_id, PHASE, event.essay_id, event.outcome, output, event.error_message
        ):
            log.warning("els.result_not_expected")
            return []
        await uow.essays.set_status(
            essay.essay_id,
            target,
            corrected_text_storage_id=output,
            spellcheck_correction_count=event.correction_count,
            spellcheck_word_count=event.word_count,
            error_message=event.error_message,
        )
        await uow.essays.append_history(
            HistoryEntry(
                essay.essay_id,
                event.batch_id,
                essay.status,
                target,
                "EssaySpellcheckCompletedV1",
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
        phase = await uow.phases.lock(batch_id, PHASE)
        if phase is None or not phase.is_overdue(ctx.now):
            return False
        waiting = without_outcome(await uow.phases.essays(batch_id, PHASE))
        known = {e.essay_id: e for e in await uow.essays.get_many(waiting)}
        await _fail_waiting(uow, batch_id, waiting, known, phase.timeout_seconds, ctx)
        events = await self._finish_if_complete(uow, batch_id, ctx)
        batch = await uow.batches.get(batch_id)
        if waiting and batch is not None:
            events.append(_timed_out_notice(batch, phase.timeout_seconds, waiting, known, ctx))
        await uow.add_events(events)
        return True

    @staticmethod
    async def _timed_out(uow: UnitOfWork, batch_id: str, essay_id: str) -> bool:
        members = await uow.phases.essays(batch_id, PHASE)
        return any(m.essay_id == essay_id and is_timeout_error(m.error_message) for m in members)

    @staticmethod
    async def _finish_if_complete(uow: UnitOfWork, batch_id: str, ctx: Context) -> list[Keyed]:
        members = await uow.phases.essays(batch_id, PHASE)
        status = phase_status(members)
        if status is None:
            return []
        record = await uow.phases.lock(batch_id, PHASE)
        await uow.phases.finish(batch_id, PHASE, status, ctx.now)
        if record is not None and record.started_at is not None:
            seconds = (ctx.now - record.started_at).total_seconds()
            ctx.observations.append(PhaseEnded(PHASE, seconds))
        outcomes = [
            EssayPhaseOutcome(
                essay_id=m.essay_id,
                outcome=m.outcome or OperationOutcome.FAILURE,
                output_storage_id=m.output_storage_id,
                error_message=m.error_message,
            )
            for m in members
        ]
        logger.info("els.phase_finished", batch_id=batch_id, phase=PHASE.value, status=status.value)
        events = [ctx.events.phase_outcome(batch_id, PHASE, status, outcomes)]
        batch = await uow.batches.get(batch_id)
        if batch is not None:
            succeeded = sum(1 for o in outcomes if o.outcome is OperationOutcome.SUCCESS)
            events.append(
                ctx.events.notification(
                    batch,
                    NotificationCode.PHASE_COMPLETED,
                    {"succeeded_count": succeeded, "total_count": len(outcomes)},
                    {
                        "phase": PHASE.value,
                        "phase_status": status.value,
                        "succeeded": succeeded,
                        "total": len(outcomes),
                    },
                    category=NotificationCategory.PROCESSING_RESULTS,
                )
            )
        return events


async def _request_spellcheck(
    uow: UnitOfWork,
    command: BatchSpellcheckInitiateCommandV1,
    ref: EssayRef,
    essay: Essay | None,
    ctx: Context,
) -> tuple[PhaseEssay, Keyed | None]:
    """The essay's place in the phase, and its spellcheck request if it is ready for one."""
    target = EssayStatus.SPELLCHECK_REQUESTED
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
        reason = f"not ready for spellcheck ({essay.status.value})"
        return PhaseEssay(essay.essay_id, OperationOutcome.FAILURE, None, reason), None
    await uow.essays.set_status(essay.essay_id, target, error_message=None)
    await uow.essays.append_history(
        HistoryEntry(
            essay.essay_id,
            command.batch_id,
            essay.status,
            target,
            "BatchSpellcheckInitiateCommandV1",
            ctx.now,
        )
    )
    request_ref = ref if ref.text_storage_id else essay.ref()
    request = ctx.events.spellcheck_requested(
        command.batch_id, request_ref, command.language, command.course_code
    )
    return PhaseEssay(essay.essay_id), request


async def _fail_waiting(
    uow: UnitOfWork,
    batch_id: str,
    waiting: list[str],
    known: dict[str, Essay],
    timeout_seconds: int,
    ctx: Context,
) -> None:
    """Record the timeout as each waiting essay's outcome and fail the essays that can fail."""
    log = logger.bind(batch_id=batch_id, phase=PHASE.value)
    error = timeout_error(timeout_seconds)
    target = EssayStatus.SPELLCHECK_FAILED
    for essay_id in waiting:
        await uow.phases.record_outcome(
            batch_id, PHASE, essay_id, OperationOutcome.FAILURE, None, error
        )
        essay = known.get(essay_id)
        if essay is None:
            continue
        if not can_transition(essay.status, target):
            log.warning(
                "els.illegal_transition_ignored",
                essay_id=essay_id,
                current=essay.status.value,
                target=target.value,
            )
            continue
        await uow.essays.set_status(essay_id, target, error_message=error)
        await uow.essays.append_history(
            HistoryEntry(essay_id, batch_id, essay.status, target, TIMEOUT_EVENT, ctx.now)
        )
    log.warning("els.phase_timed_out", timeout_seconds=timeout_seconds, timed_out_essay_ids=waiting)


def _timed_out_notice(
    batch: BatchTracker,
    timeout_seconds: int,
    waiting: list[str],
    known: dict[str, Essay],
    ctx: Context,
) -> Keyed:
    """The teacher's notification naming the essays the deadline failed (by file name)."""
    names = [(known[i].original_file_name or i) if i in known else i for i in waiting]
    return ctx.events.notification(
        batch,
        NotificationCode.PHASE_TIMED_OUT,
        {
            "timeout_seconds": timeout_seconds,
            "essay_count": len(waiting),
            "file_names": ", ".join(names),
        },
        {
            "phase": PHASE.value,
            "timeout_seconds": timeout_seconds,
            "timed_out_essay_ids": waiting,
            "timed_out_file_names": names,
        },
        category=NotificationCategory.PROCESSING_RESULTS,
    )
