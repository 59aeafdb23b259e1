"""The Spell Checker and a student's personal data, for real: the header (their name) is never
flagged, the corrected text is held by the batch and tied to its source, and an erasure with
`delete` removes their results once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.enums import CourseCode, EssayErasureMode, Language, OperationOutcome
from common_core.envelope import EventEnvelope
from common_core.events import (
    ErasedEssay,
    EssaySpellcheckRequestedV1,
    StudentErasureRequestedV1,
)
from common_core.topics import topic_for
from huleedu_service_libs.config import Environment
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_testing import random_id, random_suffix
from huleedu_testing.kafka_helpers import start_groups_at_end, wait_until
from huleedu_testing.servers import serve_in_background
from spellchecker_service.config import SpellcheckerSettings
from spellchecker_service.worker import create_worker_app

from .conftest import INTERNAL_KEY, REQUESTED_TOPIC, CompletedProbe, ContentServiceProcess

ESSAY = (
    "Namn: Åsa Öberg\nasa.oberg@elev.skola.se\nKlass: NA22b\n\n"
    "I think school is important becuase we learn many things there every single day."
)


@asynccontextmanager
async def running_worker(
    engine: AsyncEngine, content: ContentServiceProcess, bootstrap: str
) -> AsyncIterator[None]:
    group = f"spellchecker-it-{random_suffix()}"
    await start_groups_at_end(
        bootstrap,
        {
            f"{group}.spellcheck-requests": [REQUESTED_TOPIC],
            f"{group}.erasure": [topic_for(StudentErasureRequestedV1)],
        },
    )
    settings = SpellcheckerSettings(
        environment=Environment.TEST,
        internal_api_key=INTERNAL_KEY,
        content_service_url=content.url,
        content_max_attempts=1,
        kafka_consumer_group=group,
        outbox_poll_interval_seconds=0.5,
    )
    app, _runtime = create_worker_app(settings, engine)
    async with serve_in_background(app, settings):
        yield


async def scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as conn:
        return await conn.scalar(text(sql), params)


async def test_header_unflagged_corrected_text_tied_and_results_erased(
    spell_engine: AsyncEngine,
    content_engine: AsyncEngine,
    content_service: ContentServiceProcess,
    completed: CompletedProbe,
    kafka_producer: KafkaEventProducer,
    kafka_bootstrap: str,
) -> None:
    batch_id, essay_id = random_id(), random_id()
    text_id = await content_service.store(ESSAY.encode())
    request = EventEnvelope.wrap(
        EssaySpellcheckRequestedV1(
            batch_id=batch_id,
            essay_id=essay_id,
            text_storage_id=text_id,
            language=Language.ENGLISH,
            course_code=CourseCode.ENG5,
        ),
        source_service="it",
        correlation_id=random_id(),
    )
    async with running_worker(spell_engine, content_service, kafka_bootstrap):
        await kafka_producer.publish(request, key=batch_id)
        [done] = await completed.read(batch_id, expected=1)
        assert done.data.outcome is OperationOutcome.SUCCESS
        assert [m.word for m in done.data.misspellings] == ["becuase"]
        corrected = done.data.corrected_text_storage_id
        assert corrected is not None
        assert corrected != text_id
        held = await scalar(
            content_engine, "SELECT holder FROM content_holders WHERE content_id = :c", c=corrected
        )
        source = await scalar(
            content_engine,
            "SELECT source_id FROM content_derivations WHERE derived_id = :c",
            c=corrected,
        )
        assert (held, source) == (batch_id, text_id)

        erasure = EventEnvelope.wrap(
            StudentErasureRequestedV1(
                erasure_id=random_id(),
                student_id=random_id(),
                user_id="teacher",
                essay_mode=EssayErasureMode.DELETE,
                essays=[ErasedEssay(batch_id=batch_id, file_upload_id="u", essay_id=essay_id)],
            ),
            source_service="cms",
            correlation_id=random_id(),
        )
        await kafka_producer.publish(erasure, key=erasure.data.student_id)

        async def results_gone() -> bool:
            left = await scalar(
                spell_engine,
                "SELECT count(*) FROM spellcheck_results WHERE batch_id = :b",
                b=batch_id,
            )
            return int(left) == 0

        await wait_until(results_gone, what="the results' erasure")

    # What the File Service asks of the Content Service then takes the corrected text too.
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{content_service.url}/internal/v1/content/erasures",
            json={"holder": batch_id, "delete": [text_id]},
            headers={"X-Internal-API-Key": INTERNAL_KEY},
        ) as answer,
    ):
        assert (await answer.json())["deleted"] == 2
    assert await scalar(content_engine, "SELECT count(*) FROM content_items") == 0
