"""Requests in, completed events out: the real worker runtime, PostgreSQL, Kafka, LanguageTool
and Content Service; LanguageTool unreachable and back; long essays; erasure."""

from __future__ import annotations

import asyncio

import aiohttp
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.enums import EssayErasureMode, Language, OperationOutcome
from common_core.envelope import EventEnvelope
from common_core.events import ErasedEssay, StudentErasureRequestedV1
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_testing import random_id
from huleedu_testing.kafka_helpers import wait_until
from huleedu_testing.servers import free_port

from .conftest import (
    REQUESTED_TOPIC,
    CompletedProbe,
    ContentServiceProcess,
    grammar_request,
    new_group,
    result_rows,
    running_worker,
    start_at_end,
)

# Written for these tests: a header naming the student, a grammar error after two emoji, a
# misspelling ("techer") that is the Spell Checker's, and a confused word ("to tired").
EN_ESSAY = (
    "Namn: Selma Lindqvist\nKlass: 9B\n\n"
    "We won the match 🏆🎉 and everyone was happy. He go home every day after school. "
    "Our techer was to tired to celebrate with us, but she smiled."
)
SV_ESSAY = (
    "Namn: Olle Berg\n\n"
    "Förra sommaren köpte mina föräldrar en nytt hus nära sjön. Vi badade varje dag."
)


async def committed_offsets(admin: AIOKafkaAdminClient, group: str) -> dict[int, int]:
    """The group's committed offset per partition of the request topic."""
    offsets = await admin.list_consumer_group_offsets(group)
    return {
        tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == REQUESTED_TOPIC
    }


async def ready_status(url: str) -> int:
    """The HTTP status of the worker's readiness probe."""
    async with aiohttp.ClientSession() as http, http.get(f"{url}/healthz/ready") as response:
        return response.status


async def test_two_essays_are_checked_once_each(
    grammar_engine: AsyncEngine,
    content_service: ContentServiceProcess,
    completed: CompletedProbe,
    kafka_producer: KafkaEventProducer,
    kafka_bootstrap: str,
    languagetool_url: str,
) -> None:
    batch_id = random_id()
    en_request = grammar_request(
        batch_id, await content_service.store(EN_ESSAY.encode()), Language.ENGLISH
    )
    sv_request = grammar_request(
        batch_id, await content_service.store(SV_ESSAY.encode()), Language.SWEDISH
    )
    group = new_group()
    await start_at_end(kafka_bootstrap, group)
    async with running_worker(
        grammar_engine, content_service, kafka_bootstrap, group, languagetool_url
    ):
        await kafka_producer.publish(en_request, key=batch_id)
        await kafka_producer.publish(sv_request, key=batch_id)
        events = await completed.read(batch_id, expected=2)
        assert len(events) == 2
        by_language = {e.data.language: e.data for e in events}
        en, sv = by_language[Language.ENGLISH], by_language[Language.SWEDISH]
        assert (en.outcome, sv.outcome) == (OperationOutcome.SUCCESS, OperationOutcome.SUCCESS)
        for event, essay in ((en, EN_ESSAY), (sv, SV_ESSAY)):
            for m in event.matches:
                assert essay[m.start : m.end] == m.text
                assert m.start > essay.index("\n\n")  # nothing in the header
                assert m.category != "TYPOS"
        assert any((m.text, m.rule_id) == ("go", "HE_VERB_AGR") for m in en.matches)
        assert any(m.rule_id == "TO_TOO" for m in en.matches)
        assert not any("techer" in m.text for m in en.matches)
        assert any(m.text == "en nytt hus" for m in sv.matches)
        assert en.word_count > 20
        assert {e.correlation_id for e in events} == {
            en_request.correlation_id,
            sv_request.correlation_id,
        }

        # Redelivery of a request: no second result.
        await kafka_producer.publish(en_request, key=batch_id)
        await asyncio.sleep(3.0)
        again = await completed.read(batch_id, expected=3, timeout_seconds=5.0, settle=0.0)
        assert len(again) == 2
        assert await result_rows(grammar_engine, batch_id) == 2


async def test_a_teachers_disabled_category_is_not_reported(
    grammar_engine: AsyncEngine,
    content_service: ContentServiceProcess,
    completed: CompletedProbe,
    kafka_producer: KafkaEventProducer,
    kafka_bootstrap: str,
    languagetool_url: str,
) -> None:
    batch_id = random_id()
    text_id = await content_service.store(EN_ESSAY.encode())
    group = new_group()
    await start_at_end(kafka_bootstrap, group)
    async with running_worker(
        grammar_engine, content_service, kafka_bootstrap, group, languagetool_url
    ):
        await kafka_producer.publish(
            grammar_request(batch_id, text_id, Language.ENGLISH, ["CONFUSED_WORDS"]), key=batch_id
        )
        [event] = await completed.read(batch_id, expected=1)
    assert event.data.outcome is OperationOutcome.SUCCESS
    assert event.data.matches
    assert all(m.category != "CONFUSED_WORDS" for m in event.data.matches)


