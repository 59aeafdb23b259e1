"""The teacher app served at /: files, cache headers, client routes, CSP, and the API untouched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from api_gateway_service.app import create_app
from api_gateway_service.config import GatewaySettings
from huleedu_service_libs.observability.metrics import HTTP_REQUESTS

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
INDEX = "<!doctype html><title>HuleEdu</title><div id=app></div>"
BUNDLE = "export const app = 1;\n" * 200


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A built app as Vite lays it out: index.html, hashed assets/, public files."""
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "assets" / "index-3f2a91c4.js").write_text(BUNDLE)
    (root / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("outside the app")
    return root


def _client(**settings: Any) -> httpx.AsyncClient:
    app = create_app(GatewaySettings(**{"environment": "test", **settings}))
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080")


async def _get(dist: Path, path: str, **kwargs: Any) -> httpx.Response:
    async with _client(web_app_dir=dist) as client:
        return await client.get(path, **kwargs)


def _csp(response: httpx.Response) -> dict[str, list[str]]:
    directives = response.headers["content-security-policy"].split(";")
    return {d.split()[0]: d.split()[1:] for d in (x.strip() for x in directives) if d}


async def test_the_root_is_the_app_revalidated_on_every_visit(dist: Path) -> None:
    response = await _get(dist, "/")

    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["etag"]


async def test_the_app_has_a_strict_policy_and_security_headers(dist: Path) -> None:
    response = await _get(dist, "/", headers=HTML)

    csp = _csp(response)
    assert csp["default-src"] == csp["script-src"] == csp["style-src"] == ["'self'"]
    assert csp["connect-src"] == ["'self'", "ws://127.0.0.1:8080", "wss://127.0.0.1:8080"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == csp["form-action"] == ["'self'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"


async def test_a_forged_host_never_reaches_the_policy(dist: Path) -> None:
    response = await _get(dist, "/", headers={"Host": "evil.example; script-src *"})

    assert response.status_code == 200
    assert _csp(response)["connect-src"] == ["'self'"]


async def test_hashed_assets_are_cached_for_good_other_files_revalidated(dist: Path) -> None:
    asset = await _get(dist, "/assets/index-3f2a91c4.js")
    public_file = await _get(dist, "/favicon.svg")

    assert asset.status_code == public_file.status_code == 200
    assert asset.text == BUNDLE
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert public_file.headers["cache-control"] == "no-cache"


async def test_a_known_etag_is_answered_not_modified(dist: Path) -> None:
    async with _client(web_app_dir=dist) as client:
        first = await client.get("/favicon.svg")
        again = await client.get("/favicon.svg", headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304
    assert again.headers["cache-control"] == "no-cache"


async def test_large_files_are_sent_gzipped_to_browsers_that_accept_it(dist: Path) -> None:
    response = await _get(dist, "/assets/index-3f2a91c4.js", headers={"Accept-Encoding": "gzip"})

    assert response.headers["content-encoding"] == "gzip"
    assert response.text == BUNDLE  # httpx decodes it


@pytest.mark.parametrize("path", ["/classes", "/batches/0a1b2c/results", "/sv/klasser"])
async def test_a_client_route_opened_in_the_browser_is_the_app(dist: Path, path: str) -> None:
    response = await _get(dist, path, headers=HTML)

    assert (response.status_code, response.text) == (200, INDEX)
    assert response.headers["cache-control"] == "no-cache"


async def test_a_client_route_asked_for_json_is_a_json_404(dist: Path) -> None:
    response = await _get(dist, "/classes", headers={"Accept": "application/json"})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    "path", ["/v1/nothing-here", "/v1", "/ws/x", "/healthz/other", "/metrics/x", "/docs/x"]
)
async def test_api_and_operator_paths_never_fall_back_to_the_app(dist: Path, path: str) -> None:
    response = await _get(dist, path, headers=HTML)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == "NOT_FOUND"


async def test_a_missing_asset_is_a_404_not_the_app(dist: Path) -> None:
    response = await _get(dist, "/assets/index-00000000.js", headers=HTML)

    assert response.status_code == 404


async def test_routes_keep_their_own_answers(dist: Path) -> None:
    async with _client(web_app_dir=dist) as client:
        wrong_method = await client.get("/v1/ws-tickets", headers=HTML)
        post_to_app = await client.post("/classes", headers=HTML)
        schema = await client.get("/openapi.json", headers=HTML)

    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["details"]["allowed_methods"] == ["POST"]
    assert post_to_app.status_code == 404
    assert schema.status_code == 200
    assert not {"/", "/docs", "/redoc", "/config.json"} & set(schema.json()["paths"])


@pytest.mark.parametrize(
    "path", ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt"]
)
async def test_nothing_outside_the_app_directory_is_served(dist: Path, path: str) -> None:
    response = await _get(dist, path)

    assert "outside the app" not in response.text


async def test_files_of_the_app_count_under_one_route_label(dist: Path) -> None:
    def served() -> float:
        labels = {
            "service": "api_gateway_service",
            "method": "GET",
            "route": "/{web_app_path}",
            "status": "200",
        }
        return HTTP_REQUESTS.labels(**labels)._value.get()

    before = served()
    await _get(dist, "/classes", headers=HTML)

    assert served() == before + 1


async def test_without_a_build_the_root_says_how_to_build_and_the_api_still_works(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "no-dist"
    async with _client(web_app_dir=missing) as client:
        root = await client.get("/", headers=HTML)
        client_route = await client.get("/classes", headers=HTML)
        schema = await client.get("/openapi.json")

    assert root.status_code == client_route.status_code == 503
    assert "make web" in root.text
    assert "API_GATEWAY_SERVICE_WEB_APP_DIR" in root.text
    assert str(missing) not in root.text
    assert root.headers["cache-control"] == "no-store"
    assert schema.status_code == 200
