"""BOS's state is fetched before the batch lock: a stale fetch never moves the view back."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from common_core.enums import BatchStatus
from common_core.internal_api import BatchPipelineStateV1

from .conftest import T0, Events, FakeBos, Views


class GatedBos(FakeBos):
    """Answers the first pipeline-state call, then holds it until released (a slow worker)."""

    def __init__(self) -> None:
        super().__init__()
        self.first_answered = asyncio.Event()
        self.release_first = asyncio.Event()

    async def pipeline_state(self, batch_id: str) -> BatchPipelineStateV1 | None:
        first = self.calls == 0
        state = await super().pipeline_state(batch_id)
        if first:
            self.first_answered.set()
            await self.release_first.wait()
        return state


async def test_slow_worker_with_processing_state_does_not_undo_completion(
    views: Views, events: Events
) -> None:
    bos = GatedBos()
    views.bos = bos
    await views.deliver(events.registered(), events.initiate())

    # Worker A: the phase outcome fetches PROCESSING, then stalls before taking the lock.
    bos.states["batch-1"] = events.bos_state(BatchStatus.PROCESSING)
    worker_a = asyncio.create_task(views.deliver(events.phase_outcome()))
    await bos.first_answered.wait()
    # Worker B: BOS has completed meanwhile; the completion is stored and announced.
    bos.states["batch-1"] = events.bos_state(BatchStatus.COMPLETED_WITH_FAILURES)
    await views.deliver(events.completed())
    completed = views.batch()
    assert completed.status is BatchStatus.COMPLETED_WITH_FAILURES
    # Worker A resumes with its stale PROCESSING state.
    bos.release_first.set()
    await worker_a

    batch = views.batch()
    assert batch.status is BatchStatus.COMPLETED_WITH_FAILURES
    assert batch.current_phase is None
    assert batch.phases == completed.phases
    assert batch.completed_at == completed.completed_at
    assert batch.results_notified_at == completed.results_notified_at is not None
    assert len(views.notifications("batch_results_ready")) == 1
    # The phase outcome's essay facts still landed.
    assert views.essay("essay-2").spellcheck is not None


async def test_stale_state_after_completion_changes_no_status(views: Views, events: Events) -> None:
    views.bos.states["batch-1"] = events.bos_state(BatchStatus.COMPLETED_WITH_FAILURES)
    await views.deliver(events.registered(), events.initiate(), events.completed())
    views.bos.states["batch-1"] = events.bos_state(BatchStatus.PROCESSING)
    await views.deliver(events.phase_outcome())
    batch = views.batch()
    assert batch.status is BatchStatus.COMPLETED_WITH_FAILURES
    assert batch.completed_at is not None
    assert batch.results_notified_at is not None


async def test_rerun_recognised_when_the_aggregator_lags(views: Views, events: Events) -> None:
    # The aggregator handles the phase outcome (BOS: completed) an hour after it happened.
    views.clock.now = T0 + timedelta(hours=1)
    views.bos.states["batch-1"] = events.bos_state(BatchStatus.COMPLETED_WITH_FAILURES)
    await views.deliver(events.registered(), events.initiate(minute=3))
    await views.deliver(events.phase_outcome(minute=5))
    assert views.batch().completed_at == T0 + timedelta(minutes=5)
    assert len(views.notifications("batch_results_ready")) == 1

    # A re-run started after the completion but before the aggregator caught up.
    await views.deliver(events.initiate(minute=30))
    assert views.batch().status is BatchStatus.PROCESSING
    await views.deliver(events.completed(minute=40))
    assert views.batch().status is BatchStatus.COMPLETED_WITH_FAILURES
    assert len(views.notifications("batch_results_ready")) == 2
