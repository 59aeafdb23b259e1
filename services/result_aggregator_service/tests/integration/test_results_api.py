"""The internal API over views written by the real handlers on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from quart.typing import TestClientProtocol as QuartClient
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.enums import BatchStatus, CourseCode, Language, OperationOutcome
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysRegisteredV1,
    EssaySlotAssignedV1,
    EssaySpellcheckCompletedV1,
)
from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.db import make_session_factory
from huleedu_testing import random_id, sample_event
from huleedu_testing.bos_stub import BosStub
from huleedu_testing.content_service import (
    content_service_engine,
    serve_content_service,
)
from result_aggregator_service.adapters.http_session import LazyHttpSession
from result_aggregator_service.app import create_app
from result_aggregator_service.config import ResultAggregatorSettings
from result_aggregator_service.di import make_bos_client, make_uow_factory
from result_aggregator_service.domain.steps import make_runner
from result_aggregator_service.worker import build_dispatcher

from .conftest import INTERNAL_KEY

pytestmark = pytest.mark.integration


class Teacher:
    """Writes views through the real handlers (no Kafka) and reads them over the API."""

    def __init__(self, deliver: Any, client: QuartClient, user_id: str) -> None:
        self.deliver = deliver
        self.client = client
        self.user_id = user_id

    async def register(
        self, minutes: int, essays: int = 2, user_id: str | None = None
    ) -> BatchEssaysRegisteredV1:
        data = sample_event(BatchEssaysRegisteredV1).model_copy(
            update={
                "user_id": user_id or self.user_id,
                "expected_essay_count": essays,
                "essay_ids": [random_id() for _ in range(essays)],
            }
        )
        envelope = EventEnvelope.wrap(data, source_service="it", correlation_id=random_id())
        await self.deliver(
            envelope.model_copy(
                update={"event_timestamp": envelope.event_timestamp + timedelta(minutes=minutes)}
            )
        )
        return data

    async def get(self, path: str, user_id: str | None = None) -> tuple[int, Any, Any]:
        headers = {"X-Internal-API-Key": INTERNAL_KEY, "X-User-ID": user_id or self.user_id}
        answer = await self.client.get(path, headers=headers)
        return answer.status_code, await answer.get_json(), answer.headers


@pytest.fixture
async def teacher(
    ras_settings: ResultAggregatorSettings, ras_engine: AsyncEngine
) -> AsyncIterator[Teacher]:
    http = LazyHttpSession()
    handling = make_runner(
        make_uow_factory(make_session_factory(ras_engine)), service="result_aggregator_service"
    )
    dispatcher = build_dispatcher(handling, make_bos_client(http, ras_settings))

    async def deliver(envelope: EventEnvelope[Any]) -> None:
        await dispatcher._handlers[envelope.event_type][1](envelope)

    app = create_app(ras_settings, ras_engine)
    async with app.test_app() as test_app:
        yield Teacher(deliver, test_app.test_client(), random_id())
    await http.close()


async def test_user_header_is_required(teacher: Teacher) -> None:
    answer = await teacher.client.get(
        "/internal/v1/batches", headers={"X-Internal-API-Key": INTERNAL_KEY}
    )
    assert answer.status_code == 401
    assert (await answer.get_json())["error"]["code"] == "UNAUTHORIZED"


async def test_another_teachers_batch_and_essay_are_not_found(teacher: Teacher) -> None:
    batch = await teacher.register(0)
    essay = batch.essay_ids[0]
    status, body, _ = await teacher.get(f"/internal/v1/batches/{batch.batch_id}")
    assert status == 200
    assert body["user_id"] == teacher.user_id
    assert [e["status"] for e in body["essays"]] == ["awaiting_content", "awaiting_content"]
    stranger = random_id()
    unknown = await teacher.get(f"/internal/v1/batches/{random_id()}", stranger)
    foreign = await teacher.get(f"/internal/v1/batches/{batch.batch_id}", stranger)
    assert unknown[0] == foreign[0] == 404
    assert unknown[1]["error"]["code"] == foreign[1]["error"]["code"] == "BATCH_NOT_FOUND"
    foreign_essay = await teacher.get(
        f"/internal/v1/batches/{batch.batch_id}/essays/{essay}", stranger
    )
    assert (foreign_essay[0], foreign_essay[1]["error"]["code"]) == (404, "BATCH_NOT_FOUND")
    other = await teacher.register(1)
    wrong_batch = await teacher.get(f"/internal/v1/batches/{other.batch_id}/essays/{essay}")
    assert (wrong_batch[0], wrong_batch[1]["error"]["code"]) == (404, "ESSAY_NOT_FOUND")


async def test_list_is_newest_first_paged_and_filtered(teacher: Teacher) -> None:
    registered = [await teacher.register(minutes) for minutes in range(5)]
    await teacher.register(9, user_id=random_id())  # someone else's never shows up
    newest_first = [b.batch_id for b in reversed(registered)]
    status, page, _ = await teacher.get("/internal/v1/batches?limit=2&offset=1")
    assert status == 200
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 1)
    assert [b["batch_id"] for b in page["items"]] == newest_first[1:3]
    status, page, _ = await teacher.get("/internal/v1/batches?limit=100")
    assert [b["batch_id"] for b in page["items"]] == newest_first
    status, empty, _ = await teacher.get("/internal/v1/batches?status=completed")
    assert (status, empty["total"], empty["items"]) == (200, 0, [])
    status, waiting, _ = await teacher.get("/internal/v1/batches?status=awaiting_content&limit=3")
    assert (waiting["total"], len(waiting["items"])) == (5, 3)
    for bad in ("limit=0", "limit=101", "offset=-1", "status=bogus", "limit=x"):
        status, body, _ = await teacher.get(f"/internal/v1/batches?{bad}")
        assert status == 422, bad
        assert body["error"]["code"] == "VALIDATION_ERROR", bad


async def test_batch_not_yet_registered_is_answered_from_bos(
    teacher: Teacher, bos: BosStub
) -> None:
    batch_id = random_id()
    bos.add_batch(
        batch_id,
        teacher.user_id,
        course_code=CourseCode.ENG6,
        expected_essay_count=2,
        essay_ids=["e-1", "e-2"],
        status=BatchStatus.AWAITING_CONTENT,
    )
    status, body, _ = await teacher.get(f"/internal/v1/batches/{batch_id}")
    assert status == 200
    assert (body["user_id"], body["course_code"], body["status"]) == (
        teacher.user_id,
        "ENG6",
        "awaiting_content",
    )
    assert [e["essay_id"] for e in body["essays"]] == ["e-1", "e-2"]
    assert (await teacher.get(f"/internal/v1/batches/{batch_id}", random_id()))[0] == 404
    await bos.stop()
    status, body, headers = await teacher.get(f"/internal/v1/batches/{batch_id}")
    assert (status, body["error"]["code"]) == (503, "SERVICE_UNAVAILABLE")
    assert headers["Retry-After"]


async def _checked_essay(teacher: Teacher, corrected_id: str | None) -> tuple[str, str]:
    batch = await teacher.register(0)
    essay_id = batch.essay_ids[0]
    slot = sample_event(EssaySlotAssignedV1).model_copy(
        update={"batch_id": batch.batch_id, "essay_id": essay_id}
    )
    result = EssaySpellcheckCompletedV1(
        batch_id=batch.batch_id,
        essay_id=essay_id,
        outcome=OperationOutcome.SUCCESS,
        language=Language.SWEDISH,
        original_text_storage_id=slot.text_storage_id,
        corrected_text_storage_id=corrected_id,
        correction_count=1,
        word_count=12,
    )
    for data in (slot, result):
        await teacher.deliver(
            EventEnvelope.wrap(data, source_service="it", correlation_id=random_id())
        )
    return batch.batch_id, essay_id


async def test_content_service_unavailable_is_503(teacher: Teacher) -> None:
    batch_id, essay_id = await _checked_essay(teacher, "f" * 64)
    path = f"/internal/v1/batches/{batch_id}/essays/{essay_id}"
    status, body, headers = await teacher.get(path)
    assert (status, body["error"]["code"]) == (503, "SERVICE_UNAVAILABLE")
    assert int(headers["Retry-After"]) > 0
    status, body, _ = await teacher.get(f"{path}?include_text=false")
    assert status == 200
    assert body["spellcheck"]["corrected_text"] is None
    assert body["spellcheck"]["corrected_text_storage_id"] == "f" * 64


async def test_corrected_text_from_the_content_service(
    infra: InfraSettings,
    ras_settings: ResultAggregatorSettings,
    ras_engine: AsyncEngine,
) -> None:
    text = "När jag var liten tillbringade vi varje sommar i skärgården."
    async with (
        content_service_engine(infra) as engine,
        serve_content_service(engine, INTERNAL_KEY) as content,
    ):
        corrected_id = await content.store(text.encode("utf-8"))
        settings = ras_settings.model_copy(update={"content_service_url": content.url})
        http = LazyHttpSession()
        handling = make_runner(
            make_uow_factory(make_session_factory(ras_engine)), service="result_aggregator_service"
        )
        dispatcher = build_dispatcher(handling, make_bos_client(http, settings))

        async def deliver(envelope: EventEnvelope[Any]) -> None:
            await dispatcher._handlers[envelope.event_type][1](envelope)

        app = create_app(settings, ras_engine)
        async with app.test_app() as test_app:
            teacher = Teacher(deliver, test_app.test_client(), random_id())
            batch_id, essay_id = await _checked_essay(teacher, corrected_id)
            status, body, _ = await teacher.get(
                f"/internal/v1/batches/{batch_id}/essays/{essay_id}"
            )
        await http.close()
    assert status == 200
    assert body["user_id"] == teacher.user_id
    assert body["status"] == "spellcheck_succeeded"
    assert body["spellcheck"]["corrected_text"] == text
