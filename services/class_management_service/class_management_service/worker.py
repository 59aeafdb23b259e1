"""Kafka entrypoint of the Class Management Service: author matching, its timeout, the relay."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine

from class_management_service.adapters import metrics
from class_management_service.adapters.event_pii import revealing
from class_management_service.config import ClassManagementSettings
from class_management_service.di import make_cipher, make_uow_factory
from class_management_service.domain.associations import steps as associations
from class_management_service.domain.associations.events import AssociationEvents
from class_management_service.domain.associations.monitor import AssociationTimeoutMonitor
from class_management_service.domain.associations.ports import (
    AssociationUnitOfWork,
    AssociationUowFactory,
    Clock,
)
from common_core.events import (
    BatchEssaysReadyV1,
    BatchEssaysRegisteredV1,
    StudentParsingCompletedV1,
)
from common_core.topics import topic_for
from huleedu_service_libs.consumer import StepRunner, utc_now
from huleedu_service_libs.crypto import KeyRing
from huleedu_service_libs.db import create_engine_from_settings, make_session_factory
from huleedu_service_libs.http import serve_quart
from huleedu_service_libs.kafka import EventDispatcher
from huleedu_service_libs.periodic import PeriodicJob
from huleedu_service_libs.worker import ConsumerSpec, WorkerRuntime
from huleedu_service_libs.worker import create_worker_app as create_runtime_app

CONSUMED_EVENTS = (BatchEssaysRegisteredV1, StudentParsingCompletedV1, BatchEssaysReadyV1)
CONSUMED_TOPICS = tuple(topic_for(m) for m in CONSUMED_EVENTS)
# Overdue batches confirmed per monitor pass; the rest wait for the next pass.
MONITOR_BATCH_LIMIT = 100


def _worker_settings(settings: ClassManagementSettings) -> ClassManagementSettings:
    return settings.model_copy(update={"http_port": settings.worker_http_port})


MatchingRunner = StepRunner[AssociationUnitOfWork, AssociationEvents]


def make_matching_runner(
    uow_factory: AssociationUowFactory, *, service: str, clock: Clock = utc_now
) -> MatchingRunner:
    """The kernel's runner for the matching steps, counting business events after commit."""
    return StepRunner(
        uow_factory,
        consumer=service,
        source_service=service,
        events=AssociationEvents,
        clock=clock,
        on_committed=lambda _context, outgoing: metrics.count_committed(outgoing),
    )


def build_dispatcher(handling: MatchingRunner, event_keys: KeyRing) -> EventDispatcher:
    """Every consumed event type routed to its matching step (sealed headers opened first)."""
    dispatcher = EventDispatcher()
    dispatcher.register(BatchEssaysRegisteredV1, handling.handler(associations.batch_registered))
    dispatcher.register(
        StudentParsingCompletedV1,
        revealing(handling.handler(associations.student_parsing_completed), event_keys),
    )
    dispatcher.register(BatchEssaysReadyV1, handling.handler(associations.batch_essays_ready))
    return dispatcher


def create_worker_app(
    settings: ClassManagementSettings,
    engine: AsyncEngine | None = None,
    *,
    clock: Clock = utc_now,
) -> tuple[Quart, WorkerRuntime]:
    """The worker's health/metrics app and its runtime (clock injectable for tests)."""
    worker_settings = _worker_settings(settings)
    engine = engine or create_engine_from_settings(worker_settings)
    uow_factory: AssociationUowFactory = make_uow_factory(
        make_session_factory(engine), make_cipher(settings)
    )
    handling = make_matching_runner(uow_factory, service=settings.service_name, clock=clock)
    monitor = AssociationTimeoutMonitor(
        uow_factory,
        source_service=settings.service_name,
        timeout=timedelta(hours=settings.association_timeout_hours),
        keep_threshold=settings.association_keep_threshold,
        clock=clock,
        batch_limit=MONITOR_BATCH_LIMIT,
        record=metrics.record,
    )
    return create_runtime_app(
        worker_settings,
        engine,
        consumers=[
            ConsumerSpec(
                "matching",
                CONSUMED_TOPICS,
                build_dispatcher(handling, KeyRing(settings.event_pii_keys)).handle,
                # One group for every topic; the class batch row lock serialises one batch.
                group_id=settings.kafka_consumer_group,
                max_attempts=settings.consumer_max_attempts,
                transient_budget_seconds=settings.consumer_transient_budget_seconds,
            )
        ],
        periodic=[
            PeriodicJob(
                "association-timeouts",
                monitor.check_once,
                settings.association_monitor_interval_seconds,
            )
        ],
    )


def main() -> None:
    """Consume, monitor and relay until SIGTERM/SIGINT."""
    settings = ClassManagementSettings()
    app, _runtime = create_worker_app(settings)
    asyncio.run(serve_quart(app, _worker_settings(settings)))


if __name__ == "__main__":
    main()
