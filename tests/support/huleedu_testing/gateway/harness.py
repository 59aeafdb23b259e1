"""Test harness: the gateway served for real (uvicorn) in front of contract stubs."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

from api_gateway_service.app import create_app
from api_gateway_service.auth import TokenIssuer
from api_gateway_service.config import GatewaySettings
from huleedu_service_libs.config import Environment
from huleedu_service_libs.http import serve_asgi
from huleedu_testing.gateway.stub_class_management import ClassManagementStub
from huleedu_testing.gateway.stub_downstreams import ContractStub
from huleedu_testing.servers import LOOPBACK, free_port, wait_until_answering

INTERNAL_KEY = "integration-internal-key"
JWT_SECRET = "integration-jwt-secret-long-enough-for-hs256"


@dataclass
class Gateway:
    """A running gateway, its settings and its stubs."""

    url: str
    settings: GatewaySettings
    bos: ContractStub
    files: ContractStub
    results: ContractStub
    classes: ClassManagementStub

    def token(self, user_id: str) -> str:
        """A valid bearer token for user_id."""
        dev = self.settings.model_copy(update={"environment": Environment.DEVELOPMENT})
        return TokenIssuer(dev).issue(user_id)[0]

    def auth(self, user_id: str) -> dict[str, str]:
        """Authorization header for user_id."""
        return {"Authorization": f"Bearer {self.token(user_id)}"}


@asynccontextmanager
async def serve_gateway(settings: GatewaySettings) -> AsyncIterator[str]:
    """Serve create_app(settings) with uvicorn on a free port; yield its base URL."""
    served = settings.model_copy(update={"http_host": LOOPBACK, "http_port": free_port()})
    stop = asyncio.Event()
    serving = asyncio.create_task(serve_asgi(create_app(served), served, shutdown_event=stop))
    base_url = f"http://{LOOPBACK}:{served.http_port}"
    try:
        await wait_until_answering(f"{base_url}/healthz", serving=serving)
        yield base_url
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(serving, timeout=30)


GatewayFactory = Callable[..., Awaitable[Gateway]]


async def call(
    http: aiohttp.ClientSession, method: str, url: str | URL, **kwargs: Any
) -> tuple[int, Any]:
    """One request; its status and JSON body (None when the body is empty, as on 204)."""
    async with http.request(method, url, **kwargs) as response:
        raw = await response.read()
        return response.status, json.loads(raw) if raw else None
