"""Kafka entrypoint of the Result Aggregator: the view consumer and the outbox relay."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel
from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.events import (
    BatchEssaysReadyV1,
    BatchEssaysRegisteredV1,
    BatchGrammarInitiateCommandV1,
    BatchPipelineCompletedV1,
    BatchSpellcheckInitiateCommandV1,
    ELSBatchPhaseOutcomeV1,
    EssayGrammarCompletedV1,
    EssaySlotAssignedV1,
    EssaySpellcheckCompletedV1,
    EssayValidationFailedV1,
    StudentAssociationsConfirmedV1,
    StudentErasureRequestedV1,
)
from common_core.topics import topic_for
from huleedu_service_libs.consumer import Clock, utc_now
from huleedu_service_libs.db import create_engine_from_settings, make_session_factory
from huleedu_service_libs.http import serve_quart
from huleedu_service_libs.kafka import EventDispatcher
from huleedu_service_libs.worker import ConsumerSpec, WorkerRuntime
from huleedu_service_libs.worker import create_worker_app as create_runtime_app
from result_aggregator_service.adapters import metrics
from result_aggregator_service.adapters.http_session import LazyHttpSession
from result_aggregator_service.config import ResultAggregatorSettings
from result_aggregator_service.di import make_bos_client, make_uow_factory
from result_aggregator_service.domain import intake, outcomes
from result_aggregator_service.domain.erasure import erase_results
from result_aggregator_service.domain.ports import BatchOrchestrator
from result_aggregator_service.domain.steps import (
    Runner,
    ViewStep,
    asking_bos,
    locked,
    make_runner,
)

CONSUMED_EVENTS = (
    BatchEssaysRegisteredV1,
    EssaySlotAssignedV1,
    EssayValidationFailedV1,
    BatchEssaysReadyV1,
    StudentAssociationsConfirmedV1,
    BatchSpellcheckInitiateCommandV1,
    EssaySpellcheckCompletedV1,
    BatchGrammarInitiateCommandV1,
    EssayGrammarCompletedV1,
    ELSBatchPhaseOutcomeV1,
    BatchPipelineCompletedV1,
)
CONSUMED_TOPICS = tuple(topic_for(m) for m in CONSUMED_EVENTS)


def _worker_settings(settings: ResultAggregatorSettings) -> ResultAggregatorSettings:
    return settings.model_copy(update={"http_port": settings.worker_http_port})


def build_dispatcher(runner: Runner, bos: BatchOrchestrator) -> EventDispatcher:
    """Every consumed event type routed to its view update (each under its batch's lock)."""
    dispatcher = EventDispatcher()
    views: dict[type[BaseModel], ViewStep] = {
        BatchEssaysRegisteredV1: intake.registered,
        EssaySlotAssignedV1: intake.slot_assigned,
        EssayValidationFailedV1: intake.file_rejected,
        BatchEssaysReadyV1: intake.essays_ready,
        StudentAssociationsConfirmedV1: intake.students_confirmed,
        BatchSpellcheckInitiateCommandV1: intake.spellcheck_initiated,
        EssaySpellcheckCompletedV1: outcomes.spellcheck_completed,
        BatchGrammarInitiateCommandV1: intake.grammar_initiated,
        EssayGrammarCompletedV1: outcomes.grammar_completed,
    }
    for model, step in views.items():
        dispatcher.register(model, runner.handler(locked(step)))
    dispatcher.register(ELSBatchPhaseOutcomeV1, asking_bos(runner, bos, outcomes.phase_outcome))
    dispatcher.register(
        BatchPipelineCompletedV1, asking_bos(runner, bos, outcomes.pipeline_completed)
    )
    return dispatcher


def erasure_dispatcher(runner: Runner) -> EventDispatcher:
    """StudentErasureRequestedV1: the student's results deleted or relabelled, once (inbox)."""
    dispatcher = EventDispatcher()
    # The views' runner: one inbox name, so erasures handled before stay deduplicated.
    dispatcher.register(StudentErasureRequestedV1, runner.handler(erase_results))
    return dispatcher


def create_worker_app(
    settings: ResultAggregatorSettings,
    engine: AsyncEngine | None = None,
    *,
    clock: Clock = utc_now,
    bos: BatchOrchestrator | None = None,
) -> tuple[Quart, WorkerRuntime]:
    """The worker's health/metrics app and its runtime (clock and BOS injectable for tests)."""
    worker_settings = _worker_settings(settings)
    engine = engine or create_engine_from_settings(worker_settings)
    sessions = make_session_factory(engine)
    http = LazyHttpSession()
    runner = make_runner(
        make_uow_factory(sessions),
        service=settings.service_name,
        clock=clock,
        on_committed=metrics.count_notifications,
    )
    bos = bos or make_bos_client(http, settings)
    return create_runtime_app(
        worker_settings,
        engine,
        consumers=[
            ConsumerSpec(
                "views",
                CONSUMED_TOPICS,
                build_dispatcher(runner, bos).handle,
                # One group for every topic: the views are one projection.
                group_id=settings.kafka_consumer_group,
                max_attempts=settings.consumer_max_attempts,
                transient_budget_seconds=settings.consumer_transient_budget_seconds,
            ),
            # Its own group: erasures never wait behind (or reorder) the views' events.
            ConsumerSpec(
                "erasure",
                [topic_for(StudentErasureRequestedV1)],
                erasure_dispatcher(runner).handle,
                max_attempts=settings.consumer_max_attempts,
                transient_budget_seconds=settings.consumer_transient_budget_seconds,
            ),
        ],
        on_shutdown=[http.close],
    )


def main() -> None:
    """Consume and relay until SIGTERM/SIGINT."""
    settings = ResultAggregatorSettings()
    app, _runtime = create_worker_app(settings)
    asyncio.run(serve_quart(app, _worker_settings(settings)))


if __name__ == "__main__":
    main()
