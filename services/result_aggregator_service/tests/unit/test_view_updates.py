"""The view updates over fakes: any order, no regression, idempotent, notifications."""

from __future__ import annotations

import pytest

from common_core.enums import BatchStatus, EssayStatus, OperationOutcome
from huleedu_service_libs.kafka import TransientError

from .conftest import Events, Views


async def test_in_order_flow_builds_the_view(views: Views, events: Events) -> None:
    views.bos.states["batch-1"] = events.bos_state(BatchStatus.COMPLETED_WITH_FAILURES)
    await views.deliver(
        events.registered(),
        *(events.slot(i) for i in range(3)),
        events.ready(),
        events.initiate(),
        events.result(0),
        events.result(1),
        events.result(2, ok=False),
        events.phase_outcome(),
        events.completed(),
    )
    batch = views.batch()
    assert batch.status is BatchStatus.COMPLETED_WITH_FAILURES
    assert batch.user_id == "teacher-anna"
    assert batch.completed_at is not None
    assert [views.essay(i).status for i in events.essay_ids] == [
        EssayStatus.SPELLCHECK_SUCCEEDED,
        EssayStatus.SPELLCHECK_SUCCEEDED,
        EssayStatus.SPELLCHECK_FAILED,
    ]
    first = views.essay("essay-0")
    assert first.filename == "uppsats-0.docx"
    assert first.spellcheck is not None
    assert first.spellcheck.misspelling_count == 1
    # The phase outcome did not overwrite the essays' own detailed results.
    assert views.essay("essay-2").spellcheck.error_message == "text not found"  # type: ignore[union-attr]


async def test_result_before_registration_is_kept_without_notification(
    views: Views, events: Events
) -> None:
    await views.deliver(events.result(0, minute=4))
    assert views.essay("essay-0").status is EssayStatus.SPELLCHECK_SUCCEEDED
    assert views.notifications("essay_results_available") == []

    await views.deliver(events.registered(minute=0), events.slot(0, minute=1))
    essay = views.essay("essay-0")
    assert essay.status is EssayStatus.SPELLCHECK_SUCCEEDED  # not regressed
    assert essay.slot_index == 0
    assert essay.file_upload_id == "file-0"
    assert views.essay("essay-1").status is EssayStatus.AWAITING_CONTENT
    assert views.batch().user_id == "teacher-anna"


async def test_slot_before_registration(views: Views, events: Events) -> None:
    await views.deliver(events.slot(1, minute=1), events.registered(minute=0))
    essay = views.essay("essay-1")
    assert essay.status is EssayStatus.READY_FOR_PROCESSING
    assert (essay.slot_index, essay.file_upload_id) == (1, "file-1")
    assert views.batch().expected_essay_count == 3


async def test_stale_events_do_not_regress(views: Views, events: Events) -> None:
    await views.deliver(events.registered(), events.initiate(minute=3), events.result(0))
    await views.deliver(events.ready(minute=2), events.slot(0, minute=1))
    assert views.batch().status is BatchStatus.PROCESSING
    assert views.essay("essay-0").status is EssayStatus.SPELLCHECK_SUCCEEDED
    assert views.essay("essay-1").status is EssayStatus.SPELLCHECK_REQUESTED


async def test_redelivery_changes_nothing(views: Views, events: Events) -> None:
    registration, result = events.registered(), events.result(0)
    await views.deliver(registration, result)
    snapshot = (dict(views.state.batches), dict(views.state.essays), list(views.state.outbox))
    views.clock.now = views.clock.now.replace(hour=9)
    await views.deliver(registration, result)
    assert (views.state.batches, views.state.essays, views.state.outbox) == snapshot


async def test_essay_result_notifies_progress(views: Views, events: Events) -> None:
    await views.deliver(events.registered(), *(events.slot(i) for i in range(3)))
    await views.deliver(events.result(0), events.result(1, ok=False))
    first, second = views.notifications("essay_results_available")
    assert first.user_id == "teacher-anna"
    assert first.payload == {
        "batch_id": "batch-1",
        "essay_id": "essay-0",
        "outcome": "success",
        "processed_count": 1,
        "failed_count": 0,
        "expected_essay_count": 3,
        "total_essay_count": 3,
    }
    assert (second.payload["processed_count"], second.payload["failed_count"]) == (2, 1)
    assert second.notification_type == "essay_results_available"
    assert second.params == {
        "essay_name": "uppsats-1.docx",
        "processed_count": 2,
        "expected_count": 3,
    }
    key = next(k for env, k in views.state.outbox if env.data is first)
    assert key == "teacher-anna"


