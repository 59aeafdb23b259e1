"""A class batch via the gateway: roster, batch, upload, suggested authors, confirmation, run."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from huleedu_testing.gateway_client import GatewayClient, GatewayError
from huleedu_testing.sample_files import docx_bytes, essay_text, txt_bytes

pytestmark = pytest.mark.e2e

# Exported from a Swedish spreadsheet: semicolons, Swedish headers, "Last, First" names.
ROSTER_CSV = (
    "Namn;E-post\n"
    "Öberg, Åsa;asa.oberg@elev.skola.se\n"
    "Lind, Erik;erik.lind@elev.skola.se\n"
    "Holm, Erik;erik.holm@elev.skola.se\n"
    "Berg, Sara;sara.berg@elev.skola.se\n"
    "Nyström, Johanna;johanna.nystrom@elev.skola.se\n"
    "Karlsson, Ali;ali.karlsson@elev.skola.se\n"
).encode()


async def eventually(
    read: Callable[[], Awaitable[dict[str, Any]]], done: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Poll `read` until `done` holds (views are updated by their own consumers)."""
    async with asyncio.timeout(30):
        while True:
            body = await read()
            if done(body):
                return body
            await asyncio.sleep(0.2)


def essay(header: str, seed: int) -> str:
    """An English essay whose first lines say (more or less well) who wrote it."""
    return f"{header}\n\n" + essay_text("en", 300, seed=seed)


async def test_class_batch_waits_for_confirmed_authors_then_runs(
    teacher: GatewayClient, other_teacher: GatewayClient
) -> None:
    school_class = await teacher.create_class("9A engelska", "ENG5")
    class_id = school_class["class_id"]
    imported = await teacher.import_roster(class_id, ROSTER_CSV, filename="klasslista 9A.csv")
    assert imported["created_count"] == 6, imported
    roster = await teacher.class_detail(class_id)
    by_name = {f"{s['first_name']} {s['last_name']}": s["student_id"] for s in roster["students"]}
    assert set(by_name) >= {"Åsa Öberg", "Erik Lind", "Sara Berg"}, by_name

    # Another teacher cannot see the class, nor register a batch against it.
    status, body, _ = await other_teacher.call("GET", f"/v1/classes/{class_id}")
    assert status == 404, body
    with pytest.raises(GatewayError) as foreign:
        await other_teacher.register_batch("ENG5", 1, class_id=class_id)
    assert foreign.value.status == 404
    # A batch for another course than the class's is refused.
    with pytest.raises(GatewayError) as mixed:
        await teacher.register_batch("SV1", 1, class_id=class_id)
    assert mixed.value.status == 422
    assert mixed.value.body["error"]["code"] == "MIXED_COURSES"

    socket = await teacher.open_socket()
    try:
        batch = await teacher.register_batch("ENG5", 3, class_id=class_id)
        batch_id = batch["batch_id"]
        upload = await teacher.upload(
            batch_id,
            [
                # Missing diacritics, an email only, and a typo in the surname.
                ("asa.docx", docx_bytes(essay("Namn: Asa Oberg\nKlass: 9A", 21))),
                ("e.txt", txt_bytes(essay("erik.lind@elev.skola.se", 22), "utf-8")),
                ("sara.txt", txt_bytes(essay("Name: Sara Bergh", 23), "utf-8")),
            ],
        )
        assert upload["accepted_count"] == 3, upload
        async with asyncio.timeout(90):
            await socket.wait_for("student_matching_required", batch_id)

        # The Result Aggregator consumes readiness on its own: wait for its view to catch up.
        await eventually(
            lambda: teacher.batch(batch_id),
            lambda body: body["status"] == "awaiting_student_validation",
        )
        status, body, _ = await teacher.call(
            "POST", f"/v1/batches/{batch_id}/pipelines", json={"pipeline": "spellcheck"}
        )
        assert status == 409, body

        suggested = await eventually(
            lambda: teacher.associations(batch_id),
            lambda body: (
                sum(a["suggested_student_id"] is not None for a in body["associations"]) == 3
            ),
        )
        assert suggested["status"] == "pending_validation", suggested
        by_file = {a["filename"]: a for a in suggested["associations"]}
        assert by_file["e.txt"]["suggested_student_id"] == by_name["Erik Lind"]
        assert by_file["e.txt"]["confidence"] == 1.0
        assert by_file["asa.docx"]["suggested_student_id"] == by_name["Åsa Öberg"]
        assert by_file["sara.txt"]["suggested_student_id"] == by_name["Sara Berg"]
        status, body, _ = await other_teacher.call("GET", f"/v1/batches/{batch_id}/associations")
        assert status == 404, body

        # The teacher corrects one essay (it was really Erik Holm's) and accepts the rest.
        corrected = by_file["e.txt"]["essay_id"]
        confirmed = await teacher.confirm_associations(
            batch_id, {corrected: by_name["Erik Holm"]}, accept_suggestions=True
        )
        assert confirmed["status"] == "confirmed", confirmed
        authors = {a["essay_id"]: a["student_id"] for a in confirmed["associations"]}
        assert authors[corrected] == by_name["Erik Holm"]

        async with asyncio.timeout(60):
            await socket.wait_for("batch_ready", batch_id)
        await teacher.request_pipeline(batch_id)
        async with asyncio.timeout(120):
            await socket.wait_for("batch_results_ready", batch_id)
        final = await teacher.batch(batch_id)
        assert final["status"] == "completed", final
        kinds = [n["notification_type"] for n in socket.of_batch(batch_id)]
        assert kinds.index("student_matching_required") < kinds.index("batch_ready"), kinds
    finally:
        await socket.close()
