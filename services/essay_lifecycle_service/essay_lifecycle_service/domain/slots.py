"""Slots of a batch: registration, content assignment, validation failures, removals.

Every file event is noted as an arrival of its upload first (`uow.uploads`), so readiness
(`announcements.check_readiness`) can wait for the accepted essays an upload still owes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import structlog

from common_core.enums import EssayStatus
from common_core.events import (
    BatchEssaysRegisteredV1,
    BatchFileRemovedV1,
    EssayContentProvisionedV1,
    EssayValidationFailedV1,
)
from essay_lifecycle_service.domain.announcements import check_readiness
from essay_lifecycle_service.domain.events import Context, EventFactory, Keyed
from essay_lifecycle_service.domain.models import (
    BatchTracker,
    FileArrival,
    HistoryEntry,
    ProvisionedContent,
)
from essay_lifecycle_service.domain.placement import Placement, place
from essay_lifecycle_service.domain.ports import UnitOfWork
from essay_lifecycle_service.domain.states import can_transition
from huleedu_service_libs.consumer import EventItem

Provisioned = EventItem[EssayContentProvisionedV1, EventFactory]

logger = structlog.get_logger(__name__)


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
        await uow.essays.append_histories(
            [
                HistoryEntry(
                    essay_id,
                    event.batch_id,
                    None,
                    EssayStatus.AWAITING_CONTENT,
                    "BatchEssaysRegisteredV1",
                    ctx.now,
                )
                for essay_id in event.essay_ids
            ]
        )
        parked = await uow.batches.take_pending(event.batch_id)
        events = await place(uow, batch, [Placement(content, ctx) for content in parked])
        events += await check_readiness(uow, event.batch_id, ctx)
        return events

    async def provision(
        self, uow: UnitOfWork, event: EssayContentProvisionedV1, ctx: Context
    ) -> list[Keyed]:
        """Give the content a slot, or park it until its batch is registered."""
        return await self.provision_many(uow, [EventItem(event, ctx)])

    async def provision_many(self, uow: UnitOfWork, items: Sequence[Provisioned]) -> list[Keyed]:
        """A run of provisioned events, decided as if one by one, one batch at a time.

        Per batch: one lock, one arrival insert, one slot assignment statement, one history
        insert, and one readiness check at the end (a run announces its batch at most once).
        """
        by_batch: dict[str, list[Provisioned]] = {}
        for item in items:
            by_batch.setdefault(item.event.batch_id, []).append(item)
        events: list[Keyed] = []
        for batch_id, batch_items in by_batch.items():
            events += await self._provision_batch(uow, batch_id, batch_items)
        return events

    async def _provision_batch(
        self, uow: UnitOfWork, batch_id: str, items: Sequence[Provisioned]
    ) -> list[Keyed]:
        log = logger.bind(batch_id=batch_id)
        await uow.batches.lock_shared(batch_id)
        first = await uow.uploads.record_arrivals(
            [
                FileArrival(
                    batch_id,
                    item.event.file_upload_id,
                    accepted=True,
                    upload=item.event.upload,
                    at=item.ctx.now,
                )
                for item in items
            ]
        )
        fresh: list[Provisioned] = []
        for item in items:
            if item.event.file_upload_id in first:
                first.discard(item.event.file_upload_id)  # a second event of it is a repeat
                fresh.append(item)
            else:
                log.info("els.file_already_received", file_upload_id=item.event.file_upload_id)
        if not fresh:
            return []
        removed = await uow.uploads.removed_among(
            batch_id, [item.event.file_upload_id for item in fresh]
        )
        for file_upload_id in removed:
            # Removed before its content came: it must not take a slot, but it has arrived.
            log.info("els.removed_file_not_placed", file_upload_id=file_upload_id)
        placements = [
            Placement(ProvisionedContent.from_event(item.event), item.ctx)
            for item in fresh
            if item.event.file_upload_id not in removed
        ]
        batch = await uow.batches.get(batch_id)
        if batch is None:
            for placement in placements:
                parked = await uow.batches.add_pending(placement.content)
                log.info(
                    "els.content_parked_until_registration",
                    file_upload_id=placement.content.file_upload_id,
                    parked=parked,
                )
            return []
        events = await place(uow, batch, placements)
        events += await check_readiness(uow, batch_id, fresh[-1].ctx)
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
        await uow.essays.append_histories(
            [
                HistoryEntry(
                    essay.essay_id,
                    event.batch_id,
                    essay.status,
                    EssayStatus.AWAITING_CONTENT,
                    "BatchFileRemovedV1",
                    ctx.now,
                )
            ]
        )
        return []
