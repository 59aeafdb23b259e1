"""The real worker on the grammar topics: the command and the results reach the view once,
and the API answers the essay's grammar block and the batch's grammar counts."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.enums import CourseCode, OperationOutcome
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysRegisteredV1,
    BatchGrammarInitiateCommandV1,
    EssayGrammarCompletedV1,
    EssayRef,
    EssaySlotAssignedV1,
    GrammarMatch,
)
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_service_libs.worker import WorkerRuntime
from huleedu_testing import sample_event
from huleedu_testing.kafka_helpers import wait_until
from result_aggregator_service.app import create_app
from result_aggregator_service.config import ResultAggregatorSettings

from .conftest import INTERNAL_KEY, rows, wrap

pytestmark = pytest.mark.integration

# "She dont like it , he say." -> an agreement error and a space before a comma.
MATCHES = [
    GrammarMatch(start=4, end=8, text="dont", rule_id="DONT_DOESNT", category="GRAMMAR",
                 message="Did you mean 'doesn't'?", replacements=["doesn't"]),
    GrammarMatch(start=16, end=18, text=" ,", rule_id="COMMA_PARENTHESIS_WHITESPACE",
                 category="TYPOGRAPHY", message="Put no space before a comma.",
                 replacements=[","]),
]  # fmt: skip


async def handled(engine: AsyncEngine, *envelopes: EventEnvelope[Any]) -> bool:
    found = await rows(
        engine,
        "SELECT count(*) AS n FROM processed_events WHERE event_id = ANY(:ids)",
        ids=[e.event_id for e in envelopes],
    )
    return bool(found[0]["n"] == len(envelopes))


async def test_grammar_events_reach_the_view_and_the_api(
    worker: WorkerRuntime,
    ras_settings: ResultAggregatorSettings,
    ras_engine: AsyncEngine,
    kafka_producer: KafkaEventProducer,
) -> None:
    base = sample_event(BatchEssaysRegisteredV1)
    batch_id, user_id, essay_ids = base.batch_id, base.user_id, base.essay_ids[:2]
    registration = wrap(base.model_copy(update={"expected_essay_count": 2, "essay_ids": essay_ids}))
    slot = sample_event(EssaySlotAssignedV1)
    slots = [
        wrap(
            slot.model_copy(update={"batch_id": batch_id, "essay_id": e, "file_upload_id": f"f{n}"})
        )
        for n, e in enumerate(essay_ids)
    ]
    refs = [
        EssayRef(essay_id=s.data.essay_id, text_storage_id=s.data.text_storage_id,
                 original_file_name=s.data.original_file_name,
                 file_upload_id=s.data.file_upload_id)
        for s in slots
    ]  # fmt: skip
    initiate = wrap(
        sample_event(BatchGrammarInitiateCommandV1).model_copy(
            update={"batch_id": batch_id, "course_code": CourseCode.ENG5, "essays": refs}
        )
    )
    template = sample_event(EssayGrammarCompletedV1)
    results = [
        wrap(template.model_copy(update={"batch_id": batch_id, "essay_id": essay_ids[0],
                                         "matches": MATCHES})),
        wrap(template.model_copy(update={"batch_id": batch_id, "essay_id": essay_ids[1],
                                         "outcome": OperationOutcome.FAILURE, "matches": [],
                                         "error_message": "LanguageTool unreachable"})),
    ]  # fmt: skip
    for envelope in (registration, *slots, initiate):
        await kafka_producer.publish(envelope, key=batch_id)
    await wait_until(lambda: handled(ras_engine, registration, *slots, initiate), what="intake")
    for envelope in (*results, results[0]):  # the first one redelivered
        await kafka_producer.publish(envelope, key=batch_id)
    await wait_until(lambda: handled(ras_engine, *results), what="grammar results")

    stored = {
        r["essay_id"]: r
        for r in await rows(
            ras_engine, "SELECT * FROM result_essays WHERE batch_id = :b", b=batch_id
        )
    }
    assert stored[essay_ids[0]]["status"] == "grammar_succeeded"
    assert stored[essay_ids[0]]["grammar_match_count"] == 2
    assert stored[essay_ids[1]]["status"] == "grammar_failed"
    assert stored[essay_ids[1]]["grammar_error"] == "LanguageTool unreachable"

    app = create_app(ras_settings, ras_engine)
    headers = {"X-Internal-API-Key": INTERNAL_KEY, "X-User-ID": user_id}
    async with app.test_app() as test_app:
        client = test_app.test_client()
        batch = await (
            await client.get(f"/internal/v1/batches/{batch_id}", headers=headers)
        ).get_json()
        assert batch["current_phase"] == "grammar"
        assert batch["grammar_category_counts"] == {"GRAMMAR": 1, "TYPOGRAPHY": 1}
        assert [e["grammar_match_count"] for e in batch["essays"]] == [2, 0]
        assert batch["failed_essay_count"] == 1
        answer = await client.get(
            f"/internal/v1/batches/{batch_id}/essays/{essay_ids[0]}?include_text=false",
            headers=headers,
        )
        grammar = (await answer.get_json())["grammar"]
        assert [GrammarMatch.model_validate(m) for m in grammar["matches"]] == MATCHES
        assert grammar["category_counts"] == {"GRAMMAR": 1, "TYPOGRAPHY": 1}
