"""Runs of provisioned events on real PostgreSQL: one transaction, no slot ever taken twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.envelope import EventEnvelope
from essay_lifecycle_service.domain.events import EventFactory
from essay_lifecycle_service.domain.ports import UnitOfWorkFactory
from essay_lifecycle_service.domain.slots import SlotAssignment
from huleedu_service_libs.consumer import StepRunner
from huleedu_testing import random_id

from .conftest import outbox_types, rows
from .test_slots_on_postgres import provisioned, registered

pytestmark = pytest.mark.integration


class Runs:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self.handling = StepRunner(
            uow_factory, consumer="els", source_service="els", events=EventFactory
        )
        self.slots = SlotAssignment(timedelta(minutes=15))

    async def register(self, envelope: EventEnvelope[Any]) -> None:
        await self.handling.run(envelope, self.slots.register)

    async def run(self, envelopes: list[EventEnvelope[Any]]) -> int:
        return await self.handling.run_many(envelopes, self.slots.provision_many)


@pytest.fixture
def runs(uow_factory: UnitOfWorkFactory) -> Runs:
    return Runs(uow_factory)


async def test_a_poll_of_25_provisioned_events_fills_25_slots_in_one_transaction(
    runs: Runs, els_engine: AsyncEngine
) -> None:
    batch_id = random_id()
    await runs.register(registered(batch_id, 25))
    run = [provisioned(batch_id, n) for n in range(25)]

    assert await runs.run(run) == 25

    essays = await rows(els_engine, "SELECT * FROM essays WHERE batch_id = :b", b=batch_id)
    assert {e["status"] for e in essays} == {"ready_for_processing"}
    assert {e["file_upload_id"] for e in essays} == {env.data.file_upload_id for env in run}
    # One transaction: every inbox row, slot and history row carries the same xmin.
    claims = await rows(
        els_engine,
        "SELECT DISTINCT xmin::text AS tx FROM processed_events WHERE event_id = ANY(:ids)",
        ids=[env.event_id for env in run],
    )
    slots = await rows(
        els_engine, "SELECT DISTINCT xmin::text AS tx FROM essays WHERE batch_id = :b", b=batch_id
    )
    assert len(claims) == 1
    assert slots == claims
    types = Counter(await outbox_types(els_engine))
    assert types["EssaySlotAssignedV1"] == 25
    assert types["BatchEssaysReadyV1"] == 1


async def test_a_duplicate_event_id_inside_a_run_is_skipped(
    runs: Runs, els_engine: AsyncEngine
) -> None:
    batch_id = random_id()
    await runs.register(registered(batch_id, 5))
    first, second = provisioned(batch_id, 0), provisioned(batch_id, 1)
    await runs.run([first])

    assert await runs.run([first, second, second]) == 1

    filled = await rows(
        els_engine,
        "SELECT file_upload_id FROM essays WHERE batch_id = :b AND file_upload_id IS NOT NULL",
        b=batch_id,
    )
    assert sorted(r["file_upload_id"] for r in filled) == sorted(
        [first.data.file_upload_id, second.data.file_upload_id]
    )
    assert Counter(await outbox_types(els_engine))["EssaySlotAssignedV1"] == 2


async def test_concurrent_runs_and_single_events_never_double_assign_a_slot(
    runs: Runs, els_engine: AsyncEngine
) -> None:
    batch_id = random_id()
    await runs.register(registered(batch_id, 30))
    events = [provisioned(batch_id, n) for n in range(36)]
    # Four runs of eight and four single events at once, for 30 slots; two runs also carry
    # a copy (same bytes, another file) of an essay in another run.
    copy_a = provisioned(batch_id, 0, sha=events[9].data.content_sha256)
    copy_b = provisioned(batch_id, 1, sha=events[17].data.content_sha256)
    batches = [[*events[0:8], copy_a], events[8:16], [*events[16:24], copy_b], events[24:32]]
    singles = [[e] for e in events[32:]]

    applied = await asyncio.gather(*(runs.run(run) for run in batches + singles))

    assert sum(applied) == 38
    essays = await rows(els_engine, "SELECT * FROM essays WHERE batch_id = :b", b=batch_id)
    assert {e["status"] for e in essays} == {"ready_for_processing"}
    files = [e["file_upload_id"] for e in essays]
    assert len(set(files)) == 30, "each slot holds a different file"
    shas = [e["content_sha256"] for e in essays]
    assert len(set(shas)) == 30, "no bytes twice"
    types = Counter(await outbox_types(els_engine))
    assert types["EssaySlotAssignedV1"] == 30
    # 38 files for 30 slots: each of the other 8 is excess, or a duplicate of a placed copy.
    notices = await rows(
        els_engine,
        "SELECT convert_from(payload, 'UTF8')::jsonb -> 'data' ->> 'notification_type' AS kind"
        " FROM event_outbox WHERE event_type = 'TeacherNotificationRequestedV1'",
    )
    kinds = Counter(n["kind"] for n in notices)
    assert kinds["excess_content"] == types["ExcessContentProvisionedV1"]
    assert types["ExcessContentProvisionedV1"] + kinds["duplicate_content"] == 8
    assert kinds["duplicate_content"] <= 2
    assert types["BatchEssaysReadyV1"] == 1
    history = await rows(
        els_engine,
        "SELECT essay_id, count(*) AS n FROM essay_state_history WHERE batch_id = :b"
        " GROUP BY essay_id",
        b=batch_id,
    )
    assert {h["n"] for h in history} == {2}
