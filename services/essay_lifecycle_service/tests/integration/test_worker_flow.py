"""The real worker runtime on the real registry topics, then the status API over the result."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.enums import CourseCode, Language, OperationOutcome, PhaseStatus
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysReadyV1,
    BatchEssaysRegisteredV1,
    BatchSpellcheckInitiateCommandV1,
    ELSBatchPhaseOutcomeV1,
    EssayContentProvisionedV1,
    EssaySpellcheckCompletedV1,
    EssaySpellcheckRequestedV1,
)
from common_core.topics import topic_for
from essay_lifecycle_service.app import create_app
from essay_lifecycle_service.config import EssayLifecycleSettings
from essay_lifecycle_service.worker import PHASE_EVENTS, SLOT_EVENTS, create_worker_app
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_service_libs.worker import WorkerRuntime
from huleedu_testing import random_id
from huleedu_testing.kafka_helpers import start_groups_at_end, wait_until

from .conftest import INTERNAL_KEY, KafkaProbe, rows

pytestmark = pytest.mark.integration


def wrap(data: Any) -> EventEnvelope[Any]:
    return EventEnvelope.wrap(data, source_service="it", correlation_id=random_id())


@pytest.fixture
async def worker(
    els_settings: EssayLifecycleSettings,
    els_engine: AsyncEngine,
    kafka_admin: AIOKafkaAdminClient,
    kafka_bootstrap: str,
) -> AsyncIterator[WorkerRuntime]:
    """The worker's consumers, readiness monitor and relay, running on the test schema."""
    group = els_settings.kafka_consumer_group
    await start_groups_at_end(
        kafka_bootstrap,
        {
            f"{group}.slots": [topic_for(m) for m in SLOT_EVENTS],
            f"{group}.phases": [topic_for(m) for m in PHASE_EVENTS],
        },
        admin=kafka_admin,
    )
    _app, runtime = create_worker_app(els_settings)
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()
        await runtime.engine.dispose()


async def publish_all(producer: KafkaEventProducer, envelopes: list[EventEnvelope[Any]]) -> None:
    for envelope in envelopes:
        await producer.publish(envelope, key=envelope.data.batch_id)


