"""One pipeline request sent twice under one Idempotency-Key through the gateway: one run."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from huleedu_testing.gateway_client import GatewayClient
from huleedu_testing.sample_files import essay_text, txt_bytes

pytestmark = pytest.mark.e2e


async def request_pipeline(teacher: GatewayClient, batch_id: str, key: str) -> tuple[int, Any]:
    """POST the spellcheck pipeline under `key`; status and body."""
    status, body, headers = await teacher.call(
        "POST",
        f"/v1/batches/{batch_id}/pipelines",
        json={"pipeline": "spellcheck"},
        headers={"Idempotency-Key": key},
    )
    if status == 202:
        assert {k.lower(): v for k, v in headers.items()}["idempotency-key"] == key
    return status, body


async def test_a_pipeline_requested_twice_under_one_key_runs_once(
    teacher: GatewayClient, other_teacher: GatewayClient
) -> None:
    socket = await teacher.open_socket()
    try:
        batch_id = (await teacher.register_batch("ENG5", 2))["batch_id"]
        essays = [
            (
                f"student-{n}.txt",
                txt_bytes(essay_text("en", 250, header=f"Name: Student {n}", seed=n), "utf-8"),
            )
            for n in (41, 42)
        ]
        upload = await teacher.upload(batch_id, essays)
        assert upload["accepted_count"] == 2, upload
        async with asyncio.timeout(90):
            await socket.wait_for("batch_ready", batch_id)

        key = str(uuid.uuid4())
        first_status, first = await request_pipeline(teacher, batch_id, key)
        again_status, again = await request_pipeline(teacher, batch_id, key)
        # Another teacher's request under the same key is about their batch only: a 404 here.
        stranger_status, _ = await request_pipeline(other_teacher, batch_id, key)

        assert (first_status, again_status, stranger_status) == (202, 202, 404), (first, again)
        assert again["request_id"] == first["request_id"]
        async with asyncio.timeout(120):
            await socket.wait_for("batch_results_ready", batch_id)

        after_status, after = await request_pipeline(teacher, batch_id, key)
        new_key_status, new_key = await request_pipeline(teacher, batch_id, str(uuid.uuid4()))
        assert after_status == 202, after
        assert (after["request_id"], after["replayed"]) == (first["request_id"], True)
        assert new_key_status == 409, new_key
        assert new_key["error"]["code"] == "PIPELINE_ALREADY_RUNNING"
        await asyncio.sleep(3)  # room for a second run's notifications, were there one

        kinds = [n["notification_type"] for n in socket.of_batch(batch_id)]
        assert kinds.count("phase_started") == 1, kinds
        assert kinds.count("pipeline_completed") == 1, kinds
        assert "pipeline_denied" not in kinds, kinds
        batch = await teacher.batch(batch_id)
        assert batch["status"] == "completed", batch
    finally:
        await socket.close()
