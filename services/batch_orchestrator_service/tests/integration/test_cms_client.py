"""The CMS client over real HTTP (a CMS stub on a real port): which answers mean "no such
class" and which are failures that answer 503 and count against the circuit breaker."""

from __future__ import annotations

from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import aiohttp
import pytest
from structlog.testing import capture_logs

from batch_orchestrator_service.adapters.cms_client import CmsClassDirectory
from batch_orchestrator_service.domain.errors import DependencyUnavailable
from huleedu_service_libs.resilience import AsyncCircuitBreaker
from huleedu_testing import random_id, random_name
from huleedu_testing.cms_stub import CmsStub

pytestmark = pytest.mark.integration

INTERNAL_KEY = "bos-cms-client-test-key"


@pytest.fixture
async def cms() -> AsyncIterator[CmsStub]:
    """CMS's class summary route on a free loopback port (no database needed here)."""
    async with CmsStub(internal_api_key=INTERNAL_KEY) as stub:
        yield stub


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain HTTP client session."""
    async with aiohttp.ClientSession() as session:
        yield session


def directory(
    http: aiohttp.ClientSession, base_url: str
) -> tuple[CmsClassDirectory, AsyncCircuitBreaker]:
    """A client and its breaker, which opens at the first failure: one call shows the count."""
    breaker = AsyncCircuitBreaker(random_name("bos-cms-test"), fail_max=1, reset_timeout=60)
    client = CmsClassDirectory(
        http,
        base_url=base_url,
        internal_api_key=INTERNAL_KEY,
        timeout_seconds=2.0,
        max_attempts=2,
        breaker=breaker,
        backoff_max_seconds=0.05,
    )
    return client, breaker


def errors_logged(
    logs: list[MutableMapping[str, Any]], event: str
) -> list[MutableMapping[str, Any]]:
    return [e for e in logs if e["event"] == event and e["log_level"] == "error"]


async def test_class_not_found_is_none_and_never_opens_the_circuit(
    http: aiohttp.ClientSession, cms: CmsStub
) -> None:
    client, breaker = directory(http, cms.url)
    teacher, foreign = random_id(), random_id()
    cms.add_class(foreign, random_id())

    unknown = await client.class_summary(random_id(), teacher, random_id())
    not_mine = await client.class_summary(foreign, teacher, random_id())
    again = await client.class_summary(random_id(), teacher, random_id())

    assert (unknown, not_mine, again) == (None, None, None)
    assert breaker.state == "closed"


async def test_cms_naming_its_own_dependency_is_unavailable_but_never_opens_the_circuit(
    http: aiohttp.ClientSession, cms: CmsStub
) -> None:
    client, breaker = directory(http, cms.url)
    teacher, class_id = random_id(), random_id()
    cms.add_class(class_id, teacher)
    cms.dependency_down("postgres")

    for _ in range(3):
        with pytest.raises(DependencyUnavailable) as caught:
            await client.class_summary(class_id, teacher, random_id())
        assert caught.value.service == "class_management_service"
        assert caught.value.retry_after_seconds == 5

    assert cms.request_count == 3  # the breaker (fail_max 1) never opened
    assert breaker.state == "closed"
    cms.healthy()
    assert await client.class_summary(class_id, teacher, random_id()) is not None


async def test_own_class_is_returned(http: aiohttp.ClientSession, cms: CmsStub) -> None:
    client, _ = directory(http, cms.url)
    teacher, class_id = random_id(), random_id()
    cms.add_class(class_id, teacher, name="9A")

    found = await client.class_summary(class_id, teacher, random_id())

    assert found is not None
    assert (found.class_id, found.name) == (class_id, "9A")


async def test_plain_404_of_a_wrong_cms_url_is_unavailable_and_opens_the_circuit(
    http: aiohttp.ClientSession, cms: CmsStub
) -> None:
    # Not CMS's route: the web server's own "404: Not Found" in plain text.
    client, breaker = directory(http, f"{cms.url}/not-the-cms-prefix")

    with capture_logs() as logs, pytest.raises(DependencyUnavailable) as caught:
        await client.class_summary(random_id(), random_id(), random_id())

    assert caught.value.service == "class_management_service"
    assert breaker.state == "open"
    [logged] = errors_logged(logs, "bos.cms_unexpected_404")
    assert (logged["status"], logged["error_code"]) == (404, None)


async def test_404_with_another_error_code_is_unavailable(
    http: aiohttp.ClientSession, cms: CmsStub
) -> None:
    client, breaker = directory(http, cms.url)
    cms.fail_with(404)  # the shared error body, but code INTERNAL_ERROR

    with capture_logs() as logs, pytest.raises(DependencyUnavailable):
        await client.class_summary(random_id(), random_id(), random_id())

    assert breaker.state == "open"
    [logged] = errors_logged(logs, "bos.cms_unexpected_404")
    assert logged["error_code"] == "INTERNAL_ERROR"


@pytest.mark.parametrize("status", [400, 401, 403, 405, 422])
async def test_other_4xx_is_an_error_answered_like_an_outage(
    http: aiohttp.ClientSession, cms: CmsStub, status: int
) -> None:
    client, breaker = directory(http, cms.url)
    cms.fail_with(status)

    with capture_logs() as logs, pytest.raises(DependencyUnavailable) as caught:
        await client.class_summary(random_id(), random_id(), random_id())

    assert caught.value.retry_after_seconds >= 1
    [logged] = errors_logged(logs, "bos.cms_refused_request")
    assert logged["status"] == status
    assert breaker.state == "open"
    assert cms.request_count == 1  # an answer is never retried
