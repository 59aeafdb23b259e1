"""End-to-end fixtures: talk to the stack `make up` runs, as the gateway will."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from common_core.enums import PhaseName
from common_core.envelope import EventEnvelope
from common_core.events import ClientBatchPipelineRequestV1
from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.kafka import KafkaEventProducer

ROOT = Path(__file__).resolve().parents[2]
RUN_DIR = Path(os.environ.get("HULEEDU_LOCAL_DIR", ROOT / ".local")) / "run"
KEY = os.environ.get("HULEEDU_INTERNAL_API_KEY", "dev-internal-api-key")
BOS = "http://127.0.0.1:5001"
FILES = "http://127.0.0.1:7001"
ELS = "http://127.0.0.1:6001"


@dataclass
class Platform:
    """The running services, reached over HTTP, and Kafka for the gateway's commands."""

    http: aiohttp.ClientSession
    producer: KafkaEventProducer
    teacher: str

    def _headers(self) -> dict[str, str]:
        return {"X-Internal-API-Key": KEY, "X-User-ID": self.teacher}

    async def call(self, method: str, url: str, **kwargs: Any) -> tuple[int, Any]:
        """One request; returns status and decoded JSON body."""
        async with self.http.request(method, url, headers=self._headers(), **kwargs) as resp:
            raw = await resp.read()
            return resp.status, json.loads(raw) if raw else None

    async def register_batch(self, course: str, count: int) -> dict[str, Any]:
        """Register a batch at the orchestrator."""
        status, body = await self.call(
            "POST",
            f"{BOS}/internal/v1/batches",
            json={
                "course_code": course,
                "essay_instructions": "Write an argumentative essay about school and technology.",
                "expected_essay_count": count,
            },
        )
        assert status == 201, body
        return dict(body)

    async def upload(self, batch_id: str, files: list[tuple[str, bytes]]) -> dict[str, Any]:
        """Upload files into the batch at the File Service."""
        form = aiohttp.FormData(quote_fields=False)
        for name, data in files:
            form.add_field("files", data, filename=name, content_type="application/octet-stream")
        status, body = await self.call(
            "POST", f"{FILES}/internal/v1/batches/{batch_id}/files", data=form
        )
        assert status == 201, body
        return dict(body)

    async def pipeline_state(self, batch_id: str) -> dict[str, Any]:
        """BOS's view of the batch."""
        status, body = await self.call(
            "GET", f"{BOS}/internal/v1/batches/{batch_id}/pipeline-state"
        )
        assert status == 200, body
        return dict(body)

    async def request_spellcheck(self, batch_id: str) -> None:
        """What the gateway does for a teacher's pipeline request."""
        data = ClientBatchPipelineRequestV1(
            batch_id=batch_id, user_id=self.teacher, requested_pipeline=PhaseName.SPELLCHECK
        )
        envelope = EventEnvelope.wrap(data, source_service="e2e", correlation_id=str(uuid.uuid4()))
        await self.producer.publish(envelope, key=batch_id)

    async def essay_status(self, batch_id: str) -> dict[str, Any]:
        """ELS's view of the batch's essays."""
        status, body = await self.call("GET", f"{ELS}/internal/v1/batches/{batch_id}/status")
        assert status == 200, body
        return dict(body)


async def wait_for(
    probe: Callable[[], Awaitable[Any]], *, seconds: float, what: str, poll: float = 0.5
) -> Any:
    """Poll until `probe` returns something truthy; fail with `what` at the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    last: Any = None
    while loop.time() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(poll)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}; last seen: {last!r}")


def kill_process(service: str, process: str) -> int:
    """SIGKILL one process of the stack (started by this test run's `make up`), by its pid."""
    pid = int((RUN_DIR / f"{service}-{process}.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    return pid


def restart_stack() -> None:
    """`stack.sh up` starts whatever is not running and waits until healthy."""
    subprocess.run(["/bin/bash", str(ROOT / "scripts" / "stack.sh"), "up"], check=True, timeout=180)


@pytest.fixture
async def platform() -> AsyncIterator[Platform]:
    """A fresh teacher talking to the running platform."""
    producer = KafkaEventProducer(InfraSettings().kafka_bootstrap_servers, client_id="e2e")
    await producer.start()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        yield Platform(http, producer, teacher=f"teacher-{uuid.uuid4().hex[:8]}")
    await producer.stop()


@dataclass(frozen=True)
class StackControl:
    """Crash and restart processes of the running stack; wait for conditions."""

    kill: Callable[[str, str], int] = kill_process
    restart: Callable[[], None] = restart_stack
    wait_for: Callable[..., Awaitable[Any]] = wait_for


@pytest.fixture
def stack() -> StackControl:
    """Process control and polling for e2e tests."""
    return StackControl()
