"""Essays naming another course than the batch: 422 MIXED_COURSES over HTTP, nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
from structlog.testing import capture_logs

from common_core.enums import CourseCode
from huleedu_testing.sample_files import docx_bytes, essay_text, pdf_bytes
from huleedu_testing.servers import free_port

pytestmark = pytest.mark.integration


def essay(header: str, seed: int) -> str:
    return essay_text("en", 300, header=header, seed=seed)


@pytest.fixture
async def eng5(stack: Any) -> Any:
    """The test's batch, registered in the orchestrator stub as an ENG5 batch."""
    stack.bos.add_batch(stack.batch_id, stack.user_id, course_code=CourseCode.ENG5)
    return stack


async def assert_nothing_stored(stack: Any) -> None:
    assert await stack.file_rows() == []
    assert await stack.blob_count() == 0
    assert await stack.outbox() == []


async def test_an_essay_of_another_course_refuses_the_whole_upload(eng5: Any) -> None:
    files = [
        ("essay1.docx", docx_bytes(essay("Name: Erik Berg\nCourse: English 5", 1))),
        ("essay2.docx", docx_bytes(essay("Namn: Åsa Öberg\nKurs: Svenska 1", 2))),
        ("essay3.pdf", pdf_bytes(essay("Name: Sara Lind", 3))),
        # Rejected for another reason, so its course does not count.
        ("kort.txt", b"Kurs: Engelska 7\n\nToo short."),
    ]
    correlation_id = f"it-mixed-{eng5.batch_id}"

    with capture_logs() as logs:
        answer = await eng5.client.upload(files, correlation_id=correlation_id)

    assert answer.status == 422, answer.body
    error = answer.error
    assert error["code"] == "MIXED_COURSES"
    assert error["correlation_id"] == correlation_id
    assert error["message"].startswith(
        "These essays name a different course than the batch (ENG5): essay2.docx names SV1"
    )
    assert error["details"] == {
        "batch_id": eng5.batch_id,
        "batch_course": "ENG5",
        "named_courses": {"essay2.docx": "SV1"},
    }
    await assert_nothing_stored(eng5)
    [line] = [entry for entry in logs if entry["event"] == "file.upload_mixed_courses"]
    assert (line["correlation_id"], line["batch_id"]) == (correlation_id, eng5.batch_id)
    assert (line["named_courses"], line["offending_files"]) == (["SV1"], 1)
    assert "essay2.docx" not in repr(line)  # filenames often carry the student's name


async def test_essays_of_the_batch_course_or_none_are_accepted(eng5: Any) -> None:
    files = [
        ("essay1.docx", docx_bytes(essay("Name: Erik Berg / Course: English 5", 4))),
        ("essay2.docx", docx_bytes(essay("Namn: Åsa Öberg, NA22b, ENG5", 5))),
        ("essay3.pdf", pdf_bytes(essay("Name: Sara Lind", 6))),
    ]

    answer = await eng5.client.upload(files)

    assert answer.status == 201, answer.body
    assert (answer.body["accepted_count"], answer.body["rejected_count"]) == (3, 0)
    assert len(await eng5.file_rows()) == 3
    assert await eng5.blob_count() == 6
    assert await eng5.outbox_types() == sorted(
        ["EssayContentProvisionedV1"] * 3
        + ["BatchFileAddedV1"] * 3
        + ["StudentParsingCompletedV1", "TeacherNotificationRequestedV1"]
    )


async def test_a_refused_upload_can_be_sent_again_without_the_odd_essay(eng5: Any) -> None:
    good = ("essay1.docx", docx_bytes(essay("Kurs: Engelska 5", 7)))
    odd = ("essay2.docx", docx_bytes(essay("Kurs: Engelska 6", 8)))

    refused = await eng5.client.upload([good, odd])
    assert (refused.status, refused.error["code"]) == (422, "MIXED_COURSES")
    assert refused.error["details"]["named_courses"] == {"essay2.docx": "ENG6"}
    await assert_nothing_stored(eng5)

    accepted = await eng5.client.upload([good])
    assert accepted.status == 201, accepted.body
    [row] = await eng5.file_rows()
    assert row["original_file_name"] == "essay1.docx"


async def test_without_the_batch_check_one_upload_may_name_only_one_course(
    make_stack: Any,
) -> None:
    stack = await make_stack(bos_check_enabled=False, bos_url=f"http://127.0.0.1:{free_port()}")
    files = [
        ("a.docx", docx_bytes(essay("Course: ENG6", 9))),
        ("b.docx", docx_bytes(essay("Kurs: Svenska 2", 10))),
    ]

    answer = await stack.client.upload(files)

    assert (answer.status, answer.error["code"]) == (422, "MIXED_COURSES")
    assert answer.error["details"]["batch_course"] is None
    assert answer.error["details"]["named_courses"] == {"a.docx": "ENG6", "b.docx": "SV2"}
    await assert_nothing_stored(stack)
