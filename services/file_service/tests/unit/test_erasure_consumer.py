"""The worker's erasure consumer: the step runs once per event id under the service's inbox name;
a Content Service outage is retried (transient), unreadable terms go to the DLQ at once, and
neither keeps the claim."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest

from common_core.enums import EssayErasureMode
from common_core.envelope import EventEnvelope
from common_core.events import ErasedEssay, StudentErasureRequestedV1
from file_service.domain.erasure import EraseStudentFiles
from file_service.worker import erasure_handler
from huleedu_service_libs.crypto import KeyRing, generate_key
from huleedu_service_libs.kafka.retry_policy import PoisonMessageError, RetryPolicy, TransientError

from .erasure_fakes import TEACHER, FakeContent, FakeFiles, FakeUnitOfWork, files

pytestmark = pytest.mark.unit

KEYS = KeyRing(generate_key())
CONSUMER = "file_service"


def erasure(mode: EssayErasureMode, sealed_with: KeyRing = KEYS) -> EventEnvelope[Any]:
    data = StudentErasureRequestedV1(
        erasure_id="er-1",
        student_id="s-1",
        user_id=TEACHER,
        essay_mode=mode,
        essays=[ErasedEssay(batch_id="b1", file_upload_id="u1")],
        redaction_terms_ciphertext=sealed_with.encrypt_text(json.dumps(["Åsa Öberg"])),
    )
    return EventEnvelope.wrap(data, source_service="cms", correlation_id="c-1")


class Consumer:
    """The handler as the worker registers it, over the fakes."""

    def __init__(self) -> None:
        self.inbox: set[tuple[str, UUID]] = set()
        self.rows: FakeFiles = files()
        self.content = FakeContent()
        step = EraseStudentFiles(lambda: self.content, KEYS)
        self.handle = erasure_handler(lambda: FakeUnitOfWork(self.inbox, self.rows), step, CONSUMER)


async def test_an_erasure_is_applied_once_per_event_id() -> None:
    consumer = Consumer()
    envelope = erasure(EssayErasureMode.DELETE)

    await consumer.handle(envelope)
    await consumer.handle(envelope)  # redelivered

    assert consumer.content.calls == [("b1", ["raw-u1", "text-u1"], [], [])]
    assert "u1" not in consumer.rows.rows
    assert consumer.inbox == {(CONSUMER, envelope.event_id)}


async def test_a_content_outage_is_transient_and_leaves_no_claim() -> None:
    consumer = Consumer()
    envelope = erasure(EssayErasureMode.DELETE)
    consumer.content.down = True

    with pytest.raises(TransientError) as caught:
        await consumer.handle(envelope)
    assert RetryPolicy().is_transient(caught.value)
    assert consumer.inbox == set()
    assert "u1" in consumer.rows.rows

    consumer.content.down = False
    await consumer.handle(envelope)
    assert consumer.inbox == {(CONSUMER, envelope.event_id)}


async def test_terms_no_key_opens_are_poison_and_leave_no_claim() -> None:
    consumer = Consumer()
    envelope = erasure(EssayErasureMode.KEEP, sealed_with=KeyRing(generate_key()))

    with pytest.raises(PoisonMessageError):
        await consumer.handle(envelope)
    assert (consumer.inbox, consumer.content.calls) == (set(), [])
