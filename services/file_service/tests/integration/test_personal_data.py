"""Personal data and the File Service, for real: what reaches Kafka, and a student's erasure
applied by the worker to file rows and to the Content Service's blobs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from quart import Quart
from sqlalchemy import text

from common_core.enums import EssayErasureMode
from common_core.envelope import EventEnvelope
from common_core.events import ErasedEssay, StudentErasureRequestedV1
from common_core.topics import topic_for
from file_service.worker import ERASURE_CONSUMER, create_worker_app
from huleedu_service_libs.crypto import KeyRing
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_testing import random_id, random_name
from huleedu_testing.kafka_helpers import start_groups_at_end, wait_until
from huleedu_testing.sample_files import docx_bytes, essay_text

from .conftest import INTERNAL_KEY, FileStack, KafkaProbe

pytestmark = pytest.mark.integration

NAME, EMAIL = "Åsa Öberg", "asa.oberg@elev.skola.se"
SECRETS = ("Åsa", "Öberg", "asa.oberg")
ERASURE_TOPIC = topic_for(StudentErasureRequestedV1)


def essay(header: str, seed: int) -> bytes:
    return docx_bytes(essay_text("sv", 300, header=header, seed=seed))


async def upload_two(stack: FileStack) -> tuple[dict[str, Any], dict[str, Any]]:
    """Åsa's essay (named after her) and Erik's, in the test's batch."""
    answer = await stack.client.upload(
        [
            (f"{NAME}.docx", essay(f"Namn: {NAME}\n{EMAIL}", 1)),
            ("Erik Lind.docx", essay("Namn: Erik Lind", 2)),
        ]
    )
    assert answer.status == 201, answer.body
    by_name = answer.files_by_name()
    return by_name[f"{NAME}.docx"], by_name["Erik Lind.docx"]


async def test_a_plain_consumer_of_the_file_topics_finds_no_name_or_email(
    stack: FileStack, kafka: KafkaProbe
) -> None:
    asa, _ = await upload_two(stack)

    assert await kafka.drain(stack.file_engine) > 0
    records = await kafka.read_new(lambda r: kafka.batch_id_of(r) == stack.batch_id, expected=6)

    assert records
    for record in records:
        raw = b"".join([record.value or b"", record.key or b"", *(v for _, v in record.headers)])
        for secret in SECRETS:
            assert secret.encode() not in raw, (record.topic, secret)
    [parsing] = [r for r in records if kafka.headers(r)["event_type"].startswith("StudentPars")]
    headers = kafka.decode("StudentParsingCompletedV1", parsing.value).data.parsed_headers
    keys = KeyRing(stack.settings.event_pii_keys)
    [header] = [h for h in headers if h.file_upload_id == asa["file_upload_id"]]
    assert keys.decrypt_text(header.student_name_ciphertext) == NAME
    assert keys.decrypt_text(header.student_email_ciphertext) == EMAIL
    assert keys.decrypt_text(header.original_file_name_ciphertext) == f"{NAME}.docx"


@pytest.fixture
async def worker(
    stack: FileStack, kafka_admin: AIOKafkaAdminClient, kafka_bootstrap: str
) -> AsyncIterator[Quart]:
    """The File Service worker on the test schema, its erasure group at the topic's end."""
    settings = stack.settings.model_copy(
        update={"kafka_consumer_group": random_name("file-it"), "outbox_poll_interval_seconds": 0.2}
    )
    group = f"{settings.kafka_consumer_group}.{ERASURE_CONSUMER}"
    await start_groups_at_end(kafka_bootstrap, {group: [ERASURE_TOPIC]}, admin=kafka_admin)
    app = create_worker_app(settings, stack.file_engine)
    async with app.test_app():
        yield app


