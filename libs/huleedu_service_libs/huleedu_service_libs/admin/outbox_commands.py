"""`huleedu-admin outbox`: backlog per service database, and unparking rows that kept failing."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import func, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.db.tables import event_outbox
from huleedu_service_libs.outbox.metrics import read_outbox_stats
from huleedu_service_libs.outbox.writer import NOTIFY_CHANNEL

SERVICE_DATABASES: MappingProxyType[str, str] = MappingProxyType(
    {
        "content_service": "huleedu_content",
        "file_service": "huleedu_file",
        "batch_orchestrator_service": "huleedu_batch_orchestrator",
        "essay_lifecycle_service": "huleedu_essay_lifecycle",
        "spellchecker_service": "huleedu_spellchecker",
        "grammar_service": "huleedu_grammar",
        "result_aggregator_service": "huleedu_result_aggregator",
        "class_management_service": "huleedu_class_management",
    }
)
NO_TABLE = "no outbox table (emits no events, or not migrated yet)"
CUSTOM_LABEL = "custom"


class UsageError(Exception):
    """The arguments do not name a database to inspect."""


@dataclass(frozen=True)
class OutboxTarget:
    """One database to inspect, under a service label."""

    service: str
    url: str
    schema: str | None = None

    @property
    def database(self) -> str:
        """Database name (with the schema, when one is set)."""
        name = make_url(self.url).database or "?"
        return f"{name}/{self.schema}" if self.schema else name


@dataclass(frozen=True)
class OutboxReport:
    """What one database's outbox looks like, or why it could not be read."""

    service: str
    database: str
    status: str  # ok | no_outbox_table | error
    pending: int | None = None
    parked: int | None = None
    oldest_pending_age_seconds: float | None = None
    error: str | None = None


def targets_from_args(args: argparse.Namespace) -> list[OutboxTarget]:
    """The databases named by --service / --database-url (default: every service)."""
    services: list[str] = args.service or []
    if args.database_url:
        if len(services) > 1:
            raise UsageError("--database-url inspects one database: give at most one --service")
        label = services[0] if services else CUSTOM_LABEL
        return [OutboxTarget(label, asyncpg_url(args.database_url), args.schema)]
    unknown = [s for s in services if s not in SERVICE_DATABASES]
    if unknown:
        known = ", ".join(SERVICE_DATABASES)
        raise UsageError(f"unknown service(s) {', '.join(unknown)}; known: {known}")
    infra = InfraSettings()
    return [
        OutboxTarget(s, infra.database_url(SERVICE_DATABASES[s]), args.schema)
        for s in services or list(SERVICE_DATABASES)
    ]


def asyncpg_url(url: str) -> str:
    """Accept plain postgresql:// URLs too; the tool always talks through asyncpg."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def make_engine(target: OutboxTarget, connect_timeout: float) -> AsyncEngine:
    """A pool-less engine (one-shot tool) with a connect timeout and the target's search_path."""
    connect_args: dict[str, Any] = {"timeout": connect_timeout}
    if target.schema:
        connect_args["server_settings"] = {"search_path": target.schema}
    return create_async_engine(target.url, poolclass=NullPool, connect_args=connect_args)


async def has_outbox_table(engine: AsyncEngine) -> bool:
    """True if event_outbox is visible on the search_path."""
    async with engine.connect() as conn:
        found = await conn.scalar(text("SELECT to_regclass('event_outbox') IS NOT NULL"))
    return bool(found)


async def inspect_target(target: OutboxTarget, connect_timeout: float) -> OutboxReport:
    """Read one database's outbox stats; never raises, so one bad database spoils no report."""
    engine = make_engine(target, connect_timeout)
    try:
        if not await has_outbox_table(engine):
            return OutboxReport(target.service, target.database, "no_outbox_table")
        stats = await read_outbox_stats(engine)
    # Any failure (refused, timeout, auth, missing database) is this database's answer.
    except Exception as exc:
        return OutboxReport(target.service, target.database, "error", error=describe(exc))
    finally:
        await engine.dispose()
    return OutboxReport(
        target.service,
        target.database,
        "ok",
        pending=stats.pending,
        parked=stats.parked,
        oldest_pending_age_seconds=round(stats.oldest_age_seconds, 3),
    )


