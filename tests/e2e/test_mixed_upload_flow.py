"""Uploads that mix good essays with rejected files never strand the good ones.

Through the public gateway and socket only: the rejected files' events and the accepted
essays' events travel on different topics, so the platform must wait for every accepted essay
of an upload before it calls the batch ready, count the rejections, and tell the teacher when
nothing usable came.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from huleedu_testing.gateway_client import GatewayClient, Notifications
from huleedu_testing.sample_files import docx_bytes, essay_text, pdf_bytes, txt_bytes

from .conftest import wait_for

pytestmark = pytest.mark.e2e

TOO_SHORT = b"Name: Kim\n\nToo short to be an essay."


def unique_essay(student: str, topic: str, seed: int) -> str:
    """An English essay whose first paragraph makes it unlike every other essay of the test."""
    opening = (
        f"Name: {student}\n\nMy view on {topic} is shaped by what happened to {student} "
        f"in year {2000 + seed}, when I recieved advice I still remember."
    )
    return f"{opening}\n\n" + essay_text("en", 260, seed=seed)


async def ready_view(teacher: GatewayClient, batch_id: str) -> dict[str, Any] | None:
    """The batch's status once the Result Aggregator shows it ready, else None."""
    status = await teacher.batch(batch_id)
    return status if status["status"] == "ready_for_pipeline" else None


async def rejected_counted(teacher: GatewayClient, batch_id: str, count: int) -> bool:
    """True once the batch's view counts `count` rejected files."""
    return bool((await teacher.batch(batch_id))["rejected_file_count"] == count)


async def run_to_completion(
    teacher: GatewayClient, batch_id: str, socket: Notifications
) -> dict[str, Any]:
    """Request spellcheck and wait until the teacher's results are ready."""
    await teacher.request_pipeline(batch_id)
    async with asyncio.timeout(150):
        await socket.wait_for("batch_results_ready", batch_id)
    return await teacher.batch(batch_id)


async def test_one_good_essay_among_rejected_files_is_processed(teacher: GatewayClient) -> None:
    socket = await teacher.open_socket()
    try:
        batch_id = (await teacher.register_batch("ENG6", 2))["batch_id"]
        upload = await teacher.upload(
            batch_id,
            [
                ("empty.txt", b""),
                ("short.txt", TOO_SHORT),
                ("linnea.docx", docx_bytes(unique_essay("Linnea Holm", "school uniforms", 1))),
            ],
        )
        assert (upload["accepted_count"], upload["rejected_count"]) == (1, 2), upload

        async with asyncio.timeout(90):
            ready = await socket.wait_for("batch_ready", batch_id)
        assert ready["payload"]["ready_essay_count"] == 1, ready
        # The views follow the same events on their own consumer: wait for them to catch up.
        status = await wait_for(
            lambda: ready_view(teacher, batch_id), seconds=30, what="the ready view"
        )
        assert status["assigned_essay_count"] == 1
        assert status["rejected_file_count"] == 2, status
        assert {f["error_code"] for f in status["rejected_files"]} == {
            "EMPTY_FILE",
            "CONTENT_TOO_SHORT",
        }
        kinds = [n["notification_type"] for n in socket.of_batch(batch_id)]
        assert "excess_content" not in kinds, kinds

        done = await run_to_completion(teacher, batch_id, socket)
        assert done["status"] == "completed", done
        assert done["processed_essay_count"] == 1
        [essay] = [e for e in done["essays"] if e["file_upload_id"]]
        assert essay["filename"] == "linnea.docx"
        assert essay["status"] == "spellcheck_succeeded", essay
    finally:
        await socket.close()


async def test_only_rejected_files_tell_the_teacher_and_a_new_upload_recovers(
    teacher: GatewayClient,
) -> None:
    socket = await teacher.open_socket()
    try:
        batch_id = (await teacher.register_batch("ENG6", 2))["batch_id"]
        # Every file refused: 422, yet each refusal is recorded (the batch counts them).
        refused = await teacher.upload(batch_id, [("a.txt", b""), ("b.txt", TOO_SHORT)], status=422)
        assert len(refused["error"]["details"]["files"]) == 2, refused

        async with asyncio.timeout(60):
            told = await socket.wait_for("batch_no_usable_essays", batch_id)
        assert told["action_required"], told
        status, body, _ = await teacher.call(
            "POST", f"/v1/batches/{batch_id}/pipelines", json={"pipeline": "spellcheck"}
        )
        assert status == 409, body
        assert body["error"]["code"] == "PIPELINE_NOT_READY"
        await wait_for(
            lambda: rejected_counted(teacher, batch_id, 2), seconds=30, what="rejections"
        )

        good = pdf_bytes(unique_essay("Omar Said", "public transport", 2))
        await teacher.upload(batch_id, [("omar.pdf", good)])
        async with asyncio.timeout(90):
            await socket.wait_for("batch_ready", batch_id)
        done = await run_to_completion(teacher, batch_id, socket)
        assert done["status"] == "completed", done
        assert [e["filename"] for e in done["essays"] if e.get("filename")] == ["omar.pdf"]
    finally:
        await socket.close()


async def test_a_large_mixed_upload_keeps_every_accepted_essay(teacher: GatewayClient) -> None:
    # The trial that found the defect: 23 files of which 6 were good, all 6 dropped.
    socket = await teacher.open_socket()
    try:
        batch_id = (await teacher.register_batch("ENG6", 20))["batch_id"]
        good = [
            (f"essay-{i}.txt", txt_bytes(unique_essay(f"Student {i}", "homework", 10 + i), "utf-8"))
            for i in range(6)
        ]
        bad = [(f"blank-{i}.txt", b"" if i % 2 else TOO_SHORT + str(i).encode()) for i in range(17)]
        upload = await teacher.upload(batch_id, bad[:9] + good + bad[9:])
        assert (upload["accepted_count"], upload["rejected_count"]) == (6, 17), upload

        async with asyncio.timeout(90):
            ready = await socket.wait_for("batch_ready", batch_id)
        assert ready["payload"]["ready_essay_count"] == 6, ready
        done = await run_to_completion(teacher, batch_id, socket)
        assert done["processed_essay_count"] == 6, done
        assert done["rejected_file_count"] == 17
    finally:
        await socket.close()
