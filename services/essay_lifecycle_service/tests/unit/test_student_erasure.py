"""A student's erasure as a kernel step: once per event id, delete or relabel, rolled back whole."""

from __future__ import annotations

from typing import Any

import pytest

from common_core.enums import EssayErasureMode
from common_core.envelope import EventEnvelope
from common_core.events import ErasedEssay, StudentErasureRequestedV1
from essay_lifecycle_service.domain.erasure import ErasedUpload

from .conftest import Lifecycle

pytestmark = pytest.mark.unit


def erasure(mode: EssayErasureMode, *, essays: bool = True) -> EventEnvelope[Any]:
    named = [
        ErasedEssay(batch_id="batch-1", file_upload_id="file-0", essay_id="essay-0"),
        ErasedEssay(batch_id="batch-1", file_upload_id="file-9"),  # refused: never in a slot
    ]
    data = StudentErasureRequestedV1(
        erasure_id="er-1",
        student_id="student-1",
        user_id="teacher-anna",
        essay_mode=mode,
        essays=named if essays else [],
    )
    return EventEnvelope.wrap(data, source_service="cms", correlation_id="corr-1")


UPLOADS = [
    ErasedUpload("batch-1", "file-0", "essay-0"),
    ErasedUpload("batch-1", "file-9", None),
]


async def test_delete_runs_once_per_event_under_the_service_inbox_name(
    lifecycle: Lifecycle,
) -> None:
    envelope = erasure(EssayErasureMode.DELETE)

    await lifecycle.deliver(envelope)
    await lifecycle.deliver(envelope)  # redelivered: the inbox absorbs it

    assert lifecycle.state.erased.calls == [("delete", "teacher-anna", UPLOADS)]
    assert ("essay_lifecycle_service", envelope.event_id) in lifecycle.state.processed
    assert lifecycle.state.outbox == []  # an erasure announces nothing


async def test_keep_relabels_instead(lifecycle: Lifecycle) -> None:
    await lifecycle.deliver(erasure(EssayErasureMode.KEEP))
    assert lifecycle.state.erased.calls == [("relabel", "teacher-anna", UPLOADS)]


async def test_no_essays_named_changes_nothing_but_is_still_claimed(lifecycle: Lifecycle) -> None:
    envelope = erasure(EssayErasureMode.DELETE, essays=False)
    await lifecycle.deliver(envelope)
    assert lifecycle.state.erased.calls == []
    assert ("essay_lifecycle_service", envelope.event_id) in lifecycle.state.processed


async def test_a_failing_store_rolls_back_the_claim_so_the_redelivery_applies(
    lifecycle: Lifecycle,
) -> None:
    envelope = erasure(EssayErasureMode.DELETE)
    lifecycle.state.erased.fail = ConnectionError("database went away")

    with pytest.raises(ConnectionError):
        await lifecycle.deliver(envelope)
    assert lifecycle.state.processed == set()
    assert lifecycle.state.erased.calls == []

    lifecycle.state.erased.fail = None
    await lifecycle.deliver(envelope)
    assert lifecycle.state.erased.calls == [("delete", "teacher-anna", UPLOADS)]
