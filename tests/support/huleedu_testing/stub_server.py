"""The shared base of the HTTP stubs: a restartable aiohttp server, fault switches, request log.

A stub listens on a loopback port below the ephemeral range (free_port_below_ephemeral), so a
test can stop it and start it again on the same port ("the service comes back") without a
client's outgoing socket taking the port meanwhile. A subclass declares only its routes
(add_routes) and what a request it records looks like; the base keeps the log. FaultyStubServer
adds the switches that make a stub fail, answer as if its own dependency were down, stall, or
drop connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
from abc import ABC, abstractmethod
from types import TracebackType
from typing import Generic, Self, TypeVar

from aiohttp import web

from common_core.errors import ErrorCode
from huleedu_service_libs.correlation import (
    CORRELATION_ID_HEADER,
    INTERNAL_API_KEY_HEADER,
    new_correlation_id,
)
from huleedu_service_libs.errors import build_error_body, dependency_unavailable
from huleedu_testing.servers import LOOPBACK, free_port_below_ephemeral

__all__ = ["FaultyStubServer", "StubServer"]

RequestT = TypeVar("RequestT")

# Seconds a stub that depends on something down tells callers to wait, as the services do.
RETRY_AFTER_SECONDS = 5


class StubServer(ABC, Generic[RequestT]):
    """An aiohttp stub of one service on a fixed loopback port; subclasses add the routes."""

    # The longest a stop waits for handlers still running, so stopping stays fast.
    shutdown_timeout_seconds = 2.0
    client_max_size = 1024**2
    # A client that gives up cancels its handler (a timed-out caller must not keep one waiting).
    handler_cancellation = True

    def __init__(
        self, service: str, *, internal_api_key: str | None = None, port: int | None = None
    ) -> None:
        self.service = service
        self.port = port or free_port_below_ephemeral()
        self._key = internal_api_key
        self._requests: list[RequestT] = []
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Base URL to configure as the service's URL."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def is_up(self) -> bool:
        """True while the listener accepts connections."""
        return self._runner is not None

    @abstractmethod
    def add_routes(self, app: web.Application) -> None:
        """Register the stub's routes on `app`: all a concrete stub writes."""

    # -- listener --------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on the stub's port (the same port after stop(): the service 'comes back')."""
        if self._runner is not None:
            return
        app = web.Application(client_max_size=self.client_max_size)
        self.add_routes(app)
        runner = web.AppRunner(
            app,
            access_log=None,
            handler_cancellation=self.handler_cancellation,
            shutdown_timeout=self.shutdown_timeout_seconds,
        )
        await runner.setup()
        site = web.TCPSite(runner, LOOPBACK, self.port, reuse_address=True)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner

    async def stop(self) -> None:
        """Stop listening and close open connections: callers see connection refused."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- requests seen ---------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestT]:
        """The requests recorded (dropped and refused ones included), oldest first."""
        return list(self._requests)

    @property
    def request_count(self) -> int:
        """How many requests were recorded, whatever the stub answered."""
        return len(self._requests)

    def has_valid_key(self, request: web.Request) -> bool:
        """Whether the request carries the stub's internal API key (constant-time compare)."""
        if self._key is None:
            return True
        provided = request.headers.get(INTERNAL_API_KEY_HEADER, "")
        return hmac.compare_digest(provided.encode(), self._key.encode())

    def error_response(
        self, status: int, code: ErrorCode, message: str, correlation_id: str
    ) -> web.Response:
        """The shared error body, as the real service answers, with this status."""
        body = build_error_body(code, message, correlation_id=correlation_id, service=self.service)
        return web.json_response(
            body, status=status, headers={CORRELATION_ID_HEADER: correlation_id}
        )


class FaultyStubServer(StubServer[RequestT]):
    """A StubServer whose handlers apply switches: failure, dependency down, slowness, drops."""

    def __init__(
        self, service: str, *, internal_api_key: str | None = None, port: int | None = None
    ) -> None:
        super().__init__(service, internal_api_key=internal_api_key, port=port)
        self._failure_status: int | None = None
        self._down_dependency: str | None = None
        self._drops_left = 0
        self._delay_seconds = 0.0
        # Set while stopped or healthy again: requests held by slow_down answer at once.
        self._released = asyncio.Event()

    async def start(self) -> None:
        """Listen on the stub's port (the same port after stop(): the service 'comes back')."""
        await super().start()
        self._released.clear()

    async def stop(self) -> None:
        """Stop listening; requests held by slow_down are released first, so stopping is fast."""
        self._released.set()
        await super().stop()

    # -- behaviour switches ----------------------------------------------------------------

    def fail_with(self, status: int = 500) -> None:
        """Answer every request with this status until healthy() is called."""
        self._failure_status = status

    def dependency_down(self, dependency: str = "postgres") -> None:
        """Answer as the service does while its own dependency is down: 503 naming it."""
        self._down_dependency = dependency

    def drop_connections(self, count: int = 1) -> None:
        """Close the next `count` requests' connections without answering (a reset)."""
        self._drops_left = count

    def slow_down(self, delay_seconds: float) -> None:
        """Wait this long before answering each request (use more than the caller's timeout)."""
        self._delay_seconds = delay_seconds
        self._released.clear()

    def healthy(self) -> None:
        """Answer normally again: no failures, no delay; requests still waiting answer now."""
        self._failure_status = None
        self._down_dependency = None
        self._drops_left = 0
        self._delay_seconds = 0.0
        self._released.set()

    async def injected_fault(
        self, request: web.Request, correlation_id: str | None
    ) -> web.StreamResponse | None:
        """Apply the switches to a recorded request: the answer they force, or None."""
        if self._drops_left > 0 and request.transport is not None:
            self._drops_left -= 1
            request.transport.abort()  # the client sees the server disconnect
            return web.Response(status=500)
        if self._delay_seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._released.wait(), timeout=self._delay_seconds)
        cid = correlation_id or new_correlation_id()
        if self._failure_status is not None:
            return self.error_response(
                self._failure_status, ErrorCode.INTERNAL_ERROR, "Injected failure.", cid
            )
        if self._down_dependency is not None:
            fault = dependency_unavailable(self._down_dependency, retry_after=RETRY_AFTER_SECONDS)
            body = fault.to_body(correlation_id=cid, service=self.service)
            headers = {CORRELATION_ID_HEADER: cid, "Retry-After": str(RETRY_AFTER_SECONDS)}
            return web.json_response(body, status=503, headers=headers)
        return None
