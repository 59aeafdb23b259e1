"""Kafka entrypoint of the Batch Orchestrator: consumers and the outbox relay, with /healthz."""

from __future__ import annotations

import asyncio
from typing import Any

from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine

from batch_orchestrator_service.adapters import metrics
from batch_orchestrator_service.config import BatchOrchestratorSettings
from batch_orchestrator_service.di import make_container, make_uow_factory
from batch_orchestrator_service.domain.messages import Emitter
from batch_orchestrator_service.domain.orchestration import (
    batch_essays_ready,
    make_runner,
    phase_outcome,
    pipeline_request,
    student_associations_confirmed,
)
from batch_orchestrator_service.domain.ports import UnitOfWork, UnitOfWorkFactory
from common_core.events import (
    BatchEssaysReadyV1,
    ClientBatchPipelineRequestV1,
    ELSBatchPhaseOutcomeV1,
    EventModel,
    StudentAssociationsConfirmedV1,
)
from common_core.topics import topic_for
from huleedu_service_libs.consumer import Clock, Step, utc_now
from huleedu_service_libs.db import create_engine_from_settings, make_session_factory
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


# Each consumed event and the step that applies it.
STEPS: tuple[tuple[type[EventModel], Step[UnitOfWork, Any, Emitter]], ...] = (
    (BatchEssaysReadyV1, batch_essays_ready),
    (ClientBatchPipelineRequestV1, pipeline_request),
    (ELSBatchPhaseOutcomeV1, phase_outcome),
    (StudentAssociationsConfirmedV1, student_associations_confirmed),
)


def build_dispatcher(
    uow_factory: UnitOfWorkFactory, *, service: str, clock: Clock = utc_now
) -> EventDispatcher:
    """Event type -> step, each run by the kernel under its own inbox consumer name."""
    dispatcher = EventDispatcher()
    for model, step in STEPS:
        runner = make_runner(uow_factory, step, service=service, clock=clock, record=metrics.record)
        dispatcher.register(model, runner.handler(step))
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
        handler=build_dispatcher(
            make_uow_factory(make_session_factory(engine)), service=settings.service_name
        ).handle,
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
