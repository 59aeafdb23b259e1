"""Students: list, create, read, change, erase and export (all answered by Class Management)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api_gateway_service.api.class_routes import LIST_MAX_LIMIT
from api_gateway_service.api.deps import Classes, CurrentCaller
from api_gateway_service.api.docs import error_responses
from api_gateway_service.api.params import MAX_OFFSET, ClassIdFilter, StudentId
from api_gateway_service.api.routing import RouteTable
from api_gateway_service.rate_limit import RouteLimits
from common_core.class_api import (
    StudentCreateV1,
    StudentExportV1,
    StudentListV1,
    StudentUpdateV1,
    StudentV1,
)
from common_core.enums import EssayErasureMode

__all__ = ["student_router"]


routes = RouteTable("/v1/students", ["students"])


@routes.get(
    "",
    limit="read",
    response_model=StudentListV1,
    responses=error_responses(401, 404, 422),
    summary="List my students",
)
async def list_students(
    request: Request,
    caller: CurrentCaller,
    classes: Classes,
    class_id: ClassIdFilter = None,
    limit: Annotated[int, Query(ge=1, le=LIST_MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> StudentListV1:
    """The caller's students (of one class with class_id), sorted by last name."""
    return await classes.list_students(caller, class_id=class_id, limit=limit, offset=offset)


@routes.post(
    "",
    limit="write",
    status_code=201,
    response_model=StudentV1,
    responses=error_responses(400, 401, 404, 409, 422),
    summary="Add a student",
)
async def create_student(
    request: Request, body: StudentCreateV1, caller: CurrentCaller, classes: Classes
) -> StudentV1:
    """A new student, optionally in classes at once (409 DUPLICATE_STUDENT_EMAIL)."""
    return await classes.create_student(caller, body)


@routes.get(
    "/{student_id}",
    limit="read",
    response_model=StudentV1,
    responses=error_responses(401, 404, 422),
    summary="Read a student",
)
async def get_student(
    request: Request, student_id: StudentId, caller: CurrentCaller, classes: Classes
) -> StudentV1:
    """One of the caller's students."""
    return await classes.get_student(caller, student_id)


@routes.patch(
    "/{student_id}",
    limit="write",
    response_model=StudentV1,
    responses=error_responses(400, 401, 404, 409, 422),
    summary="Correct a student's name or email",
)
async def update_student(
    request: Request,
    student_id: StudentId,
    body: StudentUpdateV1,
    caller: CurrentCaller,
    classes: Classes,
) -> StudentV1:
    """Change only the fields given."""
    return await classes.update_student(caller, student_id, body)


@routes.delete(
    "/{student_id}",
    limit="write",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 404, 409, 422),
    summary="Erase a student",
)
async def erase_student(
    request: Request,
    student_id: StudentId,
    caller: CurrentCaller,
    classes: Classes,
    essays: Annotated[
        EssayErasureMode,
        Query(
            description=(
                "delete (default): the student's essays, texts and results are deleted "
                "everywhere; keep: they stay, without the student's name, email or "
                "file names"
            )
        ),
    ] = EssayErasureMode.DELETE,
) -> Response:
    """Erase the student's personal data everywhere (right to erasure); not undoable."""
    await classes.erase_student(caller, student_id, essays)
    return Response(status_code=204)


@routes.get(
    "/{student_id}/export",
    limit="read",
    response_model=StudentExportV1,
    responses=error_responses(401, 404, 422),
    summary="Export everything stored about a student",
)
async def export_student(
    request: Request, student_id: StudentId, caller: CurrentCaller, classes: Classes
) -> StudentExportV1:
    """The student, their classes, essay associations and audit trail (right of access)."""
    return await classes.export_student(caller, student_id)


def student_router(limits: RouteLimits) -> APIRouter:
    """Routes under /v1/students."""
    return routes.router(limits)
