"""The JSON body limit: the middleware alone (plain ASGI) and inside a FastAPI app."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel
from starlette.types import Message, Receive, Scope, Send

from api_gateway_service.body_limit import (
    BodyTooLarge,
    JsonBodyLimitMiddleware,
    limits_own_body,
    register_body_limit_handler,
)
from huleedu_service_libs.config import ServiceSettings
from huleedu_service_libs.http import install_fastapi_support

LIMIT = 10
APP_LIMIT = 32


class Client:
    """A client's side of one request: its body chunks, and how many the app asked for."""

    def __init__(self, *chunks: bytes) -> None:
        self.messages: list[Message] = [
            {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
            for i, c in enumerate(chunks)
        ]
        self.reads = 0
        self.sent: list[Message] = []

    async def receive(self) -> Message:
        self.reads += 1
        if self.reads <= len(self.messages):
            return self.messages[self.reads - 1]
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        self.sent.append(message)


def scope(content_length: int | None = None, endpoint: Any = None) -> Scope:
    headers = [] if content_length is None else [(b"content-length", str(content_length).encode())]
    return {
        "type": "http",
        "method": "POST",
        "path": "/x",
        "headers": headers,
        "endpoint": endpoint,
    }


async def read_all(scope: Scope, receive: Receive, send: Send) -> None:
    """An app that reads the whole body, as FastAPI does for a JSON body."""
    while (await receive()).get("more_body", False):
        pass


async def test_declared_length_over_the_limit_is_refused_before_a_byte_is_read() -> None:
    client = Client(b"x" * 11)

    with pytest.raises(BodyTooLarge) as caught:
        await JsonBodyLimitMiddleware(read_all, limit=LIMIT)(scope(11), client.receive, client.send)

    assert (caught.value.status_code, caught.value.limit) == (413, LIMIT)
    assert client.reads == 0


async def test_chunked_body_stops_at_the_chunk_that_passes_the_limit() -> None:
    client = Client(b"abcd", b"efgh", b"ijkl", b"mnop")

    with pytest.raises(BodyTooLarge):
        await JsonBodyLimitMiddleware(read_all, limit=LIMIT)(scope(), client.receive, client.send)

    assert client.reads == 3


async def test_body_of_exactly_the_limit_is_handed_on() -> None:
    client = Client(b"abcde", b"fghij")

    await JsonBodyLimitMiddleware(read_all, limit=LIMIT)(scope(10), client.receive, client.send)

    assert client.reads == 2


async def test_marked_endpoint_gets_its_body_untouched() -> None:
    @limits_own_body
    async def upload() -> None:
        return None

    client = Client(b"x" * 8, b"y" * 8, b"z" * 8)

    await JsonBodyLimitMiddleware(read_all, limit=LIMIT)(
        scope(24, endpoint=upload), client.receive, client.send
    )

    assert client.reads == 3


async def test_after_the_answer_started_receive_only_listens_for_a_disconnect() -> None:
    async def answers_then_listens(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await receive()

    client = Client(b"x" * 50)

    await JsonBodyLimitMiddleware(answers_then_listens, limit=LIMIT)(
        scope(50), client.receive, client.send
    )

    assert client.reads == 1


class Body(BaseModel):
    name: str


def app() -> FastAPI:
    """A small app wired like the gateway: shared error bodies, the limit and its handler."""
    built = FastAPI()
    install_fastapi_support(built, ServiceSettings(service_name="gateway-test"))
    built.add_middleware(JsonBodyLimitMiddleware, limit=APP_LIMIT)
    register_body_limit_handler(built, "gateway-test")

    @built.post("/json")
    async def json_route(body: Body) -> dict[str, str]:
        return {"name": body.name}

    @built.post("/upload")
    @limits_own_body
    async def upload(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    return built


async def test_app_answers_413_in_the_error_body_and_closes_the_connection() -> None:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        small = await client.post("/json", json={"name": "9A"})
        large = await client.post("/json", json={"name": "x" * APP_LIMIT})
        upload = await client.post("/upload", content=b"x" * 100)

    assert (small.status_code, small.json()) == (200, {"name": "9A"})
    assert large.status_code == 413
    assert large.headers["Connection"] == "close"
    error = large.json()["error"]
    assert (error["code"], error["service"]) == ("PAYLOAD_TOO_LARGE", "gateway-test")
    assert error["message"] == f"The request body is larger than {APP_LIMIT} bytes."
    assert error["details"] == {"limit_bytes": APP_LIMIT}
    assert error["correlation_id"] == large.headers["X-Correlation-ID"]
    assert (upload.status_code, upload.json()) == (200, {"received": 100})
