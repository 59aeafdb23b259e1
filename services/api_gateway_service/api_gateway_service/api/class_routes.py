"""Courses, classes, enrolment and roster import (all answered by Class Management)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api_gateway_service.api.deps import CurrentCaller, Services
from api_gateway_service.api.docs import error_responses
from api_gateway_service.api.params import MAX_OFFSET, ClassId, StudentId
from api_gateway_service.api.roster_body import (
    ROSTER_FIELD,
    csv_of_multipart,
    read_body,
    roster_body,
)
from api_gateway_service.body_limit import limits_own_body
from api_gateway_service.config import GatewaySettings
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


def _no_content() -> Response:
    return Response(status_code=204)


def class_router(limits: RouteLimits, settings: GatewaySettings) -> APIRouter:
    """Routes under /v1/courses and /v1/classes."""
    router = APIRouter(prefix="/v1", tags=["classes"])
    roster_max = settings.roster_max_bytes

    @router.get(
        "/courses",
        response_model=CourseListV1,
        responses=error_responses(401),
        summary="List the courses",
    )
    @limits.read
    async def list_courses(
        request: Request, caller: CurrentCaller, services: Services
    ) -> CourseListV1:
        """The courses a class can be for."""
        return await services.classes.courses(caller)

    @router.get(
        "/classes",
        response_model=ClassListV1,
        responses=error_responses(401, 422),
        summary="List my classes",
    )
    @limits.read
    async def list_classes(
        request: Request,
        caller: CurrentCaller,
        services: Services,
        limit: Annotated[int, Query(ge=1, le=LIST_MAX_LIMIT)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> ClassListV1:
        """The caller's classes by name."""
        return await services.classes.list_classes(caller, limit=limit, offset=offset)

    @router.post(
        "/classes",
        status_code=201,
        response_model=ClassV1,
        responses=error_responses(400, 401, 409, 422),
        summary="Create a class",
    )
    @limits.write
    async def create_class(
        request: Request, body: ClassCreateV1, caller: CurrentCaller, services: Services
    ) -> ClassV1:
        """A new class for one course (409 DUPLICATE_CLASS_NAME, 422 UNKNOWN_COURSE)."""
        return await services.classes.create_class(caller, body)

    @router.get(
        "/classes/{class_id}",
        response_model=ClassDetailV1,
        responses=error_responses(401, 404, 422),
        summary="Read a class with its roster",
    )
    @limits.read
    async def get_class(
        request: Request, class_id: ClassId, caller: CurrentCaller, services: Services
    ) -> ClassDetailV1:
        """One of the caller's classes and its students, sorted by last name."""
        return await services.classes.get_class(caller, class_id)

    @router.patch(
        "/classes/{class_id}",
        response_model=ClassV1,
        responses=error_responses(400, 401, 404, 409, 422),
        summary="Rename a class or change its course",
    )
    @limits.write
    async def update_class(
        request: Request,
        class_id: ClassId,
        body: ClassUpdateV1,
        caller: CurrentCaller,
        services: Services,
    ) -> ClassV1:
        """Change only the fields given."""
        return await services.classes.update_class(caller, class_id, body)

    @router.delete(
        "/classes/{class_id}",
        status_code=204,
        response_class=Response,
        responses=error_responses(401, 404, 409, 422),
        summary="Delete a class",
    )
    @limits.write
    async def delete_class(
        request: Request, class_id: ClassId, caller: CurrentCaller, services: Services
    ) -> Response:
        """Delete a class (its students stay); 409 while one of its batches awaits authors."""
        await services.classes.delete_class(caller, class_id)
        return _no_content()

    @router.put(
        "/classes/{class_id}/students/{student_id}",
        status_code=204,
        response_class=Response,
        responses=error_responses(401, 404, 409, 422),
        summary="Enrol a student in a class",
    )
    @limits.write
    async def enrol(
        request: Request,
        class_id: ClassId,
        student_id: StudentId,
        caller: CurrentCaller,
        services: Services,
    ) -> Response:
        """Put one of the caller's students in one of their classes (idempotent)."""
        await services.classes.enrol(caller, class_id, student_id)
        return _no_content()

    @router.delete(
        "/classes/{class_id}/students/{student_id}",
        status_code=204,
        response_class=Response,
        responses=error_responses(401, 404, 409, 422),
        summary="Remove a student from a class",
    )
    @limits.write
    async def unenrol(
        request: Request,
        class_id: ClassId,
        student_id: StudentId,
        caller: CurrentCaller,
        services: Services,
    ) -> Response:
        """Take a student out of a class; the student record stays."""
        await services.classes.unenrol(caller, class_id, student_id)
        return _no_content()

    @router.post(
        "/classes/{class_id}/roster",
        status_code=201,
        response_model=RosterImportResultV1,
        responses=error_responses(400, 401, 404, 408, 413, 415, 422),
        openapi_extra=_ROSTER_BODY,
        summary="Import a class roster from CSV",
    )
    @limits_own_body
    @limits.upload
    async def import_roster(
        request: Request, class_id: ClassId, caller: CurrentCaller, services: Services
    ) -> RosterImportResultV1:
        """Add the CSV's students to the class: every row or none (422 lists each bad row)."""
        kind = roster_body(
            request.headers.get("content-type", ""),
            request.headers.get("content-length"),
            roster_max,
        )
        body = await read_body(request.stream(), roster_max, settings.upload_body_timeout_seconds)
        csv = body if kind.boundary is None else csv_of_multipart(body, kind.boundary)
        return await services.classes.import_roster(caller, class_id, csv)

    return router
