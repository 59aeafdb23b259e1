"""Students of the X-User-ID teacher: create, list, read, update, erase, export (audited)."""

from __future__ import annotations

from dishka import FromDishka
from quart import Blueprint, Response, request

from class_management_service.api.common import (
    EraseParams,
    StudentPageParams,
    actor,
    json_response,
    no_content,
    page_params,
)
from class_management_service.api.errors import domain_errors
from class_management_service.api.views import export_v1, student_v1
from class_management_service.config import ClassManagementSettings
from class_management_service.domain.roster.students import StudentService
from common_core.class_api import StudentCreateV1, StudentListV1, StudentUpdateV1

students_bp = Blueprint("students", __name__, url_prefix="/internal/v1/students")


@students_bp.post("")
@domain_errors
async def create_student(service: FromDishka[StudentService]) -> Response:
    """Create a student, optionally enrolled in the teacher's classes (201 StudentV1)."""
    who = actor()
    body = StudentCreateV1.model_validate(await request.get_json(silent=True))
    student = await service.create(
        who,
        first_name=body.first_name,
        last_name=body.last_name,
        email=body.email,
        class_ids=body.class_ids,
    )
    return json_response(student_v1(student), 201)


@students_bp.get("")
@domain_errors
async def list_students(
    service: FromDishka[StudentService], settings: FromDishka[ClassManagementSettings]
) -> Response:
    """The teacher's students, oldest first, placeholders excluded (StudentListV1)."""
    who = actor()
    params = page_params(StudentPageParams, settings.list_max_limit)
    found, total = await service.page(
        who, class_id=params.class_id, limit=params.limit, offset=params.offset
    )
    listed = StudentListV1(
        items=[student_v1(s) for s in found], total=total, limit=params.limit, offset=params.offset
    )
    return json_response(listed)


@students_bp.get("/<student_id>")
@domain_errors
async def get_student(student_id: str, service: FromDishka[StudentService]) -> Response:
    """One student (StudentV1)."""
    return json_response(student_v1(await service.get(actor(), student_id)))


@students_bp.patch("/<student_id>")
@domain_errors
async def update_student(student_id: str, service: FromDishka[StudentService]) -> Response:
    """Change the given names and/or email (StudentUpdateV1 -> StudentV1)."""
    who = actor()
    body = StudentUpdateV1.model_validate(await request.get_json(silent=True))
    student = await service.update(
        who, student_id, first_name=body.first_name, last_name=body.last_name, email=body.email
    )
    return json_response(student_v1(student))


@students_bp.delete("/<student_id>")
@domain_errors
async def erase_student(student_id: str, service: FromDishka[StudentService]) -> Response:
    """Erase the student and their personal data everywhere (204); `?essays=delete|keep`
    (default delete) says what happens to their essays; the audit trail keeps ids only."""
    who = actor()
    params = EraseParams.model_validate(request.args.to_dict())
    await service.erase(who, student_id, params.essays)
    return no_content()


@students_bp.get("/<student_id>/export")
@domain_errors
async def export_student(student_id: str, service: FromDishka[StudentService]) -> Response:
    """Everything stored about the student (StudentExportV1)."""
    return json_response(export_v1(await service.export(actor(), student_id)))
