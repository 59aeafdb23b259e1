"""File Service over real HTTP, PostgreSQL and Kafka: fixtures and helpers.

Each test gets the File Service's migrated schema (pg_engine) and a second schema for the
Content Service, which is served for real on a loopback port; BOS is an HTTP stub. The File
Service itself is served over HTTP too, so the tests see what a caller sees (multipart parsing,
413s, Retry-After headers). Batch and user ids are random per test, and Kafka assertions read
the shared registry topics from offsets captured before the test, filtered by those ids.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiokafka import ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchFileAddedV1,
    BatchFileRemovedV1,
    EssayContentProvisionedV1,
    EssayValidationFailedV1,
    StudentParsingCompletedV1,
    TeacherNotificationRequestedV1,
)
from common_core.topics import topic_for
from content_service.config import ContentServiceSettings
from file_service.app import create_app as create_file_app
from file_service.config import FileServiceSettings
from huleedu_service_libs.config import Environment, InfraSettings
from huleedu_service_libs.crypto import KeyRing
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_service_libs.kafka.headers import decode_headers
from huleedu_service_libs.outbox import OutboxRelay
from huleedu_testing import random_id, random_suffix
from huleedu_testing.bos_stub import BosStub
from huleedu_testing.content_service import (
    content_service_engine,
    serve_content_service,
)
from huleedu_testing.kafka_helpers import (
    TopicProbe,
    batch_id_of,
    decode_envelope,
    end_offsets,
)
from huleedu_testing.migrations import upgrade_to_head
from huleedu_testing.servers import serve_in_background

SERVICE_DIR = Path(__file__).resolve().parents[2]
INTERNAL_KEY = "file-service-it-internal-key"
FILES_PATH = "/internal/v1/batches/{batch_id}/files"
FILE_EVENT_MODELS = (
    EssayContentProvisionedV1,
    EssayValidationFailedV1,
    BatchFileAddedV1,
    BatchFileRemovedV1,
    StudentParsingCompletedV1,
    TeacherNotificationRequestedV1,
)
FILE_TOPICS = tuple(topic_for(model) for model in FILE_EVENT_MODELS)


# -- answers and rows ----------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One HTTP response: status, decoded JSON body, headers and how long it took."""

    status: int
    body: Any
    headers: Mapping[str, str]
    seconds: float

    @property
    def error(self) -> dict[str, Any]:
        """The inner object of our error body."""
        assert isinstance(self.body, dict), self.body
        assert "error" in self.body, self.body
        error: dict[str, Any] = self.body["error"]
        return error

    def files_by_name(self) -> dict[str, dict[str, Any]]:
        """Per-file results of an upload (201 body or 422 details) by filename."""
        files = self.body["files"] if "files" in self.body else self.error["details"]["files"]
        return {f["filename"]: f for f in files}


@dataclass(frozen=True)
class OutboxRow:
    """An event_outbox row with its payload decoded."""

    event_type: str
    topic: str
    key: str | None
    headers: dict[str, str]
    envelope: dict[str, Any]
    payload: bytes

    def decode(self) -> EventEnvelope[Any]:
        """The payload decoded with its typed event model."""
        return decode_envelope(self.event_type, self.payload)


# -- the File Service as a client sees it --------------------------------------------------


