"""The associations API on the real app and database: read, confirm, ownership, refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from class_management_service.domain.ports import UnitOfWorkFactory
from common_core.class_api import BatchAssociationsV1
from huleedu_testing import random_id
from huleedu_testing.class_management.association_builders import (
    essay_id_for,
    parsed,
    ready,
    registered,
)
from huleedu_testing.class_management.association_harness import MatchingConsumer
from huleedu_testing.class_management.roster_http import Answer, Db, TeacherApi

if TYPE_CHECKING:  # a module-level name starting with "Test" would be collected by pytest
    from quart.typing import TestClientProtocol

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
E1, E2, E3 = (essay_id_for(u) for u in ("up-1", "up-2", "up-3"))


async def _class_with_students(teacher: TeacherApi) -> tuple[str, dict[str, str]]:
    class_id = await teacher.create_class(course_code="SV1")
    ids: dict[str, str] = {}
    for first, last, email in [
        ("Åsa", "Öberg", "asa.oberg@skolan.se"),
        ("Erik", "Johansson", "erik.johansson@skolan.se"),
        ("Björn", "Ström", "bjorn.strom@skolan.se"),
    ]:
        answer = await teacher.create_student(first, last, email, [class_id])
        assert answer.status == 201, answer.body
        ids[first] = answer.body["student_id"]
    return class_id, ids


async def _batch(
    uow_factory: UnitOfWorkFactory, teacher: TeacherApi, class_id: str, *, make_ready: bool = True
) -> str:
    batch_id = f"batch-{random_id()}"
    headers = [
        ("up-1", None, "asa.oberg@skolan.se"),
        ("up-2", "Erik Johansson", None),
        ("up-3", None, None),
    ]
    events = [
        registered(batch_id, teacher.user_id, class_id),
        parsed(batch_id, teacher.user_id, class_id, headers),
    ]
    if make_ready:
        events.append(ready(batch_id, teacher.user_id, ["up-1", "up-2", "up-3"]))
    await MatchingConsumer(uow_factory, lambda: T0).deliver(*events)
    return batch_id


def _path(batch_id: str, confirm: bool = False) -> str:
    return f"/internal/v1/batches/{batch_id}/associations" + ("/confirm" if confirm else "")


async def _confirm(teacher: TeacherApi, batch_id: str, body: dict[str, object]) -> Answer:
    return await teacher.call("POST", _path(batch_id, confirm=True), json_body=body)


async def test_the_teacher_reads_suggestions_and_the_read_is_audited(
    matching_client: TestClientProtocol, uow_factory: UnitOfWorkFactory, matching_db: Db
) -> None:
    teacher = TeacherApi(matching_client)
    class_id, ids = await _class_with_students(teacher)
    batch_id = await _batch(uow_factory, teacher, class_id)

    answer = await teacher.call("GET", _path(batch_id), correlation_id="corr-read-1")

    assert answer.status == 200, answer.body
    view = BatchAssociationsV1.model_validate(answer.body)
    assert (view.class_id, view.status) == (class_id, "pending_validation")
    rows = {a.essay_id: a for a in view.associations}
    assert (rows[E1].student_id, rows[E1].student_name, rows[E1].parsed_email) == (
        ids["Åsa"],
        "Åsa Öberg",
        "asa.oberg@skolan.se",
    )
    assert (rows[E2].student_id, rows[E2].parsed_name) == (ids["Erik"], "Erik Johansson")
    assert rows[E3].student_id is None
    audit = await matching_db.rows(
        "SELECT actor_user_id, student_ids, class_id FROM student_audit_log "
        "WHERE action = 'association.read' AND correlation_id = 'corr-read-1'"
    )
    assert audit == [
        {
            "actor_user_id": teacher.user_id,
            "student_ids": sorted([ids["Åsa"], ids["Erik"]]),
            "class_id": class_id,
        }
    ]


async def test_another_teachers_batch_is_a_404_like_an_unknown_one(
    matching_client: TestClientProtocol, uow_factory: UnitOfWorkFactory
) -> None:
    teacher, stranger = TeacherApi(matching_client), TeacherApi(matching_client)
    class_id, _ = await _class_with_students(teacher)
    batch_id = await _batch(uow_factory, teacher, class_id)
    body = {"confirmations": [], "accept_suggestions": True}

    foreign_read = await stranger.call("GET", _path(batch_id))
    foreign_confirm = await _confirm(stranger, batch_id, body)
    missing_confirm = await _confirm(teacher, "batch-nobody-has", body)

    for answer in (foreign_read, foreign_confirm, missing_confirm):
        assert (answer.status, answer.error_code) == (404, "BATCH_NOT_FOUND")

    def without_ids(answer: Answer) -> dict[str, object]:
        error = dict(answer.body["error"])
        error.pop("correlation_id")
        error["details"] = {k: v for k, v in error["details"].items() if k != "batch_id"}
        return error

    assert without_ids(foreign_confirm) == without_ids(missing_confirm)
    assert foreign_confirm.body["error"]["details"] == {"batch_id": batch_id}
    # The owner's batch is untouched.
    check = await teacher.call("GET", _path(batch_id))
    assert check.body["status"] == "pending_validation"


async def test_confirmation_confirms_the_batch_and_fills_the_outbox(
    matching_client: TestClientProtocol, uow_factory: UnitOfWorkFactory, matching_db: Db
) -> None:
    teacher = TeacherApi(matching_client)
    class_id, ids = await _class_with_students(teacher)
    batch_id = await _batch(uow_factory, teacher, class_id)

    answer = await _confirm(
        teacher,
        batch_id,
        {
            "confirmations": [{"essay_id": E3, "student_id": ids["Björn"]}],
            "accept_suggestions": True,
        },
    )

    assert answer.status == 200, answer.body
    view = BatchAssociationsV1.model_validate(answer.body)
    assert view.status == "confirmed"
    assert view.confirmed_at is not None
    assert {a.essay_id: (a.student_id, a.method.value) for a in view.associations} == {
        E1: (ids["Åsa"], "email_match"),
        E2: (ids["Erik"], "name_match"),
        E3: (ids["Björn"], "teacher"),
    }
    outbox = await matching_db.outbox()
    [confirmed] = [env for t, key, env in outbox if t == "StudentAssociationsConfirmedV1"]
    assert confirmed["data"]["batch_id"] == batch_id
    assert confirmed["data"]["confirmed_by_timeout"] is False
    assert sorted(a["essay_id"] for a in confirmed["data"]["associations"]) == [E1, E2, E3]
    assert [k for t, k, _ in outbox if t == "StudentAssociationsConfirmedV1"] == [batch_id]
    updated = [env for t, _, env in outbox if t == "EssayStudentAssociationUpdatedV1"]
    assert len(updated) == 3
    notices = [
        env["data"]["notification_type"]
        for t, _, env in outbox
        if t == "TeacherNotificationRequestedV1"
    ]
    assert "student_associations_confirmed" in notices
    audit = await matching_db.rows(
        "SELECT actor_user_id FROM student_audit_log WHERE action = 'association.confirm'"
    )
    assert audit == [{"actor_user_id": teacher.user_id}]

    again = await _confirm(teacher, batch_id, {"accept_suggestions": True})
    assert (again.status, again.error_code) == (409, "CONFLICT")


async def test_refusals_change_nothing(
    matching_client: TestClientProtocol, uow_factory: UnitOfWorkFactory, matching_db: Db
) -> None:
    teacher = TeacherApi(matching_client)
    class_id, ids = await _class_with_students(teacher)
    outsider = await teacher.create_student("Lone", "Wolf", "lone.wolf@skolan.se")
    batch_id = await _batch(uow_factory, teacher, class_id)
    waiting = await _batch(uow_factory, teacher, class_id, make_ready=False)
    before = await matching_db.counts("event_outbox", "student_audit_log")

    not_in_class = await _confirm(
        teacher,
        batch_id,
        {
            "confirmations": [{"essay_id": E3, "student_id": outsider.body["student_id"]}],
            "accept_suggestions": True,
        },
    )
    unknown_essay = await _confirm(
        teacher, batch_id, {"confirmations": [{"essay_id": "essay-x", "student_id": ids["Åsa"]}]}
    )
    too_early = await _confirm(teacher, waiting, {"accept_suggestions": True})
    malformed = await _confirm(teacher, batch_id, {"confirmations": "all of them"})
    no_user = await matching_client.post(
        _path(batch_id, confirm=True),
        json={"accept_suggestions": True},
        headers={"X-Internal-API-Key": "cms-it-internal-key"},
    )

    assert (not_in_class.status, not_in_class.error_code) == (422, "VALIDATION_ERROR")
    assert not_in_class.body["error"]["details"]["essay_id"] == E3
    assert (unknown_essay.status, unknown_essay.error_code) == (404, "ESSAY_NOT_FOUND")
    assert (too_early.status, too_early.error_code) == (409, "CONFLICT")
    assert (malformed.status, malformed.error_code) == (422, "VALIDATION_ERROR")
    assert no_user.status_code == 401
    assert await matching_db.counts("event_outbox", "student_audit_log") == before
    rows = await matching_db.rows(
        "SELECT count(*) AS n FROM essay_student_associations "
        "WHERE batch_id = :b AND status = 'pending_validation'",
        b=batch_id,
    )
    assert rows[0]["n"] == 3
