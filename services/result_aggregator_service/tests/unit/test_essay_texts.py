"""An essay's original text for its owner only, with precise answers when there is none."""

from __future__ import annotations

import pytest

from common_core.enums import BatchStatus, CourseCode
from common_core.errors import ErrorCode
from result_aggregator_service.api.errors import to_http_error
from result_aggregator_service.domain.essay_texts import EssayTextMissing, EssayTexts
from result_aggregator_service.domain.ports import BosBatch, BosUnavailable, TextUnavailable
from result_aggregator_service.domain.queries import BatchNotFound, EssayNotFound, ResultQueries

from .conftest import Events, FakeTexts, FakeUnitOfWork, Views

ORIGINAL = (
    "Namn: Sara Lind\n\nMin favoritplats\n\nPå sommaren åker min familj alltid till en liten "
    "ö i skärgården. Där finns ingen internet, så vi spelar kort och badar hela dagarna."
)


def essay_texts(views: Views, texts: FakeTexts) -> EssayTexts:
    queries = ResultQueries(lambda: FakeUnitOfWork(views.state), views.bos, texts)
    return EssayTexts(queries, texts)


async def test_the_owner_gets_the_text_of_the_assigned_file(views: Views, events: Events) -> None:
    await views.deliver(events.registered(), events.slot(0))
    texts = FakeTexts({"text-0": ORIGINAL})

    essay = await essay_texts(views, texts).original("batch-1", "essay-0", "teacher-anna")

    assert essay.text == ORIGINAL
    assert (essay.text_storage_id, essay.file_upload_id, essay.filename) == (
        "text-0",
        "file-0",
        "uppsats-0.docx",
    )
    assert essay.char_count == len(ORIGINAL)
    assert texts.asked == ["text-0"]


async def test_another_teacher_and_unknown_ids_never_reach_the_text(
    views: Views, events: Events
) -> None:
    await views.deliver(events.registered(), events.slot(0))
    texts = FakeTexts({"text-0": ORIGINAL})
    reader = essay_texts(views, texts)

    with pytest.raises(BatchNotFound):
        await reader.original("batch-1", "essay-0", "teacher-bo")
    with pytest.raises(BatchNotFound):
        await reader.original("batch-unknown", "essay-0", "teacher-anna")
    with pytest.raises(EssayNotFound):
        await reader.original("batch-1", "essay-9", "teacher-anna")
    assert texts.asked == []


async def test_a_batch_known_only_to_bos_is_checked_with_bos(views: Views) -> None:
    views.bos.batches["batch-new"] = BosBatch(
        batch_id="batch-new",
        user_id="teacher-anna",
        status=BatchStatus.AWAITING_CONTENT,
        course_code=CourseCode.ENG5,
        expected_essay_count=1,
        essay_ids=["essay-0"],
    )
    reader = essay_texts(views, FakeTexts({}))
    with pytest.raises(BatchNotFound):
        await reader.original("batch-new", "essay-0", "teacher-bo")
    views.bos.down = True
    with pytest.raises(BosUnavailable):
        await reader.original("batch-new", "essay-0", "teacher-anna")


@pytest.mark.parametrize(
    ("assigned", "stored", "message"),
    [
        (False, False, "The essay has no text yet: no uploaded file has been assigned to it."),
        (True, False, "The essay's text is no longer stored."),
    ],
)
async def test_no_text_is_content_not_found(
    views: Views, events: Events, assigned: bool, stored: bool, message: str
) -> None:
    await views.deliver(events.registered(), *([events.slot(0)] if assigned else []))
    reader = essay_texts(views, FakeTexts({"text-0": ORIGINAL} if stored else {}))

    with pytest.raises(EssayTextMissing) as caught:
        await reader.original("batch-1", "essay-0", "teacher-anna")

    error = to_http_error(caught.value)
    assert error is not None
    assert (error.code, error.status_code) == (ErrorCode.CONTENT_NOT_FOUND, 404)
    assert error.message == message
    assert error.details == {"essay_id": "essay-0"}


async def test_content_service_down_is_503_about_the_text(views: Views, events: Events) -> None:
    await views.deliver(events.registered(), events.slot(0))
    texts = FakeTexts({"text-0": ORIGINAL})
    texts.down = True
    with pytest.raises(TextUnavailable) as caught:
        await essay_texts(views, texts).original("batch-1", "essay-0", "teacher-anna")
    error = to_http_error(caught.value)
    assert error is not None
    assert error.status_code == 503
    assert error.message == "The essay's text cannot be fetched right now; try again shortly."
