"""Readiness waits for every accepted essay of the uploads it has seen (issue: stranded essays).

The File Service names each file event's upload and the upload's accepted and rejected counts;
rejected and accepted files travel on different topics, so either may arrive first.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from common_core.events import UploadSummary
from essay_lifecycle_service.domain.monitor import ReadinessMonitor

pytestmark = pytest.mark.unit


def upload(upload_id: str, accepted: int, rejected: int) -> UploadSummary:
    return UploadSummary(upload_id=upload_id, accepted_count=accepted, rejected_count=rejected)


async def test_rejections_arriving_first_wait_for_the_accepted_essay(
    lifecycle: Any, events: Any
) -> None:
    # One good essay with an empty and a too-short file, expected 2: the reproduction.
    mixed = upload("u1", accepted=1, rejected=2)
    await lifecycle.deliver(events.registered(2))
    await lifecycle.deliver(events.validation_failed(1, mixed))
    await lifecycle.deliver(events.validation_failed(2, mixed))

    assert lifecycle.published("BatchEssaysReadyV1") == []
    assert not lifecycle.state.batches["batch-1"].is_ready

    await lifecycle.deliver(events.provisioned(0, upload=mixed))

    [ready] = lifecycle.published("BatchEssaysReadyV1")
    assert [r.file_upload_id for r in ready.ready_essays] == ["file-0"]
    assert ready.validation_failure_count == 2
    assert lifecycle.published("ExcessContentProvisionedV1") == []
    assert lifecycle.notifications("excess_content") == []


async def test_only_rejected_files_never_make_the_batch_ready_and_the_teacher_is_told(
    lifecycle: Any, events: Any
) -> None:
    bad = upload("u1", accepted=0, rejected=2)
    await lifecycle.deliver(events.registered(2))
    await lifecycle.deliver(events.validation_failed(1, bad))
    assert lifecycle.notifications("batch_no_usable_essays") == []
    await lifecycle.deliver(events.validation_failed(2, bad))

    assert lifecycle.published("BatchEssaysReadyV1") == []
    [told] = lifecycle.notifications("batch_no_usable_essays")
    assert told.action_required
    assert told.payload["rejected_count"] == 2
    assert told.params == {"rejected_count": 2}

    # The teacher uploads again: the batch becomes ready with the new essay.
    good = upload("u2", accepted=1, rejected=0)
    await lifecycle.deliver(events.provisioned(3, upload=good))
    [ready] = lifecycle.published("BatchEssaysReadyV1")
    assert [r.file_upload_id for r in ready.ready_essays] == ["file-3"]
    assert len(lifecycle.notifications("batch_no_usable_essays")) == 1


async def test_a_multi_file_upload_is_announced_only_when_its_last_essay_arrives(
    lifecycle: Any, events: Any
) -> None:
    big = upload("u1", accepted=3, rejected=3)
    await lifecycle.deliver(events.registered(3))
    for n in (10, 11, 12):
        await lifecycle.deliver(events.validation_failed(n, big))
    await lifecycle.deliver(events.provisioned(0, upload=big))
    await lifecycle.deliver(events.provisioned(1, upload=big))
    assert lifecycle.published("BatchEssaysReadyV1") == []

    await lifecycle.deliver(events.provisioned(2, upload=big))

    [ready] = lifecycle.published("BatchEssaysReadyV1")
    assert len(ready.ready_essays) == 3


async def test_content_before_registration_still_counts_as_arrived(
    lifecycle: Any, events: Any
) -> None:
    mixed = upload("u1", accepted=1, rejected=1)
    await lifecycle.deliver(events.provisioned(0, upload=mixed))
    await lifecycle.deliver(events.validation_failed(1, mixed))
    await lifecycle.deliver(events.registered(2))

    [ready] = lifecycle.published("BatchEssaysReadyV1")
    assert [r.file_upload_id for r in ready.ready_essays] == ["file-0"]


async def test_a_later_upload_fills_a_free_slot_of_a_ready_batch_and_is_announced_anew(
    lifecycle: Any, events: Any
) -> None:
    await lifecycle.deliver(events.registered(3))
    first = upload("u1", accepted=2, rejected=1)
    await lifecycle.deliver(events.provisioned(0, upload=first))
    await lifecycle.deliver(events.provisioned(1, upload=first))
    await lifecycle.deliver(events.validation_failed(2, first))
    assert len(lifecycle.published("BatchEssaysReadyV1")) == 1

    second = upload("u2", accepted=1, rejected=0)
    await lifecycle.deliver(events.provisioned(3, upload=second))

    assert lifecycle.published("ExcessContentProvisionedV1") == []
    first_ready, again = lifecycle.published("BatchEssaysReadyV1")
    assert len(first_ready.ready_essays) == 2
    assert [r.file_upload_id for r in again.ready_essays] == ["file-0", "file-1", "file-3"]
    assert len(lifecycle.notifications("batch_essays_updated")) == 1
    assert not lifecycle.state.batches["batch-1"].reannounce_pending


async def test_an_essay_arriving_after_processing_started_is_excess_and_said_so(
    lifecycle: Any, events: Any
) -> None:
    await lifecycle.deliver(events.registered(2))
    await lifecycle.deliver(events.provisioned(0, upload=upload("u1", 1, 1)))
    await lifecycle.deliver(events.validation_failed(1, upload("u1", 1, 1)))
    await lifecycle.deliver(events.initiate(["essay-0"]))

    await lifecycle.deliver(events.provisioned(2, upload=upload("u2", 1, 0)))

    [excess] = lifecycle.published("ExcessContentProvisionedV1")
    assert excess.reason == "processing_started"
    [told] = lifecycle.notifications("excess_content")
    assert told.params["variant"] == "processing_started"
    assert "bearbetningen" in told.message
    assert len(lifecycle.published("BatchEssaysReadyV1")) == 1


async def test_every_slot_holding_an_accepted_essay_is_the_only_excess(
    lifecycle: Any, events: Any
) -> None:
    three = upload("u1", accepted=3, rejected=0)
    await lifecycle.deliver(events.registered(2))
    for n in range(3):
        await lifecycle.deliver(events.provisioned(n, upload=three))

    [excess] = lifecycle.published("ExcessContentProvisionedV1")
    assert excess.reason == "no_free_slot"
    [ready] = lifecycle.published("BatchEssaysReadyV1")
    assert len(ready.ready_essays) == 2


async def test_a_file_removed_before_its_content_arrived_takes_no_slot(
    lifecycle: Any, events: Any
) -> None:
    both = upload("u1", accepted=2, rejected=0)
    await lifecycle.deliver(events.registered(2))
    await lifecycle.deliver(events.provisioned(0, upload=both))
    await lifecycle.deliver(events.removed(1))
    await lifecycle.deliver(events.provisioned(1, upload=both))

    placed = {e.file_upload_id for e in lifecycle.state.essays.values() if e.has_content}
    assert placed == {"file-0"}
    assert lifecycle.published("BatchEssaysReadyV1") == []


async def test_the_deadline_does_not_announce_while_an_upload_is_still_arriving(
    lifecycle: Any, events: Any
) -> None:
    two = upload("u1", accepted=2, rejected=0)
    await lifecycle.deliver(events.registered(5))
    await lifecycle.deliver(events.provisioned(0, upload=two))
    lifecycle.clock.now += timedelta(minutes=16)
    monitor = ReadinessMonitor(
        lifecycle.uow, source_service="essay_lifecycle_service", clock=lifecycle.clock
    )

    assert await monitor.announce_overdue_batches() == 0
    await lifecycle.deliver(events.provisioned(1, upload=two))

    [ready] = lifecycle.published("BatchEssaysReadyV1")
    assert ready.is_partial
    assert len(ready.ready_essays) == 2
