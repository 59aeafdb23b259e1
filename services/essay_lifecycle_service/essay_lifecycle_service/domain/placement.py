"""Placing provisioned content into a batch's slots: free slot, duplicate, or excess.

One implementation for one content and for a run of them (a poll's provisioned events of one
batch, or the content parked before registration): the run is decided as if its contents came
one by one, in order, but with one lock statement, one slot assignment statement and one
history insert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from common_core.enums import EssayStatus, NotificationCategory
from common_core.notifications import VARIANT, NotificationCode, NotificationParams
from essay_lifecycle_service.domain.events import Context, Keyed
from essay_lifecycle_service.domain.models import (
    BatchTracker,
    Essay,
    HistoryEntry,
    ProvisionedContent,
)
from essay_lifecycle_service.domain.ports import UnitOfWork

logger = structlog.get_logger(__name__)

NO_FREE_SLOT = "no_free_slot"
PROCESSING_STARTED = "processing_started"


@dataclass(frozen=True)
class Placement:
    """Content to place, with the context of the event that brought it."""

    content: ProvisionedContent
    ctx: Context


@dataclass
class _Decision:
    """For one placement: the slot already holding its content or file, or the earlier
    placement of the same run with the same bytes, or neither (it asks for a free slot)."""

    placement: Placement
    holder: Essay | None = None
    same_as: Placement | None = None


async def place(
    uow: UnitOfWork, batch: BatchTracker, placements: Sequence[Placement]
) -> list[Keyed]:
    """A free slot for each content; excess only when every slot holds an accepted essay.

    A batch already announced still takes essays while no phase has started (a later upload
    filled a free slot): readiness is then owed anew.
    """
    if not placements:
        return []
    if batch.is_ready and await uow.phases.any_started(batch.batch_id):
        return [e for p in placements for e in _excess(batch, p, PROCESSING_STARTED)]
    contents = [p.content for p in placements]
    await uow.essays.lock_contents(batch.batch_id, contents)
    decisions = _decide(placements, await uow.essays.find_holding_many(batch.batch_id, contents))
    seekers = [d.placement for d in decisions if d.holder is None and d.same_as is None]
    taken = await uow.essays.take_free_slots(batch.batch_id, [p.content for p in seekers])
    slots = {id(p): essay for p, essay in zip(seekers, taken, strict=False)}
    if taken and batch.is_ready:
        await uow.batches.owe_reannouncement(batch.batch_id)
    events: list[Keyed] = []
    history: list[HistoryEntry] = []
    for d in decisions:
        holder = d.holder or (slots.get(id(d.same_as)) if d.same_as is not None else None)
        essay = slots.get(id(d.placement))
        if holder is not None:
            events += _held(batch, d.placement, holder)
        elif essay is not None:
            history.append(_assigned(batch, essay, d.placement.ctx))
            events.append(d.placement.ctx.events.slot_assigned(essay))
        else:
            # No slot left for it (or for the earlier copy of its bytes, so none for it either).
            events += _excess(batch, d.placement, NO_FREE_SLOT)
    await uow.essays.append_histories(history)
    return events


def _decide(placements: Sequence[Placement], holders: Sequence[Essay]) -> list[_Decision]:
    by_file = {e.file_upload_id: e for e in holders if e.file_upload_id}
    by_sha = {e.content_sha256: e for e in holders if e.content_sha256}
    first_of_sha: dict[str, Placement] = {}
    decisions = []
    for p in placements:
        holder = by_file.get(p.content.file_upload_id) or by_sha.get(p.content.content_sha256)
        same_as = None if holder else first_of_sha.get(p.content.content_sha256)
        if holder is None and same_as is None:
            first_of_sha[p.content.content_sha256] = p
        decisions.append(_Decision(p, holder, same_as))
    return decisions


def _assigned(batch: BatchTracker, essay: Essay, ctx: Context) -> HistoryEntry:
    logger.info(
        "els.slot_assigned",
        batch_id=batch.batch_id,
        file_upload_id=essay.file_upload_id,
        essay_id=essay.essay_id,
        slot_index=essay.slot_index,
    )
    return HistoryEntry(
        essay.essay_id,
        batch.batch_id,
        EssayStatus.AWAITING_CONTENT,
        EssayStatus.READY_FOR_PROCESSING,
        "EssayContentProvisionedV1",
        ctx.now,
    )


def _held(batch: BatchTracker, placement: Placement, holder: Essay) -> list[Keyed]:
    """The same file again is ignored; the same bytes as another file tell the teacher."""
    content = placement.content
    log = logger.bind(batch_id=batch.batch_id, file_upload_id=content.file_upload_id)
    if holder.file_upload_id == content.file_upload_id:
        log.info("els.file_already_assigned", essay_id=holder.essay_id)
        return []
    log.warning("els.duplicate_content", essay_id=holder.essay_id)
    return [
        placement.ctx.events.notification(
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


def _excess(batch: BatchTracker, placement: Placement, reason: str) -> list[Keyed]:
    content, ctx = placement.content, placement.ctx
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
