"""End-to-end fixtures: teachers at the public gateway, and process control of the stack."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_testing.gateway_client import GatewayClient
from huleedu_testing.platform_client import PlatformClient

ROOT = Path(__file__).resolve().parents[2]
RUN_DIR = Path(os.environ.get("HULEEDU_LOCAL_DIR", ROOT / ".local")) / "run"


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
async def platform() -> AsyncIterator[PlatformClient]:
    """A fresh teacher talking to the running platform."""
    producer = KafkaEventProducer(InfraSettings().kafka_bootstrap_servers, client_id="e2e")
    await producer.start()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        yield PlatformClient(http, producer)
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


@pytest.fixture
async def gateway_http() -> AsyncIterator[aiohttp.ClientSession]:
    """One HTTP session for a test's teachers."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        yield http


@pytest.fixture
async def teacher(gateway_http: aiohttp.ClientSession) -> GatewayClient:
    """A fresh teacher, logged in at the gateway with a development token."""
    client = GatewayClient(gateway_http)
    await client.login()
    return client


@pytest.fixture
async def other_teacher(gateway_http: aiohttp.ClientSession) -> GatewayClient:
    """A second, unrelated teacher."""
    client = GatewayClient(gateway_http)
    await client.login()
    return client
