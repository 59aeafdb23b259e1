"""Per-user rate limits (slowapi over Redis, in-memory fallback) and the 429 answer."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Protocol, TypeVar, cast

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from slowapi import Limiter
from slowapi.errors import RateLimitExceeded
from slowapi.util import get_remote_address

from api_gateway_service.auth import Principal, current_principal
from api_gateway_service.config import GatewaySettings
from common_core.errors import ErrorCode
from huleedu_service_libs.http._shared import error_response

__all__ = [
    "LimitKind",
    "RouteLimits",
    "build_limiter",
    "rate_limit_key",
    "register_rate_limit_handler",
    "user_limit_dependency",
]

CurrentPrincipalDep = Annotated[Principal, Depends(current_principal)]

F = TypeVar("F", bound=Callable[..., Any])
# The three limit classes; each is one bucket shared by its routes.
LimitKind = Literal["read", "write", "upload"]


class LimitDecorator(Protocol):
    """slowapi's limit decorator: returns the endpoint wrapped, signature kept."""

    def __call__(self, func: F) -> F:
        """Wrap `func` so each call counts against the limit."""
        ...


# Redis is on the request path (slowapi's storage is synchronous): fail over fast, not slowly.
_REDIS_SOCKET_TIMEOUT_SECONDS = 0.5


def rate_limit_key(request: Request) -> str:
    """The JWT subject once authenticated, the client address otherwise."""
    principal = getattr(request.state, "principal", None)
    if isinstance(principal, Principal):
        return f"user:{principal.user_id}"
    return f"ip:{get_remote_address(request)}"


def build_limiter(settings: GatewaySettings) -> Limiter:
    """A fixed-window limiter on Redis: one INCR-with-expiry round trip per limited request."""
    options: dict[str, Any] = {
        "socket_connect_timeout": _REDIS_SOCKET_TIMEOUT_SECONDS,
        "socket_timeout": _REDIS_SOCKET_TIMEOUT_SECONDS,
    }
    return Limiter(
        key_func=rate_limit_key,
        storage_uri=settings.redis_url,
        storage_options=options,
        strategy="fixed-window",
        in_memory_fallback_enabled=True,
        key_prefix=settings.service_name,
        headers_enabled=False,
        enabled=settings.rate_limit_enabled,
    )


@dataclass(frozen=True)
class RouteLimits:
    """The decorators for the three limit classes; each is one bucket shared by its routes."""

    read: LimitDecorator
    write: LimitDecorator
    upload: LimitDecorator

    @classmethod
    def from_settings(cls, limiter: Limiter, settings: GatewaySettings) -> RouteLimits:
        """Shared limits named read, write and upload with the configured rates."""
        return cls(
            read=cast(LimitDecorator, limiter.shared_limit(settings.rate_limit_read, "read")),
            write=cast(LimitDecorator, limiter.shared_limit(settings.rate_limit_write, "write")),
            upload=cast(LimitDecorator, limiter.shared_limit(settings.rate_limit_upload, "upload")),
        )

    def of(self, kind: LimitKind) -> LimitDecorator:
        """The decorator of one limit class."""
        return {"read": self.read, "write": self.write, "upload": self.upload}[kind]


def _retry_after(limiter: Limiter, request: Request, exc: RateLimitExceeded) -> int:
    current = getattr(request.state, "view_rate_limit", None)
    try:
        if current is not None:
            # Second round trip, only on a refusal: when this window resets.
            stats = limiter.limiter.get_window_stats(current[0], *current[1])
            return max(1, math.ceil(stats.reset_time - time.time()))
    except Exception:  # noqa: S110 - the storage just failed; the window length is a safe bound
        pass
    if exc.limit is not None:
        return max(1, int(exc.limit.limit.get_expiry()))
    return 60


def register_rate_limit_handler(app: FastAPI, limiter: Limiter, service: str) -> None:
    """429 RATE_LIMITED in the shared error body, with Retry-After."""

    async def on_rate_limited(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, RateLimitExceeded):
            raise exc
        seconds = _retry_after(limiter, request, exc)
        error = error_response(
            ErrorCode.RATE_LIMITED,
            "Too many requests; slow down.",
            service=service,
            method=request.method,
            path=request.url.path,
            details={
                "limit": str(exc.limit.limit) if exc.limit is not None else "",
                "retry_after_seconds": seconds,
            },
            headers={"Retry-After": str(seconds)},
        )
        return JSONResponse(error.body, status_code=error.status, headers=error.headers)

    app.state.limiter = limiter
    app.add_exception_handler(RateLimitExceeded, on_rate_limited)


def user_limit_dependency(decorator: LimitDecorator) -> Callable[..., Any]:
    """A FastAPI dependency counting the request against `decorator`'s limit, per user.

    For routes whose endpoint is not ours to decorate (the realtime ticket route): it
    authenticates first (FastAPI caches current_principal), so the key is the user.
    """

    @decorator
    async def _count(request: Request) -> None:
        return None

    async def limited(request: Request, principal: CurrentPrincipalDep) -> None:
        await _count(request=request)

    return limited
