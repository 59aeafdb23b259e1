"""Kafka entrypoint of the Batch Orchestrator: consumers and the outbox relay, with /healthz."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from dishka import AsyncContainer
from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine

from batch_orchestrator_service.config import BatchOrchestratorSettings
from batch_orchestrator_service.di import make_container
from batch_orchestrator_service.domain.orchestration import (
    HandleBatchEssaysReady,
    HandlePhaseOutcome,
    HandlePipelineRequest,
    HandleStudentAssociationsConfirmed,
)
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysReadyV1,
    ClientBatchPipelineRequestV1,
    ELSBatchPhaseOutcomeV1,
    StudentAssociationsConfirmedV1,
)
from common_core.topics import topic_for
from huleedu_service_libs.db import create_engine_from_settings
from huleedu_service_libs.http import serve_quart
from huleedu_service_libs.kafka import EventDispatcher
from huleedu_service_libs.worker import ConsumerSpec, WorkerRuntime
from huleedu_service_libs.worker import create_worker_app as create_runtime_app

CONSUMED_EVENTS = (
    BatchEssaysReadyV1,
    ClientBatchPipelineRequestV1,
    ELSBatchPhaseOutcomeV1,
    StudentAssociationsConfirmedV1,
)
CONSUMED_TOPICS = tuple(topic_for(model) for model in CONSUMED_EVENTS)


class _EnvelopeUseCase(Protocol):
    async def execute(self, envelope: Any) -> None: ...


def _in_request_scope(
    container: AsyncContainer, use_case: type[_EnvelopeUseCase]
) -> Callable[[EventEnvelope[Any]], Awaitable[None]]:
    """A handler that runs the use case in its own DI request scope (its own transaction)."""

    async def handle(envelope: EventEnvelope[Any]) -> None:
        async with container() as request_container:
            await (await request_container.get(use_case)).execute(envelope)

    return handle


def build_dispatcher(container: AsyncContainer) -> EventDispatcher:
    """Event type -> use case, for every event the orchestrator consumes."""
    dispatcher = EventDispatcher()
    dispatcher.register(BatchEssaysReadyV1, _in_request_scope(container, HandleBatchEssaysReady))
    dispatcher.register(
        ClientBatchPipelineRequestV1, _in_request_scope(container, HandlePipelineRequest)
    )
    dispatcher.register(ELSBatchPhaseOutcomeV1, _in_request_scope(container, HandlePhaseOutcome))
    dispatcher.register(
        StudentAssociationsConfirmedV1,
        _in_request_scope(container, HandleStudentAssociationsConfirmed),
    )
    return dispatcher


def _worker_settings(settings: BatchOrchestratorSettings) -> BatchOrchestratorSettings:
    return settings.model_copy(update={"http_port": settings.worker_http_port})


def create_worker_app(
    settings: BatchOrchestratorSettings, engine: AsyncEngine | None = None
) -> tuple[Quart, WorkerRuntime]:
    """Health and metrics app plus the runtime: consumers of the four topics and the relay."""
    worker_settings = _worker_settings(settings)
    engine = engine or create_engine_from_settings(worker_settings)
    container = make_container(worker_settings, engine)
    consumer = ConsumerSpec(
        name="batch-events",
        topics=CONSUMED_TOPICS,
        handler=build_dispatcher(container).handle,
        max_attempts=settings.consumer_max_attempts,
        transient_budget_seconds=settings.consumer_transient_budget_seconds,
    )
    return create_runtime_app(worker_settings, engine, consumers=[consumer], container=container)


def main() -> None:
    """Consume and relay until SIGTERM/SIGINT."""
    settings = BatchOrchestratorSettings()
    app, _runtime = create_worker_app(settings)
    asyncio.run(serve_quart(app, _worker_settings(settings)))


if __name__ == "__main__":
    main()
