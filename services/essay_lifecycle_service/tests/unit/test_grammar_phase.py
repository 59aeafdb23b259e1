"""GrammarPhase over the fakes: after spellcheck, one request per essay on its original text
with the teacher's disabled categories, and exactly one grammar phase outcome."""

from __future__ import annotations

import pytest

from common_core.enums import EssayStatus, OperationOutcome, PhaseName, PhaseStatus
from essay_lifecycle_service.domain.monitor import ReadinessMonitor
from essay_lifecycle_service.domain.observations import Observation, PhasesPastDeadline

from .conftest import PHASE_TIMEOUT, EventBuilder, Lifecycle

pytestmark = pytest.mark.unit

ESSAYS = ["essay-0", "essay-1", "essay-2"]


async def spellchecked(lifecycle: Lifecycle, events: EventBuilder) -> None:
    """A batch of three essays whose spellcheck phase is done (all succeeded)."""
    await lifecycle.deliver(events.registered(3))
    for n in range(3):
        await lifecycle.deliver(events.provisioned(n))
    await lifecycle.deliver(events.initiate(ESSAYS))
    for essay_id in ESSAYS:
        await lifecycle.deliver(events.completed(essay_id))


def outcomes_of(lifecycle: Lifecycle, phase: PhaseName) -> list[object]:
    return [o for o in lifecycle.published("ELSBatchPhaseOutcomeV1") if o.phase is phase]


async def test_each_essay_is_requested_on_its_original_text_with_the_disabled_categories(
    lifecycle: Lifecycle, events: EventBuilder
) -> None:
    await spellchecked(lifecycle, events)
    await lifecycle.deliver(events.grammar_initiate(ESSAYS, disabled=["STYLE", "TYPOGRAPHY"]))

    requests = lifecycle.published("EssayGrammarRequestedV1")
    # The uploaded text, not spellcheck's corrected-essay-N.
    assert [(r.essay_id, r.text_storage_id) for r in requests] == [
        (f"essay-{n}", f"text-{n}") for n in range(3)
    ]
    assert all(r.disabled_categories == ["STYLE", "TYPOGRAPHY"] for r in requests)
    assert all(r.language.value == "sv" for r in requests)
    keys = [k for env, k in lifecycle.state.outbox if env.event_type == "EssayGrammarRequestedV1"]
    assert keys == ["batch-1"] * 3
    assert all(e.status is EssayStatus.GRAMMAR_REQUESTED for e in lifecycle.state.essays.values())
    # Spellcheck's results stay on the essay.
    assert lifecycle.state.essays["essay-0"].corrected_text_storage_id == "corrected-essay-0"
    moves = [
        (h.from_status, h.to_status)
        for h in lifecycle.state.history
        if h.event == "BatchGrammarInitiateCommandV1"
    ]
    assert moves == [(EssayStatus.SPELLCHECK_SUCCEEDED, EssayStatus.GRAMMAR_REQUESTED)] * 3


async def test_the_last_result_emits_one_grammar_outcome(
    lifecycle: Lifecycle, events: EventBuilder
) -> None:
    await spellchecked(lifecycle, events)
    await lifecycle.deliver(events.grammar_initiate(ESSAYS))
    await lifecycle.deliver(events.grammar_completed("essay-0"))
    failed = events.grammar_completed("essay-1", ok=False)
    await lifecycle.deliver(failed)
    await lifecycle.deliver(failed)  # redelivered: the inbox drops it
    assert outcomes_of(lifecycle, PhaseName.GRAMMAR) == []
    await lifecycle.deliver(events.grammar_completed("essay-2"))
    await lifecycle.deliver(events.grammar_completed("essay-2"))  # a second result, new id

    [outcome] = outcomes_of(lifecycle, PhaseName.GRAMMAR)
    assert outcome.phase_status is PhaseStatus.COMPLETED_WITH_FAILURES
    by_essay = {o.essay_id: o for o in outcome.essay_outcomes}
    assert by_essay["essay-1"].outcome is OperationOutcome.FAILURE
    assert by_essay["essay-1"].error_message == "LanguageTool did not answer"
    assert by_essay["essay-0"].output_storage_id is None
    statuses = {i: e.status for i, e in lifecycle.state.essays.items()}
    assert statuses == {
        "essay-0": EssayStatus.GRAMMAR_SUCCEEDED,
        "essay-1": EssayStatus.GRAMMAR_FAILED,
        "essay-2": EssayStatus.GRAMMAR_SUCCEEDED,
    }
    # The spellcheck phase's outcome went out once, before; grammar's is separate.
    assert len(outcomes_of(lifecycle, PhaseName.SPELLCHECK)) == 1
    grammar_done = [
        n for n in lifecycle.notifications("phase_completed") if n.payload["phase"] == "grammar"
    ]
    assert len(grammar_done) == 1
    assert grammar_done[0].params["variant"] == "grammar"
    assert grammar_done[0].message == "Grammatikgranskningen är klar: 2 av 3 lyckades."


