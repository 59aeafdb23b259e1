"""A run of provisioned events in one step: the same outcome as handling them one by one."""

from __future__ import annotations

from typing import Any

import pytest

from common_core.enums import EssayStatus
from common_core.events import UploadSummary

from .conftest import EventBuilder, FakeState, Lifecycle, new_lifecycle

pytestmark = pytest.mark.unit


def outcome(state: FakeState) -> tuple[Any, ...]:
    """What a run leaves behind, comparable between the run and one-by-one delivery."""
    slots = sorted(state.essays.values(), key=lambda e: e.slot_index)
    return (
        [(e.essay_id, e.status, e.file_upload_id) for e in slots],
        sorted((h.essay_id, h.to_status) for h in state.history),
        sorted(
            (env.event_type, getattr(env.data, "notification_type", "")) for env, _ in state.outbox
        ),
    )


async def test_25_provisioned_events_in_one_run_fill_25_slots_and_announce_once(
    lifecycle: Lifecycle, events: EventBuilder
) -> None:
    await lifecycle.deliver(events.registered(25))
    upload = UploadSummary(upload_id="up-1", accepted_count=25, rejected_count=0)
    await lifecycle.deliver_run([events.provisioned(n, upload=upload) for n in range(25)])

    assigned = lifecycle.published("EssaySlotAssignedV1")
    assert [(a.essay_id, a.file_upload_id) for a in assigned] == [
        (f"essay-{n}", f"file-{n}") for n in range(25)
    ]
    [ready] = lifecycle.published("BatchEssaysReadyV1")
    assert not ready.is_partial
    assert len(ready.ready_essays) == 25
    assert len(lifecycle.notifications("batch_essays_ready")) == 1


@pytest.mark.parametrize(
    "shas",
    [
        # duplicate bytes inside the run, and more files than slots
        ["a", "b", "a", "c", "d", "e"],
        # a copy of content that finds no slot gets no slot either
        ["a", "b", "c", "d", "d"],
        # the copy of an already placed file (delivered before the run)
        ["z", "b", "c"],
    ],
)
async def test_a_run_decides_duplicates_and_excess_as_one_by_one_would(
    lifecycle: Lifecycle, shas: list[str]
) -> None:
    def deliveries(builder: EventBuilder) -> list[Any]:
        return [builder.provisioned(n, sha=sha) for n, sha in enumerate(shas)]

    async def setup(target: Lifecycle, builder: EventBuilder) -> None:
        await target.deliver(builder.registered(3))
        await target.deliver(builder.provisioned(99, sha="z"))

    one_by_one = new_lifecycle()
    builder = EventBuilder()
    await setup(lifecycle, builder)
    await setup(one_by_one, builder)
    await lifecycle.deliver_run(deliveries(builder))
    for envelope in deliveries(builder):
        await one_by_one.deliver(envelope)
    assert outcome(lifecycle.state) == outcome(one_by_one.state)


async def test_a_repeated_file_and_a_repeated_event_id_in_a_run_change_nothing(
    lifecycle: Lifecycle, events: EventBuilder
) -> None:
    await lifecycle.deliver(events.registered(3))
    first = events.provisioned(0)
    await lifecycle.deliver_run([first, events.provisioned(1), first, events.provisioned(1)])

    filled = [e for e in lifecycle.state.essays.values() if e.has_content]
    assert sorted(e.file_upload_id or "" for e in filled) == ["file-0", "file-1"]
    assert len(lifecycle.published("EssaySlotAssignedV1")) == 2
    assert lifecycle.notifications("duplicate_content") == []


async def test_a_removed_file_in_a_run_takes_no_slot(
    lifecycle: Lifecycle, events: EventBuilder
) -> None:
    await lifecycle.deliver(events.registered(2))
    await lifecycle.deliver(events.removed(1))
    await lifecycle.deliver_run([events.provisioned(n) for n in range(3)])

    holders = {e.file_upload_id for e in lifecycle.state.essays.values() if e.has_content}
    assert holders == {"file-0", "file-2"}
    assert lifecycle.published("ExcessContentProvisionedV1") == []


async def test_a_run_before_registration_is_parked_and_placed_on_registration(
    lifecycle: Lifecycle, events: EventBuilder
) -> None:
    await lifecycle.deliver_run([events.provisioned(n) for n in range(3)])
    assert len(lifecycle.state.pending) == 3
    await lifecycle.deliver(events.registered(3))

    statuses = {e.status for e in lifecycle.state.essays.values()}
    assert statuses == {EssayStatus.READY_FOR_PROCESSING}
    assert len(lifecycle.published("BatchEssaysReadyV1")) == 1
