"""Teachers see why each word was flagged and the flags per category, as the aggregator sent."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from dishka import Provider, Scope, provide

from api_gateway_service.adapters.downstream import Caller
from api_gateway_service.adapters.services import FileServiceClient, ResultAggregatorClient
from api_gateway_service.app import create_app
from api_gateway_service.auth import TokenIssuer
from api_gateway_service.config import GatewaySettings
from huleedu_service_libs.config import Environment

pytestmark = pytest.mark.unit

# Nothing listens on port 1: the limiter falls back to memory, no test reaches a real Redis.
SETTINGS = GatewaySettings(environment=Environment.TEST, redis_url="redis://127.0.0.1:1/0")
WHEN = "2026-12-07T09:00:00Z"
COMPOUND = {
    "word": "fotbolls match",
    "start": 12,
    "end": 26,
    "suggestions": ["fotbollsmatch"],
    "category": "compound",
    "explanation": "Sammansatta ord skrivs ihop: fotbollsmatch.",
}
SPELLING = {"word": "igår", "start": 0, "end": 4, "suggestions": ["i går"]}  # stored before


def counts(spelling: int, compound: int, capitalisation: int) -> dict[str, int]:
    return {"spelling": spelling, "compound": compound, "capitalisation": capitalisation}


ESSAY = {
    "essay_id": "e-1",
    "batch_id": "b-1",
    "user_id": "anna",
    "status": "spellcheck_succeeded",
    "spellcheck": {
        "outcome": "success",
        "language": "sv",
        "misspellings": [SPELLING, COMPOUND],
        "misspelling_count": 2,
        "category_counts": {"spelling": 1, "compound": 1},  # a category without flags left out
        "word_count": 9,
        "completed_at": WHEN,
    },
    "updated_at": WHEN,
}
SUMMARY = {"essay_id": "e-1", "status": "spellcheck_succeeded", "misspelling_count": 2,
           "category_counts": counts(1, 1, 0), "updated_at": WHEN}  # fmt: skip
BATCH = {
    "batch_id": "b-1",
    "user_id": "anna",
    "course_code": "SV1",
    "status": "completed",
    "expected_essay_count": 2,
    "category_counts": counts(1, 1, 0),
    "essays": [SUMMARY, {"essay_id": "e-2", "status": "awaiting_content", "updated_at": WHEN}],
    "created_at": WHEN,
    "updated_at": WHEN,
}
LISTING = {
    "items": [{key: BATCH[key] for key in BATCH if key not in {"essays", "user_id"}}],
    "total": 1,
    "limit": 20,
    "offset": 0,
}


class FakeResults:
    """The aggregator's answers (its JSON) for anna's batch."""

    http = SimpleNamespace(name="result_aggregator_service")

    async def batch(self, caller: Caller, batch_id: str) -> Any:
        return BATCH

    async def list_batches(self, caller: Caller, params: Any) -> Any:
        return LISTING

    async def essay(self, caller: Caller, batch_id: str, essay_id: str, **_: Any) -> Any:
        return ESSAY


class NoFiles:
    """A File Service with no files: the essays keep what the aggregator said."""

    http = SimpleNamespace(name="file_service")

    async def list_files(self, caller: Caller, batch_id: str) -> Any:
        return {"batch_id": batch_id, "files": []}


class Fakes(Provider):
    def __init__(self) -> None:
        super().__init__(scope=Scope.APP)

    @provide
    def results(self) -> ResultAggregatorClient:
        return FakeResults()  # type: ignore[return-value]

    @provide
    def files(self) -> FileServiceClient:
        return NoFiles()  # type: ignore[return-value]


async def _get(path: str) -> httpx.Response:
    dev = SETTINGS.model_copy(update={"environment": Environment.DEVELOPMENT})
    headers = {"Authorization": f"Bearer {TokenIssuer(dev).issue('anna')[0]}"}
    app = create_app(SETTINGS, overrides=(Fakes(),))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as client:
        return await client.get(path, headers=headers)


async def test_an_essay_carries_each_flags_category_explanation_and_the_counts() -> None:
    answer = await _get("/v1/batches/b-1/essays/e-1")

    assert answer.status_code == 200, answer.text
    check = answer.json()["spellcheck"]
    assert check["misspellings"] == [
        {**SPELLING, "category": "spelling", "explanation": ""},  # the contract's defaults
        COMPOUND,
    ]
    assert check["category_counts"] == counts(1, 1, 0)


async def test_the_batch_and_its_essays_carry_counts_per_category() -> None:
    answer = await _get("/v1/batches/b-1")

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["category_counts"] == counts(1, 1, 0)
    assert [e["category_counts"] for e in body["essays"]] == [counts(1, 1, 0), None]


async def test_the_batch_list_carries_counts_per_category() -> None:
    answer = await _get("/v1/batches")

    assert answer.status_code == 200, answer.text
    assert answer.json()["items"][0]["category_counts"] == counts(1, 1, 0)


def test_the_openapi_document_names_the_categories() -> None:
    schemas = create_app(SETTINGS).openapi()["components"]["schemas"]

    assert schemas["FlagCategory"]["enum"] == ["spelling", "compound", "capitalisation"]
    assert set(schemas["Misspelling"]["properties"]) >= {"category", "explanation"}
    for name in ("BatchResultV1", "BatchSummaryV1", "SpellcheckResultV1"):
        field = schemas[name]["properties"]["category_counts"]
        assert field["propertyNames"] == {"$ref": "#/components/schemas/FlagCategory"}, name
        assert "every FlagCategory, 0 included" in field["description"], name
