"""The phase deadline: the monitor ends a phase whose results did not all arrive, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from structlog.testing import capture_logs

from common_core.enums import EssayStatus, OperationOutcome, PhaseName, PhaseStatus
from essay_lifecycle_service.config import EssayLifecycleSettings
from essay_lifecycle_service.domain.monitor import ReadinessMonitor
from essay_lifecycle_service.domain.phases import TIMEOUT_EVENT

from .conftest import PHASE_TIMEOUT, T0, EventBuilder, Lifecycle

pytestmark = pytest.mark.unit

ESSAYS = ["essay-0", "essay-1", "essay-2"]
TIMED_OUT = "spellcheck timed out after 1800 s"


def monitor(lifecycle: Lifecycle, batch_limit: int = 100) -> ReadinessMonitor:
    return ReadinessMonitor(
        lifecycle.uow,
        source_service="essay_lifecycle_service",
        clock=lifecycle.clock,
        batch_limit=batch_limit,
        phases=lifecycle.phases,
    )


async def running_phase(lifecycle: Lifecycle, events: EventBuilder) -> None:
    await lifecycle.deliver(events.registered(3))
    for n in range(3):
        await lifecycle.deliver(events.provisioned(n))
    await lifecycle.deliver(events.initiate(ESSAYS))


def outbox_snapshot(lifecycle: Lifecycle) -> list[Any]:
    return [env.event_id for env, _ in lifecycle.state.outbox]


async def test_the_deadline_is_recorded_when_the_phase_starts(
    lifecycle: Lifecycle, events: EventBuilder
) -> None:
    await running_phase(lifecycle, events)
    phase = lifecycle.state.phases[("batch-1", PhaseName.SPELLCHECK)]
    assert (phase.started_at, phase.deadline) == (T0, T0 + PHASE_TIMEOUT)
    assert phase.timeout_seconds == 1800


async def test_nothing_happens_before_the_deadline(
    lifecycle: Lifecycle, events: EventBuilder
) -> None:
    await running_phase(lifecycle, events)
    await lifecycle.deliver(events.completed("essay-0"))
    lifecycle.clock.now += PHASE_TIMEOUT - timedelta(seconds=1)
    before = outbox_snapshot(lifecycle)

    assert await monitor(lifecycle).check_once() == 0

    assert outbox_snapshot(lifecycle) == before
    assert lifecycle.state.essays["essay-1"].status is EssayStatus.SPELLCHECK_REQUESTED
    phase = lifecycle.state.phases[("batch-1", PhaseName.SPELLCHECK)]
    assert phase.status is PhaseStatus.IN_PROGRESS


async def test_two_of_three_done_gives_one_outcome_naming_the_timed_out_essay(
    lifecycle: Lifecycle, events: EventBuilder
) -> None:
    await running_phase(lifecycle, events)
    await lifecycle.deliver(events.completed("essay-0"))
    await lifecycle.deliver(events.completed("essay-1"))
    lifecycle.clock.now += PHASE_TIMEOUT

    assert await monitor(lifecycle).check_once() == 1

    [outcome] = lifecycle.published("ELSBatchPhaseOutcomeV1")
    assert outcome.batch_id == "batch-1"
    assert outcome.phase is PhaseName.SPELLCHECK
    assert outcome.phase_status is PhaseStatus.COMPLETED_WITH_FAILURES
    by_essay = {o.essay_id: o for o in outcome.essay_outcomes}
    assert by_essay["essay-0"].outcome is OperationOutcome.SUCCESS
    assert by_essay["essay-0"].output_storage_id == "corrected-essay-0"
    assert by_essay["essay-2"].outcome is OperationOutcome.FAILURE
    assert by_essay["essay-2"].error_message == TIMED_OUT
    [key] = [k for env, k in lifecycle.state.outbox if env.event_type == "ELSBatchPhaseOutcomeV1"]
    assert key == "batch-1"

    essay = lifecycle.state.essays["essay-2"]
    assert (essay.status, essay.error_message) == (EssayStatus.SPELLCHECK_FAILED, TIMED_OUT)
    [entry] = [h for h in lifecycle.state.history if h.event == TIMEOUT_EVENT]
    assert (entry.essay_id, entry.from_status, entry.to_status, entry.at) == (
        "essay-2",
        EssayStatus.SPELLCHECK_REQUESTED,
        EssayStatus.SPELLCHECK_FAILED,
        T0 + PHASE_TIMEOUT,
    )
    assert lifecycle.state.phases[("batch-1", PhaseName.SPELLCHECK)].status is (
        PhaseStatus.COMPLETED_WITH_FAILURES
    )
    assert len(lifecycle.notifications("phase_completed")) == 1
    [notice] = lifecycle.notifications("phase_timed_out")
    assert notice.user_id == "teacher-anna"
    assert notice.payload["timed_out_essay_ids"] == ["essay-2"]
    assert notice.payload["timed_out_file_names"] == ["uppsats-2.docx"]
    assert notice.payload["timeout_seconds"] == 1800
    assert notice.params == {
        "variant": "spellcheck",
        "timeout_seconds": 1800,
        "essay_count": 1,
        "file_names": "uppsats-2.docx",
    }
    assert "uppsats-2.docx" in notice.message


async def test_none_done_gives_failed(lifecycle: Lifecycle, events: EventBuilder) -> None:
    await running_phase(lifecycle, events)
    lifecycle.clock.now += PHASE_TIMEOUT + timedelta(minutes=5)

    assert await monitor(lifecycle).check_once() == 1

    [outcome] = lifecycle.published("ELSBatchPhaseOutcomeV1")
    assert outcome.phase_status is PhaseStatus.FAILED
    assert {o.error_message for o in outcome.essay_outcomes} == {TIMED_OUT}
    assert {e.status for e in lifecycle.state.essays.values()} == {EssayStatus.SPELLCHECK_FAILED}
    [notice] = lifecycle.notifications("phase_timed_out")
    assert notice.payload["timed_out_essay_ids"] == ESSAYS


async def test_a_late_completion_after_the_timeout_changes_nothing(
    lifecycle: Lifecycle, events: EventBuilder
) -> None:
    await running_phase(lifecycle, events)
    await lifecycle.deliver(events.completed("essay-0"))
    await lifecycle.deliver(events.completed("essay-1"))
    lifecycle.clock.now += PHASE_TIMEOUT
    await monitor(lifecycle).check_once()
    before = outbox_snapshot(lifecycle)
    history = list(lifecycle.state.history)

    lifecycle.clock.now += timedelta(minutes=1)
    with capture_logs() as logs:
        await lifecycle.deliver(events.completed("essay-2"))
        await lifecycle.deliver(events.completed("essay-2", ok=False))

    ignored = [e for e in logs if e["event"] == "els.result_after_phase_timeout_ignored"]
    assert [e["essay_id"] for e in ignored] == ["essay-2", "essay-2"]

    assert outbox_snapshot(lifecycle) == before
    assert lifecycle.state.history == history
    essay = lifecycle.state.essays["essay-2"]
    assert (essay.status, essay.corrected_text_storage_id) == (EssayStatus.SPELLCHECK_FAILED, None)
    assert len(lifecycle.published("ELSBatchPhaseOutcomeV1")) == 1


async def test_running_the_monitor_twice_emits_once(
    lifecycle: Lifecycle, events: EventBuilder
) -> None:
    await running_phase(lifecycle, events)
    await lifecycle.deliver(events.completed("essay-0"))
    lifecycle.clock.now += PHASE_TIMEOUT
    watcher = monitor(lifecycle)

    assert await watcher.check_once() == 1
    assert await watcher.check_once() == 0
    lifecycle.clock.now += PHASE_TIMEOUT
    assert await monitor(lifecycle).check_once() == 0

    assert len(lifecycle.published("ELSBatchPhaseOutcomeV1")) == 1
    assert len(lifecycle.notifications("phase_timed_out")) == 1
    assert len([h for h in lifecycle.state.history if h.event == TIMEOUT_EVENT]) == 2


async def test_a_phase_completed_in_time_is_left_alone(
    lifecycle: Lifecycle, events: EventBuilder
) -> None:
    await running_phase(lifecycle, events)
    for essay_id in ESSAYS:
        await lifecycle.deliver(events.completed(essay_id))
    lifecycle.clock.now += PHASE_TIMEOUT * 2

    assert await monitor(lifecycle).check_once() == 0

    [outcome] = lifecycle.published("ELSBatchPhaseOutcomeV1")
    assert outcome.phase_status is PhaseStatus.COMPLETED
    assert lifecycle.notifications("phase_timed_out") == []


async def test_a_rerun_gets_a_new_deadline(lifecycle: Lifecycle, events: EventBuilder) -> None:
    await running_phase(lifecycle, events)
    lifecycle.clock.now += PHASE_TIMEOUT
    assert await monitor(lifecycle).check_once() == 1

    await lifecycle.deliver(events.initiate(ESSAYS))  # the teacher retries
    assert {e.status for e in lifecycle.state.essays.values()} == {EssayStatus.SPELLCHECK_REQUESTED}
    assert await monitor(lifecycle).check_once() == 0
    for essay_id in ESSAYS:
        await lifecycle.deliver(events.completed(essay_id))

    outcomes = lifecycle.published("ELSBatchPhaseOutcomeV1")
    assert [o.phase_status for o in outcomes] == [PhaseStatus.FAILED, PhaseStatus.COMPLETED]


async def test_each_pass_is_bounded_and_takes_the_oldest_first(
    lifecycle: Lifecycle, events: EventBuilder
) -> None:
    await running_phase(lifecycle, events)
    lifecycle.clock.now += timedelta(minutes=1)
    later = EventBuilder(batch_id="batch-2", essay_prefix="other")
    await lifecycle.deliver(later.registered(1))
    await lifecycle.deliver(later.provisioned(9))
    await lifecycle.deliver(later.initiate(["other-0"]))
    lifecycle.clock.now += PHASE_TIMEOUT
    watcher = monitor(lifecycle, batch_limit=1)

    assert await watcher.check_once() == 1
    assert [o.batch_id for o in lifecycle.published("ELSBatchPhaseOutcomeV1")] == ["batch-1"]
    assert await watcher.check_once() == 1
    assert [o.batch_id for o in lifecycle.published("ELSBatchPhaseOutcomeV1")] == [
        "batch-1",
        "batch-2",
    ]


def test_phase_timeout_setting_reads_its_env_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert EssayLifecycleSettings().phase_timeout_seconds == 1800
    monkeypatch.setenv("ESSAY_LIFECYCLE_SERVICE_PHASE_TIMEOUT_SECONDS", "60")
    assert EssayLifecycleSettings().phase_timeout_seconds == 60
