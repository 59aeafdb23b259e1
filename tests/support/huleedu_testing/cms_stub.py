"""A real HTTP stand-in for the Class Management Service's class summary route.

It listens on a loopback port (FaultyStubServer) and answers
`GET /internal/v1/classes/{class_id}/summary` the way CMS does: 401 without the internal key
or without X-User-ID, 404 CLASS_NOT_FOUND for a class it does not know or another teacher's
(the same body), ClassV1 JSON otherwise. Tests make it fail (any status), slow (longer than
the caller's timeout), drop connections without answering, or go down and come back on the
same port, and read the requests that reached it.

    async with CmsStub(internal_api_key="k") as cms:
        cms.add_class(class_id, user_id, name="9A", course_code=CourseCode.SV1)
        ... BATCH_ORCHESTRATOR_SERVICE_CMS_URL=cms.url ...
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web

from common_core.class_api import ClassV1
from common_core.enums import CourseCode
from common_core.errors import ErrorCode
from huleedu_service_libs.correlation import (
    CORRELATION_ID_HEADER,
    USER_ID_HEADER,
    new_correlation_id,
)
from huleedu_testing.stub_server import FaultyStubServer

__all__ = ["CmsStub", "CmsStubRequest"]

SERVICE_NAME = "class_management_service"
CLASS_SUMMARY_ROUTE = "/internal/v1/classes/{class_id}/summary"


@dataclass(frozen=True)
class CmsStubRequest:
    """One class summary request that reached the stub."""

    class_id: str
    user_id: str | None
    correlation_id: str | None
    had_valid_key: bool


class CmsStub(FaultyStubServer[CmsStubRequest]):
    """CMS's class summary route; failures, slowness and outages come from FaultyStubServer."""

    def __init__(self, *, internal_api_key: str, port: int | None = None) -> None:
        super().__init__(SERVICE_NAME, internal_api_key=internal_api_key, port=port)
        self._classes: dict[str, tuple[str, ClassV1]] = {}

    def add_routes(self, app: web.Application) -> None:
        """The class summary route."""
        app.router.add_get(CLASS_SUMMARY_ROUTE, self._class_summary)

    def add_class(
        self,
        class_id: str,
        user_id: str,
        *,
        name: str = "9A",
        course_code: CourseCode = CourseCode.SV1,
        student_count: int = 0,
    ) -> ClassV1:
        """A class of `user_id` that the stub answers for (replacing any with that id)."""
        now = datetime.now(UTC)
        found = ClassV1(
            class_id=class_id,
            name=name,
            course_code=course_code,
            student_count=student_count,
            created_at=now,
            updated_at=now,
        )
        self._classes[class_id] = (user_id, found)
        return found

    async def _class_summary(self, request: web.Request) -> web.StreamResponse:
        received = CmsStubRequest(
            class_id=request.match_info["class_id"],
            user_id=request.headers.get(USER_ID_HEADER),
            correlation_id=request.headers.get(CORRELATION_ID_HEADER),
            had_valid_key=self.has_valid_key(request),
        )
        self._requests.append(received)
        fault = await self.injected_fault(request, received.correlation_id)
        if fault is not None:
            return fault
        cid = received.correlation_id or new_correlation_id()
        if not received.had_valid_key:
            return self.error_response(
                401, ErrorCode.UNAUTHORIZED, "Missing or invalid internal API key", cid
            )
        if not received.user_id:
            return self.error_response(401, ErrorCode.UNAUTHORIZED, "X-User-ID is required.", cid)
        owner, found = self._classes.get(received.class_id, (None, None))
        # Another teacher's class looks exactly like one that does not exist.
        if found is None or owner != received.user_id:
            return self.error_response(404, ErrorCode.CLASS_NOT_FOUND, "Class not found.", cid)
        return web.json_response(
            found.model_dump(mode="json"), headers={CORRELATION_ID_HEADER: cid}
        )
