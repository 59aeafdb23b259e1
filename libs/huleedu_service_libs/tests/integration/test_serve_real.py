"""serve_quart on real sockets with hypercorn and uvicorn: lifecycle hooks and graceful stop."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field

import httpx
import pytest
from dishka import Provider, make_async_container

from huleedu_service_libs.config import ServiceSettings
from huleedu_service_libs.http import create_quart_app, serve_quart

pytestmark = pytest.mark.integration

SERVERS = ["hypercorn", "uvicorn"]

SERVER_SCRIPT = """
import asyncio, sys
from dishka import Provider, make_async_container
from huleedu_service_libs.config import ServiceSettings
from huleedu_service_libs.http import create_quart_app, serve_quart

async def main() -> None:
    settings = ServiceSettings(
        service_name="serve-test", http_port=int(sys.argv[1]), http_server=sys.argv[2]
    )
    async def startup() -> None:
        print("HOOK startup", flush=True)
    async def shutdown() -> None:
        print("HOOK shutdown", flush=True)
    app = create_quart_app(
        settings, make_async_container(Provider()), on_startup=[startup], on_shutdown=[shutdown]
    )
    await serve_quart(app, settings)
    print("HOOK returned", flush=True)

asyncio.run(main())
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@dataclass
class Events:
    seen: list[str] = field(default_factory=list)


async def _wait_healthy(url: str, deadline_seconds: float = 15.0) -> httpx.Response:
    deadline = time.monotonic() + deadline_seconds
    async with httpx.AsyncClient(timeout=1.0) as client:
        while True:
            try:
                return await client.get(url)
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.05)


@pytest.mark.parametrize("server", SERVERS)
async def test_serves_until_the_shutdown_event(server: str) -> None:
    port = _free_port()
    settings = ServiceSettings(service_name=f"serve-{server}", http_port=port, http_server=server)
    events = Events()

    async def startup() -> None:
        events.seen.append("startup")

    async def shutdown() -> None:
        events.seen.append("shutdown")

    app = create_quart_app(
        settings, make_async_container(Provider()), on_startup=[startup], on_shutdown=[shutdown]
    )
    stop = asyncio.Event()
    serving = asyncio.create_task(serve_quart(app, settings, shutdown_event=stop))
    try:
        response = await _wait_healthy(f"http://127.0.0.1:{port}/healthz")
        assert response.status_code == 200
        assert response.json()["service"] == f"serve-{server}"
        assert "x-correlation-id" in response.headers
        assert events.seen == ["startup"]
        async with httpx.AsyncClient() as client:
            live = await client.get(f"http://127.0.0.1:{port}/healthz/live")
        assert live.status_code == 200, live.json()
        assert live.json()["checks"]["event_loop"]["ok"] is True
    finally:
        stop.set()
        await asyncio.wait_for(serving, timeout=15)
    assert events.seen == ["startup", "shutdown"]


async def test_unknown_server_is_refused() -> None:
    settings = ServiceSettings(http_server="gunicorn")
    app = create_quart_app(settings, make_async_container(Provider()))
    with pytest.raises(ValueError, match="http_server must be one of"):
        await serve_quart(app, settings)


@pytest.mark.slow
@pytest.mark.parametrize("server", SERVERS)
def test_sigterm_stops_gracefully(server: str) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER_SCRIPT, str(port), server],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1.0)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.1)
        assert response.status_code == 200
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, output
    lines = [line for line in output.splitlines() if line.startswith("HOOK")]
    assert lines == ["HOOK startup", "HOOK shutdown", "HOOK returned"]
