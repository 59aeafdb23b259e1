"""The matching consumer's steps: class batch registered, headers parsed, essays ready.

Each step runs inside the consumer kernel's `StepRunner` (inbox claim, effects, outbox, one
commit) and first row-locks the class batch, so events of one batch never interleave. The three
topics are not ordered with each other: whichever of the parsing and readiness events arrives before
the registration creates the class batch from its own class id (after checking that the class
is the teacher's), either order ends in the same rows, and a header parsed after readiness
has its suggestion announced at once.

A batch whose class does not exist (deleted between BOS's check and this consumer, or never
the teacher's) is recorded as `class_missing` and confirmed with no authors as soon as its
essays are ready, with a notification telling the teacher why: it must never hang in BOS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import structlog

from class_management_service.domain.associations.events import AssociationEvents, Context
from class_management_service.domain.associations.matching import match_author
from class_management_service.domain.associations.ports import (
    Association,
    AssociationUnitOfWork,
    ClassBatch,
    ClassBatchStatus,
    Outgoing,
)
from class_management_service.domain.models import Student
from common_core.enums import AssociationStatus, CourseCode
from common_core.events import (
    BatchEssaysReadyV1,
    BatchEssaysRegisteredV1,
    ParsedStudentHeader,
    StudentParsingCompletedV1,
)

logger = structlog.get_logger(__name__)

SUGGEST_ACTOR = "system:author-matching"
SUGGEST_ACTION = "association.suggest"


async def _new_class_batch(
    uow: AssociationUnitOfWork, batch_id: str, user_id: str, class_id: str, course: CourseCode
) -> ClassBatch:
    """The batch an event names: awaiting content, or `class_missing` without the class."""
    if await uow.classes.get(user_id, class_id) is not None:
        return ClassBatch(batch_id, class_id, user_id, course)
    logger.warning("cms.class_batch_without_its_class", batch_id=batch_id, class_id=class_id)
    return ClassBatch(batch_id, class_id, user_id, course, ClassBatchStatus.CLASS_MISSING)


async def _add_and_lock(uow: AssociationUnitOfWork, batch: ClassBatch) -> ClassBatch:
    """Insert the batch unless another event did first, and lock whichever row stands."""
    await uow.class_batches.add(batch)
    locked = await uow.class_batches.lock(batch.batch_id)
    if locked is None:  # pragma: no cover - inserted or found above in this transaction
        raise RuntimeError(f"class batch {batch.batch_id} vanished within its transaction")
    return locked


async def batch_registered(
    uow: AssociationUnitOfWork, event: BatchEssaysRegisteredV1, ctx: Context
) -> list[Outgoing]:
    """A class batch starts awaiting its essays; batches without a class are not ours."""
    if event.class_id is None:
        return []
    await uow.class_batches.add(
        await _new_class_batch(
            uow, event.batch_id, event.user_id, event.class_id, event.course_code
        )
    )
    return []


async def _class_batch_for_headers(
    uow: AssociationUnitOfWork, event: StudentParsingCompletedV1
) -> ClassBatch | None:
    """The locked class batch; created from the class when the registration is still behind."""
    batch = await uow.class_batches.lock(event.batch_id)
    if batch is not None or event.class_id is None:
        return batch
    school_class = await uow.classes.get(event.user_id, event.class_id)
    if school_class is None:
        # The event names no course, so the registration or readiness records the batch.
        logger.warning("cms.parsed_headers_for_unknown_class", batch_id=event.batch_id)
        return None
    return await _add_and_lock(
        uow,
        ClassBatch(
            batch_id=event.batch_id,
            class_id=school_class.class_id,
            user_id=event.user_id,
            course_code=school_class.course_code,
        ),
    )


def _with_header(row: Association, header: ParsedStudentHeader) -> Association:
    return replace(
        row,
        text_storage_id=header.text_storage_id,
        # The uploaded file's real name comes only with the header (sealed): the other
        # events carry a label in its place.
        filename=header.original_file_name or row.filename,
        parsed_name=header.student_name,
        parsed_email=header.student_email,
        extraction_confidence=header.extraction_confidence,
    )


async def student_parsing_completed(
    uow: AssociationUnitOfWork, event: StudentParsingCompletedV1, ctx: Context
) -> list[Outgoing]:
    """Store each parsed header with its suggested author (announced now if already ready)."""
    events = ctx.events
    batch = await _class_batch_for_headers(uow, event)
    if batch is None:
        return []
    if batch.status in (ClassBatchStatus.CONFIRMED, ClassBatchStatus.CLASS_MISSING):
        # Nothing left to match (and no header PII worth keeping).
        logger.warning(
            "cms.parsed_headers_ignored", batch_id=batch.batch_id, status=batch.status.value
        )
        return []
    roster = await uow.students.roster(batch.class_id)
    await _audit_roster_read(uow, batch, roster, events)
    existing = {r.file_upload_id: r for r in await uow.associations.list_for_batch(batch.batch_id)}
    changed: dict[str, Association] = {}
    for header in event.parsed_headers:
        row = existing.get(header.file_upload_id)
        if row is not None and not row.is_pending:
            continue  # the teacher's (or the timeout's) decision stands
        match = match_author(header.student_name, header.student_email, roster)
        suggested = match.student.student_id if match.student else None
        changed[header.file_upload_id] = _with_header(
            replace(
                row or Association(batch_id=batch.batch_id, file_upload_id=header.file_upload_id),
                suggested_student_id=suggested,
                student_id=suggested,
                confidence=match.confidence,
                method=match.method,
                status=AssociationStatus.PENDING_VALIDATION,
            ),
            header,
        )
    await uow.associations.save_many(list(changed.values()))
    late = [r for r in changed.values() if r.essay_id is not None]
    if batch.status is ClassBatchStatus.PENDING_VALIDATION and late:
        logger.info("cms.late_headers_suggested", batch_id=batch.batch_id, count=len(late))
        return [events.suggestions(batch, late)]
    return []


async def batch_essays_ready(
    uow: AssociationUnitOfWork, event: BatchEssaysReadyV1, ctx: Context
) -> list[Outgoing]:
    """Tie rows to essay ids and ask the teacher; confirmed at once without essays or class.

    Rows of uploads that are not among the ready essays (validation failures, removed files)
    are kept but never get an essay id, so they take no part in confirmation.
    """
    events, now = ctx.events, ctx.now
    batch = await uow.class_batches.lock(event.batch_id)
    if batch is None:
        if event.class_id is None:
            return []  # not a class batch
        # Readiness overtook the registration (CMS catching up): the event names the class.
        new = await _new_class_batch(
            uow, event.batch_id, event.user_id, event.class_id, event.course_code
        )
        batch = await _add_and_lock(uow, new)
    elif (
        batch.status is ClassBatchStatus.AWAITING_CONTENT
        and await uow.classes.get(batch.user_id, batch.class_id) is None
    ):
        # Deleted while its registration was being handled (the delete's pending-batch check
        # ran before the batch was recorded).
        batch = replace(batch, status=ClassBatchStatus.CLASS_MISSING)
    if batch.status is ClassBatchStatus.CLASS_MISSING:
        return await _confirm_without_class(uow, batch, events, now)
    if batch.status is ClassBatchStatus.PENDING_VALIDATION:
        return await _essays_added(uow, batch, event, events)
    if batch.status is not ClassBatchStatus.AWAITING_CONTENT:
        logger.warning("cms.batch_ready_again", batch_id=batch.batch_id, status=batch.status.value)
        return []
    rows = await _tie_essays(uow, batch, event)
    await uow.associations.save_many(rows)
    if not rows:
        confirmed = _confirmed_at_once(batch, now)
        await uow.class_batches.save(confirmed)
        return [events.confirmed(confirmed, [])]
    pending = replace(
        batch, status=ClassBatchStatus.PENDING_VALIDATION, ready_at=now, suggested_at=now
    )
    await uow.class_batches.save(pending)
    return [events.suggestions(pending, rows), events.matching_required(pending, rows)]


async def _tie_essays(
    uow: AssociationUnitOfWork, batch: ClassBatch, event: BatchEssaysReadyV1
) -> list[Association]:
    """Each ready essay's row (found by its upload, else new) holding the essay's id."""
    existing = {r.file_upload_id: r for r in await uow.associations.list_for_batch(batch.batch_id)}
    ready: dict[str, Association] = {}
    for ref in event.ready_essays:
        # ELS always names the upload; the essay id is the fallback key of a row without one.
        key = ref.file_upload_id or ref.essay_id
        row = existing.get(key) or Association(batch_id=batch.batch_id, file_upload_id=key)
        ready[key] = replace(
            row,
            essay_id=ref.essay_id,
            filename=row.filename or ref.original_file_name,
            text_storage_id=ref.text_storage_id or row.text_storage_id,
        )
    return list(ready.values())


async def _essays_added(
    uow: AssociationUnitOfWork,
    batch: ClassBatch,
    event: BatchEssaysReadyV1,
    events: AssociationEvents,
) -> list[Outgoing]:
    """Readiness announced anew (a later upload filled a free slot): its essays join."""
    before = {
        r.file_upload_id
        for r in await uow.associations.list_for_batch(batch.batch_id)
        if r.essay_id is not None
    }
    added = [r for r in await _tie_essays(uow, batch, event) if r.file_upload_id not in before]
    await uow.associations.save_many(added)
    logger.info("cms.essays_added_after_ready", batch_id=batch.batch_id, count=len(added))
    return [events.suggestions(batch, added)] if added else []


def _confirmed_at_once(batch: ClassBatch, now: datetime) -> ClassBatch:
    return replace(
        batch,
        status=ClassBatchStatus.CONFIRMED,
        ready_at=now,
        suggested_at=now,
        confirmed_at=now,
    )


async def _confirm_without_class(
    uow: AssociationUnitOfWork, batch: ClassBatch, events: AssociationEvents, now: datetime
) -> list[Outgoing]:
    """Confirm with no authors (like a batch without essays) and tell the teacher why."""
    logger.warning(
        "cms.class_batch_confirmed_without_class", batch_id=batch.batch_id, class_id=batch.class_id
    )
    confirmed = _confirmed_at_once(batch, now)
    await uow.class_batches.save(confirmed)
    return [events.confirmed(confirmed, []), events.class_missing(confirmed)]


async def _audit_roster_read(
    uow: AssociationUnitOfWork,
    batch: ClassBatch,
    roster: Sequence[Student],
    events: AssociationEvents,
) -> None:
    """One audit row naming every student whose decrypted data the matching read."""
    if not roster:
        return  # no student data was read
    await uow.audit.record(
        actor_user_id=SUGGEST_ACTOR,
        action=SUGGEST_ACTION,
        student_ids=[s.student_id for s in roster],
        class_id=batch.class_id,
        correlation_id=events.correlation_id,
    )


def essays_of(rows: Sequence[Association]) -> list[Association]:
    """The rows that are essays of the batch (the confirmation set), in essay id order."""
    return sorted((r for r in rows if r.essay_id is not None), key=lambda r: r.essay_id or "")


def completed(
    batch: ClassBatch, rows: Sequence[Association], now: datetime, *, by_timeout: bool
) -> ClassBatch | None:
    """The batch confirmed when none of its essays is pending any more, else None."""
    if any(r.is_pending for r in essays_of(rows)):
        return None
    return replace(
        batch,
        status=ClassBatchStatus.CONFIRMED,
        confirmed_at=now,
        confirmed_by_timeout=by_timeout,
    )
