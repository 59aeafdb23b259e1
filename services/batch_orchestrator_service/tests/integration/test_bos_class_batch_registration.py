"""Registering a class batch over real HTTP, PostgreSQL and a CMS stub on a real port:
the class check, its refusals (nothing stored), retries, timeouts and the circuit breaker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from common_core.enums import CourseCode
from huleedu_testing import random_id

pytestmark = pytest.mark.integration

BATCHES = "/internal/v1/batches"


@dataclass(frozen=True)
class Registration:
    """One answer to POST /internal/v1/batches, headers included."""

    status: int
    body: Any
    headers: dict[str, str]

    @property
    def code(self) -> str:
        return str(self.body["error"]["code"])


async def register(
    client: Any,
    settings: Any,
    user_id: str,
    *,
    class_id: str | None,
    course: str = "SV1",
    correlation_id: str | None = None,
) -> Registration:
    headers = {"X-Internal-API-Key": settings.internal_api_key, "X-User-ID": user_id}
    if correlation_id is not None:
        headers["X-Correlation-ID"] = correlation_id
    body: dict[str, Any] = {
        "course_code": course,
        "essay_instructions": "Skriv en krönika om skolan.",
        "expected_essay_count": 3,
    }
    if class_id is not None:
        body["class_id"] = class_id
    async with client.http.post(client.base_url + BATCHES, json=body, headers=headers) as answer:
        return Registration(answer.status, await answer.json(), dict(answer.headers))


async def nothing_stored(db: Any) -> bool:
    batches = await db.scalar("SELECT count(*) FROM batches")
    slots = await db.scalar("SELECT count(*) FROM batch_essay_slots")
    return bool(batches == 0 and slots == 0 and await db.outbox() == [])


async def test_own_class_of_the_batch_course_is_checked_and_stored(
    client: Any, settings: Any, db: Any, cms: Any
) -> None:
    teacher, class_id, correlation_id = random_id(), random_id(), random_id()
    cms.add_class(class_id, teacher, name="9A", course_code=CourseCode.SV1)

    answer = await register(
        client, settings, teacher, class_id=class_id, correlation_id=correlation_id
    )

    assert answer.status == 201, answer.body
    assert answer.body["class_id"] == class_id
    [asked] = cms.requests
    assert (asked.class_id, asked.user_id, asked.correlation_id) == (
        class_id,
        teacher,
        correlation_id,
    )
    assert asked.had_valid_key
    row = await db.batch_row(answer.body["batch_id"])
    assert row is not None
    assert (row["class_id"], row["status"], row["students_confirmed_at"]) == (
        class_id,
        "awaiting_content",
        None,
    )
    outbox = await db.outbox()
    assert [r.event_type for r in outbox] == [
        "BatchEssaysRegisteredV1",
        "TeacherNotificationRequestedV1",
    ]
    assert outbox[0].envelope.data.class_id == class_id
    assert outbox[0].envelope.correlation_id == correlation_id


async def test_another_teachers_class_is_404_like_an_unknown_one_and_stores_nothing(
    client: Any, settings: Any, db: Any, cms: Any
) -> None:
    teacher, foreign_class = random_id(), random_id()
    cms.add_class(foreign_class, random_id(), name="9B", course_code=CourseCode.SV1)

    foreign = await register(client, settings, teacher, class_id=foreign_class)
    unknown = await register(client, settings, teacher, class_id=random_id())

    assert (foreign.status, foreign.code) == (unknown.status, unknown.code)
    assert (foreign.status, foreign.code) == (404, "CLASS_NOT_FOUND")
    assert foreign.body["error"]["message"] == unknown.body["error"]["message"]
    assert "9B" not in str(foreign.body)  # nothing about the other teacher's class leaks
    assert await nothing_stored(db)


async def test_class_of_another_course_is_mixed_courses_and_stores_nothing(
    client: Any, settings: Any, db: Any, cms: Any
) -> None:
    teacher, class_id = random_id(), random_id()
    cms.add_class(class_id, teacher, name="9A", course_code=CourseCode.SV1)

    answer = await register(client, settings, teacher, class_id=class_id, course="ENG5")

    assert (answer.status, answer.code) == (422, "MIXED_COURSES")
    assert answer.body["error"]["message"] == "Class '9A' is for SV1; this batch is for ENG5"
    assert answer.body["error"]["details"] == {"class_course": "SV1", "batch_course": "ENG5"}
    assert await nothing_stored(db)


async def test_cms_stopped_is_503_with_retry_after_and_stores_nothing(
    client: Any, settings: Any, db: Any, cms: Any
) -> None:
    teacher, class_id = random_id(), random_id()
    cms.add_class(class_id, teacher)
    await cms.stop()

    answer = await register(client, settings, teacher, class_id=class_id)

    assert (answer.status, answer.code) == (503, "SERVICE_UNAVAILABLE")
    assert int(answer.headers["Retry-After"]) >= 1
    assert answer.body["error"]["details"] == {"dependency": "class_management_service"}
    assert await nothing_stored(db)


async def test_slow_cms_times_out_once_without_retrying(
    client: Any, settings: Any, db: Any, cms: Any
) -> None:
    teacher, class_id = random_id(), random_id()
    cms.add_class(class_id, teacher)
    cms.slow_down(settings.cms_timeout_seconds + 5)

    answer = await register(client, settings, teacher, class_id=class_id)

    assert (answer.status, answer.code) == (503, "SERVICE_UNAVAILABLE")
    assert "Retry-After" in answer.headers
    assert cms.request_count == 1  # a slow CMS is not asked again
    assert await nothing_stored(db)


async def test_cms_error_is_503_without_retrying(
    client: Any, settings: Any, db: Any, cms: Any
) -> None:
    teacher, class_id = random_id(), random_id()
    cms.add_class(class_id, teacher)
    cms.fail_with(500)

    answer = await register(client, settings, teacher, class_id=class_id)

    assert (answer.status, answer.code) == (503, "SERVICE_UNAVAILABLE")
    assert cms.request_count == 1
    assert await nothing_stored(db)


async def test_cms_404_without_class_not_found_is_503_not_an_unknown_class(
    client: Any, settings: Any, db: Any, cms: Any
) -> None:
    # What a wrong CMS_URL looks like: a 404 that is not CMS's "no such class".
    teacher, class_id = random_id(), random_id()
    cms.add_class(class_id, teacher)
    cms.fail_with(404)

    answer = await register(client, settings, teacher, class_id=class_id)

    assert (answer.status, answer.code) == (503, "SERVICE_UNAVAILABLE")
    assert answer.body["error"]["details"] == {"dependency": "class_management_service"}
    assert "Retry-After" in answer.headers
    assert await nothing_stored(db)


async def test_dropped_connection_is_retried(client: Any, settings: Any, db: Any, cms: Any) -> None:
    teacher, class_id = random_id(), random_id()
    cms.add_class(class_id, teacher)
    cms.drop_connections(1)

    answer = await register(client, settings, teacher, class_id=class_id)

    assert answer.status == 201, answer.body
    assert cms.request_count == 2
    assert await db.scalar("SELECT count(*) FROM batches") == 1


async def test_open_circuit_answers_at_once_without_asking_cms(
    client: Any, settings: Any, db: Any, cms: Any
) -> None:
    teacher, class_id = random_id(), random_id()
    cms.add_class(class_id, teacher)
    cms.fail_with(503)
    for _ in range(settings.cms_breaker_fail_max):
        failed = await register(client, settings, teacher, class_id=class_id)
        assert failed.status == 503
    cms.healthy()
    asked = cms.request_count

    answer = await register(client, settings, teacher, class_id=class_id)

    assert (answer.status, answer.code) == (503, "SERVICE_UNAVAILABLE")
    assert int(answer.headers["Retry-After"]) > 1  # the circuit's remaining open time
    assert cms.request_count == asked
    assert await nothing_stored(db)


async def test_batch_without_class_never_asks_cms(
    client: Any, settings: Any, db: Any, cms: Any
) -> None:
    await cms.stop()

    answer = await register(client, settings, random_id(), class_id=None)

    assert answer.status == 201, answer.body
    assert answer.body["class_id"] is None
    assert cms.request_count == 0
    assert await db.scalar("SELECT count(*) FROM batches") == 1


@pytest.mark.parametrize("class_id", ["a\x00b", "\ud800", "../summary", "9A engelska"])
async def test_malformed_class_id_is_422_and_never_reaches_cms(
    client: Any, settings: Any, db: Any, cms: Any, class_id: str
) -> None:
    # A NUL is a CMS 500 that any teacher could repeat to open the breaker for everyone; dot
    # segments and spaces are no class id CMS ever issued.
    answer = await register(client, settings, random_id(), class_id=class_id)

    assert (answer.status, answer.code) == (422, "VALIDATION_ERROR")
    assert cms.request_count == 0
    assert await nothing_stored(db)
