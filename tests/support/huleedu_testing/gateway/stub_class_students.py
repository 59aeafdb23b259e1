"""Class Management's student routes for the gateway's tests (part of its contract stub)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from common_core.class_api import StudentExportV1, StudentListV1
from common_core.errors import ErrorCode
from huleedu_testing.gateway.stub_downstreams import NOW

if TYPE_CHECKING:
    from huleedu_testing.gateway.stub_class_management import ClassManagementStub

_BASE = "/internal/v1/students"


class StudentRoutes:
    """List, create, read, change, erase and export the stub's students."""

    def __init__(self, stub: ClassManagementStub) -> None:
        self._stub = stub

    def add_routes(self, app: web.Application) -> None:
        """Register the student routes on the stub's app."""
        r = app.router
        r.add_get(_BASE, self._list_students)
        r.add_post(_BASE, self._create_student)
        r.add_get(_BASE + "/{student_id}", self._get_student)
        r.add_patch(_BASE + "/{student_id}", self._update_student)
        r.add_delete(_BASE + "/{student_id}", self._erase_student)
        r.add_get(_BASE + "/{student_id}/export", self._export)

    async def _list_students(self, request: web.Request) -> web.Response:
        user_id = await self._stub.record(request)
        limit, offset = int(request.query["limit"]), int(request.query["offset"])
        own = [sid for sid, s in self._stub.students.items() if s.user_id == user_id]
        class_id = request.query.get("class_id")
        if class_id is not None:
            found = self._stub.classes.get(class_id)
            if found is None or found.user_id != user_id:
                return self._stub.error(request, ErrorCode.CLASS_NOT_FOUND, "Class not found.")
            own = [sid for sid in own if sid in found.student_ids]
        items = [self._stub.student_view(sid) for sid in own[offset : offset + limit]]
        listing = StudentListV1(items=items, total=len(own), limit=limit, offset=offset)
        return self._stub.json(listing)

    async def _create_student(self, request: web.Request) -> web.Response:
        user_id = await self._stub.record(request)
        body = await request.json()
        taken = {s.email for s in self._stub.students.values() if s.user_id == user_id}
        if body["email"] in taken:
            return self._stub.error(request, ErrorCode.DUPLICATE_STUDENT_EMAIL, "Email in use.")
        student_id = self._stub.add_student(
            user_id, body["first_name"], body["last_name"], body["email"]
        )
        for class_id in body.get("class_ids", []):
            found = self._stub.classes.get(class_id)
            if found is None or found.user_id != user_id:
                del self._stub.students[student_id]
                return self._stub.error(request, ErrorCode.CLASS_NOT_FOUND, "Class not found.")
            found.student_ids.append(student_id)
        return self._stub.json(self._stub.student_view(student_id), status=201)

    async def _get_student(self, request: web.Request) -> web.Response:
        student_id = self._stub.owned_student(request, await self._stub.record(request))
        if student_id is None:
            return self._stub.no_student(request)
        return self._stub.json(self._stub.student_view(student_id))

    async def _update_student(self, request: web.Request) -> web.Response:
        student_id = self._stub.owned_student(request, await self._stub.record(request))
        if student_id is None:
            return self._stub.no_student(request)
        found = self._stub.students[student_id]
        for name, value in (await request.json()).items():
            if value is not None:  # null means "unchanged", as in Class Management
                setattr(found, name, value)
        return self._stub.json(self._stub.student_view(student_id))

    async def _erase_student(self, request: web.Request) -> web.Response:
        student_id = self._stub.owned_student(request, await self._stub.record(request))
        if student_id is None:
            return self._stub.no_student(request)
        essays = request.query.get("essays", "delete")
        if essays not in ("delete", "keep"):
            return self._stub.error(request, ErrorCode.VALIDATION_ERROR, "Unknown essays choice.")
        self._stub.erased_with[student_id] = essays
        for c in self._stub.classes.values():
            if student_id in c.student_ids:
                c.student_ids.remove(student_id)
        del self._stub.students[student_id]
        return web.Response(status=204)

    async def _export(self, request: web.Request) -> web.Response:
        student_id = self._stub.owned_student(request, await self._stub.record(request))
        if student_id is None:
            return self._stub.no_student(request)
        student = self._stub.student_view(student_id)
        export = StudentExportV1(
            student=student,
            classes=[self._stub.class_view(cid) for cid in student.class_ids],
            associations=[],
            audit=[],
            exported_at=NOW,
        )
        return self._stub.json(export)