@dataclass
class FileServiceClient:
    """Calls the served File Service's internal API as the gateway would."""

    base_url: str
    http: aiohttp.ClientSession
    user_id: str
    batch_id: str

    def _headers(
        self,
        user_id: str | None,
        *,
        omit_user: bool = False,
        omit_key: bool = False,
        correlation_id: str | None = None,
    ) -> dict[str, str]:
        headers: dict[str, str] = {}
        if not omit_user:
            headers["X-User-ID"] = user_id or self.user_id
        if not omit_key:
            headers["X-Internal-API-Key"] = INTERNAL_KEY
        if correlation_id is not None:
            headers["X-Correlation-ID"] = correlation_id
        return headers

    async def _call(self, method: str, path: str, **kwargs: Any) -> Answer:
        started = time.perf_counter()
        async with self.http.request(method, self.base_url + path, **kwargs) as response:
            raw = await response.read()
            seconds = time.perf_counter() - started
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            return Answer(response.status, body, dict(response.headers), seconds)

    async def upload(
        self,
        files: Sequence[tuple[str, bytes]],
        *,
        batch_id: str | None = None,
        user_id: str | None = None,
        omit_user: bool = False,
        omit_key: bool = False,
        correlation_id: str | None = None,
        field_name: str = "files",
        percent_encode_names: bool = False,
    ) -> Answer:
        """POST the files as multipart field `files` (one part per file)."""
        # Raw UTF-8 filenames, as browsers send them, unless the test wants aiohttp's default
        # percent-encoding (what a Python client such as the gateway sends).
        form = aiohttp.FormData(quote_fields=percent_encode_names, default_to_multipart=True)
        for name, data in files:
            form.add_field(field_name, data, filename=name, content_type="application/octet-stream")
        if not files:
            form.add_field("note", "no files here")
        path = FILES_PATH.format(batch_id=batch_id or self.batch_id)
        headers = self._headers(
            user_id, omit_user=omit_user, omit_key=omit_key, correlation_id=correlation_id
        )
        return await self._call("POST", path, data=form, headers=headers)

    async def list_files(
        self, *, batch_id: str | None = None, user_id: str | None = None
    ) -> Answer:
        """GET the batch's files."""
        path = FILES_PATH.format(batch_id=batch_id or self.batch_id)
        return await self._call("GET", path, headers=self._headers(user_id))

    async def remove(
        self, file_upload_id: str, *, batch_id: str | None = None, user_id: str | None = None
    ) -> Answer:
        """DELETE one file of the batch."""
        path = FILES_PATH.format(batch_id=batch_id or self.batch_id) + f"/{file_upload_id}"
        return await self._call("DELETE", path, headers=self._headers(user_id))

    async def get(self, path: str) -> Answer:
        """A plain GET (health, metrics)."""
        return await self._call("GET", path)


@dataclass
class FileStack:
    """One served File Service with its databases, BOS stub and the test's own ids."""

    client: FileServiceClient
    bos: BosStub
    settings: FileServiceSettings
    file_engine: AsyncEngine
    content_engine: AsyncEngine

    @property
    def batch_id(self) -> str:
        """The test's batch, registered in the BOS stub for the test's user."""
        return self.client.batch_id

    @property
    def user_id(self) -> str:
        """The teacher the test acts as."""
        return self.client.user_id

    async def file_rows(self) -> list[dict[str, Any]]:
        """Every file_uploads row (the schema is the test's own)."""
        async with self.file_engine.connect() as conn:
            rows = await conn.execute(text("SELECT * FROM file_uploads ORDER BY created_at"))
            return [dict(row._mapping) for row in rows]

    async def active_file_count(self) -> int:
        """file_uploads rows not removed."""
        return sum(1 for row in await self.file_rows() if row["removed_at"] is None)

    async def blob_count(self) -> int:
        """content_items rows in the Content Service's schema."""
        async with self.content_engine.connect() as conn:
            return int(await conn.scalar(text("SELECT count(*) FROM content_items")) or 0)

    async def blob(self, content_id: str) -> tuple[str, bytes]:
        """A stored blob's content type and bytes (decrypted: the rows hold Fernet tokens)."""
        async with self.content_engine.connect() as conn:
            row = (
                await conn.execute(
                    text(
                        "SELECT content_type, data, encrypted FROM content_items"
                        " WHERE content_id = :id"
                    ),
                    {"id": content_id},
                )
            ).one()
        data = bytes(row.data)
        if row.encrypted:
            data = KeyRing(ContentServiceSettings().encryption_keys).decrypt(data)
        return str(row.content_type), data

    async def outbox(self) -> list[OutboxRow]:
        """The event_outbox rows, oldest first."""
        return await read_outbox(self.file_engine)

    async def outbox_types(self) -> list[str]:
        """The outbox's event types, sorted (for comparisons)."""
        return sorted(row.event_type for row in await self.outbox())


async def read_outbox(engine: AsyncEngine) -> list[OutboxRow]:
    """The event_outbox rows of an engine's schema, oldest first."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT event_type, topic, event_key, headers, payload"
                " FROM event_outbox ORDER BY id"
            )
        )
        return [
            OutboxRow(
                event_type=row.event_type,
                topic=row.topic,
                key=row.event_key,
                headers=dict(row.headers),
                envelope=json.loads(bytes(row.payload)),
                payload=bytes(row.payload),
            )
            for row in rows
        ]


# -- databases and services ----------------------------------------------------------------


@pytest.fixture
def internal_key() -> str:
    """The internal API key every service in these tests shares."""
    return INTERNAL_KEY


@pytest.fixture
async def file_engine(pg_engine: AsyncEngine) -> AsyncEngine:
    """The File Service's tables, migrated with its own Alembic scripts, in a fresh schema."""
    await upgrade_to_head(pg_engine, SERVICE_DIR)
    return pg_engine


