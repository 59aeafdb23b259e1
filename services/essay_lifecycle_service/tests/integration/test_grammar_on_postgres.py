"""The grammar phase on real PostgreSQL: after spellcheck, one grammar outcome per batch even
when every result arrives at once, or the last one races the phase deadline."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.enums import CourseCode, Language, OperationOutcome
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchGrammarInitiateCommandV1,
    BatchSpellcheckInitiateCommandV1,
    EssayGrammarCompletedV1,
    EssayRef,
    EssaySpellcheckCompletedV1,
)
from essay_lifecycle_service.domain.monitor import ReadinessMonitor
from essay_lifecycle_service.domain.phases import GrammarPhase
from essay_lifecycle_service.domain.ports import UnitOfWorkFactory
from huleedu_testing import random_id

from .conftest import rows
from .test_slots_on_postgres import Steps, provisioned, registered, wrap

pytestmark = pytest.mark.integration


class PhaseSteps(Steps):
    """The slots, spellcheck and grammar steps as the worker wires them."""

    def __init__(self, uow_factory: UnitOfWorkFactory, grammar: GrammarPhase) -> None:
        super().__init__(uow_factory)
        self.grammar = grammar

    async def deliver(self, envelope: EventEnvelope[Any]) -> None:
        step = {
            "BatchGrammarInitiateCommandV1": self.grammar.initiate,
            "EssayGrammarCompletedV1": self.grammar.complete,
        }.get(envelope.event_type)
        if step is None:
            await super().deliver(envelope)
        else:
            await self.handling.handler(step)(envelope)


def grammar_done(batch_id: str, essay_id: str) -> EventEnvelope[Any]:
    return wrap(
        EssayGrammarCompletedV1(
            batch_id=batch_id,
            essay_id=essay_id,
            outcome=OperationOutcome.SUCCESS,
            language=Language.ENGLISH,
            text_storage_id="t",
            word_count=120,
        )
    )


async def spellchecked_batch(steps: PhaseSteps) -> tuple[str, list[str]]:
    """A batch of three essays through spellcheck, its grammar phase just started."""
    batch_id = random_id()
    registration = registered(batch_id, 3)
    await steps.deliver(registration)
    for n in range(3):
        await steps.deliver(provisioned(batch_id, n))
    essay_ids = registration.data.essay_ids
    refs = [EssayRef(essay_id=e, text_storage_id="") for e in essay_ids]
    await steps.deliver(
        wrap(
            BatchSpellcheckInitiateCommandV1(
                batch_id=batch_id,
                course_code=CourseCode.ENG6,
                language=Language.ENGLISH,
                essays=refs,
            )
        )
    )
    for essay_id in essay_ids:
        await steps.deliver(
            wrap(
                EssaySpellcheckCompletedV1(
                    batch_id=batch_id,
                    essay_id=essay_id,
                    outcome=OperationOutcome.SUCCESS,
                    language=Language.ENGLISH,
                    original_text_storage_id="t",
                    corrected_text_storage_id=f"c-{essay_id}",
                )
            )
        )
    await steps.deliver(
        wrap(
            BatchGrammarInitiateCommandV1(
                batch_id=batch_id,
                course_code=CourseCode.ENG6,
                language=Language.ENGLISH,
                essays=refs,
                disabled_categories=["STYLE"],
            )
        )
    )
    return batch_id, essay_ids


async def outcomes_by_phase(engine: AsyncEngine) -> Counter[tuple[str, str]]:
    found = await rows(
        engine,
        "SELECT event_key, convert_from(payload, 'UTF8')::jsonb -> 'data' ->> 'phase' AS phase"
        " FROM event_outbox WHERE event_type = 'ELSBatchPhaseOutcomeV1'",
    )
    return Counter((r["event_key"], r["phase"]) for r in found)


async def test_concurrent_grammar_results_emit_one_outcome_per_batch(
    uow_factory: UnitOfWorkFactory, els_engine: AsyncEngine
) -> None:
    steps = PhaseSteps(uow_factory, GrammarPhase())
    batches = [await spellchecked_batch(steps) for _ in range(6)]
    requests = await rows(
        els_engine,
        "SELECT convert_from(payload, 'UTF8')::jsonb -> 'data' AS data FROM event_outbox"
        " WHERE event_type = 'EssayGrammarRequestedV1'",
    )
    assert len(requests) == 18
    # The uploaded text (provisioned text-N-<batch>), never spellcheck's c-<essay>.
    assert all(r["data"]["text_storage_id"].startswith("text-") for r in requests)
    assert all(r["data"]["disabled_categories"] == ["STYLE"] for r in requests)

    await asyncio.gather(*(steps.deliver(grammar_done(b, e)) for b, ids in batches for e in ids))

    counted = await outcomes_by_phase(els_engine)
    assert counted == {
        **{(b, "spellcheck"): 1 for b, _ in batches},
        **{(b, "grammar"): 1 for b, _ in batches},
    }
    statuses = await rows(
        els_engine,
        "SELECT status, count(*) AS n FROM essays WHERE batch_id = ANY(:b) GROUP BY status",
        b=[b for b, _ in batches],
    )
    assert statuses == [{"status": "grammar_succeeded", "n": 18}]


async def test_the_grammar_deadline_racing_the_last_result_emits_one_outcome(
    uow_factory: UnitOfWorkFactory, els_engine: AsyncEngine
) -> None:
    steps = PhaseSteps(uow_factory, GrammarPhase(timedelta(milliseconds=1)))
    later = datetime.now(UTC) + timedelta(hours=1)
    monitor = ReadinessMonitor(
        uow_factory,
        source_service="els",
        clock=lambda: later,
        phases=(steps.phases, steps.grammar),
    )
    last: dict[str, str] = {}
    for _ in range(6):
        batch_id, essay_ids = await spellchecked_batch(steps)
        for essay_id in essay_ids[:2]:
            await steps.deliver(grammar_done(batch_id, essay_id))
        last[batch_id] = essay_ids[2]

    results = await asyncio.gather(
        monitor.check_once(),
        monitor.check_once(),
        *(steps.deliver(grammar_done(b, e)) for b, e in last.items()),
    )

    counted = await outcomes_by_phase(els_engine)
    assert {k: n for k, n in counted.items() if k[1] == "grammar"} == {
        (b, "grammar"): 1 for b in last
    }
    timed_out = 0
    for essay_id in last.values():
        [essay] = await rows(
            els_engine, "SELECT status, error_message FROM essays WHERE essay_id = :e", e=essay_id
        )
        if essay["status"] == "grammar_succeeded":
            assert essay["error_message"] is None
        else:
            assert essay == {
                "status": "grammar_failed",
                "error_message": "grammar timed out after 0 s",
            }
            timed_out += 1
    assert results[0] + results[1] == timed_out
