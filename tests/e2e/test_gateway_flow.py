"""The batch flow driven only through the gateway: REST for actions, WebSocket for progress."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from huleedu_testing.gateway_client import GatewayClient
from huleedu_testing.sample_files import docx_bytes, essay_text, pdf_bytes, txt_bytes

pytestmark = pytest.mark.e2e

MISTAKES = "I think that alot of students recieve to much homework becuase teachers want results."

# Causally ordered steps of one batch as its teacher sees them on the socket: each step
# only happens after the one before it was committed (and notified) by its service.
ORDERED_STEPS = (
    "batch_registered",
    "files_uploaded",
    "batch_ready",
    "phase_started",
    "pipeline_completed",
    "batch_results_ready",
)


def english_essay(seed: int, student: str) -> str:
    """A team-written English essay with a student header and known misspellings."""
    return f"Name: {student}\n\n{MISTAKES}\n\n" + essay_text("en", 320, seed=seed)


async def test_batch_flow_through_gateway_and_websocket(
    teacher: GatewayClient, other_teacher: GatewayClient
) -> None:
    socket = await teacher.open_socket()
    other_socket = await other_teacher.open_socket()
    try:
        batch = await teacher.register_batch("ENG5", 3)
        batch_id = batch["batch_id"]
        async with asyncio.timeout(30):
            await socket.wait_for("batch_registered", batch_id)
        upload = await teacher.upload(
            batch_id,
            [
                ("Åsa Öberg.docx", docx_bytes(english_essay(11, "Åsa Öberg"))),
                ("erik.pdf", pdf_bytes(english_essay(12, "Erik Lind"))),
                ("sara.txt", txt_bytes(english_essay(13, "Sara Berg"), "utf-8")),
            ],
        )
        assert upload["accepted_count"] == 3, upload
        assert {f["filename"] for f in upload["files"]} >= {"Åsa Öberg.docx"}

        async with asyncio.timeout(90):
            await socket.wait_for("batch_ready", batch_id)
        accepted = await teacher.request_pipeline(batch_id)
        assert accepted["batch_id"] == batch_id
        async with asyncio.timeout(120):
            await socket.wait_for("batch_results_ready", batch_id)

        seen = [n["notification_type"] for n in socket.of_batch(batch_id)]
        positions = [seen.index(step) for step in ORDERED_STEPS]
        assert positions == sorted(positions), seen
        progress = [i for i, kind in enumerate(seen) if kind == "essay_results_available"]
        assert len(progress) == 3, seen
        assert positions[3] < min(progress), seen
        assert max(progress) < positions[5], seen
        assert len({n["event_id"] for n in socket.of_batch(batch_id)}) == len(seen), "no repeats"

        status = await teacher.batch(batch_id)
        assert status["status"] == "completed", status
        assert status["user_id"] == teacher.user_id
        assert len(status["essays"]) == 3
        essay_id = status["essays"][0]["essay_id"]
        result = await teacher.essay(batch_id, essay_id)
        spelling = result["spellcheck"]
        words = {m["word"].lower() for m in spelling["misspellings"]}
        assert {"alot", "recieve", "becuase"} <= words, words
        assert "receive" in spelling["corrected_text"]
        original = await teacher.expect(
            200, "GET", f"/v1/batches/{batch_id}/essays/{essay_id}/text"
        )
        assert original["text_storage_id"] == result["text_storage_id"]
        for miss in spelling["misspellings"]:
            assert original["text"][miss["start"] : miss["end"]] == miss["word"], miss
        # Every flag says why; the counts per category add up, per essay and for the batch.
        flagged = [m["category"] for m in spelling["misspellings"]]
        assert sum(spelling["category_counts"].values()) == len(flagged)
        assert {c: flagged.count(c) for c in spelling["category_counts"]} == spelling[
            "category_counts"
        ]
        assert sum(status["category_counts"].values()) == sum(
            e["misspelling_count"] or 0 for e in status["essays"]
        )
        # Processing is over, yet the owner still reads the batch's files.
        files = await teacher.expect(200, "GET", f"/v1/batches/{batch_id}/files")
        assert len(files["files"]) == 3

        listed = await teacher.expect(200, "GET", "/v1/batches?status=completed&limit=5")
        assert batch_id in {item["batch_id"] for item in listed["items"]}
    finally:
        await socket.close()
        await other_socket.close()
    assert not other_socket.of_batch(batch_id), "another teacher saw nothing of this batch"
    assert all(n.get("batch_id") != batch_id for n in other_socket.received)


async def test_another_teachers_batch_is_indistinguishable_from_a_missing_one(
    teacher: GatewayClient, other_teacher: GatewayClient
) -> None:
    batch = await teacher.register_batch("SV2", 1)
    batch_id, essay_id = batch["batch_id"], batch["essay_ids"][0]
    upload = await teacher.upload(
        batch_id, [("elev.txt", txt_bytes(essay_text("sv", 200), "utf-8"))]
    )
    file_id = upload["files"][0]["file_upload_id"]
    missing = "00000000-0000-4000-8000-000000000000"

    probes: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/v1/batches/{b}", {}),
        ("GET", "/v1/batches/{b}/essays/{e}", {}),
        ("GET", "/v1/batches/{b}/essays/{e}/text", {}),
        ("GET", "/v1/batches/{b}/files", {}),
        ("DELETE", "/v1/batches/{b}/files/{f}", {}),
        ("POST", "/v1/batches/{b}/pipelines", {"json": {"pipeline": "spellcheck"}}),
    ]
    for method, template, kwargs in probes:
        foreign = template.format(b=batch_id, e=essay_id, f=file_id)
        unknown = template.format(b=missing, e=missing, f=missing)
        got, body, _ = await other_teacher.call(method, foreign, **kwargs)
        got_missing, body_missing, _ = await other_teacher.call(method, unknown, **kwargs)
        assert (got, got_missing) == (404, 404), (method, template, body, body_missing)
        assert body["error"]["code"] == body_missing["error"]["code"], (body, body_missing)
        assert body["error"]["message"].replace(batch_id, missing) == body_missing["error"][
            "message"
        ].replace(batch_id, missing)

    files = [("intrång.txt", txt_bytes(essay_text("sv", 200, seed=5), "utf-8"))]
    await other_teacher.upload(batch_id, files, status=404)
    # The owner still sees their file: nothing the other teacher did changed it.
    assert len((await teacher.expect(200, "GET", f"/v1/batches/{batch_id}/files"))["files"]) == 1
