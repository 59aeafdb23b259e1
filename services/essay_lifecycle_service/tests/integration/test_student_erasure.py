"""A student's erasure in ELS on PostgreSQL: the worker deletes their essays' rows once; keeping
them relabels file names written before labels; another teacher's rows are never touched."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.enums import EssayErasureMode
from common_core.envelope import EventEnvelope
from common_core.events import ErasedEssay, StudentErasureRequestedV1
from common_core.topics import topic_for
from essay_lifecycle_service.adapters.tables import (
    batches,
    essay_state_history,
    essays,
    pending_content,
    phase_essays,
    validation_failures,
)
from essay_lifecycle_service.config import EssayLifecycleSettings
from essay_lifecycle_service.di import make_uow_factory
from essay_lifecycle_service.domain.erasure import erase_essays
from essay_lifecycle_service.domain.events import EventFactory
from essay_lifecycle_service.worker import PHASE_EVENTS, SLOT_EVENTS, create_worker_app
from huleedu_service_libs.consumer import StepRunner
from huleedu_service_libs.db import make_session_factory
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_testing import random_id
from huleedu_testing.kafka_helpers import start_groups_at_end, wait_until

from .conftest import rows

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)
ASA_FILE = "Åsa Öberg.docx"


async def seed(engine: AsyncEngine, user_id: str) -> dict[str, str]:
    """A batch with Åsa's essay (slot 0, spell checked), Erik's (slot 1), a failed upload of
    Åsa's and content parked for a batch not registered yet."""
    ids = {
        "batch": random_id(),
        "asa_essay": random_id(),
        "erik_essay": random_id(),
        "asa_upload": random_id(),
        "erik_upload": random_id(),
        "asa_failed": random_id(),
        "parked_batch": random_id(),
        "asa_parked": random_id(),
    }
    b = ids["batch"]
    async with engine.begin() as conn:
        await conn.execute(
            insert(batches).values(
                batch_id=b,
                user_id=user_id,
                course_code="ENG5",
                expected_count=2,
                readiness_deadline=NOW + timedelta(hours=1),
                ready_at=NOW,
            )
        )
        for slot, (essay, upload, name) in enumerate(
            [
                (ids["asa_essay"], ids["asa_upload"], ASA_FILE),
                (ids["erik_essay"], ids["erik_upload"], "Erik.docx"),
            ]
        ):
            await conn.execute(
                insert(essays).values(
                    essay_id=essay,
                    batch_id=b,
                    slot_index=slot,
                    status="completed",
                    file_upload_id=upload,
                    original_file_name=name,
                    text_storage_id=random_id(),
                    raw_storage_id=random_id(),
                    content_sha256=random_id(),
                )
            )
            await conn.execute(
                insert(essay_state_history).values(
                    essay_id=essay, batch_id=b, to_status="completed", event="x", at=NOW
                )
            )
            await conn.execute(
                insert(phase_essays).values(
                    batch_id=b, phase="spellcheck", essay_id=essay, outcome="success"
                )
            )
        await conn.execute(
            insert(validation_failures).values(
                batch_id=b,
                file_upload_id=ids["asa_failed"],
                original_file_name=f"{ASA_FILE}.pdf",
                error_code="CORRUPT_FILE",
            )
        )
        await conn.execute(
            insert(pending_content).values(
                batch_id=ids["parked_batch"],
                file_upload_id=ids["asa_parked"],
                original_file_name=ASA_FILE,
                text_storage_id=random_id(),
                raw_storage_id=random_id(),
                content_sha256=random_id(),
            )
        )
    return ids


