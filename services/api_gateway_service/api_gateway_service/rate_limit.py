"""Per-user rate limits: `limits`' async fixed windows in Redis, memory while Redis fails.

One awaited Redis round trip per limited request (the `limits` Lua INCR-with-expiry script over
redis-py's asyncio client), so a slow Redis delays only the requests waiting on it, never the
event loop. Over the limit: 429 RATE_LIMITED in the shared error body, with Retry-After.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Literal

import redis.asyncio as aioredis
from fastapi import Depends
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.errors import StorageError

from api_gateway_service.auth import Principal, current_principal
from api_gateway_service.config import GatewaySettings
from common_core.errors import ErrorCode
from huleedu_service_libs.errors import HuleEduError
from huleedu_service_libs.logging_setup import get_logger

__all__ = [
    "FallbackLimiter",
    "LimitDependency",
    "LimitKind",
    "RouteLimits",
    "build_limiter",
]

logger = get_logger(__name__)

CurrentPrincipalDep = Annotated[Principal, Depends(current_principal)]
# The three limit classes; each is one bucket shared by its routes.
LimitKind = Literal["read", "write", "upload"]
# A FastAPI dependency counting one request against a limit class.
LimitDependency = Callable[[Principal], Awaitable[None]]

# Redis is on every limited request's path: give up fast and count in memory, not slowly.
_REDIS_SOCKET_TIMEOUT_SECONDS = 0.5
# While Redis is failing it is pinged again after 1 s, then 2, 4 ... up to 32 s between pings.
_FIRST_RECHECK_SECONDS = 1.0
_MAX_RECHECK_SECONDS = 32.0


class FallbackLimiter:
    """Fixed windows in a shared storage (Redis); in process memory while that storage fails.

    A failed call marks the storage down and the request is counted in memory instead (the
    limits then hold per process); the storage is pinged again with backoff and used as soon
    as it answers.
    """

    def __init__(self, shared: Storage, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._storage = shared
        self._shared = FixedWindowRateLimiter(shared)
        self._memory = FixedWindowRateLimiter(MemoryStorage())
        self._clock = clock
        self._down = False
        self._recheck_delay = _FIRST_RECHECK_SECONDS
        self._recheck_at = 0.0

    @property
    def shared_storage_down(self) -> bool:
        """True while requests are counted in memory."""
        return self._down

    async def hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        """Count one request; False when it is over `item`'s limit."""
        if await self._shared_usable():
            try:
                return await self._shared.hit(item, *identifiers)
            except StorageError as exc:
                self._mark_down(exc)
        return await self._memory.hit(item, *identifiers)

    async def seconds_to_reset(self, item: RateLimitItem, *identifiers: str) -> int:
        """Whole seconds (at least 1) until `item`'s current window for `identifiers` ends."""
        limiter = self._memory if self._down else self._shared
        try:
            # A second round trip, only on a refusal.
            stats = await limiter.get_window_stats(item, *identifiers)
        except StorageError:
            # The storage just failed; the window length is a safe bound.
            return max(1, item.get_expiry())
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def _shared_usable(self) -> bool:
        if not self._down:
            return True
        now = self._clock()
        if now < self._recheck_at:
            return False
        # Set before awaiting: concurrent requests meanwhile count in memory, not ping too.
        self._recheck_delay = min(self._recheck_delay * 2, _MAX_RECHECK_SECONDS)
        self._recheck_at = now + self._recheck_delay
        if await self._storage.check():
            logger.info("rate_limit.storage_recovered")
            self._down = False
            return True
        return False

    def _mark_down(self, exc: StorageError) -> None:
        if self._down:
            return
        logger.warning("rate_limit.storage_unreachable", error=repr(exc.storage_error))
        self._down = True
        self._recheck_delay = _FIRST_RECHECK_SECONDS
        self._recheck_at = self._clock() + self._recheck_delay


def build_limiter(settings: GatewaySettings) -> tuple[FallbackLimiter, aioredis.ConnectionPool]:
    """The limiter on the configured Redis, and its connection pool (closed at shutdown)."""
    pool = aioredis.ConnectionPool.from_url(
        settings.redis_url,
        socket_connect_timeout=_REDIS_SOCKET_TIMEOUT_SECONDS,
        socket_timeout=_REDIS_SOCKET_TIMEOUT_SECONDS,
    )
    # `connection_pool` is a documented RedisStorage option its `**options` type leaves out;
    # owning the pool lets the gateway close it at shutdown.
    storage = RedisStorage(
        settings.redis_url,
        wrap_exceptions=True,
        implementation="redispy",
        connection_pool=pool,  # type: ignore[arg-type]
    )
    return FallbackLimiter(storage), pool


def _limit_dependency(
    limiter: FallbackLimiter, items: list[RateLimitItem], scope: str, prefix: str
) -> LimitDependency:
    """Counts the request against each of `items` for the authenticated user; 429 if over one."""

    async def rate_limited(principal: CurrentPrincipalDep) -> None:
        # Authenticated first (FastAPI caches current_principal): the key is always the user.
        identifiers = (prefix, f"user:{principal.user_id}", scope)
        for item in items:
            if not await limiter.hit(item, *identifiers):
                raise _rate_limited(item, await limiter.seconds_to_reset(item, *identifiers))

    return rate_limited


async def _not_limited(principal: CurrentPrincipalDep) -> None:
    """Limits switched off: still authenticates, as the limited routes do."""


def _rate_limited(item: RateLimitItem, seconds: int) -> HuleEduError:
    return HuleEduError(
        ErrorCode.RATE_LIMITED,
        "Too many requests; slow down.",
        details={"limit": str(item), "retry_after_seconds": seconds},
        headers={"Retry-After": str(seconds)},
    )


@dataclass(frozen=True)
class RouteLimits:
    """The dependencies of the three limit classes; each is one bucket shared by its routes."""

    read: LimitDependency
    write: LimitDependency
    upload: LimitDependency

    @classmethod
    def from_settings(cls, limiter: FallbackLimiter, settings: GatewaySettings) -> RouteLimits:
        """Limits named read, write and upload with the configured rates, keyed per service."""
        if not settings.rate_limit_enabled:
            return cls(read=_not_limited, write=_not_limited, upload=_not_limited)
        prefix = settings.service_name

        def kind(rates: str, scope: str) -> LimitDependency:
            return _limit_dependency(limiter, parse_many(rates), scope, prefix)

        return cls(
            read=kind(settings.rate_limit_read, "read"),
            write=kind(settings.rate_limit_write, "write"),
            upload=kind(settings.rate_limit_upload, "upload"),
        )

    def of(self, kind: LimitKind) -> LimitDependency:
        """The dependency of one limit class."""
        return {"read": self.read, "write": self.write, "upload": self.upload}[kind]
