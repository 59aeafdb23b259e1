"""SpellcheckPhase over the fakes: per-essay requests and one phase outcome."""

from __future__ import annotations

from typing import Any

import pytest

from common_core.enums import EssayStatus, OperationOutcome, PhaseStatus

pytestmark = pytest.mark.unit

ESSAYS = ["essay-0", "essay-1", "essay-2"]


async def ready_batch(lifecycle: Any, events: Any) -> None:
    await lifecycle.deliver(events.registered(3))
    for n in range(3):
        await lifecycle.deliver(events.provisioned(n))


async def test_initiate_requests_each_essay_with_its_stored_text(
    lifecycle: Any, events: Any
) -> None:
    await ready_batch(lifecycle, events)
    await lifecycle.deliver(events.initiate(ESSAYS))

    requests = lifecycle.published("EssaySpellcheckRequestedV1")
    assert [(r.essay_id, r.text_storage_id) for r in requests] == [
        (f"essay-{n}", f"text-{n}") for n in range(3)
    ]
    assert all(
        e.status is EssayStatus.SPELLCHECK_REQUESTED for e in lifecycle.state.essays.values()
    )
    keys = [
        key for env, key in lifecycle.state.outbox if env.event_type == "EssaySpellcheckRequestedV1"
    ]
    assert keys == ["batch-1"] * 3


async def test_one_failure_gives_one_outcome_completed_with_failures(
    lifecycle: Any, events: Any
) -> None:
    await ready_batch(lifecycle, events)
    await lifecycle.deliver(events.initiate(ESSAYS))
    await lifecycle.deliver(events.completed("essay-0"))
    await lifecycle.deliver(events.completed("essay-1", ok=False))
    assert lifecycle.published("ELSBatchPhaseOutcomeV1") == []
    await lifecycle.deliver(events.completed("essay-2"))
    await lifecycle.deliver(events.completed("essay-2"))  # a second result, new event id

    [outcome] = lifecycle.published("ELSBatchPhaseOutcomeV1")
    assert outcome.phase_status is PhaseStatus.COMPLETED_WITH_FAILURES
    by_essay = {o.essay_id: o for o in outcome.essay_outcomes}
    assert by_essay["essay-1"].outcome is OperationOutcome.FAILURE
    assert by_essay["essay-0"].output_storage_id == "corrected-essay-0"
    essay = lifecycle.state.essays["essay-0"]
    assert (essay.status, essay.corrected_text_storage_id) == (
        EssayStatus.SPELLCHECK_SUCCEEDED,
        "corrected-essay-0",
    )
    assert lifecycle.state.essays["essay-1"].status is EssayStatus.SPELLCHECK_FAILED
    assert len(lifecycle.notifications("phase_completed")) == 1


async def test_unready_essays_fail_at_once_so_the_phase_still_ends(
    lifecycle: Any, events: Any
) -> None:
    await lifecycle.deliver(events.registered(3))
    await lifecycle.deliver(events.provisioned(0))
    await lifecycle.deliver(events.initiate(["essay-0", "essay-1", "nope"]))

    assert len(lifecycle.published("EssaySpellcheckRequestedV1")) == 1
    assert lifecycle.state.essays["essay-1"].status is EssayStatus.AWAITING_CONTENT
    await lifecycle.deliver(events.completed("essay-0"))
    [outcome] = lifecycle.published("ELSBatchPhaseOutcomeV1")
    assert outcome.phase_status is PhaseStatus.COMPLETED_WITH_FAILURES


async def test_result_without_a_request_is_ignored(lifecycle: Any, events: Any) -> None:
    await ready_batch(lifecycle, events)
    await lifecycle.deliver(events.completed("essay-0"))
    assert lifecycle.state.essays["essay-0"].status is EssayStatus.READY_FOR_PROCESSING
    assert lifecycle.published("ELSBatchPhaseOutcomeV1") == []
