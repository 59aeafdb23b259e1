"""Slot assignment on real PostgreSQL: concurrency, pending content, duplicates, phase outcome."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.enums import CourseCode, Language, OperationOutcome
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysRegisteredV1,
    BatchSpellcheckInitiateCommandV1,
    EssayContentProvisionedV1,
    EssayRef,
    EssaySpellcheckCompletedV1,
)
from essay_lifecycle_service.domain.events import EventFactory
from essay_lifecycle_service.domain.phases import SpellcheckPhase
from essay_lifecycle_service.domain.ports import UnitOfWorkFactory
from essay_lifecycle_service.domain.slots import SlotAssignment
from huleedu_service_libs.consumer import StepRunner
from huleedu_testing import random_id

from .conftest import outbox_types, rows

pytestmark = pytest.mark.integration


def wrap(data: Any) -> EventEnvelope[Any]:
    return EventEnvelope.wrap(data, source_service="it", correlation_id=random_id())


def registered(batch_id: str, count: int) -> EventEnvelope[Any]:
    return wrap(
        BatchEssaysRegisteredV1(
            batch_id=batch_id,
            user_id="teacher-it",
            course_code=CourseCode.ENG6,
            essay_instructions="Write about a place.",
            expected_essay_count=count,
            essay_ids=[random_id() for _ in range(count)],
        )
    )


def provisioned(batch_id: str, n: int, sha: str | None = None) -> EventEnvelope[Any]:
    return wrap(
        EssayContentProvisionedV1(
            batch_id=batch_id,
            file_upload_id=random_id(),
            original_file_name=f"essay-{n}.docx",
            raw_storage_id=f"raw-{n}-{batch_id}",
            text_storage_id=f"text-{n}-{batch_id}",
            content_sha256=sha or f"{n:064d}",
            file_size_bytes=10,
            char_count=500,
            word_count=100,
        )
    )


class Steps:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self.handling = StepRunner(
            uow_factory, consumer="els", source_service="els", events=EventFactory
        )
        self.slots = SlotAssignment(timedelta(minutes=15))
        self.phases = SpellcheckPhase()

    async def deliver(self, envelope: EventEnvelope[Any]) -> None:
        step = {
            "BatchEssaysRegisteredV1": self.slots.register,
            "EssayContentProvisionedV1": self.slots.provision,
            "BatchSpellcheckInitiateCommandV1": self.phases.initiate,
            "EssaySpellcheckCompletedV1": self.phases.complete,
        }[envelope.event_type]
        await self.handling.handler(step)(envelope)


@pytest.fixture
def steps(uow_factory: UnitOfWorkFactory) -> Steps:
    return Steps(uow_factory)


async def test_31_concurrent_provisions_fill_30_slots_once_and_one_is_excess(
    steps: Steps, els_engine: AsyncEngine
) -> None:
    batch_id = random_id()
    registration = registered(batch_id, 30)
    await steps.deliver(registration)
    deliveries = [provisioned(batch_id, n) for n in range(31)]

    await asyncio.gather(*(steps.deliver(env) for env in deliveries))

    essays = await rows(els_engine, "SELECT * FROM essays WHERE batch_id = :b", b=batch_id)
    assert len(essays) == 30
    assert {e["status"] for e in essays} == {"ready_for_processing"}
    files = [e["file_upload_id"] for e in essays]
    assert len(set(files)) == 30, "each slot holds a different file"
    all_files = {env.data.file_upload_id for env in deliveries}
    assert set(files) < all_files
    types = Counter(await outbox_types(els_engine))
    assert types["EssaySlotAssignedV1"] == 30
    assert types["ExcessContentProvisionedV1"] == 1
    assert types["BatchEssaysReadyV1"] == 1, "ready exactly once despite concurrent last slots"
    history = await rows(
        els_engine,
        "SELECT essay_id, count(*) AS n FROM essay_state_history WHERE batch_id = :b"
        " GROUP BY essay_id",
        b=batch_id,
    )
    assert {h["n"] for h in history} == {2}  # registered, then assigned once


async def test_overdue_skips_empty_batches_so_they_cannot_starve_the_monitor(
    steps: Steps, uow_factory: UnitOfWorkFactory
) -> None:
    empty = [random_id() for _ in range(3)]
    for batch_id in empty:
        await steps.deliver(registered(batch_id, 2))
    with_content = random_id()
    await steps.deliver(registered(with_content, 2))
    await steps.deliver(provisioned(with_content, 0))

    async with uow_factory() as uow:
        overdue = await uow.batches.overdue(datetime.now(UTC) + timedelta(days=1), 10_000)

    assert with_content in overdue
    assert not set(empty) & set(overdue), "a batch with no content can never be announced"


async def test_concurrent_duplicates_take_one_slot(steps: Steps, els_engine: AsyncEngine) -> None:
    batch_id = random_id()
    await steps.deliver(registered(batch_id, 5))

    same = "ab" * 32
    await asyncio.gather(*(steps.deliver(provisioned(batch_id, n, sha=same)) for n in range(6)))

    held = await rows(
        els_engine,
        "SELECT essay_id FROM essays WHERE batch_id = :b AND content_sha256 = :s",
        b=batch_id,
        s=same,
    )
    assert len(held) == 1
    types = Counter(await outbox_types(els_engine))
    assert types["EssaySlotAssignedV1"] == 1
    assert types["TeacherNotificationRequestedV1"] == 5  # five duplicate notices


async def test_content_before_registration_is_assigned_when_it_arrives(
    steps: Steps, els_engine: AsyncEngine
) -> None:
    batch_id = random_id()
    early = [provisioned(batch_id, n) for n in range(2)]
    for env in early:
        await steps.deliver(env)
    assert (
        len(await rows(els_engine, "SELECT * FROM pending_content WHERE batch_id = :b", b=batch_id))
        == 2
    )
    assert await outbox_types(els_engine) == []

    await asyncio.gather(
        steps.deliver(registered(batch_id, 3)), steps.deliver(provisioned(batch_id, 2))
    )

    assert (
        await rows(els_engine, "SELECT * FROM pending_content WHERE batch_id = :b", b=batch_id)
        == []
    )
    essays = await rows(
        els_engine, "SELECT file_upload_id FROM essays WHERE batch_id = :b", b=batch_id
    )
    assert {e["file_upload_id"] for e in essays} >= {env.data.file_upload_id for env in early}
    assert all(e["file_upload_id"] for e in essays)
    types = Counter(await outbox_types(els_engine))
    assert (types["EssaySlotAssignedV1"], types["BatchEssaysReadyV1"]) == (3, 1)


async def test_concurrent_completions_emit_one_phase_outcome(
    steps: Steps, els_engine: AsyncEngine
) -> None:
    batch_id = random_id()
    registration = registered(batch_id, 4)
    await steps.deliver(registration)
    for n in range(4):
        await steps.deliver(provisioned(batch_id, n))
    essay_ids = registration.data.essay_ids
    await steps.deliver(
        wrap(
            BatchSpellcheckInitiateCommandV1(
                batch_id=batch_id,
                course_code=CourseCode.ENG6,
                language=Language.ENGLISH,
                essays=[EssayRef(essay_id=e, text_storage_id="") for e in essay_ids],
            )
        )
    )
    completions = [
        wrap(
            EssaySpellcheckCompletedV1(
                batch_id=batch_id,
                essay_id=essay_id,
                outcome=OperationOutcome.SUCCESS,
                language=Language.ENGLISH,
                original_text_storage_id="t",
                corrected_text_storage_id=f"c-{essay_id}",
            )
        )
        for essay_id in essay_ids
    ]

    await asyncio.gather(*(steps.deliver(env) for env in completions))
    await asyncio.gather(*(steps.deliver(env) for env in completions))  # redelivered

    types = Counter(await outbox_types(els_engine))
    assert types["EssaySpellcheckRequestedV1"] == 4
    assert types["ELSBatchPhaseOutcomeV1"] == 1
    [phase] = await rows(els_engine, "SELECT * FROM batch_phases WHERE batch_id = :b", b=batch_id)
    assert phase["status"] == "completed"
