"""A teacher's client of the public gateway API (REST + WebSocket), for e2e tests and benches.

It speaks only what a browser or the `huleedu` CLI may speak: a development token from
`POST /v1/dev/tokens`, then `Authorization: Bearer` on `/v1/...` and a ticket for `/ws`.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import aiohttp

DEFAULT_GATEWAY_URL = "http://127.0.0.1:8080"


class GatewayError(Exception):
    """A call answered with a status the caller did not expect."""

    def __init__(self, method: str, path: str, status: int, body: Any) -> None:
        super().__init__(f"{method} {path} answered {status}: {body}")
        self.status = status
        self.body = body


@dataclass
class Notifications:
    """An open WebSocket of one teacher, collecting the notifications it receives."""

    socket: aiohttp.ClientWebSocketResponse
    received: list[dict[str, Any]] = field(default_factory=list)
    arrived_at: dict[str, float] = field(default_factory=dict)  # event_id -> time.time()
    replayed: list[dict[str, Any]] = field(default_factory=list)  # frames before `ready`
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _reader: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Read the socket in the background, answering the server's pings."""
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.socket:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            if data.get("type") == "ping":
                await self.socket.send_json({"type": "pong"})
            else:
                self.record(data)

    def record(self, data: dict[str, Any]) -> None:
        """Keep a notification frame (others are ignored)."""
        if data.get("type") == "notification":
            self.arrived_at.setdefault(str(data.get("event_id")), time.time())
            self.received.append(data)
            self._arrived.set()

    def of_batch(self, batch_id: str) -> list[dict[str, Any]]:
        """The notifications about one batch, in arrival order."""
        return [n for n in self.received if n.get("batch_id") == batch_id]

    async def wait_for(self, notification_type: str, batch_id: str) -> dict[str, Any]:
        """The first notification of `notification_type` for `batch_id` (wrap in a timeout)."""
        return await self.wait_matching(
            lambda n: (
                n.get("batch_id") == batch_id and n.get("notification_type") == notification_type
            )
        )

    async def wait_matching(self, match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The first notification `match` accepts, arrived or to come (wrap in a timeout)."""
        while True:
            for note in self.received:
                if match(note):
                    return note
            self._arrived.clear()
            await self._arrived.wait()

    async def close(self) -> None:
        """Close the socket and stop reading."""
        await self.socket.close()
        if self._reader is not None:
            self._reader.cancel()
            with suppress(asyncio.CancelledError, aiohttp.ClientError):
                await self._reader


@dataclass
class GatewayClient:
    """One teacher (a fresh user id unless given) talking to the running gateway."""

    http: aiohttp.ClientSession
    user_id: str = field(default_factory=lambda: f"teacher-{uuid.uuid4().hex[:10]}")
    base_url: str = field(
        default_factory=lambda: os.environ.get("HULEEDU_API_URL", DEFAULT_GATEWAY_URL)
    )
    token: str | None = None

    async def login(self) -> str:
        """Mint a development token for this teacher and use it from now on."""
        body = await self.expect(201, "POST", "/v1/dev/tokens", json={"user_id": self.user_id})
        self.token = str(body["access_token"])
        return self.token

    async def call(
        self, method: str, path: str, *, token: str | None = None, **kwargs: Any
    ) -> tuple[int, Any, dict[str, str]]:
        """One request with this teacher's token; status, decoded body and headers."""
        headers = dict(kwargs.pop("headers", {}) or {})
        bearer = token if token is not None else self.token
        if bearer:
            headers.setdefault("Authorization", f"Bearer {bearer}")
        url = f"{self.base_url}{path}"
        async with self.http.request(method, url, headers=headers, **kwargs) as resp:
            raw = await resp.read()
            body = json.loads(raw) if raw and resp.content_type == "application/json" else raw
            return resp.status, body, dict(resp.headers)

    async def expect(self, status: int, method: str, path: str, **kwargs: Any) -> Any:
        """The body of a call that must answer `status`."""
        got, body, _ = await self.call(method, path, **kwargs)
        if got != status:
            raise GatewayError(method, path, got, body)
        return body

    async def register_batch(
        self,
        course: str,
        count: int,
        instructions: str = "Skriv en argumenterande text.",
        class_id: str | None = None,
    ) -> dict[str, Any]:
        """Register a batch (for a class when given); its body (batch_id, essay_ids, ...)."""
        body: dict[str, Any] = {
            "course_code": course,
            "essay_instructions": instructions,
            "expected_essay_count": count,
        }
        if class_id is not None:
            body["class_id"] = class_id
        return dict(await self.expect(201, "POST", "/v1/batches", json=body))

    async def create_class(self, name: str, course: str) -> dict[str, Any]:
        """Create a class; its body (class_id, name, course_code, ...)."""
        body = {"name": name, "course_code": course}
        return dict(await self.expect(201, "POST", "/v1/classes", json=body))

    async def import_roster(
        self, class_id: str, csv_bytes: bytes, filename: str = "roster.csv", status: int = 201
    ) -> dict[str, Any]:
        """Upload a roster CSV for the class, as a browser's file field would."""
        form = aiohttp.FormData(quote_fields=False)
        form.add_field("file", csv_bytes, filename=filename, content_type="text/csv")
        path = f"/v1/classes/{class_id}/roster"
        return dict(await self.expect(status, "POST", path, data=form))

    async def class_detail(self, class_id: str) -> dict[str, Any]:
        """The class with its roster."""
        return dict(await self.expect(200, "GET", f"/v1/classes/{class_id}"))

    async def associations(self, batch_id: str) -> dict[str, Any]:
        """The batch's suggested (or decided) essay authors."""
        return dict(await self.expect(200, "GET", f"/v1/batches/{batch_id}/associations"))

    async def confirm_associations(
        self,
        batch_id: str,
        confirmations: dict[str, str] | None = None,
        *,
        accept_suggestions: bool = False,
    ) -> dict[str, Any]:
        """Set essay authors ({essay_id: student_id}) and/or accept the remaining suggestions."""
        body = {
            "confirmations": [
                {"essay_id": essay_id, "student_id": student_id}
                for essay_id, student_id in (confirmations or {}).items()
            ],
            "accept_suggestions": accept_suggestions,
        }
        path = f"/v1/batches/{batch_id}/associations/confirm"
        return dict(await self.expect(200, "POST", path, json=body))

    async def upload(
        self, batch_id: str, files: list[tuple[str, bytes]], status: int = 201
    ) -> dict[str, Any]:
        """Upload files into the batch (raw UTF-8 names, as browsers send them)."""
        form = aiohttp.FormData(quote_fields=False)
        for name, data in files:
            form.add_field("files", data, filename=name, content_type="application/octet-stream")
        return dict(await self.expect(status, "POST", f"/v1/batches/{batch_id}/files", data=form))

    async def batch(self, batch_id: str) -> dict[str, Any]:
        """The batch's status and essays."""
        return dict(await self.expect(200, "GET", f"/v1/batches/{batch_id}"))

    async def essay(self, batch_id: str, essay_id: str) -> dict[str, Any]:
        """One essay's results, with the corrected text."""
        path = f"/v1/batches/{batch_id}/essays/{essay_id}?include_text=true"
        return dict(await self.expect(200, "GET", path))

    async def request_pipeline(
        self,
        batch_id: str,
        pipeline: str = "spellcheck",
        disabled_grammar_categories: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Ask for a pipeline run (grammar categories switched off, if any); the 202 body."""
        path = f"/v1/batches/{batch_id}/pipelines"
        body: dict[str, Any] = {"pipeline": pipeline}
        if disabled_grammar_categories:
            body["disabled_grammar_categories"] = list(disabled_grammar_categories)
        return dict(await self.expect(202, "POST", path, json=body))

    async def open_socket(self, last_event_id: str | None = None) -> Notifications:
        """A WebSocket authenticated with a fresh ticket, subscribed when this returns.

        With `last_event_id` the gateway first replays what followed it: those frames (and a
        `gap`, if any) are in `replayed`, the notifications also in `received`.
        """
        ticket = await self.expect(201, "POST", "/v1/ws-tickets")
        ws_url = self.base_url.replace("http", "ws", 1) + f"/ws?ticket={ticket['ticket']}"
        if last_event_id is not None:
            ws_url += f"&last_event_id={last_event_id}"
        socket = await self.http.ws_connect(ws_url, heartbeat=None)
        replayed: list[dict[str, Any]] = []
        try:
            async with asyncio.timeout(10):
                while (frame := await socket.receive_json()).get("type") != "ready":
                    replayed.append(frame)
        except BaseException:
            # Closed, refused or silent before "ready": do not leak the connection.
            await socket.close()
            raise
        notifications = Notifications(socket, replayed=replayed)
        for frame in replayed:
            notifications.record(frame)
        notifications.start()
        return notifications
