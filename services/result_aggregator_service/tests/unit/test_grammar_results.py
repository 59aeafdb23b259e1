"""Grammar results in the views: stored like spell-check results, counted per category."""

from __future__ import annotations

import pytest

from common_core.enums import BatchStatus, EssayStatus, OperationOutcome, PhaseName
from result_aggregator_service.adapters.view_rows import essay_from_row, essay_row
from result_aggregator_service.domain.queries import ResultQueries

from .conftest import Events, FakeTexts, FakeUnitOfWork, Views
from .grammar_events import (
    MATCHES,
    grammar_initiate,
    grammar_phase_outcome,
    grammar_result,
)

pytestmark = pytest.mark.unit


def queries(views: Views) -> ResultQueries:
    return ResultQueries(lambda: FakeUnitOfWork(views.state), views.bos, FakeTexts({}))


async def spellchecked(views: Views, events: Events) -> None:
    """Essays 0 and 1 spell-checked, essay 2's spellcheck failed (it gets no grammar phase)."""
    await views.deliver(
        events.registered(),
        *(events.slot(i) for i in range(3)),
        events.ready(),
        events.initiate(),
        events.result(0),
        events.result(1),
        events.result(2, ok=False),
    )


async def test_the_grammar_phase_moves_essays_on_and_keeps_the_spelling_results(
    views: Views, events: Events
) -> None:
    await spellchecked(views, events)
    await views.deliver(grammar_initiate(events))
    assert views.essay("essay-0").status is EssayStatus.GRAMMAR_REQUESTED
    assert views.essay("essay-2").status is EssayStatus.SPELLCHECK_FAILED
    assert views.batch().current_phase == PhaseName.GRAMMAR.value
    assert views.batch().status is BatchStatus.PROCESSING

    await views.deliver(grammar_result(events, 0), grammar_result(events, 1, ok=False))
    first, second = views.essay("essay-0"), views.essay("essay-1")
    assert first.status is EssayStatus.GRAMMAR_SUCCEEDED
    assert second.status is EssayStatus.GRAMMAR_FAILED
    assert first.grammar is not None
    assert first.spellcheck is not None
    assert first.grammar.match_count == 2
    assert first.grammar.category_counts == {"GRAMMAR": 1, "TYPOGRAPHY": 1}
    assert first.spellcheck.misspelling_count == 1
    assert second.grammar is not None
    assert second.grammar.error_message == "LanguageTool unreachable"
    # Each result tells the teacher, with the grammar outcome.
    outcomes = [n.payload["outcome"] for n in views.notifications("essay_results_available")]
    assert outcomes[-2:] == [OperationOutcome.SUCCESS.value, OperationOutcome.FAILURE.value]


async def test_a_redelivered_grammar_result_changes_nothing(views: Views, events: Events) -> None:
    await spellchecked(views, events)
    result = grammar_result(events, 0)
    await views.deliver(grammar_initiate(events), result)
    snapshot = (dict(views.state.essays), list(views.state.outbox))
    views.clock.now = views.clock.now.replace(hour=11)
    await views.deliver(result)
    assert (dict(views.state.essays), list(views.state.outbox)) == snapshot


async def test_a_grammar_result_before_its_command_is_not_regressed(
    views: Views, events: Events
) -> None:
    await spellchecked(views, events)
    await views.deliver(grammar_result(events, 0, minute=8), grammar_initiate(events, minute=7))
    assert views.essay("essay-0").status is EssayStatus.GRAMMAR_SUCCEEDED
    assert views.essay("essay-1").status is EssayStatus.GRAMMAR_REQUESTED


async def test_the_grammar_phase_outcome_fills_only_essays_without_their_own_result(
    views: Views, events: Events
) -> None:
    await spellchecked(views, events)
    await views.deliver(grammar_initiate(events), grammar_result(events, 0))
    await views.deliver(grammar_phase_outcome(events))
    first, second = views.essay("essay-0"), views.essay("essay-1")
    assert first.grammar is not None
    assert first.grammar.match_count == 2
    assert second.status is EssayStatus.GRAMMAR_FAILED
    assert second.grammar is not None
    assert second.grammar.error_message == "grammar timed out after 1800 s"
    # The spell-check results were not touched by the grammar phase's outcome.
    assert second.spellcheck is not None
    assert second.spellcheck.event_at is not None

    # The essay's own result, arriving late, replaces the one derived from the outcome.
    await views.deliver(grammar_result(events, 1, minute=10))
    late = views.essay("essay-1")
    assert late.status is EssayStatus.GRAMMAR_SUCCEEDED
    assert late.grammar is not None
    assert late.grammar.match_count == 2