async def test_languagetool_unreachable_then_back_loses_nothing(
    grammar_engine: AsyncEngine,
    content_service: ContentServiceProcess,
    completed: CompletedProbe,
    kafka_producer: KafkaEventProducer,
    kafka_bootstrap: str,
    kafka_admin: AIOKafkaAdminClient,
    languagetool_url: str,
) -> None:
    batch_id = random_id()
    text_id = await content_service.store(EN_ESSAY.encode())
    group = new_group()
    await start_at_end(kafka_bootstrap, group)
    requests_group = f"{group}.grammar-requests"
    partitions_before = await committed_offsets(kafka_admin, requests_group)
    closed_port = f"http://127.0.0.1:{free_port()}"
    async with running_worker(
        grammar_engine, content_service, kafka_bootstrap, group, closed_port
    ) as url:
        await kafka_producer.publish(
            grammar_request(batch_id, text_id, Language.ENGLISH), key=batch_id
        )
        early = await completed.read(batch_id, expected=1, timeout_seconds=8.0, settle=0.0)
        assert early == []
        assert await result_rows(grammar_engine, batch_id) == 0
        # Retried as transient, the offset not committed: the request is still to be read.
        assert await committed_offsets(kafka_admin, requests_group) == partitions_before
        # Readiness names LanguageTool (and the warm-up loop) as down.
        assert await ready_status(url) == 503
    # The same group, LanguageTool reachable: the request is read again and completes.
    async with running_worker(
        grammar_engine, content_service, kafka_bootstrap, group, languagetool_url
    ):
        [event] = await completed.read(batch_id, expected=1)
    assert event.data.outcome is OperationOutcome.SUCCESS
    assert event.data.matches
    assert await result_rows(grammar_engine, batch_id) == 1


async def test_a_long_essay_is_checked_in_chunks_and_a_too_long_one_fails_clearly(
    grammar_engine: AsyncEngine,
    content_service: ContentServiceProcess,
    completed: CompletedProbe,
    kafka_producer: KafkaEventProducer,
    kafka_bootstrap: str,
    languagetool_url: str,
) -> None:
    paragraph = (
        "Yesterday he go to the library for hours. They read many books about "
        "history and wrote notes in their notebooks 📚 before the bell rang.\n\n"
    )
    long_essay = paragraph * 40  # ~6,000 characters, three chunks of at most 2,500
    batch_id = random_id()
    long_id = await content_service.store(long_essay.encode())
    too_long_id = await content_service.store((paragraph * 200).encode())
    group = new_group()
    await start_at_end(kafka_bootstrap, group)
    async with running_worker(
        grammar_engine,
        content_service,
        kafka_bootstrap,
        group,
        languagetool_url,
        languagetool_chunk_chars=2_500,
        max_text_chars=20_000,
    ):
        await kafka_producer.publish(
            grammar_request(batch_id, long_id, Language.ENGLISH), key=batch_id
        )
        await kafka_producer.publish(
            grammar_request(batch_id, too_long_id, Language.ENGLISH), key=batch_id
        )
        events = await completed.read(batch_id, expected=2)
    by_text = {e.data.text_storage_id: e.data for e in events}
    long_result, too_long = by_text[long_id], by_text[too_long_id]
    assert long_result.outcome is OperationOutcome.SUCCESS
    assert [m.text for m in long_result.matches] == ["go"] * 40
    assert all(long_essay[m.start : m.end] == m.text for m in long_result.matches)
    assert too_long.outcome is OperationOutcome.FAILURE
    assert "longer than 20000 characters" in (too_long.error_message or "")


async def test_erasure_with_delete_removes_the_results(
    grammar_engine: AsyncEngine,
    content_service: ContentServiceProcess,
    completed: CompletedProbe,
    kafka_producer: KafkaEventProducer,
    kafka_bootstrap: str,
    languagetool_url: str,
) -> None:
    batch_id = random_id()
    request = grammar_request(
        batch_id, await content_service.store(EN_ESSAY.encode()), Language.ENGLISH
    )
    group = new_group()
    await start_at_end(kafka_bootstrap, group)
    async with running_worker(
        grammar_engine, content_service, kafka_bootstrap, group, languagetool_url
    ):
        await kafka_producer.publish(request, key=batch_id)
        await completed.read(batch_id, expected=1, settle=0.0)
        assert await result_rows(grammar_engine, batch_id) == 1
        erasure = StudentErasureRequestedV1(
            erasure_id=random_id(),
            student_id=random_id(),
            user_id=random_id(),
            essay_mode=EssayErasureMode.DELETE,
            essays=[
                ErasedEssay(batch_id=batch_id, file_upload_id="u", essay_id=request.data.essay_id)
            ],
        )
        await kafka_producer.publish(
            EventEnvelope.wrap(erasure, source_service="it", correlation_id=random_id()),
            key=erasure.student_id,
        )

        async def erased() -> bool:
            return await result_rows(grammar_engine, batch_id) == 0

        await wait_until(erased, timeout_seconds=30, what="the results to be erased")
