"""A tiny in-process gateway speaking the public API contract, and a CLI runner bound to it.

The server is a real aiohttp app on 127.0.0.1:0 in a background thread, so the CLI's own
aiohttp client, multipart encoding, error parsing and WebSocket handling are all exercised.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import BodyPartReader, WSMsgType, web
from aiohttp.typedefs import Handler
from typer.testing import CliRunner, Result

from huleedu_cli.main import app

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC).isoformat()
SUPPORTED = (".txt", ".md", ".docx", ".pdf", ".odt", ".rtf")


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None, **headers: str
) -> web.Response:
    """The contract's error body."""
    body = {
        "error": {
            "code": code,
            "message": message,
            "correlation_id": "corr-123",
            "service": "api_gateway_service",
            "details": details or {},
        }
    }
    return web.json_response(body, status=status, headers=headers)


@dataclass
class FakeGateway:
    """State and knobs of the fake; tests read what the CLI sent and script what it gets."""

    url: str = ""
    tokens: set[str] = field(default_factory=set)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    upload_requests: list[list[str]] = field(default_factory=list)
    pipeline_requests: list[dict[str, Any]] = field(default_factory=list)
    # The Idempotency-Key of each pipeline request; scripted answers (an error response, or
    # a dict: a 202 body) are used up first.
    pipeline_keys: list[str | None] = field(default_factory=list)
    pipeline_answers: list[web.Response | dict[str, Any]] = field(default_factory=list)
    failures: dict[str, web.Response] = field(default_factory=dict)
    # One script per WebSocket connection; a connection without a script stays open.
    ws_scripts: list[list[dict[str, Any]]] = field(default_factory=list)
    ws_tickets: list[str] = field(default_factory=list)
    # The last_event_id each WebSocket connection asked to resume after (None: none).
    ws_resumed_after: list[str | None] = field(default_factory=list)
    pongs: int = 0
    classes: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (field name, filename, content type, bytes) of each roster file received
    roster_uploads: list[tuple[str, str, str, bytes]] = field(default_factory=list)
    associations: dict[str, dict[str, Any]] = field(default_factory=dict)
    confirm_requests: list[dict[str, Any]] = field(default_factory=list)
    students: set[str] = field(default_factory=set)
    # (student_id, the `essays` query) of each erasure received
    erasures: list[tuple[str, str | None]] = field(default_factory=list)

    def fail(self, route: str, response: web.Response) -> None:
        """Answer `route` (e.g. "GET /v1/batches/{batch_id}") with this response."""
        self.failures[route] = response

    def add_batch(self, batch_id: str = "b-1", **fields: Any) -> dict[str, Any]:
        """A batch as the result API describes it, owned by the token's teacher."""
        batch = {
            "batch_id": batch_id,
            "user_id": "teacher-1",
            "course_code": "ENG5",
            "class_id": None,
            "essay_instructions": "Write about a journey.",
            "status": "awaiting_content",
            "expected_essay_count": 2,
            "essays": [],
            "created_at": NOW,
            "updated_at": NOW,
            **fields,
        }
        self.batches[batch_id] = batch
        return batch


