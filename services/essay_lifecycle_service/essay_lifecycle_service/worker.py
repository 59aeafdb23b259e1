"""Kafka entrypoint of the Essay Lifecycle Service: consumers, timeout jobs, outbox relay."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.events import (
    BatchEssaysRegisteredV1,
    BatchFileRemovedV1,
    BatchGrammarInitiateCommandV1,
    BatchSpellcheckInitiateCommandV1,
    EssayContentProvisionedV1,
    EssayGrammarCompletedV1,
    EssaySpellcheckCompletedV1,
    EssayValidationFailedV1,
    StudentErasureRequestedV1,
)
from common_core.topics import topic_for
from essay_lifecycle_service.adapters import metrics
from essay_lifecycle_service.config import EssayLifecycleSettings
from essay_lifecycle_service.di import make_uow_factory
from essay_lifecycle_service.domain.erasure import erase_essays
from essay_lifecycle_service.domain.events import EventFactory
from essay_lifecycle_service.domain.monitor import ReadinessMonitor
from essay_lifecycle_service.domain.phases import GrammarPhase, SpellcheckPhase
from essay_lifecycle_service.domain.ports import UnitOfWork
from essay_lifecycle_service.domain.slots import SlotAssignment
from huleedu_service_libs.consumer import Clock, StepRunner, utc_now
from huleedu_service_libs.db import create_engine_from_settings, make_session_factory
from huleedu_service_libs.http import serve_quart
from huleedu_service_libs.kafka import EventDispatcher
from huleedu_service_libs.periodic import PeriodicJob
from huleedu_service_libs.worker import ConsumerSpec, WorkerRuntime
from huleedu_service_libs.worker import create_worker_app as create_runtime_app

SLOT_EVENTS = (
    BatchEssaysRegisteredV1,
    EssayContentProvisionedV1,
    EssayValidationFailedV1,
    BatchFileRemovedV1,
)
PHASE_EVENTS = (
    BatchSpellcheckInitiateCommandV1,
    EssaySpellcheckCompletedV1,
    BatchGrammarInitiateCommandV1,
    EssayGrammarCompletedV1,
)


def _worker_settings(settings: EssayLifecycleSettings) -> EssayLifecycleSettings:
    return settings.model_copy(update={"http_port": settings.worker_http_port})


def _slots_consumer(
    settings: EssayLifecycleSettings,
    handling: StepRunner[UnitOfWork, EventFactory],
    slots: SlotAssignment,
) -> ConsumerSpec:
    """The slots consumer; a poll's provisioned events of one batch may come as a run."""
    dispatcher = EventDispatcher()
    dispatcher.register(BatchEssaysRegisteredV1, handling.handler(slots.register))
    # A poll's provisioned events of one batch are placed in one transaction (kernel README,
    # "Handling a run of events"); alone, or if the run fails, each goes the one-event way.
    dispatcher.register(
        EssayContentProvisionedV1,
        handling.handler(slots.provision),
        many=handling.many_handler(slots.provision_many),
    )
    dispatcher.register(EssayValidationFailedV1, handling.handler(slots.validation_failed))
    dispatcher.register(BatchFileRemovedV1, handling.handler(slots.file_removed))
    return ConsumerSpec(
        "slots",
        [topic_for(m) for m in SLOT_EVENTS],
        dispatcher.handle,
        runs=dispatcher,
        max_poll_records=settings.slots_max_poll_records,
    )


def _phases_consumer(
    handling: StepRunner[UnitOfWork, EventFactory],
    spellcheck: SpellcheckPhase,
    grammar: GrammarPhase,
) -> ConsumerSpec:
    """One consumer for every phase's commands and results.

    All are keyed by batch id, so a batch's phase events stay in order; each phase's own row
    lock serialises its outcome.
    """
    dispatcher = EventDispatcher()
    dispatcher.register(BatchSpellcheckInitiateCommandV1, handling.handler(spellcheck.initiate))
    dispatcher.register(EssaySpellcheckCompletedV1, handling.handler(spellcheck.complete))
    dispatcher.register(BatchGrammarInitiateCommandV1, handling.handler(grammar.initiate))
    dispatcher.register(EssayGrammarCompletedV1, handling.handler(grammar.complete))
    return ConsumerSpec("phases", [topic_for(m) for m in PHASE_EVENTS], dispatcher.handle)


def create_worker_app(
    settings: EssayLifecycleSettings,
    engine: AsyncEngine | None = None,
    *,
    clock: Clock = utc_now,
) -> tuple[Quart, WorkerRuntime]:
    """The worker's health/metrics app and its runtime (clock injectable for tests)."""
    worker_settings = _worker_settings(settings)
    engine = engine or create_engine_from_settings(worker_settings)
    sessions = make_session_factory(engine)
    uow_factory = make_uow_factory(sessions)
    handling = StepRunner(
        uow_factory,
        consumer=settings.service_name,
        source_service=settings.service_name,
        events=EventFactory,
        clock=clock,
        on_committed=lambda context, _events: metrics.record(context.observations),
    )
    slots = SlotAssignment(timedelta(seconds=settings.readiness_timeout_seconds))
    phase_timeout = timedelta(seconds=settings.phase_timeout_seconds)
    spellcheck = SpellcheckPhase(phase_timeout)
    grammar = GrammarPhase(phase_timeout)

    # Same inbox name as the other steps: erasure ids handled before stay deduplicated.
    erasure_dispatcher = EventDispatcher()
    erasure_dispatcher.register(StudentErasureRequestedV1, handling.handler(erase_essays))

    monitor = ReadinessMonitor(
        uow_factory,
        source_service=settings.service_name,
        clock=clock,
        batch_limit=settings.timeout_check_batch_limit,
        phases=(spellcheck, grammar),
        record=metrics.record,
    )
    every = settings.timeout_check_interval_seconds
    return create_runtime_app(
        worker_settings,
        engine,
        consumers=[
            _slots_consumer(settings, handling, slots),
            _phases_consumer(handling, spellcheck, grammar),
            ConsumerSpec(
                "erasure", [topic_for(StudentErasureRequestedV1)], erasure_dispatcher.handle
            ),
        ],
        periodic=[
            PeriodicJob("readiness-timeouts", monitor.announce_overdue_batches, every),
            PeriodicJob("phase-timeouts", monitor.expire_overdue_phases, every),
        ],
    )


def main() -> None:
    """Consume, monitor and relay until SIGTERM/SIGINT."""
    settings = EssayLifecycleSettings()
    app, _runtime = create_worker_app(settings)
    asyncio.run(serve_quart(app, _worker_settings(settings)))


if __name__ == "__main__":
    main()
