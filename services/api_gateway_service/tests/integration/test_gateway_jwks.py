"""RS256 tokens verified against keys fetched from a JWKS endpoint (a local HTTP server)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from api_gateway_service.auth import AuthError, TokenVerifier
from api_gateway_service.config import GatewaySettings
from huleedu_testing.servers import LOOPBACK, free_port


@pytest.fixture
async def jwks() -> AsyncIterator[tuple[str, rsa.RSAPrivateKey]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    public_jwk.update({"kid": "key-1", "use": "sig", "alg": "RS256"})

    async def keys(_: web.Request) -> web.Response:
        return web.json_response({"keys": [public_jwk]})

    app = web.Application()
    app.router.add_get("/.well-known/jwks.json", keys)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, LOOPBACK, port).start()
    yield f"http://{LOOPBACK}:{port}/.well-known/jwks.json", key
    await runner.cleanup()


def _claims() -> dict[str, object]:
    now = int(time.time())
    return {"sub": "teacher-9", "aud": "huleedu-api", "iss": "huleedu", "exp": now + 60}


async def test_rs256_token_verified_through_jwks(jwks: tuple[str, rsa.RSAPrivateKey]) -> None:
    url, key = jwks
    verifier = TokenVerifier(GatewaySettings(jwt_algorithm="RS256", jwt_jwks_url=url))
    token = jwt.encode(_claims(), key, algorithm="RS256", headers={"kid": "key-1"})

    principal = await verifier.verify(token)

    assert principal.user_id == "teacher-9"


async def test_token_signed_by_another_key_is_refused(
    jwks: tuple[str, rsa.RSAPrivateKey],
) -> None:
    url, _ = jwks
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    verifier = TokenVerifier(GatewaySettings(jwt_algorithm="RS256", jwt_jwks_url=url))

    with pytest.raises(AuthError):
        await verifier.verify(jwt.encode(_claims(), other, "RS256", headers={"kid": "key-1"}))
    with pytest.raises(AuthError):
        await verifier.verify(jwt.encode(_claims(), other, "RS256", headers={"kid": "unknown"}))


@pytest.fixture
async def counted_jwks() -> AsyncIterator[tuple[str, rsa.RSAPrivateKey, list[int]]]:
    """A JWKS endpoint that counts its fetches (the list holds one entry per fetch)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    public_jwk.update({"kid": "key-1", "use": "sig", "alg": "RS256"})
    fetches: list[int] = []

    async def keys(_: web.Request) -> web.Response:
        fetches.append(1)
        return web.json_response({"keys": [public_jwk]})

    app = web.Application()
    app.router.add_get("/jwks.json", keys)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, LOOPBACK, port).start()
    yield f"http://{LOOPBACK}:{port}/jwks.json", key, fetches
    await runner.cleanup()


async def test_unknown_kid_flood_refetches_at_most_once_per_interval(
    counted_jwks: tuple[str, rsa.RSAPrivateKey, list[int]],
) -> None:
    url, key, fetches = counted_jwks
    verifier = TokenVerifier(GatewaySettings(jwt_algorithm="RS256", jwt_jwks_url=url))
    await verifier.verify(jwt.encode(_claims(), key, "RS256", headers={"kid": "key-1"}))

    for n in range(20):
        with pytest.raises(AuthError):
            await verifier.verify(jwt.encode(_claims(), key, "RS256", headers={"kid": f"r{n}"}))

    assert len(fetches) == 1
    # Known keys keep working during the flood, from the cache.
    token = jwt.encode(_claims(), key, "RS256", headers={"kid": "key-1"})
    assert (await verifier.verify(token)).user_id == "teacher-9"
    assert len(fetches) == 1


async def test_unknown_kid_refetches_once_the_interval_has_passed(
    counted_jwks: tuple[str, rsa.RSAPrivateKey, list[int]],
) -> None:
    url, key, fetches = counted_jwks
    settings = GatewaySettings(
        jwt_algorithm="RS256", jwt_jwks_url=url, jwt_jwks_min_refetch_seconds=0
    )
    verifier = TokenVerifier(settings)

    for n in range(3):
        with pytest.raises(AuthError):
            await verifier.verify(jwt.encode(_claims(), key, "RS256", headers={"kid": f"r{n}"}))

    assert len(fetches) == 3


@pytest.fixture
async def rotating_jwks() -> AsyncIterator[tuple[str, rsa.RSAPrivateKey, list[dict[str, str]]]]:
    """A JWKS endpoint serving whatever keys the list holds when it is fetched."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    public_jwk.update({"kid": "key-1", "use": "sig", "alg": "RS256"})
    published: list[dict[str, str]] = [public_jwk]

    async def keys(_: web.Request) -> web.Response:
        return web.json_response({"keys": published})

    app = web.Application()
    app.router.add_get("/jwks.json", keys)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, LOOPBACK, port).start()
    yield f"http://{LOOPBACK}:{port}/jwks.json", key, published
    await runner.cleanup()


async def test_a_verified_token_is_refused_once_rotation_withdraws_its_key(
    rotating_jwks: tuple[str, rsa.RSAPrivateKey, list[dict[str, str]]],
) -> None:
    url, key, published = rotating_jwks
    settings = GatewaySettings(
        jwt_algorithm="RS256",
        jwt_jwks_url=url,
        jwt_jwks_cache_seconds=0,
        jwt_jwks_min_refetch_seconds=0,
    )
    verifier = TokenVerifier(settings)
    token = jwt.encode(_claims(), key, "RS256", headers={"kid": "key-1"})
    assert (await verifier.verify(token)).user_id == "teacher-9"

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rotated = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(other.public_key()))
    rotated.update({"kid": "key-2", "use": "sig", "alg": "RS256"})
    published[:] = [rotated]

    # The set is refetched (cache of 0 s) and key-1 is gone: the remembered token is refused.
    with pytest.raises(AuthError):
        await verifier.verify(token)