def _class_routes(gw: FakeGateway, routes: web.RouteTableDef) -> None:
    """Classes, roster import and essay authors, as the class_api contract describes them."""

    @routes.post("/v1/classes")
    async def create_class(request: web.Request) -> web.Response:
        body = await request.json()
        class_id = f"c-{len(gw.classes) + 1}"
        gw.classes[class_id] = {
            "class_id": class_id,
            "name": body["name"],
            "course_code": body["course_code"],
            "student_count": 0,
            "created_at": NOW,
            "updated_at": NOW,
            "students": [],
        }
        return web.json_response(gw.classes[class_id], status=201)

    @routes.get("/v1/classes")
    async def list_classes(request: web.Request) -> web.Response:
        limit, offset = int(request.query["limit"]), int(request.query["offset"])
        items = list(gw.classes.values())
        page = {"items": items[offset : offset + limit], "total": len(items)}
        return web.json_response({**page, "limit": limit, "offset": offset})

    @routes.get("/v1/classes/{class_id}")
    async def get_class(request: web.Request) -> web.Response:
        found = gw.classes.get(request.match_info["class_id"])
        if found is None:
            return error_response(404, "CLASS_NOT_FOUND", "Class not found.")
        return web.json_response(found)

    @routes.post("/v1/classes/{class_id}/roster")
    async def roster(request: web.Request) -> web.Response:
        found = gw.classes.get(request.match_info["class_id"])
        if found is None:
            return error_response(404, "CLASS_NOT_FOUND", "Class not found.")
        async for part in await request.multipart():
            assert isinstance(part, BodyPartReader)
            content = await part.read()
            ctype = part.headers.get("Content-Type", "")
            gw.roster_uploads.append((part.name or "", part.filename or "", ctype, bytes(content)))
        lines = bytes(gw.roster_uploads[-1][3]).decode("utf-8").splitlines()[1:]
        bad = [
            {"row": n, "field": "email", "message": "The email address is missing."}
            for n, line in enumerate(lines, start=1)
            if "@" not in line
        ]
        if bad:
            return error_response(422, "VALIDATION_ERROR", "Rows are invalid.", {"rows": bad})
        students = [
            {
                "student_id": f"s-{n}",
                "first_name": line.split(";")[0],
                "last_name": line.split(";")[1],
                "email": line.split(";")[2],
                "class_ids": [found["class_id"]],
                "created_at": NOW,
                "updated_at": NOW,
            }
            for n, line in enumerate(lines, start=1)
        ]
        found["students"] += students
        found["student_count"] = len(found["students"])
        answer = {"class_id": found["class_id"], "created_count": len(students)}
        body = {**answer, "existing_count": 0, "students": students}
        return web.json_response(body, status=201)

    @routes.get("/v1/batches/{batch_id}/associations")
    async def associations(request: web.Request) -> web.Response:
        found = gw.associations.get(request.match_info["batch_id"])
        if found is None:
            return error_response(404, "BATCH_NOT_FOUND", "Batch not found.")
        return web.json_response(found)

    @routes.post("/v1/batches/{batch_id}/associations/confirm")
    async def confirm(request: web.Request) -> web.Response:
        found = gw.associations[request.match_info["batch_id"]]
        body = await request.json()
        gw.confirm_requests.append(body)
        chosen = {c["essay_id"]: c["student_id"] for c in body["confirmations"]}
        for row in found["associations"]:
            if row["essay_id"] in chosen or (body["accept_suggestions"] and row["student_id"]):
                row["student_id"] = chosen.get(row["essay_id"], row["student_id"])
                row["status"] = "confirmed"
        if all(row["status"] == "confirmed" for row in found["associations"]):
            found["status"] = "confirmed"
        return web.json_response(found)

    @routes.delete("/v1/students/{student_id}")
    async def erase_student(request: web.Request) -> web.Response:
        student_id = request.match_info["student_id"]
        if student_id not in gw.students:
            return error_response(404, "STUDENT_NOT_FOUND", "Student not found.")
        gw.erasures.append((student_id, request.query.get("essays")))
        gw.students.discard(student_id)
        return web.Response(status=204)


