"""How the aggregator's steps run on the consumer kernel: under the batch lock, BOS asked first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from common_core.envelope import EventEnvelope
from common_core.internal_api import BatchPipelineStateV1
from huleedu_service_libs.consumer import (
    Clock,
    EnvelopeHandler,
    OnCommitted,
    Outgoing,
    StepContext,
    StepRunner,
    utc_now,
)
from result_aggregator_service.domain.notifications import Notices
from result_aggregator_service.domain.ports import BatchOrchestrator, UnitOfWork, UnitOfWorkFactory

logger = structlog.get_logger(__name__)

Context = StepContext[Notices]
Runner = StepRunner[UnitOfWork, Notices]
ViewStep = Callable[[UnitOfWork, Any, Context], Awaitable[list[Outgoing]]]
StateStep = Callable[
    [UnitOfWork, Any, Context, BatchPipelineStateV1 | None], Awaitable[list[Outgoing]]
]


def make_runner(
    uow_factory: UnitOfWorkFactory,
    *,
    service: str,
    clock: Clock = utc_now,
    on_committed: OnCommitted[Notices] | None = None,
) -> Runner:
    """The kernel's runner with this service's inbox name and notices.

    `on_committed` sees each step's notices once its transaction committed (the metrics).
    """
    return StepRunner(
        uow_factory,
        consumer=service,
        source_service=service,
        events=Notices,
        clock=clock,
        on_committed=on_committed,
    )


def locked(step: ViewStep) -> ViewStep:
    """The step run after taking its batch's row lock, so one batch's events never interleave."""

    async def run(uow: UnitOfWork, event: Any, context: Context) -> list[Outgoing]:
        await uow.batches.lock(event.batch_id)
        return await step(uow, event, context)

    return run


def asking_bos(runner: Runner, bos: BatchOrchestrator, step: StateStep) -> EnvelopeHandler:
    """A handler that asks BOS for the batch's pipeline state, then runs the step with it."""

    async def handle(envelope: EventEnvelope[Any]) -> None:
        batch_id: str = envelope.data.batch_id
        # Outside the transaction: retries must not hold a connection and the batch lock.
        # BosUnavailable is transient, so the consumer runner retries the message later.
        state = await bos.pipeline_state(batch_id)
        if state is None:
            logger.warning(
                "ras.bos_batch_unknown", batch_id=batch_id, event_type=envelope.event_type
            )

        async def with_state(uow: UnitOfWork, event: Any, context: Context) -> list[Outgoing]:
            return await step(uow, event, context, state)

        await runner.run(envelope, locked(with_state))

    return handle
