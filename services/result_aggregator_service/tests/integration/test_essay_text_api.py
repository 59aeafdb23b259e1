"""GET .../essays/{essay_id}/text over the real view and the real Content Service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from quart.typing import TestClientProtocol as QuartClient
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.envelope import EventEnvelope
from common_core.events import BatchEssaysRegisteredV1, EssaySlotAssignedV1
from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.db import make_session_factory
from huleedu_testing import random_id, sample_event
from huleedu_testing.content_service import (
    ContentServiceProcess,
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

ORIGINAL = (
    "Namn: Elias Berg\nKlass: TE22b\n\nWhy I want to become an engineer\n\n"
    "Ever since I was small I have liked to build things. My grandfather had a workshop "
    "where we made a wooden boat together, and I still remember how proud I was when it "
    "floated. Engineers solve real problems, and I beleive that is the best job there is."
)


@dataclass
class Api:
    """The RAS app with the real handlers writing its view and the real Content Service."""

    client: QuartClient
    content: ContentServiceProcess
    deliver: Any
    user_id: str

    async def batch_with_essays(self, text_id: str | None) -> tuple[str, list[str]]:
        """A registered batch of two essays; the first holds text_id if given."""
        registered = sample_event(BatchEssaysRegisteredV1).model_copy(
            update={
                "user_id": self.user_id,
                "expected_essay_count": 2,
                "essay_ids": [random_id(), random_id()],
            }
        )
        events: list[Any] = [registered]
        if text_id is not None:
            events.append(
                sample_event(EssaySlotAssignedV1).model_copy(
                    update={
                        "batch_id": registered.batch_id,
                        "essay_id": registered.essay_ids[0],
                        "text_storage_id": text_id,
                        "original_file_name": "Elias Berg.docx",
                    }
                )
            )
        for data in events:
            await self.deliver(EventEnvelope.wrap(data, source_service="it", correlation_id="c"))
        return registered.batch_id, registered.essay_ids

    async def text(self, batch_id: str, essay_id: str, user_id: str | None = None) -> Any:
        headers = {"X-Internal-API-Key": INTERNAL_KEY, "X-User-ID": user_id or self.user_id}
        answer = await self.client.get(
            f"/internal/v1/batches/{batch_id}/essays/{essay_id}/text", headers=headers
        )
        return answer.status_code, await answer.get_json(), answer.headers


@pytest.fixture
async def api(
    infra: InfraSettings, ras_settings: ResultAggregatorSettings, ras_engine: AsyncEngine
) -> AsyncIterator[Api]:
    async with (
        content_service_engine(infra) as engine,
        serve_content_service(engine, INTERNAL_KEY) as content,
    ):
        settings = ras_settings.model_copy(update={"content_service_url": content.url})
        http = LazyHttpSession()
        handling = make_runner(
            make_uow_factory(make_session_factory(ras_engine)), service="result_aggregator_service"
        )
        dispatcher = build_dispatcher(handling, make_bos_client(http, settings))

        async def deliver(envelope: EventEnvelope[Any]) -> None:
            await dispatcher._handlers[envelope.event_type][1](envelope)

        async with create_app(settings, ras_engine).test_app() as test_app:
            yield Api(test_app.test_client(), content, deliver, random_id())
        await http.close()


async def test_the_owner_reads_the_original_text(api: Api) -> None:
    text_id = await api.content.store(ORIGINAL.encode("utf-8"))
    batch_id, (essay_id, _) = await api.batch_with_essays(text_id)

    status, body, _ = await api.text(batch_id, essay_id)

    assert status == 200, body
    assert body == {
        "essay_id": essay_id,
        "batch_id": batch_id,
        "file_upload_id": body["file_upload_id"],
        "filename": "Elias Berg.docx",
        "text_storage_id": text_id,
        "char_count": len(ORIGINAL),
        "text": ORIGINAL,
    }
    start = ORIGINAL.index("beleive")
    assert body["text"][start : start + len("beleive")] == "beleive"


async def test_other_teachers_unknown_ids_and_missing_texts(api: Api) -> None:
    text_id = await api.content.store(ORIGINAL.encode("utf-8"))
    batch_id, (essay_id, empty_slot) = await api.batch_with_essays(text_id)

    foreign = await api.text(batch_id, essay_id, user_id=random_id())
    unknown_batch = await api.text(random_id(), essay_id)
    unknown_essay = await api.text(batch_id, random_id())
    not_assigned = await api.text(batch_id, empty_slot)

    assert (foreign[0], foreign[1]["error"]["code"]) == (404, "BATCH_NOT_FOUND")
    assert (unknown_batch[0], unknown_batch[1]["error"]["code"]) == (404, "BATCH_NOT_FOUND")
    assert (unknown_essay[0], unknown_essay[1]["error"]["code"]) == (404, "ESSAY_NOT_FOUND")
    assert (not_assigned[0], not_assigned[1]["error"]["code"]) == (404, "CONTENT_NOT_FOUND")
    assert "no uploaded file" in not_assigned[1]["error"]["message"]


async def test_a_text_the_content_service_lacks_or_cannot_serve(api: Api) -> None:
    batch_id, (essay_id, _) = await api.batch_with_essays("e" * 64)

    missing = await api.text(batch_id, essay_id)
    await api.content.stop()
    down = await api.text(batch_id, essay_id)

    assert (missing[0], missing[1]["error"]["code"]) == (404, "CONTENT_NOT_FOUND")
    assert missing[1]["error"]["message"] == "The essay's text is no longer stored."
    assert (down[0], down[1]["error"]["code"]) == (503, "SERVICE_UNAVAILABLE")
    assert int(down[2]["Retry-After"]) > 0


async def test_the_internal_key_and_user_are_required(api: Api) -> None:
    batch_id, (essay_id, _) = await api.batch_with_essays(None)
    path = f"/internal/v1/batches/{batch_id}/essays/{essay_id}/text"
    no_key = await api.client.get(path, headers={"X-User-ID": api.user_id})
    no_user = await api.client.get(path, headers={"X-Internal-API-Key": INTERNAL_KEY})
    assert (no_key.status_code, no_user.status_code) == (401, 401)
