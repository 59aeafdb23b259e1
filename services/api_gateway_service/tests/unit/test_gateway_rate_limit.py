"""Rate limits: the fallback limiter over a failing storage, and the per-route dependency."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import Depends, FastAPI
from limits import parse
from limits.aio.storage import MemoryStorage, Storage

from api_gateway_service.auth import TokenIssuer, TokenVerifier
from api_gateway_service.config import GatewaySettings
from api_gateway_service.rate_limit import FallbackLimiter, RouteLimits
from huleedu_service_libs.config import Environment
from huleedu_service_libs.http import register_exception_handlers

PER_MINUTE = parse("2/minute")


class FlakyStorage(Storage):
    """limits' async storage interface over memory; raises a connection error while down."""

    STORAGE_SCHEME = ["flaky"]

    def __init__(self) -> None:
        super().__init__(wrap_exceptions=True)
        self.memory = MemoryStorage()
        self.down = False
        self.checks = 0
        self.incrs = 0

    @property
    def base_exceptions(self) -> type[Exception]:
        return ConnectionError

    def _answer(self) -> None:
        if self.down:
            raise ConnectionError("redis is down")

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        self._answer()
        self.incrs += 1
        return await self.memory.incr(key, expiry, amount)

    async def get(self, key: str) -> int:
        self._answer()
        return await self.memory.get(key)

    async def get_expiry(self, key: str) -> float:
        self._answer()
        return await self.memory.get_expiry(key)

    async def check(self) -> bool:
        self.checks += 1
        return not self.down

    async def reset(self) -> int | None:
        return await self.memory.reset()

    async def clear(self, key: str) -> None:
        await self.memory.clear(key)


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_counts_in_the_shared_storage_and_refuses_past_the_limit() -> None:
    shared = FlakyStorage()
    limiter = FallbackLimiter(shared)

    hits = [await limiter.hit(PER_MINUTE, "gw", "user:anna", "read") for _ in range(3)]

    assert hits == [True, True, False]
    assert await shared.memory.get(PER_MINUTE.key_for("gw", "user:anna", "read")) == 3
    assert 1 <= await limiter.seconds_to_reset(PER_MINUTE, "gw", "user:anna", "read") <= 60


async def test_a_failing_storage_counts_in_memory_with_the_same_limit() -> None:
    shared, clock = FlakyStorage(), Clock()
    limiter = FallbackLimiter(shared, clock=clock)
    shared.down = True

    hits = [await limiter.hit(PER_MINUTE, "gw", "user:anna", "read") for _ in range(3)]

    assert hits == [True, True, False]
    assert limiter.shared_storage_down
    # Within the first second nobody pings the storage again.
    assert shared.checks == 0
    assert 1 <= await limiter.seconds_to_reset(PER_MINUTE, "gw", "user:anna", "read") <= 60


async def test_the_storage_is_pinged_with_backoff_and_used_again_once_it_answers() -> None:
    shared, clock = FlakyStorage(), Clock()
    limiter = FallbackLimiter(shared, clock=clock)
    shared.down = True
    await limiter.hit(PER_MINUTE, "gw", "user:bo", "write")

    pinged_at = []
    for _ in range(70):
        clock.now += 1
        checks = shared.checks
        await limiter.hit(PER_MINUTE, "gw", "user:bo", "write")
        if shared.checks > checks:
            pinged_at.append(clock.now - 1000)
    shared.down = False
    clock.now += 32
    assert await limiter.hit(PER_MINUTE, "gw", "user:bo", "write")

    # 1 s after the failure, then 2, 4, 8, 16 and at most 32 s apart.
    assert pinged_at == [1, 3, 7, 15, 31, 63]
    assert not limiter.shared_storage_down
    assert shared.incrs == 1


