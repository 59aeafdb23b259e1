"""The events the ELS benchmarks feed the slots consumer: registrations and uploads.

Not a benchmark itself (`make bench` runs only *_bench.py); els_slots_bench.py and
els_readiness_bench.py import it as a sibling module.
"""

from __future__ import annotations

import hashlib
from typing import Any

from common_core.enums import CourseCode
from common_core.envelope import EventEnvelope
from common_core.events import BatchEssaysRegisteredV1, EssayContentProvisionedV1, UploadSummary
from huleedu_testing import random_id

Run = list[EventEnvelope[Any]]


def wrap(data: Any) -> EventEnvelope[Any]:
    """An envelope as the producing service would send it."""
    return EventEnvelope.wrap(data, source_service="bench", correlation_id=random_id())


def registration(batch_id: str, essays: int) -> EventEnvelope[Any]:
    """The batch's registration with `essays` slots."""
    return wrap(
        BatchEssaysRegisteredV1(
            batch_id=batch_id,
            user_id="bench-teacher",
            course_code=CourseCode.ENG6,
            essay_instructions="Write about a place.",
            expected_essay_count=essays,
            essay_ids=[random_id() for _ in range(essays)],
        )
    )


def upload_events(batch_id: str, essays: int) -> Run:
    """One upload's provisioned events for a batch, in upload order."""
    upload = UploadSummary(upload_id=random_id(), accepted_count=essays, rejected_count=0)
    return [
        wrap(
            EssayContentProvisionedV1(
                batch_id=batch_id,
                file_upload_id=random_id(),
                original_file_name=f"essay-{n}.docx",
                raw_storage_id=random_id(),
                text_storage_id=random_id(),
                content_sha256=hashlib.sha256(random_id().encode()).hexdigest(),
                file_size_bytes=2048,
                char_count=1800,
                word_count=320,
                upload=upload,
            )
        )
        for n in range(essays)
    ]
