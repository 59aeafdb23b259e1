"""Grammar results on PostgreSQL: stored beside the spelling result, counted per category in
one batch read without the matches, and erased with the essay's row."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.enums import BatchStatus, CourseCode, EssayStatus, Language, OperationOutcome
from common_core.events import GrammarMatch
from huleedu_service_libs.db import make_session_factory
from huleedu_testing import random_id
from result_aggregator_service.di import make_uow_factory
from result_aggregator_service.domain.erasure import ErasedUpload
from result_aggregator_service.domain.models import (
    BatchView,
    EssayView,
    GrammarResult,
    SpellcheckResult,
)

from .conftest import rows

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
TEACHER = "teacher-grammar"
# "He go to school every day, and I was to tired to play."
AGREEMENT = GrammarMatch(
    start=3, end=5, text="go", rule_id="HE_VERB_AGR", category="GRAMMAR",
    message="The pronoun 'He' is usually used with a third-person verb.", replacements=["goes"],
)  # fmt: skip
TOO = GrammarMatch(
    start=37, end=39, text="to", rule_id="TO_TOO", category="CONFUSED_WORDS",
    message="Did you mean 'too'?", replacements=["too"],
)  # fmt: skip


def essay(batch_id: str, essay_id: str, slot: int, matches: list[GrammarMatch]) -> EssayView:
    """An essay spell-checked (nothing flagged) and grammar-checked with `matches`."""
    spelling = SpellcheckResult(OperationOutcome.SUCCESS, Language.ENGLISH, NOW, NOW, [])
    grammar = GrammarResult(
        outcome=OperationOutcome.SUCCESS,
        language=Language.ENGLISH,
        completed_at=NOW,
        event_at=NOW,
        matches=[m.model_dump(mode="json") for m in matches],
        word_count=13,
    )
    return EssayView(
        batch_id,
        essay_id,
        EssayStatus.GRAMMAR_SUCCEEDED,
        NOW,
        NOW,
        slot,
        file_upload_id=f"file-{essay_id}",
        spellcheck=spelling,
        grammar=grammar,
    )


async def test_grammar_results_are_stored_counted_and_erased(ras_engine: AsyncEngine) -> None:
    uow_factory = make_uow_factory(make_session_factory(ras_engine))
    batch_id = random_id()
    batch = BatchView(
        batch_id,
        BatchStatus.PROCESSING,
        NOW,
        NOW,
        user_id=TEACHER,
        course_code=CourseCode.ENG5,
        expected_essay_count=3,
        registered=True,
    )
    waiting = EssayView(batch_id, "e-3", EssayStatus.GRAMMAR_REQUESTED, NOW, NOW, 2)
    async with uow_factory() as uow:
        await uow.batches.put(batch)
        await uow.essays.put_many(
            [essay(batch_id, "e-1", 0, [AGREEMENT, TOO]), essay(batch_id, "e-2", 1, [TOO]), waiting]
        )
        await uow.commit()

    async with uow_factory() as uow:
        _, [e1, e2, e3] = await uow.batches.get_with_essays(batch_id)
        full = await uow.essays.get(batch_id, "e-1")
        listing, _ = await uow.batches.list_for_user(TEACHER, None, 100, 0)
        counts = await uow.essays.counts(batch_id)

    assert e1.grammar is not None
    assert e1.grammar.matches is None  # the batch read leaves them out
    assert e1.grammar.category_counts == {"GRAMMAR": 1, "CONFUSED_WORDS": 1}
    assert e2.grammar is not None
    assert e2.grammar.match_count == 1
    assert e3.grammar is None
    assert full is not None
    assert full.grammar is not None
    assert [GrammarMatch.model_validate(m) for m in full.grammar.matches or []] == [AGREEMENT, TOO]
    assert full.spellcheck is not None  # the spelling result is kept beside it
    [listed] = [c for b, c in listing if b.batch_id == batch_id]
    assert listed.grammar_category_counts == {"GRAMMAR": 1, "CONFUSED_WORDS": 2}
    assert counts.grammar_category_counts == {"GRAMMAR": 1, "CONFUSED_WORDS": 2}
    stored = await rows(
        ras_engine,
        "SELECT grammar_match_count, grammar_category_counts FROM result_essays"
        " WHERE batch_id = :b ORDER BY essay_id",
        b=batch_id,
    )
    assert [(r["grammar_match_count"], r["grammar_category_counts"]) for r in stored] == [
        (2, {"GRAMMAR": 1, "CONFUSED_WORDS": 1}),
        (1, {"CONFUSED_WORDS": 1}),
        (None, None),  # no result: SQL NULL, not JSON null
    ]

    # A student's erasure (delete) takes the grammar result with the essay's row.
    async with uow_factory() as uow:
        erased = await uow.erasure.delete_essays(
            TEACHER, [ErasedUpload(batch_id, "file-e-1", "e-1")]
        )
        await uow.commit()
    assert erased == 1
    async with uow_factory() as uow:
        assert await uow.essays.get(batch_id, "e-1") is None
        after = await uow.essays.counts(batch_id)
    assert after.grammar_category_counts == {"CONFUSED_WORDS": 1}


async def test_a_grammar_rerun_overwrites_the_stored_matches(ras_engine: AsyncEngine) -> None:
    uow_factory = make_uow_factory(make_session_factory(ras_engine))
    batch_id = random_id()
    first = essay(batch_id, "e-1", 0, [AGREEMENT, TOO])
    async with uow_factory() as uow:
        await uow.essays.put_many([first])
        await uow.commit()
    assert first.grammar is not None
    rerun = replace(first, grammar=replace(first.grammar, matches=[]))
    async with uow_factory() as uow:
        await uow.essays.put_many([rerun])
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.essays.get(batch_id, "e-1")
    assert stored is not None
    assert stored.grammar is not None
    assert stored.grammar.matches == []
    assert stored.grammar.category_counts == {}
