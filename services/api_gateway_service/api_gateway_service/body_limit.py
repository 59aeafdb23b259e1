"""A byte limit on request bodies, except on the routes that stream and limit their own.

FastAPI reads a JSON body whole into memory before the route (or its auth) runs, so without
a limit one request could make the gateway buffer any amount. Uploads and roster imports are
marked with `limits_own_body`: they read their body themselves under their own limits
(`MAX_UPLOAD_BYTES`, `ROSTER_MAX_BYTES`) and are left alone here, so no body is limited twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common_core.errors import ErrorCode
from huleedu_service_libs.http._shared import error_response

__all__ = [
    "BodyTooLarge",
    "JsonBodyLimitMiddleware",
    "limits_own_body",
    "register_body_limit_handler",
]

F = TypeVar("F", bound=Callable[..., Any])
_OWN_LIMIT_MARK = "_gateway_limits_own_body"


def limits_own_body(endpoint: F) -> F:
    """Mark an endpoint that reads its request body itself, under a limit of its own."""
    setattr(endpoint, _OWN_LIMIT_MARK, True)
    return endpoint


class BodyTooLarge(StarletteHTTPException):
    """The request body is over the limit (declared or counted); answered with 413.

    An HTTPException because FastAPI passes those on from a body read unchanged (anything
    else raised while it reads the body becomes a 400), so its handler gets to answer.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")
        self.limit = limit


def _declared_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    # The server has already refused a malformed Content-Length; counting covers the rest.
    return int(value) if value is not None and value.strip().isdigit() else None


class JsonBodyLimitMiddleware:
    """Pure ASGI: reading a request body past `limit` bytes raises BodyTooLarge.

    The check runs when the app first asks for the body, so routing has happened and the
    endpoint is known: a marked endpoint gets the client's body untouched. For the others a
    Content-Length over the limit is refused before a byte is read, and a body without one
    (chunked) stops at the chunk that passes the limit.
    """

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI request; HTTP bodies pass through the limit check."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit
        received = 0
        checked = unlimited = answered = False

        async def limited_receive() -> Message:
            nonlocal received, checked, unlimited
            if not checked:
                checked = True
                # Once the answer is on its way, the app only listens for a disconnect.
                unlimited = answered or getattr(scope.get("endpoint"), _OWN_LIMIT_MARK, False)
                declared = _declared_length(scope)
                if not unlimited and declared is not None and declared > limit:
                    raise BodyTooLarge(limit)
            message = await receive()
            if not unlimited and message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                answered = True
            await send(message)

        await self.app(scope, limited_receive, watched_send)


def register_body_limit_handler(app: FastAPI, service: str) -> None:
    """413 PAYLOAD_TOO_LARGE in the shared error body, naming the limit."""

    async def on_body_too_large(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, BodyTooLarge):
            raise exc
        error = error_response(
            ErrorCode.PAYLOAD_TOO_LARGE,
            str(exc.detail),
            service=service,
            method=request.method,
            path=request.url.path,
            details={"limit_bytes": exc.limit},
            # The rest of the body stays unread: the connection cannot carry another request.
            headers={"Connection": "close"},
        )
        return JSONResponse(error.body, status_code=error.status, headers=error.headers)

    # More specific than the HTTPException handler: Starlette looks handlers up by the MRO.
    app.add_exception_handler(BodyTooLarge, on_body_too_large)
