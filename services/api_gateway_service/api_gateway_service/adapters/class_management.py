"""Typed calls of the Class Management Service's internal API (classes, students, authors)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel

from api_gateway_service.adapters.downstream import DownstreamClient
from api_gateway_service.adapters.errors import validated, validated_json
from api_gateway_service.adapters.services import json_of, path_segment
from api_gateway_service.domain.caller import Caller
from common_core.class_api import (
    AssociationsConfirmV1,
    BatchAssociationsV1,
    ClassCreateV1,
    ClassDetailV1,
    ClassListV1,
    ClassUpdateV1,
    ClassV1,
    CourseListV1,
    RosterImportResultV1,
    StudentCreateV1,
    StudentExportV1,
    StudentListV1,
    StudentUpdateV1,
    StudentV1,
)
from common_core.enums import EssayErasureMode

__all__ = ["ClassManagementClient"]

M = TypeVar("M", bound=BaseModel)
_BASE = "/internal/v1"


class ClassManagementClient:
    """Courses, classes, students, roster imports and essay authors on Class Management.

    Every answer is checked against the shared `class_api` model: a body that breaks the
    contract is the service's fault (502), never passed on to a teacher half-formed.
    """

    def __init__(self, http: DownstreamClient, *, roster_timeout_seconds: float) -> None:
        self.http = http
        self._roster_timeout = roster_timeout_seconds

    async def _read(
        self, model: type[M], path: str, caller: Caller, params: Mapping[str, str] | None = None
    ) -> M:
        response = await self.http.get(f"{_BASE}{path}", caller, params=params)
        return validated_json(model, response.body, self.http.name)

    async def _write(
        self, model: type[M], method: str, path: str, caller: Caller, body: BaseModel
    ) -> M:
        # exclude_unset: a PATCH changes only the fields the teacher actually sent.
        payload = body.model_dump(mode="json", exclude_unset=True)
        response = await self.http.send(method, f"{_BASE}{path}", caller, json_body=payload)
        return validated(model, json_of(self.http, response), self.http.name)

    async def _no_content(self, method: str, path: str, caller: Caller) -> None:
        await self.http.send(method, f"{_BASE}{path}", caller)

    async def courses(self, caller: Caller) -> CourseListV1:
        """GET /internal/v1/courses."""
        return await self._read(CourseListV1, "/courses", caller)

    async def list_classes(self, caller: Caller, *, limit: int, offset: int) -> ClassListV1:
        """GET /internal/v1/classes (the caller's own)."""
        params = {"limit": str(limit), "offset": str(offset)}
        return await self._read(ClassListV1, "/classes", caller, params)

    async def create_class(self, caller: Caller, body: ClassCreateV1) -> ClassV1:
        """POST /internal/v1/classes."""
        return await self._write(ClassV1, "POST", "/classes", caller, body)

    async def get_class(self, caller: Caller, class_id: str) -> ClassDetailV1:
        """GET /internal/v1/classes/{class_id} (with its roster)."""
        return await self._read(ClassDetailV1, f"/classes/{path_segment(class_id)}", caller)

    async def update_class(self, caller: Caller, class_id: str, body: ClassUpdateV1) -> ClassV1:
        """PATCH /internal/v1/classes/{class_id}."""
        path = f"/classes/{path_segment(class_id)}"
        return await self._write(ClassV1, "PATCH", path, caller, body)

    async def delete_class(self, caller: Caller, class_id: str) -> None:
        """DELETE /internal/v1/classes/{class_id}."""
        await self._no_content("DELETE", f"/classes/{path_segment(class_id)}", caller)

    async def enrol(self, caller: Caller, class_id: str, student_id: str) -> None:
        """PUT /internal/v1/classes/{class_id}/students/{student_id} (idempotent)."""
        path = f"/classes/{path_segment(class_id)}/students/{path_segment(student_id)}"
        await self._no_content("PUT", path, caller)

    async def unenrol(self, caller: Caller, class_id: str, student_id: str) -> None:
        """DELETE /internal/v1/classes/{class_id}/students/{student_id}."""
        path = f"/classes/{path_segment(class_id)}/students/{path_segment(student_id)}"
        await self._no_content("DELETE", path, caller)

    async def import_roster(
        self, caller: Caller, class_id: str, csv: bytes
    ) -> RosterImportResultV1:
        """POST /internal/v1/classes/{class_id}/roster with the CSV bytes as they came."""
        response = await self.http.send(
            "POST",
            f"{_BASE}/classes/{path_segment(class_id)}/roster",
            caller,
            content=csv,
            # No charset: the file may be UTF-8 or cp1252, and Class Management tells which.
            headers={"Content-Type": "text/csv"},
            timeout_seconds=self._roster_timeout,
        )
        return validated(RosterImportResultV1, json_of(self.http, response), self.http.name)

    async def list_students(
        self, caller: Caller, *, class_id: str | None, limit: int, offset: int
    ) -> StudentListV1:
        """GET /internal/v1/students[?class_id=]."""
        params = {"limit": str(limit), "offset": str(offset)}
        if class_id is not None:
            params["class_id"] = class_id
        return await self._read(StudentListV1, "/students", caller, params)

    async def create_student(self, caller: Caller, body: StudentCreateV1) -> StudentV1:
        """POST /internal/v1/students."""
        return await self._write(StudentV1, "POST", "/students", caller, body)

    async def get_student(self, caller: Caller, student_id: str) -> StudentV1:
        """GET /internal/v1/students/{student_id}."""
        return await self._read(StudentV1, f"/students/{path_segment(student_id)}", caller)

    async def update_student(
        self, caller: Caller, student_id: str, body: StudentUpdateV1
    ) -> StudentV1:
        """PATCH /internal/v1/students/{student_id}."""
        path = f"/students/{path_segment(student_id)}"
        return await self._write(StudentV1, "PATCH", path, caller, body)

    async def erase_student(
        self, caller: Caller, student_id: str, essays: EssayErasureMode
    ) -> None:
        """DELETE /internal/v1/students/{student_id}?essays=: erase everything about the
        student, their essays deleted or kept without them."""
        path = f"/students/{path_segment(student_id)}?essays={essays.value}"
        await self._no_content("DELETE", path, caller)

    async def export_student(self, caller: Caller, student_id: str) -> StudentExportV1:
        """GET /internal/v1/students/{student_id}/export."""
        path = f"/students/{path_segment(student_id)}/export"
        return await self._read(StudentExportV1, path, caller)

    async def associations(self, caller: Caller, batch_id: str) -> BatchAssociationsV1:
        """GET /internal/v1/batches/{batch_id}/associations."""
        path = f"/batches/{path_segment(batch_id)}/associations"
        return await self._read(BatchAssociationsV1, path, caller)

    async def confirm_associations(
        self, caller: Caller, batch_id: str, body: AssociationsConfirmV1
    ) -> BatchAssociationsV1:
        """POST /internal/v1/batches/{batch_id}/associations/confirm."""
        path = f"/batches/{path_segment(batch_id)}/associations/confirm"
        return await self._write(BatchAssociationsV1, "POST", path, caller, body)