def describe(exc: BaseException) -> str:
    """Short one-line description of an error (the driver's own, not SQLAlchemy's wrapper)."""
    error: BaseException = getattr(exc, "orig", None) or exc
    error = (
        error.__cause__ or error
    )  # SQLAlchemy's asyncpg adapter wraps the driver error once more
    lines = str(error).strip().splitlines()
    name = type(error).__name__
    if not lines:
        return name
    return lines[0] if lines[0].startswith(name) else f"{name}: {lines[0]}"


def format_age(seconds: float | None) -> str:
    """12.3s, 4m05s or 2h03m; '-' when nothing is pending."""
    if not seconds:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def print_reports(reports: Sequence[OutboxReport]) -> None:
    """A table: service, database, pending, parked, oldest pending age (or the problem)."""
    print(f"{'SERVICE':<28} {'DATABASE':<30} {'PENDING':>8} {'PARKED':>7}  OLDEST PENDING")
    for r in reports:
        prefix = f"{r.service:<28} {r.database:<30}"
        if r.status == "ok":
            age = format_age(r.oldest_pending_age_seconds)
            print(f"{prefix} {r.pending:>8} {r.parked:>7}  {age}")
        elif r.status == "no_outbox_table":
            print(f"{prefix} {NO_TABLE}")
        else:
            print(f"{prefix} error: {r.error}")


async def outbox_status(args: argparse.Namespace) -> int:
    """Print every target's backlog; exit 1 if any database could not be read."""
    # Concurrently, so an unreachable server costs one connect timeout, not one per database.
    targets = targets_from_args(args)
    reports = await asyncio.gather(*(inspect_target(t, args.timeout) for t in targets))
    if args.json:
        print(json.dumps([asdict(r) for r in reports], indent=2))
    else:
        print_reports(reports)
    return 1 if any(r.status == "error" for r in reports) else 0


async def unpark_rows(engine: AsyncEngine, ids: list[int] | None) -> list[int]:
    """Make parked rows (all, or those in `ids`) due now with a fresh attempt budget."""
    t = event_outbox
    stmt = (
        update(t)
        .where(t.c.parked_at.is_not(None))
        .values(parked_at=None, attempts=0, next_attempt_at=func.now())
        .returning(t.c.id)
    )
    if ids is not None:
        stmt = stmt.where(t.c.id.in_(ids))
    async with engine.begin() as conn:
        unparked = sorted(int(i) for i in (await conn.scalars(stmt)).all())
        if unparked:
            # Wake the relays now instead of at their next poll (delivered on commit).
            await conn.execute(text("SELECT pg_notify(:c, '')"), {"c": NOTIFY_CHANNEL})
    return unparked


async def outbox_unpark(args: argparse.Namespace) -> int:
    """Unpark rows of one service database and say which ones."""
    targets = targets_from_args(args)
    if len(targets) != 1:
        raise UsageError("unpark needs exactly one --service (or --database-url)")
    target = targets[0]
    engine = make_engine(target, args.timeout)
    try:
        if not await has_outbox_table(engine):
            print(f"{target.service} ({target.database}): {NO_TABLE}")
            return 1
        ids: list[int] | None = None if args.all else list(args.ids)
        unparked = await unpark_rows(engine, ids)
    except Exception as exc:  # same reasoning as inspect_target: report, exit non-zero
        print(f"{target.service} ({target.database}): error: {describe(exc)}")
        return 1
    finally:
        await engine.dispose()
    listed = " ".join(str(i) for i in unparked) or "-"
    print(f"{target.service} ({target.database}): unparked {len(unparked)} row(s): {listed}")
    skipped = sorted(set(ids or []) - set(unparked))
    if skipped:
        print(f"not parked (or unknown), left alone: {' '.join(map(str, skipped))}")
    return 0
