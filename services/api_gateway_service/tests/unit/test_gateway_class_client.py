"""The Class Management client: internal paths, bodies, the CSV hand-off and contract checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from api_gateway_service.adapters.class_management import ClassManagementClient
from api_gateway_service.adapters.errors import DownstreamAnswer
from common_core.class_api import (
    AssociationConfirmationV1,
    AssociationsConfirmV1,
    ClassUpdateV1,
    ClassV1,
    StudentCreateV1,
)
from common_core.enums import CourseCode
from common_core.errors import ErrorCode
from huleedu_service_libs.errors import HuleEduError, build_error_body

from .test_gateway_downstream import CALLER, FakeSession, _client, _FakeResponse, _json

NOW = datetime(2025, 1, 1, tzinfo=UTC)
CLASS = ClassV1(
    class_id="c-1", name="9A", course_code=CourseCode.ENG5, created_at=NOW, updated_at=NOW
).model_dump(mode="json")
ROSTER = {"class_id": "c-1", "created_count": 0, "existing_count": 0, "students": []}


def _cms(session: FakeSession) -> ClassManagementClient:
    return ClassManagementClient(_client(session), roster_timeout_seconds=30.0)


def _sent_json(session: FakeSession) -> Any:
    return session.calls[-1]["json"]


async def test_update_sends_only_the_fields_given() -> None:
    session = FakeSession(_json(200, CLASS))

    updated = await _cms(session).update_class(CALLER, "c-1", ClassUpdateV1(name=" 9B "))

    assert updated.class_id == "c-1"
    call = session.calls[0]
    assert (call["method"], call["url"]) == (
        "PATCH",
        "http://files.internal/internal/v1/classes/c-1",
    )
    assert _sent_json(session) == {"name": "9B"}


async def test_create_and_confirm_send_their_bodies_as_json() -> None:
    student = {
        "student_id": "s-1",
        "first_name": "Åsa",
        "last_name": "Öberg",
        "email": "asa@skola.se",
        "created_at": NOW.isoformat(),
        "updated_at": NOW.isoformat(),
    }
    associations = {"batch_id": "b-1", "class_id": "c-1", "status": "confirmed", "associations": []}
    session = FakeSession(_json(201, student), _json(200, associations))
    cms = _cms(session)

    await cms.create_student(
        CALLER, StudentCreateV1(first_name="Åsa", last_name="Öberg", email="asa@skola.se")
    )
    first = _sent_json(session)
    confirm = AssociationsConfirmV1(
        confirmations=[AssociationConfirmationV1(essay_id="e-1", student_id="s-1")]
    )
    answer = await cms.confirm_associations(CALLER, "b-1", confirm)

    assert first == {"first_name": "Åsa", "last_name": "Öberg", "email": "asa@skola.se"}
    assert _sent_json(session) == {"confirmations": [{"essay_id": "e-1", "student_id": "s-1"}]}
    assert session.calls[-1]["url"].endswith("/internal/v1/batches/b-1/associations/confirm")
    assert answer.status == "confirmed"


async def test_roster_bytes_go_as_text_csv_with_their_own_timeout() -> None:
    session = FakeSession(_json(201, ROSTER))
    csv = "Namn;E-post\nÖberg, Åsa;asa@skola.se\n".encode("cp1252")

    await _cms(session).import_roster(CALLER, "c-1", csv)

    call = session.calls[0]
    assert call["data"] == csv
    assert "json" not in call
    assert call["headers"]["Content-Type"] == "text/csv"
    assert call["headers"]["X-User-ID"] == CALLER.user_id
    assert isinstance(call["timeout"], aiohttp.ClientTimeout)
    assert call["timeout"].total == 30.0


async def test_ids_are_one_encoded_path_segment_and_filters_are_query_params() -> None:
    listing = {"items": [], "total": 0, "limit": 5, "offset": 10}
    session = FakeSession(_FakeResponse(204, b"", {}), _json(200, listing))
    cms = _cms(session)

    await cms.enrol(CALLER, "c/../x", "s 1")
    await cms.list_students(CALLER, class_id="c-1", limit=5, offset=10)

    assert session.calls[0]["method"] == "PUT"
    assert session.calls[0]["url"].endswith("/internal/v1/classes/c%2F..%2Fx/students/s%201")
    assert session.calls[1]["params"] == {"limit": "5", "offset": "10", "class_id": "c-1"}


async def test_a_cms_404_is_passed_through() -> None:
    body = build_error_body(
        ErrorCode.CLASS_NOT_FOUND, "Class not found.", correlation_id="c", service="cms"
    )
    session = FakeSession(_json(404, body))

    with pytest.raises(DownstreamAnswer) as caught:
        await _cms(session).delete_class(CALLER, "c-1")

    assert (caught.value.status, caught.value.body) == (404, body)


async def test_an_answer_that_breaks_the_contract_is_502() -> None:
    session = FakeSession(_json(200, {"class_id": "c-1"}))

    with pytest.raises(HuleEduError) as caught:
        await _cms(session).get_class(CALLER, "c-1")

    assert caught.value.status_code == 502
    assert json.dumps(caught.value.details) == json.dumps(
        {"service": "file_service", "status": 200}
    )
