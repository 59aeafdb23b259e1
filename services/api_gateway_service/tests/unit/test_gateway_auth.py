"""JWT verification: the accepted token and every way a token is refused (401)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Annotated, Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, FastAPI

from api_gateway_service.auth import (
    AuthError,
    Principal,
    TokenIssuer,
    TokenVerifier,
    current_principal,
)
from api_gateway_service.config import GatewaySettings
from huleedu_service_libs.http import register_exception_handlers

SECRET = "unit-test-secret-that-is-long-enough-for-hs256"


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "teacher-1",
        "aud": "huleedu-api",
        "iss": "huleedu",
        "iat": now,
        "exp": now + 300,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _hs_settings(**extra: Any) -> GatewaySettings:
    return GatewaySettings(jwt_secret=SECRET, jwt_leeway_seconds=0, **extra)


@pytest.fixture(scope="module")
def rsa_pem() -> tuple[bytes, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public.decode()


async def test_hs256_token_gives_principal_with_claims() -> None:
    token = jwt.encode(_claims(role="teacher"), SECRET, algorithm="HS256")

    principal = await TokenVerifier(_hs_settings()).verify(token)

    assert principal.user_id == "teacher-1"
    assert principal.claims["role"] == "teacher"


async def test_rs256_token_verified_with_pem_public_key(rsa_pem: tuple[bytes, str]) -> None:
    private, public = rsa_pem
    settings = GatewaySettings(jwt_algorithm="RS256", jwt_public_key=public)
    token = jwt.encode(_claims(), private, algorithm="RS256")

    principal = await TokenVerifier(settings).verify(token)

    assert principal == Principal(user_id="teacher-1", claims=principal.claims)


def _unsigned(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        raw = json.dumps(data).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _tampered() -> str:
    header, _payload, signature = jwt.encode(_claims(), SECRET, algorithm="HS256").split(".")
    forged = base64.urlsafe_b64encode(json.dumps(_claims(sub="admin")).encode()).rstrip(b"=")
    return f"{header}.{forged.decode()}.{signature}"


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "Missing bearer token"),
        ("not-a-jwt", "Invalid token"),
        (jwt.encode(_claims(exp=int(time.time()) - 10), SECRET, "HS256"), "Token has expired"),
        (jwt.encode(_claims(aud="other-api"), SECRET, "HS256"), "audience"),
        (jwt.encode(_claims(iss="someone-else"), SECRET, "HS256"), "issuer"),
        (jwt.encode(_claims(aud=None), SECRET, "HS256"), "Invalid token"),
        (jwt.encode(_claims(sub=None), SECRET, "HS256"), "Invalid token"),
        (jwt.encode(_claims(sub=""), SECRET, "HS256"), "subject"),
        (jwt.encode(_claims(), "another-secret-that-is-also-32-bytes-long", "HS256"), "Invalid"),
        (jwt.encode(_claims(), SECRET + SECRET, "HS512"), "Invalid token"),
        (_unsigned(_claims()), "Invalid token"),
        (_tampered(), "Invalid token"),
    ],
    ids=[
        "empty",
        "garbage",
        "expired",
        "wrong-audience",
        "wrong-issuer",
        "no-audience",
        "no-subject",
        "empty-subject",
        "wrong-secret",
        "wrong-algorithm",
        "alg-none",
        "tampered",
    ],
)
async def test_refused_tokens(token: str, message: str) -> None:
    with pytest.raises(AuthError, match=message):
        await TokenVerifier(_hs_settings()).verify(token)


async def test_rs256_verifier_refuses_hs256_token_signed_with_the_public_key(
    rsa_pem: tuple[bytes, str],
) -> None:
    _, public = rsa_pem
    settings = GatewaySettings(jwt_algorithm="RS256", jwt_public_key=public)
    # The classic algorithm-confusion forgery: HMAC keyed with the (public) PEM text.
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(json.dumps(_claims()).encode()).rstrip(b"=").decode()
    signature = hmac.new(public.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    token = f"{header}.{payload}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"

    with pytest.raises(AuthError):
        await TokenVerifier(settings).verify(token)


def _protected_app(settings: GatewaySettings) -> FastAPI:
    app = FastAPI()
    app.state.verifier = TokenVerifier(settings)
    register_exception_handlers(app, "api_gateway_service")

    @app.get("/me")
    async def me(principal: Annotated[Principal, Depends(current_principal)]) -> dict[str, str]:
        return {"user_id": principal.user_id}

    return app


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Basic dXNlcjpwYXNz", "Bearer garbage", "Token abc"],
)
async def test_dependency_answers_401_in_error_body(authorization: str | None) -> None:
    app = _protected_app(_hs_settings())
    headers = {"Authorization": authorization} if authorization else {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        response = await client.get("/me", headers=headers)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


async def test_dependency_accepts_a_valid_bearer_token() -> None:
    settings = _hs_settings()
    token, _ = TokenIssuer(settings).issue("teacher-7")
    transport = httpx.ASGITransport(app=_protected_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        response = await client.get("/me", headers={"Authorization": f"bearer {token}"})

    assert response.status_code == 200
    assert response.json() == {"user_id": "teacher-7"}


def test_issued_dev_token_carries_audience_issuer_and_ttl() -> None:
    settings = _hs_settings(dev_token_ttl_seconds=120)
    token, expires_in = TokenIssuer(settings).issue("teacher-2")

    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="huleedu-api")
    assert expires_in == 120
    assert claims["sub"] == "teacher-2"
    assert claims["iss"] == "huleedu"
    assert claims["exp"] - claims["iat"] == 120


@pytest.mark.parametrize("environment", ["test", "production"])
def test_dev_tokens_refused_outside_development(environment: str) -> None:
    settings = GatewaySettings(
        environment=environment,
        internal_api_key="a-real-internal-key-of-some-length",
        jwt_secret="a-real-jwt-secret-long-enough-for-hs256-use",
    )
    issuer = TokenIssuer(settings)

    assert not issuer.enabled
    with pytest.raises(AuthError):
        issuer.issue("teacher-1")


def test_dev_tokens_refused_for_rs256(rsa_pem: tuple[bytes, str]) -> None:
    settings = GatewaySettings(jwt_algorithm="RS256", jwt_public_key=rsa_pem[1])

    with pytest.raises(AuthError):
        TokenIssuer(settings).issue("teacher-1")


def test_production_refuses_the_development_jwt_secret() -> None:
    with pytest.raises(ValueError, match="jwt_secret"):
        GatewaySettings(environment="production", internal_api_key="x" * 32)
    with pytest.raises(ValueError, match="jwt_secret"):
        GatewaySettings(
            environment="production", internal_api_key="x" * 32, jwt_secret="short-but-16+chars"
        )
