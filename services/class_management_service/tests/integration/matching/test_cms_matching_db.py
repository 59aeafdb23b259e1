"""Matching steps and the timeout monitor on real PostgreSQL: order, redelivery, encryption,
SKIP LOCKED and the UNKNOWN student."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from class_management_service.config import ClassManagementSettings
from class_management_service.domain.associations.monitor import AssociationTimeoutMonitor
from class_management_service.domain.models import unknown_student_email
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
from huleedu_testing.class_management.roster_http import Db

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ROSTER = [
    ("Åsa", "Öberg", "asa.oberg@skolan.se"),
    ("Erik", "Johansson", "erik.johansson@skolan.se"),
    ("Björn", "Ström", "bjorn.strom@skolan.se"),
]
HEADERS = [
    ("up-1", "Åsa Öberg", "asa.oberg@skolan.se"),
    ("up-2", "Erik Johanson", None),
    ("up-3", "Sigrid Okänd", None),
]
UPLOADS = ["up-1", "up-2", "up-3"]
# Not the ciphertexts: Fernet tokens of one value differ on every write.
DECISION_COLUMNS = (
    "file_upload_id, essay_id, text_storage_id, suggested_student_id, student_id, "
    "confidence, method, status, extraction_confidence"
)
# What teachers name uploads: the student's name.
FILENAMES = {"up-1": "Åsa Öberg.docx", "up-2": "Erik Johanson uppsats.docx"}


async def _seed(uow_factory: UnitOfWorkFactory) -> SeededClass:
    return await seed_class(uow_factory, f"teacher-{random_id()}", ROSTER, at=T0)


async def _decisions(db: Db, batch_id: str) -> list[dict[str, Any]]:
    return await db.rows(
        f"SELECT {DECISION_COLUMNS} FROM essay_student_associations "
        "WHERE batch_id = :b ORDER BY file_upload_id",
        b=batch_id,
    )


def _monitor(
    uow_factory: UnitOfWorkFactory, settings: ClassManagementSettings, clock: SettableClock
) -> AssociationTimeoutMonitor:
    return AssociationTimeoutMonitor(
        uow_factory,
        source_service=settings.service_name,
        timeout=timedelta(hours=settings.association_timeout_hours),
        keep_threshold=settings.association_keep_threshold,
        clock=clock,
    )


async def _ready_batch(uow_factory: UnitOfWorkFactory, seeded: SeededClass) -> str:
    batch_id = f"batch-{random_id()}"
    user = seeded.user_id
    await MatchingConsumer(uow_factory, lambda: T0).deliver(
        registered(batch_id, user, seeded.class_id),
        parsed(batch_id, user, seeded.class_id, HEADERS),
        ready(batch_id, user, UPLOADS, filenames=FILENAMES),
    )
    return batch_id


async def test_either_event_order_ends_in_the_same_rows(
    uow_factory: UnitOfWorkFactory, matching_db: Db
) -> None:
    seeded = await _seed(uow_factory)
    user, class_id = seeded.user_id, seeded.class_id
    consumer = MatchingConsumer(uow_factory, lambda: T0)
    in_order, reverse = f"batch-{random_id()}", f"batch-{random_id()}"
    await consumer.deliver(
        registered(in_order, user, class_id),
        parsed(in_order, user, class_id, HEADERS),
        ready(in_order, user, UPLOADS),
    )
    await consumer.deliver(
        registered(reverse, user, class_id),
        ready(reverse, user, UPLOADS),
        parsed(reverse, user, class_id, HEADERS),
    )
    first, second = await _decisions(matching_db, in_order), await _decisions(matching_db, reverse)
    assert first == second
    assert [r["suggested_student_id"] for r in first] == [
        seeded.student_ids["asa.oberg@skolan.se"],
        seeded.student_ids["erik.johansson@skolan.se"],
        None,
    ]
    assert [r["essay_id"] for r in first] == [essay_id_for(u) for u in UPLOADS]
    outbox = [(t, k) for t, k, _ in await matching_db.outbox()]
    # In order: suggestions + notification; reversed: the same plus the late suggestions.
    assert outbox.count(("BatchAuthorMatchesSuggestedV1", in_order)) == 1
    assert outbox.count(("BatchAuthorMatchesSuggestedV1", reverse)) == 2
    assert outbox.count(("TeacherNotificationRequestedV1", user)) == 2


async def test_redelivery_changes_nothing(uow_factory: UnitOfWorkFactory, matching_db: Db) -> None:
    seeded = await _seed(uow_factory)
    batch_id = f"batch-{random_id()}"
    user, class_id = seeded.user_id, seeded.class_id
    events = [
        registered(batch_id, user, class_id),
        parsed(batch_id, user, class_id, HEADERS),
        ready(batch_id, user, UPLOADS),
    ]
    consumer = MatchingConsumer(uow_factory, lambda: T0)
    await consumer.deliver(*events)
    tables = ("class_batches", "essay_student_associations", "event_outbox", "processed_events")
    before = (await matching_db.counts(*tables), await _decisions(matching_db, batch_id))
    later = MatchingConsumer(uow_factory, lambda: T0 + timedelta(hours=1))
    await later.deliver(*events, *reversed(events))
    assert (await matching_db.counts(*tables), await _decisions(matching_db, batch_id)) == before
    [batch] = await matching_db.rows(
        "SELECT suggested_at FROM class_batches WHERE batch_id = :b", b=batch_id
    )
    assert batch["suggested_at"] == T0


async def test_association_rows_hold_no_plaintext_pii(
    uow_factory: UnitOfWorkFactory, matching_db: Db
) -> None:
    seeded = await _seed(uow_factory)
    batch_id = await _ready_batch(uow_factory, seeded)
    stored = await matching_db.raw_values("essay_student_associations")
    assert stored
    secrets = ("Åsa", "Öberg", "asa.oberg", "Johanson", "uppsats", "Sigrid", "Okänd", "skolan.se")
    for secret in secrets:
        needle = secret.encode("utf-8")
        assert not any(needle in value for value in stored), secret
    [row] = await matching_db.rows(
        "SELECT parsed_name_ciphertext, filename_ciphertext FROM essay_student_associations "
        "WHERE file_upload_id = 'up-1'"
    )
    assert bytes(row["parsed_name_ciphertext"]).startswith(b"gAAAAA")  # a Fernet token
    assert bytes(row["filename_ciphertext"]).startswith(b"gAAAAA")
    async with uow_factory() as uow:  # decrypted on read
        rows = await uow.associations.list_for_batch(batch_id)
    assert [r.filename for r in rows] == [*FILENAMES.values(), "up-3.docx"]


async def test_monitor_makes_one_unknown_student_per_class_even_run_twice(
    uow_factory: UnitOfWorkFactory,
    matching_settings: ClassManagementSettings,
    matching_db: Db,
) -> None:
    seeded = await _seed(uow_factory)
    batches = [await _ready_batch(uow_factory, seeded) for _ in range(2)]
    clock = SettableClock(T0 + timedelta(hours=23))
    monitor = _monitor(uow_factory, matching_settings, clock)
    assert await monitor.check_once() == 0

    clock.now = T0 + timedelta(hours=24, minutes=1)
    assert await monitor.check_once() == 2
    assert await monitor.check_once() == 0

    placeholders = await matching_db.rows(
        "SELECT student_id FROM students WHERE user_id = :u AND is_placeholder", u=seeded.user_id
    )
    assert len(placeholders) == 1
    unknown_id = placeholders[0]["student_id"]
    for batch_id in batches:
        rows = await _decisions(matching_db, batch_id)
        assert [(r["method"], r["status"]) for r in rows] == [
            ("timeout", "confirmed"),
            ("timeout", "confirmed"),
            ("unknown_student", "confirmed"),
        ]
        assert rows[2]["student_id"] == unknown_id
    enrolled = await matching_db.rows(
        "SELECT 1 FROM class_students WHERE class_id = :c AND student_id = :s",
        c=seeded.class_id,
        s=unknown_id,
    )
    assert len(enrolled) == 1
    confirmed = [
        env for t, _, env in await matching_db.outbox() if t == "StudentAssociationsConfirmedV1"
    ]
    assert sorted(env["data"]["batch_id"] for env in confirmed) == sorted(batches)
    assert all(env["data"]["confirmed_by_timeout"] for env in confirmed)
    assert unknown_student_email(seeded.class_id).startswith("unknown.")


async def test_concurrent_monitors_confirm_a_batch_once(
    uow_factory: UnitOfWorkFactory,
    matching_settings: ClassManagementSettings,
    matching_db: Db,
) -> None:
    seeded = await _seed(uow_factory)
    batch_id = await _ready_batch(uow_factory, seeded)
    clock = SettableClock(T0 + timedelta(days=2))
    monitors = [_monitor(uow_factory, matching_settings, clock) for _ in range(3)]
    results = await asyncio.gather(*(m.check_once() for m in monitors))
    assert sum(results) == 1
    confirmed = [
        env
        for t, _, env in await matching_db.outbox()
        if t == "StudentAssociationsConfirmedV1" and env["data"]["batch_id"] == batch_id
    ]
    assert len(confirmed) == 1
    updates = [
        t for t, _, _ in await matching_db.outbox() if t == "EssayStudentAssociationUpdatedV1"
    ]
    assert len(updates) == 3
