"""Kafka entrypoint of the File Service: the outbox relay and the student-erasure consumer,
with their own /healthz and /metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp
import structlog
from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from common_core.envelope import EventEnvelope
from common_core.events import StudentErasureRequestedV1
from common_core.topics import topic_for
from file_service.adapters.content_client import ContentServiceEraser
from file_service.adapters.erasure_files import PostgresErasureFiles
from file_service.config import FileServiceSettings
from file_service.domain.bus_names import Opener
from file_service.domain.erasure import ContentEraser, UnreadableTerms, erase_student_files
from file_service.domain.ports import DependencyUnavailable
from huleedu_service_libs.clients import ContentServiceClient
from huleedu_service_libs.crypto import KeyRing
from huleedu_service_libs.db import create_engine_from_settings, make_session_factory
from huleedu_service_libs.http import serve_quart
from huleedu_service_libs.inbox import apply_once
from huleedu_service_libs.kafka import EventDispatcher
from huleedu_service_libs.kafka.retry_policy import PoisonMessageError, TransientError
from huleedu_service_libs.worker import ConsumerSpec
from huleedu_service_libs.worker import create_worker_app as create_runtime_app

logger = structlog.get_logger(__name__)

ERASURE_CONSUMER = "erasure"


def _worker_settings(settings: FileServiceSettings) -> FileServiceSettings:
    return settings.model_copy(update={"http_port": settings.worker_http_port})


def erasure_handler(
    sessions: async_sessionmaker[AsyncSession],
    content: Callable[[], ContentEraser],
    opener: Opener,
    consumer: str,
) -> Callable[[EventEnvelope[Any]], Any]:
    """Applies a StudentErasureRequestedV1 once (inbox), blobs first, rows in the same commit."""

    async def handle(envelope: EventEnvelope[Any]) -> None:
        event: StudentErasureRequestedV1 = envelope.data

        async def effects(session: AsyncSession) -> None:
            done = await erase_student_files(
                event, PostgresErasureFiles(session), content(), opener
            )
            logger.info(
                "file.student_erased",
                erasure_id=event.erasure_id,
                essay_mode=event.essay_mode.value,
                files=done.files,
                batches=done.batches,
            )

        try:
            await apply_once(sessions, envelope, consumer=consumer, effects=effects)
        except DependencyUnavailable as exc:
            raise TransientError(str(exc)) from exc
        except UnreadableTerms as exc:
            raise PoisonMessageError(str(exc)) from exc

    return handle


def create_worker_app(settings: FileServiceSettings, engine: AsyncEngine | None = None) -> Quart:
    """Serves health and metrics while the relay publishes and the erasure consumer runs."""
    worker_settings = _worker_settings(settings)
    engine = engine or create_engine_from_settings(worker_settings)
    http: dict[str, aiohttp.ClientSession] = {}

    def content() -> ContentEraser:
        # One HTTP session per process, opened inside the running loop on first use.
        if "session" not in http:
            http["session"] = aiohttp.ClientSession()
        return ContentServiceEraser(ContentServiceClient.from_settings(http["session"], settings))

    async def close_http() -> None:
        if "session" in http:
            await http.pop("session").close()

    dispatcher = EventDispatcher()
    dispatcher.register(
        StudentErasureRequestedV1,
        erasure_handler(
            make_session_factory(engine),
            content,
            KeyRing(settings.event_pii_keys),
            settings.service_name,
        ),
    )
    app, _runtime = create_runtime_app(
        worker_settings,
        engine,
        consumers=[
            ConsumerSpec(
                ERASURE_CONSUMER,
                [topic_for(StudentErasureRequestedV1)],
                dispatcher.handle,
                max_attempts=settings.consumer_max_attempts,
                transient_budget_seconds=settings.consumer_transient_budget_seconds,
            )
        ],
        on_shutdown=[close_http],
    )
    return app


def main() -> None:
    """Relay and consume until SIGTERM/SIGINT."""
    settings = FileServiceSettings()
    asyncio.run(serve_quart(create_worker_app(settings), _worker_settings(settings)))


if __name__ == "__main__":
    main()
