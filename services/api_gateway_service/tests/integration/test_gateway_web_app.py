"""The web app and the docs through the real server (uvicorn), beside the API they share."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from huleedu_testing.gateway.harness import GatewayFactory

HTML = {"Accept": "text/html"}
INDEX = "<!doctype html><title>HuleEdu</title>"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A built app with its docs assets."""
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "assets" / "index-5d41402a.js").write_text("export {};\n" * 300)
    docs = root / "api-docs-assets" / "swagger-ui"
    docs.mkdir(parents=True)
    (docs / "swagger-ui-bundle.js").write_text("/* swagger */")
    (docs / "swagger-ui.css").write_text("/* swagger */")
    return root


async def test_app_docs_and_api_share_one_origin(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, dist: Path
) -> None:
    gw = await gateway_factory(web_app_dir=str(dist))

    async with http.get(f"{gw.url}/klasser/9a", headers=HTML) as r:
        assert (r.status, await r.text()) == (200, INDEX)
        assert r.headers["Cache-Control"] == "no-cache"
        assert "script-src 'self';" in r.headers["Content-Security-Policy"]
    async with http.get(f"{gw.url}/assets/index-5d41402a.js", headers=HTML) as r:
        assert r.status == 200
        assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert r.headers["Content-Encoding"] == "gzip"
    async with http.head(f"{gw.url}/assets/index-5d41402a.js") as r:
        assert r.status == 200
    async with http.get(f"{gw.url}/v1/no-such-route", headers=HTML) as r:
        assert r.status == 404
        assert (await r.json())["error"]["code"] == "NOT_FOUND"
    async with http.get(f"{gw.url}/v1/batches", headers=HTML) as r:
        assert r.status == 401  # the API answers, not the app
    async with http.get(f"{gw.url}/docs") as r:
        assert r.status == 200
        assert "style-src 'self' 'unsafe-inline'" in r.headers["Content-Security-Policy"]
    async with http.get(f"{gw.url}/config.json") as r:
        assert await r.json() == {"oidc": None, "dev_sign_in": False}


async def test_a_gateway_without_the_app_starts_says_so_and_serves_the_api(
    gateway_factory: GatewayFactory,
    http: aiohttp.ClientSession,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    missing = tmp_path / "never-built"

    gw = await gateway_factory(web_app_dir=str(missing))

    async with http.get(f"{gw.url}/", headers=HTML) as r:
        assert r.status == 503
        assert "make web" in await r.text()
    async with http.get(f"{gw.url}/healthz/ready") as r:
        assert r.status == 200
    warnings = [str(r.msg) for r in caplog.records if r.levelname == "WARNING"]
    assert any("web_app.not_built" in w and str(missing) in w for w in warnings), warnings