def erasure(
    stack: FileStack, mode: EssayErasureMode, upload: dict[str, Any], terms: str | None
) -> EventEnvelope[Any]:
    data = StudentErasureRequestedV1(
        erasure_id=random_id(),
        student_id=random_id(),
        user_id=stack.user_id,
        essay_mode=mode,
        essays=[ErasedEssay(batch_id=stack.batch_id, file_upload_id=upload["file_upload_id"])],
        redaction_terms_ciphertext=terms,
    )
    return EventEnvelope.wrap(
        data, source_service="class_management_service", correlation_id=random_id()
    )


async def handled(stack: FileStack, envelope: EventEnvelope[Any]) -> bool:
    async with stack.file_engine.connect() as conn:
        found = await conn.scalar(
            text("SELECT count(*) FROM processed_events WHERE event_id = :id"),
            {"id": envelope.event_id},
        )
    return bool(found)


async def fetch(stack: FileStack, content_id: str) -> tuple[int, bytes]:
    url = f"{stack.settings.content_service_url}/internal/v1/content/{content_id}"
    async with (
        aiohttp.ClientSession() as http,
        http.get(url, headers={"X-Internal-API-Key": INTERNAL_KEY}) as response,
    ):
        return response.status, await response.read()


async def test_erasing_with_delete_removes_the_rows_and_blobs_of_their_essays_only(
    stack: FileStack, worker: Quart, kafka_producer: KafkaEventProducer
) -> None:
    asa, erik = await upload_two(stack)
    rows = {r["file_upload_id"]: r for r in await stack.file_rows()}
    mine = rows[asa["file_upload_id"]]
    envelope = erasure(stack, EssayErasureMode.DELETE, asa, None)

    await kafka_producer.publish(envelope, key=envelope.data.student_id)
    await wait_until(lambda: handled(stack, envelope), what="the erasure")

    left = {r["file_upload_id"] for r in await stack.file_rows()}
    assert left == {erik["file_upload_id"]}
    for content_id in (mine["raw_storage_id"], mine["text_storage_id"]):
        assert (await fetch(stack, content_id))[0] == 404
    theirs = rows[erik["file_upload_id"]]
    assert (await fetch(stack, theirs["text_storage_id"]))[0] == 200
    # A redelivery is a no-op (and the blobs it names are gone already).
    marker = erasure(stack, EssayErasureMode.DELETE, erik, None).model_copy(
        update={"data": envelope.data.model_copy(update={"essays": []})}
    )
    await kafka_producer.publish(envelope, key=envelope.data.student_id)
    await kafka_producer.publish(marker, key=envelope.data.student_id)
    await wait_until(lambda: handled(stack, marker), what="the marker after the repeat")
    assert {r["file_upload_id"] for r in await stack.file_rows()} == {erik["file_upload_id"]}


async def test_erasing_with_keep_relabels_the_file_and_redacts_the_text(
    stack: FileStack, worker: Quart, kafka_producer: KafkaEventProducer
) -> None:
    asa, _ = await upload_two(stack)
    [mine] = [r for r in await stack.file_rows() if r["file_upload_id"] == asa["file_upload_id"]]
    sealed = KeyRing(stack.settings.event_pii_keys).encrypt_text(
        f'["{NAME}", "Åsa", "Öberg", "{EMAIL}"]'
    )
    envelope = erasure(stack, EssayErasureMode.KEEP, asa, sealed)

    await kafka_producer.publish(envelope, key=envelope.data.student_id)
    await wait_until(lambda: handled(stack, envelope), what="the erasure")

    [row] = [r for r in await stack.file_rows() if r["file_upload_id"] == asa["file_upload_id"]]
    assert row["original_file_name"] == f"essay-{asa['file_upload_id'][:8]}.docx"
    assert (await fetch(stack, mine["raw_storage_id"]))[0] == 404
    status, kept = await fetch(stack, mine["text_storage_id"])
    assert status == 200
    for secret in SECRETS:
        assert secret.encode() not in kept, secret
    assert len(kept.decode()) > 200  # the essay itself is still there
