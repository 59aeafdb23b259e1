"""Health checks behind /healthz/live and /healthz/ready: run concurrently, each with its own
timeout, reported by name."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import redis.asyncio as aioredis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = [
    "DEFAULT_CHECK_TIMEOUT",
    "CheckResult",
    "ConnectionCheckable",
    "HealthCheck",
    "database_check",
    "kafka_check",
    "redis_check",
    "run_health_checks",
    "validate_health_checks",
]

DEFAULT_CHECK_TIMEOUT = 2.0
# /healthz is public to operators and load balancers: long driver messages stay out of it.
_MAX_ERROR_LENGTH = 200

#: Extra fields a passing check may report (e.g. the event loop's lag), or None.
CheckResult = Mapping[str, Any] | None


@runtime_checkable
class ConnectionCheckable(Protocol):
    """Anything that can prove its connection works, e.g. the Kafka producer wrapper."""

    async def check_connection(self) -> None:
        """Return when the connection works; raise otherwise."""
        ...


@dataclass(frozen=True)
class HealthCheck:
    """One named check; `check` raises when what it checks is unhealthy."""

    name: str
    check: Callable[[], Awaitable[CheckResult]]
    timeout: float = DEFAULT_CHECK_TIMEOUT


def validate_health_checks(checks: Sequence[HealthCheck]) -> None:
    """Refuse duplicate names, which would hide one check's result behind another's."""
    names = [c.name for c in checks]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"duplicate health check names: {duplicates}")


async def _run_one(check: HealthCheck) -> dict[str, Any]:
    started = time.perf_counter()
    error: str | None = None
    extra: CheckResult = None
    try:
        extra = await asyncio.wait_for(check.check(), timeout=check.timeout)
    except TimeoutError:
        error = f"timed out after {check.timeout:g}s"
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:_MAX_ERROR_LENGTH]
    latency_ms = round((time.perf_counter() - started) * 1000, 2)
    if error is None:
        return {"ok": True, "latency_ms": latency_ms, **(extra or {})}
    return {"ok": False, "latency_ms": latency_ms, "error": error}


async def run_health_checks(checks: Sequence[HealthCheck]) -> tuple[bool, dict[str, Any]]:
    """Run all checks concurrently: (all healthy, {name: {"ok", "latency_ms", "error"?}})."""
    results = await asyncio.gather(*(_run_one(c) for c in checks))
    report = {check.name: result for check, result in zip(checks, results, strict=True)}
    return all(r["ok"] for r in results), report


def database_check(
    engine: AsyncEngine, *, name: str = "postgres", timeout: float = DEFAULT_CHECK_TIMEOUT
) -> HealthCheck:
    """SELECT 1 through the service's engine (and its pool)."""

    async def _check() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    return HealthCheck(name=name, check=_check, timeout=timeout)


def redis_check(
    client: aioredis.Redis, *, name: str = "redis", timeout: float = DEFAULT_CHECK_TIMEOUT
) -> HealthCheck:
    """PING the Redis server."""

    async def _check() -> None:
        await client.ping()

    return HealthCheck(name=name, check=_check, timeout=timeout)


def kafka_check(
    target: ConnectionCheckable, *, name: str = "kafka", timeout: float = DEFAULT_CHECK_TIMEOUT
) -> HealthCheck:
    """Ask the Kafka wrapper to prove its broker connection."""
    return HealthCheck(name=name, check=target.check_connection, timeout=timeout)
