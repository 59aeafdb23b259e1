"""/docs and /redoc from the gateway's own assets, and the app's run-time /config.json."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from api_gateway_service.app import create_app
from api_gateway_service.config import GatewaySettings
from huleedu_service_libs.config import Environment

PRODUCTION = {
    "environment": "production",
    "internal_api_key": "a-real-internal-key-for-this-test",
    "jwt_algorithm": "RS256",
    "jwt_jwks_url": "https://login.skola.example/.well-known/jwks.json",
}
OIDC = {
    "web_oidc_authority": "https://login.skola.example/realms/huleedu",
    "web_oidc_client_id": "huleedu-teacher-web",
    "web_oidc_redirect_uri": "https://huleedu.skola.example/auth/callback",
}


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A built app carrying the docs assets the way its postbuild step copies them."""
    assets = tmp_path / "dist" / "api-docs-assets"
    for name in (
        "swagger-ui/swagger-ui-bundle.js",
        "swagger-ui/swagger-ui.css",
        "redoc/redoc.standalone.js",
    ):
        (assets / name).parent.mkdir(parents=True, exist_ok=True)
        (assets / name).write_text("/* asset */")
    (tmp_path / "dist" / "index.html").write_text("<!doctype html><title>app</title>")
    return tmp_path / "dist"


async def _get(path: str, **settings: Any) -> httpx.Response:
    app = create_app(GatewaySettings(**{"environment": "test", **settings}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as client:
        return await client.get(path)


def _sources(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        (
            "/docs",
            [
                "/api-docs-assets/swagger-ui/swagger-ui.css",
                "/api-docs-assets/swagger-ui/swagger-ui-bundle.js",
                "/docs/swagger-init.js",
            ],
        ),
        ("/redoc", ["/api-docs-assets/redoc/redoc.standalone.js"]),
    ],
)
async def test_docs_pages_load_everything_from_the_gateway(
    dist: Path, path: str, wanted: list[str]
) -> None:
    response = await _get(path, web_app_dir=dist)

    assert response.status_code == 200
    assert _sources(response.text) == wanted
    assert "/openapi.json" in response.text
    assert "<script>" not in response.text  # no inline script: the CSP allows none


async def test_docs_pages_have_their_own_policy_with_scripts_from_this_origin_only(
    dist: Path,
) -> None:
    response = await _get("/docs", web_app_dir=dist)

    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "style-src 'self' 'unsafe-inline';" in policy
    assert "frame-ancestors 'none'" in policy
    assert "http" not in policy  # no other origin at all
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_swagger_ui_is_started_by_a_script_that_turns_the_online_validator_off(
    dist: Path,
) -> None:
    response = await _get("/docs/swagger-init.js", web_app_dir=dist)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "validatorUrl: null" in response.text


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
async def test_without_the_assets_the_docs_say_how_to_build_them(tmp_path: Path, path: str) -> None:
    response = await _get(path, web_app_dir=tmp_path / "no-dist")

    assert response.status_code == 503
    assert "make web" in response.text
    assert 'href="/openapi.json"' in response.text


async def test_config_in_development_offers_sign_in_as_and_no_oidc() -> None:
    response = await _get("/config.json", environment="development")

    assert response.status_code == 200
    assert response.json() == {"oidc": None, "dev_sign_in": True}
    assert response.headers["cache-control"] == "no-cache"


async def test_config_in_production_names_the_oidc_client_and_no_dev_sign_in() -> None:
    response = await _get("/config.json", **PRODUCTION, **OIDC)

    assert response.json() == {
        "oidc": {
            "authority": OIDC["web_oidc_authority"],
            "client_id": OIDC["web_oidc_client_id"],
            "redirect_uri": OIDC["web_oidc_redirect_uri"],
            "scope": "openid profile",
        },
        "dev_sign_in": False,
    }


async def test_the_app_may_talk_to_the_identity_provider_and_nothing_else(
    dist: Path,
) -> None:
    response = await _get("/", web_app_dir=dist, **PRODUCTION, **OIDC)

    policy = response.headers["content-security-policy"]
    assert (
        "connect-src 'self' ws://127.0.0.1:8080 wss://127.0.0.1:8080 https://login.skola.example;"
    ) in policy
    assert "frame-src 'self' https://login.skola.example;" in policy
    assert "script-src 'self';" in policy


@pytest.mark.parametrize(
    "partial",
    [
        {"web_oidc_authority": OIDC["web_oidc_authority"]},
        {k: v for k, v in OIDC.items() if k != "web_oidc_redirect_uri"},
        {**OIDC, "web_oidc_authority": "login.skola.example"},
    ],
)
def test_an_incomplete_or_malformed_oidc_client_is_refused(partial: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="web_oidc"):
        GatewaySettings(environment=Environment.TEST, **partial)
