"""Odd but possible requests: NUL characters anywhere (422, nothing written) and long
correlation ids (the gateway forwards up to 128 characters; every audited route takes them)."""

from __future__ import annotations

import pytest

from huleedu_testing.class_management.roster_http import Db, TeacherApi

TABLES = ("classes", "students", "class_students", "student_audit_log", "event_outbox")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/internal/v1/classes", {"name": "9\u0000A", "course_code": "ENG5"}),
        ("POST", "/internal/v1/classes", {"name": "9A", "course_code": "ENG\u0000"}),
        ("GET", "/internal/v1/classes/abc%00def", None),
        ("GET", "/internal/v1/students/abc%00def", None),
        ("GET", "/internal/v1/students?class_id=a%00b", None),
        ("GET", "/internal/v1/batches/b%00/associations", None),
        (
            "POST",
            "/internal/v1/students",
            {"first_name": "A", "last_name": "B", "email": "a@x.se", "class_ids": ["c\u0000"]},
        ),
    ],
)
async def test_nul_characters_are_a_422_and_write_nothing(
    teacher: TeacherApi, db: Db, method: str, path: str, body: object
) -> None:
    before = await db.counts(*TABLES)

    answer = await teacher.call(method, path, json_body=body)

    assert (answer.status, answer.error_code) == (422, "VALIDATION_ERROR")
    assert answer.body["error"]["correlation_id"]
    assert await db.counts(*TABLES) == before


async def test_a_128_character_correlation_id_reaches_the_audit_log(
    teacher: TeacherApi, db: Db
) -> None:
    class_id = await teacher.create_class()
    correlation_id = "c" * 128

    answer = await teacher.call(
        "GET", f"/internal/v1/classes/{class_id}", correlation_id=correlation_id
    )

    assert answer.status == 200
    [row] = await db.rows("SELECT correlation_id FROM student_audit_log")
    assert row["correlation_id"] == correlation_id


@pytest.mark.parametrize("path", ["/internal/v1/classes", "/internal/v1/students"])
async def test_an_offset_beyond_postgresql_bigint_is_a_422(teacher: TeacherApi, path: str) -> None:
    # Found by schemathesis through the gateway: the database refused it with a 500.
    answer = await teacher.call("GET", f"{path}?offset=36893488147419103233")

    assert (answer.status, answer.error_code) == (422, "VALIDATION_ERROR")
