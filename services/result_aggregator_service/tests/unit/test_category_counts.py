"""Why each word was flagged reaches the teacher, and the flags are counted per category."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from common_core.enums import EssayStatus, FlagCategory, Language, OperationOutcome
from common_core.events import EssaySpellcheckCompletedV1, Misspelling
from result_aggregator_service.adapters.repositories import BATCH_WITH_ESSAYS
from result_aggregator_service.adapters.view_rows import essay_row
from result_aggregator_service.domain.models import EssayView, SpellcheckResult, count_categories
from result_aggregator_service.domain.queries import ResultQueries

from .conftest import T0, Events, FakeTexts, FakeUnitOfWork, Views

pytestmark = pytest.mark.unit

ALL_ZERO = {"spelling": 0, "compound": 0, "capitalisation": 0}
# "Jag vill bli sjuk sköterska i stockholm, fast det är svårrt.": three words flagged.
FLAGGED = [
    Misspelling(word="sjuk sköterska", start=13, end=27, suggestions=["sjuksköterska"],
                category=FlagCategory.COMPOUND,
                explanation="Sammansatta ord skrivs ihop: sjuksköterska."),
    Misspelling(word="stockholm", start=30, end=39, suggestions=["Stockholm"],
                category=FlagCategory.CAPITALISATION,
                explanation="Ortnamn skrivs med stor bokstav."),
    Misspelling(word="svårrt", start=53, end=59, suggestions=["svårt"]),
]  # fmt: skip


def result(events: Events, i: int, misspellings: list[Misspelling], minute: int = 4) -> Any:
    """Essay i's spell-check result flagging `misspellings`."""
    return events.wrap(
        EssaySpellcheckCompletedV1(
            batch_id=events.batch_id,
            essay_id=events.essay_ids[i],
            outcome=OperationOutcome.SUCCESS,
            language=Language.SWEDISH,
            original_text_storage_id=f"text-{i}",
            corrected_text_storage_id=f"corrected-{i}",
            misspellings=misspellings,
            correction_count=len(misspellings),
            word_count=11,
        ),
        minute,
    )


def queries(views: Views) -> ResultQueries:
    return ResultQueries(lambda: FakeUnitOfWork(views.state), views.bos, FakeTexts({}))


@pytest.fixture
async def checked(views: Views, events: Events) -> Views:
    """Essay 0 with three flags (one per category), essay 1 with two, essay 2 unchecked."""
    await views.deliver(events.registered(), *(events.slot(i) for i in range(3)))
    await views.deliver(
        events.initiate(), result(events, 0, FLAGGED), result(events, 1, FLAGGED[:2])
    )
    return views


async def test_each_flag_keeps_its_category_and_explanation(checked: Views) -> None:
    essay = await queries(checked).essay("batch-1", "essay-0", "teacher-anna", include_text=False)

    assert essay.spellcheck is not None
    assert essay.spellcheck.misspellings == FLAGGED
    assert essay.spellcheck.category_counts == {
        FlagCategory.SPELLING: 1,
        FlagCategory.COMPOUND: 1,
        FlagCategory.CAPITALISATION: 1,
    }
    assert essay.spellcheck.misspelling_count == 3


async def test_the_batch_counts_each_essay_and_the_whole_batch(checked: Views) -> None:
    batch = await queries(checked).batch("batch-1", "teacher-anna")

    body = json.loads(batch.model_dump_json())
    assert [e["category_counts"] for e in body["essays"]] == [
        {"spelling": 1, "compound": 1, "capitalisation": 1},
        {"spelling": 0, "compound": 1, "capitalisation": 1},
        None,  # no result yet
    ]
    assert body["category_counts"] == {"spelling": 1, "compound": 2, "capitalisation": 2}
    assert [e["misspelling_count"] for e in body["essays"]] == [3, 2, None]


async def test_the_batch_list_counts_per_category(checked: Views) -> None:
    listing = await queries(checked).batches("teacher-anna", None, 20, 0)

    [item] = listing.items
    assert json.loads(item.model_dump_json())["category_counts"] == {
        "spelling": 1,
        "compound": 2,
        "capitalisation": 2,
    }


async def test_a_batch_without_flags_shows_every_category_at_zero(
    views: Views, events: Events
) -> None:
    await views.deliver(events.registered(), events.slot(0), events.initiate())
    await views.deliver(result(events, 0, []))

    batch = await queries(views).batch("batch-1", "teacher-anna")

    assert json.loads(batch.model_dump_json())["category_counts"] == ALL_ZERO
    assert json.loads(batch.essays[0].model_dump_json())["category_counts"] == ALL_ZERO


async def test_a_result_stored_before_categories_counts_as_spelling(
    views: Views, events: Events
) -> None:
    await views.deliver(events.registered(), events.slot(0))
    old = {"word": "skärgårdn", "start": 0, "end": 9, "suggestions": ["skärgården"]}
    essay = views.essay("essay-0")
    stored = SpellcheckResult(OperationOutcome.SUCCESS, Language.SWEDISH, T0, T0, [old, old])
    views.state.essays[("batch-1", "essay-0")] = replace(essay, spellcheck=stored)

    read = await queries(views).essay("batch-1", "essay-0", "teacher-anna", include_text=False)
    batch = await queries(views).batch("batch-1", "teacher-anna")

    assert read.spellcheck is not None
    [first, _] = read.spellcheck.misspellings
    assert (first.category, first.explanation) == (FlagCategory.SPELLING, "")
    assert read.spellcheck.category_counts[FlagCategory.SPELLING] == 2
    assert batch.category_counts == {
        FlagCategory.SPELLING: 2,
        FlagCategory.COMPOUND: 0,
        FlagCategory.CAPITALISATION: 0,
    }


def test_count_categories_counts_each_flag_once() -> None:
    flags = [m.model_dump(mode="json") for m in FLAGGED + FLAGGED[:1]]
    assert count_categories(flags) == {"compound": 2, "capitalisation": 1, "spelling": 1}
    assert count_categories([]) == {}


def test_an_essay_read_without_its_misspellings_is_never_written_back() -> None:
    counts_only = SpellcheckResult(
        OperationOutcome.SUCCESS,
        Language.SWEDISH,
        T0,
        T0,
        misspellings=None,
        stored_category_counts={"spelling": 2},
    )
    essay = EssayView("batch-1", "essay-0", EssayStatus.SPELLCHECK_SUCCEEDED, T0, T0)

    assert counts_only.misspelling_count == 2
    with pytest.raises(ValueError, match="without its misspellings"):
        essay_row(replace(essay, spellcheck=counts_only))


def test_the_batch_read_selects_the_counts_but_not_the_misspellings() -> None:
    selected = {c.name for c in BATCH_WITH_ESSAYS.selected_columns}
    assert {"e_category_counts", "e_misspelling_count"} <= selected
    assert "e_misspellings" not in selected
