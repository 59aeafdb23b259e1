"""The real worker on the registry topics: events in, suggestions and the timeout's
confirmation out through the outbox relay; redelivery changes nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import REGISTRY
from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine

from class_management_service.config import ClassManagementSettings
from class_management_service.domain.ports import UnitOfWorkFactory
from class_management_service.worker import CONSUMED_TOPICS, create_worker_app
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchAuthorMatchesSuggestedV1,
    EssayStudentAssociationUpdatedV1,
    StudentAssociationsConfirmedV1,
    StudentParsingCompletedV1,
    TeacherNotificationRequestedV1,
)
from common_core.topics import dlq_topic, topic_for
from huleedu_service_libs.crypto import KeyRing, generate_key
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_service_libs.kafka.headers import decode_headers
from huleedu_testing import random_id
from huleedu_testing.class_management.association_builders import (
    essay_id_for,
    parsed,
    ready,
    registered,
)
from huleedu_testing.class_management.association_harness import SettableClock, seed_class
from huleedu_testing.class_management.roster_http import Db
from huleedu_testing.kafka_helpers import (
    TopicProbe,
    batch_id_of,
    end_offsets,
    start_groups_at_end,
    wait_until,
)

PRODUCED = (
    BatchAuthorMatchesSuggestedV1,
    EssayStudentAssociationUpdatedV1,
    StudentAssociationsConfirmedV1,
    TeacherNotificationRequestedV1,
)
T0 = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def clock() -> SettableClock:
    """The worker's clock, moved by the test."""
    return SettableClock(T0)


@pytest.fixture
async def worker_app(
    matching_settings: ClassManagementSettings,
    matching_engine: AsyncEngine,
    clock: SettableClock,
    kafka_admin: AIOKafkaAdminClient,
    kafka_bootstrap: str,
) -> AsyncIterator[Quart]:
    """The worker (consumer, relay, monitor) on the test schema, reading only what comes next."""
    await start_groups_at_end(
        kafka_bootstrap,
        {matching_settings.kafka_consumer_group: CONSUMED_TOPICS},
        admin=kafka_admin,
    )
    app, _runtime = create_worker_app(matching_settings, matching_engine, clock=clock)
    async with app.test_app():
        yield app


async def _publish(producer: KafkaEventProducer, key: str, *envelopes: EventEnvelope[Any]) -> None:
    for envelope in envelopes:
        await producer.publish(envelope, key=key)


async def _handled(db: Db, *envelopes: EventEnvelope[Any]) -> bool:
    found = await db.rows(
        "SELECT count(*) AS n FROM processed_events WHERE event_id = ANY(:ids)",
        ids=[e.event_id for e in envelopes],
    )
    return bool(found[0]["n"] == len(envelopes))


