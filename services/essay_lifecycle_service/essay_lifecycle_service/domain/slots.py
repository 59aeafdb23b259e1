"""Slots of a batch: registration, content assignment, validation failures, removals.

Every file event is noted as an arrival of its upload first (`uow.uploads`), so readiness
(`announcements.check_readiness`) can wait for the accepted essays an upload still owes.
"""

from __future__ import annotations

from datetime import timedelta

import structlog

from common_core.enums import EssayStatus, NotificationCategory
from common_core.events import (
    BatchEssaysRegisteredV1,
    BatchFileRemovedV1,
    EssayContentProvisionedV1,
    EssayValidationFailedV1,
)
from common_core.notifications import VARIANT, NotificationCode, NotificationParams
from essay_lifecycle_service.domain.announcements import check_readiness
from essay_lifecycle_service.domain.events import Context, Keyed
from essay_lifecycle_service.domain.models import (
    BatchTracker,
    FileArrival,
    HistoryEntry,
    ProvisionedContent,
)
from essay_lifecycle_service.domain.ports import UnitOfWork
from essay_lifecycle_service.domain.states import can_transition

logger = structlog.get_logger(__name__)

NO_FREE_SLOT = "no_free_slot"
PROCESSING_STARTED = "processing_started"


class SlotAssignment:
    """The steps that fill a batch's slots and announce the batch ready."""

    def __init__(self, readiness_timeout: timedelta) -> None:
        self._timeout = readiness_timeout

    async def register(
        self, uow: UnitOfWork, event: BatchEssaysRegisteredV1, ctx: Context
    ) -> list[Keyed]:
        """Create the tracker and slots, then place content that arrived before them."""
        await uow.batches.lock_exclusive(event.batch_id)
        batch = BatchTracker(
            batch_id=event.batch_id,
            user_id=event.user_id,
            course_code=event.course_code,
            expected_count=event.expected_essay_count,
            readiness_deadline=ctx.now + self._timeout,
            class_id=event.class_id,
        )
        if not await uow.batches.add(batch):
            logger.warning("els.batch_already_registered", batch_id=event.batch_id)
            return []
        await uow.essays.add_slots(event.batch_id, event.essay_ids)
        for essay_id in event.essay_ids:
            await uow.essays.append_history(
                HistoryEntry(
                    essay_id,
                    event.batch_id,
                    None,
                    EssayStatus.AWAITING_CONTENT,
                    "BatchEssaysRegisteredV1",
                    ctx.now,
                )
            )
        events: list[Keyed] = []
        for content in await uow.batches.take_pending(event.batch_id):
            events += await self._place(uow, batch, content, ctx)
        events += await check_readiness(uow, event.batch_id, ctx)
        return events

    async def provision(
        self, uow: UnitOfWork, event: EssayContentProvisionedV1, ctx: Context
    ) -> list[Keyed]:
        """Give the content a slot, or park it until its batch is registered."""
        content = ProvisionedContent.from_event(event)
        log = logger.bind(batch_id=event.batch_id, file_upload_id=event.file_upload_id)
        await uow.batches.lock_shared(event.batch_id)
        first = await uow.uploads.record_arrival(
            FileArrival(
                event.batch_id,
                event.file_upload_id,
                accepted=True,
                upload=event.upload,
                at=ctx.now,
            )
        )
        if not first:
            log.info("els.file_already_received")
            return []
        if await uow.uploads.is_removed(event.batch_id, event.file_upload_id):
            # Removed before its content came: it must not take a slot, but it has arrived.
            log.info("els.removed_file_not_placed")
            return await check_readiness(uow, event.batch_id, ctx)
        batch = await uow.batches.get(event.batch_id)
        if batch is None:
            parked = await uow.batches.add_pending(content)
            log.info("els.content_parked_until_registration", parked=parked)
            return []
        events = await self._place(uow, batch, content, ctx)
        events += await check_readiness(uow, event.batch_id, ctx)
        return events

    async def validation_failed(
        self, uow: UnitOfWork, event: EssayValidationFailedV1, ctx: Context
    ) -> list[Keyed]:
        """Count a rejected file once, so the batch stops waiting for it."""
        await uow.batches.lock_shared(event.batch_id)
        await uow.uploads.record_arrival(
            FileArrival(
                event.batch_id,
                event.file_upload_id,
                accepted=False,
                upload=event.upload,
                at=ctx.now,
            )
        )
        counted = await uow.batches.add_validation_failure(
            event.batch_id, event.file_upload_id, event.original_file_name, str(event.error_code)
        )
        if not counted:
            logger.info("els.validation_failure_already_counted", batch_id=event.batch_id)
            return []
        return await check_readiness(uow, event.batch_id, ctx)

    async def file_removed(
        self, uow: UnitOfWork, event: BatchFileRemovedV1, ctx: Context
    ) -> list[Keyed]:
        """Free the slot holding the file while the batch is not ready yet."""
        log = logger.bind(batch_id=event.batch_id, file_upload_id=event.file_upload_id)
        await uow.batches.lock_shared(event.batch_id)
        await uow.uploads.mark_removed(event.batch_id, event.file_upload_id)
        batch = await uow.batches.get_for_update(event.batch_id)
        if batch is None:
            log.info(
                "els.pending_content_removed",
                removed=await uow.batches.remove_pending(event.batch_id, event.file_upload_id),
            )
            return []
        if batch.is_ready:
            log.warning("els.file_removed_after_ready_ignored")
            return []
        essay = await uow.essays.find_by_file(event.batch_id, event.file_upload_id)
        if essay is None:
            log.info("els.removed_file_holds_no_slot")
            return []
        if not can_transition(essay.status, EssayStatus.AWAITING_CONTENT):
            log.warning(
                "els.illegal_transition_ignored",
                essay_id=essay.essay_id,
                current=essay.status.value,
                target=EssayStatus.AWAITING_CONTENT.value,
            )
            return []
        await uow.essays.release_slot(essay.essay_id)
        await uow.essays.append_history(
            HistoryEntry(
                essay.essay_id,
                event.batch_id,
                essay.status,
                EssayStatus.AWAITING_CONTENT,
                "BatchFileRemovedV1",
                ctx.now,
            )
        )
        return []

    async def _place(
        self, uow: UnitOfWork, batch: BatchTracker, content: ProvisionedContent, ctx: Context
    ) -> list[Keyed]:
        """A free slot for the content; excess only when every slot holds an accepted essay.

        A batch already announced still takes the essay while no phase has started (a later
        upload filled a free slot): readiness is then owed anew.
        """
        log = logger.bind(batch_id=batch.batch_id, file_upload_id=content.file_upload_id)
        if batch.is_ready and await uow.phases.any_started(batch.batch_id):
            return self._excess(batch, content, ctx, PROCESSING_STARTED)
        await uow.essays.lock_content(
            batch.batch_id, content.content_sha256, content.file_upload_id
        )
        holder = await uow.essays.find_holding(
            batch.batch_id, content.content_sha256, content.file_upload_id
        )
        if holder is not None:
            if holder.file_upload_id == content.file_upload_id:
                log.info("els.file_already_assigned", essay_id=holder.essay_id)
                return []
            log.warning("els.duplicate_content", essay_id=holder.essay_id)
            return [
                ctx.events.notification(
                    batch,
                    NotificationCode.DUPLICATE_CONTENT,
                    {
                        "file_name": content.original_file_name,
                        "duplicate_of_file_name": holder.original_file_name or holder.essay_id,
                    },
                    {
                        "file_upload_id": content.file_upload_id,
                        "original_file_name": content.original_file_name,
                        "duplicate_of_essay_id": holder.essay_id,
                        "duplicate_of_file_upload_id": holder.file_upload_id,
                    },
                    category=NotificationCategory.FILE_OPERATIONS,
                    action_required=True,
                )
            ]
        essay = await uow.essays.take_free_slot(content)
        if essay is None:
            return self._excess(batch, content, ctx, NO_FREE_SLOT)
        if batch.is_ready:
            await uow.batches.owe_reannouncement(batch.batch_id)
        await uow.essays.append_history(
            HistoryEntry(
                essay.essay_id,
                batch.batch_id,
                EssayStatus.AWAITING_CONTENT,
                EssayStatus.READY_FOR_PROCESSING,
                "EssayContentProvisionedV1",
                ctx.now,
            )
        )
        log.info("els.slot_assigned", essay_id=essay.essay_id, slot_index=essay.slot_index)
        return [ctx.events.slot_assigned(essay)]

    @staticmethod
    def _excess(
        batch: BatchTracker, content: ProvisionedContent, ctx: Context, reason: str
    ) -> list[Keyed]:
        logger.warning(
            "els.excess_content",
            batch_id=batch.batch_id,
            file_upload_id=content.file_upload_id,
            reason=reason,
        )
        params: NotificationParams = {
            VARIANT: reason,
            "file_name": content.original_file_name,
            "expected_count": batch.expected_count,
        }
        return [
            ctx.events.excess(content, reason),
            ctx.events.notification(
                batch,
                NotificationCode.EXCESS_CONTENT,
                params,
                {
                    "file_upload_id": content.file_upload_id,
                    "original_file_name": content.original_file_name,
                    "reason": reason,
                },
                category=NotificationCategory.FILE_OPERATIONS,
                action_required=True,
            ),
        ]
