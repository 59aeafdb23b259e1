"""Kafka entrypoint of the File Service: the outbox relay and the student-erasure consumer,
with their own /healthz and /metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp
from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.envelope import EventEnvelope
from common_core.events import StudentErasureRequestedV1
from common_core.topics import topic_for
from file_service.adapters.content_client import ContentServiceEraser
from file_service.adapters.unit_of_work import SqlAlchemyUnitOfWork
from file_service.config import FileServiceSettings
from file_service.domain.erasure import (
    ContentEraser,
    EraseStudentFiles,
    ErasureUnitOfWork,
    UnreadableTerms,
)
from file_service.domain.ports import DependencyUnavailable
from huleedu_service_libs.clients import ContentServiceClient
from huleedu_service_libs.consumer import EnvelopeHandler, EventFactory, StepRunner
from huleedu_service_libs.crypto import KeyRing
from huleedu_service_libs.db import create_engine_from_settings, make_session_factory
from huleedu_service_libs.http import serve_quart
from huleedu_service_libs.kafka import EventDispatcher
from huleedu_service_libs.kafka.retry_policy import PoisonMessageError, TransientError
from huleedu_service_libs.worker import ConsumerSpec
from huleedu_service_libs.worker import create_worker_app as create_runtime_app

ERASURE_CONSUMER = "erasure"


def _worker_settings(settings: FileServiceSettings) -> FileServiceSettings:
    return settings.model_copy(update={"http_port": settings.worker_http_port})


def erasure_handler(
    uow_factory: Callable[[], ErasureUnitOfWork], step: EraseStudentFiles, consumer: str
) -> EnvelopeHandler:
    """Applies a StudentErasureRequestedV1 once (inbox), blobs first, rows in the same commit.

    A Content Service outage is retried (transient); terms no key opens go to the DLQ at once.
    """
    runner = StepRunner(
        uow_factory, consumer=consumer, source_service=consumer, events=EventFactory
    )

    async def handle(envelope: EventEnvelope[Any]) -> None:
        try:
            await runner.run(envelope, step)
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

    sessions = make_session_factory(engine)
    dispatcher = EventDispatcher()
    dispatcher.register(
        StudentErasureRequestedV1,
        erasure_handler(
            lambda: SqlAlchemyUnitOfWork(sessions),
            EraseStudentFiles(content, KeyRing(settings.event_pii_keys)),
            # The inbox name the erasures handled so far were recorded under.
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
