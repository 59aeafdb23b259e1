"""Dependency outages: which dependency an exception says is down, and a downstream's 503 that
names its own unavailable dependency.

`classify_dependency_error` is the one place that knows the shapes an outage takes in our
drivers (PostgreSQL through SQLAlchemy and asyncpg, Redis, Kafka, other services over aiohttp);
the HTTP error handlers of both frameworks turn what it recognises into 503 with Retry-After
and `error.details.dependency`, so no route needs to catch any of it.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import aiohttp
import asyncpg
import redis.exceptions as redis_errors
import sqlalchemy.exc as sa_errors
from aiokafka import errors as kafka_errors

from huleedu_service_libs.clients.content_service import ContentServiceUnavailable

__all__ = [
    "KAFKA",
    "POSTGRES",
    "REDIS",
    "DependencyFailure",
    "DownstreamDependencyUnavailable",
    "classify_dependency_error",
    "retry_after_in",
    "unavailable_dependency_in",
]

POSTGRES = "postgres"
REDIS = "redis"
KAFKA = "kafka"
CONTENT_SERVICE = "content_service"
DOWNSTREAM = "downstream"

# Where a bare OSError or TimeoutError was raised says whose connection failed: SQLAlchemy
# passes connect errors that are not DBAPI errors through unwrapped, so PostgreSQL refusing a
# connection reaches the route as a plain ConnectionRefusedError raised inside asyncpg.
_ORIGINS: tuple[tuple[str, str], ...] = (
    ("asyncpg", POSTGRES),
    ("sqlalchemy", POSTGRES),
    ("redis", REDIS),
    ("limits", REDIS),
    ("huleedu_service_libs.realtime", REDIS),
    ("aiokafka", KAFKA),
    ("huleedu_service_libs.kafka", KAFKA),
)
_MAX_CHAIN = 8

_POSTGRES_UNREACHABLE = (
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
)
_KAFKA_UNREACHABLE = (
    kafka_errors.KafkaConnectionError,
    kafka_errors.KafkaTimeoutError,
    kafka_errors.NodeNotReadyError,
    kafka_errors.NoBrokersAvailable,
    kafka_errors.RequestTimedOutError,
    kafka_errors.LeaderNotAvailableError,
    kafka_errors.NotLeaderForPartitionError,
)


@dataclass(frozen=True)
class DependencyFailure:
    """A dependency that is down, and a short reason safe to show clients."""

    dependency: str
    reason: str


class DownstreamDependencyUnavailable(Exception):
    """A downstream answered 503 naming its own unavailable dependency.

    The downstream itself is up and answered at once: circuit breakers do not count this
    against it, or one database's outage would shut every route of a healthy service.
    """

    def __init__(self, service: str, dependency: str, retry_after: float) -> None:
        super().__init__(f"{service} reports {dependency} unavailable")
        self.service = service
        self.dependency = dependency
        self.retry_after = retry_after


def unavailable_dependency_in(status: int, body: bytes) -> str | None:
    """The `error.details.dependency` of a 503 in our error body; None for anything else."""
    if status != 503:
        return None
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    error = parsed.get("error") if isinstance(parsed, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    dependency = details.get("dependency") if isinstance(details, dict) else None
    return dependency if isinstance(dependency, str) and dependency else None


def retry_after_in(headers: Mapping[str, str], default: float) -> float:
    """A response's Retry-After in seconds (the delta-seconds form), else `default`."""
    value = headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else default


def classify_dependency_error(exc: BaseException) -> DependencyFailure | None:
    """The dependency an exception (or one it was raised from) says is down; None otherwise."""
    for link in _chain(exc):
        failure = _classify_typed(link)
        if failure is not None:
            return failure
    if isinstance(exc, OSError | TimeoutError):
        origin = _origin(exc)
        if origin is not None:
            reason = "timeout" if isinstance(exc, TimeoutError) else "unreachable"
            return DependencyFailure(origin, reason)
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, then what it wraps (SQLAlchemy's `orig`, `__cause__`, `__context__`)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < _MAX_CHAIN:
        seen.add(id(current))
        yield current
        current = _wrapped(current)


def _wrapped(exc: BaseException) -> BaseException | None:
    orig = getattr(exc, "orig", None)
    if isinstance(orig, BaseException):
        return orig
    if exc.__cause__ is not None:
        return exc.__cause__
    return None if exc.__suppress_context__ else exc.__context__


def _classify_typed(exc: BaseException) -> DependencyFailure | None:
    if isinstance(exc, DownstreamDependencyUnavailable):
        return DependencyFailure(exc.service, "dependency_unavailable")
    if isinstance(exc, ContentServiceUnavailable):
        return DependencyFailure(CONTENT_SERVICE, "unavailable")
    postgres = _classify_postgres(exc)
    if postgres is not None:
        return postgres
    if isinstance(exc, redis_errors.TimeoutError):
        return DependencyFailure(REDIS, "timeout")
    if isinstance(exc, redis_errors.ConnectionError):
        return DependencyFailure(REDIS, "unreachable")
    if isinstance(exc, _KAFKA_UNREACHABLE):
        return DependencyFailure(KAFKA, "unreachable")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return DependencyFailure(f"{exc.host}:{exc.port}", "unreachable")
    if isinstance(exc, aiohttp.ClientConnectionError):
        # Dropped or timed out after connecting: the request's URL is not on the exception.
        reason = "timeout" if isinstance(exc, TimeoutError) else "connection_lost"
        return DependencyFailure(DOWNSTREAM, reason)
    return None


def _classify_postgres(exc: BaseException) -> DependencyFailure | None:
    if isinstance(exc, sa_errors.TimeoutError):
        # The pool had no connection to give within pool_timeout: overloaded or hanging.
        return DependencyFailure(POSTGRES, "pool_exhausted")
    if isinstance(exc, sa_errors.DBAPIError) and exc.connection_invalidated:
        return DependencyFailure(POSTGRES, "connection_lost")
    if isinstance(exc, sa_errors.InterfaceError):
        return DependencyFailure(POSTGRES, "connection_lost")
    if isinstance(exc, sa_errors.OperationalError | sa_errors.DisconnectionError):
        return DependencyFailure(POSTGRES, "unavailable")
    if isinstance(exc, asyncpg.ConnectionDoesNotExistError):
        return DependencyFailure(POSTGRES, "connection_lost")
    if isinstance(exc, _POSTGRES_UNREACHABLE):
        return DependencyFailure(POSTGRES, "unreachable")
    return None


def _origin(exc: BaseException) -> str | None:
    """The dependency whose client code raised `exc` (innermost known frame wins)."""
    for link in _chain(exc):
        found: str | None = None
        for frame, _line in traceback.walk_tb(link.__traceback__):
            module = str(frame.f_globals.get("__name__", ""))
            for prefix, dependency in _ORIGINS:
                if module == prefix or module.startswith(prefix + "."):
                    found = dependency
        if found is not None:
            return found
    return None