async def test_a_spellcheck_result_during_grammar_changes_nothing(
    lifecycle: Lifecycle, events: EventBuilder
) -> None:
    await spellchecked(lifecycle, events)
    await lifecycle.deliver(events.grammar_initiate(ESSAYS))
    await lifecycle.deliver(events.completed("essay-0", ok=False))  # late, new event id
    assert lifecycle.state.essays["essay-0"].status is EssayStatus.GRAMMAR_REQUESTED
    assert len(outcomes_of(lifecycle, PhaseName.SPELLCHECK)) == 1


async def test_a_grammar_result_without_a_request_is_ignored(
    lifecycle: Lifecycle, events: EventBuilder
) -> None:
    await spellchecked(lifecycle, events)
    await lifecycle.deliver(events.grammar_completed("essay-0"))
    assert lifecycle.state.essays["essay-0"].status is EssayStatus.SPELLCHECK_SUCCEEDED
    assert outcomes_of(lifecycle, PhaseName.GRAMMAR) == []


async def test_an_essay_still_in_spellcheck_fails_grammar_at_once(
    lifecycle: Lifecycle, events: EventBuilder
) -> None:
    await lifecycle.deliver(events.registered(2))
    for n in range(2):
        await lifecycle.deliver(events.provisioned(n))
    await lifecycle.deliver(events.initiate(["essay-0", "essay-1"]))
    await lifecycle.deliver(events.completed("essay-0"))
    await lifecycle.deliver(events.grammar_initiate(["essay-0", "essay-1"]))

    assert [r.essay_id for r in lifecycle.published("EssayGrammarRequestedV1")] == ["essay-0"]
    assert lifecycle.state.essays["essay-1"].status is EssayStatus.SPELLCHECK_REQUESTED
    await lifecycle.deliver(events.grammar_completed("essay-0"))
    [outcome] = outcomes_of(lifecycle, PhaseName.GRAMMAR)
    by_essay = {o.essay_id: o for o in outcome.essay_outcomes}
    assert by_essay["essay-1"].error_message == "not ready for grammar (spellcheck_requested)"


async def test_the_deadline_ends_a_grammar_phase_once(
    lifecycle: Lifecycle, events: EventBuilder
) -> None:
    await spellchecked(lifecycle, events)
    await lifecycle.deliver(events.grammar_initiate(ESSAYS))
    await lifecycle.deliver(events.grammar_completed("essay-0"))
    lifecycle.clock.now += PHASE_TIMEOUT
    seen: list[Observation] = []
    monitor = ReadinessMonitor(
        lifecycle.uow,
        source_service="essay_lifecycle_service",
        clock=lifecycle.clock,
        phases=(lifecycle.phases, lifecycle.grammar),
        record=seen.extend,
    )
    assert await monitor.check_once() == 1
    assert await monitor.check_once() == 0

    [outcome] = outcomes_of(lifecycle, PhaseName.GRAMMAR)
    assert outcome.phase_status is PhaseStatus.COMPLETED_WITH_FAILURES
    essay = lifecycle.state.essays["essay-1"]
    assert (essay.status, essay.error_message) == (
        EssayStatus.GRAMMAR_FAILED,
        "grammar timed out after 1800 s",
    )
    [notice] = lifecycle.notifications("phase_timed_out")
    assert notice.params["variant"] == "grammar"
    assert notice.payload["timed_out_essay_ids"] == ["essay-1", "essay-2"]
    assert PhasesPastDeadline(PhaseName.SPELLCHECK, 0) in seen
    assert PhasesPastDeadline(PhaseName.GRAMMAR, 0) in seen
    # A result after the deadline is ignored: the phase outcome stands.
    await lifecycle.deliver(events.grammar_completed("essay-1"))
    assert lifecycle.state.essays["essay-1"].status is EssayStatus.GRAMMAR_FAILED