@pytest.fixture
async def file_schema(file_engine: AsyncEngine) -> str:
    """The name of the File Service's schema (for processes configured by environment)."""
    async with file_engine.connect() as conn:
        return str(await conn.scalar(text("SHOW search_path"))).strip('"')


@pytest.fixture
async def content_engine(infra: InfraSettings) -> AsyncIterator[AsyncEngine]:
    """A second fresh schema holding the Content Service's migrated tables."""
    async with content_service_engine(infra) as engine:
        yield engine


@pytest.fixture
async def content_service_url(content_engine: AsyncEngine) -> AsyncIterator[str]:
    """The Content Service served over HTTP on a loopback port."""
    async with serve_content_service(content_engine, INTERNAL_KEY) as content:
        yield content.url


@pytest.fixture
async def bos() -> AsyncIterator[BosStub]:
    """The BOS stub, listening for the whole test."""
    async with BosStub(internal_api_key=INTERNAL_KEY) as stub:
        yield stub


def file_settings(**overrides: Any) -> FileServiceSettings:
    """Test settings: short BOS timeouts and breaker, few content retries; overrides win."""
    values: dict[str, Any] = {
        "environment": Environment.TEST,
        "internal_api_key": INTERNAL_KEY,
        "bos_timeout_seconds": 2.0,
        "bos_breaker_fail_max": 3,
        "bos_breaker_reset_seconds": 0.5,
        "content_max_attempts": 2,
        "content_timeout_seconds": 5.0,
    }
    values.update(overrides)
    return FileServiceSettings(**values)


StackFactory = Callable[..., Awaitable[FileStack]]


@pytest.fixture
async def make_stack(
    file_engine: AsyncEngine,
    content_engine: AsyncEngine,
    content_service_url: str,
    bos: BosStub,
) -> AsyncIterator[StackFactory]:
    """Serve a File Service with settings overrides (a new app, so a new breaker, per call)."""
    async with AsyncExitStack() as exits:
        http = await exits.enter_async_context(aiohttp.ClientSession())
        user_id, batch_id = random_id(), random_id()
        bos.add_batch(batch_id, user_id, class_id=random_id())

        async def make(**overrides: Any) -> FileStack:
            settings = file_settings(
                **{"content_service_url": content_service_url, "bos_url": bos.url, **overrides}
            )
            app = create_file_app(settings, file_engine)
            url = await exits.enter_async_context(serve_in_background(app, settings))
            client = FileServiceClient(url, http, user_id=user_id, batch_id=batch_id)
            return FileStack(client, bos, settings, file_engine, content_engine)

        yield make


@pytest.fixture
async def stack(make_stack: StackFactory) -> FileStack:
    """The File Service with the default test settings."""
    return await make_stack()


# -- Kafka ---------------------------------------------------------------------------------


@dataclass
class KafkaProbe(TopicProbe):
    """Reads the shared registry topics from where they ended when the test began."""

    async def drain(self, engine: AsyncEngine) -> int:
        """Publish a schema's outbox once with a real relay; returns rows sent."""
        producer = KafkaEventProducer(self.bootstrap, client_id=f"file-it-relay-{random_suffix()}")
        await producer.start()
        try:
            relay = OutboxRelay(engine, producer, service_name="file_service")
            return await relay.drain()
        finally:
            await producer.stop()

    @staticmethod
    def headers(record: ConsumerRecord[Any, Any]) -> dict[str, str]:
        """A record's headers as str -> str."""
        return decode_headers(record.headers)

    batch_id_of = staticmethod(batch_id_of)
    decode = staticmethod(decode_envelope)


@pytest.fixture
async def kafka(kafka_admin: AIOKafkaAdminClient, kafka_bootstrap: str) -> KafkaProbe:
    """End offsets of the File Service's topics, captured before the test produced anything."""
    marks = await end_offsets(kafka_bootstrap, FILE_TOPICS, admin=kafka_admin)
    return KafkaProbe(kafka_bootstrap, marks)
