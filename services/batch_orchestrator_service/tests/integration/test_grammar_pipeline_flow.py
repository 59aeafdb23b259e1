"""The spellcheck+grammar pipeline through the worker: two phases in order, on real topics,
the teacher's disabled categories stored with the batch and carried into the grammar command."""

from __future__ import annotations

from typing import Any

import pytest

from common_core.enums import (
    CourseCode,
    GrammarCategory,
    OperationOutcome,
    PhaseName,
    PhaseStatus,
    PipelineName,
)
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysReadyV1,
    ClientBatchPipelineRequestV1,
    ELSBatchPhaseOutcomeV1,
    EssayPhaseOutcome,
    EssayRef,
    EventModel,
)
from huleedu_testing import random_id
from huleedu_testing.kafka_helpers import wait_until

pytestmark = pytest.mark.integration

SPELL = PhaseName.SPELLCHECK
GRAMMAR = PhaseName.GRAMMAR


def wrap(data: EventModel) -> EventEnvelope[Any]:
    return EventEnvelope.wrap(data, source_service="bos-it", correlation_id=random_id())


def outcome(batch_id: str, phase: PhaseName, results: dict[str, str | None]) -> EventEnvelope[Any]:
    """essay id -> the phase's output text id (success) or None (failure)."""
    return wrap(
        ELSBatchPhaseOutcomeV1(
            batch_id=batch_id,
            phase=phase,
            phase_status=PhaseStatus.COMPLETED
            if all(v is not None for v in results.values())
            else PhaseStatus.COMPLETED_WITH_FAILURES,
            essay_outcomes=[
                EssayPhaseOutcome(
                    essay_id=essay_id,
                    outcome=OperationOutcome.SUCCESS
                    if output is not None
                    else OperationOutcome.FAILURE,
                    output_storage_id=output or None,
                    error_message=None if output is not None else "text not found",
                )
                for essay_id, output in results.items()
            ],
        )
    )


async def test_grammar_follows_spellcheck_with_the_teachers_categories(
    worker: Any, client: Any, db: Any, kafka: Any, kafka_producer: Any
) -> None:
    user_id = random_id()
    batch = await db.register(user_id, count=3)
    ids = batch.essay_ids
    ready = BatchEssaysReadyV1(
        batch_id=batch.batch_id,
        user_id=user_id,
        course_code=CourseCode.SV2,
        ready_essays=[
            EssayRef(essay_id=e, text_storage_id=f"original-{n}") for n, e in enumerate(ids)
        ],
    )
    await kafka_producer.publish(wrap(ready), key=batch.batch_id)
    await wait_until(
        lambda: _status_is(db, batch.batch_id, "ready_for_pipeline"), what="batch ready"
    )

    request = ClientBatchPipelineRequestV1(
        batch_id=batch.batch_id,
        user_id=user_id,
        requested_pipeline=PipelineName.SPELLCHECK_GRAMMAR,
        client_request_id=random_id(),
        disabled_grammar_categories=[GrammarCategory.STYLE, GrammarCategory.TYPOGRAPHY],
    )
    await kafka_producer.publish(wrap(request), key=batch.batch_id)
    [spell] = await kafka.events_for(batch.batch_id, "BatchSpellcheckInitiateCommandV1", expected=1)
    assert [e.essay_id for e in spell.data.essays] == ids
    row = await db.batch_row(batch.batch_id)
    assert row is not None
    assert row["requested_pipeline"] == "spellcheck+grammar"
    assert row["disabled_grammar_categories"] == ["STYLE", "TYPOGRAPHY"]

    # Spellcheck: the first essay fails, so it does not go on to grammar.
    spelled = {ids[0]: None, ids[1]: "corrected-1", ids[2]: "corrected-2"}
    await kafka_producer.publish(outcome(batch.batch_id, SPELL, spelled), key=batch.batch_id)
    [grammar] = await kafka.events_for(batch.batch_id, "BatchGrammarInitiateCommandV1", expected=1)
    assert grammar.data.disabled_categories == ["STYLE", "TYPOGRAPHY"]
    assert grammar.data.language.value == "sv"
    assert [(e.essay_id, e.text_storage_id) for e in grammar.data.essays] == [
        (ids[1], "original-1"),
        (ids[2], "original-2"),
    ]
    state = await client.call(
        "GET", f"/internal/v1/batches/{batch.batch_id}/pipeline-state", user_id=user_id
    )
    assert state.body["current_phase"] == "grammar"
    assert state.body["disabled_grammar_categories"] == ["STYLE", "TYPOGRAPHY"]
    assert [p["phase"] for p in state.body["phases"]] == ["spellcheck", "grammar"]
    assert await db.status(batch.batch_id) == "processing"

    await kafka_producer.publish(
        outcome(batch.batch_id, GRAMMAR, {ids[1]: "", ids[2]: ""}), key=batch.batch_id
    )
    [completed] = await kafka.events_for(batch.batch_id, "BatchPipelineCompletedV1", expected=1)
    assert completed.data.completed_phases == [SPELL, GRAMMAR]
    assert completed.data.phase_statuses == {
        SPELL: PhaseStatus.COMPLETED_WITH_FAILURES,
        GRAMMAR: PhaseStatus.COMPLETED,
    }
    assert (completed.data.successful_essay_count, completed.data.failed_essay_count) == (2, 1)
    assert await db.status(batch.batch_id) == "completed_with_failures"
    started = [
        n.data.params["phase"]
        for n in await kafka.events_for(
            batch.batch_id, "TeacherNotificationRequestedV1", expected=5
        )
        if n.data.notification_type == "phase_started"
    ]
    assert started == ["spellcheck", "grammar"]


async def _status_is(db: Any, batch_id: str, status: str) -> bool:
    return bool(await db.status(batch_id) == status)
