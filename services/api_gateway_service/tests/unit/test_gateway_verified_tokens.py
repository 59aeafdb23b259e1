"""Verified tokens are remembered until they expire, per key, bounded; rotation still refuses."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from api_gateway_service.auth import AuthError, Principal, TokenVerifier
from api_gateway_service.auth.jwks import KeysUnavailable
from api_gateway_service.auth.verified_tokens import VerifiedTokens
from api_gateway_service.config import GatewaySettings

SECRET = "unit-test-secret-that-is-long-enough-for-hs256"
KEY = object()


class Clock:
    """Wall-clock seconds the test moves."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _principal(user_id: str, exp: float) -> Principal:
    return Principal(user_id=user_id, claims={"sub": user_id, "exp": exp})


def _token(**overrides: Any) -> str:
    now = int(time.time())
    claims = {"sub": "teacher-1", "aud": "huleedu-api", "iss": "huleedu", "exp": now + 300}
    return jwt.encode({**claims, **overrides}, SECRET, algorithm="HS256")


def test_a_principal_is_kept_until_the_token_expires_never_past_it() -> None:
    clock = Clock(1000.0)
    tokens = VerifiedTokens(10, clock=clock)
    principal = _principal("anna", exp=1060)
    tokens.put("token-a", KEY, principal)

    clock.now = 1059.9
    assert tokens.get("token-a", KEY) is principal
    clock.now = 1060.0
    assert tokens.get("token-a", KEY) is None
    assert len(tokens) == 0


def test_only_the_key_object_that_verified_it_finds_it() -> None:
    tokens = VerifiedTokens(10, clock=Clock(1000.0))
    tokens.put("token-a", KEY, _principal("anna", exp=2000))

    assert tokens.get("token-a", object()) is None
    assert tokens.get("token-a", KEY) is None
    assert tokens.get("token-b", KEY) is None


def test_the_least_recently_used_token_goes_first_when_full() -> None:
    tokens = VerifiedTokens(2, clock=Clock(1000.0))
    for name in ("a", "b"):
        tokens.put(name, KEY, _principal(name, exp=2000))
    assert tokens.get("a", KEY) is not None
    tokens.put("c", KEY, _principal("c", exp=2000))

    assert len(tokens) == 2
    assert tokens.get("b", KEY) is None
    assert tokens.get("a", KEY) is not None
    assert tokens.get("c", KEY) is not None


def test_nothing_is_kept_with_size_zero_or_without_a_future_expiry() -> None:
    none_kept = VerifiedTokens(0, clock=Clock(1000.0))
    none_kept.put("a", KEY, _principal("a", exp=2000))
    tokens = VerifiedTokens(10, clock=Clock(1000.0))
    tokens.put("past", KEY, _principal("past", exp=999))
    tokens.put("none", KEY, Principal(user_id="none", claims={}))

    assert len(none_kept) == 0
    assert len(tokens) == 0


async def test_the_verifier_checks_a_token_once_and_answers_the_same_principal() -> None:
    verifier = TokenVerifier(GatewaySettings(jwt_secret=SECRET))
    token = _token(role="teacher")

    first = await verifier.verify(token)
    second = await verifier.verify(token)

    assert second is first
    assert first.claims["role"] == "teacher"
    with pytest.raises(TypeError):
        first.claims["role"] = "admin"  # type: ignore[index]


async def test_a_token_past_exp_within_the_leeway_is_verified_every_time() -> None:
    verifier = TokenVerifier(GatewaySettings(jwt_secret=SECRET, jwt_leeway_seconds=30))
    token = _token(exp=int(time.time()) - 5)

    first = await verifier.verify(token)

    assert await verifier.verify(token) is not first


async def test_a_cache_size_of_zero_verifies_every_request() -> None:
    verifier = TokenVerifier(GatewaySettings(jwt_secret=SECRET, jwt_verified_cache_size=0))
    token = _token()

    assert await verifier.verify(token) is not await verifier.verify(token)


class FakeJwks:
    """A published key set the test replaces, as a JWKS refresh does (new key objects)."""

    def __init__(self, *keys: tuple[str, rsa.RSAPrivateKey]) -> None:
        self.keys: dict[str, jwt.PyJWK] = {}
        self.publish(*keys)

    def publish(self, *keys: tuple[str, rsa.RSAPrivateKey]) -> None:
        self.keys = {}
        for kid, key in keys:
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
            jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
            self.keys[kid] = jwt.PyJWK(jwk)

    async def key_for(self, kid: str | None) -> jwt.PyJWK | None:
        if not self.keys:
            raise KeysUnavailable("never fetched")
        return self.keys.get(kid) if kid is not None else None


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


async def test_a_key_withdrawn_by_rotation_refuses_tokens_verified_before(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    jwks = FakeJwks(("key-1", rsa_key))
    settings = GatewaySettings(jwt_algorithm="RS256", jwt_jwks_url="http://jwks.invalid/keys")
    verifier = TokenVerifier(settings, jwks=jwks)
    claims = {"sub": "teacher-9", "aud": "huleedu-api", "iss": "huleedu"}
    token = jwt.encode(
        {**claims, "exp": int(time.time()) + 300}, rsa_key, "RS256", headers={"kid": "key-1"}
    )

    first = await verifier.verify(token)
    assert await verifier.verify(token) is first
    # Refreshed with the same key: new key objects, so verified again, and still accepted.
    jwks.publish(("key-1", rsa_key))
    again = await verifier.verify(token)
    assert again is not first
    assert again.user_id == "teacher-9"
    # Key withdrawn: refused at once, although the token has not expired.
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks.publish(("key-2", other))
    with pytest.raises(AuthError, match="Invalid token"):
        await verifier.verify(token)
    # Key replaced under the same kid: the old signature no longer verifies.
    jwks.publish(("key-1", other))
    with pytest.raises(AuthError, match="Invalid token"):
        await verifier.verify(token)
