"""Flag categories on PostgreSQL: migration 0003's counts, and reads that count per category."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.enums import (
    BatchStatus,
    CourseCode,
    EssayStatus,
    FlagCategory,
    Language,
    OperationOutcome,
)
from common_core.events import Misspelling
from huleedu_service_libs.db import make_session_factory
from huleedu_testing import random_id
from huleedu_testing.migrations import downgrade_to_base, upgrade_to, upgrade_to_head
from result_aggregator_service.di import make_uow_factory
from result_aggregator_service.domain.models import BatchView, EssayView, SpellcheckResult

from .conftest import SERVICE_DIR, rows

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
TEACHER = "teacher-cats"
# "Vi åkkte till göteborg och köpte glass i en glass kiosk."
COMPOUND = Misspelling(
    word="glass kiosk", start=44, end=55, suggestions=["glasskiosk"],
    category=FlagCategory.COMPOUND, explanation="Sammansatta ord skrivs ihop: glasskiosk.",
)  # fmt: skip
CAPITAL = Misspelling(
    word="göteborg", start=14, end=22, suggestions=["Göteborg"],
    category=FlagCategory.CAPITALISATION, explanation="Ortnamn skrivs med stor bokstav.",
)  # fmt: skip
PLAIN = Misspelling(word="åkkte", start=3, end=8, suggestions=["åkte"])


def batch_row(batch_id: str) -> BatchView:
    """A registered batch of the test teacher."""
    return BatchView(
        batch_id=batch_id,
        status=BatchStatus.PROCESSING,
        created_at=NOW,
        updated_at=NOW,
        user_id=TEACHER,
        course_code=CourseCode.SV1,
        expected_essay_count=3,
        registered=True,
    )


def checked(batch_id: str, essay_id: str, slot: int, flags: list[Misspelling]) -> EssayView:
    """An essay whose spell-check flagged `flags`."""
    result = SpellcheckResult(
        outcome=OperationOutcome.SUCCESS,
        language=Language.SWEDISH,
        completed_at=NOW,
        event_at=NOW,
        misspellings=[m.model_dump(mode="json") for m in flags],
        word_count=12,
    )
    return EssayView(
        batch_id, essay_id, EssayStatus.SPELLCHECK_SUCCEEDED, NOW, NOW, slot, spellcheck=result
    )


async def test_reads_count_per_category_and_keep_each_flags_reason(
    ras_engine: AsyncEngine,
) -> None:
    uow_factory = make_uow_factory(make_session_factory(ras_engine))
    batch_id = random_id()
    waiting = EssayView(batch_id, "e-3", EssayStatus.AWAITING_CONTENT, NOW, NOW, 2)
    async with uow_factory() as uow:
        await uow.batches.put(batch_row(batch_id))
        await uow.essays.put_many(
            [
                checked(batch_id, "e-1", 0, [PLAIN, COMPOUND, CAPITAL]),
                checked(batch_id, "e-2", 1, [COMPOUND, PLAIN]),
                waiting,
            ]
        )
        await uow.commit()

    async with uow_factory() as uow:
        _, essays = await uow.batches.get_with_essays(batch_id)
        full = await uow.essays.get(batch_id, "e-1")
        listing, _ = await uow.batches.list_for_user(TEACHER, None, 100, 0)

    [e1, e2, e3] = essays
    assert e1.spellcheck is not None
    assert e2.spellcheck is not None
    assert e1.spellcheck.misspellings is None  # the batch read leaves them out
    assert e1.spellcheck.category_counts == {"spelling": 1, "compound": 1, "capitalisation": 1}
    assert e2.spellcheck.category_counts == {"spelling": 1, "compound": 1}
    assert e2.spellcheck.misspelling_count == 2
    assert e3.spellcheck is None
    assert full is not None
    assert full.spellcheck is not None
    assert [Misspelling.model_validate(m) for m in full.spellcheck.misspellings or []] == [
        PLAIN,
        COMPOUND,
        CAPITAL,
    ]
    [counts] = [c for b, c in listing if b.batch_id == batch_id]
    assert counts.category_counts == {"spelling": 2, "compound": 2, "capitalisation": 1}
    stored = await rows(
        ras_engine,
        "SELECT essay_id, category_counts FROM result_essays WHERE batch_id = :b ORDER BY essay_id",
        b=batch_id,
    )
    assert [r["category_counts"] for r in stored] == [
        {"spelling": 1, "compound": 1, "capitalisation": 1},
        {"spelling": 1, "compound": 1},
        None,  # no result: SQL NULL, not JSON null
    ]


async def test_a_row_written_without_counts_counts_its_flags_as_spelling(
    ras_engine: AsyncEngine,
) -> None:
    uow_factory = make_uow_factory(make_session_factory(ras_engine))
    batch_id = random_id()
    async with uow_factory() as uow:
        await uow.batches.put(batch_row(batch_id))
        await uow.essays.put_many([checked(batch_id, "e-1", 0, [PLAIN, PLAIN])])
        await uow.commit()
    # What a worker still running the code before 0003 writes: no counts.
    async with ras_engine.begin() as conn:
        await conn.execute(
            text("UPDATE result_essays SET category_counts = NULL WHERE batch_id = :b"),
            {"b": batch_id},
        )

    async with uow_factory() as uow:
        _, [essay] = await uow.batches.get_with_essays(batch_id)
        listing, _ = await uow.batches.list_for_user(TEACHER, None, 100, 0)

    assert essay.spellcheck is not None
    assert essay.spellcheck.category_counts == {"spelling": 2}
    [counts] = [c for b, c in listing if b.batch_id == batch_id]
    assert counts.category_counts == {"spelling": 2, "compound": 0, "capitalisation": 0}


async def test_0003_counts_the_flags_stored_before_it(pg_engine: AsyncEngine) -> None:
    await upgrade_to(pg_engine, SERVICE_DIR, "0002")
    old = {"word": "åkkte", "start": 3, "end": 8, "suggestions": ["åkte"]}
    essays = {
        "e-old": ("success", [old, old]),
        "e-mixed": ("success", [old, COMPOUND.model_dump(mode="json")]),
        "e-failed": ("failure", []),
        "e-waiting": (None, None),
    }
    async with pg_engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO result_batches (batch_id, user_id, course_code, expected_essay_count,"
                " registered, status, created_at, updated_at)"
                " VALUES ('b-old', :u, 'SV1', 4, true, 'processing', :t, :t)"
            ),
            {"u": TEACHER, "t": NOW},
        )
        for slot, (essay_id, (outcome, flags)) in enumerate(essays.items()):
            await conn.execute(
                text(
                    "INSERT INTO result_essays (batch_id, essay_id, slot_index, status, status_at,"
                    " spellcheck_outcome, spellcheck_language, misspellings, misspelling_count,"
                    " spellcheck_completed_at, updated_at) VALUES ('b-old', :e, :s, :status, :t,"
                    " :o, :lang, CAST(:m AS jsonb), :n, :done, :t)"
                ),
                {
                    "e": essay_id,
                    "s": slot,
                    "status": f"spellcheck_{'succeeded' if outcome == 'success' else 'failed'}"
                    if outcome
                    else "awaiting_content",
                    "t": NOW,
                    "o": outcome,
                    "lang": "sv" if outcome else None,
                    "m": json.dumps(flags),  # the JSON null of a row without a result
                    "n": len(flags) if flags is not None else None,
                    "done": NOW if outcome else None,
                },
            )

    await upgrade_to_head(pg_engine, SERVICE_DIR)

    stored = await rows(pg_engine, "SELECT essay_id, category_counts FROM result_essays")
    assert {r["essay_id"]: r["category_counts"] for r in stored} == {
        "e-old": {"spelling": 2},
        "e-mixed": {"spelling": 1, "compound": 1},
        "e-failed": {},
        "e-waiting": None,
    }
    uow_factory = make_uow_factory(make_session_factory(pg_engine))
    async with uow_factory() as uow:
        _, read = await uow.batches.get_with_essays("b-old")
    assert [e.spellcheck.misspelling_count if e.spellcheck else None for e in read] == [
        2,
        2,
        0,
        None,
    ]

    await downgrade_to_base(pg_engine, SERVICE_DIR)
    await upgrade_to_head(pg_engine, SERVICE_DIR)
