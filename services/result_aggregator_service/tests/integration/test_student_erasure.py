"""A student's erasure in the Result Aggregator on PostgreSQL and Kafka: the worker's erasure
consumer deletes their results (and refused uploads) once, or relabels what kept results name."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.enums import EssayErasureMode
from common_core.envelope import EventEnvelope
from common_core.events import ErasedEssay, StudentErasureRequestedV1
from common_core.topics import topic_for
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_testing import random_id
from huleedu_testing.kafka_helpers import start_groups_at_end, wait_until
from result_aggregator_service.adapters.tables import result_batches, result_essays
from result_aggregator_service.config import ResultAggregatorSettings
from result_aggregator_service.worker import CONSUMED_TOPICS, create_worker_app

from .conftest import rows

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)


async def seed(engine: AsyncEngine, user_id: str) -> dict[str, str]:
    """A batch with Åsa's and Erik's results and a refused upload of Åsa's (named before
    labels, as old rows were)."""
    ids = {k: random_id() for k in ("batch", "asa", "asa_upload", "erik", "refused")}
    async with engine.begin() as conn:
        await conn.execute(
            insert(result_batches).values(
                batch_id=ids["batch"],
                user_id=user_id,
                course_code="ENG5",
                status="completed",
                registered=True,
                created_at=NOW,
                updated_at=NOW,
                rejected_files=[
                    {
                        "file_upload_id": ids["refused"],
                        "filename": "Åsa Öberg kopia.docx",
                        "error_code": "DUPLICATE_FILE",
                        "message": 'Åsa Öberg kopia.docx repeats "x.docx".',
                    },
                    {"file_upload_id": "other", "filename": "Erik.pdf", "error_code": "E"},
                ],
            )
        )
        for essay, upload, name in (
            (ids["asa"], ids["asa_upload"], "Åsa Öberg.docx"),
            (ids["erik"], random_id(), "Erik.docx"),
        ):
            await conn.execute(
                insert(result_essays).values(
                    batch_id=ids["batch"],
                    essay_id=essay,
                    status="completed",
                    status_at=NOW,
                    file_upload_id=upload,
                    filename=name,
                    misspellings=[{"word": "Öberg", "start": 6, "end": 11, "suggestions": []}],
                    updated_at=NOW,
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
                batch_id=ids["batch"], file_upload_id=ids["asa_upload"], essay_id=ids["asa"]
            ),
            ErasedEssay(batch_id=ids["batch"], file_upload_id=ids["refused"]),
        ],
    )
    return EventEnvelope.wrap(data, source_service="cms", correlation_id=random_id())


@pytest.fixture
async def worker(
    ras_settings: ResultAggregatorSettings,
    ras_engine: AsyncEngine,
    kafka_admin: AIOKafkaAdminClient,
    kafka_bootstrap: str,
) -> AsyncIterator[None]:
    views = ras_settings.kafka_consumer_group
    await start_groups_at_end(
        kafka_bootstrap,
        {views: CONSUMED_TOPICS, f"{views}.erasure": [topic_for(StudentErasureRequestedV1)]},
        admin=kafka_admin,
    )
    app, _runtime = create_worker_app(ras_settings, ras_engine)
    async with app.test_app():
        yield


async def apply(
    engine: AsyncEngine, producer: KafkaEventProducer, envelope: EventEnvelope[Any]
) -> None:
    await producer.publish(envelope, key=envelope.data.student_id)

    async def handled() -> bool:
        return bool(
            await rows(
                engine, "SELECT 1 FROM processed_events WHERE event_id = :e", e=envelope.event_id
            )
        )

    await wait_until(handled, what="the erasure")


async def test_delete_removes_their_results_and_refused_uploads(
    ras_engine: AsyncEngine, worker: None, kafka_producer: KafkaEventProducer
) -> None:
    user = f"teacher-{random_id()}"
    ids = await seed(ras_engine, user)

    await apply(ras_engine, kafka_producer, erasure("someone-else", ids, EssayErasureMode.DELETE))
    assert len(await rows(ras_engine, "SELECT * FROM result_essays")) == 2  # not theirs
    await apply(ras_engine, kafka_producer, erasure(user, ids, EssayErasureMode.DELETE))

    essays = await rows(ras_engine, "SELECT essay_id FROM result_essays")
    assert [e["essay_id"] for e in essays] == [ids["erik"]]
    [batch] = await rows(ras_engine, "SELECT rejected_files FROM result_batches")
    assert [f["file_upload_id"] for f in batch["rejected_files"]] == ["other"]


async def test_keep_relabels_what_names_the_student(
    ras_engine: AsyncEngine, worker: None, kafka_producer: KafkaEventProducer
) -> None:
    user = f"teacher-{random_id()}"
    ids = await seed(ras_engine, user)

    await apply(ras_engine, kafka_producer, erasure(user, ids, EssayErasureMode.KEEP))

    [asa] = await rows(
        ras_engine, "SELECT filename, status FROM result_essays WHERE essay_id = :e", e=ids["asa"]
    )
    assert asa == {"filename": f"essay-{ids['asa_upload'][:8]}.docx", "status": "completed"}
    [batch] = await rows(ras_engine, "SELECT rejected_files FROM result_batches")
    refused, other = batch["rejected_files"]
    label = f"essay-{ids['refused'][:8]}.docx"
    assert (refused["filename"], refused["message"]) == (label, f'{label} repeats "x.docx".')
    assert other["filename"] == "Erik.pdf"
