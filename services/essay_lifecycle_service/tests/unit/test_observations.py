"""Observations for operators: recorded once per committed step, with times from its clock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY

from common_core.enums import PhaseName
from essay_lifecycle_service.adapters import metrics
from essay_lifecycle_service.domain.events import Context, EventFactory
from essay_lifecycle_service.domain.monitor import ReadinessMonitor
from essay_lifecycle_service.domain.observations import (
    BatchReady,
    Observation,
    PhaseEnded,
    PhasesPastDeadline,
)
from essay_lifecycle_service.domain.phases import SpellcheckPhase
from essay_lifecycle_service.domain.ports import UnitOfWork
from huleedu_service_libs.consumer import StepRunner

from .conftest import PHASE_TIMEOUT, EventBuilder, FakeUnitOfWork, Lifecycle

pytestmark = pytest.mark.unit

SPELL = PhaseName.SPELLCHECK


@pytest.fixture
def seen(lifecycle: Lifecycle) -> list[Observation]:
    """What the lifecycle's handler records (it is rewired to record into this list)."""
    recorded: list[Observation] = []

    def record(observations: Sequence[Observation]) -> None:
        recorded.extend(observations)

    lifecycle.handling = StepRunner(
        lambda: FakeUnitOfWork(lifecycle.state),
        consumer="essay_lifecycle_service",
        source_service="essay_lifecycle_service",
        events=EventFactory,
        clock=lifecycle.clock,
        on_committed=lambda context, _events: record(context.observations),
    )
    return recorded


async def test_readiness_is_observed_once_from_the_first_accepted_file(
    lifecycle: Lifecycle, events: EventBuilder, seen: list[Observation]
) -> None:
    await lifecycle.deliver(events.registered(2))
    await lifecycle.deliver(events.provisioned(0))
    lifecycle.clock.now += timedelta(seconds=90)
    last = events.provisioned(1)
    await lifecycle.deliver(last)
    await lifecycle.deliver(last)  # redelivered: nothing new
    assert seen == [BatchReady(partial=False, upload_to_ready_seconds=90.0)]


async def test_a_phase_is_observed_from_its_command_to_its_last_result(
    lifecycle: Lifecycle, events: EventBuilder, seen: list[Observation]
) -> None:
    await lifecycle.deliver(events.registered(2))
    for n in range(2):
        await lifecycle.deliver(events.provisioned(n))
    lifecycle.clock.now += timedelta(seconds=10)
    await lifecycle.deliver(events.initiate(["essay-0", "essay-1"]))
    lifecycle.clock.now += timedelta(seconds=4)
    await lifecycle.deliver(events.completed("essay-0"))
    assert [s for s in seen if isinstance(s, PhaseEnded)] == []
    lifecycle.clock.now += timedelta(seconds=3)
    await lifecycle.deliver(events.completed("essay-1", ok=False))
    assert [s for s in seen if isinstance(s, PhaseEnded)] == [PhaseEnded(SPELL, 7.0)]


class StuckPhase(SpellcheckPhase):
    """A phase whose timeout handling fails (e.g. its batch's rows are locked elsewhere)."""

    async def expire(self, uow: UnitOfWork, batch_id: str, ctx: Context) -> bool:
        raise RuntimeError("cannot end the phase")


@pytest.mark.parametrize(("phases", "still_running"), [(SpellcheckPhase, 0), (StuckPhase, 1)])
async def test_the_monitor_reports_phases_it_could_not_end(
    lifecycle: Lifecycle,
    events: EventBuilder,
    phases: type[SpellcheckPhase],
    still_running: int,
) -> None:
    await lifecycle.deliver(events.registered(1))
    await lifecycle.deliver(events.provisioned(0))
    await lifecycle.deliver(events.initiate(["essay-0"]))
    lifecycle.clock.now += PHASE_TIMEOUT
    recorded: list[Observation] = []
    monitor = ReadinessMonitor(
        lifecycle.uow,
        source_service="essay_lifecycle_service",
        clock=lifecycle.clock,
        phases=phases(PHASE_TIMEOUT),
        record=recorded.extend,
    )
    await monitor.check_once()
    assert recorded[-1] == PhasesPastDeadline(SPELL, still_running)
    ended = [s for s in recorded if isinstance(s, PhaseEnded)]
    assert ended == (
        [PhaseEnded(SPELL, PHASE_TIMEOUT.total_seconds())] if not still_running else []
    )


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_the_metrics_record_each_kind_of_observation() -> None:
    before: dict[str, Any] = {
        "ready": sample("huleedu_batches_ready_total", partial="true"),
        "upload": sample("huleedu_batch_upload_to_ready_seconds_count"),
        "phase": sample("huleedu_pipeline_phase_duration_seconds_sum", phase="spellcheck"),
    }
    metrics.record(
        [
            BatchReady(partial=True, upload_to_ready_seconds=12.0),
            BatchReady(partial=True, upload_to_ready_seconds=None),
            PhaseEnded(SPELL, 3.5),
            PhasesPastDeadline(SPELL, 2),
        ]
    )
    assert sample("huleedu_batches_ready_total", partial="true") == before["ready"] + 2
    assert sample("huleedu_batch_upload_to_ready_seconds_count") == before["upload"] + 1
    phase_sum = sample("huleedu_pipeline_phase_duration_seconds_sum", phase="spellcheck")
    assert phase_sum == before["phase"] + 3.5
    assert sample("huleedu_phases_past_deadline", phase="spellcheck") == 2
