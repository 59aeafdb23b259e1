"""The HTTP API against a migrated schema: register, read, ownership, validation, retry."""

from __future__ import annotations

from typing import Any

import pytest

from common_core.enums import CourseCode
from huleedu_testing import random_id

pytestmark = pytest.mark.integration

BATCHES = "/internal/v1/batches"


def body(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "course_code": "SV2",
        "essay_instructions": "Skriv en argumenterande text om skoluniformer.",
        "expected_essay_count": 5,
    }
    values.update(overrides)
    return values


async def test_register_stores_batch_and_outbox_in_one_commit(
    client: Any, db: Any, cms: Any
) -> None:
    user_id, class_id = random_id(), random_id()
    cms.add_class(class_id, user_id, course_code=CourseCode.SV2)
    answer = await client.call("POST", BATCHES, user_id=user_id, json=body(class_id=class_id))

    assert answer.status == 201, answer.body
    batch_id = answer.body["batch_id"]
    essay_ids = answer.body["essay_ids"]
    assert answer.body == {
        "batch_id": batch_id,
        "status": "awaiting_content",
        "essay_ids": essay_ids,
        "course_code": "SV2",
        "expected_essay_count": 5,
        "class_id": class_id,
    }
    assert len(essay_ids) == 5 == len(set(essay_ids))

    row = await db.batch_row(batch_id)
    assert row is not None
    assert row["user_id"] == user_id
    assert row["status"] == "awaiting_content"
    slots = await db.scalar(
        "SELECT count(*) FROM batch_essay_slots WHERE batch_id = :id", id=batch_id
    )
    assert slots == 5

    outbox = await db.outbox()
    assert [r.event_type for r in outbox] == [
        "BatchEssaysRegisteredV1",
        "TeacherNotificationRequestedV1",
    ]
    registered, notification = outbox
    assert registered.key == batch_id
    assert registered.topic == "huleedu.batch.essays.registered.v1"
    data = registered.envelope.data
    assert (data.batch_id, data.user_id, data.class_id) == (batch_id, user_id, class_id)
    assert data.essay_ids == essay_ids
    assert data.expected_essay_count == 5
    assert registered.envelope.source_service == "batch_orchestrator_service"
    assert notification.key == user_id
    assert notification.envelope.data.batch_id == batch_id
    assert notification.topic == "huleedu.notification.teacher.requested.v1"


async def test_pipeline_state_answers_internal_callers_without_a_user(client: Any) -> None:
    user_id = random_id()
    created = await client.call("POST", BATCHES, user_id=user_id, json=body())
    batch_id = created.body["batch_id"]

    answer = await client.call("GET", f"{BATCHES}/{batch_id}/pipeline-state")

    assert answer.status == 200, answer.body
    assert answer.body == {
        "batch_id": batch_id,
        "user_id": user_id,
        "status": "awaiting_content",
        "accepts_files": True,
        "course_code": "SV2",
        "class_id": None,
        "expected_essay_count": 5,
        "requested_pipeline": None,
        "disabled_grammar_categories": [],
        "current_phase": None,
        "phases": [],
    }


async def test_pipeline_state_of_unknown_batch_is_404(client: Any) -> None:
    answer = await client.call("GET", f"{BATCHES}/{random_id()}/pipeline-state")
    assert (answer.status, answer.code) == (404, "BATCH_NOT_FOUND")


async def test_internal_key_is_required(client: Any) -> None:
    answer = await client.call("GET", f"{BATCHES}/{random_id()}/pipeline-state", key=None)
    assert answer.status == 401
    wrong = await client.call("POST", BATCHES, user_id=random_id(), key="wrong", json=body())
    assert wrong.status == 401


async def test_another_teachers_batch_looks_exactly_like_a_missing_one(client: Any) -> None:
    owner = random_id()
    batch_id = (await client.call("POST", BATCHES, user_id=owner, json=body())).body["batch_id"]

    own = await client.call("GET", f"{BATCHES}/{batch_id}", user_id=owner)
    assert own.status == 200, own.body
    assert own.body["user_id"] == owner
    assert own.body["pipeline_state"]["accepts_files"] is True
    assert len(own.body["essay_ids"]) == 5

    foreign = await client.call("GET", f"{BATCHES}/{batch_id}", user_id=random_id())
    missing = await client.call("GET", f"{BATCHES}/{random_id()}", user_id=owner)
    assert (
        (foreign.status, foreign.code) == (missing.status, missing.code) == (404, "BATCH_NOT_FOUND")
    )
    assert foreign.body["error"]["message"] == missing.body["error"]["message"]

    anonymous = await client.call("GET", f"{BATCHES}/{batch_id}")
    assert anonymous.status == 401


@pytest.mark.parametrize(
    "payload",
    [
        body(expected_essay_count=0),
        body(expected_essay_count=501),
        body(essay_instructions=""),
        body(essay_instructions="x" * 5001),
        {"course_code": "SV2", "essay_instructions": "x"},
        body(unexpected="field"),
        None,
    ],
)
async def test_invalid_body_is_422_and_stores_nothing(client: Any, db: Any, payload: Any) -> None:
    kwargs = {"json": payload} if payload is not None else {"data": b"not json"}
    answer = await client.call("POST", BATCHES, user_id=random_id(), **kwargs)
    assert (answer.status, answer.code) == (422, "VALIDATION_ERROR"), answer.body
    assert await db.scalar("SELECT count(*) FROM batches") == 0
    assert await db.outbox() == []


async def test_unknown_course_is_422_unknown_course(client: Any, db: Any) -> None:
    answer = await client.call("POST", BATCHES, user_id=random_id(), json=body(course_code="MA1"))
    assert (answer.status, answer.code) == (422, "UNKNOWN_COURSE")
    assert await db.outbox() == []


async def test_boundaries_are_accepted(client: Any) -> None:
    low = await client.call("POST", BATCHES, user_id=random_id(), json=body(expected_essay_count=1))
    high = await client.call(
        "POST",
        BATCHES,
        user_id=random_id(),
        json=body(expected_essay_count=500, essay_instructions="x" * 5000),
    )
    assert (low.status, high.status) == (201, 201)
    assert len(high.body["essay_ids"]) == 500


async def test_retry_of_a_phase_that_never_ran_is_409(client: Any) -> None:
    owner = random_id()
    batch_id = (await client.call("POST", BATCHES, user_id=owner, json=body())).body["batch_id"]

    answer = await client.call(
        "POST", f"{BATCHES}/{batch_id}/phases/spellcheck/retry", user_id=owner
    )
    assert (answer.status, answer.code) == (409, "PHASE_NOT_RETRYABLE")

    foreign = await client.call(
        "POST", f"{BATCHES}/{batch_id}/phases/spellcheck/retry", user_id=random_id()
    )
    assert (foreign.status, foreign.code) == (404, "BATCH_NOT_FOUND")

    unknown = await client.call("POST", f"{BATCHES}/{batch_id}/phases/grading/retry", user_id=owner)
    assert (unknown.status, unknown.code) == (422, "VALIDATION_ERROR")
