"""Baseline HTTP app: FastAPI + one asyncpg primary-key select, served like the gateway.

The gateway's reads are measured against this in the same run: the least a FastAPI service
answering from PostgreSQL costs on this machine. It is served by the same `serve_asgi` as the
gateway, with the gateway's server setting (`API_GATEWAY_SERVICE_HTTP_SERVER`, uvicorn by
default), one process, no access log. Its table lives in a throwaway schema of the library
test database (bench_support.scratch_schema), dropped afterwards.

`running_baseline()` creates the table and runs the app as a subprocess on a free port (the
benchmark's load generator never shares its event loop); `python baseline_app.py --port P
--schema S` is that subprocess.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import asyncpg
from fastapi import FastAPI, HTTPException
from sqlalchemy import text

from api_gateway_service.config import GatewaySettings
from bench_support import scratch_schema
from huleedu_service_libs.config import InfraSettings, ServiceSettings
from huleedu_service_libs.http import serve_asgi
from huleedu_testing.fixtures import LIBS_TEST_DATABASE

TABLE = "baseline_item"
# The services' default pool size (ServiceSettings.database_pool_size).
POOL_SIZE = ServiceSettings.model_fields["database_pool_size"].default
READY_SECONDS = 30.0


def create_app(dsn: str, schema: str) -> FastAPI:
    """GET /items/{id}: one primary-key select through an asyncpg pool, as JSON."""
    pool: dict[str, asyncpg.Pool] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pool["db"] = await asyncpg.create_pool(
            dsn, min_size=POOL_SIZE, max_size=POOL_SIZE, server_settings={"search_path": schema}
        )
        try:
            yield
        finally:
            await pool["db"].close()

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, Any]:
        row = await pool["db"].fetchrow(
            f"SELECT id, title, status, updated_at FROM {TABLE} WHERE id = $1",
            item_id,
        )
        if row is None:
            raise HTTPException(status_code=404)
        return {**dict(row), "updated_at": row["updated_at"].isoformat()}

    return app


def free_port() -> int:
    """A port nothing listens on now (the kernel's choice; the child binds it right after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Baseline:
    """The running baseline app: its base URL, how many rows it serves, its server, its pid."""

    url: str
    rows: int
    server: str
    pid: int

    def item_urls(self) -> list[str]:
        """One URL per row (ids 1..rows)."""
        return [f"{self.url}/items/{i}" for i in range(1, self.rows + 1)]


async def _create_table(schema: Any, rows: int) -> None:
    async with schema.engine.begin() as conn:
        await conn.execute(
            text(
                f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, title text NOT NULL, "
                "status text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())"
            )
        )
        await conn.execute(
            text(
                f"INSERT INTO {TABLE} (id, title, status) "
                "SELECT i, 'Describe a place you love ' || i, 'ready' "
                "FROM generate_series(1, :rows) AS i"
            ),
            {"rows": rows},
        )


async def _wait_ready(process: asyncio.subprocess.Process, url: str) -> None:
    deadline = time.monotonic() + READY_SECONDS
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise RuntimeError(f"baseline app exited with {process.returncode}")
            try:
                async with http.get(f"{url}/items/1") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"baseline app not answering at {url} after {READY_SECONDS:.0f}s")


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.terminate()  # serve_asgi stops gracefully on SIGTERM
    try:
        await asyncio.wait_for(process.wait(), timeout=20)
    except TimeoutError:
        process.kill()
        await process.wait()


@asynccontextmanager
async def running_baseline(infra: InfraSettings, rows: int = 1000) -> AsyncIterator[Baseline]:
    """The baseline app as a subprocess over a fresh `rows`-row table; stopped and dropped after."""
    server = GatewaySettings().http_server
    async with scratch_schema(infra, "bench_baseline") as schema:
        await _create_table(schema, rows)
        port = free_port()
        command = [
            sys.executable, __file__, "--port", str(port), "--schema", schema.name,
            "--server", server,
        ]  # fmt: skip
        # Our own interpreter and this file, arguments built here: nothing untrusted.
        # Its stdout holds only its serving log lines; errors still reach stderr.
        process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            await _wait_ready(process, url)
            yield Baseline(url, rows, server, process.pid)
        finally:
            await _stop(process)


def main() -> None:
    """Serve the baseline app until SIGTERM (the subprocess `running_baseline` starts)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--server", default=GatewaySettings().http_server)
    args = parser.parse_args()
    infra = InfraSettings()
    dsn = infra.database_url(LIBS_TEST_DATABASE).replace("postgresql+asyncpg://", "postgresql://")
    settings = ServiceSettings(
        service_name="bench_baseline", http_port=args.port, http_server=args.server
    )
    asyncio.run(serve_asgi(create_app(dsn, args.schema), settings))


if __name__ == "__main__":
    main()