def _counter(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_worker_suggests_then_confirms_by_timeout(
    worker_app: Quart,
    clock: SettableClock,
    uow_factory: UnitOfWorkFactory,
    matching_db: Db,
    kafka_producer: KafkaEventProducer,
    kafka_admin: AIOKafkaAdminClient,
    kafka_bootstrap: str,
) -> None:
    seeded = await seed_class(
        uow_factory,
        f"teacher-{random_id()}",
        [("Åsa", "Öberg", "asa.oberg@skolan.se"), ("Erik", "Johansson", "erik.j@skolan.se")],
        at=T0,
    )
    user, class_id = seeded.user_id, seeded.class_id
    batch_id = f"batch-{random_id()}"
    probe = TopicProbe(
        kafka_bootstrap,
        await end_offsets(kafka_bootstrap, [topic_for(m) for m in PRODUCED], admin=kafka_admin),
    )
    events = [
        registered(batch_id, user, class_id),
        parsed(
            batch_id,
            user,
            class_id,
            [
                ("up-1", None, "asa.oberg@skolan.se"),
                ("up-2", "Erik Johansson", None),
                ("up-3", None, None),
            ],
        ),
        ready(batch_id, user, ["up-1", "up-2", "up-3"]),
    ]
    kept_before = _counter("huleedu_cms_association_confirmations_total", method="timeout")

    # -- events in: rows and suggestions ------------------------------------------------------
    await _publish(kafka_producer, batch_id, *events)
    await wait_until(lambda: _handled(matching_db, *events), what="the batch's three events")

    def ours(record: Any) -> bool:
        return batch_id_of(record) == batch_id

    out = await probe.read_new(ours, expected=2)
    by_type = {decode_headers(r.headers)["event_type"]: r for r in out}
    assert set(by_type) == {"BatchAuthorMatchesSuggestedV1", "TeacherNotificationRequestedV1"}
    suggestions = json.loads(by_type["BatchAuthorMatchesSuggestedV1"].value)["data"]["suggestions"]
    assert [(s["essay_id"], s["student_id"]) for s in suggestions] == [
        (essay_id_for("up-1"), seeded.student_ids["asa.oberg@skolan.se"]),
        (essay_id_for("up-2"), seeded.student_ids["erik.j@skolan.se"]),
        (essay_id_for("up-3"), None),
    ]
    assert by_type["BatchAuthorMatchesSuggestedV1"].key.decode() == batch_id
    notice = json.loads(by_type["TeacherNotificationRequestedV1"].value)["data"]
    assert (notice["notification_type"], notice["action_required"]) == (
        "student_matching_required",
        True,
    )
    assert by_type["TeacherNotificationRequestedV1"].key.decode() == user

    # -- redelivery changes nothing (markers on the same keys come after the repeats) ---------
    tables = ("class_batches", "essay_student_associations", "event_outbox", "students")
    before = await matching_db.counts(*tables)
    rows_before = await matching_db.rows(
        "SELECT * FROM essay_student_associations WHERE batch_id = :b ORDER BY file_upload_id",
        b=batch_id,
    )
    elsewhere = f"batch-{random_id()}"
    markers = [
        registered(elsewhere, user, None),
        parsed(elsewhere, user, None, []),
        ready(elsewhere, user, []),
    ]
    await _publish(kafka_producer, batch_id, *events, *markers)
    await wait_until(lambda: _handled(matching_db, *markers), what="markers after the repeats")
    assert await matching_db.counts(*tables) == before
    assert (
        await matching_db.rows(
            "SELECT * FROM essay_student_associations WHERE batch_id = :b ORDER BY file_upload_id",
            b=batch_id,
        )
        == rows_before
    )

    # -- a day later the monitor confirms, keeping the strong suggestions ---------------------
    clock.now = T0 + timedelta(hours=24, seconds=1)
    confirmed = await probe.read_new(
        lambda r: (
            ours(r) and decode_headers(r.headers)["event_type"] == "StudentAssociationsConfirmedV1"
        ),
        expected=1,
    )
    assert len(confirmed) == 1
    data = json.loads(confirmed[0].value)["data"]
    assert data["confirmed_by_timeout"] is True
    assert sorted((a["essay_id"], a["method"]) for a in data["associations"]) == [
        (essay_id_for("up-1"), "timeout"),
        (essay_id_for("up-2"), "timeout"),
        (essay_id_for("up-3"), "unknown_student"),
    ]
    placeholders = await matching_db.rows(
        "SELECT count(*) AS n FROM students WHERE user_id = :u AND is_placeholder", u=user
    )
    assert placeholders[0]["n"] == 1
    assert (
        _counter("huleedu_cms_association_confirmations_total", method="timeout") == kept_before + 2
    )

    # -- the worker's own health and metrics ---------------------------------------------------
    client = worker_app.test_client()
    health = await client.get("/healthz")
    assert health.status_code == 200, await health.get_data(as_text=True)
    metrics = await (await client.get("/metrics")).get_data(as_text=True)
    assert "huleedu_cms_author_suggestions_total" in metrics


async def test_sealed_headers_are_opened_and_foreign_ones_dead_lettered(
    worker_app: Quart,
    matching_settings: ClassManagementSettings,
    uow_factory: UnitOfWorkFactory,
    matching_db: Db,
    kafka_producer: KafkaEventProducer,
    kafka_admin: AIOKafkaAdminClient,
    kafka_bootstrap: str,
) -> None:
    seeded = await seed_class(
        uow_factory, f"teacher-{random_id()}", [("Åsa", "Öberg", "asa.o@skolan.se")], at=T0
    )
    user, class_id = seeded.user_id, seeded.class_id
    batch_id = f"batch-{random_id()}"
    event_keys = KeyRing(matching_settings.event_pii_keys)
    dlq = dlq_topic(topic_for(StudentParsingCompletedV1))
    probe = TopicProbe(
        kafka_bootstrap, await end_offsets(kafka_bootstrap, [dlq], admin=kafka_admin)
    )
    good = parsed(
        batch_id,
        user,
        class_id,
        [("up-1", "Asa Oberg", None)],
        sealed_with=event_keys,
        filenames={"up-1": "Åsa Öberg.docx"},
    )
    foreign = parsed(
        batch_id, user, class_id, [("up-2", "Åsa Öberg", None)], sealed_with=KeyRing(generate_key())
    )
    # Other events carry a label in place of the file name.
    label = ready(batch_id, user, ["up-1"], filenames={"up-1": "essay-0a1b2c3d.docx"})

    await _publish(kafka_producer, batch_id, registered(batch_id, user, class_id), good, label)
    await _publish(kafka_producer, batch_id, foreign)
    await wait_until(lambda: _handled(matching_db, good, label), what="the sealed header")

    async with uow_factory() as uow:
        [row] = await uow.associations.list_for_batch(batch_id)
    assert (row.file_upload_id, row.parsed_name, row.filename) == (
        "up-1",
        "Asa Oberg",
        "Åsa Öberg.docx",
    )
    assert row.suggested_student_id == seeded.student_ids["asa.o@skolan.se"]
    [dead] = await probe.read_new(lambda r: batch_id_of(r) == batch_id, expected=1)
    assert "cannot be decrypted" in decode_headers(dead.headers)["dlq.error"]
