"""The Content Service adapter against a real HTTP listener answering what the test says."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from result_aggregator_service.adapters.content_store import ContentServiceTexts
from result_aggregator_service.adapters.http_session import LazyHttpSession
from result_aggregator_service.domain.ports import TextUnavailable

from .conftest import INTERNAL_KEY

pytestmark = pytest.mark.integration


@dataclass
class Settings:
    """What the shared Content Service client reads."""

    content_service_url: str
    internal_api_key: str
    content_timeout_seconds: float
    content_max_attempts: int


class Answers:
    """The raw paths asked for and the status to answer with (200: the text 'hej')."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.status = 200

    async def handle(self, request: web.Request) -> web.Response:
        self.paths.append(request.raw_path)
        if self.status != 200:
            return web.json_response({"error": "no"}, status=self.status)
        return web.Response(body=b"hej")


@pytest.fixture
async def served() -> AsyncIterator[tuple[Answers, ContentServiceTexts]]:
    answers = Answers()
    app = web.Application()
    app.router.add_get("/internal/v1/content/{tail:.*}", answers.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    http = LazyHttpSession()
    settings = Settings(
        content_service_url=str(server.make_url("")).rstrip("/"),
        internal_api_key=INTERNAL_KEY,
        content_timeout_seconds=1.0,
        content_max_attempts=2,
    )
    try:
        yield answers, ContentServiceTexts(http, settings)
    finally:
        await http.close()
        await server.close()


async def test_storage_id_is_quoted(served: tuple[Answers, ContentServiceTexts]) -> None:
    answers, texts = served
    assert await texts.text("abc/../x?y#z") == "hej"
    assert answers.paths == ["/internal/v1/content/abc%2F..%2Fx%3Fy%23z"]


@pytest.mark.parametrize("status", [401, 403, 429])
async def test_refusal_or_throttling_is_unavailable(
    served: tuple[Answers, ContentServiceTexts], status: int
) -> None:
    answers, texts = served
    answers.status = status
    with pytest.raises(TextUnavailable):
        await texts.text("abc")
