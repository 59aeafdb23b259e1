"""Requests in, completed events out: real worker runtime, PostgreSQL, Kafka, Content Service."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.enums import CourseCode, Language, OperationOutcome
from common_core.envelope import EventEnvelope
from common_core.events import EssaySpellcheckRequestedV1
from huleedu_service_libs.config import Environment
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_testing import random_id, random_suffix
from huleedu_testing.kafka_helpers import wait_until
from huleedu_testing.servers import serve_in_background
from spellchecker_service.config import SpellcheckerSettings
from spellchecker_service.worker import create_worker_app

from .conftest import (
    INTERNAL_KEY,
    REQUESTED_TOPIC,
    CompletedProbe,
    ContentServiceProcess,
    start_group_at_end,
)

EN_TEXT = "I think school is important becuase we recieve alot of knowledge in Stockholm."
# "passande" and "helgen" are valid words the previous engine (spylls) flagged.
SV_TEXT = (
    "Jag tycker att skolan är viktig eftersomm man lär sig mycket. Tyvär regnade det, "
    "men helgen var passande."
)


@asynccontextmanager
async def running_worker(
    engine: AsyncEngine,
    content: ContentServiceProcess,
    bootstrap: str,
    group: str | None = None,
    worker_processes: int = 1,
) -> AsyncIterator[str]:
    """The worker app (runtime started) with a fresh consumer group starting at the end."""
    group = group or f"spellchecker-it-{random_suffix()}"
    await start_group_at_end(bootstrap, f"{group}.spellcheck-requests", REQUESTED_TOPIC)
    settings = SpellcheckerSettings(
        environment=Environment.TEST,
        internal_api_key=INTERNAL_KEY,
        content_service_url=content.url,
        content_max_attempts=1,
        content_timeout_seconds=2.0,
        kafka_consumer_group=group,
        outbox_poll_interval_seconds=0.5,
        worker_processes=worker_processes,
    )
    app, _runtime = create_worker_app(settings, engine)
    async with serve_in_background(app, settings) as url:
        yield url


def request(batch_id: str, text_id: str, language: Language) -> EventEnvelope[Any]:
    data = EssaySpellcheckRequestedV1(
        batch_id=batch_id,
        essay_id=random_id(),
        text_storage_id=text_id,
        language=language,
        course_code=CourseCode.ENG6 if language is Language.ENGLISH else CourseCode.SV2,
    )
    return EventEnvelope.wrap(data, source_service="it", correlation_id=random_id())


async def result_rows(engine: AsyncEngine, batch_id: str) -> int:
    async with engine.connect() as conn:
        count = await conn.scalar(
            text("SELECT count(*) FROM spellcheck_results WHERE batch_id = :b"), {"b": batch_id}
        )
    return int(count or 0)


async def test_two_essays_are_checked_once_each(
    spell_engine: AsyncEngine,
    content_service: ContentServiceProcess,
    completed: CompletedProbe,
    kafka_producer: KafkaEventProducer,
    kafka_bootstrap: str,
) -> None:
    batch_id = random_id()
    en_id = await content_service.store(EN_TEXT.encode())
    sv_id = await content_service.store(SV_TEXT.encode())
    en_request = request(batch_id, en_id, Language.ENGLISH)
    sv_request = request(batch_id, sv_id, Language.SWEDISH)
    async with running_worker(spell_engine, content_service, kafka_bootstrap):
        await kafka_producer.publish(en_request, key=batch_id)
        await kafka_producer.publish(sv_request, key=batch_id)
        events = await completed.read(batch_id, expected=2)
        assert len(events) == 2
        by_language = {e.data.language: e.data for e in events}
        en, sv = by_language[Language.ENGLISH], by_language[Language.SWEDISH]
        assert en.outcome is OperationOutcome.SUCCESS
        assert sv.outcome is OperationOutcome.SUCCESS
        assert [m.word for m in en.misspellings] == ["becuase", "recieve", "alot"]
        assert [m.word for m in sv.misspellings] == ["eftersomm", "Tyvär"]
        for event, original in ((en, EN_TEXT), (sv, SV_TEXT)):
            for m in event.misspellings:
                assert original[m.start : m.end] == m.word
        assert en.corrected_text_storage_id is not None
        assert sv.corrected_text_storage_id is not None
        assert (await content_service.fetch(en.corrected_text_storage_id)).decode() == (
            "I think school is important because we receive a lot of knowledge in Stockholm."
        )
        assert (await content_service.fetch(sv.corrected_text_storage_id)).decode() == (
            "Jag tycker att skolan är viktig eftersom man lär sig mycket. Tyvärr regnade det, "
            "men helgen var passande."
        )
        assert all(
            e.correlation_id in {en_request.correlation_id, sv_request.correlation_id}
            for e in events
        )

        # Redelivery of a request: no second result.
        await kafka_producer.publish(en_request, key=batch_id)
        await asyncio.sleep(3.0)
        again = await completed.read(batch_id, expected=3, timeout_seconds=5.0, settle=0.0)
        assert len(again) == 2
        assert await result_rows(spell_engine, batch_id) == 2


async def test_request_survives_a_content_service_outage(
    spell_engine: AsyncEngine,
    content_service: ContentServiceProcess,
    completed: CompletedProbe,
    kafka_producer: KafkaEventProducer,
    kafka_bootstrap: str,
) -> None:
    batch_id = random_id()
    text_id = await content_service.store(EN_TEXT.encode())
    async with running_worker(spell_engine, content_service, kafka_bootstrap):
        await content_service.stop()
        await kafka_producer.publish(request(batch_id, text_id, Language.ENGLISH), key=batch_id)
        early = await completed.read(batch_id, expected=1, timeout_seconds=6.0, settle=0.0)
        assert early == []
        await content_service.start()
        [event] = await completed.read(batch_id, expected=1, timeout_seconds=60.0)
        assert event.data.outcome is OperationOutcome.SUCCESS
        assert event.data.correction_count == 3


async def test_a_redelivery_is_a_duplicate_without_fetching_the_text_again(
    spell_engine: AsyncEngine,
    content_service: ContentServiceProcess,
    completed: CompletedProbe,
    kafka_producer: KafkaEventProducer,
    kafka_bootstrap: str,
) -> None:
    batch_id = random_id()
    group = f"spellchecker-it-{random_suffix()}"
    text_id = await content_service.store(EN_TEXT.encode())
    envelope = request(batch_id, text_id, Language.ENGLISH)
    labels = {
        "service": "spellchecker_service",
        "group": f"{group}.spellcheck-requests",
        "topic": REQUESTED_TOPIC,
        "outcome": "duplicate",
    }
    async with running_worker(spell_engine, content_service, kafka_bootstrap, group):
        await kafka_producer.publish(envelope, key=batch_id)
        assert len(await completed.read(batch_id, expected=1, settle=0.0)) == 1
        # Were the text fetched again, this would be a Content Service outage, retried for
        # minutes; the inbox read recognises the redelivery first.
        await content_service.stop()
        await kafka_producer.publish(envelope, key=batch_id)

        def duplicate_counted() -> bool:
            return REGISTRY.get_sample_value("huleedu_kafka_messages_total", labels) == 1

        await wait_until(duplicate_counted, timeout_seconds=20, what="the duplicate to be counted")
    assert await result_rows(spell_engine, batch_id) == 1


async def test_two_worker_processes_check_every_essay_once(
    spell_engine: AsyncEngine,
    content_service: ContentServiceProcess,
    completed: CompletedProbe,
    kafka_producer: KafkaEventProducer,
    kafka_bootstrap: str,
) -> None:
    en_id = await content_service.store(EN_TEXT.encode())
    sv_id = await content_service.store(SV_TEXT.encode())
    batches = [random_id() for _ in range(4)]  # keys spread over the topic's partitions
    async with running_worker(spell_engine, content_service, kafka_bootstrap, None, 2):
        for batch_id in batches:
            await kafka_producer.publish(request(batch_id, en_id, Language.ENGLISH), key=batch_id)
            await kafka_producer.publish(request(batch_id, sv_id, Language.SWEDISH), key=batch_id)
        for batch_id in batches:
            events = await completed.read(batch_id, expected=2, settle=0.5)
            assert sorted(e.data.language.value for e in events) == ["en", "sv"]
            assert all(e.data.outcome is OperationOutcome.SUCCESS for e in events)
            by_language = {e.data.language: e.data for e in events}
            assert [m.word for m in by_language[Language.ENGLISH].misspellings] == [
                "becuase",
                "recieve",
                "alot",
            ]
            assert await result_rows(spell_engine, batch_id) == 2
