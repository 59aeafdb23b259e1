"""Teachers get each essay's grammar result and the grammar counts, as the aggregator sent."""

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
WHEN = "2026-12-07T11:00:00Z"
# "She dont like apples." -> LanguageTool's agreement rule on "dont".
MATCH = {
    "start": 4,
    "end": 8,
    "text": "dont",
    "rule_id": "DONT_DOESNT",
    "category": "GRAMMAR",
    "message": "Did you mean \u201cdoesn't\u201d?",
    "replacements": ["doesn't"],
}
GRAMMAR_COUNTS = {"GRAMMAR": 1, "STYLE_OF_ITS_OWN": 2}  # open-ended LanguageTool ids
ESSAY = {
    "essay_id": "e-1",
    "batch_id": "b-1",
    "user_id": "anna",
    "status": "grammar_succeeded",
    "spellcheck": {"outcome": "success", "language": "en", "completed_at": WHEN},
    "grammar": {
        "outcome": "success",
        "language": "en",
        "matches": [MATCH],
        "match_count": 1,
        "category_counts": {"GRAMMAR": 1},
        "completed_at": WHEN,
    },
    "updated_at": WHEN,
}
SUMMARY = {"essay_id": "e-1", "status": "grammar_succeeded", "grammar_outcome": "success",
           "grammar_match_count": 3, "grammar_category_counts": GRAMMAR_COUNTS,
           "updated_at": WHEN}  # fmt: skip
BATCH = {
    "batch_id": "b-1",
    "user_id": "anna",
    "course_code": "ENG5",
    "status": "completed",
    "expected_essay_count": 2,
    "grammar_category_counts": GRAMMAR_COUNTS,
    "requested_pipeline": "spellcheck+grammar",
    "phases": [
        {"phase": "spellcheck", "status": "completed", "essay_count": 2},
        {"phase": "grammar", "status": "completed", "essay_count": 1},
    ],
    "essays": [SUMMARY, {"essay_id": "e-2", "status": "spellcheck_failed", "updated_at": WHEN}],
    "created_at": WHEN,
    "updated_at": WHEN,
}
LISTING = {
    "items": [{key: BATCH[key] for key in BATCH if key not in {"essays", "user_id", "phases"}}],
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


async def test_an_essay_carries_its_grammar_result_beside_the_spelling_one() -> None:
    answer = await _get("/v1/batches/b-1/essays/e-1")

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "grammar_succeeded"
    assert body["spellcheck"]["outcome"] == "success"
    grammar = body["grammar"]
    assert grammar["matches"] == [MATCH]
    assert (grammar["match_count"], grammar["category_counts"]) == (1, {"GRAMMAR": 1})
    assert grammar["error_message"] is None


async def test_the_batch_and_its_essays_carry_grammar_counts_per_category() -> None:
    answer = await _get("/v1/batches/b-1")

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["grammar_category_counts"] == GRAMMAR_COUNTS
    assert [p["phase"] for p in body["phases"]] == ["spellcheck", "grammar"]
    assert [e["grammar_match_count"] for e in body["essays"]] == [3, None]
    assert [e["grammar_category_counts"] for e in body["essays"]] == [GRAMMAR_COUNTS, None]


async def test_the_batch_list_carries_grammar_counts_per_category() -> None:
    answer = await _get("/v1/batches")

    assert answer.status_code == 200, answer.text
    assert answer.json()["items"][0]["grammar_category_counts"] == GRAMMAR_COUNTS


def test_the_openapi_document_describes_the_grammar_result() -> None:
    schemas = create_app(SETTINGS).openapi()["components"]["schemas"]

    assert set(schemas["GrammarMatch"]["properties"]) == set(MATCH)
    grammar = schemas["EssayResultV1"]["properties"]["grammar"]
    assert {"$ref": "#/components/schemas/GrammarResultV1"} in grammar["anyOf"]
    for name in ("BatchResultV1", "BatchSummaryV1"):
        assert "grammar_category_counts" in schemas[name]["properties"], name
