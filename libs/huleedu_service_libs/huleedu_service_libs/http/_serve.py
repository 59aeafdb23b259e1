"""Run an ASGI app (Quart or FastAPI) with hypercorn or uvicorn until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator
from typing import Any

from huleedu_service_libs.config import ServiceSettings
from huleedu_service_libs.http._shared import logger

__all__ = ["serve_asgi"]

GRACEFUL_TIMEOUT_SECONDS = 10
_SERVERS = ("hypercorn", "uvicorn")


def _bind_address(host: str, port: int) -> str:
    # IPv6 literals need brackets in a bind string.
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


def _install_signal_handlers(event: asyncio.Event) -> list[signal.Signals]:
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, event.set)
        except (NotImplementedError, RuntimeError):  # not the main thread, or no support
            continue
        installed.append(sig)
    return installed


async def _serve_hypercorn(app: Any, settings: ServiceSettings, stop: asyncio.Event) -> None:
    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    config = Config()
    config.bind = [_bind_address(settings.http_host, settings.http_port)]
    # Our middleware logs every request with its correlation id; hypercorn's access log
    # would only double the lines. Its error log goes through our stdlib formatting.
    config.accesslog = None
    config.errorlog = logging.getLogger("hypercorn.error")
    config.graceful_timeout = GRACEFUL_TIMEOUT_SECONDS
    await serve(app, config, shutdown_trigger=stop.wait, mode="asgi")


async def _serve_uvicorn(app: Any, settings: ServiceSettings, stop: asyncio.Event) -> None:
    import uvicorn

    class _Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            # serve_asgi owns the signals; uvicorn's own capture would re-raise them later.
            yield

    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_TIMEOUT_SECONDS,
    )
    server = _Server(config)
    serving = asyncio.create_task(server.serve())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    stopping.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await stopping
    await serving


async def serve_asgi(
    app: Any, settings: ServiceSettings, *, shutdown_event: asyncio.Event | None = None
) -> None:
    """Serve until shutdown_event is set, or SIGTERM/SIGINT when no event is passed."""
    server_name = settings.http_server.strip().lower()
    if server_name not in _SERVERS:
        raise ValueError(f"http_server must be one of {_SERVERS}, not {settings.http_server!r}")
    stop = shutdown_event or asyncio.Event()
    installed = _install_signal_handlers(stop) if shutdown_event is None else []
    logger.info(
        "http.serving",
        server=server_name,
        bind=_bind_address(settings.http_host, settings.http_port),
    )
    try:
        if server_name == "uvicorn":
            await _serve_uvicorn(app, settings, stop)
        else:
            await _serve_hypercorn(app, settings, stop)
    finally:
        loop = asyncio.get_running_loop()
        for sig in installed:
            loop.remove_signal_handler(sig)
    logger.info("http.stopped", server=server_name)
