"""Use cases behind the HTTP API: register a batch, read it, retry a failed phase."""

from __future__ import annotations

from dataclasses import dataclass

from batch_orchestrator_service.domain.batch import Batch
from batch_orchestrator_service.domain.errors import BatchNotFound, ClassNotFound, MixedCourses
from batch_orchestrator_service.domain.messages import Emitter
from batch_orchestrator_service.domain.observations import BatchRegistered, Recorder, ignore
from batch_orchestrator_service.domain.ports import ClassDirectory, UnitOfWork
from common_core.enums import PhaseName
from common_core.internal_api import BatchPipelineStateV1


@dataclass(frozen=True)
class RegisterBatchCommand:
    """What the teacher asks for (through the gateway)."""

    user_id: str
    course_code: str
    essay_instructions: str
    expected_essay_count: int
    class_id: str | None = None


class RegisterBatch:
    """Store a batch with its slots and announce it, in one transaction.

    A batch for a class is checked with the Class Management Service first (the teacher's
    class, the batch's course); nothing is stored unless the check passes.
    """

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        classes: ClassDirectory,
        source_service: str,
        record: Recorder = ignore,
    ) -> None:
        self._uow = uow
        self._classes = classes
        self._source = source_service
        # Gets the registration once committed (the metrics; never for a rolled-back one).
        self._record = record

    async def execute(self, command: RegisterBatchCommand, correlation_id: str) -> Batch:
        """The registered batch.

        Raises UnknownCourse, ClassNotFound (unknown or another teacher's class), MixedCourses,
        or DependencyUnavailable (the class could not be checked).
        """
        batch = Batch.register(
            user_id=command.user_id,
            course_code=command.course_code,
            essay_instructions=command.essay_instructions,
            expected_essay_count=command.expected_essay_count,
            class_id=command.class_id,
        )
        if batch.class_id is not None:
            await self._check_class(batch, batch.class_id, correlation_id)
        emitter = Emitter(self._source, correlation_id)
        async with self._uow as uow:
            await uow.batches.add(batch)
            await uow.add_events(emitter.registered(batch))
            await uow.commit()
        self._record([BatchRegistered(batch.course_code)])
        return batch

    async def _check_class(self, batch: Batch, class_id: str, correlation_id: str) -> None:
        # Asked before the transaction opens: no connection or lock is held while CMS answers.
        found = await self._classes.class_summary(class_id, batch.user_id, correlation_id)
        if found is None:
            raise ClassNotFound(class_id)
        if found.course_code is not batch.course_code:
            raise MixedCourses(found.name, found.course_code.value, batch.course_code.value)


class GetPipelineState:
    """The internal pipeline-state view (callers compare user_id themselves).

    Given a user and an idempotency key, it also says what became of that user's request
    under the key for this batch, so a retry learns the first attempt's outcome.
    """

    def __init__(self, *, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self, batch_id: str, *, user_id: str | None = None, idempotency_key: str | None = None
    ) -> BatchPipelineStateV1:
        """The batch's state, with the keyed request once handled; raises BatchNotFound."""
        handled = None
        async with self._uow as uow:
            batch = await uow.batches.get(batch_id)
            # The key is read after the batch: a request committed in between is then seen as
            # handled, never as a running pipeline with no request behind it.
            if batch is not None and user_id is not None and idempotency_key is not None:
                handled = await uow.pipeline_requests.find(user_id, batch_id, idempotency_key)
        if batch is None:
            raise BatchNotFound(batch_id)
        state = batch.pipeline_state()
        if handled is not None:
            state.pipeline_request = handled.public()
        return state


class GetBatch:
    """A teacher's own batch; someone else's is reported missing."""

    def __init__(self, *, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, batch_id: str, user_id: str) -> Batch:
        """The batch; raises BatchNotFound when missing or not the user's."""
        async with self._uow as uow:
            batch = await uow.batches.get(batch_id)
        if batch is None or batch.user_id != user_id:
            raise BatchNotFound(batch_id)
        return batch


class RetryPhase:
    """Re-run a failed phase for its failed essays (earlier per-essay outcomes are kept)."""

    def __init__(self, *, uow: UnitOfWork, source_service: str) -> None:
        self._uow = uow
        self._source = source_service

    async def execute(
        self, batch_id: str, user_id: str, phase: PhaseName, correlation_id: str
    ) -> Batch:
        """The batch with the phase running again; raises BatchNotFound or PhaseNotRetryable."""
        emitter = Emitter(self._source, correlation_id)
        async with self._uow as uow:
            batch = await uow.batches.get(batch_id, for_update=True)
            if batch is None or batch.user_id != user_id:
                raise BatchNotFound(batch_id)
            step = batch.retry_phase(phase)
            await uow.batches.save(batch)
            await uow.add_events(emitter.phase_started(batch, step, retry=True))
            await uow.commit()
        return batch
