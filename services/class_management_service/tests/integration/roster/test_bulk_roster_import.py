"""A 1,000-row roster import on PostgreSQL: every student, membership and event exactly once,
and a failure at any point of the transaction leaves nothing behind."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from class_management_service.app import create_app
from class_management_service.config import ClassManagementSettings
from class_management_service.di import make_cipher
from huleedu_testing.class_management.roster_http import Db, TeacherApi, schema_of
from huleedu_testing.class_management.roster_http import settings_for_schema as settings_of

ROWS = 1000
TABLES = ("students", "class_students", "student_audit_log", "event_outbox")


def roster(count: int, tag: str) -> tuple[bytes, list[str]]:
    """A semicolon CSV of `count` students with unique emails (some non-ASCII), the emails."""
    emails = [f"{'åsa' if i % 3 == 0 else 'erik'}.{i}.{tag}@skola.se" for i in range(count)]
    lines = ["Förnamn;Efternamn;E-post"]
    lines += [f"Elev{i};Öberg{i % 7};{email}" for i, email in enumerate(emails)]
    return ("\n".join(lines) + "\n").encode(), emails


@pytest.fixture
async def bulk_settings(cms_engine: AsyncEngine) -> ClassManagementSettings:
    """The production import limits (1,000 rows, 1 MB) on the test's schema."""
    return settings_of(await schema_of(cms_engine))


@pytest.fixture
async def bulk_teacher(
    bulk_settings: ClassManagementSettings, cms_engine: AsyncEngine
) -> AsyncIterator[TeacherApi]:
    """A teacher's client of an app with the default import limits."""
    app = create_app(bulk_settings, cms_engine)
    async with app.test_app() as test_app:
        yield TeacherApi(test_app.test_client())


async def test_1000_rows_land_every_student_membership_and_event_exactly_once(
    bulk_teacher: TeacherApi, db: Db
) -> None:
    class_id = await bulk_teacher.create_class()
    known = await bulk_teacher.create_student("Åsa", "Känd", "erik.1.big@skola.se")
    data, emails = roster(ROWS, "big")
    before = await db.counts(*TABLES)

    answer = await bulk_teacher.import_roster(class_id, data)

    assert answer.status == 201, answer.body
    assert (answer.body["created_count"], answer.body["existing_count"]) == (ROWS - 1, 1)
    students = answer.body["students"]
    assert [s["email"] for s in students] == emails  # file order
    assert students[1]["student_id"] == known.body["student_id"]
    assert students[1]["last_name"] == "Känd"  # a known student is reused as stored
    ids = {s["student_id"] for s in students}
    assert len(ids) == ROWS
    after = await db.counts(*TABLES)
    assert after["students"] - before["students"] == ROWS - 1
    members = await db.rows("SELECT student_id FROM class_students WHERE class_id = :c", c=class_id)
    assert sorted(r["student_id"] for r in members) == sorted(ids)
    outbox = await db.rows(
        "SELECT event_type, event_key, jsonb_typeof(headers) AS headers FROM event_outbox"
        " ORDER BY id"
    )
    new = outbox[before["event_outbox"] :]
    created = Counter(r["event_key"] for r in new if r["event_type"] == "StudentCreatedV1")
    moved = [r["event_key"] for r in new if r["event_type"] == "StudentUpdatedV1"]
    assert set(created) == ids - {known.body["student_id"]}
    assert set(created.values()) == {1}
    assert moved == [known.body["student_id"]]
    assert [r["event_type"] for r in new[-2:]] == [
        "ClassUpdatedV1",
        "TeacherNotificationRequestedV1",
    ]
    assert len(new) == ROWS + 2
    assert {r["headers"] for r in new} == {"object"}
    audit = await db.rows(
        "SELECT student_ids FROM student_audit_log WHERE action = 'class.roster_import'"
    )
    assert [sorted(a["student_ids"]) for a in audit] == [sorted(ids)]
    hashes = await db.rows("SELECT email_hash FROM students")
    cipher = make_cipher(settings_of("unused"))
    assert {cipher.email_hash(e) for e in emails} <= {r["email_hash"] for r in hashes}


@pytest.mark.parametrize(
    ("table", "condition"),
    [
        # The 700th new student, in the middle of the students statement.
        ("students", "NEW.email_hash = '{hash}'"),
        # A membership, after every student was inserted.
        ("class_students", "NEW.student_id = NEW.student_id"),
        # The class's roster event, among the import's last writes (the outbox).
        ("event_outbox", "NEW.event_type = 'ClassUpdatedV1'"),
    ],
)
async def test_a_failure_anywhere_in_the_import_leaves_nothing_behind(
    bulk_teacher: TeacherApi, db: Db, cms_engine: AsyncEngine, table: str, condition: str
) -> None:
    class_id = await bulk_teacher.create_class()
    data, emails = roster(ROWS, f"fail-{table}")
    cipher = make_cipher(settings_of("unused"))
    when = condition.format(hash=cipher.email_hash(emails[699]))
    async with cms_engine.begin() as conn:
        await conn.execute(
            text(
                "CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS"
                " $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
            )
        )
        await conn.execute(
            text(
                f"CREATE TRIGGER refuse BEFORE INSERT ON {table} FOR EACH ROW"
                f" WHEN ({when}) EXECUTE FUNCTION refuse_row()"
            )
        )
    before = await db.counts(*TABLES)

    answer = await bulk_teacher.import_roster(class_id, data)

    assert answer.status == 500, answer.body
    assert await db.counts(*TABLES) == before
    detail = await bulk_teacher.call("GET", f"/internal/v1/classes/{class_id}")
    assert (detail.status, detail.body["student_count"]) == (200, 0)


async def test_a_bad_last_row_of_1000_rejects_the_file_and_writes_nothing(
    bulk_teacher: TeacherApi, db: Db
) -> None:
    class_id = await bulk_teacher.create_class()
    data, emails = roster(ROWS, "bad")
    data = data.replace(emails[-1].encode(), b"not-an-email")
    before = await db.counts(*TABLES)

    answer = await bulk_teacher.import_roster(class_id, data)

    assert (answer.status, answer.error_code) == (422, "VALIDATION_ERROR")
    assert [(r["row"], r["field"]) for r in answer.body["error"]["details"]["rows"]] == [
        (ROWS, "email")
    ]
    assert await db.counts(*TABLES) == before
