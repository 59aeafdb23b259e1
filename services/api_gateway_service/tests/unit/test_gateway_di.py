"""The composition root: the container builds every client, and routes resolve them from it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import aiohttp
import httpx
from dishka import Provider, Scope, provide

from api_gateway_service.adapters.class_management import ClassManagementClient
from api_gateway_service.adapters.downstream import Caller
from api_gateway_service.adapters.services import (
    BatchOrchestratorClient,
    FileServiceClient,
    ResultAggregatorClient,
)
from api_gateway_service.app import create_app
from api_gateway_service.auth import TokenIssuer
from api_gateway_service.config import GatewaySettings
from api_gateway_service.di import compose, make_container
from api_gateway_service.domain.pipeline_requests import PipelinePublisher, RequestPipeline
from common_core.class_api import RosterImportResultV1
from huleedu_service_libs.config import Environment

# Nothing listens on port 1: the limiter falls back to memory, no test reaches a real Redis.
REDIS_URL = "redis://127.0.0.1:1/0"


def _settings(**overrides: Any) -> GatewaySettings:
    return GatewaySettings(**{"environment": "test", "redis_url": REDIS_URL, **overrides})


def _auth(settings: GatewaySettings, user_id: str) -> dict[str, str]:
    dev = settings.model_copy(update={"environment": Environment.DEVELOPMENT})
    return {"Authorization": f"Bearer {TokenIssuer(dev).issue(user_id)[0]}"}


class FakeBos:
    """Records registrations; answers as BOS does."""

    def __init__(self) -> None:
        self.http = SimpleNamespace(name="batch_orchestrator_service")
        self.calls: list[tuple[Caller, dict[str, Any]]] = []

    async def register_batch(self, caller: Caller, body: dict[str, Any]) -> Any:
        self.calls.append((caller, body))
        return {
            "batch_id": "b-1",
            "status": "awaiting_content",
            "essay_ids": ["e-1", "e-2"],
            "course_code": body["course_code"],
            "expected_essay_count": body["expected_essay_count"],
        }


class FakeClasses:
    """Records deletions and roster imports."""

    def __init__(self) -> None:
        self.deleted: list[tuple[str, str]] = []
        self.rosters: list[bytes] = []

    async def import_roster(
        self, caller: Caller, class_id: str, csv: bytes
    ) -> RosterImportResultV1:
        self.rosters.append(csv)
        return RosterImportResultV1(
            class_id=class_id, created_count=0, existing_count=0, students=[]
        )

    async def delete_class(self, caller: Caller, class_id: str) -> None:
        self.deleted.append((caller.user_id, class_id))


class Fakes(Provider):
    """Replaces the BOS and CMS clients of the real graph."""

    def __init__(self, bos: FakeBos, classes: FakeClasses) -> None:
        super().__init__(scope=Scope.APP)
        self._bos, self._classes = bos, classes

    @provide
    def bos(self) -> BatchOrchestratorClient:
        return self._bos  # type: ignore[return-value]

    @provide
    def classes(self) -> ClassManagementClient:
        return self._classes  # type: ignore[return-value]


def _client(settings: GatewaySettings, *overrides: Provider) -> httpx.AsyncClient:
    app = create_app(settings, overrides=overrides)
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080")


async def test_the_container_builds_every_client_over_one_session() -> None:
    container = make_container(compose(_settings()))
    session = await container.get(aiohttp.ClientSession)
    bos = await container.get(BatchOrchestratorClient)
    files = await container.get(FileServiceClient)
    results = await container.get(ResultAggregatorClient)
    classes = await container.get(ClassManagementClient)
    publisher = await container.get(PipelinePublisher)
    async with container() as request_scope:
        use_case = await request_scope.get(RequestPipeline)

    assert {c.http.name for c in (bos, files, results, classes)} == {
        "batch_orchestrator_service",
        "file_service",
        "result_aggregator_service",
        "class_management_service",
    }
    assert isinstance(use_case, RequestPipeline)
    assert publisher is await container.get(PipelinePublisher)
    await container.close()
    assert session.closed


async def test_routes_call_the_clients_the_container_gives() -> None:
    settings = _settings()
    bos, classes = FakeBos(), FakeClasses()
    body = {"course_code": "ENG5", "essay_instructions": "Write.", "expected_essay_count": 2}

    async with _client(settings, Fakes(bos, classes)) as client:
        created = await client.post("/v1/batches", json=body, headers=_auth(settings, "anna"))
        deleted = await client.delete("/v1/classes/c-1", headers=_auth(settings, "anna"))

    assert created.status_code == 201, created.text
    assert created.json()["batch_id"] == "b-1"
    assert [caller.user_id for caller, _ in bos.calls] == ["anna"]
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert classes.deleted == [("anna", "c-1")]


async def test_rate_limits_still_wrap_injected_routes() -> None:
    settings = _settings(rate_limit_write="1/minute")
    classes = FakeClasses()

    async with _client(settings, Fakes(FakeBos(), classes)) as client:
        first = await client.delete("/v1/classes/c-1", headers=_auth(settings, "bo"))
        second = await client.delete("/v1/classes/c-2", headers=_auth(settings, "bo"))

    assert first.status_code == 204
    assert second.status_code == 429
    assert second.json()["error"]["code"] == "RATE_LIMITED"
    assert classes.deleted == [("bo", "c-1")]


async def test_the_ticket_route_counts_against_the_write_bucket() -> None:
    settings = _settings(rate_limit_write="1/minute")

    async with _client(settings, Fakes(FakeBos(), FakeClasses())) as client:
        # Redis (port 1) refuses the ticket itself: 503, but the request was counted.
        first = await client.post("/v1/ws-tickets", headers=_auth(settings, "cy"))
        second = await client.post("/v1/ws-tickets", headers=_auth(settings, "cy"))
        deleted = await client.delete("/v1/classes/c-1", headers=_auth(settings, "cy"))

    assert first.status_code == 503
    assert second.status_code == 429
    assert deleted.status_code == 429
    assert second.json()["error"]["code"] == "RATE_LIMITED"


async def test_a_roster_import_reads_its_body_past_the_json_limit() -> None:
    settings = _settings(max_json_body_bytes=200, roster_max_bytes=10_000)
    classes = FakeClasses()
    csv = b"first_name,last_name,email\n" + b"Anna,Berg,anna@example.com\n" * 20
    headers = {**_auth(settings, "anna"), "Content-Type": "text/csv"}

    async with _client(settings, Fakes(FakeBos(), classes)) as client:
        roster = await client.post("/v1/classes/c-1/roster", content=csv, headers=headers)
        json_body = await client.post(
            "/v1/batches", content=b"{" + b" " * 300 + b"}", headers=headers
        )

    assert roster.status_code == 201, roster.text
    assert classes.rosters == [csv]
    assert json_body.status_code == 413
    assert json_body.json()["error"]["details"]["limit_bytes"] == 200
