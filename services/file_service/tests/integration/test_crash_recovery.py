"""Crash after answering: a 201 promises the events, even if the process dies at once.

The File Service runs as a real process (`python -m file_service.app`) with no relay. It is
killed with SIGKILL the moment the 201 arrives; every accepted file's events must already be
in the outbox. Then the real worker process (`python -m file_service.worker`) publishes them:
each file's EssayContentProvisionedV1 reaches Kafka exactly once and the outbox empties.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from huleedu_service_libs.outbox import read_outbox_stats
from huleedu_testing import random_id
from huleedu_testing.fixtures import LIBS_TEST_DATABASE
from huleedu_testing.kafka_helpers import wait_until
from huleedu_testing.sample_files import docx_bytes, essay_text
from huleedu_testing.servers import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SERVICE_DIR = Path(__file__).resolve().parents[2]
ESSAYS = 12
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 30.0


def service_env(schema: str, **values: str) -> dict[str, str]:
    """This process's environment without FILE_SERVICE_* settings, plus the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILE_SERVICE_")}
    env.update(
        FILE_SERVICE_ENVIRONMENT="test",
        FILE_SERVICE_DATABASE_NAME=LIBS_TEST_DATABASE,
        FILE_SERVICE_DATABASE_SCHEMA=schema,
        FILE_SERVICE_LOG_FORMAT="json",
        FILE_SERVICE_OUTBOX_POLL_INTERVAL_SECONDS="0.5",
    )
    env.update(values)
    return env


@asynccontextmanager
async def service_process(
    module: str, env: dict[str, str], health_url: str, log_path: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """Start `python -m module`, wait until /healthz answers; kill it (by pid) if still running."""
    with log_path.open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            module,
            env=env,
            cwd=SERVICE_DIR,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        await wait_for_health(proc, health_url, log_path)
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def tail(log_path: Path) -> str:
    """The end of a process's log, for assertion messages."""
    return log_path.read_text(errors="replace")[-4000:]


async def wait_for_health(proc: asyncio.subprocess.Process, url: str, log_path: Path) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT_SECONDS
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        while True:
            assert proc.returncode is None, f"exited early:\n{tail(log_path)}"
            try:
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            assert loop.time() < deadline, f"{url} never healthy:\n{tail(log_path)}"
            await asyncio.sleep(0.1)


async def upload(url: str, batch_id: str, user_id: str, key: str) -> dict[str, Any]:
    form = aiohttp.FormData(quote_fields=False)
    for n in range(ESSAYS):
        essay = essay_text("sv", 400, header=f"Namn: Elev Nummer{n}", seed=n)
        form.add_field("files", docx_bytes(essay), filename=f"elev-{n}.docx")
    headers = {"X-User-ID": user_id, "X-Internal-API-Key": key}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{url}/internal/v1/batches/{batch_id}/files", data=form, headers=headers) as r,
    ):
        body: dict[str, Any] = await r.json()
        assert r.status == 201, body
        return body


async def test_accepted_files_are_published_exactly_once_after_a_crash(
    file_engine: AsyncEngine,
    file_schema: str,
    content_service_url: str,
    bos: Any,
    kafka: Any,
    internal_key: str,
    tmp_path: Path,
) -> None:
    batch_id, user_id = random_id(), random_id()
    bos.add_batch(batch_id, user_id)
    schema = file_schema
    common = {
        "FILE_SERVICE_INTERNAL_API_KEY": internal_key,
        "FILE_SERVICE_CONTENT_SERVICE_URL": content_service_url,
        "FILE_SERVICE_BOS_URL": bos.url,
    }

    # -- the HTTP process answers 201 and is killed at once; no relay runs -------------------
    http_port = free_port()
    env = service_env(schema, FILE_SERVICE_HTTP_PORT=str(http_port), **common)
    url = f"http://127.0.0.1:{http_port}"
    app_log = tmp_path / "app.log"
    async with service_process("file_service.app", env, f"{url}/healthz", app_log) as app:
        body = await upload(url, batch_id, user_id, internal_key)
        app.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(app.wait(), STOP_TIMEOUT_SECONDS) == -signal.SIGKILL

    accepted = {f["file_upload_id"] for f in body["files"] if f["status"] == "accepted"}
    assert len(accepted) == ESSAYS
    outbox = await read_outbox(file_engine)
    provisioned = {
        row["data"]["file_upload_id"]: row["event_id"]
        for row in outbox
        if row["event_type"] == "EssayContentProvisionedV1"
    }
    added = {
        row["data"]["file_upload_id"] for row in outbox if row["event_type"] == "BatchFileAddedV1"
    }
    assert set(provisioned) == accepted
    assert added == accepted
    outbox_event_ids = {row["event_id"] for row in outbox}

    # -- the worker process publishes the backlog ------------------------------------------
    worker_port = free_port()
    env = service_env(schema, FILE_SERVICE_WORKER_HTTP_PORT=str(worker_port), **common)
    health = f"http://127.0.0.1:{worker_port}/healthz"
    worker_log = tmp_path / "worker.log"

    def ours(record: Any) -> bool:
        return (
            kafka.batch_id_of(record) == batch_id
            or kafka.headers(record).get("event_id") in outbox_event_ids
        )

    async with service_process("file_service.worker", env, health, worker_log) as worker:
        records = await kafka.read_new(ours, expected=len(outbox), settle_seconds=2.0)
        await wait_until(
            lambda: outbox_is_empty(file_engine), timeout_seconds=30, what="an empty outbox"
        )
        worker.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(worker.wait(), STOP_TIMEOUT_SECONDS)
        assert code == 0, tail(worker_log)

    published = Counter(
        kafka.headers(r)["event_id"]
        for r in records
        if kafka.headers(r)["event_type"] == "EssayContentProvisionedV1"
    )
    assert published == Counter(set(provisioned.values())), "each provisioned event exactly once"
    every = Counter(kafka.headers(r)["event_id"] for r in records)
    assert every == Counter(outbox_event_ids)
    for record in records:
        if kafka.headers(record)["event_type"] == "EssayContentProvisionedV1":
            assert record.key.decode() == batch_id
            envelope = kafka.decode("EssayContentProvisionedV1", record.value)
            assert provisioned[envelope.data.file_upload_id] == str(envelope.event_id)


async def read_outbox(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT event_type, payload FROM event_outbox ORDER BY id"))
        return [{"event_type": row.event_type, **json.loads(bytes(row.payload))} for row in rows]


async def outbox_is_empty(engine: AsyncEngine) -> bool:
    stats = await read_outbox_stats(engine)
    async with engine.connect() as conn:
        rows = int(await conn.scalar(text("SELECT count(*) FROM event_outbox")) or 0)
    return stats.pending == 0 and rows == 0
