"""A teacher's socket resumes: reconnecting with the last event id replays what was missed."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from huleedu_testing.gateway_client import GatewayClient

pytestmark = pytest.mark.e2e

SETTLE_SECONDS = 1.5


async def test_a_socket_reconnecting_with_its_last_event_id_gets_what_it_missed_once(
    teacher: GatewayClient,
) -> None:
    # The watcher stays connected throughout: it proves the missed notifications were
    # bridged before the resumed socket existed, so they can only reach it by replay.
    watcher = await teacher.open_socket()
    leaving = await teacher.open_socket()
    try:
        first = await teacher.register_batch("ENG5", 1)
        async with asyncio.timeout(30):
            seen = await leaving.wait_for("batch_registered", first["batch_id"])
        await leaving.close()

        missed = [await teacher.register_batch(course, 1) for course in ("SV1", "ENG6")]
        async with asyncio.timeout(30):
            for batch in missed:
                await watcher.wait_for("batch_registered", batch["batch_id"])

        resumed = await teacher.open_socket(last_event_id=seen["event_id"])
        await asyncio.sleep(SETTLE_SECONDS)
        await resumed.close()
    finally:
        await watcher.close()

    registered = [f for f in resumed.replayed if f.get("notification_type") == "batch_registered"]
    assert [f["batch_id"] for f in registered] == [b["batch_id"] for b in missed]
    assert all(f.get("type") != "gap" for f in resumed.replayed), resumed.replayed
    event_ids = [n["event_id"] for n in resumed.received]
    assert seen["event_id"] not in event_ids
    assert len(event_ids) == len(set(event_ids)), "no notification twice on one socket"


async def test_an_unknown_last_event_id_gets_a_gap_and_what_the_log_holds(
    teacher: GatewayClient,
) -> None:
    watcher = await teacher.open_socket()
    try:
        batch = await teacher.register_batch("SV2", 1)
        async with asyncio.timeout(30):
            notified = await watcher.wait_for("batch_registered", batch["batch_id"])

        resumed = await teacher.open_socket(last_event_id=str(uuid.uuid4()))
        await resumed.close()
    finally:
        await watcher.close()

    assert resumed.replayed[0] == {"type": "gap", "reason": "unknown_position"}
    assert notified["event_id"] in {f.get("event_id") for f in resumed.replayed}
