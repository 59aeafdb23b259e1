"""Serve a Quart app for real over HTTP on a free loopback port, for tests and benchmarks."""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
from quart import Quart

from huleedu_service_libs.config import ServiceSettings
from huleedu_service_libs.http import serve_quart

__all__ = [
    "free_port",
    "free_port_below_ephemeral",
    "serve_in_background",
    "wait_until_answering",
]

LOOPBACK = "127.0.0.1"
STARTUP_TIMEOUT_SECONDS = 30.0
SHUTDOWN_TIMEOUT_SECONDS = 30.0
# Ports free_port_below_ephemeral gave this process (several stubs pick theirs before any binds).
_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
    return port


def free_port_below_ephemeral(low_bound: int = 20000) -> int:
    """A free loopback port below Linux's ephemeral range, for servers a test restarts.

    A port the kernel hands out (bind to 0) lies inside the ephemeral range, where a client's
    own outgoing socket can take it while the server is down, so the server cannot bind it
    again: the defect that kept Kafka from restarting for minutes.
    """
    try:
        ceiling = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        ceiling = 32768
    for port in random.sample(range(low_bound, ceiling), k=200):
        # Servers bind their port later than this check: never hand one port out twice.
        if port in _HANDED_OUT:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((LOOPBACK, port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    raise RuntimeError(f"no free loopback port in {low_bound}-{ceiling}")


async def wait_until_answering(
    url: str,
    *,
    timeout_seconds: float = STARTUP_TIMEOUT_SECONDS,
    serving: asyncio.Task[None] | None = None,
) -> None:
    """Poll `url` until any HTTP response arrives (a 503 still proves the server is up).

    With `serving`, give up at once when that task ends first, re-raising its error.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_seconds
    probe_timeout = aiohttp.ClientTimeout(total=2.0)
    async with aiohttp.ClientSession(timeout=probe_timeout) as http:
        while True:
            if serving is not None and serving.done():
                serving.result()
                raise RuntimeError(f"server stopped before {url} answered")
            try:
                async with http.get(url) as response:
                    await response.read()
                    return
            except (aiohttp.ClientError, TimeoutError):
                if loop.time() >= deadline:
                    raise TimeoutError(f"{url} did not answer within {timeout_seconds}s") from None
            await asyncio.sleep(0.05)


@asynccontextmanager
async def serve_in_background(app: Quart, settings: ServiceSettings) -> AsyncIterator[str]:
    """Serve `app` with settings.http_server on a free loopback port; yield its base URL.

    The app's startup hooks have run when the block starts; on exit the server stops
    gracefully (shutdown hooks included) and an error raised while serving propagates.
    """
    port = free_port()
    served = settings.model_copy(update={"http_host": LOOPBACK, "http_port": port})
    stop = asyncio.Event()
    serving = asyncio.create_task(
        serve_quart(app, served, shutdown_event=stop), name=f"serve-{settings.service_name}"
    )
    base_url = f"http://{LOOPBACK}:{port}"
    try:
        await wait_until_answering(f"{base_url}/healthz", serving=serving)
    except BaseException:
        # Not retried on another port: the app's startup hooks may already have run.
        with contextlib.suppress(BaseException):
            await _stop(serving, stop)
        raise
    try:
        yield base_url
    finally:
        await _stop(serving, stop)


async def _stop(serving: asyncio.Task[None], stop: asyncio.Event) -> None:
    """Set the shutdown event and wait for the server; its own error (if any) propagates."""
    stop.set()
    # wait_for cancels the task if it overstays, then raises TimeoutError.
    await asyncio.wait_for(serving, timeout=SHUTDOWN_TIMEOUT_SECONDS)
