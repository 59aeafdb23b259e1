"""Courses, classes, enrolment and roster import (all answered by Class Management)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api_gateway_service.api.deps import Classes, CurrentCaller, Settings
from api_gateway_service.api.docs import error_responses
from api_gateway_service.api.params import MAX_OFFSET, ClassId, StudentId
from api_gateway_service.api.roster_body import (
    ROSTER_FIELD,
    csv_of_multipart,
    read_body,
    roster_body,
)
from api_gateway_service.api.routing import RouteTable
from api_gateway_service.rate_limit import RouteLimits
from common_core.class_api import (
    ClassCreateV1,
    ClassDetailV1,
    ClassListV1,
    ClassUpdateV1,
    ClassV1,
    CourseListV1,
    RosterImportResultV1,
)

__all__ = ["class_router"]

LIST_MAX_LIMIT = 200  # Class Management's own page-size cap

_ROSTER_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [ROSTER_FIELD],
                    "properties": {
                        ROSTER_FIELD: {
                            "type": "string",
                            "format": "binary",
                            "description": "The roster CSV (UTF-8 or cp1252).",
                        }
                    },
                }
            },
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


routes = RouteTable("/v1", ["classes"])


def _no_content() -> Response:
    return Response(status_code=204)


@routes.get(
    "/courses",
    limit="read",
    response_model=CourseListV1,
    responses=error_responses(401),
    summary="List the courses",
)
async def list_courses(request: Request, caller: CurrentCaller, classes: Classes) -> CourseListV1:
    """The courses a class can be for."""
    return await classes.courses(caller)


@routes.get(
    "/classes",
    limit="read",
    response_model=ClassListV1,
    responses=error_responses(401, 422),
    summary="List my classes",
)
async def list_classes(
    request: Request,
    caller: CurrentCaller,
    classes: Classes,
    limit: Annotated[int, Query(ge=1, le=LIST_MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ClassListV1:
    """The caller's classes by name."""
    return await classes.list_classes(caller, limit=limit, offset=offset)


@routes.post(
    "/classes",
    limit="write",
    status_code=201,
    response_model=ClassV1,
    responses=error_responses(400, 401, 409, 422),
    summary="Create a class",
)
async def create_class(
    request: Request, body: ClassCreateV1, caller: CurrentCaller, classes: Classes
) -> ClassV1:
    """A new class for one course (409 DUPLICATE_CLASS_NAME, 422 UNKNOWN_COURSE)."""
    return await classes.create_class(caller, body)


@routes.get(
    "/classes/{class_id}",
    limit="read",
    response_model=ClassDetailV1,
    responses=error_responses(401, 404, 422),
    summary="Read a class with its roster",
)
async def get_class(
    request: Request, class_id: ClassId, caller: CurrentCaller, classes: Classes
) -> ClassDetailV1:
    """One of the caller's classes and its students, sorted by last name."""
    return await classes.get_class(caller, class_id)


@routes.patch(
    "/classes/{class_id}",
    limit="write",
    response_model=ClassV1,
    responses=error_responses(400, 401, 404, 409, 422),
    summary="Rename a class or change its course",
)
async def update_class(
    request: Request,
    class_id: ClassId,
    body: ClassUpdateV1,
    caller: CurrentCaller,
    classes: Classes,
) -> ClassV1:
    """Change only the fields given."""
    return await classes.update_class(caller, class_id, body)


@routes.delete(
    "/classes/{class_id}",
    limit="write",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 404, 409, 422),
    summary="Delete a class",
)
async def delete_class(
    request: Request, class_id: ClassId, caller: CurrentCaller, classes: Classes
) -> Response:
    """Delete a class (its students stay); 409 while one of its batches awaits authors."""
    await classes.delete_class(caller, class_id)
    return _no_content()


@routes.put(
    "/classes/{class_id}/students/{student_id}",
    limit="write",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 404, 409, 422),
    summary="Enrol a student in a class",
)
async def enrol(
    request: Request,
    class_id: ClassId,
    student_id: StudentId,
    caller: CurrentCaller,
    classes: Classes,
) -> Response:
    """Put one of the caller's students in one of their classes (idempotent)."""
    await classes.enrol(caller, class_id, student_id)
    return _no_content()


@routes.delete(
    "/classes/{class_id}/students/{student_id}",
    limit="write",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 404, 409, 422),
    summary="Remove a student from a class",
)
async def unenrol(
    request: Request,
    class_id: ClassId,
    student_id: StudentId,
    caller: CurrentCaller,
    classes: Classes,
) -> Response:
    """Take a student out of a class; the student record stays."""
    await classes.unenrol(caller, class_id, student_id)
    return _no_content()


@routes.post(
    "/classes/{class_id}/roster",
    limit="upload",
    own_body=True,
    status_code=201,
    response_model=RosterImportResultV1,
    responses=error_responses(400, 401, 404, 408, 413, 415, 422),
    openapi_extra=_ROSTER_BODY,
    summary="Import a class roster from CSV",
)
async def import_roster(
    request: Request,
    class_id: ClassId,
    caller: CurrentCaller,
    classes: Classes,
    settings: Settings,
) -> RosterImportResultV1:
    """Add the CSV's students to the class: every row or none (422 lists each bad row)."""
    roster_max = settings.roster_max_bytes
    kind = roster_body(
        request.headers.get("content-type", ""),
        request.headers.get("content-length"),
        roster_max,
    )
    body = await read_body(request.stream(), roster_max, settings.upload_body_timeout_seconds)
    csv = body if kind.boundary is None else csv_of_multipart(body, kind.boundary)
    return await classes.import_roster(caller, class_id, csv)


def class_router(limits: RouteLimits) -> APIRouter:
    """Routes under /v1/courses and /v1/classes."""
    return routes.router(limits)