async def test_stale_result_is_ignored_and_not_announced(views: Views, events: Events) -> None:
    await views.deliver(events.registered(), events.result(0, ok=False, minute=8))
    await views.deliver(events.result(0, ok=True, minute=4))
    assert views.essay("essay-0").status is EssayStatus.SPELLCHECK_FAILED
    assert len(views.notifications("essay_results_available")) == 1


async def test_results_ready_announced_once(views: Views, events: Events) -> None:
    views.bos.states["batch-1"] = events.bos_state(BatchStatus.COMPLETED_WITH_FAILURES)
    await views.deliver(events.registered(), events.initiate())
    await views.deliver(events.phase_outcome(), events.completed())
    [ready] = views.notifications("batch_results_ready")
    assert ready.payload["final_status"] == "completed_with_failures"
    assert ready.payload["processed_essay_count"] == 3
    assert ready.payload["failed_essay_count"] == 1
    assert views.batch().results_notified_at is not None


async def test_phase_outcome_while_bos_still_processing(views: Views, events: Events) -> None:
    views.bos.states["batch-1"] = events.bos_state(BatchStatus.PROCESSING)
    await views.deliver(events.registered(), events.initiate(), events.phase_outcome())
    batch = views.batch()
    assert batch.status is BatchStatus.PROCESSING
    assert batch.completed_at is None
    assert views.notifications("batch_results_ready") == []
    # The timed-out essay got its failure from the phase outcome.
    failed = views.essay("essay-2")
    assert failed.status is EssayStatus.SPELLCHECK_FAILED
    assert failed.spellcheck is not None
    assert failed.spellcheck.outcome is OperationOutcome.FAILURE


async def test_bos_unknown_batch_keeps_event_facts(views: Views, events: Events) -> None:
    await views.deliver(events.registered(), events.initiate(), events.completed())
    batch = views.batch()
    assert batch.status is BatchStatus.COMPLETED_WITH_FAILURES
    assert batch.phases[0]["status"] == "completed_with_failures"
    assert len(views.notifications("batch_results_ready")) == 1


async def test_bos_unavailable_is_transient_and_writes_nothing(
    views: Views, events: Events
) -> None:
    await views.deliver(events.registered())
    views.bos.down = True
    completion = events.completed()
    with pytest.raises(TransientError):
        await views.deliver(completion)
    assert views.batch().status is BatchStatus.AWAITING_CONTENT
    assert views.notifications("batch_results_ready") == []
    views.bos.down = False
    views.bos.states["batch-1"] = events.bos_state(BatchStatus.COMPLETED_WITH_FAILURES)
    await views.deliver(completion)  # the runner's retry of the same message
    assert views.batch().status is BatchStatus.COMPLETED_WITH_FAILURES


async def test_completion_before_registration_uses_its_user(views: Views, events: Events) -> None:
    views.bos.states["batch-1"] = events.bos_state(BatchStatus.COMPLETED_WITH_FAILURES)
    await views.deliver(events.completed(minute=6), events.registered(minute=0))
    batch = views.batch()
    assert batch.status is BatchStatus.COMPLETED_WITH_FAILURES
    assert batch.essay_instructions == "Skriv om en plats."
    assert len(views.notifications("batch_results_ready")) == 1


async def test_rerun_after_completion_reopens_and_announces_again(
    views: Views, events: Events
) -> None:
    views.bos.states["batch-1"] = events.bos_state(BatchStatus.COMPLETED_WITH_FAILURES)
    await views.deliver(events.registered(), events.initiate(), events.result(2, ok=False))
    await views.deliver(events.completed(minute=6))
    completed_at = views.batch().completed_at
    assert completed_at is not None
    # A re-run is started by a command newer than the completion it reopens.
    rerun = events.initiate().model_copy(update={"event_timestamp": completed_at.replace(hour=9)})
    await views.deliver(rerun)
    assert views.batch().status is BatchStatus.PROCESSING
    assert views.essay("essay-2").status is EssayStatus.SPELLCHECK_REQUESTED
    stale_initiate = events.initiate(minute=3)
    await views.deliver(stale_initiate)
    assert views.batch().status is BatchStatus.PROCESSING
    await views.deliver(events.completed(minute=60 * 2))
    assert len(views.notifications("batch_results_ready")) == 2