def erasure(user_id: str, ids: dict[str, str], mode: EssayErasureMode) -> EventEnvelope[Any]:
    data = StudentErasureRequestedV1(
        erasure_id=random_id(),
        student_id=random_id(),
        user_id=user_id,
        essay_mode=mode,
        essays=[
            ErasedEssay(
                batch_id=ids["batch"], file_upload_id=ids["asa_upload"], essay_id=ids["asa_essay"]
            ),
            ErasedEssay(batch_id=ids["batch"], file_upload_id=ids["asa_failed"]),
            ErasedEssay(batch_id=ids["parked_batch"], file_upload_id=ids["asa_parked"]),
        ],
    )
    return EventEnvelope.wrap(data, source_service="cms", correlation_id=random_id())


async def everything(engine: AsyncEngine) -> str:
    """Every row of the lifecycle tables as text (what a database dump would show)."""
    found = []
    for table in (
        "essays",
        "essay_state_history",
        "phase_essays",
        "validation_failures",
        "pending_content",
    ):
        found.extend(str(r) for r in await rows(engine, f"SELECT * FROM {table}"))
    return "\n".join(found)


@pytest.fixture
async def worker(
    els_settings: EssayLifecycleSettings,
    els_engine: AsyncEngine,
    kafka_admin: AIOKafkaAdminClient,
    kafka_bootstrap: str,
) -> AsyncIterator[None]:
    group = els_settings.kafka_consumer_group
    # Every group of the worker starts at the end: it must not replay other tests' history.
    groups = {
        f"{group}.slots": [topic_for(m) for m in SLOT_EVENTS],
        f"{group}.phases": [topic_for(m) for m in PHASE_EVENTS],
        f"{group}.erasure": [topic_for(StudentErasureRequestedV1)],
    }
    await start_groups_at_end(kafka_bootstrap, groups, admin=kafka_admin)
    app, _runtime = create_worker_app(els_settings, els_engine)
    async with app.test_app():
        yield


async def test_the_worker_deletes_every_row_of_their_essays_once(
    els_engine: AsyncEngine, worker: None, kafka_producer: KafkaEventProducer
) -> None:
    user = f"teacher-{random_id()}"
    ids = await seed(els_engine, user)
    envelope = erasure(user, ids, EssayErasureMode.DELETE)

    await kafka_producer.publish(envelope, key=envelope.data.student_id)

    async def handled() -> bool:
        found = await rows(
            els_engine, "SELECT 1 FROM processed_events WHERE event_id = :e", e=envelope.event_id
        )
        return bool(found)

    await wait_until(handled, what="the erasure")
    dump = await everything(els_engine)
    for gone in (
        ids["asa_essay"],
        ids["asa_upload"],
        ids["asa_failed"],
        ids["asa_parked"],
        "Öberg",
    ):
        assert gone not in dump, gone
    assert ids["erik_essay"] in dump
    assert len(await rows(els_engine, "SELECT * FROM phase_essays")) == 1


async def test_keeping_relabels_names_and_leaves_other_teachers_alone(
    els_engine: AsyncEngine,
) -> None:
    user = f"teacher-{random_id()}"
    ids = await seed(els_engine, user)
    runner = StepRunner(
        make_uow_factory(make_session_factory(els_engine)),
        consumer="els",
        source_service="els",
        events=EventFactory,
    )

    async def apply(envelope: EventEnvelope[Any]) -> None:
        assert await runner.run(envelope, erase_essays)

    # Another teacher's erasure naming these ids changes nothing but parked content.
    await apply(erasure("someone-else", ids, EssayErasureMode.DELETE))
    assert len(await rows(els_engine, "SELECT * FROM essays")) == 2

    await apply(erasure(user, ids, EssayErasureMode.KEEP))

    dump = await everything(els_engine)
    assert "Öberg" not in dump
    [asa] = await rows(els_engine, "SELECT * FROM essays WHERE essay_id = :e", e=ids["asa_essay"])
    assert asa["original_file_name"] == f"essay-{ids['asa_upload'][:8]}.docx"
    assert asa["status"] == "completed"
    [failed] = await rows(els_engine, "SELECT original_file_name FROM validation_failures")
    assert failed["original_file_name"] == f"essay-{ids['asa_failed'][:8]}.pdf"
    assert "Erik.docx" in dump
