"""Another teacher's class or student answers exactly like an unknown id, on every route."""

from __future__ import annotations

import uuid

import pytest

from huleedu_testing.class_management.roster_http import INTERNAL_KEY, Answer, Db, TeacherApi

ROSTER_CSV = b"first_name,last_name,email\nAnna,Svensson,anna@x.se\n"


def same_error(answer: Answer, unknown: Answer) -> None:
    """Status, code, message and details equal (only the correlation id differs)."""
    assert answer.status == unknown.status == 404
    mine, other = dict(answer.body["error"]), dict(unknown.body["error"])
    mine.pop("correlation_id")
    other.pop("correlation_id")
    mine["details"] = {}
    other["details"] = {}
    assert mine == other


async def test_class_routes_hide_other_teachers_classes(
    teacher: TeacherApi, other_teacher: TeacherApi, db: Db
) -> None:
    class_id = await teacher.create_class("9A")
    theirs = await other_teacher.create_student("Bo", "Ek", "bo@x.se")
    student_id = theirs.body["student_id"]
    unknown = str(uuid.uuid4())
    audit_before = await db.count("student_audit_log")
    calls = [
        ("GET", "/internal/v1/classes/{}", None),
        ("GET", "/internal/v1/classes/{}/summary", None),
        ("PATCH", "/internal/v1/classes/{}", {"name": "stolen"}),
        ("DELETE", "/internal/v1/classes/{}", None),
        ("PUT", "/internal/v1/classes/{}/students/" + student_id, None),
        ("DELETE", "/internal/v1/classes/{}/students/" + student_id, None),
    ]
    for method, path, body in calls:
        answer = await other_teacher.call(method, path.format(class_id), json_body=body)
        missing = await other_teacher.call(method, path.format(unknown), json_body=body)
        assert answer.error_code == "CLASS_NOT_FOUND", (method, path)
        same_error(answer, missing)
        assert answer.body["error"]["details"] == {"class_id": class_id}

    imported = await other_teacher.import_roster(class_id, ROSTER_CSV)
    assert imported.error_code == "CLASS_NOT_FOUND"
    listed = await other_teacher.call("GET", f"/internal/v1/students?class_id={class_id}")
    assert listed.error_code == "CLASS_NOT_FOUND"
    # Still A's, unchanged, and no audit row was written for B's attempts.
    detail = await teacher.call("GET", f"/internal/v1/classes/{class_id}")
    assert (detail.status, detail.body["name"], detail.body["students"]) == (200, "9A", [])
    assert await db.count("student_audit_log") == audit_before + 1  # A's roster read only


async def test_student_routes_hide_other_teachers_students(
    teacher: TeacherApi, other_teacher: TeacherApi, db: Db
) -> None:
    created = await teacher.create_student("Åsa", "Öberg", "asa@x.se")
    student_id = created.body["student_id"]
    class_of_b = await other_teacher.create_class("9B")
    unknown = str(uuid.uuid4())
    calls = [
        ("GET", "/internal/v1/students/{}", None),
        ("PATCH", "/internal/v1/students/{}", {"first_name": "X"}),
        ("DELETE", "/internal/v1/students/{}", None),
        ("GET", "/internal/v1/students/{}/export", None),
        ("PUT", f"/internal/v1/classes/{class_of_b}/students/{{}}", None),
    ]
    for method, path, body in calls:
        answer = await other_teacher.call(method, path.format(student_id), json_body=body)
        missing = await other_teacher.call(method, path.format(unknown), json_body=body)
        assert answer.error_code == "STUDENT_NOT_FOUND", (method, path)
        same_error(answer, missing)

    enrol = await other_teacher.create_student("Bo", "Ek", "bo@x.se", [class_of_b])
    assert enrol.status == 201
    not_theirs = await other_teacher.create_student(
        "C", "D", "c@x.se", [class_of_b, str(uuid.uuid4())]
    )
    assert not_theirs.error_code == "CLASS_NOT_FOUND"
    listed = await other_teacher.call("GET", "/internal/v1/students")
    assert [s["email"] for s in listed.body["items"]] == ["bo@x.se"]
    still = await teacher.call("GET", f"/internal/v1/students/{student_id}")
    assert (still.status, still.body["first_name"]) == (200, "Åsa")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-User-ID": "t"},
        {"X-Internal-API-Key": "x", "X-User-ID": "t"},
        {"X-Internal-API-Key": INTERNAL_KEY},
    ],
)
async def test_gateway_headers_are_required(teacher: TeacherApi, headers: dict[str, str]) -> None:
    response = await teacher.client.get("/internal/v1/classes", headers=headers)
    assert response.status_code == 401
