"""Read routes answer their contract model's JSON once, exactly as FastAPI would have."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from dishka import Provider, Scope, make_async_container, provide
from dishka.integrations.fastapi import FromDishka, setup_dishka
from fastapi import FastAPI, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api_gateway_service.api.routing import RouteTable
from api_gateway_service.rate_limit import RouteLimits

pytestmark = pytest.mark.unit


class Essay(BaseModel):
    essay_id: str
    filename: str | None = None
    checked_at: datetime


class Batch(BaseModel):
    batch_id: str
    title: str
    essays: list[Essay]


class BatchWithSecret(Batch):
    secret: str = "never shown"


async def _not_limited() -> None:
    return None


class Names(Provider):
    @provide(scope=Scope.APP)
    def title(self) -> str:
        return "Åsa's class"


routes = RouteTable("/t", ["test"])
BATCH = Batch(
    batch_id="b1",
    title="Åsa's class",
    essays=[Essay(essay_id="e1", checked_at=datetime(2026, 12, 7, 8, 0, tzinfo=UTC))],
)


@routes.get("/plain", limit=None, response_model=Batch)
async def plain(title: FromDishka[str]) -> Batch:
    return BATCH.model_copy(update={"title": title})


@routes.get("/subclass", limit=None, response_model=Batch)
async def subclass() -> Batch:
    return BatchWithSecret.model_validate(BATCH.model_dump())


@routes.get("/headers", limit=None, response_model=Batch)
async def with_headers(response: Response) -> Batch:
    response.headers["X-Extra"] = "kept"
    return BATCH


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    limits = RouteLimits(read=_not_limited, write=_not_limited, upload=_not_limited)  # type: ignore[arg-type]
    app.include_router(routes.router(limits))
    setup_dishka(make_async_container(Names()), app)
    return TestClient(app)


def test_a_model_is_answered_as_its_json(client: TestClient) -> None:
    answer = client.get("/t/plain")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == BATCH.model_dump(mode="json")  # dependencies still injected


def test_a_subclass_goes_through_fastapis_filtering(client: TestClient) -> None:
    assert client.get("/t/subclass").json() == BATCH.model_dump(mode="json")  # no "secret"


def test_headers_set_on_the_sub_response_are_kept(client: TestClient) -> None:
    answer = client.get("/t/headers")
    assert answer.headers["X-Extra"] == "kept"
    assert answer.json() == BATCH.model_dump(mode="json")


def test_the_openapi_document_still_names_the_model(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schema = document["paths"]["/t/plain"]["get"]["responses"]["200"]["content"]
    assert schema["application/json"]["schema"] == {"$ref": "#/components/schemas/Batch"}
