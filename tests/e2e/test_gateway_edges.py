"""Gateway edges on the running stack: bad tokens, rate limits, a downstream outage, fuzzing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import jwt
import pytest

from api_gateway_service.config import GatewaySettings
from huleedu_testing.gateway_client import GatewayClient

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def _token(settings: GatewaySettings, **overrides: Any) -> str:
    """An HS256 token signed like the gateway's development tokens, with claims overridden."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "teacher-forged",
        "aud": settings.jwt_audience,
        "iss": settings.jwt_issuer,
        "iat": now,
        "exp": now + 300,
    }
    claims.update(overrides)
    secret = settings.jwt_secret
    key = secret.get_secret_value() if hasattr(secret, "get_secret_value") else str(secret)
    return jwt.encode(claims, key, algorithm="HS256")


async def test_missing_expired_wrong_audience_and_tampered_tokens_get_401(
    teacher: GatewayClient,
) -> None:
    settings = GatewaySettings()
    assert teacher.token is not None
    header, payload, signature = teacher.token.split(".")
    tampered_signature = ("A" if signature[0] != "A" else "B") + signature[1:]
    bad_tokens = {
        "missing": "",
        "expired": _token(settings, exp=int(time.time()) - 3600, iat=int(time.time()) - 7200),
        "wrong audience": _token(settings, aud="someone-else"),
        "wrong issuer": _token(settings, iss="https://evil.example"),
        "wrong key": jwt.encode(
            {
                "sub": "x",
                "aud": settings.jwt_audience,
                "iss": settings.jwt_issuer,
                "exp": int(time.time()) + 300,
            },
            "not-the-secret-but-long-enough-for-hs256",
            algorithm="HS256",
        ),
        "tampered signature": f"{header}.{payload}.{tampered_signature}",
        "not a jwt": "hello",
    }
    for what, token in bad_tokens.items():
        status, body, headers = await teacher.call("GET", "/v1/batches", token=token)
        assert status == 401, (what, body)
        assert body["error"]["code"] == "UNAUTHORIZED", (what, body)
        assert headers.get("WWW-Authenticate", "").startswith("Bearer"), (what, headers)
    assert (await teacher.call("GET", "/v1/batches"))[0] == 200


async def test_writes_past_the_limit_get_429_with_retry_after(teacher: GatewayClient) -> None:
    statuses: list[int] = []
    for _ in range(300):
        status, body, headers = await teacher.call("POST", "/v1/ws-tickets")
        statuses.append(status)
        if status == 429:
            assert body["error"]["code"] == "RATE_LIMITED", body
            assert int(headers["Retry-After"]) > 0, headers
            break
    assert statuses[-1] == 429, f"never limited after {len(statuses)} writes"
    assert statuses[0] == 201
    # Reads have their own, larger budget: the teacher can still look at their batches.
    assert (await teacher.call("GET", "/v1/batches"))[0] == 200


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    teacher: GatewayClient,
) -> None:
    base = teacher.base_url
    command = [
        str(ROOT / ".venv" / "bin" / "schemathesis"),
        "run",
        f"{base}/openapi.json",
        "--checks",
        "not_a_server_error,response_schema_conformance,status_code_conformance",
        "--header",
        f"Authorization: Bearer {teacher.token}",
        "--max-examples",
        os.environ.get("HULEEDU_SCHEMATHESIS_EXAMPLES", "15"),
        "--workers",
        "1",
        "--seed",
        "20261122",
        "--request-timeout",
        "30",
        "--no-color",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


async def test_a_stopped_downstream_gives_503_at_once_then_recovers(
    teacher: GatewayClient, stack: Any
) -> None:
    batch = await teacher.register_batch("ENG7", 1)
    stack.kill("result_aggregator_service", "http")
    try:
        for path in (f"/v1/batches/{batch['batch_id']}", "/v1/batches"):
            status, body, headers = await teacher.call("GET", path)
            assert status == 503, (path, body)
            assert body["error"]["code"] in {"SERVICE_UNAVAILABLE", "CIRCUIT_OPEN"}, body
            assert int(headers["Retry-After"]) > 0
        # Writes that do not need the stopped service still work.
        assert (await teacher.register_batch("ENG7", 1))["batch_id"]
    finally:
        await asyncio.to_thread(stack.restart)

    async def recovered() -> bool:
        return (await teacher.call("GET", "/v1/batches"))[0] == 200

    await stack.wait_for(recovered, seconds=90, what="the gateway to reach the restarted service")
