"""Classes and students over HTTP on PostgreSQL: uniqueness, validation, audit, correlation."""

from __future__ import annotations

from huleedu_testing.class_management.roster_http import Db, TeacherApi


async def test_courses_are_seeded(teacher: TeacherApi) -> None:
    answer = await teacher.call("GET", "/internal/v1/courses")
    assert [c["course_code"] for c in answer.body["items"]] == [
        "ENG5",
        "ENG6",
        "ENG7",
        "SV1",
        "SV2",
        "SV3",
    ]
    assert answer.body["items"][3] == {
        "course_code": "SV1",
        "name": "Svenska 1",
        "language": "sv",
        "level": 1,
    }


async def test_class_names_are_unique_per_teacher_regardless_of_case(
    teacher: TeacherApi, other_teacher: TeacherApi
) -> None:
    await teacher.create_class("9A Engelska")
    again = await teacher.call(
        "POST", "/internal/v1/classes", json_body={"name": "9a ENGELSKA", "course_code": "SV1"}
    )
    assert (again.status, again.error_code) == (409, "DUPLICATE_CLASS_NAME")
    other_id = await teacher.create_class("9B")
    rename = await teacher.call(
        "PATCH", f"/internal/v1/classes/{other_id}", json_body={"name": "9A engelska"}
    )
    assert (rename.status, rename.error_code) == (409, "DUPLICATE_CLASS_NAME")
    assert (
        await other_teacher.call(
            "POST", "/internal/v1/classes", json_body={"name": "9A Engelska", "course_code": "SV1"}
        )
    ).status == 201
    listed = await teacher.call("GET", "/internal/v1/classes?limit=1&offset=1")
    assert ([c["name"] for c in listed.body["items"]], listed.body["total"]) == (["9B"], 2)


async def test_unknown_course_and_bad_bodies(teacher: TeacherApi) -> None:
    unknown = await teacher.call(
        "POST", "/internal/v1/classes", json_body={"name": "9A", "course_code": "ENG9"}
    )
    assert (unknown.status, unknown.error_code) == (422, "UNKNOWN_COURSE")
    class_id = await teacher.create_class("9A")
    change = await teacher.call(
        "PATCH", f"/internal/v1/classes/{class_id}", json_body={"course_code": "XX1"}
    )
    assert change.error_code == "UNKNOWN_COURSE"
    extra = await teacher.call(
        "POST", "/internal/v1/classes", json_body={"name": "9C", "course_code": "SV1", "x": 1}
    )
    assert (extra.status, extra.error_code) == (422, "VALIDATION_ERROR")
    bad_email = await teacher.create_student("Anna", "Svensson", "anna.svensson(at)x.se")
    assert bad_email.error_code == "VALIDATION_ERROR"
    assert bad_email.body["error"]["details"]["errors"][0]["loc"] == ["email"]
    too_many = await teacher.call("GET", "/internal/v1/students?limit=101")  # max 100
    assert too_many.body["error"]["details"]["errors"][0]["loc"] == ["limit"]
    negative = await teacher.call("GET", "/internal/v1/classes?offset=-1")
    assert negative.error_code == "VALIDATION_ERROR"
    not_json = await teacher.call(
        "POST", "/internal/v1/students", data=b"x", content_type="text/plain"
    )
    assert not_json.status == 422


async def test_student_emails_are_unique_per_teacher(
    teacher: TeacherApi, other_teacher: TeacherApi
) -> None:
    first = await teacher.create_student("Anna", "Svensson", "Anna.Svensson@Skola.se")
    assert (first.status, first.body["email"]) == (201, "anna.svensson@skola.se")
    again = await teacher.create_student("Annie", "S", " anna.svensson@skola.SE ")
    assert (again.status, again.error_code) == (409, "DUPLICATE_STUDENT_EMAIL")
    erik = await teacher.create_student("Erik", "Lind", "erik@skola.se")
    onto = await teacher.call(
        "PATCH",
        f"/internal/v1/students/{erik.body['student_id']}",
        json_body={"email": "ANNA.svensson@skola.se"},
    )
    assert (onto.status, onto.error_code) == (409, "DUPLICATE_STUDENT_EMAIL")
    assert (await other_teacher.create_student("A", "S", "anna.svensson@skola.se")).status == 201


async def test_roster_read_is_audited_with_the_correlation_id(teacher: TeacherApi, db: Db) -> None:
    class_id = await teacher.create_class("9A")
    for first, last, email in [("Zelda", "Åkesson", "z@x.se"), ("Bo", "Berg", "b@x.se")]:
        assert (await teacher.create_student(first, last, email, [class_id])).status == 201

    answer = await teacher.call(
        "GET", f"/internal/v1/classes/{class_id}", correlation_id="corr-roster-1"
    )

    assert [s["last_name"] for s in answer.body["students"]] == ["Berg", "Åkesson"]
    assert all(s["class_ids"] == [class_id] for s in answer.body["students"])
    [audit] = await db.rows(
        "SELECT actor_user_id, student_ids, class_id FROM student_audit_log "
        "WHERE correlation_id = 'corr-roster-1' AND action = 'class.roster_read'"
    )
    assert audit["actor_user_id"] == teacher.user_id
    assert sorted(audit["student_ids"]) == sorted(s["student_id"] for s in answer.body["students"])
    summary = await teacher.call(
        "GET", f"/internal/v1/classes/{class_id}/summary", correlation_id="corr-summary"
    )
    assert (summary.body["student_count"], "students" in summary.body) == (2, False)
    assert (
        await db.rows("SELECT 1 FROM student_audit_log WHERE correlation_id = 'corr-summary'") == []
    )


async def test_student_changes_carry_the_correlation_id_into_audit_and_events(
    teacher: TeacherApi, db: Db
) -> None:
    class_id = await teacher.create_class("9A")
    created = await teacher.create_student("Anna", "Svensson", "a@x.se")
    student_id = created.body["student_id"]
    enrol = await teacher.call(
        "PUT", f"/internal/v1/classes/{class_id}/students/{student_id}", correlation_id="corr-enrol"
    )
    assert enrol.status == 204
    update = await teacher.call(
        "PATCH",
        f"/internal/v1/students/{student_id}",
        json_body={"last_name": "Lind"},
        correlation_id="corr-update",
    )
    assert (update.body["last_name"], update.body["class_ids"]) == ("Lind", [class_id])
    actions = await db.rows(
        "SELECT action, correlation_id FROM student_audit_log ORDER BY audit_id"
    )
    assert [(a["action"], a["correlation_id"]) for a in actions][-2:] == [
        ("class.enrol", "corr-enrol"),
        ("student.update", "corr-update"),
    ]
    events = {(t, env["correlation_id"]) for t, _, env in await db.outbox()}
    assert {("StudentUpdatedV1", "corr-enrol"), ("ClassUpdatedV1", "corr-enrol")} <= events
    assert ("StudentUpdatedV1", "corr-update") in events
    listed = await teacher.call("GET", f"/internal/v1/students?class_id={class_id}")
    assert [s["student_id"] for s in listed.body["items"]] == [student_id]
    unenrol = await teacher.call("DELETE", f"/internal/v1/classes/{class_id}/students/{student_id}")
    assert unenrol.status == 204
    assert (await teacher.call("GET", f"/internal/v1/students/{student_id}")).body[
        "class_ids"
    ] == []
