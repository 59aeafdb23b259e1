"""On real PostgreSQL: readiness before registration, batches whose class is gone (consumer
and monitor), and the matching's own audit row."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from class_management_service.config import ClassManagementSettings
from class_management_service.domain.associations.events import CLASS_MISSING, MATCHING_REQUIRED
from class_management_service.domain.associations.monitor import AssociationTimeoutMonitor
from class_management_service.domain.associations.steps import SUGGEST_ACTION, SUGGEST_ACTOR
from class_management_service.domain.ports import UnitOfWorkFactory
from huleedu_testing import random_id
from huleedu_testing.class_management.association_builders import (
    essay_id_for,
    parsed,
    ready,
    registered,
)
from huleedu_testing.class_management.association_harness import (
    MatchingConsumer,
    SeededClass,
    SettableClock,
    seed_class,
)
from huleedu_testing.class_management.roster_http import Db, TeacherApi

if TYPE_CHECKING:  # imported at run time, pytest would try to collect it as a test class
    from quart.typing import TestClientProtocol

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ROSTER = [
    ("Åsa", "Öberg", "asa.oberg@skolan.se"),
    ("Erik", "Johansson", "erik.johansson@skolan.se"),
]
HEADERS = [("up-1", "Åsa Öberg", None), ("up-2", None, "erik.johansson@skolan.se")]
UPLOADS = ["up-1", "up-2"]


async def _seed(uow_factory: UnitOfWorkFactory) -> SeededClass:
    return await seed_class(uow_factory, f"teacher-{random_id()}", ROSTER, at=T0)


async def _batch(db: Db, batch_id: str) -> dict[str, Any]:
    [row] = await db.rows("SELECT * FROM class_batches WHERE batch_id = :b", b=batch_id)
    return row


async def _events(db: Db, batch_id: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (t, env["data"]) for t, _, env in await db.outbox() if env["data"]["batch_id"] == batch_id
    ]


async def test_readiness_before_registration_still_suggests_and_late_headers_follow(
    uow_factory: UnitOfWorkFactory, matching_db: Db
) -> None:
    seeded = await _seed(uow_factory)
    user, class_id = seeded.user_id, seeded.class_id
    batch_id = f"batch-{random_id()}"
    consumer = MatchingConsumer(uow_factory, lambda: T0)

    await consumer.deliver(ready(batch_id, user, UPLOADS, class_id=class_id))
    await consumer.deliver(registered(batch_id, user, class_id))
    await consumer.deliver(parsed(batch_id, user, class_id, HEADERS))

    batch = await _batch(matching_db, batch_id)
    assert (batch["class_id"], batch["user_id"], batch["status"]) == (
        class_id,
        user,
        "pending_validation",
    )
    rows = await matching_db.rows(
        "SELECT essay_id, suggested_student_id FROM essay_student_associations "
        "WHERE batch_id = :b ORDER BY essay_id",
        b=batch_id,
    )
    assert rows == [
        {
            "essay_id": essay_id_for("up-1"),
            "suggested_student_id": seeded.student_ids[ROSTER[0][2]],
        },
        {
            "essay_id": essay_id_for("up-2"),
            "suggested_student_id": seeded.student_ids[ROSTER[1][2]],
        },
    ]
    events = await _events(matching_db, batch_id)
    suggested = [data for t, data in events if t == "BatchAuthorMatchesSuggestedV1"]
    assert [[s["student_id"] for s in e["suggestions"]] for e in suggested] == [
        [None, None],  # at readiness: no header yet
        [seeded.student_ids[ROSTER[0][2]], seeded.student_ids[ROSTER[1][2]]],  # the late ones
    ]
    notices = [data["notification_type"] for t, data in events if t.startswith("Teacher")]
    assert notices == [MATCHING_REQUIRED]


async def test_a_batch_of_a_deleted_class_is_confirmed_without_authors_when_ready(
    uow_factory: UnitOfWorkFactory, matching_db: Db
) -> None:
    user, gone = f"teacher-{random_id()}", str(uuid.uuid4())
    batch_id = f"batch-{random_id()}"
    consumer = MatchingConsumer(uow_factory, lambda: T0)

    await consumer.deliver(registered(batch_id, user, gone))
    assert (await _batch(matching_db, batch_id))["status"] == "class_missing"
    await consumer.deliver(parsed(batch_id, user, gone, HEADERS), ready(batch_id, user, UPLOADS))

    batch = await _batch(matching_db, batch_id)
    assert (batch["status"], batch["confirmed_at"]) == ("confirmed", T0)
    assert await matching_db.count("essay_student_associations") == 0
    events = await _events(matching_db, batch_id)
    assert [t for t, _ in events] == [
        "StudentAssociationsConfirmedV1",
        "TeacherNotificationRequestedV1",
    ]
    assert events[0][1]["associations"] == []
    assert (events[1][1]["notification_type"], events[1][1]["user_id"]) == (CLASS_MISSING, user)


async def test_a_batch_naming_another_teachers_class_never_holds_that_class(
    uow_factory: UnitOfWorkFactory, matching_client: TestClientProtocol, matching_db: Db
) -> None:
    owner = TeacherApi(matching_client)
    class_id = await owner.create_class()
    batch_id = f"batch-{random_id()}"
    await MatchingConsumer(uow_factory, lambda: T0).deliver(
        registered(batch_id, f"teacher-{random_id()}", class_id)
    )
    assert (await _batch(matching_db, batch_id))["status"] == "class_missing"

    deleted = await owner.call("DELETE", f"/internal/v1/classes/{class_id}")

    assert deleted.status == 204


async def test_the_monitor_confirms_a_batch_whose_class_vanished_instead_of_failing(
    uow_factory: UnitOfWorkFactory,
    matching_settings: ClassManagementSettings,
    matching_db: Db,
) -> None:
    seeded = await _seed(uow_factory)
    batch_id = f"batch-{random_id()}"
    user, class_id = seeded.user_id, seeded.class_id
    await MatchingConsumer(uow_factory, lambda: T0).deliver(
        registered(batch_id, user, class_id),
        parsed(batch_id, user, class_id, [("up-1", "Sigrid Okänd", None)]),
        ready(batch_id, user, ["up-1"]),
    )
    # Gone the way the race with the delete's pending-batch check leaves it.
    async with matching_db.engine.begin() as conn:
        await conn.exec_driver_sql("DELETE FROM classes WHERE class_id = $1", (class_id,))
    monitor = AssociationTimeoutMonitor(
        uow_factory,
        source_service=matching_settings.service_name,
        timeout=timedelta(hours=24),
        keep_threshold=0.7,
        clock=SettableClock(T0 + timedelta(days=2)),
    )

    assert await monitor.check_once() == 1
    assert await monitor.check_once() == 0

    batch = await _batch(matching_db, batch_id)
    assert (batch["status"], batch["confirmed_by_timeout"]) == ("confirmed", True)
    assert await matching_db.rows("SELECT 1 FROM students WHERE is_placeholder") == []
    confirmed = [d for t, d in await _events(matching_db, batch_id) if t.startswith("StudentAss")]
    assert [c["associations"] for c in confirmed] == [[]]


async def test_matching_headers_is_audited_with_the_students_read(
    uow_factory: UnitOfWorkFactory, matching_db: Db
) -> None:
    seeded = await _seed(uow_factory)
    batch_id = f"batch-{random_id()}"
    headers = parsed(batch_id, seeded.user_id, seeded.class_id, HEADERS)
    await MatchingConsumer(uow_factory, lambda: T0).deliver(
        registered(batch_id, seeded.user_id, seeded.class_id), headers
    )

    [row] = await matching_db.rows(
        "SELECT actor_user_id, action, student_ids, class_id, correlation_id "
        "FROM student_audit_log WHERE actor_user_id = :a",
        a=SUGGEST_ACTOR,
    )
    assert row == {
        "actor_user_id": "system:author-matching",
        "action": SUGGEST_ACTION,
        "student_ids": [seeded.student_ids[ROSTER[1][2]], seeded.student_ids[ROSTER[0][2]]],
        "class_id": seeded.class_id,
        "correlation_id": headers.correlation_id,
    }