def _app(gw: FakeGateway) -> web.Application:
    routes = web.RouteTableDef()
    _class_routes(gw, routes)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        info = request.match_info.route.resource
        route = f"{request.method} {info.canonical if info else request.path}"
        if route in gw.failures:
            canned = gw.failures[route]  # a prepared Response can be sent only once: copy it
            return web.Response(body=canned.body, status=canned.status, headers=canned.headers)
        public = route in ("POST /v1/dev/tokens", "GET /ws")
        auth = request.headers.get("Authorization", "")
        if not public and auth.removeprefix("Bearer ") not in gw.tokens:
            return error_response(401, "UNAUTHORIZED", "Missing or invalid bearer token.")
        return await handler(request)

    @routes.post("/v1/dev/tokens")
    async def mint(request: web.Request) -> web.Response:
        body = await request.json()
        token = f"tok-{body['user_id']}-{uuid.uuid4().hex[:6]}"
        gw.tokens.add(token)
        return web.json_response(
            {"access_token": token, "token_type": "bearer", "expires_in": 3600}, status=201
        )

    @routes.post("/v1/batches")
    async def register(request: web.Request) -> web.Response:
        body = await request.json()
        batch_id = f"b-{len(gw.batches) + 1}"
        gw.add_batch(
            batch_id,
            course_code=body["course_code"],
            class_id=body.get("class_id"),
            expected_essay_count=body["expected_essay_count"],
        )
        return web.json_response(
            {
                "batch_id": batch_id,
                "status": "awaiting_content",
                "essay_ids": [f"e-{i}" for i in range(body["expected_essay_count"])],
                "course_code": body["course_code"],
                "expected_essay_count": body["expected_essay_count"],
                "class_id": body.get("class_id"),
            },
            status=201,
        )

    @routes.get("/v1/batches")
    async def list_batches(request: web.Request) -> web.Response:
        limit, offset = int(request.query["limit"]), int(request.query["offset"])
        items = [
            b for b in gw.batches.values() if request.query.get("status") in (None, b["status"])
        ]
        return web.json_response(
            {
                "items": items[offset : offset + limit],
                "total": len(items),
                "limit": limit,
                "offset": offset,
            }
        )

    @routes.get("/v1/batches/{batch_id}")
    async def get_batch(request: web.Request) -> web.Response:
        batch = gw.batches.get(request.match_info["batch_id"])
        if batch is None:
            return error_response(404, "BATCH_NOT_FOUND", "Batch not found.")
        return web.json_response(batch)

    @routes.get("/v1/batches/{batch_id}/essays/{essay_id}")
    async def get_essay(request: web.Request) -> web.Response:
        assert request.query.get("include_text") == "true"
        essay = gw.batches[request.match_info["batch_id"]].get("detail", {})
        if essay.get("essay_id") != request.match_info["essay_id"]:
            return error_response(404, "ESSAY_NOT_FOUND", "Essay not found.")
        return web.json_response(essay)

    @routes.get("/v1/batches/{batch_id}/essays/{essay_id}/text")
    async def get_essay_text(request: web.Request) -> web.Response:
        text = gw.batches[request.match_info["batch_id"]].get("original", {})
        if text.get("essay_id") != request.match_info["essay_id"]:
            return error_response(404, "ESSAY_NOT_FOUND", "Essay not found.")
        return web.json_response(text)

    @routes.post("/v1/batches/{batch_id}/files")
    async def upload(request: web.Request) -> web.Response:
        batch_id = request.match_info["batch_id"]
        results: list[dict[str, Any]] = []
        names: list[str] = []
        async for part in await request.multipart():
            assert isinstance(part, BodyPartReader)
            assert part.name == "files"
            content = await part.read()
            name = part.filename or "?"
            names.append(name)
            upload_id = f"f-{uuid.uuid4().hex[:8]}"
            if not name.endswith(SUPPORTED):
                results.append(
                    {
                        "status": "rejected",
                        "filename": name,
                        "file_upload_id": upload_id,
                        "error_code": "UNSUPPORTED_FILE_TYPE",
                        "message": "Only .txt .md .docx .pdf .odt .rtf files.",
                    }
                )
            elif not content.strip():
                results.append(
                    {
                        "status": "rejected",
                        "filename": name,
                        "file_upload_id": upload_id,
                        "error_code": "EMPTY_FILE",
                        "message": "The file is empty.",
                    }
                )
            else:
                record = {
                    "status": "accepted",
                    "filename": name,
                    "file_upload_id": upload_id,
                    "file_size_bytes": len(content),
                }
                results.append(record)
                gw.files.setdefault(batch_id, []).append(record)
        gw.upload_requests.append(names)
        accepted = sum(r["status"] == "accepted" for r in results)
        if not accepted:
            return error_response(
                422,
                "VALIDATION_ERROR",
                "No file was accepted.",
                {"batch_id": batch_id, "files": results},
            )
        return web.json_response(
            {
                "batch_id": batch_id,
                "accepted_count": accepted,
                "rejected_count": len(results) - accepted,
                "files": results,
            },
            status=201,
        )

    @routes.get("/v1/batches/{batch_id}/files")
    async def list_files(request: web.Request) -> web.Response:
        batch_id = request.match_info["batch_id"]
        return web.json_response({"batch_id": batch_id, "files": gw.files.get(batch_id, [])})

    @routes.delete("/v1/batches/{batch_id}/files/{file_upload_id}")
    async def remove_file(request: web.Request) -> web.Response:
        batch_id, upload_id = request.match_info["batch_id"], request.match_info["file_upload_id"]
        kept = [f for f in gw.files.get(batch_id, []) if f["file_upload_id"] != upload_id]
        removed = [f for f in gw.files.get(batch_id, []) if f["file_upload_id"] == upload_id]
        if not removed:
            return error_response(404, "FILE_NOT_FOUND", "File not found.")
        gw.files[batch_id] = kept
        return web.json_response({"batch_id": batch_id, "removed": removed[0]})

    @routes.post("/v1/batches/{batch_id}/pipelines")
    async def run_pipeline(request: web.Request) -> web.Response:
        body = await request.json()
        gw.pipeline_requests.append(body)
        key = request.headers.get("Idempotency-Key")
        gw.pipeline_keys.append(key)
        if gw.pipeline_answers:
            canned = gw.pipeline_answers.pop(0)
            if isinstance(canned, dict):
                return web.json_response(canned, status=202)
            return web.Response(body=canned.body, status=canned.status, headers=canned.headers)
        return web.json_response(
            {
                "batch_id": request.match_info["batch_id"],
                "pipeline": body["pipeline"],
                "disabled_grammar_categories": body.get("disabled_grammar_categories", []),
                "request_id": "req-1",
                "idempotency_key": key,
                "replayed": False,
                "correlation_id": "corr-1",
            },
            status=202,
        )

    @routes.post("/v1/ws-tickets")
    async def ticket(request: web.Request) -> web.Response:
        value = f"ticket-{len(gw.ws_tickets) + 1}"
        gw.ws_tickets.append(value)
        return web.json_response({"ticket": value, "expires_in": 30}, status=201)

    @routes.get("/ws")
    async def ws(request: web.Request) -> web.StreamResponse:
        if request.query.get("ticket") not in gw.ws_tickets:
            return error_response(401, "UNAUTHORIZED", "Invalid ticket.")
        gw.ws_resumed_after.append(request.query.get("last_event_id"))
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"type": "ready"})
        script = gw.ws_scripts.pop(0) if gw.ws_scripts else None
        for message in script or []:
            if message.get("type") == "close":
                await socket.close(
                    code=message.get("code", 1001), message=message.get("reason", "").encode()
                )
                return socket
            await socket.send_json(message)
            if message.get("type") == "ping":
                reply = await socket.receive_json(timeout=5)
                gw.pongs += reply == {"type": "pong"}
        async for msg in socket:  # keep the socket open until the client leaves
            if msg.type == WSMsgType.ERROR:
                break
        return socket

    application = web.Application(middlewares=[middleware])
    application.add_routes(routes)
    return application


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    """The fake gateway, serving on a free loopback port for the duration of one test."""
    gw = FakeGateway()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(_app(gw))
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        host, port = runner.addresses[0][:2]
        gw.url = f"http://{host}:{port}"
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert started.wait(10)
    yield gw
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


@dataclass
class Cli:
    """Runs `huleedu ...` in-process against the fake gateway, with its own config dir."""

    gateway: FakeGateway
    config_dir: Path

    def __call__(self, *args: str, token: str | None = None, url: str | None = None) -> Result:
        env = {
            "HULEEDU_API_URL": url or self.gateway.url,
            "HULEEDU_CONFIG_DIR": str(self.config_dir),
            "HULEEDU_TOKEN": token,
            "COLUMNS": "200",
        }
        return CliRunner().invoke(app, list(args), env=env)

    def signed_in(self) -> str:
        """Log in as teacher-1 and return the saved token."""
        result = self("login", "--user", "teacher-1")
        assert result.exit_code == 0, result.output
        return (self.config_dir / "token").read_text().strip()


@pytest.fixture
def cli(gateway: FakeGateway, tmp_path: Path) -> Cli:
    """The CLI runner bound to the fake gateway and a fresh config dir."""
    return Cli(gateway, tmp_path / "config")


@pytest.fixture
def api_error() -> Any:
    """Builds an error response in the contract's shape (tests import no modules)."""
    return error_response
