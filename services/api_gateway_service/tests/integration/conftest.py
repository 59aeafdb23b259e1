"""The gateway served for real (uvicorn, real Redis and Kafka) in front of contract stubs."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from api_gateway_service.config import GatewaySettings
from huleedu_testing import random_id, random_name
from huleedu_testing.gateway.harness import (
    INTERNAL_KEY,
    JWT_SECRET,
    Gateway,
    GatewayFactory,
    serve_gateway,
)
from huleedu_testing.gateway.stub_class_management import ClassManagementStub
from huleedu_testing.gateway.stub_downstreams import ContractStub


@pytest.fixture
async def gateway_factory() -> AsyncIterator[GatewayFactory]:
    """Starts gateways (with setting overrides) and their stubs; stops them after the test."""
    stack = contextlib.AsyncExitStack()

    async def make(**overrides: Any) -> Gateway:
        bos, files, results = (
            ContractStub(name) for name in ("bos", "file_service", "result_aggregator")
        )
        classes = ClassManagementStub()
        for stub in (bos, files, results, classes):
            await stub.start()
            stack.push_async_callback(stub.stop)
        # One world: a batch registered at BOS is known to the File Service and the RAS.
        files.batches = results.batches = bos.batches
        values: dict[str, Any] = {
            "environment": "test",
            "internal_api_key": INTERNAL_KEY,
            "jwt_secret": JWT_SECRET,
            "bos_url": bos.url,
            "file_service_url": files.url,
            "result_aggregator_url": results.url,
            "class_management_url": classes.url,
            "notification_consumer_group": random_name("gateway-test-notifications"),
            "log_level": "WARNING",
            **overrides,
        }
        settings = GatewaySettings(**values)
        url = await stack.enter_async_context(serve_gateway(settings))
        return Gateway(url, settings, bos, files, results, classes)

    yield make
    await stack.aclose()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain HTTP client."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        yield session


@pytest.fixture
def user_ids() -> tuple[str, str]:
    """Two fresh teachers."""
    return random_id(), random_id()
