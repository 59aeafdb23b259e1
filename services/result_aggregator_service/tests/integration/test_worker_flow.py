"""The real worker on the registry topics: a batch's events in a realistic order, redelivery,
BOS down and back, and the API over the result."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.enums import (
    BatchStatus,
    CourseCode,
    OperationOutcome,
    PhaseName,
    PhaseStatus,
)
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysReadyV1,
    BatchEssaysRegisteredV1,
    BatchPipelineCompletedV1,
    BatchSpellcheckInitiateCommandV1,
    ELSBatchPhaseOutcomeV1,
    EssayPhaseOutcome,
    EssayRef,
    EssaySlotAssignedV1,
    EssaySpellcheckCompletedV1,
    TeacherNotificationRequestedV1,
)
from common_core.internal_api import PipelinePhaseState
from common_core.topics import topic_for
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_service_libs.kafka.headers import decode_headers
from huleedu_service_libs.worker import WorkerRuntime
from huleedu_testing import sample_event
from huleedu_testing.bos_stub import BosStub
from huleedu_testing.kafka_helpers import (
    TopicProbe,
    end_offsets,
    wait_until,
)
from result_aggregator_service.app import create_app
from result_aggregator_service.config import ResultAggregatorSettings

from .conftest import INTERNAL_KEY, rows, wrap

pytestmark = pytest.mark.integration


async def publish(producer: KafkaEventProducer, *envelopes: EventEnvelope[Any]) -> None:
    for envelope in envelopes:
        await producer.publish(envelope, key=envelope.data.batch_id)


async def handled(engine: AsyncEngine, *envelopes: EventEnvelope[Any]) -> bool:
    found = await rows(
        engine,
        "SELECT count(*) AS n FROM processed_events WHERE event_id = ANY(:ids)",
        ids=[e.event_id for e in envelopes],
    )
    return bool(found[0]["n"] == len(envelopes))


async def test_batch_results_from_events_to_api(
    worker: WorkerRuntime,
    ras_settings: ResultAggregatorSettings,
    ras_engine: AsyncEngine,
    bos: BosStub,
    kafka_producer: KafkaEventProducer,
    kafka_admin: AIOKafkaAdminClient,
    kafka_bootstrap: str,
) -> None:
    notification_topic = topic_for(TeacherNotificationRequestedV1)
    probe = TopicProbe(
        kafka_bootstrap,
        await end_offsets(kafka_bootstrap, [notification_topic], admin=kafka_admin),
    )
    base = sample_event(BatchEssaysRegisteredV1)
    batch_id, user_id, essay_ids = base.batch_id, base.user_id, base.essay_ids[:3]
    registration = wrap(base.model_copy(update={"expected_essay_count": 3, "essay_ids": essay_ids}))
    slot_template = sample_event(EssaySlotAssignedV1)
    slots = [
        wrap(
            slot_template.model_copy(
                update={"batch_id": batch_id, "essay_id": essay_id, "file_upload_id": f"file-{n}"}
            )
        )
        for n, essay_id in enumerate(essay_ids)
    ]
    refs = [
        EssayRef(
            essay_id=s.data.essay_id,
            text_storage_id=s.data.text_storage_id,
            original_file_name=s.data.original_file_name,
            file_upload_id=s.data.file_upload_id,
        )
        for s in slots
    ]
    ready = wrap(
        sample_event(BatchEssaysReadyV1).model_copy(
            update={"batch_id": batch_id, "user_id": user_id, "ready_essays": refs}
        )
    )
    initiate = wrap(
        sample_event(BatchSpellcheckInitiateCommandV1).model_copy(
            update={"batch_id": batch_id, "course_code": CourseCode.SV2, "essays": refs}
        )
    )
    result_template = sample_event(EssaySpellcheckCompletedV1)
    results = [
        wrap(
            result_template.model_copy(
                update={
                    "batch_id": batch_id,
                    "essay_id": essay_id,
                    **(
                        {}
                        if n
                        else {
                            "outcome": OperationOutcome.FAILURE,
                            "misspellings": [],
                            "corrected_text_storage_id": None,
                            "error_message": "tom text",
                        }
                    ),
                }
            )
        )
        for n, essay_id in enumerate(essay_ids)
    ]
    outcome = wrap(
        ELSBatchPhaseOutcomeV1(
            batch_id=batch_id,
            phase=PhaseName.SPELLCHECK,
            phase_status=PhaseStatus.COMPLETED_WITH_FAILURES,
            essay_outcomes=[
                EssayPhaseOutcome(
                    essay_id=e,
                    outcome=OperationOutcome.FAILURE if n == 0 else OperationOutcome.SUCCESS,
                )
                for n, e in enumerate(essay_ids)
            ],
        )
    )
    completion = wrap(
        sample_event(BatchPipelineCompletedV1).model_copy(
            update={
                "batch_id": batch_id,
                "user_id": user_id,
                "successful_essay_count": 2,
                "failed_essay_count": 1,
            }
        )
    )

    # -- out of order: one result and one slot before the registration ------------------------
    # Handled before the registration is sent: the worker handles a poll's partitions (and so
    # these topics) concurrently, so publishing order alone would not make them come first.
    await publish(kafka_producer, results[1], slots[0])
    await wait_until(lambda: handled(ras_engine, results[1], slots[0]), what="early events")
    await publish(
        kafka_producer,
        registration,
        *slots[1:],
        ready,
        initiate,
        results[0],
        results[2],
    )
    everything_so_far = [registration, *slots, ready, initiate, *results]
    await wait_until(lambda: handled(ras_engine, *everything_so_far), what="intake and results")
    essays = {
        r["essay_id"]: r
        for r in await rows(
            ras_engine, "SELECT * FROM result_essays WHERE batch_id = :b", b=batch_id
        )
    }
    assert {e: r["status"] for e, r in essays.items()} == {
        essay_ids[0]: "spellcheck_failed",
        essay_ids[1]: "spellcheck_succeeded",
        essay_ids[2]: "spellcheck_succeeded",
    }
    assert essays[essay_ids[1]]["slot_index"] == 1
    assert essays[essay_ids[1]]["misspelling_count"] == 2

    # -- BOS down: the phase outcome waits uncommitted, then applies ----------------------------
    bos.add_batch(
        batch_id,
        user_id,
        course_code=CourseCode.SV2,
        expected_essay_count=3,
        status=BatchStatus.PROCESSING,
        accepts_files=False,
    )
    await bos.stop()
    failures_before = _handler_failures(ras_settings)
    sent_outcome = await kafka_producer.publish(outcome, key=batch_id)
    await wait_until(
        lambda: _handler_failures(ras_settings) >= failures_before + 2,
        what="the phase outcome failing while BOS is down",
    )
    assert not await handled(ras_engine, outcome)
    committed = await _committed(kafka_admin, ras_settings, sent_outcome)
    assert committed is None or committed <= sent_outcome.offset
    state = bos.add_batch(
        batch_id,
        user_id,
        course_code=CourseCode.SV2,
        expected_essay_count=3,
        status=BatchStatus.COMPLETED_WITH_FAILURES,
        accepts_files=False,
    )
    bos.set_state(
        state.model_copy(
            update={
                "requested_pipeline": PhaseName.SPELLCHECK,
                "phases": [
                    PipelinePhaseState(
                        phase=PhaseName.SPELLCHECK,
                        status=PhaseStatus.COMPLETED_WITH_FAILURES,
                        essay_count=3,
                        failed_essay_count=1,
                    )
                ],
            }
        )
    )
    await bos.start()
    await publish(kafka_producer, completion)
    await wait_until(
        lambda: handled(ras_engine, outcome, completion), what="BOS back", timeout_seconds=60
    )
    [batch] = await rows(ras_engine, "SELECT * FROM result_batches WHERE batch_id = :b", b=batch_id)
    assert batch["status"] == "completed_with_failures"
    assert batch["completed_at"] is not None

    # -- notifications reach Kafka through the outbox: 2 progress (user known) + 1 ready -------
    def ours(record: Any) -> bool:
        if record.topic != notification_topic:
            return False
        return bool(json.loads(record.value)["data"].get("batch_id") == batch_id)

    sent = await probe.read_new(ours, expected=4, timeout_seconds=30)
    types = sorted(json.loads(r.value)["data"]["notification_type"] for r in sent)
    # results[1] arrived before registration: its notification is skipped, not guessed.
    assert types == ["batch_results_ready", "essay_results_available", "essay_results_available"]
    assert {r.key.decode() for r in sent} == {user_id}
    assert {decode_headers(r.headers)["event_type"] for r in sent} == {
        "TeacherNotificationRequestedV1"
    }

    # -- redelivery changes nothing ------------------------------------------------------------
    before = (
        await rows(ras_engine, "SELECT * FROM result_batches WHERE batch_id = :b", b=batch_id),
        await rows(
            ras_engine,
            "SELECT * FROM result_essays WHERE batch_id = :b ORDER BY essay_id",
            b=batch_id,
        ),
    )
    marker = wrap(sample_event(EssaySpellcheckCompletedV1))
    await publish(kafka_producer, *everything_so_far, outcome, completion, marker)
    await wait_until(lambda: handled(ras_engine, marker), what="marker after redeliveries")
    after = (
        await rows(ras_engine, "SELECT * FROM result_batches WHERE batch_id = :b", b=batch_id),
        await rows(
            ras_engine,
            "SELECT * FROM result_essays WHERE batch_id = :b ORDER BY essay_id",
            b=batch_id,
        ),
    )
    assert after == before

    # -- the API over the view -----------------------------------------------------------------
    app = create_app(ras_settings, ras_engine)
    headers = {"X-Internal-API-Key": INTERNAL_KEY, "X-User-ID": user_id}
    async with app.test_app() as test_app:
        client = test_app.test_client()
        answer = await client.get(f"/internal/v1/batches/{batch_id}", headers=headers)
        assert answer.status_code == 200
        body = await answer.get_json()
        assert body["user_id"] == user_id
        assert body["status"] == "completed_with_failures"
        assert [e["essay_id"] for e in body["essays"]] == essay_ids
        assert (body["processed_essay_count"], body["failed_essay_count"]) == (3, 1)
        assert body["phases"][0]["status"] == "completed_with_failures"
        essay = await client.get(
            f"/internal/v1/batches/{batch_id}/essays/{essay_ids[0]}?include_text=false",
            headers=headers,
        )
        assert (await essay.get_json())["spellcheck"]["error_message"] == "tom text"


def _handler_failures(settings: ResultAggregatorSettings) -> float:
    """Failed handler attempts of the worker's group on the phase outcome topic."""
    labels = {
        "service": settings.service_name,
        "group": settings.kafka_consumer_group,
        "topic": topic_for(ELSBatchPhaseOutcomeV1),
    }
    return sum(
        REGISTRY.get_sample_value("huleedu_kafka_handler_failures_total", {**labels, "kind": kind})
        or 0.0
        for kind in ("transient", "poison")
    )


async def _committed(
    admin: AIOKafkaAdminClient, settings: ResultAggregatorSettings, sent: Any
) -> int | None:
    """The group's committed offset on the partition a record went to (None: none yet)."""
    offsets = await admin.list_consumer_group_offsets(settings.kafka_consumer_group)
    found = offsets.get(TopicPartition(sent.topic, sent.partition))
    return None if found is None else int(found.offset)
