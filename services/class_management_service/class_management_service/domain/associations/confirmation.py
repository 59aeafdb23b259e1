"""The teacher's side of author matching: read a batch's associations, confirm or correct them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from class_management_service.domain.associations.events import AssociationEvents
from class_management_service.domain.associations.ports import (
    Association,
    AssociationUnitOfWork,
    AssociationUowFactory,
    ClassBatch,
    ClassBatchStatus,
    Clock,
    Outgoing,
)
from class_management_service.domain.associations.steps import completed, essays_of
from class_management_service.domain.errors import Conflict, DomainError
from class_management_service.domain.observations import MatchingCommitted, Recorder, ignore
from class_management_service.domain.records import Actor
from common_core.class_api import (
    AssociationsConfirmV1,
    BatchAssociationsV1,
    EssayAssociationV1,
)
from common_core.enums import AssociationMethod, AssociationStatus
from common_core.errors import ErrorCode
from huleedu_service_libs.consumer import utc_now

READ_ACTION = "association.read"
CONFIRM_ACTION = "association.confirm"
TEACHER_CONFIDENCE = 1.0
# Why a batch in each other status cannot be confirmed (a 409).
_NOT_CONFIRMABLE = {
    ClassBatchStatus.AWAITING_CONTENT: (
        "The batch's essays are not all in yet; there is nothing to confirm."
    ),
    ClassBatchStatus.CONFIRMED: "The batch's authors are already confirmed.",
    ClassBatchStatus.CLASS_MISSING: (
        "The batch's class no longer exists; the batch continues without authors."
    ),
}


class BatchNotFound(DomainError):
    """No such class batch, or another teacher's (indistinguishable on purpose)."""

    code = ErrorCode.BATCH_NOT_FOUND

    def __init__(self, batch_id: str) -> None:
        super().__init__("Batch not found.", {"batch_id": batch_id})


class EssayNotFound(DomainError):
    """The essay is not one of the batch's essays."""

    code = ErrorCode.ESSAY_NOT_FOUND

    def __init__(self, batch_id: str, essay_id: str) -> None:
        super().__init__(
            "Essay not found in this batch.", {"batch_id": batch_id, "essay_id": essay_id}
        )


class InvalidConfirmation(DomainError):
    """One confirmation cannot be applied (its student is not in the class, or it repeats)."""

    code = ErrorCode.VALIDATION_ERROR

    def __init__(self, index: int, essay_id: str, field: str, message: str) -> None:
        super().__init__(
            f"Confirmation for essay {essay_id}: {message}",
            {
                "essay_id": essay_id,
                "errors": [
                    {"loc": ["confirmations", index, field], "msg": message, "type": "value_error"}
                ],
            },
        )


