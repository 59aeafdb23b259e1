"""The phase deadline on real PostgreSQL: migration 0002, the overdue query, the race."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.enums import CourseCode, Language, OperationOutcome, PhaseName, PhaseStatus
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchSpellcheckInitiateCommandV1,
    EssayRef,
    EssaySpellcheckCompletedV1,
)
from essay_lifecycle_service.domain.models import PhaseEssay
from essay_lifecycle_service.domain.monitor import ReadinessMonitor
from essay_lifecycle_service.domain.phases import SpellcheckPhase
from essay_lifecycle_service.domain.ports import UnitOfWorkFactory
from huleedu_testing import random_id
from huleedu_testing.migrations import (
    alembic_config,
    downgrade_to_base,
    upgrade_to_head,
)

from .conftest import SERVICE_DIR, rows
from .test_slots_on_postgres import Steps, provisioned, registered, wrap

pytestmark = pytest.mark.integration

SPELLCHECK = PhaseName.SPELLCHECK


async def migrate(engine: AsyncEngine, direction: str, revision: str) -> None:
    config = alembic_config(SERVICE_DIR)

    def _run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        getattr(command, direction)(config, revision)

    async with engine.begin() as conn:
        await conn.run_sync(_run)


async def deadline_column(engine: AsyncEngine) -> list[dict[str, Any]]:
    return await rows(
        engine,
        "SELECT is_nullable FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = 'batch_phases' AND column_name = 'deadline'",
    )


async def running_index(engine: AsyncEngine) -> list[dict[str, Any]]:
    return await rows(
        engine,
        "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()"
        " AND indexname = 'ix_batch_phases_running_deadline'",
    )


async def test_migration_0002_backfills_deadlines_and_downgrades(els_engine: AsyncEngine) -> None:
    await migrate(els_engine, "downgrade", "0001")
    assert await deadline_column(els_engine) == []
    assert await running_index(els_engine) == []
    started = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    async with els_engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO batch_phases (batch_id, phase, status, started_at, finished_at)"
                " VALUES ('old-running', 'spellcheck', 'in_progress', :s, NULL),"
                " ('old-done', 'spellcheck', 'completed', :s, :s)"
            ),
            {"s": started},
        )

    await migrate(els_engine, "upgrade", "head")

    assert await deadline_column(els_engine) == [{"is_nullable": "NO"}]
    [index] = await running_index(els_engine)
    assert "(deadline)" in index["indexdef"]
    assert "in_progress" in index["indexdef"]
    backfilled = await rows(els_engine, "SELECT batch_id, deadline FROM batch_phases")
    assert {r["batch_id"]: r["deadline"] for r in backfilled} == {
        "old-running": started + timedelta(seconds=1800),
        "old-done": started + timedelta(seconds=1800),
    }

    await downgrade_to_base(els_engine, SERVICE_DIR)
    await upgrade_to_head(els_engine, SERVICE_DIR)
    assert await deadline_column(els_engine) == [{"is_nullable": "NO"}]
    assert await rows(els_engine, "SELECT * FROM batch_phases") == []


async def test_overdue_finds_running_phases_past_their_deadline_oldest_first(
    uow_factory: UnitOfWorkFactory,
) -> None:
    now = datetime.now(UTC)
    hour = timedelta(hours=1)
    plan = {
        "late-2": (now - 3 * hour, now - hour, None),
        "late-1": (now - 4 * hour, now - 2 * hour, None),
        "due-now": (now - hour, now, None),
        "not-yet": (now, now + hour, None),
        "finished": (now - 4 * hour, now - 3 * hour, PhaseStatus.COMPLETED),
    }
    async with uow_factory() as uow:
        for batch_id, (started, deadline, finished) in plan.items():
            await uow.phases.start(
                batch_id, SPELLCHECK, [PhaseEssay(f"{batch_id}-e")], started, deadline=deadline
            )
            if finished:
                await uow.phases.finish(batch_id, SPELLCHECK, finished, started)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.phases.overdue(SPELLCHECK, now, 100) == ["late-1", "late-2", "due-now"]
        assert await uow.phases.overdue(SPELLCHECK, now, 2) == ["late-1", "late-2"]
        assert await uow.phases.overdue(PhaseName.SPELLCHECK, now - 5 * hour, 100) == []
        record = await uow.phases.lock("late-1", SPELLCHECK)
    assert record is not None
    assert (record.started_at, record.deadline) == (now - 4 * hour, now - 2 * hour)
    assert record.timeout_seconds == 7200


def completion(batch_id: str, essay_id: str) -> EventEnvelope[Any]:
    return wrap(
        EssaySpellcheckCompletedV1(
            batch_id=batch_id,
            essay_id=essay_id,
            outcome=OperationOutcome.SUCCESS,
            language=Language.ENGLISH,
            original_text_storage_id="t",
            corrected_text_storage_id=f"c-{essay_id}",
        )
    )


async def test_timeout_racing_the_last_completion_emits_one_outcome(
    uow_factory: UnitOfWorkFactory, els_engine: AsyncEngine
) -> None:
    steps = Steps(uow_factory)
    steps.phases = SpellcheckPhase(timedelta(milliseconds=1))  # overdue as soon as it starts
    later = datetime.now(UTC) + timedelta(hours=1)
    monitor = ReadinessMonitor(
        uow_factory, source_service="els", clock=lambda: later, phases=steps.phases
    )
    last: dict[str, str] = {}
    for _ in range(8):
        batch_id = random_id()
        registration = registered(batch_id, 3)
        await steps.deliver(registration)
        for n in range(3):
            await steps.deliver(provisioned(batch_id, n))
        essay_ids = registration.data.essay_ids
        await steps.deliver(
            wrap(
                BatchSpellcheckInitiateCommandV1(
                    batch_id=batch_id,
                    course_code=CourseCode.ENG6,
                    language=Language.ENGLISH,
                    essays=[EssayRef(essay_id=e, text_storage_id="") for e in essay_ids],
                )
            )
        )
        for essay_id in essay_ids[:2]:
            await steps.deliver(completion(batch_id, essay_id))
        last[batch_id] = essay_ids[2]

    # Every batch's last result races the monitor's pass (and a second monitor pass).
    results = await asyncio.gather(
        monitor.check_once(),
        monitor.check_once(),
        *(steps.deliver(completion(b, e)) for b, e in last.items()),
    )

    outcomes = Counter(
        r["event_key"]
        for r in await rows(
            els_engine,
            "SELECT event_key FROM event_outbox WHERE event_type = 'ELSBatchPhaseOutcomeV1'",
        )
    )
    assert outcomes == dict.fromkeys(last, 1), "exactly one outcome per batch"
    timed_out = 0
    for batch_id, essay_id in last.items():
        [phase] = await rows(
            els_engine, "SELECT status FROM batch_phases WHERE batch_id = :b", b=batch_id
        )
        [essay] = await rows(
            els_engine, "SELECT status, error_message FROM essays WHERE essay_id = :e", e=essay_id
        )
        if phase["status"] == "completed":  # the result won the lock
            assert essay == {"status": "spellcheck_succeeded", "error_message": None}
        else:  # the monitor won; the result that came after it was ignored
            assert phase["status"] == "completed_with_failures"
            assert essay["status"] == "spellcheck_failed"
            assert essay["error_message"].startswith("spellcheck timed out after ")
            timed_out += 1
    assert results[0] + results[1] == timed_out
    notices = await rows(
        els_engine,
        "SELECT count(*) AS n FROM event_outbox WHERE event_type = 'TeacherNotificationRequestedV1'"
        " AND convert_from(payload, 'UTF8') LIKE '%phase_timed_out%'",
    )
    assert notices == [{"n": timed_out}]
