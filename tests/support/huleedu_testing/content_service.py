"""The real Content Service for other services' integration tests: its own schema, over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import content_service
from content_service.app import create_app
from content_service.config import ContentServiceSettings
from huleedu_service_libs.config import Environment, InfraSettings
from huleedu_service_libs.http import serve_quart
from huleedu_testing.fixtures import LIBS_TEST_DATABASE
from huleedu_testing.migrations import upgrade_to_head
from huleedu_testing.random_refs import random_suffix
from huleedu_testing.servers import (
    LOOPBACK,
    free_port_below_ephemeral,
    wait_until_answering,
)

__all__ = ["ContentServiceProcess", "content_service_engine", "serve_content_service"]


def _content_service_dir() -> Path:
    return Path(content_service.__file__).resolve().parents[1]


@asynccontextmanager
async def content_service_engine(infra: InfraSettings) -> AsyncIterator[AsyncEngine]:
    """A fresh schema holding the Content Service's tables, migrated by its Alembic scripts."""
    schema = f"tc_{random_suffix()}"
    url = infra.database_url(LIBS_TEST_DATABASE)
    admin = create_async_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_async_engine(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        await upgrade_to_head(engine, _content_service_dir())
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


class ContentServiceProcess:
    """The real Content Service on a fixed loopback port that can be stopped and restarted."""

    def __init__(self, engine: AsyncEngine, internal_api_key: str) -> None:
        self._engine = engine
        self._internal_api_key = internal_api_key
        self.port = free_port_below_ephemeral()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Serve a fresh app on the same port."""
        settings = ContentServiceSettings(
            environment=Environment.TEST,
            internal_api_key=self._internal_api_key,
            http_host=LOOPBACK,
            http_port=self.port,
        )
        self._stop = asyncio.Event()
        app = create_app(settings, self._engine)
        self._task = asyncio.create_task(serve_quart(app, settings, shutdown_event=self._stop))
        await wait_until_answering(f"{self.url}/healthz", serving=self._task)

    async def stop(self) -> None:
        """Stop serving (connections are refused until start())."""
        if self._stop is not None and self._task is not None:
            self._stop.set()
            await asyncio.wait_for(self._task, timeout=30)
            self._stop = self._task = None

    async def store(self, data: bytes) -> str:
        """POST a text as a client would; returns its content id."""
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"{self.url}/internal/v1/content",
                data=data,
                headers={
                    "X-Internal-API-Key": self._internal_api_key,
                    "Content-Type": "text/plain; charset=utf-8",
                },
            ) as response,
        ):
            response.raise_for_status()
            return str((await response.json())["content_id"])

    async def fetch(self, content_id: str) -> bytes:
        """GET stored bytes."""
        async with (
            aiohttp.ClientSession() as http,
            http.get(
                f"{self.url}/internal/v1/content/{content_id}",
                headers={"X-Internal-API-Key": self._internal_api_key},
            ) as response,
        ):
            response.raise_for_status()
            return await response.read()


@asynccontextmanager
async def serve_content_service(
    engine: AsyncEngine, internal_api_key: str
) -> AsyncIterator[ContentServiceProcess]:
    """The Content Service served for the block; stopped (if still running) on exit."""
    process = ContentServiceProcess(engine, internal_api_key)
    await process.start()
    try:
        yield process
    finally:
        await process.stop()