async def test_a_rerun_request_is_not_closed_by_an_older_grammar_result(
    views: Views, events: Events
) -> None:
    await spellchecked(views, events)
    await views.deliver(grammar_initiate(events), grammar_result(events, 0, minute=8))
    await views.deliver(events.initiate(minute=20))  # the teacher re-runs the pipeline
    assert views.essay("essay-0").status is EssayStatus.SPELLCHECK_REQUESTED
    await views.deliver(grammar_result(events, 0, minute=9, matches=[]))  # an earlier run's
    assert views.essay("essay-0").status is EssayStatus.SPELLCHECK_REQUESTED


async def test_the_essay_result_has_the_grammar_block(views: Views, events: Events) -> None:
    await spellchecked(views, events)
    await views.deliver(grammar_initiate(events), grammar_result(events, 0))
    essay = await queries(views).essay("batch-1", "essay-0", "teacher-anna", include_text=False)
    assert essay.status is EssayStatus.GRAMMAR_SUCCEEDED
    assert essay.spellcheck is not None
    assert essay.spellcheck.misspelling_count == 1
    assert essay.grammar is not None
    assert essay.grammar.matches == MATCHES
    assert essay.grammar.match_count == 2
    assert essay.grammar.category_counts == {"GRAMMAR": 1, "TYPOGRAPHY": 1}
    unchecked = await queries(views).essay("batch-1", "essay-2", "teacher-anna", include_text=False)
    assert unchecked.grammar is None


async def test_the_batch_and_the_list_count_grammar_matches_per_category(
    views: Views, events: Events
) -> None:
    await spellchecked(views, events)
    only_grammar = [MATCHES[0]]
    await views.deliver(
        grammar_initiate(events),
        grammar_result(events, 0),
        grammar_result(events, 1, matches=only_grammar),
    )
    batch = await queries(views).batch("batch-1", "teacher-anna")
    assert batch.grammar_category_counts == {"GRAMMAR": 2, "TYPOGRAPHY": 1}
    assert [e.grammar_match_count for e in batch.essays] == [2, 1, None]
    assert batch.essays[1].grammar_category_counts == {"GRAMMAR": 1}
    assert batch.essays[0].grammar_outcome is OperationOutcome.SUCCESS
    listed = await queries(views).batches("teacher-anna", None, 10, 0)
    assert listed.items[0].grammar_category_counts == {"GRAMMAR": 2, "TYPOGRAPHY": 1}


async def test_grammar_failures_count_as_failed_essays(views: Views, events: Events) -> None:
    await spellchecked(views, events)
    await views.deliver(grammar_initiate(events), grammar_result(events, 1, ok=False))
    batch = await queries(views).batch("batch-1", "teacher-anna")
    assert batch.failed_essay_count == 2  # essay 2's spellcheck and essay 1's grammar


async def test_the_row_round_trips_the_grammar_result(views: Views, events: Events) -> None:
    await spellchecked(views, events)
    await views.deliver(grammar_initiate(events), grammar_result(events, 0))
    essay = views.essay("essay-0")
    row = essay_row(essay)
    assert row["grammar_match_count"] == 2
    assert row["grammar_category_counts"] == {"GRAMMAR": 1, "TYPOGRAPHY": 1}
    assert essay_from_row(row) == essay
    # Without the matches column (the batch read) the counts still come from the row.
    counts_only = essay_from_row({k: v for k, v in row.items() if k != "grammar_matches"})
    assert counts_only.grammar is not None
    assert counts_only.grammar.matches is None
    assert counts_only.grammar.category_counts == {"GRAMMAR": 1, "TYPOGRAPHY": 1}
    with pytest.raises(ValueError, match="without its grammar matches"):
        essay_row(counts_only)


async def test_a_spelling_rerun_announces_its_own_outcome_not_the_older_grammar_one(
    views: Views, events: Events
) -> None:
    await spellchecked(views, events)
    await views.deliver(grammar_initiate(events), grammar_result(events, 0))
    await views.deliver(events.initiate(minute=20), events.result(0, ok=False, minute=21))
    essay = views.essay("essay-0")
    assert essay.status is EssayStatus.SPELLCHECK_FAILED
    assert essay.grammar is not None  # the earlier run's, kept until grammar runs again
    last = views.notifications("essay_results_available")[-1]
    assert last.payload["outcome"] == OperationOutcome.FAILURE.value