class AssociationService:
    """Lists and confirms a teacher's class batch associations, audited, in one transaction."""

    def __init__(
        self,
        uow_factory: AssociationUowFactory,
        *,
        source_service: str,
        clock: Clock = utc_now,
        record: Recorder = ignore,
    ) -> None:
        self._uow_factory = uow_factory
        self._source = source_service
        self._clock = clock
        self._record = record

    async def list_associations(self, actor: Actor, batch_id: str) -> BatchAssociationsV1:
        """The batch's essays with parsed headers and authors (the read is audited)."""
        async with self._uow_factory() as uow:
            batch = await self._owned(uow, actor, batch_id, lock=False)
            view = await self._view(uow, actor, batch, READ_ACTION, self._clock())
            await uow.commit()
        return view

    async def confirm(
        self, actor: Actor, batch_id: str, request: AssociationsConfirmV1
    ) -> BatchAssociationsV1:
        """Apply the teacher's decisions; the batch is confirmed once no essay is pending."""
        now = self._clock()
        events = AssociationEvents(self._source, actor.correlation_id)
        async with self._uow_factory() as uow:
            batch = await self._owned(uow, actor, batch_id, lock=True)
            if batch.status is not ClassBatchStatus.PENDING_VALIDATION:
                raise Conflict(
                    _NOT_CONFIRMABLE[batch.status], batch_id=batch_id, status=batch.status.value
                )
            essays = {
                r.essay_id: r for r in essays_of(await uow.associations.list_for_batch(batch_id))
            }
            roster = await uow.students.roster(batch.class_id, include_placeholders=True)
            in_class = {s.student_id for s in roster}
            decided = self._decisions(batch, essays, in_class, request, actor)
            await uow.associations.save_many(decided)
            outgoing: list[Outgoing] = [events.updated(batch, r) for r in decided]
            after = [*{**essays, **{r.essay_id: r for r in decided}}.values()]
            done = completed(batch, after, now, by_timeout=False)
            if done is not None:
                batch = done
                await uow.class_batches.save(batch)
                final = essays_of(after)
                outgoing += [
                    events.confirmed(batch, final),
                    events.associations_confirmed(batch, final),
                ]
            if outgoing:
                await uow.add_events(outgoing)
            view = await self._view(uow, actor, batch, CONFIRM_ACTION, now)
            await uow.commit()
        self._record([MatchingCommitted(tuple(outgoing))])
        return view

    @staticmethod
    def _decisions(
        batch: ClassBatch,
        essays: dict[str | None, Association],
        in_class: set[str],
        request: AssociationsConfirmV1,
        actor: Actor,
    ) -> list[Association]:
        """The rows the request changes (unchanged re-confirmations are left out)."""
        named: set[str] = set()
        decided: list[Association] = []
        for index, item in enumerate(request.confirmations):
            if item.essay_id in named:
                raise InvalidConfirmation(index, item.essay_id, "essay_id", "essay listed twice")
            named.add(item.essay_id)
            row = essays.get(item.essay_id)
            if row is None:
                raise EssayNotFound(batch.batch_id, item.essay_id)
            if item.student_id not in in_class:
                raise InvalidConfirmation(
                    index, item.essay_id, "student_id", "the student is not in the batch's class"
                )
            new = replace(
                row,
                student_id=item.student_id,
                status=AssociationStatus.CONFIRMED,
                method=AssociationMethod.TEACHER,
                confidence=TEACHER_CONFIDENCE,
                decided_by=actor.user_id,
            )
            if new != row:
                decided.append(new)
        if request.accept_suggestions:
            decided += [
                replace(
                    row,
                    student_id=row.suggested_student_id,
                    status=AssociationStatus.CONFIRMED,
                    decided_by=actor.user_id,
                )
                for essay_id, row in essays.items()
                if essay_id not in named
                and row.is_pending
                and row.suggested_student_id is not None
                and row.suggested_student_id in in_class
            ]
        return decided

    @staticmethod
    async def _owned(
        uow: AssociationUnitOfWork, actor: Actor, batch_id: str, *, lock: bool
    ) -> ClassBatch:
        batch = await (uow.class_batches.lock if lock else uow.class_batches.get)(batch_id)
        if batch is None or batch.user_id != actor.user_id:
            raise BatchNotFound(batch_id)
        return batch

    @staticmethod
    async def _view(
        uow: AssociationUnitOfWork, actor: Actor, batch: ClassBatch, action: str, now: datetime
    ) -> BatchAssociationsV1:
        """The response body, audited as `action` naming every student it shows."""
        rows = essays_of(await uow.associations.list_for_batch(batch.batch_id))
        student_ids = sorted(
            {sid for r in rows for sid in (r.student_id, r.suggested_student_id) if sid is not None}
        )
        students = await uow.students.get_many(actor.user_id, student_ids)
        names = {s.student_id: s.full_name for s in students}
        await uow.audit.record(
            actor_user_id=actor.user_id,
            action=action,
            student_ids=student_ids,
            class_id=batch.class_id,
            correlation_id=actor.correlation_id,
        )
        return BatchAssociationsV1(
            batch_id=batch.batch_id,
            class_id=batch.class_id,
            status=batch.status.value,
            associations=_association_views(rows, names, now),
            suggested_at=batch.suggested_at,
            confirmed_at=batch.confirmed_at,
            confirmed_by_timeout=batch.confirmed_by_timeout,
        )


def _association_views(
    rows: Sequence[Association], names: dict[str, str], now: datetime
) -> list[EssayAssociationV1]:
    return [
        EssayAssociationV1(
            batch_id=r.batch_id,
            essay_id=r.essay_id or "",
            file_upload_id=r.file_upload_id,
            filename=r.filename,
            parsed_name=r.parsed_name,
            parsed_email=r.parsed_email,
            suggested_student_id=r.suggested_student_id,
            student_id=r.student_id,
            student_name=names.get(r.student_id) if r.student_id else None,
            confidence=r.confidence,
            method=r.method,
            status=r.status,
            updated_at=r.updated_at or now,
        )
        for r in rows
    ]
