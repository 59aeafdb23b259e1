"""The Class Management Service's internal contract, in memory, for the gateway's tests.

Classes, students and class batches have owners; like the real service, another teacher's
id answers exactly like an unknown one. Roster imports read the CSV just far enough to be
all-or-nothing: a data row without an email refuses the whole import with per-row errors.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from common_core.class_api import (
    ClassDetailV1,
    ClassListV1,
    ClassV1,
    CourseListV1,
    CourseV1,
    RosterImportResultV1,
    StudentV1,
)
from common_core.enums import CourseCode, language_for_course
from common_core.errors import ErrorCode
from huleedu_testing.gateway.stub_class_batches import ClassBatchRoutes, StubClassBatch
from huleedu_testing.gateway.stub_class_students import StudentRoutes
from huleedu_testing.gateway.stub_downstreams import NOW, ContractStub

_BASE = "/internal/v1"


@dataclass
class StubClass:
    """One class: its owner, name, course and enrolled students."""

    user_id: str
    name: str
    course_code: CourseCode = CourseCode.SV1
    student_ids: list[str] = field(default_factory=list)


@dataclass
class StubStudent:
    """One student of one teacher."""

    user_id: str
    first_name: str
    last_name: str
    email: str


class ClassManagementStub(ContractStub):
    """The /internal/v1 routes of Class Management on a free loopback port."""

    def __init__(self, service: str = "class_management_service") -> None:
        super().__init__(service)
        self.classes: dict[str, StubClass] = {}
        self.students: dict[str, StubStudent] = {}
        self._class_batch_routes = ClassBatchRoutes(self)
        # batch_id -> a class batch's suggested and confirmed essay authors
        self.class_batches: dict[str, StubClassBatch] = self._class_batch_routes.batches
        self.fail_with: int | None = None  # answer every request with this status
        # student_id -> the `essays` choice their erasure came with
        self.erased_with: dict[str, str] = {}

    def add_routes(self, app: web.Application) -> None:
        """Courses, classes, enrolment, roster, students and associations."""
        app.middlewares.append(self._failing)
        r = app.router
        r.add_get(f"{_BASE}/courses", self._courses)
        r.add_get(f"{_BASE}/classes", self._list_classes)
        r.add_post(f"{_BASE}/classes", self._create_class)
        r.add_get(f"{_BASE}/classes/{{class_id}}", self._get_class)
        r.add_patch(f"{_BASE}/classes/{{class_id}}", self._update_class)
        r.add_delete(f"{_BASE}/classes/{{class_id}}", self._delete_class)
        r.add_put(f"{_BASE}/classes/{{class_id}}/students/{{student_id}}", self._enrol)
        r.add_delete(f"{_BASE}/classes/{{class_id}}/students/{{student_id}}", self._unenrol)
        r.add_post(f"{_BASE}/classes/{{class_id}}/roster", self._roster)
        StudentRoutes(self).add_routes(app)
        self._class_batch_routes.add_routes(app)

    def add_class(self, user_id: str, name: str = "9A", **fields: Any) -> str:
        """A class owned by user_id; its id."""
        class_id = str(uuid.uuid4())
        self.classes[class_id] = StubClass(user_id, name, **fields)
        return class_id

    def add_student(self, user_id: str, first: str, last: str, email: str) -> str:
        """A student of user_id; their id."""
        student_id = str(uuid.uuid4())
        self.students[student_id] = StubStudent(user_id, first, last, email)
        return student_id

    @web.middleware
    async def _failing(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if self.fail_with is not None:
            await self.record(request)
            return web.Response(status=self.fail_with, text="<html>internal error</html>")
        response: web.StreamResponse = await handler(request)
        return response

    # --- views ---------------------------------------------------------------------------

    def student_view(self, student_id: str) -> StudentV1:
        """A student as Class Management shows them (classes included)."""
        s = self.students[student_id]
        class_ids = [cid for cid, c in self.classes.items() if student_id in c.student_ids]
        return StudentV1(
            student_id=student_id,
            first_name=s.first_name,
            last_name=s.last_name,
            email=s.email,
            class_ids=class_ids,
            created_at=NOW,
            updated_at=NOW,
        )

    def class_view(self, class_id: str) -> ClassV1:
        """A class without its roster."""
        c = self.classes[class_id]
        return ClassV1(
            class_id=class_id,
            name=c.name,
            course_code=c.course_code,
            student_count=len(c.student_ids),
            created_at=NOW,
            updated_at=NOW,
        )

    def _owned_class(self, request: web.Request, user_id: str) -> str | None:
        class_id = request.match_info["class_id"]
        found = self.classes.get(class_id)
        return class_id if found is not None and found.user_id == user_id else None

    def owned_student(self, request: web.Request, user_id: str) -> str | None:
        """The path's student_id if it is user_id's student."""
        student_id = request.match_info["student_id"]
        found = self.students.get(student_id)
        return student_id if found is not None and found.user_id == user_id else None

    def _no_class(self, request: web.Request) -> web.Response:
        return self.error(
            request,
            ErrorCode.CLASS_NOT_FOUND,
            "Class not found.",
            class_id=request.match_info["class_id"],
        )

    def no_student(self, request: web.Request) -> web.Response:
        """404 STUDENT_NOT_FOUND: unknown and foreign students alike."""
        return self.error(
            request,
            ErrorCode.STUDENT_NOT_FOUND,
            "Student not found.",
            student_id=request.match_info["student_id"],
        )

    @staticmethod
    def json(model: Any, status: int = 200) -> web.Response:
        """A contract model as the JSON answer."""
        return web.json_response(model.model_dump(mode="json"), status=status)

    # --- courses and classes ---------------------------------------------------------------

    async def _courses(self, request: web.Request) -> web.Response:
        await self.record(request)
        items = [
            CourseV1(
                course_code=code,
                name=code.value,
                language=language_for_course(code),
                level=int(code.value[-1]),
            )
            for code in CourseCode
        ]
        return self.json(CourseListV1(items=items))

    async def _list_classes(self, request: web.Request) -> web.Response:
        user_id = await self.record(request)
        limit, offset = int(request.query["limit"]), int(request.query["offset"])
        own = sorted(
            (cid for cid, c in self.classes.items() if c.user_id == user_id),
            key=lambda cid: self.classes[cid].name,
        )
        items = [self.class_view(cid) for cid in own[offset : offset + limit]]
        return self.json(ClassListV1(items=items, total=len(own), limit=limit, offset=offset))

    async def _create_class(self, request: web.Request) -> web.Response:
        user_id = await self.record(request)
        body = await request.json()
        if body["course_code"] not in CourseCode.__members__:
            return self.error(request, ErrorCode.UNKNOWN_COURSE, "Unknown course.")
        if any(c.user_id == user_id and c.name == body["name"] for c in self.classes.values()):
            return self.error(request, ErrorCode.DUPLICATE_CLASS_NAME, "Name already used.")
        class_id = self.add_class(
            user_id, body["name"], course_code=CourseCode(body["course_code"])
        )
        return self.json(self.class_view(class_id), status=201)

    async def _get_class(self, request: web.Request) -> web.Response:
        class_id = self._owned_class(request, await self.record(request))
        if class_id is None:
            return self._no_class(request)
        students = [self.student_view(sid) for sid in self.classes[class_id].student_ids]
        students.sort(key=lambda s: (s.last_name, s.first_name))
        view = ClassDetailV1(**self.class_view(class_id).model_dump(), students=students)
        return self.json(view)

    async def _update_class(self, request: web.Request) -> web.Response:
        class_id = self._owned_class(request, await self.record(request))
        if class_id is None:
            return self._no_class(request)
        body = await request.json()
        found = self.classes[class_id]
        found.name = body.get("name", found.name)
        found.course_code = CourseCode(body.get("course_code", found.course_code))
        return self.json(self.class_view(class_id))

    async def _delete_class(self, request: web.Request) -> web.Response:
        class_id = self._owned_class(request, await self.record(request))
        if class_id is None:
            return self._no_class(request)
        del self.classes[class_id]
        return web.Response(status=204)

    async def _enrol(self, request: web.Request) -> web.Response:
        user_id = await self.record(request)
        class_id = self._owned_class(request, user_id)
        student_id = self.owned_student(request, user_id)
        if class_id is None:
            return self._no_class(request)
        if student_id is None:
            return self.no_student(request)
        if student_id not in self.classes[class_id].student_ids:
            self.classes[class_id].student_ids.append(student_id)
        return web.Response(status=204)

    async def _unenrol(self, request: web.Request) -> web.Response:
        user_id = await self.record(request)
        class_id = self._owned_class(request, user_id)
        student_id = self.owned_student(request, user_id)
        if class_id is None:
            return self._no_class(request)
        if student_id is None:
            return self.no_student(request)
        if student_id in self.classes[class_id].student_ids:  # idempotent, like enrolment
            self.classes[class_id].student_ids.remove(student_id)
        return web.Response(status=204)

    async def _roster(self, request: web.Request) -> web.Response:
        user_id = await self.record(request)
        class_id = self._owned_class(request, user_id)
        if class_id is None:
            return self._no_class(request)
        if request.content_type != "text/csv":
            return self.error(request, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Send text/csv.")
        raw = self.seen[-1].body
        text = _decoded(raw)
        header = (text.splitlines() or [""])[0]
        delimiter = next((d for d in ";\t," if d in header), ",")
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
        rows = [{k.strip().lower(): (v or "").strip() for k, v in row.items()} for row in reader]
        errors = [
            {"row": n, "field": "email", "message": "The email is missing."}
            for n, row in enumerate(rows, start=1)
            if "@" not in row.get("email", row.get("e-post", ""))
        ]
        if errors:
            return self.error(
                request, ErrorCode.VALIDATION_ERROR, "The roster was refused.", rows=errors
            )
        created = []
        for row in rows:
            first = row.get("first_name", row.get("förnamn", ""))
            last = row.get("last_name", row.get("efternamn", ""))
            email = row.get("email", row.get("e-post", ""))
            student_id = self.add_student(user_id, first, last, email)
            self.classes[class_id].student_ids.append(student_id)
            created.append(self.student_view(student_id))
        result = RosterImportResultV1(
            class_id=class_id, created_count=len(created), existing_count=0, students=created
        )
        return self.json(result, status=201)


def _decoded(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252")