async def test_batch_flows_from_registration_to_phase_outcome_once(
    worker: WorkerRuntime,
    kafka: KafkaProbe,
    kafka_producer: KafkaEventProducer,
    els_engine: AsyncEngine,
    els_settings: EssayLifecycleSettings,
) -> None:
    batch_id, user_id = random_id(), random_id()
    registration = wrap(
        BatchEssaysRegisteredV1(
            batch_id=batch_id,
            user_id=user_id,
            course_code=CourseCode.SV1,
            essay_instructions="Skriv om skärgården.",
            expected_essay_count=3,
            essay_ids=[random_id() for _ in range(3)],
        )
    )
    essay_ids = registration.data.essay_ids
    provisions = [
        wrap(
            EssayContentProvisionedV1(
                batch_id=batch_id,
                file_upload_id=random_id(),
                original_file_name=f"Åsa_{n}.docx",
                raw_storage_id=random_id(),
                text_storage_id=f"text-{n}-{batch_id}",
                content_sha256=f"{n}{batch_id}".replace("-", "")[:64].ljust(64, "0"),
                file_size_bytes=100,
                char_count=900,
                word_count=180,
            )
        )
        for n in range(3)
    ]

    # -- registration + 3 provisioned -> one ready event --------------------------------------
    await publish_all(kafka_producer, [registration, *provisions])
    [ready] = await kafka.events_of(BatchEssaysReadyV1, {batch_id}, expected=1)
    assert not ready.data.is_partial
    assert ready.data.user_id == user_id
    assert sorted(r.essay_id for r in ready.data.ready_essays) == sorted(essay_ids)

    # -- initiate command -> 3 spellcheck requests ---------------------------------------------
    command = wrap(
        BatchSpellcheckInitiateCommandV1(
            batch_id=batch_id,
            course_code=CourseCode.SV1,
            language=Language.SWEDISH,
            essays=ready.data.ready_essays,
        )
    )
    await publish_all(kafka_producer, [command])
    requests = await kafka.events_of(EssaySpellcheckRequestedV1, {batch_id}, expected=3)
    assert sorted(r.data.essay_id for r in requests) == sorted(essay_ids)
    assert {r.data.language for r in requests} == {Language.SWEDISH}

    # -- 3 completions (one failed) -> one phase outcome ---------------------------------------
    completions = [
        wrap(
            EssaySpellcheckCompletedV1(
                batch_id=batch_id,
                essay_id=r.data.essay_id,
                outcome=OperationOutcome.FAILURE if i == 0 else OperationOutcome.SUCCESS,
                language=Language.SWEDISH,
                original_text_storage_id=r.data.text_storage_id,
                corrected_text_storage_id=None if i == 0 else f"corr-{r.data.essay_id}",
                correction_count=0 if i == 0 else 3,
                word_count=180,
                error_message="text missing" if i == 0 else None,
            )
        )
        for i, r in enumerate(requests)
    ]
    await publish_all(kafka_producer, completions)
    [outcome] = await kafka.events_of(ELSBatchPhaseOutcomeV1, {batch_id}, expected=1)
    assert outcome.data.phase_status is PhaseStatus.COMPLETED_WITH_FAILURES
    assert Counter(o.outcome for o in outcome.data.essay_outcomes) == {
        OperationOutcome.SUCCESS: 2,
        OperationOutcome.FAILURE: 1,
    }

    # -- redelivery of everything changes nothing -----------------------------------------------
    essays_before = await rows(els_engine, "SELECT * FROM essays ORDER BY essay_id")
    history_before = await rows(els_engine, "SELECT * FROM essay_state_history ORDER BY id")
    everything = [registration, *provisions, command, *completions]
    await publish_all(kafka_producer, everything)

    async def all_redeliveries_seen() -> bool:
        seen = await rows(
            els_engine,
            "SELECT count(*) AS n FROM processed_events WHERE event_id = ANY(:ids)",
            ids=[e.event_id for e in everything],
        )
        return bool(seen[0]["n"] == len(everything))

    await wait_until(all_redeliveries_seen, what="the first deliveries recorded")
    last = wrap(
        EssaySpellcheckCompletedV1(  # a marker after the redeliveries on the phase topic
            batch_id=random_id(),
            essay_id=random_id(),
            outcome=OperationOutcome.SUCCESS,
            language=Language.SWEDISH,
            original_text_storage_id="x",
        )
    )
    await publish_all(kafka_producer, [last])

    async def marker_handled() -> bool:
        seen = await rows(
            els_engine,
            "SELECT count(*) AS n FROM processed_events WHERE event_id = :id",
            id=last.event_id,
        )
        return bool(seen[0]["n"] == 1)

    await wait_until(marker_handled, what="the marker after the redeliveries")
    assert await rows(els_engine, "SELECT * FROM essays ORDER BY essay_id") == essays_before
    assert await rows(els_engine, "SELECT * FROM essay_state_history ORDER BY id") == history_before
    assert (
        len(await kafka.events_of(BatchEssaysReadyV1, {batch_id}, expected=2, timeout_seconds=3))
        == 1
    )
    assert (
        len(
            await kafka.events_of(ELSBatchPhaseOutcomeV1, {batch_id}, expected=2, timeout_seconds=3)
        )
        == 1
    )
    assert (
        len(
            await kafka.events_of(
                EssaySpellcheckRequestedV1, {batch_id}, expected=4, timeout_seconds=3
            )
        )
        == 3
    )

    # -- the status API ---------------------------------------------------------------------------
    app = create_app(els_settings, els_engine)
    headers = {"X-Internal-API-Key": INTERNAL_KEY, "X-User-ID": user_id}
    async with app.test_app() as test_app:
        client = test_app.test_client()
        status = await client.get(f"/internal/v1/batches/{batch_id}/status", headers=headers)
        assert status.status_code == 200
        body = await status.get_json()
        assert body["ready"] is True
        assert body["is_partial"] is False
        assert body["counts"]["spellcheck_succeeded"] == 2
        assert body["counts"]["spellcheck_failed"] == 1
        assert len(body["essays"]) == 3

        failed_id = completions[0].data.essay_id
        essay = await client.get(f"/internal/v1/essays/{failed_id}", headers=headers)
        assert (await essay.get_json())["status"] == "spellcheck_failed"
        timeline = await (
            await client.get(f"/internal/v1/essays/{failed_id}/timeline", headers=headers)
        ).get_json()
        assert [t["to_status"] for t in timeline["timeline"]] == [
            "awaiting_content",
            "ready_for_processing",
            "spellcheck_requested",
            "spellcheck_failed",
        ]

        stranger = {**headers, "X-User-ID": random_id()}
        for path in (
            f"/internal/v1/batches/{batch_id}/status",
            f"/internal/v1/essays/{failed_id}",
            f"/internal/v1/essays/{failed_id}/timeline",
            f"/internal/v1/essays/{random_id()}",
        ):
            answer = await client.get(path, headers=stranger)
            assert answer.status_code == 404, path
        no_user = await client.get(
            f"/internal/v1/batches/{batch_id}/status", headers={"X-Internal-API-Key": INTERNAL_KEY}
        )
        assert no_user.status_code == 401
        no_key = await client.get(
            f"/internal/v1/batches/{batch_id}/status", headers={"X-User-ID": user_id}
        )
        assert no_key.status_code in (401, 403)
