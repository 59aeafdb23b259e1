"""Classes of the X-User-ID teacher: CRUD, roster read, enrolment and CSV roster import."""

from __future__ import annotations

from dishka import FromDishka
from quart import Blueprint, Response, request

from class_management_service.api.common import (
    PageParams,
    actor,
    json_response,
    no_content,
    page_params,
)
from class_management_service.api.errors import domain_errors
from class_management_service.api.views import class_detail_v1, class_v1, roster_import_v1
from class_management_service.config import ClassManagementSettings
from class_management_service.domain.roster.classes import ClassService
from class_management_service.domain.roster.rosters import RosterReadService, RosterService
from common_core.class_api import ClassCreateV1, ClassListV1, ClassUpdateV1
from common_core.errors import ErrorCode
from huleedu_service_libs.errors import HuleEduError

classes_bp = Blueprint("classes", __name__, url_prefix="/internal/v1/classes")

ROSTER_MEDIA_TYPES = frozenset({"text/csv", "text/plain", "application/csv"})


@classes_bp.post("")
@domain_errors
async def create_class(service: FromDishka[ClassService]) -> Response:
    """Create a class (ClassCreateV1 -> 201 ClassV1)."""
    who = actor()
    body = ClassCreateV1.model_validate(await request.get_json(silent=True))
    created = await service.create(who, body.name, body.course_code)
    return json_response(class_v1(created), 201)


@classes_bp.get("")
@domain_errors
async def list_classes(
    service: FromDishka[ClassService], settings: FromDishka[ClassManagementSettings]
) -> Response:
    """The teacher's classes by name (ClassListV1, limit/offset)."""
    who = actor()
    params = page_params(PageParams, settings.list_max_limit)
    found, total = await service.page(who, limit=params.limit, offset=params.offset)
    listed = ClassListV1(
        items=[class_v1(c) for c in found], total=total, limit=params.limit, offset=params.offset
    )
    return json_response(listed)


@classes_bp.get("/<class_id>")
@domain_errors
async def get_class(class_id: str, service: FromDishka[RosterReadService]) -> Response:
    """The class with its roster (ClassDetailV1); audited as a roster read."""
    school_class, students = await service.detail(actor(), class_id)
    return json_response(class_detail_v1(school_class, students))


@classes_bp.get("/<class_id>/summary")
@domain_errors
async def class_summary(class_id: str, service: FromDishka[ClassService]) -> Response:
    """The class without students (ClassV1): no PII, not audited (BOS checks ownership)."""
    return json_response(class_v1(await service.summary(actor(), class_id)))


@classes_bp.patch("/<class_id>")
@domain_errors
async def update_class(class_id: str, service: FromDishka[ClassService]) -> Response:
    """Rename the class and/or change its course (ClassUpdateV1 -> ClassV1)."""
    who = actor()
    body = ClassUpdateV1.model_validate(await request.get_json(silent=True))
    updated = await service.update(who, class_id, name=body.name, course_code=body.course_code)
    return json_response(class_v1(updated))


@classes_bp.delete("/<class_id>")
@domain_errors
async def delete_class(class_id: str, service: FromDishka[ClassService]) -> Response:
    """Delete the class (409 CONFLICT while one of its batches awaits author confirmation)."""
    await service.delete(actor(), class_id)
    return no_content()


@classes_bp.put("/<class_id>/students/<student_id>")
@domain_errors
async def enrol_student(
    class_id: str, student_id: str, service: FromDishka[RosterService]
) -> Response:
    """Put the student in the class (idempotent, 204)."""
    await service.enrol(actor(), class_id, student_id)
    return no_content()


@classes_bp.delete("/<class_id>/students/<student_id>")
@domain_errors
async def unenrol_student(
    class_id: str, student_id: str, service: FromDishka[RosterService]
) -> Response:
    """Take the student out of the class (idempotent, 204)."""
    await service.unenrol(actor(), class_id, student_id)
    return no_content()


@classes_bp.post("/<class_id>/roster")
@domain_errors
async def import_roster(
    class_id: str,
    service: FromDishka[RosterService],
    settings: FromDishka[ClassManagementSettings],
) -> Response:
    """Import a CSV roster (text/csv body) -> 201 RosterImportResultV1; all rows or none."""
    who = actor()
    if request.mimetype not in ROSTER_MEDIA_TYPES:
        raise HuleEduError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            "Send the roster as text/csv.",
            details={"accepted": sorted(ROSTER_MEDIA_TYPES)},
        )
    limit = settings.roster_import_max_bytes
    too_large = HuleEduError(
        ErrorCode.PAYLOAD_TOO_LARGE,
        f"The roster file is larger than {limit} bytes.",
        details={"max_bytes": limit},
    )
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    # Quart stops reading a body (413) beyond the request's own limit: chunked uploads too.
    request.max_content_length = limit
    data = await request.get_data(cache=False, as_text=False, parse_form_data=False)
    if len(data) > limit:
        raise too_large
    result = await service.import_csv(who, class_id, data)
    return json_response(roster_import_v1(result), 201)
