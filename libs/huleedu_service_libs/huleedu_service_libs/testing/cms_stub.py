"""A real HTTP stand-in for the Class Management Service's class summary route.

It listens on a free loopback port (aiohttp.web) and answers
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

import asyncio
import contextlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType

from aiohttp import web

from common_core.class_api import ClassV1
from common_core.enums import CourseCode
from common_core.errors import ErrorCode
from huleedu_service_libs.correlation import (
    CORRELATION_ID_HEADER,
    INTERNAL_API_KEY_HEADER,
    USER_ID_HEADER,
    new_correlation_id,
)
from huleedu_service_libs.errors import build_error_body, dependency_unavailable
from huleedu_service_libs.testing.servers import LOOPBACK, free_port_below_ephemeral

__all__ = ["CmsStub", "CmsStubRequest"]

SERVICE_NAME = "class_management_service"
CLASS_SUMMARY_ROUTE = "/internal/v1/classes/{class_id}/summary"
# Handlers still waiting when the stub stops are released at once, so stopping stays fast.
_SHUTDOWN_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class CmsStubRequest:
    """One class summary request that reached the stub."""

    class_id: str
    user_id: str | None
    correlation_id: str | None
    had_valid_key: bool


class CmsStub:
    """CMS's class summary route with switches for failures, slowness and outages."""

    def __init__(self, *, internal_api_key: str, port: int | None = None) -> None:
        self._key = internal_api_key
        self.port = port or free_port_below_ephemeral()
        self._classes: dict[str, tuple[str, ClassV1]] = {}
        self._requests: list[CmsStubRequest] = []
        self._failure_status: int | None = None
        self._down_dependency: str | None = None
        self._drops_left = 0
        self._delay_seconds = 0.0
        self._released = asyncio.Event()
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Base URL to configure as the CMS URL."""
        return f"http://{LOOPBACK}:{self.port}"

    # -- classes ---------------------------------------------------------------------------

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

    # -- behaviour switches ----------------------------------------------------------------

    def fail_with(self, status: int = 500) -> None:
        """Answer every request with this status until healthy() is called."""
        self._failure_status = status

    def dependency_down(self, dependency: str = "postgres") -> None:
        """Answer as CMS does while its own dependency is down: 503 naming it, Retry-After 5."""
        self._down_dependency = dependency

    def drop_connections(self, count: int = 1) -> None:
        """Close the next `count` requests' connections without answering (a reset)."""
        self._drops_left = count

    def slow_down(self, delay_seconds: float) -> None:
        """Wait this long before answering each request (use more than the caller's timeout)."""
        self._delay_seconds = delay_seconds
        self._released.clear()

    def healthy(self) -> None:
        """Answer normally again; requests still waiting answer now."""
        self._failure_status = None
        self._down_dependency = None
        self._drops_left = 0
        self._delay_seconds = 0.0
        self._released.set()

    # -- requests seen ---------------------------------------------------------------------

    @property
    def requests(self) -> list[CmsStubRequest]:
        """The requests received (dropped ones included), oldest first."""
        return list(self._requests)

    @property
    def request_count(self) -> int:
        """How many requests reached the stub."""
        return len(self._requests)

    # -- listener --------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on the stub's port (the same port after stop(): the service 'comes back')."""
        if self._runner is not None:
            return
        app = web.Application()
        app.router.add_get(CLASS_SUMMARY_ROUTE, self._class_summary)
        runner = web.AppRunner(
            app,
            access_log=None,
            handler_cancellation=True,
            shutdown_timeout=_SHUTDOWN_TIMEOUT_SECONDS,
        )
        await runner.setup()
        site = web.TCPSite(runner, LOOPBACK, self.port, reuse_address=True)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._released.clear()
        self._runner = runner

    async def stop(self) -> None:
        """Stop listening and close open connections: callers see connection refused."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._released.set()
        await runner.cleanup()

    async def __aenter__(self) -> CmsStub:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- handler ---------------------------------------------------------------------------

    async def _class_summary(self, request: web.Request) -> web.StreamResponse:
        provided = request.headers.get(INTERNAL_API_KEY_HEADER, "")
        received = CmsStubRequest(
            class_id=request.match_info["class_id"],
            user_id=request.headers.get(USER_ID_HEADER),
            correlation_id=request.headers.get(CORRELATION_ID_HEADER),
            had_valid_key=hmac.compare_digest(provided.encode(), self._key.encode()),
        )
        self._requests.append(received)
        if self._drops_left > 0 and request.transport is not None:
            self._drops_left -= 1
            request.transport.abort()  # the client sees the server disconnect
            return web.Response(status=500)
        if self._delay_seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._released.wait(), timeout=self._delay_seconds)
        cid = received.correlation_id or new_correlation_id()
        if self._failure_status is not None:
            return _error(self._failure_status, ErrorCode.INTERNAL_ERROR, "Injected failure.", cid)
        if self._down_dependency is not None:
            body = dependency_unavailable(self._down_dependency, retry_after=5).to_body(
                correlation_id=cid, service=SERVICE_NAME
            )
            headers = {CORRELATION_ID_HEADER: cid, "Retry-After": "5"}
            return web.json_response(body, status=503, headers=headers)
        if not received.had_valid_key:
            return _error(401, ErrorCode.UNAUTHORIZED, "Missing or invalid internal API key", cid)
        if not received.user_id:
            return _error(401, ErrorCode.UNAUTHORIZED, "X-User-ID is required.", cid)
        owner, found = self._classes.get(received.class_id, (None, None))
        # Another teacher's class looks exactly like one that does not exist.
        if found is None or owner != received.user_id:
            return _error(404, ErrorCode.CLASS_NOT_FOUND, "Class not found.", cid)
        return web.json_response(
            found.model_dump(mode="json"), headers={CORRELATION_ID_HEADER: cid}
        )


def _error(status: int, code: ErrorCode, message: str, correlation_id: str) -> web.Response:
    body = build_error_body(code, message, correlation_id=correlation_id, service=SERVICE_NAME)
    return web.json_response(body, status=status, headers={CORRELATION_ID_HEADER: correlation_id})
