"""CSV roster import over HTTP on PostgreSQL: all rows or none, one audit row, outbox events."""

from __future__ import annotations

from huleedu_testing.class_management.roster_http import Db, TeacherApi

FIRST = ["Åsa", "Erik", "Sara", "Johan", "Ali", "Elin", "Oskar", "Maja"]
LAST = ["Öberg", "Lind", "Berg", "Nyström"]
TABLES = ("students", "class_students", "student_audit_log", "event_outbox")


def roster_lines(count: int, tag: str) -> list[str]:
    """`count` semicolon rows with unique emails."""
    return [
        f"{FIRST[i % len(FIRST)]};{LAST[i // len(FIRST) % len(LAST)]};elev{i}.{tag}@skola.se"
        for i in range(count)
    ]


def as_csv(lines: list[str], header: str = "Förnamn;Efternamn;E-post") -> bytes:
    return ("\r\n".join([header, *lines]) + "\r\n").encode("utf-8")


async def test_three_bad_rows_of_32_are_all_reported_and_nothing_is_written(
    teacher: TeacherApi, db: Db
) -> None:
    class_id = await teacher.create_class()
    lines = roster_lines(32, "bad")
    lines[4] = "Erik;Lind;"  # row 5: no email
    lines[17] = ";Berg;sara.berg@skola.se"  # row 18: no first name
    lines[30] = lines[2]  # row 31: the same email as row 3
    before = await db.counts(*TABLES)

    answer = await teacher.import_roster(class_id, as_csv(lines))

    assert (answer.status, answer.error_code) == (422, "VALIDATION_ERROR")
    rows = answer.body["error"]["details"]["rows"]
    assert [(r["row"], r["field"]) for r in rows] == [
        (5, "email"),
        (18, "first_name"),
        (31, "email"),
    ]
    assert all(r["message"] for r in rows)
    assert await db.counts(*TABLES) == before


async def test_32_good_rows_make_32_students_one_audit_row_and_their_events(
    teacher: TeacherApi, db: Db
) -> None:
    class_id = await teacher.create_class()
    before = await db.counts(*TABLES)

    answer = await teacher.import_roster(class_id, as_csv(roster_lines(32, "ok")))

    assert answer.status == 201, answer.body
    assert (answer.body["created_count"], answer.body["existing_count"]) == (32, 0)
    assert answer.body["students"][0]["first_name"] == "Åsa"
    after = await db.counts(*TABLES)
    assert after["students"] - before["students"] == 32
    assert after["class_students"] - before["class_students"] == 32
    audit = await db.rows(
        "SELECT student_ids, class_id FROM student_audit_log WHERE action = 'class.roster_import'"
    )
    assert len(audit) == 1
    assert (audit[0]["class_id"], len(audit[0]["student_ids"])) == (class_id, 32)
    events = [(t, k) for t, k, _ in await db.outbox()]
    created = [k for t, k in events if t == "StudentCreatedV1"]
    assert sorted(str(k) for k in created) == sorted(
        s["student_id"] for s in answer.body["students"]
    )
    assert ("ClassUpdatedV1", class_id) in events
    assert ("TeacherNotificationRequestedV1", teacher.user_id) in events
    detail = await teacher.call("GET", f"/internal/v1/classes/{class_id}")
    assert detail.body["student_count"] == 32


async def test_known_emails_are_reused_not_duplicated(teacher: TeacherApi, db: Db) -> None:
    class_id = await teacher.create_class()
    known = await teacher.create_student("Åsa", "Öberg", "asa.oberg@skola.se")
    data = as_csv(["Asa;Oberg;ASA.OBERG@skola.se", "Nils;Holm;nils@skola.se"])

    answer = await teacher.import_roster(class_id, data)

    assert (answer.status, answer.body["created_count"], answer.body["existing_count"]) == (
        201,
        1,
        1,
    )
    reused = answer.body["students"][0]
    assert reused["student_id"] == known.body["student_id"]
    assert (reused["first_name"], reused["last_name"]) == ("Åsa", "Öberg")  # name kept
    assert reused["class_ids"] == [class_id]
    assert await db.count("students") == 2


async def test_excel_variants_are_accepted(teacher: TeacherApi) -> None:
    class_id = await teacher.create_class()
    cp1252 = "Namn;E-postadress\r\nÖberg, Åsa;asa@skola.se\r\n".encode("cp1252")
    answer = await teacher.import_roster(class_id, cp1252, "text/plain; charset=windows-1252")
    assert answer.status == 201, answer.body
    assert answer.body["students"][0]["first_name"] == "Åsa"
    tabbed = b"\xef\xbb\xbffirst name\tsurname\te-mail\nErik\tLind\terik@skola.se\n"
    answer = await teacher.import_roster(class_id, tabbed, "application/csv")
    assert (answer.status, answer.body["students"][0]["last_name"]) == (201, "Lind")


async def test_media_type_size_and_row_limits(teacher: TeacherApi, db: Db) -> None:
    class_id = await teacher.create_class()
    before = await db.counts(*TABLES)
    json_body = await teacher.import_roster(class_id, b'{"a": 1}', "application/json")
    assert (json_body.status, json_body.error_code) == (415, "UNSUPPORTED_MEDIA_TYPE")
    too_big = as_csv(roster_lines(30, "big")) + b"#" * 20_000  # settings: 20,000 bytes
    answer = await teacher.import_roster(class_id, too_big)
    assert (answer.status, answer.error_code) == (413, "PAYLOAD_TOO_LARGE")
    too_many = await teacher.import_roster(class_id, as_csv(roster_lines(41, "many")))  # max 40
    assert (too_many.status, too_many.body["error"]["details"]["max_rows"]) == (422, 40)
    no_header = await teacher.import_roster(class_id, b"Anna;Svensson;anna@x.se\n")
    assert no_header.body["error"]["details"]["missing_columns"] == ["email", "name"]
    assert await db.counts(*TABLES) == before