async def test_a_refusal_answers_even_if_the_storage_fails_on_the_reset_time() -> None:
    shared = FlakyStorage()
    limiter = FallbackLimiter(shared)
    await limiter.hit(PER_MINUTE, "gw", "user:cy", "read")
    shared.down = True

    assert await limiter.seconds_to_reset(PER_MINUTE, "gw", "user:cy", "read") == 60


SECRET = "unit-test-secret-that-is-long-enough-for-hs256"


def _settings(**overrides: Any) -> GatewaySettings:
    return GatewaySettings(
        **{"jwt_secret": SECRET, "service_name": "gw", "rate_limit_read": "2/minute", **overrides}
    )


def _app(settings: GatewaySettings, shared: Storage) -> FastAPI:
    limits = RouteLimits.from_settings(FallbackLimiter(shared), settings)
    app = FastAPI()
    app.state.verifier = TokenVerifier(settings)
    register_exception_handlers(app, settings.service_name)

    @app.get("/batches", dependencies=[Depends(limits.read)])
    async def batches() -> dict[str, str]:
        return {}

    @app.get("/classes", dependencies=[Depends(limits.read)])
    async def classes() -> dict[str, str]:
        return {}

    @app.post("/classes", dependencies=[Depends(limits.write)])
    async def create_class() -> dict[str, str]:
        return {}

    return app


def _auth(settings: GatewaySettings, user_id: str) -> dict[str, str]:
    dev = settings.model_copy(update={"environment": Environment.DEVELOPMENT})
    return {"Authorization": f"Bearer {TokenIssuer(dev).issue(user_id)[0]}"}


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw")


async def test_routes_of_one_kind_share_a_bucket_per_user_and_answer_429() -> None:
    settings, shared = _settings(), FlakyStorage()
    anna, bo = _auth(settings, "anna"), _auth(settings, "bo")

    async with _client(_app(settings, shared)) as client:
        first = await client.get("/batches", headers=anna)
        second = await client.get("/classes", headers=anna)
        refused = await client.get("/batches", headers=anna)
        write = await client.post("/classes", headers=anna)
        other_user = await client.get("/batches", headers=bo)

    assert (first.status_code, second.status_code, refused.status_code) == (200, 200, 429)
    assert (write.status_code, other_user.status_code) == (200, 200)
    error = refused.json()["error"]
    assert error["code"] == "RATE_LIMITED"
    assert error["message"] == "Too many requests; slow down."
    assert error["service"] == "gw"
    assert error["details"]["limit"] == "2 per 1 minute"
    retry_after = int(refused.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    assert error["details"]["retry_after_seconds"] == retry_after
    assert "X-RateLimit-Limit" not in refused.headers
    # Keyed as before: service, user and limit class.
    assert await shared.memory.get(parse("2/minute").key_for("gw", "user:anna", "read")) == 3


async def test_unauthenticated_requests_are_401_and_not_counted() -> None:
    settings, shared = _settings(), FlakyStorage()

    async with _client(_app(settings, shared)) as client:
        refused = [(await client.get("/batches")).status_code for _ in range(3)]

    assert refused == [401, 401, 401]
    assert shared.incrs == 0


async def test_limits_switched_off_count_nothing() -> None:
    settings, shared = _settings(rate_limit_enabled=False), FlakyStorage()
    anna = _auth(settings, "anna")

    async with _client(_app(settings, shared)) as client:
        statuses = [(await client.get("/batches", headers=anna)).status_code for _ in range(4)]

    assert statuses == [200] * 4
    assert shared.incrs == 0


async def test_several_rates_for_one_kind_all_apply() -> None:
    settings, shared = _settings(rate_limit_read="5/minute;1/hour"), FlakyStorage()
    anna = _auth(settings, "anna")

    async with _client(_app(settings, shared)) as client:
        first = await client.get("/batches", headers=anna)
        second = await client.get("/batches", headers=anna)

    assert (first.status_code, second.status_code) == (200, 429)
    assert second.json()["error"]["details"]["limit"] == "1 per 1 hour"
