"""Files the File Service refused show in the batch's view: counted once, with their reason."""

from __future__ import annotations

from typing import Any

import pytest

from common_core.errors import ErrorCode
from common_core.events import EssayValidationFailedV1
from result_aggregator_service.domain.models import count_essays
from result_aggregator_service.domain.queries import batch_result, batch_summary

from .conftest import Events, Views

pytestmark = pytest.mark.unit


def rejected(events: Events, n: int, code: ErrorCode, minute: int = 1) -> Any:
    return events.wrap(
        EssayValidationFailedV1(
            batch_id=events.batch_id,
            file_upload_id=f"bad-{n}",
            original_file_name=f"tom-{n}.txt",
            error_code=code,
            message="The file is empty.",
        ),
        minute,
    )


async def test_rejections_are_counted_once_with_their_reasons(views: Views, events: Events) -> None:
    empty = rejected(events, 1, ErrorCode.EMPTY_FILE)
    await views.deliver(events.registered(), empty, rejected(events, 2, ErrorCode.EMPTY_FILE))
    await views.deliver(empty.model_copy(update={"event_id": empty.event_id}))

    batch = views.batch()
    assert [f["file_upload_id"] for f in batch.rejected_files] == ["bad-1", "bad-2"]
    result = batch_result(batch, [])
    assert result.rejected_file_count == 2
    assert result.rejected_files[0].error_code == "EMPTY_FILE"
    assert result.rejected_files[0].filename == "tom-1.txt"
    assert batch_summary(batch, count_essays([])).rejected_file_count == 2


async def test_a_rejection_before_the_registration_is_kept(views: Views, events: Events) -> None:
    await views.deliver(rejected(events, 1, ErrorCode.CONTENT_TOO_SHORT, minute=0))
    await views.deliver(events.registered(minute=1))

    result = batch_result(views.batch(), [])
    assert result.rejected_file_count == 1
    assert result.expected_essay_count == 3
