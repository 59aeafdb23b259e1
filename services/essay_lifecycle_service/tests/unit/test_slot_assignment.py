"""SlotAssignment over the fakes: slots, pending content, duplicates, excess, removal, readiness."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from common_core.enums import EssayStatus
from essay_lifecycle_service.domain.monitor import ReadinessMonitor

pytestmark = pytest.mark.unit


async def test_registration_creates_awaiting_slots_with_history(
    lifecycle: Any, events: Any
) -> None:
    await lifecycle.deliver(events.registered(3))

    batch = lifecycle.state.batches["batch-1"]
    assert (batch.user_id, batch.expected_count) == ("teacher-anna", 3)
    assert batch.readiness_deadline == lifecycle.clock.now + timedelta(minutes=15)
    slots = sorted(lifecycle.state.essays.values(), key=lambda e: e.slot_index)
    assert [(e.essay_id, e.status) for e in slots] == [
        (f"essay-{i}", EssayStatus.AWAITING_CONTENT) for i in range(3)
    ]
    assert len(lifecycle.state.history) == 3
    assert lifecycle.state.outbox == []


async def test_three_provisioned_fill_slots_in_order_and_announce_ready_once(
    lifecycle: Any, events: Any
) -> None:
    await lifecycle.deliver(events.registered(3))
    for n in range(3):
        await lifecycle.deliver(events.provisioned(n))

    assigned = lifecycle.published("EssaySlotAssignedV1")
    assert [(a.essay_id, a.file_upload_id) for a in assigned] == [
        (f"essay-{n}", f"file-{n}") for n in range(3)
    ]
    [ready] = lifecycle.published("BatchEssaysReadyV1")
    assert not ready.is_partial
    assert [r.essay_id for r in ready.ready_essays] == ["essay-0", "essay-1", "essay-2"]
    assert ready.user_id == "teacher-anna"
    assert ready.class_id is None
    assert len(lifecycle.notifications("batch_essays_ready")) == 1
    assert lifecycle.state.batches["batch-1"].is_ready


async def test_readiness_repeats_the_class_of_a_class_batch(lifecycle: Any, events: Any) -> None:
    # CMS may see readiness before registration after an outage; the class id tells it
    # the batch needs confirmed authors.
    await lifecycle.deliver(events.registered(2, class_id="class-9a"))
    for n in range(2):
        await lifecycle.deliver(events.provisioned(n))

    [ready] = lifecycle.published("BatchEssaysReadyV1")
    assert ready.class_id == "class-9a"


async def test_validation_failure_counts_once_towards_readiness(
    lifecycle: Any, events: Any
) -> None:
    await lifecycle.deliver(events.registered(3))
    await lifecycle.deliver(events.provisioned(0))
    await lifecycle.deliver(events.provisioned(1))
    failed = events.validation_failed(2)
    await lifecycle.deliver(failed)
    await lifecycle.deliver(events.validation_failed(2))  # same file, new event id

    [ready] = lifecycle.published("BatchEssaysReadyV1")
    assert (len(ready.ready_essays), ready.validation_failure_count) == (2, 1)


async def test_content_before_registration_is_parked_then_assigned(
    lifecycle: Any, events: Any
) -> None:
    await lifecycle.deliver(events.provisioned(0))
    await lifecycle.deliver(events.provisioned(1))
    assert len(lifecycle.state.pending) == 2
    assert lifecycle.state.outbox == []

    await lifecycle.deliver(events.registered(2))

    assert lifecycle.state.pending == {}
    assert len(lifecycle.published("EssaySlotAssignedV1")) == 2
    assert len(lifecycle.published("BatchEssaysReadyV1")) == 1


async def test_duplicate_content_takes_no_second_slot_and_tells_the_teacher(
    lifecycle: Any, events: Any
) -> None:
    await lifecycle.deliver(events.registered(3))
    await lifecycle.deliver(events.provisioned(0, sha="same"))
    await lifecycle.deliver(events.provisioned(1, sha="same"))

    assert len(lifecycle.published("EssaySlotAssignedV1")) == 1
    [note] = lifecycle.notifications("duplicate_content")
    assert note.payload["duplicate_of_essay_id"] == "essay-0"
    free = [e for e in lifecycle.state.essays.values() if e.status is EssayStatus.AWAITING_CONTENT]
    assert len(free) == 2


async def test_content_beyond_the_slots_is_announced_as_excess(lifecycle: Any, events: Any) -> None:
    await lifecycle.deliver(events.registered(1))
    await lifecycle.deliver(events.provisioned(0))
    await lifecycle.deliver(events.provisioned(1))

    [excess] = lifecycle.published("ExcessContentProvisionedV1")
    assert excess.file_upload_id == "file-1"
    assert len(lifecycle.notifications("excess_content")) == 1
    assert len(lifecycle.published("BatchEssaysReadyV1")) == 1


async def test_redelivered_event_changes_nothing(lifecycle: Any, events: Any) -> None:
    await lifecycle.deliver(events.registered(2))
    provisioned = events.provisioned(0)
    await lifecycle.deliver(provisioned)
    before = (dict(lifecycle.state.essays), list(lifecycle.state.outbox))

    await lifecycle.deliver(provisioned)

    assert (dict(lifecycle.state.essays), list(lifecycle.state.outbox)) == before


async def test_removed_file_frees_its_slot_until_the_batch_is_ready(
    lifecycle: Any, events: Any
) -> None:
    await lifecycle.deliver(events.registered(2))
    await lifecycle.deliver(events.provisioned(0))
    await lifecycle.deliver(events.removed(0))

    essay = lifecycle.state.essays["essay-0"]
    assert (essay.status, essay.file_upload_id) == (EssayStatus.AWAITING_CONTENT, None)
    assert [h.to_status for h in lifecycle.state.history if h.essay_id == "essay-0"] == [
        EssayStatus.AWAITING_CONTENT,
        EssayStatus.READY_FOR_PROCESSING,
        EssayStatus.AWAITING_CONTENT,
    ]
    # The freed slot is taken again; once ready, removals are ignored.
    await lifecycle.deliver(events.provisioned(1))
    await lifecycle.deliver(events.provisioned(2))
    assert len(lifecycle.published("BatchEssaysReadyV1")) == 1
    await lifecycle.deliver(events.removed(1))
    assert lifecycle.state.essays["essay-0"].file_upload_id == "file-1"


async def test_removed_pending_content_is_never_assigned(lifecycle: Any, events: Any) -> None:
    await lifecycle.deliver(events.provisioned(0))
    await lifecycle.deliver(events.removed(0))
    await lifecycle.deliver(events.registered(1))
    assert lifecycle.published("EssaySlotAssignedV1") == []


async def test_monitor_announces_partial_after_the_deadline_once(
    lifecycle: Any, events: Any
) -> None:
    await lifecycle.deliver(events.registered(3))
    await lifecycle.deliver(events.provisioned(0))
    monitor = ReadinessMonitor(
        lifecycle.uow, source_service="essay_lifecycle_service", clock=lifecycle.clock
    )
    assert await monitor.check_once() == 0

    lifecycle.clock.now += timedelta(minutes=15, seconds=1)
    assert await monitor.check_once() == 1
    assert await monitor.check_once() == 0

    [ready] = lifecycle.published("BatchEssaysReadyV1")
    assert ready.is_partial
    assert ready.missing_essay_ids == ["essay-1", "essay-2"]
    assert len(lifecycle.notifications("batch_essays_partially_ready")) == 1


async def test_monitor_leaves_an_empty_overdue_batch_alone(lifecycle: Any, events: Any) -> None:
    await lifecycle.deliver(events.registered(2))
    lifecycle.clock.now += timedelta(hours=1)
    monitor = ReadinessMonitor(lifecycle.uow, source_service="els", clock=lifecycle.clock)
    assert await monitor.check_once() == 0
    assert lifecycle.state.outbox == []
