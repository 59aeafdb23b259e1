"""A student's erasure in the views, as a kernel step: once per event id, only the teacher's
batches, results and refused uploads deleted or relabelled."""

from __future__ import annotations

from typing import Any

import pytest

from common_core.enums import EssayErasureMode
from common_core.envelope import EventEnvelope
from common_core.errors import ErrorCode
from common_core.events import ErasedEssay, EssayValidationFailedV1, StudentErasureRequestedV1

from .conftest import Events, Views

pytestmark = pytest.mark.unit


def erasure(mode: EssayErasureMode, user_id: str = "teacher-anna") -> EventEnvelope[Any]:
    data = StudentErasureRequestedV1(
        erasure_id="er-1",
        student_id="student-1",
        user_id=user_id,
        essay_mode=mode,
        essays=[
            ErasedEssay(batch_id="batch-1", file_upload_id="file-0", essay_id="essay-0"),
            ErasedEssay(batch_id="batch-1", file_upload_id="bad-1"),
        ],
    )
    return EventEnvelope.wrap(data, source_service="cms", correlation_id="corr-1")


async def seeded(views: Views, events: Events) -> None:
    refused = EssayValidationFailedV1(
        batch_id=events.batch_id,
        file_upload_id="bad-1",
        original_file_name="Åsa Öberg.txt",
        error_code=ErrorCode.EMPTY_FILE,
        message="Åsa Öberg.txt is empty.",
    )
    await views.deliver(
        events.registered(), events.slot(0), events.slot(1), events.wrap(refused, 1)
    )


async def test_delete_removes_their_result_and_refused_upload_once(
    views: Views, events: Events
) -> None:
    await seeded(views, events)
    envelope = erasure(EssayErasureMode.DELETE)

    await views.erase(envelope)
    assert ("batch-1", "essay-0") not in views.state.essays
    assert views.batch().rejected_files == []

    await views.deliver(events.slot(0, minute=5))  # the essay's row written again
    await views.erase(envelope)  # redelivered: the inbox absorbs it, nothing is deleted again
    assert views.essay("essay-0").file_upload_id == "file-0"
    assert ("result_aggregator_service", envelope.event_id) in views.state.processed
    assert views.state.outbox == []


async def test_keep_relabels_what_names_the_student(views: Views, events: Events) -> None:
    await seeded(views, events)

    await views.erase(erasure(EssayErasureMode.KEEP))

    assert views.essay("essay-0").filename == "essay-file-0.docx"
    assert views.essay("essay-1").filename == "uppsats-1.docx"
    [refused] = views.batch().rejected_files
    assert (refused["filename"], refused["message"]) == (
        "essay-bad-1.txt",
        "essay-bad-1.txt is empty.",
    )


async def test_another_teachers_erasure_touches_nothing(views: Views, events: Events) -> None:
    await seeded(views, events)

    await views.erase(erasure(EssayErasureMode.DELETE, user_id="teacher-bo"))

    assert len(views.state.essays) == 3
    assert len(views.batch().rejected_files) == 1
